"""A physics-informed network: solve u'' + u = 0, u(0) = 0, u'(0) = 1 with a small MLP.

The exact solution is u(t) = sin(t). We never show the network that answer: its loss
only asks that the network's own u(t) satisfy the equation at a grid of points, and
the two initial conditions at t = 0. The derivatives u' and u'' of the network with
respect to its INPUT t come from ``torch.autograd.grad(..., create_graph=True)``:
``create_graph`` records the derivative computation itself, so the loss that contains
u'' can be differentiated once more, with respect to the weights, by ``backward()``.

Run: python examples/ode_pinn.py [--fast]   (or EMBER_FAST=1: fewer steps)
"""

import math
import os
import sys

import ember as torch

FAST = "--fast" in sys.argv[1:] or os.environ.get("EMBER_FAST") == "1"
torch.manual_seed(0)  # the same initial weights and result on every run

# u(t): 1 input, 1 output, two hidden layers of tanh (smooth, so u'' exists; ReLU's
# second derivative would be zero almost everywhere). float64, usual for PINNs: the
# loss is made of derivatives, which lose digits faster than values do.
model = torch.nn.Sequential(
    torch.nn.Linear(1, 32), torch.nn.Tanh(),
    torch.nn.Linear(32, 32), torch.nn.Tanh(),
    torch.nn.Linear(32, 1),
).to(torch.float64)

# Collocation points on [0, pi] (half a period) where the equation is enforced. They
# require grad because we differentiate u with respect to them.
t = torch.linspace(0, math.pi, 32, dtype=torch.float64).unsqueeze(1).requires_grad_()
t0 = torch.zeros(1, 1, dtype=torch.float64, requires_grad=True)  # the initial time


def derivative(u, t):
    """du/dt at every point, kept differentiable (create_graph) for u'' and the loss.

    Each u[i] depends only on t[i], so the gradient of u.sum() holds every du[i]/dt[i].
    """
    return torch.autograd.grad(u.sum(), t, create_graph=True)[0]


def pinn_loss():
    """Mean squared residual of u'' + u = 0, plus both initial conditions squared."""
    u = model(t)
    u_tt = derivative(derivative(u, t), t)  # second derivative: grad of a grad
    u0 = model(t0)
    return (u_tt + u).pow(2).mean() + u0.pow(2).sum() + (derivative(u0, t0) - 1).pow(2).sum()


steps = 200 if FAST else 1000
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
# The learning rate falls from 0.01 to 0 along a cosine: big steps first, fine ones last.
schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
for step in range(steps):
    loss = pinn_loss()
    optimizer.zero_grad()
    loss.backward()  # through the graph of u'': third derivatives of tanh, for free
    optimizer.step()
    schedule.step()
    if (step + 1) % (steps // 4) == 0:  # four progress lines
        print(f"step {step + 1:4d}  loss {loss.item():.3e}")

# Compare with the exact solution on a finer grid than the one trained on.
with torch.no_grad():
    t_test = torch.linspace(0, math.pi, 1000, dtype=torch.float64).unsqueeze(1)
    error = (model(t_test) - torch.sin(t_test)).abs().max().item()
    u_mid = model(torch.tensor([[math.pi / 2]], dtype=torch.float64)).item()
print(f"u(pi/2) = {u_mid:.4f} (exact sin(pi/2) = 1)")
print(f"max |u - sin| on [0, pi]: {error:.3e}")
