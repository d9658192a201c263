"""Pooling, padding, resampling, unfold/fold and pixel shuffle against torch: modules
(outputs, gradients, reprs), indices of max pooling, interpolation over many sizes and
scales, node names, and torch's errors."""

import numpy as np
import pytest
import torch

import ember

from conftest import assert_same, raises_like


def _pair(shape, seed=0, dtype=np.float32):
    a = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    return ember.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def _compare(fe, ft, shape, seed=0, dtype=np.float32, tol=1e-5):
    """Outputs (all of them), node names, and the input gradient of fe vs ft."""
    xe, xt = _pair(shape, seed, dtype)
    ye, yt = fe(xe), ft(xt)
    assert_same(ye, yt, rtol=tol, atol=tol)
    ye, yt = (ye[0], yt[0]) if isinstance(yt, tuple) else (ye, yt)
    assert type(ye.grad_fn).__name__ == type(yt.grad_fn).__name__
    v = np.random.default_rng(seed + 1).standard_normal(tuple(yt.shape)).astype(dtype)
    (ye * ember.tensor(v)).sum().backward()
    (yt * torch.tensor(v)).sum().backward()
    assert_same(xe.grad, xt.grad, rtol=tol, atol=tol)


MODULES = [
    ("MaxPool1d", lambda nn: nn.MaxPool1d(3, 2, 1), (2, 3, 9)),
    ("MaxPool1d-indices", lambda nn: nn.MaxPool1d(2, return_indices=True, ceil_mode=True),
     (2, 3, 9)),
    ("MaxPool2d", lambda nn: nn.MaxPool2d(2), (2, 3, 8, 8)),
    ("MaxPool2d-all", lambda nn: nn.MaxPool2d((3, 2), (2, 1), (1, 1), (1, 2), True, True),
     (2, 3, 9, 8)),
    ("MaxPool3d", lambda nn: nn.MaxPool3d(2, padding=1, return_indices=True), (1, 2, 4, 5, 3)),
    ("AvgPool1d", lambda nn: nn.AvgPool1d(3, 2, 1, count_include_pad=False), (2, 3, 9)),
    ("AvgPool2d", lambda nn: nn.AvgPool2d(2), (2, 3, 8, 8)),
    ("AvgPool2d-all", lambda nn: nn.AvgPool2d(3, 2, 1, True, False), (2, 3, 8, 7)),
    ("AvgPool2d-divisor", lambda nn: nn.AvgPool2d(2, 1, divisor_override=3), (2, 3, 5, 4)),
    ("AvgPool3d", lambda nn: nn.AvgPool3d((2, 1, 2), ceil_mode=True), (1, 2, 3, 3, 5)),
    ("AdaptiveAvgPool1d", lambda nn: nn.AdaptiveAvgPool1d(4), (2, 3, 9)),
    ("AdaptiveAvgPool2d", lambda nn: nn.AdaptiveAvgPool2d((3, 5)), (2, 3, 7, 8)),
    ("AdaptiveAvgPool2d-global", lambda nn: nn.AdaptiveAvgPool2d(1), (2, 3, 7, 8)),
    ("AdaptiveAvgPool3d", lambda nn: nn.AdaptiveAvgPool3d((2, None, 3)), (1, 2, 5, 3, 4)),
    ("AdaptiveMaxPool1d", lambda nn: nn.AdaptiveMaxPool1d(4, return_indices=True), (2, 3, 9)),
    ("AdaptiveMaxPool2d", lambda nn: nn.AdaptiveMaxPool2d((3, 5)), (2, 3, 7, 8)),
    ("AdaptiveMaxPool3d", lambda nn: nn.AdaptiveMaxPool3d(2, True), (1, 2, 5, 3, 4)),
    ("Upsample", lambda nn: nn.Upsample(scale_factor=2), (2, 3, 4, 5)),
    ("Upsample-bilinear", lambda nn: nn.Upsample(size=(7, 9), mode="bilinear"), (2, 3, 4, 5)),
    ("Upsample-tuple", lambda nn: nn.Upsample(scale_factor=(2, 1.5), mode="bilinear",
                                              align_corners=True), (2, 3, 4, 5)),
    ("UpsamplingNearest2d", lambda nn: nn.UpsamplingNearest2d(scale_factor=3), (1, 2, 3, 2)),
    ("UpsamplingBilinear2d", lambda nn: nn.UpsamplingBilinear2d((5, 4)), (1, 2, 3, 2)),
    ("PixelShuffle", lambda nn: nn.PixelShuffle(3), (2, 18, 2, 3)),
    ("PixelUnshuffle", lambda nn: nn.PixelUnshuffle(2), (2, 3, 4, 6)),
]


@pytest.mark.parametrize("make,shape", [m[1:] for m in MODULES], ids=[m[0] for m in MODULES])
def test_module_matches_torch(make, shape):
    e_mod, t_mod = make(ember.nn), make(torch.nn)
    assert repr(e_mod) == repr(t_mod)
    _compare(e_mod, t_mod, shape)
    if "Upsampl" not in repr(e_mod):  # interpolate takes batched inputs only
        _compare(e_mod, t_mod, shape[1:], seed=3)


@pytest.mark.parametrize("n_in,n_out", [(4, 8), (5, 3), (7, 13), (3, 3), (6, 1), (1, 4),
                                        (10, 4), (9, 20)])
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "bilinear", "bilinear-ac",
                                  "bicubic", "bicubic-ac", "area"])
def test_interpolate_sizes(n_in, n_out, mode):
    kw = {"mode": mode.split("-")[0]}
    if mode.endswith("-ac"):
        kw["align_corners"] = True
    shape = (2, 3, n_in, n_in + 1)

    def f(F):
        return lambda x: F.interpolate(x, size=(n_out, n_out + 2), **kw)

    _compare(f(ember.nn.functional), f(torch.nn.functional), shape)


@pytest.mark.parametrize("scale", [2, 0.5, 1.7, 2.3, (1.5, 0.75), 3])
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "bilinear", "bilinear-ac",
                                  "bicubic", "bicubic-ac"])
def test_interpolate_scale_factors(scale, mode):
    kw = {"mode": mode.split("-")[0]}
    if mode.endswith("-ac"):
        kw["align_corners"] = True
    for recompute in (None, True):
        def f(F, recompute=recompute):
            return lambda x: F.interpolate(x, scale_factor=scale, recompute_scale_factor=recompute,
                                           **kw)

        _compare(f(ember.nn.functional), f(torch.nn.functional), (2, 2, 7, 6))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_interpolate_linear_trilinear(dtype):
    for kw in ({"mode": "linear", "scale_factor": 2.5}, {"mode": "linear", "size": 4,
                                                          "align_corners": True},
               {"mode": "nearest", "size": 11}):
        _compare(lambda x, kw=kw: ember.nn.functional.interpolate(x, **kw),
                 lambda x, kw=kw: torch.nn.functional.interpolate(x, **kw), (2, 3, 6), dtype=dtype)
    for kw in ({"mode": "trilinear", "scale_factor": 1.5}, {"mode": "nearest", "size": (3, 5, 2)},
               {"mode": "area", "size": (2, 3, 2)}):
        _compare(lambda x, kw=kw: ember.nn.functional.interpolate(x, **kw),
                 lambda x, kw=kw: torch.nn.functional.interpolate(x, **kw), (1, 2, 3, 4, 5),
                 dtype=dtype)


def test_max_pool_indices_ties_and_infinities():
    """Ties go to the first position, windows of -inf to their first position inside the
    input, NaN wins, as torch's kernel scans."""
    a = np.array([[[[1, 1, 2, 2], [1, 1, 2, 2], [-np.inf, -np.inf, 5, 5], [-np.inf, -np.inf, 5,
                                                                           np.nan]]]])
    e, t = ember.tensor(a), torch.tensor(a)
    for kw in ({"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1},
               {"kernel_size": 2, "stride": 1, "dilation": 2}, {"kernel_size": 3, "stride": 2,
                                                                "padding": 1, "ceil_mode": True}):
        ye, ie = ember.nn.functional.max_pool2d(e, return_indices=True, **kw)
        yt, it = torch.nn.functional.max_pool2d(t, return_indices=True, **kw)
        assert_same(ye, yt)
        assert_same(ie, it)
    ye, ie = ember.nn.functional.adaptive_max_pool2d(e, 3, True)
    yt, it = torch.nn.functional.adaptive_max_pool2d(t, 3, True)
    assert_same(ye, yt)
    assert_same(ie, it)


def test_integer_max_pool_and_pad():
    a = np.random.default_rng(0).integers(-5, 5, (2, 3, 6, 5))
    e, t = ember.tensor(a), torch.tensor(a)
    assert_same(ember.nn.functional.max_pool2d(e, 2, return_indices=True),
                torch.nn.functional.max_pool2d(t, 2, return_indices=True))
    for mode in ("constant", "reflect", "replicate", "circular"):
        assert_same(ember.nn.functional.pad(e, (1, 2, 2, 1), mode=mode),
                    torch.nn.functional.pad(t, (1, 2, 2, 1), mode=mode))
    assert_same(ember.nn.functional.pad(e, (1, 1), value=2.7),
                torch.nn.functional.pad(t, (1, 1), value=2.7))


def test_unfold_fold_round_trip():
    def f(F):
        return lambda x: F.fold(F.unfold(x, (2, 3), padding=1, stride=(1, 2)), (5, 6), (2, 3),
                                padding=1, stride=(1, 2))

    _compare(f(ember.nn.functional), f(torch.nn.functional), (2, 3, 5, 6))


def test_double_backward_through_pools():
    """Second derivatives through max / avg / adaptive pooling, upsampling and padding."""
    grads = []
    for lib in (ember, torch):
        F = lib.nn.functional
        x = lib.tensor(np.random.default_rng(0).standard_normal((2, 2, 6, 7)), requires_grad=True)
        y = F.max_pool2d(lib.tanh(x), 3, 2, 1) * 2
        y = F.avg_pool2d(F.pad(y, (1, 1, 0, 1), mode="reflect"), 2, 1)
        y = F.interpolate(y, scale_factor=1.5, mode="bilinear")
        y = F.adaptive_avg_pool2d(F.adaptive_max_pool2d(y.pow(2), 4), 3)
        (gx,) = lib.autograd.grad(y.pow(2).sum(), x, create_graph=True)
        grads.append(lib.autograd.grad(gx.pow(2).sum(), x))
    assert_same(grads[0][0], grads[1][0], rtol=1e-8, atol=1e-10)


# Bad calls: ember must raise torch's exception type with torch's message.
BAD = [
    lambda F, x: F.max_pool2d(x, 3, padding=2),
    lambda F, x: F.max_pool2d(x[:, :, :2, :2], 3),
    lambda F, x: F.max_pool2d(x[0, 0], 3),
    lambda F, x: F.max_pool2d(x, 3, stride=0),
    lambda F, x: F.max_pool2d(x, -1),
    lambda F, x: F.max_pool2d(x, 2, stride=-1),
    lambda F, x: F.max_pool2d(x, 2, dilation=0),
    lambda F, x: F.max_pool2d(x[:, :0], 2),
    lambda F, x: F.avg_pool2d(x, 3, padding=2),
    lambda F, x: F.avg_pool2d(x[:, :, :2, :2], 3),
    lambda F, x: F.avg_pool2d(x[0, 0], 3),
    lambda F, x: F.avg_pool2d(x, 2, divisor_override=0),
    lambda F, x: F.avg_pool1d(x[0, 0, 0], 2),
    lambda F, x: F.adaptive_avg_pool2d(x[0, 0], 3),
    lambda F, x: F.adaptive_avg_pool2d(x[0, 0], (3, 3, 3)),
    lambda F, x: F.adaptive_avg_pool2d(x[0, :, :0], 3),
    lambda F, x: F.adaptive_max_pool2d(x[0, 0], 3),
    lambda F, x: F.adaptive_avg_pool1d(x[0], (2, 2)),
    lambda F, x: F.adaptive_max_pool1d(x[0], (2, 2)),
    lambda F, x: F.pad(x, (1, 2, 3)),
    lambda F, x: F.pad(x, (5, 5), mode="reflect"),
    lambda F, x: F.pad(x, (5, 5, 1, 1), mode="reflect"),
    lambda F, x: F.pad(x, (6, 5, 1, 1), mode="circular"),
    lambda F, x: F.pad(x, (1, 1, 1, 1), mode="circular", value=1),
    lambda F, x: F.pad(x, (1,) * 10),
    lambda F, x: F.pad(x, (-3, -3)),
    lambda F, x: F.pad(x, (1, 1), mode="foo"),
    lambda F, x: F.pad(x[0, 0], (1, 1, 1, 1), mode="replicate"),
    lambda F, x: F.interpolate(x, size=3, scale_factor=2),
    lambda F, x: F.interpolate(x),
    lambda F, x: F.interpolate(x, size=(2, 3, 4)),
    lambda F, x: F.interpolate(x, scale_factor=(2, 3, 4)),
    lambda F, x: F.interpolate(x, scale_factor=2, mode="foo"),
    lambda F, x: F.interpolate(x, scale_factor=2, mode="linear"),
    lambda F, x: F.interpolate(x[0], scale_factor=2, mode="bilinear"),
    lambda F, x: F.interpolate(x, scale_factor=0.1),
    lambda F, x: F.interpolate(x, scale_factor=2, align_corners=True),
    lambda F, x: F.pixel_shuffle(x, 2),
    lambda F, x: F.pixel_shuffle(x[0, 0], 2),
    lambda F, x: F.pixel_shuffle(x, 0),
    lambda F, x: F.pixel_unshuffle(x, 2),
    lambda F, x: F.pixel_unshuffle(x, 0),
    lambda F, x: F.unfold(x[0, 0], 2),
    lambda F, x: F.unfold(x[None], 2),
    lambda F, x: F.unfold(x[:, :0], 2),
    lambda F, x: F.unfold(x, 0),
    lambda F, x: F.unfold(x, 2, stride=0),
    lambda F, x: F.unfold(x, 2, dilation=0),
    lambda F, x: F.unfold(x, 2, padding=-1),
    lambda F, x: F.unfold(x, 6),
    lambda F, x: F.fold(x[0], (3, 3), 2),
    lambda F, x: F.fold(x[0, :, :, 0], (3, 3), 2),
    lambda F, x: F.fold(x[0, :, :4, 0].reshape(1, 12, 1), (3, 3), 2),
    lambda F, x: F.adaptive_max_pool2d(x[:, :0], 2),
]


@pytest.mark.parametrize("call", BAD, ids=[str(i) for i in range(len(BAD))])
def test_errors_match_torch(call):
    xe, xt = _pair((2, 3, 5, 5))
    err = raises_like(lambda: call(ember.nn.functional, xe), lambda: call(torch.nn.functional, xt))
    with pytest.raises(Exception) as t_info:
        call(torch.nn.functional, xt)
    assert str(err) == str(t_info.value).split("\n")[0]
