#!/usr/bin/env python3
"""Writes batchnorm2d_reference.json: PyTorch's nn.BatchNorm2d (and nn.BatchNorm1d) on a few small
batches, as an independent reference for Spindle's per-channel BatchNormLayer
(BatchNormChannelTests.swift).

Spindle stores an image row channels-last (NHWC: element (p, c) of a row at p*C + c, p = h*W + w);
PyTorch wants NCHW, so every tensor is permuted on the way in and back on the way out, and the
JSON holds NHWC order throughout. For each case, in float64 (the reference, not float32 rounding):
  * training mode: y = bn(x) with the batch's statistics, then L = sum(y * g) for a fixed random
    upstream gradient g, backward: dL/dx, dL/dweight, dL/dbias;
  * the running statistics after that one step (momentum 0.1, unbiased running variance over
    B*H*W values);
  * evaluation mode: bn(x) again, now with those running statistics.
The inputs are drawn as float32 and stored exactly, so the Swift side starts from the same bits.

Run with the PyTorch peer's Python (../../../../../shared/peers/README.md):
    ~/peer/bin/python make_batchnorm2d_reference.py   (rewrites batchnorm2d_reference.json beside it)
"""
import json
import os

import numpy as np
import torch

# (name, rows B, height H, width W, channels C); "one_row" is a batch of one image, which
# BatchNorm2d accepts (B*H*W > 1); "vector" is BatchNorm1d on (B, C), Spindle's positions = 1.
CASES = [("image", 3, 2, 3, 4), ("one_row", 1, 3, 3, 3), ("vector", 5, 1, 1, 6), ("wide_mean", 4, 2, 2, 2)]


def case(rng, name, b, h, w, c):
    shape = (b, h, w, c)
    x = rng.standard_normal(shape).astype(np.float32) * 1.5 + 0.25
    if name == "wide_mean":          # a large mean: what a one-pass E[x^2] - mu^2 would get wrong
        x = (x + 300).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    weight = rng.uniform(0.5, 1.5, c).astype(np.float32)
    bias = rng.uniform(-0.5, 0.5, c).astype(np.float32)
    running_mean = rng.uniform(-0.5, 0.5, c).astype(np.float32)
    running_var = rng.uniform(0.5, 2.0, c).astype(np.float32)

    bn = (torch.nn.BatchNorm1d(c) if name == "vector" else torch.nn.BatchNorm2d(c)).double()
    with torch.no_grad():
        bn.weight.copy_(torch.from_numpy(weight))
        bn.bias.copy_(torch.from_numpy(bias))
        bn.running_mean.copy_(torch.from_numpy(running_mean))
        bn.running_var.copy_(torch.from_numpy(running_var))

    def to_torch(a):                 # NHWC -> NCHW (or (B, C) for BatchNorm1d)
        t = torch.from_numpy(a.astype(np.float64))
        return t.reshape(b, c) if name == "vector" else t.permute(0, 3, 1, 2).contiguous()

    def to_nhwc(t):
        return (t.reshape(b, h, w, c) if name == "vector" else t.permute(0, 2, 3, 1)).detach().numpy()

    bn.train()
    xt = to_torch(x).requires_grad_(True)
    y = bn(xt)
    (y * to_torch(g)).sum().backward()
    bn.eval()
    with torch.no_grad():
        y_eval = bn(to_torch(x))
    flat = lambda a: np.asarray(a, dtype=np.float64).ravel().tolist()
    return {"name": name, "rows": b, "positions": h * w, "channels": c,
            "x": flat(x), "upstream": flat(g),
            "parameters": flat(np.concatenate([weight, bias, running_mean, running_var])),
            "y": flat(to_nhwc(y)), "dx": flat(to_nhwc(xt.grad)),
            "dweight": flat(bn.weight.grad), "dbias": flat(bn.bias.grad),
            "running_mean": flat(bn.running_mean), "running_var": flat(bn.running_var),
            "y_eval": flat(to_nhwc(y_eval))}


def main():
    rng = np.random.default_rng(2026)
    cases = [case(rng, *c) for c in CASES]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "batchnorm2d_reference.json")
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
