"""ember.nn.init and the layers' default initialisation.

Two kinds of checks: the distributions (bounds, means, standard deviations, exact
values of the deterministic initialisers), and exact equality with torch after the same
``manual_seed``. The exact ones (names ending in ``__needs_torch_identical_rng``) rely on
ember.random producing torch's streams for ``uniform_`` / ``normal_``; the init code
itself only has to draw in torch's order with torch's parameters.
"""

import math

import numpy as np
import pytest
import torch

import ember
from ember.nn import init

from conftest import assert_same, raises_like


@pytest.mark.parametrize("name,args", [
    ("linear", ()), ("conv2d", ()), ("sigmoid", ()), ("tanh", ()), ("relu", ()),
    ("leaky_relu", ()), ("leaky_relu", (0.2,)), ("leaky_relu", (3,)), ("selu", ()),
])
def test_calculate_gain_matches_torch(name, args):
    assert init.calculate_gain(name, *args) == torch.nn.init.calculate_gain(name, *args)


def test_calculate_gain_errors_match_torch():
    raises_like(lambda: init.calculate_gain("swish"),
                lambda: torch.nn.init.calculate_gain("swish"))
    raises_like(lambda: init.calculate_gain("leaky_relu", True),
                lambda: torch.nn.init.calculate_gain("leaky_relu", True))


@pytest.mark.parametrize("shape", [(3, 5), (4, 2, 3), (6, 3, 2, 2), (2, 0)])
def test_fan_in_and_fan_out_match_torch(shape):
    assert init._calculate_fan_in_and_fan_out(ember.empty(shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_fan_of_a_vector_raises_as_torch():
    raises_like(lambda: init._calculate_fan_in_and_fan_out(ember.empty(3)),
                lambda: torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(3)))
    raises_like(lambda: init.kaiming_uniform_(ember.empty(3, 2), mode="fan_avg"),
                lambda: torch.nn.init.kaiming_uniform_(torch.empty(3, 2), mode="fan_avg"))


# ---------------------------------------------------------------- distributions


BIG = (400, 500)


@pytest.fixture(autouse=True)
def _seeded():
    """Statistical checks draw a fixed sample (the bounds hold for any seed)."""
    ember.manual_seed(2024)


def _stats(t):
    a = t.detach().numpy().astype(np.float64)
    return a.min(), a.max(), a.mean(), a.std()


@pytest.mark.parametrize("fn,kwargs,low,high,std", [
    (init.uniform_, dict(a=-2.0, b=3.0), -2.0, 3.0, 5 / math.sqrt(12)),
    (init.xavier_uniform_, dict(gain=2.0), None, None, 2 * math.sqrt(2 / 900)),
    (init.kaiming_uniform_, dict(a=math.sqrt(5)), None, None, 1 / math.sqrt(3 * 500)),
    (init.kaiming_uniform_, dict(mode="fan_out", nonlinearity="relu"), None, None,
     math.sqrt(2 / 400)),
])
def test_uniform_initialisers_have_torch_bounds(fn, kwargs, low, high, std):
    t = fn(ember.empty(BIG), **kwargs)
    lo, hi, mean, s = _stats(t)
    bound = math.sqrt(3) * std
    low = -bound if low is None else low
    high = bound if high is None else high
    assert low <= lo and hi < high
    assert abs(lo - low) < 0.01 * (high - low) and abs(high - hi) < 0.01 * (high - low)
    assert abs(mean - (low + high) / 2) < 0.01 * (high - low)
    assert abs(s - std) < 0.02 * std


@pytest.mark.parametrize("fn,kwargs,mean,std", [
    (init.normal_, dict(mean=1.5, std=0.5), 1.5, 0.5),
    (init.xavier_normal_, dict(), 0.0, math.sqrt(2 / 900)),
    (init.kaiming_normal_, dict(), 0.0, math.sqrt(2 / (1 + 0.0)) / math.sqrt(500)),
    (init.kaiming_normal_, dict(a=0.1, mode="fan_out", nonlinearity="leaky_relu"), 0.0,
     math.sqrt(2 / 1.01) / math.sqrt(400)),
])
def test_normal_initialisers_have_torch_moments(fn, kwargs, mean, std):
    t = fn(ember.empty(BIG), **kwargs)
    _, _, m, s = _stats(t)
    assert abs(m - mean) < 0.01 * std + 1e-3 * abs(mean)
    assert abs(s - std) < 0.01 * std


@pytest.mark.parametrize("a,b", [(-2.0, 2.0), (-0.5, 0.5), (0.5, 3.0)])
def test_trunc_normal_stays_inside_and_has_the_truncated_moments(a, b):
    t = init.trunc_normal_(ember.empty(200, 200), mean=0.0, std=1.0, a=a, b=b)
    x = t.numpy().astype(np.float64)
    assert x.min() >= a and x.max() <= b
    # the mean of the truncated normal: (phi(a) - phi(b)) / (Phi(b) - Phi(a))
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))
    expected = (phi(a) - phi(b)) / (cdf(b) - cdf(a))
    assert abs(x.mean() - expected) < 5 * x.std() / math.sqrt(x.size)


def test_deterministic_initialisers_match_torch():
    for fn, shape, args in [(init.constant_, (3, 4), (0.3,)), (init.ones_, (2, 3), ()),
                            (init.zeros_, (2, 3), ()), (init.eye_, (3, 5), ()),
                            (init.eye_, (4, 2), ()), (init.dirac_, (4, 2, 3), ()),
                            (init.dirac_, (6, 3, 3, 3), (2,)), (init.dirac_, (2, 2, 1, 3, 3), ())]:
        e = fn(ember.empty(shape), *args)
        t = getattr(torch.nn.init, fn.__name__)(torch.empty(shape), *args)
        assert_same(e, t, exact=True)


def test_orthogonal_is_orthogonal():
    for shape, gain in [((5, 3), 1.0), ((3, 5), 2.0), ((4, 2, 3), 1.0)]:
        t = init.orthogonal_(ember.empty(shape), gain=gain)
        q = t.numpy().reshape(shape[0], -1).astype(np.float64) / gain
        small = min(q.shape)
        gram = q.T @ q if q.shape[0] >= q.shape[1] else q @ q.T
        np.testing.assert_allclose(gram, np.eye(small), atol=1e-5)


def test_initialisers_work_in_place_on_parameters_without_recording():
    p = ember.nn.Parameter(ember.empty(3, 4))
    for fn in (init.uniform_, init.normal_, init.xavier_uniform_, init.kaiming_normal_,
               init.trunc_normal_, init.orthogonal_, init.zeros_, init.eye_):
        out = fn(p)
        assert out is p and p.is_leaf and p.requires_grad and p.grad_fn is None


def test_initialisers_on_empty_tensors_warn_like_torch():
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_uniform_(ember.empty(0, 3))
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_normal_(ember.empty(0, 3))


def test_init_errors_match_torch():
    raises_like(lambda: init.eye_(ember.empty(3)), lambda: torch.nn.init.eye_(torch.empty(3)))
    raises_like(lambda: init.dirac_(ember.empty(3, 3)),
                lambda: torch.nn.init.dirac_(torch.empty(3, 3)))
    raises_like(lambda: init.orthogonal_(ember.empty(3)),
                lambda: torch.nn.init.orthogonal_(torch.empty(3)))


@pytest.mark.parametrize("layer,args,expect", [
    ("Linear", (50, 400), {"weight": 1 / math.sqrt(50), "bias": 1 / math.sqrt(50)}),
    ("Bilinear", (30, 20, 40), {"weight": 1 / math.sqrt(30), "bias": 1 / math.sqrt(30)}),
])
def test_layer_default_uniform_bounds(layer, args, expect):
    m = getattr(ember.nn, layer)(*args)
    for name, bound in expect.items():
        lo, hi, _, s = _stats(getattr(m, name))
        assert -bound <= lo and hi <= bound
        if getattr(m, name).numel() > 1000:
            assert abs(s - bound / math.sqrt(3)) < 0.05 * bound


def test_embedding_and_prelu_default_init():
    e = ember.nn.Embedding(300, 100, padding_idx=3)
    _, _, m, s = _stats(e.weight)
    assert abs(m) < 0.02 and abs(s - 1) < 0.02
    assert not e.weight[3].detach().numpy().any()
    assert ember.nn.PReLU(4, 0.1).weight.tolist() == pytest.approx([0.1] * 4)


# ---------------------------------------------------------------- exact, same seed


def _same_seed(fn_ember, fn_torch, seed=0):
    ember.manual_seed(seed)
    torch.manual_seed(seed)
    return fn_ember(), fn_torch()


@pytest.mark.parametrize("name,shape,kwargs", [
    ("uniform_", (3, 4), dict(a=-1.0, b=2.0)),
    ("normal_", (5, 7), dict(mean=0.5, std=2.0)),
    ("normal_", (3,), dict()),
    ("xavier_uniform_", (6, 5), dict(gain=1.5)),
    ("xavier_normal_", (6, 5), dict()),
    ("kaiming_uniform_", (8, 3, 2, 2), dict(a=math.sqrt(5))),
    ("kaiming_normal_", (20, 10), dict(mode="fan_out", nonlinearity="relu")),
    ("trunc_normal_", (40, 30), dict(std=0.02)),  # rejection path: p > 0.3
    ("trunc_normal_", (40, 30), dict(mean=0.0, std=1.0, a=2.0, b=3.0)),  # uniform path
    ("orthogonal_", (6, 4), dict()),
    ("orthogonal_", (3, 8), dict(gain=2.0)),
])
def test_init_equals_torch_after_manual_seed__needs_torch_identical_rng(name, shape, kwargs):
    e, t = _same_seed(lambda: getattr(init, name)(ember.empty(shape), **kwargs),
                      lambda: getattr(torch.nn.init, name)(torch.empty(shape), **kwargs))
    atol = 1e-6 if name == "orthogonal_" else 0  # QR by NumPy's LAPACK vs torch's
    assert_same(e, t, exact=atol == 0, atol=atol or None, rtol=1e-5)


@pytest.mark.parametrize("build", [
    lambda nn: nn.Linear(3, 2),
    lambda nn: nn.Linear(17, 33, bias=False),
    lambda nn: nn.Bilinear(3, 4, 5),
    lambda nn: nn.Embedding(10, 4, padding_idx=2),
    lambda nn: nn.EmbeddingBag(7, 3),
    lambda nn: nn.PReLU(3),
    lambda nn: nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 16), nn.Tanh(),
                             nn.Linear(16, 2)),
], ids=["linear", "linear_nobias", "bilinear", "embedding", "embedding_bag", "prelu", "mlp"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_default_init_equals_torch_after_manual_seed__needs_torch_identical_rng(build, dtype):
    def make(lib):
        lib.set_default_dtype(getattr(lib, dtype))
        try:
            return build(lib.nn)
        finally:
            lib.set_default_dtype(lib.float32)

    e, t = _same_seed(lambda: make(ember), lambda: make(torch), seed=1234)
    for (n1, p1), (n2, p2) in zip(e.state_dict().items(), t.state_dict().items()):
        assert n1 == n2
        assert_same(p1, p2, exact=True)
