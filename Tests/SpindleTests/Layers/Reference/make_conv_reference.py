#!/usr/bin/env python3
"""Writes conv_reference.json: the mean cross-entropy loss, every parameter gradient and the
evaluation-mode class probabilities of small image models built from PyTorch's own modules
(nn.Conv2d, nn.BatchNorm2d, nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d, nn.Flatten), in float64, as an
independent reference for Spindle's convolution and pooling (ConvReferenceTests.swift).

Conventions, matching Spindle:
  * parameters are one flat vector in model order, each module's state_dict order: conv weight
    (C, C_in, K, K) then bias (C); dense (nn.Linear) weight (O, I) then bias (O); batchnorm
    weight, bias, running_mean, running_var (C) (the statistics are set to 0 and 1, as fresh);
  * the loss and gradients are those of a training step (batchnorm on the batch's statistics),
    the probabilities those of evaluation after it (on the running statistics it moved);
  * the implicit output layer is an nn.Linear feeding softmax cross-entropy, mean over B rows;
  * each row of the data is the image in (C, H, W) order, or (H, W, C) for the channels-last case
    (which torch gets permuted to NCHW).

Inputs and parameters are drawn as float32 and stored exactly, so the Swift side starts from the
same bits. Run with a Python that has torch (e.g. ~/peer/bin/python make_conv_reference.py); it
rewrites conv_reference.json beside it.
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn

ROWS, CLASSES = 4, 3
CASES = [
    # name, spec, (C, H, W), channels_last, torch modules (output layer added below)
    ("conv_pad_maxpool", "conv(2,3,pad=1),relu,maxpool(2),flatten", (1, 6, 6), False,
     lambda: [nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten()]),
    ("stride_avgpool_overlap", "conv(3,3,stride=2,pad=1),tanh,avgpool(2,stride=1),flatten", (2, 5, 5), False,
     lambda: [nn.Conv2d(2, 3, 3, stride=2, padding=1), nn.Tanh(), nn.AvgPool2d(2, stride=1), nn.Flatten()]),
    ("odd_two_convs_global", "conv(2,3),sigmoid,conv(3,2,stride=2),globalavgpool,dense(4),relu", (3, 7, 5), False,
     lambda: [nn.Conv2d(3, 2, 3), nn.Sigmoid(), nn.Conv2d(2, 3, 2, stride=2), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
              nn.Linear(3, 4), nn.ReLU()]),
    ("batchnorm2d_global", "conv(3,3,pad=1),batchnorm,relu,conv(2,3,stride=2),globalavgpool", (2, 5, 5), False,
     lambda: [nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(), nn.Conv2d(3, 2, 3, stride=2),
              nn.AdaptiveAvgPool2d(1), nn.Flatten()]),
    ("channels_last_maxpool_stride", "conv(2,2,pad=2),relu,maxpool(3,stride=2),flatten", (2, 5, 6), True,
     lambda: [nn.Conv2d(2, 2, 2, padding=2), nn.ReLU(), nn.MaxPool2d(3, stride=2), nn.Flatten()]),
]


def main():
    rng = np.random.default_rng(5)
    cases = []
    for name, spec, (c, h, w), channels_last, modules in CASES:
        torch.manual_seed(1)
        body = nn.Sequential(*modules()).double()
        with torch.no_grad():
            width = body(torch.zeros(1, c, h, w, dtype=torch.float64)).shape[1]
        model = nn.Sequential(body, nn.Linear(width, CLASSES).double())
        params = [p for p in model.parameters()]
        # The flat vector in Spindle's order: every tensor of the state_dict, statistics included.
        state = [(k, v) for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")]
        flat = []
        with torch.no_grad():
            for k, v in state:
                if k.endswith("running_mean"):
                    values = np.zeros(v.numel(), np.float32)
                elif k.endswith("running_var"):
                    values = np.ones(v.numel(), np.float32)
                else:
                    values = rng.uniform(-0.8, 0.8, v.numel()).astype(np.float32)
                v.copy_(torch.from_numpy(values.astype(np.float64)).reshape(v.shape))
                flat.append(values)
        flat = np.concatenate(flat)
        images = rng.standard_normal((ROWS, c, h, w)).astype(np.float32)
        rows = images.transpose(0, 2, 3, 1) if channels_last else images
        labels = rng.integers(0, CLASSES, ROWS)
        x = torch.from_numpy(images.astype(np.float64))
        logits = model(x)
        loss = nn.functional.cross_entropy(logits, torch.from_numpy(labels))
        loss.backward()
        grads = dict((k, p.grad) for k, p in model.named_parameters())
        gradients = np.concatenate([(grads[k].numpy() if k in grads else np.zeros(v.shape)).ravel() for k, v in state])
        model.eval()
        with torch.no_grad():
            logits = model(x)
        cases.append({
            "name": name, "model": spec, "input_shape": [c, h, w], "channels_last": channels_last,
            "features": [float(v) for v in rows.ravel()], "labels": [int(v) for v in labels],
            "parameters": [float(v) for v in flat], "loss_value": float(loss.item()),
            "gradients": [float(v) for v in gradients],
            "eval_probabilities": [float(v) for v in torch.softmax(logits, 1).detach().numpy().ravel()],
        })
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conv_reference.json")
    with open(path, "w") as f:
        json.dump({"rows": ROWS, "classes": CLASSES, "torch": torch.__version__, "cases": cases}, f, indent=1)


if __name__ == "__main__":
    main()
