#!/usr/bin/env python3
"""Writes reference.json: forward loss, gradients and optimizer trajectories of two small dense
networks, computed in float64 with NumPy only, as an independent reference for the Swift engine
(NumpyReferenceTests.swift).

Conventions, matching Spindle:
  * parameters are one flat vector: per layer W (out, in) row-major, then b (out);
  * hidden layers: a = f(x W^T + b); the last layer is linear;
  * cross-entropy: mean over the B rows of log-softmax loss;
  * mse: mean over all B*C elements of (z - y)^2, with y the one-hot labels here;
  * Adam and SGD with momentum follow torch.optim (bias correction; eps outside the corrected
    root; momentum buffer starts at the first gradient; no weight decay, no dampening).

The inputs (parameters, features) are drawn as float32 and stored exactly, so the Swift side
starts from the same bits. The script refuses data on which float32 and float64 could disagree
for a reason other than rounding (a ReLU pre-activation near its kink).

Run from anywhere:  python3 make_reference.py   (rewrites reference.json next to this file)
"""
import json
import os

import numpy as np

WIDTHS = [6, 5, 4, 3]
ROWS = 7
STEPS = 3
ADAM = {"learning_rate": 0.01, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}
MOMENTUM = {"learning_rate": 0.05, "momentum": 0.9}


def unflatten(flat):
    """Views (W, b) of each layer in the flat parameter vector."""
    layers, offset = [], 0
    for n_in, n_out in zip(WIDTHS[:-1], WIDTHS[1:]):
        w = flat[offset:offset + n_in * n_out].reshape(n_out, n_in)
        offset += n_in * n_out
        b = flat[offset:offset + n_out]
        offset += n_out
        layers.append((w, b))
    assert offset == flat.size
    return layers


def activation(name):
    """f and f' as functions of the pre-activation z."""
    if name == "tanh":
        return np.tanh, lambda z: 1 - np.tanh(z) ** 2
    if name == "relu":
        return lambda z: np.maximum(z, 0), lambda z: (z > 0).astype(np.float64)
    raise ValueError(name)


def loss_and_gradient(flat, x, labels, act, loss):
    """Mean loss over the batch and its gradient with respect to the flat parameters."""
    f, df = activation(act)
    layers = unflatten(flat)
    inputs, pre = [x], []
    for l, (w, b) in enumerate(layers):
        z = inputs[-1] @ w.T + b
        pre.append(z)
        if l < len(layers) - 1:
            assert act != "relu" or np.min(np.abs(z)) > 1e-3, "ReLU pre-activation too near 0"
            inputs.append(f(z))
    z = pre[-1]
    rows, classes = z.shape
    onehot = np.eye(classes)[labels]
    if loss == "cross-entropy":
        shifted = z - z.max(axis=1, keepdims=True)
        log_softmax = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        value = -np.mean(log_softmax[np.arange(rows), labels])
        delta = (np.exp(log_softmax) - onehot) / rows
    elif loss == "mse":
        value = np.mean((z - onehot) ** 2)
        delta = 2 * (z - onehot) / (rows * classes)
    else:
        raise ValueError(loss)
    grads = []
    for l in range(len(layers) - 1, -1, -1):
        w, _ = layers[l]
        grads.append((delta.T @ inputs[l], delta.sum(axis=0)))
        if l > 0:
            delta = (delta @ w) * df(pre[l - 1])
    grads.reverse()
    return value, np.concatenate([np.concatenate([gw.ravel(), gb]) for gw, gb in grads])


def adam(flat, x, labels, act, loss):
    p, m, v = flat.copy(), np.zeros_like(flat), np.zeros_like(flat)
    b1, b2, eps, lr = ADAM["beta1"], ADAM["beta2"], ADAM["epsilon"], ADAM["learning_rate"]
    for t in range(1, STEPS + 1):
        _, g = loss_and_gradient(p, x, labels, act, loss)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        step_size = lr / (1 - b1 ** t)
        denom = np.sqrt(v) / np.sqrt(1 - b2 ** t) + eps
        p = p - step_size * m / denom
    return p


def momentum(flat, x, labels, act, loss):
    p, buf = flat.copy(), None
    lr, mu = MOMENTUM["learning_rate"], MOMENTUM["momentum"]
    for _ in range(STEPS):
        _, g = loss_and_gradient(p, x, labels, act, loss)
        buf = g.copy() if buf is None else mu * buf + g
        p = p - lr * buf
    return p


def make_case(name, act, loss, seed):
    rng = np.random.default_rng(seed)
    count = sum(i * o + o for i, o in zip(WIDTHS[:-1], WIDTHS[1:]))
    flat32 = rng.uniform(-0.8, 0.8, size=count).astype(np.float32)
    x32 = rng.normal(size=(ROWS, WIDTHS[0])).astype(np.float32)
    labels = np.array([0, 1, 2, 1, 0, 2, 2][:ROWS])
    flat, x = flat32.astype(np.float64), x32.astype(np.float64)
    value, grad = loss_and_gradient(flat, x, labels, act, loss)
    # Adam's first steps are ~lr * sign(g): a gradient lost in float32 rounding would flip them.
    # Exact zeros (a ReLU unit dead on every row) are exact in float32 too.
    nonzero = np.abs(grad[grad != 0])
    assert np.min(nonzero) > 1e-5 * np.max(nonzero), "a gradient entry is almost 0"
    return {
        "name": name,
        "widths": WIDTHS,
        "activation": act,
        "loss": loss,
        "features": [float(v) for v in x32.ravel()],
        "labels": [int(v) for v in labels],
        "parameters": [float(v) for v in flat32],
        "loss_value": float(value),
        "gradients": [float(v) for v in grad],
        "adam": dict(ADAM, steps=STEPS, parameters=[float(v) for v in adam(flat, x, labels, act, loss)]),
        "momentum": dict(MOMENTUM, steps=STEPS,
                         parameters=[float(v) for v in momentum(flat, x, labels, act, loss)]),
    }


def main():
    cases = [
        make_case("tanh-cross-entropy", "tanh", "cross-entropy", seed=20240601),
        make_case("relu-mse-one-hot", "relu", "mse", seed=20240602),
    ]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference.json")
    with open(path, "w") as out:
        json.dump({"generator": "make_reference.py", "cases": cases}, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
