"""The autograd tutorial every ember user starts from, run on ember.

It is the seed notebook (``shared/seed/autograd_basics_notebook.txt``) cell by cell,
with ``import ember as torch`` as its only change; the training loop at the end prints
exactly what the notebook prints under PyTorch.
"""

import ember as torch

torch.manual_seed(0)  # the notebook's first tensor is random; seeded, every run repeats

# ### Calculation of gradients
x = torch.randn(size=(3,), requires_grad=True)
print(x)

y = x + 2
print(y)

z = y * y * 2
z = z.mean()
print(z)

z.backward()  # dz/dx
print(x.grad)

x.grad.zero_()
print(x.grad)

# ### Backpropagation: a manual training loop using backward()
x = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)
w = torch.tensor(0.0, dtype=torch.float32, requires_grad=True)


def forward(x):
    return w * x


def loss(y, y_hat):
    return ((y - y_hat) ** 2).mean()


lr = 0.01
n_iters = 50

for epoch in range(n_iters):
    y_pred = forward(x)

    l = loss(y, y_pred)  # noqa: E741 (the notebook's name)
    l.backward()  # gradient calculation
    with torch.no_grad():
        w -= lr * w.grad

    w.grad.zero_()

    if epoch % 10 == 0:
        print(f"epoch:\t{epoch}\tweight:\t{w.item()}\tloss:\t{l}")

with torch.no_grad():
    print(forward(5).item())
