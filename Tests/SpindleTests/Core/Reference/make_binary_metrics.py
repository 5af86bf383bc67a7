"""Reference values for BinaryMetricsTests: scikit-learn's ROC AUC, average precision (PR AUC),
precision, recall and F1 of class 1, for label/score cases with and without tied scores.

Run from this directory: python3 make_binary_metrics.py  (needs numpy and scikit-learn; the test
reads only the JSON it writes, binary_metrics.json).
"""
import json

import numpy as np
from sklearn.metrics import average_precision_score, f1_score, precision_score, recall_score, roc_auc_score

rng = np.random.default_rng(14)
cases = []


def defined(value):
    """JSON null for an undefined score (scikit-learn's NaN with zero_division=nan)."""
    return None if np.isnan(value) else float(value)


def add(name, labels, scores):
    labels = np.asarray(labels, dtype=np.int64)
    scores = np.asarray(scores, dtype=np.float64)
    predicted = (scores > 0).astype(np.int64)  # scores are logit differences z1 - z0
    cases.append({
        "name": name,
        "labels": labels.tolist(),
        "scores": scores.tolist(),
        "predicted": predicted.tolist(),
        "roc_auc": defined(roc_auc_score(labels, scores)),
        "average_precision": defined(average_precision_score(labels, scores)),
        "precision": defined(precision_score(labels, predicted, zero_division=np.nan)),
        "recall": defined(recall_score(labels, predicted, zero_division=np.nan)),
        "f1": defined(f1_score(labels, predicted, zero_division=np.nan)),
    })


add("separable", [0, 0, 1, 1], [-2.0, -1.0, 1.0, 2.0])
add("ties", [0, 1, 0, 1, 1, 0, 1, 0], [0.5, 0.5, -1.0, 2.0, -1.0, 0.5, 3.0, -3.0])
add("all tied", [1, 0, 1, 0, 0], [0.0, 0.0, 0.0, 0.0, 0.0])
y = rng.integers(0, 2, size=200)
add("noisy", y, np.round(y + rng.normal(0, 1.2, size=200), 1))  # rounding makes ties
y = (rng.uniform(size=300) < 0.1).astype(np.int64)
add("rare positives", y, 2 * y + rng.normal(0, 1.5, size=300))

with open("binary_metrics.json", "w") as f:
    json.dump({"cases": cases}, f, indent=1)
