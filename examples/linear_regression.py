"""Linear regression: learn y = 3x + 2 from noisy samples, written as a PyTorch script.

A one-input ``nn.Linear`` has exactly two parameters, a weight and a bias, so after
training they should read about 3 and 2. The loop is the one every PyTorch training
loop follows: forward, loss, ``zero_grad``, ``backward``, ``step``.

Run: python examples/linear_regression.py [--fast]   (or EMBER_FAST=1: fewer steps)
"""

import os
import sys

import ember as torch

FAST = "--fast" in sys.argv[1:] or os.environ.get("EMBER_FAST") == "1"
torch.manual_seed(0)  # the same data, initial weights and result on every run

# 100 samples of y = 3x + 2 plus a little Gaussian noise. nn.Linear expects a batch of
# feature vectors, so x is a column: shape (100, 1).
x = torch.randn(100, 1)
y = 3 * x + 2 + 0.1 * torch.randn(100, 1)

model = torch.nn.Linear(1, 1)  # y_hat = x @ weight.T + bias, randomly initialised
loss_fn = torch.nn.MSELoss()  # mean of (y_hat - y) ** 2
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

steps = 30 if FAST else 100
for step in range(steps):
    y_hat = model(x)  # forward: the whole data set is one batch
    loss = loss_fn(y_hat, y)
    optimizer.zero_grad()  # gradients add up across backward calls; clear them first
    loss.backward()  # d loss / d weight and d loss / d bias, into .grad
    optimizer.step()  # weight -= lr * weight.grad, and the same for the bias
    if (step + 1) % (steps // 5) == 0:  # five progress lines
        print(f"step {step + 1:3d}  loss {loss.item():.6f}")

# The parameters are tensors; .item() reads a one-element tensor as a Python float.
print(f"learned weight {model.weight.item():.4f} (true 3)")
print(f"learned bias   {model.bias.item():.4f} (true 2)")
