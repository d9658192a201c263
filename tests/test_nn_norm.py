"""Normalisation layers against torch: BatchNorm running statistics over several
training steps (momentum, momentum=None, no tracking), eval mode, state dicts, reprs;
LayerNorm / GroupNorm / RMSNorm / instance norm outputs and gradients; errors."""

import numpy as np
import pytest
import torch

import ember

from conftest import assert_same, raises_like


def _data(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32) * 2 + 0.5


BATCHNORMS = [
    ("BatchNorm1d", lambda nn: nn.BatchNorm1d(4), (8, 4)),
    ("BatchNorm1d-3d", lambda nn: nn.BatchNorm1d(3, momentum=0.3), (4, 3, 5)),
    ("BatchNorm2d", lambda nn: nn.BatchNorm2d(3), (4, 3, 5, 6)),
    ("BatchNorm2d-cumulative", lambda nn: nn.BatchNorm2d(3, momentum=None), (4, 3, 2, 3)),
    ("BatchNorm2d-noaffine", lambda nn: nn.BatchNorm2d(3, affine=False, eps=1e-3),
     (2, 3, 4, 4)),
    ("BatchNorm2d-nobias", lambda nn: nn.BatchNorm2d(3, bias=False), (2, 3, 4, 4)),
    ("BatchNorm2d-untracked", lambda nn: nn.BatchNorm2d(3, track_running_stats=False),
     (2, 3, 4, 4)),
    ("BatchNorm3d", lambda nn: nn.BatchNorm3d(2), (2, 2, 3, 2, 3)),
]


@pytest.mark.parametrize("make,shape", [b[1:] for b in BATCHNORMS],
                         ids=[b[0] for b in BATCHNORMS])
def test_batchnorm_training_then_eval(make, shape):
    e_bn, t_bn = make(ember.nn), make(torch.nn)
    assert repr(e_bn) == repr(t_bn)
    assert list(e_bn.state_dict()) == list(t_bn.state_dict())
    # a few training steps, the affine parameters moved by SGD in between
    e_opt = ember.optim.SGD(e_bn.parameters(), lr=0.1) if list(e_bn.parameters()) else None
    t_opt = torch.optim.SGD(t_bn.parameters(), lr=0.1) if list(t_bn.parameters()) else None
    for step in range(4):
        x = _data(shape, step)
        xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ye, yt = e_bn(xe), t_bn(xt)
        assert_same(ye, yt, rtol=1e-5, atol=1e-5)
        assert type(ye.grad_fn).__name__ == type(yt.grad_fn).__name__
        v = _data(tuple(yt.shape), 10 + step)
        (ye * ember.tensor(v)).sum().backward()
        (yt * torch.tensor(v)).sum().backward()
        assert_same(xe.grad, xt.grad, rtol=1e-4, atol=1e-5)
        for pe, pt in zip(e_bn.parameters(), t_bn.parameters()):
            assert_same(pe.grad, pt.grad, rtol=1e-4, atol=1e-4)
        if e_opt is not None:
            e_opt.step(), t_opt.step()
            e_opt.zero_grad(), t_opt.zero_grad()
    for (ke, be), (kt, bt) in zip(e_bn.state_dict().items(), t_bn.state_dict().items()):
        assert ke == kt
        assert_same(be, bt, rtol=1e-5, atol=1e-6)
    # eval: the running statistics (or the batch's, when none are tracked)
    e_bn.eval(), t_bn.eval()
    x = _data(shape, 99)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = e_bn(xe), t_bn(xt)
    assert_same(ye, yt, rtol=1e-5, atol=1e-5)
    ye.pow(2).sum().backward()
    yt.pow(2).sum().backward()
    assert_same(xe.grad, xt.grad, rtol=1e-4, atol=1e-5)
    for (_, be), (_, bt) in zip(e_bn.state_dict().items(), t_bn.state_dict().items()):
        assert_same(be, bt, rtol=1e-5, atol=1e-6)  # eval leaves the statistics alone


def test_batchnorm_float64_running_stats_exact():
    """Running statistics follow torch's update formula (unbiased variance) closely."""
    e_bn, t_bn = ember.nn.BatchNorm1d(3).double(), torch.nn.BatchNorm1d(3).double()
    for step in range(5):
        x = np.random.default_rng(step).standard_normal((6, 3)) * (step + 1)
        e_bn(ember.tensor(x)), t_bn(torch.tensor(x))
    assert_same(e_bn.running_mean, t_bn.running_mean)
    assert_same(e_bn.running_var, t_bn.running_var)
    assert_same(e_bn.num_batches_tracked, t_bn.num_batches_tracked)


def test_batchnorm_load_state_dict_from_torch_values():
    t_bn = torch.nn.BatchNorm2d(3)
    for step in range(2):
        t_bn(torch.tensor(_data((2, 3, 4, 4), step)))
    e_bn = ember.nn.BatchNorm2d(3)
    e_bn.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t_bn.state_dict().items()})
    e_bn.eval(), t_bn.eval()
    x = _data((2, 3, 4, 4), 5)
    assert_same(e_bn(ember.tensor(x)), t_bn(torch.tensor(x)), rtol=1e-5, atol=1e-6)


def test_batchnorm_old_state_dict_without_num_batches_tracked():
    """A state dict without version metadata and num_batches_tracked loads, as in torch;
    with version 2 metadata the key is missing."""
    results = []
    for lib in (ember, torch):
        bn = lib.nn.BatchNorm1d(2)
        sd = {"weight": lib.ones(2) * 2, "bias": lib.zeros(2), "running_mean": lib.ones(2),
              "running_var": lib.ones(2) * 3}
        bn.load_state_dict(sd)
        versioned = bn.state_dict()
        del versioned["num_batches_tracked"]
        with pytest.raises(RuntimeError) as info:
            bn.load_state_dict(versioned)
        results.append((bn.weight, bn.running_var, bn.num_batches_tracked, str(info.value)))
    for e, t in zip(results[0][:3], results[1][:3]):
        assert_same(e, t)
    assert results[0][3] == results[1][3]


def test_functional_batch_norm_updates_in_place_and_bumps_version():
    rm, rv = ember.zeros(3), ember.ones(3)
    v0 = rm._version
    x = ember.tensor(_data((4, 3), 0))
    with ember.no_grad():
        ember.nn.functional.batch_norm(x, rm, rv, training=True)
    trm, trv = torch.zeros(3), torch.ones(3)
    torch.nn.functional.batch_norm(torch.tensor(x.numpy()), trm, trv, training=True)
    assert_same(rm, trm)
    assert_same(rv, trv)
    assert rm._version > v0


@pytest.mark.parametrize("call", [
    lambda F, lib: F.batch_norm(lib.ones(1, 3), lib.zeros(3), lib.ones(3), training=True),
    lambda F, lib: F.batch_norm(lib.ones(2, 3), lib.zeros(4), lib.ones(4), training=True),
    lambda F, lib: F.batch_norm(lib.ones(2, 3), lib.zeros(3), lib.ones(3), lib.ones(4)),
    lambda F, lib: F.batch_norm(lib.ones(2, 3), lib.zeros(3), lib.ones(3), None, lib.ones(4)),
    lambda F, lib: F.batch_norm(lib.ones(2, 3, 4), None, None, training=False),
    lambda F, lib: F.layer_norm(lib.ones(2, 3), (2, 3, 4)),
    lambda F, lib: F.layer_norm(lib.ones(2, 3), (3,), lib.ones(4)),
    lambda F, lib: F.layer_norm(lib.ones(2, 3), (3,), None, lib.ones(4)),
    lambda F, lib: F.group_norm(lib.ones(2, 4, 4), 3),
    lambda F, lib: F.group_norm(lib.ones(2, 4, 4), 2, lib.ones(3)),
    lambda F, lib: F.group_norm(lib.ones(2, 4, 4), 2, lib.ones(4), lib.ones(3)),
    lambda F, lib: F.group_norm(lib.ones(2), 2),
    lambda F, lib: F.group_norm(lib.ones(1, 2), 2),
    lambda F, lib: F.rms_norm(lib.ones(2, 3), (4,)),
    lambda F, lib: F.instance_norm(lib.ones(2, 3)),
    lambda F, lib: F.instance_norm(lib.ones(2, 3, 1)),
], ids=lambda c: "")
def test_errors_match_torch(call):
    err = raises_like(lambda: call(ember.nn.functional, ember),
                      lambda: call(torch.nn.functional, torch))
    with pytest.raises(Exception) as t_info:
        call(torch.nn.functional, torch)
    assert str(err) == str(t_info.value).split("\n")[0]


@pytest.mark.parametrize("cls,shape", [("BatchNorm1d", (2, 3, 4, 5)), ("BatchNorm2d", (2, 3, 4)),
                                       ("BatchNorm3d", (2, 3, 4, 4))])
def test_batchnorm_input_dim_errors(cls, shape):
    err = raises_like(lambda: getattr(ember.nn, cls)(3)(ember.ones(*shape)),
                      lambda: getattr(torch.nn, cls)(3)(torch.ones(*shape)))
    assert "expected" in str(err) and f"(got {len(shape)}D input)" in str(err)


LAYERS = [
    ("LayerNorm", lambda nn: nn.LayerNorm(5), (3, 4, 5)),
    ("LayerNorm-2d", lambda nn: nn.LayerNorm((4, 5), eps=1e-3, bias=False), (3, 4, 5)),
    ("LayerNorm-noaffine", lambda nn: nn.LayerNorm([5], elementwise_affine=False), (2, 5)),
    ("GroupNorm", lambda nn: nn.GroupNorm(2, 6), (3, 6, 4)),
    ("GroupNorm-2d", lambda nn: nn.GroupNorm(3, 6, affine=False), (2, 6, 3, 3)),
    ("GroupNorm-nobias", lambda nn: nn.GroupNorm(1, 4, bias=False), (2, 4, 3, 2)),
    ("RMSNorm", lambda nn: nn.RMSNorm(5), (3, 4, 5)),
    ("RMSNorm-eps", lambda nn: nn.RMSNorm([4, 5], eps=1e-3, elementwise_affine=False),
     (3, 4, 5)),
]


@pytest.mark.parametrize("make,shape", [c[1:] for c in LAYERS], ids=[c[0] for c in LAYERS])
def test_norm_layer_matches_torch(make, shape):
    e_mod, t_mod = make(ember.nn), make(torch.nn)
    assert repr(e_mod) == repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    # move the affine parameters off ones / zeros, identically
    rng = np.random.default_rng(7)
    for pe, pt in zip(e_mod.parameters(), t_mod.parameters()):
        a = rng.standard_normal(tuple(pt.shape)).astype(np.float32)
        with ember.no_grad(), torch.no_grad():
            pe.copy_(ember.tensor(a))
            pt.copy_(torch.tensor(a))
    x = _data(shape, 0)
    xe, xt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ye, yt = e_mod(xe), t_mod(xt)
    assert_same(ye, yt, rtol=1e-5, atol=1e-5)
    assert type(ye.grad_fn).__name__ == type(yt.grad_fn).__name__
    v = _data(tuple(yt.shape), 1)
    (ye * ember.tensor(v)).sum().backward()
    (yt * torch.tensor(v)).sum().backward()
    assert_same(xe.grad, xt.grad, rtol=1e-4, atol=1e-5)
    for pe, pt in zip(e_mod.parameters(), t_mod.parameters()):
        assert_same(pe.grad, pt.grad, rtol=1e-4, atol=1e-4)


def test_instance_norm_running_stats():
    for lib in (ember, torch):
        rm, rv = lib.zeros(3), lib.ones(3)
        x = lib.tensor(_data((2, 3, 5), 0))
        out = lib.nn.functional.instance_norm(x, rm, rv, momentum=0.2)
        if lib is ember:
            e = (out, rm, rv)
        else:
            t = (out, rm, rv)
    for a, b in zip(e, t):
        assert_same(a, b, rtol=1e-5, atol=1e-6)


def test_norm_double_backward_matches_torch():
    """A gradient penalty through batch, layer and group norm in float64."""
    grads = []
    for lib in (ember, torch):
        x = lib.tensor(np.random.default_rng(0).standard_normal((4, 6, 3)), requires_grad=True)
        w = lib.tensor(np.random.default_rng(1).standard_normal(6), requires_grad=True)
        F = lib.nn.functional
        y = F.batch_norm(x, None, None, w, None, training=True)
        y = F.group_norm(lib.tanh(y), 3, w)
        y = F.layer_norm(y, (3,)).pow(3).sum()
        gx, gw = lib.autograd.grad(y, (x, w), create_graph=True)
        grads.append(lib.autograd.grad(gx.pow(2).sum() + gw.pow(2).sum(), (x, w)))
    for e, t in zip(*grads):
        assert_same(e, t, rtol=1e-8, atol=1e-9)


def test_gradgradcheck_batch_norm_eval_and_train():
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((3, 2, 4)), requires_grad=True)
    w = ember.tensor(rng.standard_normal(2), requires_grad=True)
    b = ember.tensor(rng.standard_normal(2), requires_grad=True)
    rm, rv = ember.tensor([0.1, -0.2], dtype=ember.float64), ember.tensor([0.5, 2.0],
                                                                         dtype=ember.float64)
    for training in (True, False):
        def f(x, w, b, training=training):
            return ember.nn.functional.batch_norm(x, None if training else rm,
                                                  None if training else rv, w, b, training)
        assert ember.autograd.gradcheck(f, (x, w, b))
        assert ember.autograd.gradgradcheck(f, (x, w, b))


def test_float32_stays_float32():
    bn = ember.nn.BatchNorm2d(3)
    x = ember.tensor(_data((2, 3, 4, 4), 0), requires_grad=True)
    y = ember.nn.LayerNorm(4)(ember.nn.GroupNorm(1, 3)(bn(x)))
    assert y.dtype == ember.float32
    y.sum().backward()
    assert x.grad.dtype == bn.weight.grad.dtype == bn.running_var.dtype == ember.float32
