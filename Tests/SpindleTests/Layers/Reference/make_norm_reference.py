#!/usr/bin/env python3
"""Writes norm_reference.json: forward loss, every parameter gradient, batchnorm's running
statistics after one training step and the evaluation-mode class probabilities (softmax of the
logits, what Spindle's predict returns), for three small models with
the new layer kinds, computed in float64 with NumPy only (no PyTorch needed; the formulas are
PyTorch's: nn.LayerNorm, nn.BatchNorm1d, nn.GELU(), nn.SiLU(), nn.LeakyReLU), as an independent
reference for the Swift engine (NormReferenceTests.swift).

Conventions, matching Spindle:
  * parameters are one flat vector in model order: dense W (out, in) row-major then b (out);
    layernorm weight, bias (N); batchnorm weight, bias, running_mean, running_var (N);
  * the implicit output layer is a dense layer feeding softmax cross-entropy, mean over B rows;
  * eps = 1e-5 inside the square root; batchnorm trains on the batch's biased variance and
    moves running_var by momentum 0.1 towards the unbiased one.

The inputs are drawn as float32 and stored exactly, so the Swift side starts from the same bits.

Run from anywhere:  python3 make_norm_reference.py   (rewrites norm_reference.json beside it)
"""
import json
import os
from math import erf, sqrt, pi

import numpy as np

EPS = 1e-5
MOMENTUM = 0.1
ROWS, FEATURES, CLASSES = 6, 5, 3
verf = np.vectorize(erf)


def gelu(z):
    return 0.5 * z * (1 + verf(z / sqrt(2)))


def gelu_grad(z):
    return 0.5 * (1 + verf(z / sqrt(2))) + z * np.exp(-0.5 * z * z) / sqrt(2 * pi)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


ACTIVATIONS = {
    "gelu": (gelu, gelu_grad),
    "silu": (lambda z: z * sigmoid(z), lambda z: sigmoid(z) * (1 + z * (1 - sigmoid(z)))),
    "leaky_relu(0.1)": (lambda z: np.where(z > 0, z, 0.1 * z), lambda z: np.where(z > 0, 1.0, 0.1)),
}


class Params:
    """Hands out views of consecutive slices of the flat vector."""
    def __init__(self, flat):
        self.flat, self.offset = flat, 0

    def take(self, *shape):
        n = int(np.prod(shape))
        view = self.flat[self.offset:self.offset + n].reshape(shape)
        self.offset += n
        return view


def layer_norm(x, w, b):
    mu = x.mean(axis=1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=1, keepdims=True)
    r = 1 / np.sqrt(var + EPS)
    xhat = (x - mu) * r
    def backward(dy, dw, db):
        dw += (dy * xhat).sum(axis=0)
        db += dy.sum(axis=0)
        g = dy * w
        return r * (g - g.mean(axis=1, keepdims=True) - xhat * (g * xhat).mean(axis=1, keepdims=True))
    return xhat * w + b, backward


def batch_norm(x, w, b):
    n = x.shape[0]
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    r = 1 / np.sqrt(var + EPS)
    xhat = (x - mu) * r
    def backward(dy, dw, db):
        dw += (dy * xhat).sum(axis=0)
        db += dy.sum(axis=0)
        return w * r / n * (n * dy - dy.sum(axis=0) - xhat * (dy * xhat).sum(axis=0))
    return xhat * w + b, backward, mu, var * n / (n - 1)


def cross_entropy(z, labels):
    shifted = z - z.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(len(labels)), labels].mean()
    dz = np.exp(logp)
    dz[np.arange(len(labels)), labels] -= 1
    return loss, dz / len(labels)


def run(name, x, labels, flat, training=True):
    """Loss, flat gradient (and batchnorm's new running stats, eval probabilities) of model `name`."""
    p, g = Params(flat.copy()), Params(np.zeros_like(flat))
    extra = {}
    if name == "layernorm_gelu":          # layernorm, gelu, dense(3)
        w, b = p.take(FEATURES), p.take(FEATURES)
        dw, db = g.take(FEATURES), g.take(FEATURES)
        y, ln_back = layer_norm(x, w, b)
        f, fp = ACTIVATIONS["gelu"]
        h = f(y)
        W, c = p.take(CLASSES, FEATURES), p.take(CLASSES)
        dW, dc = g.take(CLASSES, FEATURES), g.take(CLASSES)
        loss, dz = cross_entropy(h @ W.T + c, labels)
        dW += dz.T @ h
        dc += dz.sum(axis=0)
        ln_back((dz @ W) * fp(y), dw, db)
    elif name == "batchnorm_silu":        # batchnorm, silu, dense(3)
        w, b, rm, rv = (p.take(FEATURES) for _ in range(4))
        dw, db, _, _ = (g.take(FEATURES) for _ in range(4))
        y, bn_back, mu, unbiased = batch_norm(x, w, b)
        f, fp = ACTIVATIONS["silu"]
        h = f(y)
        W, c = p.take(CLASSES, FEATURES), p.take(CLASSES)
        dW, dc = g.take(CLASSES, FEATURES), g.take(CLASSES)
        loss, dz = cross_entropy(h @ W.T + c, labels)
        dW += dz.T @ h
        dc += dz.sum(axis=0)
        bn_back((dz @ W) * fp(y), dw, db)
        new_rm = (1 - MOMENTUM) * rm + MOMENTUM * mu
        new_rv = (1 - MOMENTUM) * rv + MOMENTUM * unbiased
        y_eval = (x - new_rm) / np.sqrt(new_rv + EPS) * w + b
        logits = f(y_eval) @ W.T + c
        e = np.exp(logits - logits.max(axis=1, keepdims=True))
        extra = {"running_mean": new_rm.tolist(), "running_var": new_rv.tolist(),
                 "eval_probabilities": (e / e.sum(axis=1, keepdims=True)).ravel().tolist()}
    elif name == "residual_layernorm":    # dense(4), residual(layernorm, dense(4), leaky_relu(0.1)), dense(3)
        H = 4
        W0, b0 = p.take(H, FEATURES), p.take(H)
        dW0, db0 = g.take(H, FEATURES), g.take(H)
        lw, lb = p.take(H), p.take(H)
        dlw, dlb = g.take(H), g.take(H)
        W1, b1 = p.take(H, H), p.take(H)
        dW1, db1 = g.take(H, H), g.take(H)
        W, c = p.take(CLASSES, H), p.take(CLASSES)
        dW, dc = g.take(CLASSES, H), g.take(CLASSES)
        h0 = x @ W0.T + b0
        n, ln_back = layer_norm(h0, lw, lb)
        z1 = n @ W1.T + b1
        f, fp = ACTIVATIONS["leaky_relu(0.1)"]
        out = h0 + f(z1)
        loss, dz = cross_entropy(out @ W.T + c, labels)
        dW += dz.T @ out
        dc += dz.sum(axis=0)
        dout = dz @ W
        dz1 = dout * fp(z1)
        dW1 += dz1.T @ n
        db1 += dz1.sum(axis=0)
        dh0 = dout + ln_back(dz1 @ W1, dlw, dlb)
        dW0 += dh0.T @ x
        db0 += dh0.sum(axis=0)
        assert np.abs(z1).min() > 1e-3, "a leaky ReLU input too near its kink"
    assert p.offset == flat.size and g.offset == flat.size
    return loss, g.flat, extra


def main():
    rng = np.random.default_rng(12)
    cases = []
    for name, count in [("layernorm_gelu", 2 * FEATURES + CLASSES * (FEATURES + 1)),
                        ("batchnorm_silu", 4 * FEATURES + CLASSES * (FEATURES + 1)),
                        ("residual_layernorm", 4 * (FEATURES + 1) + 2 * 4 + 4 * 5 + CLASSES * 5)]:
        x = (rng.standard_normal((ROWS, FEATURES)) * 2 + 0.5).astype(np.float32)
        labels = rng.integers(0, CLASSES, ROWS)
        flat = rng.uniform(-0.9, 0.9, count).astype(np.float32)
        if name == "batchnorm_silu":        # a positive running variance
            flat[3 * FEATURES:4 * FEATURES] = rng.uniform(0.5, 2, FEATURES).astype(np.float32)
        loss, grad, extra = run(name, x.astype(np.float64), labels, flat.astype(np.float64))
        cases.append({"name": name, "features": x.ravel().tolist(), "labels": labels.tolist(),
                      "parameters": flat.tolist(), "loss_value": loss, "gradients": grad.tolist(), **extra})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "norm_reference.json")
    with open(path, "w") as f:
        json.dump({"rows": ROWS, "features": FEATURES, "classes": CLASSES, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
