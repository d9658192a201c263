"""Small training runs with ember.nn against torch.nn: the same model, data and
optimizer must follow torch's loss curve step by step."""

import numpy as np
import torch

import ember

from conftest import assert_same


def _data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64) + (x[:, 2] > 1)
    return x, y


def _mlp(nn, p_drop):
    return nn.Sequential(nn.Linear(4, 16), nn.GELU(), nn.Dropout(p_drop), nn.Linear(16, 16),
                         nn.Tanh(), nn.Linear(16, 3), nn.LogSoftmax(dim=1))


def _train(lib, model, x, y, steps=25):
    opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    onehot = lib.nn.functional.one_hot(lib.tensor(y), 3).to(lib.float32)
    xs = lib.tensor(x)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = -(model(xs) * onehot).sum(1).mean()  # negative log-likelihood
        loss.backward()
        lib.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        losses.append(loss.item())
    return losses


def test_mlp_follows_torch_loss_curve_from_the_same_weights():
    x, y = _data()
    e, t = _mlp(ember.nn, 0.0), _mlp(torch.nn, 0.0)
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    e_losses, t_losses = _train(ember, e, x, y), _train(torch, t, x, y)
    np.testing.assert_allclose(e_losses, t_losses, rtol=1e-4)
    assert e_losses[-1] < e_losses[0]
    for pe, pt in zip(e.parameters(), t.parameters()):
        assert_same(pe.detach(), pt.detach(), rtol=1e-4, atol=1e-5)


def test_seeded_mlp_with_dropout_follows_torch__needs_torch_identical_rng():
    """Initial weights from manual_seed and dropout masks in every step: everything
    random comes from the generator, in torch's order."""
    x, y = _data()
    ember.manual_seed(0)
    torch.manual_seed(0)
    e, t = _mlp(ember.nn, 0.2), _mlp(torch.nn, 0.2)
    e_losses, t_losses = _train(ember, e, x, y), _train(torch, t, x, y)
    np.testing.assert_allclose(e_losses, t_losses, rtol=1e-4)
