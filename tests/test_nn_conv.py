"""Convolution layers against torch: functional forms and modules from identical weights
(outputs, input / weight / bias gradients, second derivatives), node names, reprs,
state dicts, seeded initialisation, and torch's errors for bad shapes."""

import warnings

import numpy as np
import pytest
import torch

import ember

from conftest import assert_same, raises_like


def _pair(shape, seed=0, dtype=np.float32, requires_grad=True):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return (ember.tensor(a, requires_grad=requires_grad),
            torch.tensor(a, requires_grad=requires_grad))


def _run_both(e_mod, t_mod, shape, seed=0):
    """Forward and backward (a random output weighting) on both; returns the pairs."""
    xe, xt = _pair(shape, seed)
    ye, yt = e_mod(xe), t_mod(xt)
    v = np.random.default_rng(seed + 1).standard_normal(tuple(yt.shape)).astype(np.float32)
    (ye * ember.tensor(v)).sum().backward()
    (yt * torch.tensor(v)).sum().backward()
    return (ye, yt), (xe.grad, xt.grad), [
        (pe.grad, pt.grad) for pe, pt in zip(e_mod.parameters(), t_mod.parameters())]


MODULES = [
    ("Conv1d", lambda nn: nn.Conv1d(3, 4, 3), (2, 3, 9)),
    ("Conv1d-same-reflect",
     lambda nn: nn.Conv1d(3, 4, 4, padding="same", padding_mode="reflect"), (2, 3, 9)),
    ("Conv1d-unbatched", lambda nn: nn.Conv1d(3, 4, 3, stride=2, bias=False), (3, 9)),
    ("Conv2d", lambda nn: nn.Conv2d(3, 16, 3, padding=1), (4, 3, 8, 8)),
    ("Conv2d-stride-dil-groups",
     lambda nn: nn.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(2, 1), dilation=(1, 2),
                          groups=2), (2, 4, 9, 7)),
    ("Conv2d-replicate", lambda nn: nn.Conv2d(2, 3, 3, padding=2, padding_mode="replicate"),
     (2, 2, 5, 6)),
    ("Conv2d-circular", lambda nn: nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular"),
     (2, 2, 5, 6)),
    ("Conv2d-same-even", lambda nn: nn.Conv2d(2, 3, (2, 4), padding="same"), (1, 2, 5, 6)),
    ("Conv2d-depthwise", lambda nn: nn.Conv2d(4, 8, 3, groups=4, bias=False), (2, 4, 6, 6)),
    ("Conv3d", lambda nn: nn.Conv3d(2, 3, 2, padding=1), (1, 2, 3, 4, 3)),
    ("ConvTranspose1d", lambda nn: nn.ConvTranspose1d(3, 2, 3, stride=2), (2, 3, 5)),
    ("ConvTranspose2d", lambda nn: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1,
                                                      output_padding=1, groups=2), (2, 4, 4, 5)),
    ("ConvTranspose2d-dil", lambda nn: nn.ConvTranspose2d(3, 2, 2, dilation=2, bias=False),
     (2, 3, 4, 4)),
    ("ConvTranspose3d", lambda nn: nn.ConvTranspose3d(2, 2, 2, stride=2), (1, 2, 2, 3, 2)),
]


@pytest.mark.parametrize("make,shape", [m[1:] for m in MODULES], ids=[m[0] for m in MODULES])
def test_module_matches_torch(make, shape):
    ember.manual_seed(0)
    torch.manual_seed(0)
    e_mod, t_mod = make(ember.nn), make(torch.nn)
    assert repr(e_mod) == repr(t_mod)
    # torch's default initialisation, drawn in torch's order from the same seed
    for pe, pt in zip(e_mod.parameters(), t_mod.parameters()):
        assert_same(pe, pt, exact=True)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    out, xgrad, pgrads = _run_both(e_mod, t_mod, shape)
    assert_same(*out, rtol=1e-5, atol=1e-5)
    assert type(out[0].grad_fn).__name__ == type(out[1].grad_fn).__name__
    assert_same(*xgrad, rtol=1e-5, atol=1e-5)
    for ge, gt in pgrads:
        assert_same(ge, gt, rtol=1e-5, atol=1e-4)


def test_conv_node_names():
    xe, xt = _pair((1, 2, 5, 5))
    we, wt = _pair((3, 2, 3, 3), 1)
    for e, t in ((ember.conv2d(xe, we), torch.conv2d(xt, wt)),
                 (ember.conv_transpose2d(xe, we.transpose(0, 1)),
                  torch.conv_transpose2d(xt, wt.transpose(0, 1))),
                 (ember.conv2d(xe[0], we), torch.conv2d(xt[0], wt))):
        assert type(e.grad_fn).__name__ == type(t.grad_fn).__name__


def test_double_backward_gradient_penalty():
    """d/dw of ||d out / d x||^2: a second derivative through the convolution."""
    ember.manual_seed(0)
    torch.manual_seed(0)
    results = []
    for lib in (ember, torch):
        conv = lib.nn.Conv2d(2, 3, 3, stride=2, padding=1, dilation=1, groups=1)
        x = lib.tensor(np.random.default_rng(0).standard_normal((2, 2, 5, 6)),
                       dtype=lib.float32, requires_grad=True)
        y = lib.tanh(conv(x)).pow(2).sum()
        (gx,) = lib.autograd.grad(y, x, create_graph=True)
        gx.pow(2).sum().backward()
        results.append((conv.weight.grad, conv.bias.grad, x.grad))
    for e, t in zip(*results):
        assert_same(e, t, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("groups,stride,dilation,padding",
                         [(1, 1, 1, 0), (2, 2, 1, 1), (1, 1, 2, 2), (3, 1, 2, "same")])
def test_gradgradcheck_float64(groups, stride, dilation, padding):
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((2, 3 * groups, 5, 5)), requires_grad=True)
    w = ember.tensor(rng.standard_normal((2 * groups, 3, 3, 2)), requires_grad=True)
    b = ember.tensor(rng.standard_normal(2 * groups), requires_grad=True)

    def f(x, w, b):
        return ember.conv2d(x, w, b, stride, padding, dilation, groups)

    assert ember.autograd.gradcheck(f, (x, w, b))
    assert ember.autograd.gradgradcheck(f, (x, w, b))
    # the transposed convolution, with the same settings
    xt = ember.tensor(rng.standard_normal((2, 2 * groups, 3, 4)), requires_grad=True)

    def ft(x, w):
        return ember.conv_transpose2d(x, w, None, stride, 0 if padding == "same" else padding,
                                      0, groups, dilation)

    assert ember.autograd.gradgradcheck(ft, (xt, w))


def test_float32_stays_float32():
    xe, _ = _pair((2, 3, 6, 6))
    we, _ = _pair((4, 3, 3, 3), 1)
    y = ember.conv2d(xe, we, stride=2, padding=1)
    assert y.dtype == ember.float32
    (gx, gw) = ember.autograd.grad(y.sum(), (xe, we), create_graph=True)
    assert gx.dtype == gw.dtype == ember.float32
    (ggw,) = ember.autograd.grad(gx.pow(2).sum(), we)
    assert ggw.dtype == ember.float32


def test_conv_transpose_output_size():
    ember.manual_seed(0)
    torch.manual_seed(0)
    e, t = ember.nn.ConvTranspose2d(2, 3, 3, stride=2), torch.nn.ConvTranspose2d(2, 3, 3, stride=2)
    xe, xt = _pair((1, 2, 4, 4))
    assert_same(e(xe, output_size=[10, 9]), t(xt, output_size=[10, 9]), atol=1e-6)
    assert_same(e(xe, output_size=(1, 3, 9, 10)), t(xt, output_size=(1, 3, 9, 10)), atol=1e-6)
    err = raises_like(lambda: e(xe, output_size=[12, 9]), lambda: t(xt, output_size=[12, 9]))
    assert "valid sizes range from [9, 9] to [10, 10]" in str(err)


def _msg(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e), str(e).split("\n")[0]
    return None, None


# (function name, input shape, weight shape, keyword arguments): every call is bad
BAD_CALLS = [
    ("conv2d", (32, 4, 32, 32), (16, 3, 3, 3), {}),
    ("conv2d", (4, 32, 32), (16, 3, 3, 3), {}),
    ("conv2d", (32, 32), (16, 3, 3, 3), {}),
    ("conv2d", (1, 3, 2, 2), (16, 3, 3, 3), {}),
    ("conv2d", (1, 3, 5, 5), (16, 3, 3), {}),
    ("conv2d", (1, 3, 5, 5), (16, 3, 3, 3), {"stride": 2, "padding": "same"}),
    ("conv2d", (1, 3, 5, 5), (16, 3, 3, 3), {"padding": "foo"}),
    ("conv2d", (1, 3, 5, 5), (16, 3, 3, 3), {"padding": -1}),
    ("conv2d", (1, 3, 5, 5), (16, 3, 3, 3), {"stride": 0}),
    ("conv2d", (1, 3, 5, 5), (16, 3, 3, 3), {"dilation": 0}),
    ("conv2d", (1, 3, 5, 5), (16, 3, 3, 3), {"stride": (1, 2, 3)}),
    ("conv2d", (1, 4, 5, 5), (16, 2, 3, 3), {"groups": 3}),
    ("conv2d", (1, 4, 5, 5), (15, 2, 3, 3), {"groups": 2}),
    ("conv2d", (2, 3, 5, 5), (0, 3, 3, 3), {}),
    ("conv1d", (1, 3, 5, 5), (4, 3, 3), {}),
    ("conv3d", (1, 3, 5, 5), (4, 3, 3, 3, 3), {}),
    ("conv_transpose2d", (1, 3, 5, 5), (4, 3, 3, 3), {}),
    ("conv_transpose2d", (1, 3, 5, 5), (3, 4, 3, 3), {"stride": 2, "output_padding": 2}),
    ("conv_transpose2d", (1, 3, 5, 5), (3, 4, 3, 3), {"padding": 5}),
    ("conv_transpose2d", (1, 3, 5, 5), (3, 4, 3, 3), {"padding": "same"}),
]


@pytest.mark.parametrize("name,xs,ws,kw", BAD_CALLS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(BAD_CALLS)])
def test_errors_match_torch(name, xs, ws, kw):
    xe, xt = _pair(xs, requires_grad=False)
    we, wt = _pair(ws, 1, requires_grad=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raises_like(lambda: getattr(ember.nn.functional, name)(xe, we, **kw),
                    lambda: getattr(torch.nn.functional, name)(xt, wt, **kw))
        assert _msg(lambda: getattr(ember.nn.functional, name)(xe, we, **kw))[1] == \
            _msg(lambda: getattr(torch.nn.functional, name)(xt, wt, **kw))[1]


def test_channel_error_message():
    xe, _ = _pair((32, 4, 32, 32), requires_grad=False)
    conv = ember.nn.Conv2d(3, 16, 3)
    with pytest.raises(RuntimeError, match=r"Given groups=1, weight of size \[16, 3, 3, 3\], "
                       r"expected input\[32, 4, 32, 32\] to have 3 channels, but got 4 "
                       r"channels instead"):
        conv(xe)


@pytest.mark.parametrize("kw", [{"bias": (15,)}, {"dtype": "double"}, {"bias_dtype": "double"}])
def test_bias_and_dtype_errors(kw):
    xe, xt = _pair((1, 3, 5, 5), requires_grad=False)
    we, wt = _pair((16, 3, 3, 3), 1, requires_grad=False)
    be, bt = _pair(kw.get("bias", (16,)), 2, requires_grad=False)
    if kw.get("dtype"):
        xe, xt = xe.double(), xt.double()
    if kw.get("bias_dtype"):
        be, bt = be.double(), bt.double()
    raises_like(lambda: ember.conv2d(xe, we, be), lambda: torch.conv2d(xt, wt, bt))
    assert _msg(lambda: ember.conv2d(xe, we, be))[1] == _msg(lambda: torch.conv2d(xt, wt, bt))[1]


@pytest.mark.parametrize("kw,err", [({"groups": 0}, ValueError), ({"groups": 2}, ValueError),
                                    ({"padding": "full"}, ValueError),
                                    ({"padding": "same", "stride": 2}, ValueError),
                                    ({"padding_mode": "mirror"}, ValueError)])
def test_module_constructor_errors(kw, err):
    raises_like(lambda: ember.nn.Conv2d(3, 4, 3, **kw), lambda: torch.nn.Conv2d(3, 4, 3, **kw))
    with pytest.raises(err):
        ember.nn.Conv2d(3, 4, 3, **kw)
    raises_like(lambda: ember.nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect"),
                lambda: torch.nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect"))


def test_train_small_cnn_matches_torch():
    """A few SGD steps of a CNN with BatchNorm from the same seeded initialisation: the
    loss curve, then the eval-mode outputs (running statistics) match torch's."""
    losses, evals = [], []
    for lib in (ember, torch):
        lib.manual_seed(0)
        nn = lib.nn
        model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                              nn.MaxPool2d(2), nn.Conv2d(4, 8, 3), nn.BatchNorm2d(8),
                              nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                              nn.Linear(8, 3))
        opt = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        rng = np.random.default_rng(0)
        x = lib.tensor(rng.standard_normal((8, 1, 10, 10)).astype(np.float32))
        y = lib.tensor(rng.integers(0, 3, 8))
        run = []
        for _ in range(5):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            run.append(loss.item())
        losses.append(run)
        model.eval()
        evals.append(model(x).detach().numpy())
    np.testing.assert_allclose(losses[0], losses[1], rtol=1e-4)
    np.testing.assert_allclose(evals[0], evals[1], rtol=1e-4, atol=1e-5)
