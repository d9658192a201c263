"""Fit sin(x) with a cubic built on a custom autograd Function, as PyTorch's tutorial does.

The model is y = a + b * P3(c + d * x), where P3(t) = (5t^3 - 3t) / 2 is the Legendre
polynomial of degree 3. P3 is a custom ``torch.autograd.Function``: we write its
forward and its backward (the derivative, 3/2 (5t^2 - 1)) by hand, and autograd uses
them like those of any built-in op. The four parameters are updated by plain gradient
descent inside ``no_grad``, without an optimizer.

Run: python examples/polynomial_custom_function.py [--fast]   (or EMBER_FAST=1)
"""

import math
import os
import sys

import ember as torch

FAST = "--fast" in sys.argv[1:] or os.environ.get("EMBER_FAST") == "1"
torch.manual_seed(0)  # nothing here is random; seeded anyway, like every example


class LegendrePolynomial3(torch.autograd.Function):
    """P3(t) = (5t^3 - 3t) / 2, with its derivative written by hand."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)  # backward needs t to evaluate P3'(t)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        # Chain rule: d loss / d t = d loss / d P3 * P3'(t)
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


# 2000 points of sin(x) on [-pi, pi]
x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)

# Start near a solution (as the tutorial does): from random values P3's cubic term
# makes plain gradient descent diverge.
a = torch.full((), 0.0, requires_grad=True)
b = torch.full((), -1.0, requires_grad=True)
c = torch.full((), 0.0, requires_grad=True)
d = torch.full((), 0.3, requires_grad=True)

P3 = LegendrePolynomial3.apply  # call a custom Function through .apply
learning_rate = 5e-6
steps = 1000 if FAST else 2000
for step in range(steps):
    y_pred = a + b * P3(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    if (step + 1) % (steps // 4) == 0:  # four progress lines
        print(f"step {step + 1:4d}  loss {loss.item():.4f}")
    loss.backward()  # runs LegendrePolynomial3.backward for the P3 node

    # Gradient descent by hand. no_grad: these updates are not part of the model, and
    # in-place changes of leaves that require grad are only allowed outside autograd.
    with torch.no_grad():
        for p in (a, b, c, d):
            p -= learning_rate * p.grad
            p.grad = None  # start the next step's gradients from zero

print(f"node of P3: {type(P3(c + d * x).grad_fn).__name__}")
# a and c stay 0 up to rounding (sin is odd, and so is P3), so they may print as -0.0000
print(f"Result: y = {a.item():.4f} + {b.item():.4f} * P3({c.item():.4f} + {d.item():.4f} x)")
