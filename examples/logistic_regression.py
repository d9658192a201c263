"""Logistic regression: tell malignant from benign tumours, written as a PyTorch script.

The data is scikit-learn's breast-cancer set (569 samples, 30 measurements each,
shipped with scikit-learn: no download). The model is one ``nn.Linear(30, 1)`` giving a
logit; ``BCEWithLogitsLoss`` applies the sigmoid inside the loss, which is more stable
than ``sigmoid`` followed by ``BCELoss``. Adam trains it on shuffled mini-batches.

Run: python examples/logistic_regression.py [--fast]   (or EMBER_FAST=1: fewer epochs)
"""

import os
import sys

from sklearn.datasets import load_breast_cancer

import ember as torch

FAST = "--fast" in sys.argv[1:] or os.environ.get("EMBER_FAST") == "1"
torch.manual_seed(0)  # the same split, initial weights and batches on every run

# The data: features as float32, labels as 0./1. floats shaped (N, 1) like the logits.
features, labels = load_breast_cancer(return_X_y=True)
x = torch.tensor(features, dtype=torch.float32)
y = torch.tensor(labels, dtype=torch.float32).unsqueeze(1)

# A random 80/20 split of the sample indices into training and test sets.
order = torch.randperm(len(x))
n_train = int(0.8 * len(x))
train_idx, test_idx = order[:n_train], order[n_train:]

# Standardise every feature with the training set's mean and std: the raw features
# range from 0.001 to 4000, and gradient descent prefers inputs of about unit scale.
mean, std = x[train_idx].mean(dim=0), x[train_idx].std(dim=0)
x = (x - mean) / std

train_set = torch.utils.data.TensorDataset(x[train_idx], y[train_idx])
loader = torch.utils.data.DataLoader(train_set, batch_size=32, shuffle=True)

model = torch.nn.Linear(30, 1)
loss_fn = torch.nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)


def accuracy(idx):
    """The fraction of the samples ``idx`` that the model classifies right."""
    with torch.no_grad():  # no graph needed just to evaluate
        predicted = (model(x[idx]) > 0).float()  # logit > 0 means probability > 0.5
        return (predicted == y[idx]).float().mean().item()


epochs = 4 if FAST else 20
for epoch in range(epochs):
    total = 0.0
    for xb, yb in loader:  # a new shuffle every epoch
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    if (epoch + 1) % (epochs // 4) == 0:  # four progress lines
        print(f"epoch {epoch + 1:2d}  loss {total / n_train:.4f}")

print(f"train accuracy {accuracy(train_idx):.4f}")
print(f"test accuracy  {accuracy(test_idx):.4f}")
