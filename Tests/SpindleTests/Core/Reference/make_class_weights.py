"""Reference values for ClassWeightTests: PyTorch's CrossEntropyLoss(weight=w) — the weighted
mean Σ w[y]·loss / Σ w[y] — and its gradients for a linear layer, float64.

Run: ~/peer/bin/python make_class_weights.py > class_weights.json
"""
import json

import torch

torch.manual_seed(14)
rows, features, classes = 10, 4, 3
x = torch.randn(rows, features, dtype=torch.float64)
labels = torch.tensor([0, 1, 2, 1, 1, 0, 2, 2, 2, 1])
weight = torch.randn(classes, features, dtype=torch.float64, requires_grad=True)
bias = torch.randn(classes, dtype=torch.float64, requires_grad=True)
class_weights = torch.tensor([0.5, 2.0, 1.25], dtype=torch.float64)
loss = torch.nn.CrossEntropyLoss(weight=class_weights)(x @ weight.T + bias, labels)
loss.backward()
print(json.dumps({
    "x": x.flatten().tolist(), "labels": labels.tolist(), "weight": weight.detach().flatten().tolist(),
    "bias": bias.detach().tolist(), "class_weights": class_weights.tolist(), "loss": loss.item(),
    "weight_grad": weight.grad.flatten().tolist(), "bias_grad": bias.grad.tolist(),
}))
