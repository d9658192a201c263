"""The benchmark workloads, written once in PyTorch style and run with either library.

Each workload is a function ``setup(lib) -> (step, units)``: ``step()`` runs one
measured iteration, ``units`` is what the time is divided by (ops, for per-op
numbers). ``lib`` is ``ember`` or ``torch``; the code is the same for both.
"""

from __future__ import annotations

import numpy as np


def _seed_data(lib):
    return lib.tensor(np.array([-0.6297, 1.8933, -0.7387], dtype=np.float32),
                      requires_grad=True)


def w1_seed_ops(lib):
    """The seed notebook's cells: y = x + 2; z = (y*y*2).mean(); backward; zero_."""
    x = _seed_data(lib)

    def step():
        y = x + 2
        z = (y * y * 2).mean()
        z.backward()
        x.grad.zero_()

    return step, 1


def w2_seed_loop(lib):
    """The seed's 50-iteration manual training loop, whole."""
    x = lib.tensor([1, 2, 3, 4], dtype=lib.float32)
    y = lib.tensor([2, 4, 6, 8], dtype=lib.float32)

    def step():
        w = lib.tensor(0.0, dtype=lib.float32, requires_grad=True)
        for _ in range(50):
            loss = ((y - w * x) ** 2).mean()
            loss.backward()
            with lib.no_grad():
                w -= 0.01 * w.grad
            w.grad.zero_()

    return step, 1


def _chain(lib, x):
    for _ in range(25):
        x = ((x + 1.0) * 0.5).tanh().exp()
    return x


def w3_fwd(lib):
    """100 elementwise ops on a 10-element float32 tensor, recorded; per op."""
    x = lib.tensor(np.linspace(-1, 1, 10, dtype=np.float32), requires_grad=True)

    def step():
        _chain(lib, x)

    return step, 100


def w3_fwd_bwd(lib):
    """The same chain, forward and backward; per op."""
    x = lib.tensor(np.linspace(-1, 1, 10, dtype=np.float32), requires_grad=True)

    def step():
        _chain(lib, x).sum().backward()

    return step, 100


def w3_no_grad(lib):
    """The same chain under no_grad; per op."""
    x = lib.tensor(np.linspace(-1, 1, 10, dtype=np.float32), requires_grad=True)

    def step():
        with lib.no_grad():
            _chain(lib, x)

    return step, 100


def _mlp_step(lib, batch):
    rng = np.random.default_rng(0)
    params = [lib.tensor(rng.standard_normal(s).astype(np.float32) * 0.05,
                         requires_grad=True)
              for s in [(784, 256), (256,), (256, 128), (128,), (128, 10), (10,)]]
    data = lib.tensor(rng.standard_normal((batch, 784)).astype(np.float32))
    target = lib.tensor(rng.integers(0, 10, batch))
    F = lib.nn.functional

    def step():
        w1, b1, w2, b2, w3, b3 = params
        h = (data @ w1 + b1).relu()
        h = (h @ w2 + b2).relu()
        loss = F.nll_loss(F.log_softmax(h @ w3 + b3, dim=1), target)
        loss.backward()
        with lib.no_grad():
            for p in params:
                p -= 0.01 * p.grad
                p.grad = None

    return step, 1


def w4_mlp_b64(lib):
    """MLP 784-256-128-10, relu, log_softmax + nll_loss, manual SGD, batch 64."""
    return _mlp_step(lib, 64)


def w4_mlp_b512(lib):
    """The same MLP step at batch 512."""
    return _mlp_step(lib, 512)


def w5_matmul(lib):
    """1024x1024 @ 1024x1024 float32, forward and backward."""
    rng = np.random.default_rng(0)
    a = lib.tensor(rng.standard_normal((1024, 1024)).astype(np.float32),
                   requires_grad=True)
    b = lib.tensor(rng.standard_normal((1024, 1024)).astype(np.float32),
                   requires_grad=True)

    def step():
        (a @ b).sum().backward()
        a.grad = b.grad = None

    return step, 1


def w5_matmul_fwd(lib):
    """1024x1024 @ 1024x1024 float32, forward only."""
    rng = np.random.default_rng(0)
    a = lib.tensor(rng.standard_normal((1024, 1024)).astype(np.float32))
    b = lib.tensor(rng.standard_normal((1024, 1024)).astype(np.float32))

    def step():
        a @ b

    return step, 1


def w6_deep_chain(lib):
    """10,000 x (y = y * 1.0001 + 0.001) on a scalar, then backward."""
    x = lib.tensor(1.0, requires_grad=True)

    def step():
        y = x
        for _ in range(10_000):
            y = y * 1.0001 + 0.001
        y.backward()
        x.grad = None

    return step, 1


def w7_conv(lib):
    """conv2d, batch 32, 3->16 channels, 32x32, kernel 3, padding 1, forward+backward
    with the input requiring grad."""
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((32, 3, 32, 32)).astype(np.float32),
                   requires_grad=True)
    w = lib.tensor(rng.standard_normal((16, 3, 3, 3)).astype(np.float32) * 0.1,
                   requires_grad=True)
    b = lib.tensor(np.zeros(16, dtype=np.float32), requires_grad=True)
    F = lib.nn.functional

    def step():
        F.conv2d(x, w, b, padding=1).sum().backward()
        x.grad = w.grad = b.grad = None

    return step, 1


def w8_digits_epoch(lib):
    """One epoch of the demo's digits MLP: DataLoader (batch 64, shuffled) and Adam."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    X = lib.tensor((digits.data / 16.0).astype(np.float32))
    Y = lib.tensor(digits.target)
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(),
                          nn.Linear(64, 10))
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(X, Y), batch_size=64,
                                       shuffle=True)

    def step():
        for xb, yb in loader:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()

    return step, 1


WORKLOADS = {
    "W1 seed ops": w1_seed_ops,
    "W2 seed training loop": w2_seed_loop,
    "W3 fwd (per op)": w3_fwd,
    "W3 fwd+bwd (per op)": w3_fwd_bwd,
    "W3 no_grad (per op)": w3_no_grad,
    "W4 MLP step b64": w4_mlp_b64,
    "W4 MLP step b512": w4_mlp_b512,
    "W5 matmul fwd+bwd": w5_matmul,
    "W5 matmul fwd": w5_matmul_fwd,
    "W6 deep chain 10k": w6_deep_chain,
    "W7 conv2d fwd+bwd": w7_conv,
    "W8 digits MLP epoch": w8_digits_epoch,
}

TARGETS = {
    "W1 seed ops": 0.30, "W2 seed training loop": 0.35, "W3 fwd (per op)": 0.40,
    "W3 fwd+bwd (per op)": 0.45, "W3 no_grad (per op)": 0.40, "W4 MLP step b64": 1.15,
    "W4 MLP step b512": 1.15, "W5 matmul fwd+bwd": 1.15, "W5 matmul fwd": 1.15,
    "W6 deep chain 10k": 0.25, "W7 conv2d fwd+bwd": 2.0, "W8 digits MLP epoch": 1.0,
}
