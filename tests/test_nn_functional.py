"""ember.nn.functional beyond the OpInfo rows (tests/opinfo_nn.py): grad_fn names,
numerical stability, torch's chosen gradients for embeddings, one_hot, errors."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as F
from ember.nn import functional as F_again

from conftest import assert_same, pair, raises_like


def test_import_forms():
    assert F is F_again is ember.nn.functional
    assert ember.nn.init is not None and ember.nn.utils.rnn.pad_sequence is not None


CALLS = {
    "relu": lambda f, x: f.relu(x),
    "relu6": lambda f, x: f.relu6(x),
    "leaky_relu": lambda f, x: f.leaky_relu(x, 0.1),
    "elu": lambda f, x: f.elu(x),
    "selu": lambda f, x: f.selu(x),
    "celu": lambda f, x: f.celu(x),
    "gelu": lambda f, x: f.gelu(x),
    "gelu_tanh": lambda f, x: f.gelu(x, approximate="tanh"),
    "silu": lambda f, x: f.silu(x),
    "mish": lambda f, x: f.mish(x),
    "sigmoid": lambda f, x: f.sigmoid(x),
    "tanh": lambda f, x: f.tanh(x),
    "hardtanh": lambda f, x: f.hardtanh(x),
    "hardsigmoid": lambda f, x: f.hardsigmoid(x),
    "hardswish": lambda f, x: f.hardswish(x),
    "softplus": lambda f, x: f.softplus(x),
    "softsign": lambda f, x: f.softsign(x),
    "softmax": lambda f, x: f.softmax(x, -1),
    "log_softmax": lambda f, x: f.log_softmax(x, -1),
    "softmin": lambda f, x: f.softmin(x, -1),
    "threshold": lambda f, x: f.threshold(x, 0.1, 2.0),
    "linear_2d": lambda f, x: f.linear(x, x[:1] * 1.0, x[0, :1] * 1.0),
    "normalize": lambda f, x: f.normalize(x),
    "cosine_similarity": lambda f, x: f.cosine_similarity(x, x * 2),
}


@pytest.mark.parametrize("name", CALLS)
def test_grad_fn_name_matches_torch(name):
    e, t = pair(np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32), True)
    e_out, t_out = CALLS[name](F, e), CALLS[name](TF, t)
    assert type(e_out.grad_fn).__name__ == type(t_out.grad_fn).__name__


def test_linear_grad_fn_folds_leading_dims_as_torch():
    e_w, t_w = pair(np.ones((4, 3), np.float32), True)
    e_b, t_b = pair(np.ones(4, np.float32), True)
    for shape in [(2, 3), (5, 2, 3), (3,)]:
        e_x, t_x = pair(np.ones(shape, np.float32))
        e_out, t_out = F.linear(e_x, e_w, e_b), TF.linear(t_x, t_w, t_b)
        assert_same(e_out, t_out)
        assert type(e_out.grad_fn).__name__ == type(t_out.grad_fn).__name__


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_is_stable_for_large_inputs(fn, dtype):
    a = np.array([[1e4, -1e4, 0.0, 9999.0], [-1e4, -1e4 + 1, -1e4 + 2, -1e4]], dtype=dtype)
    e, t = pair(a, True)
    e_out, t_out = getattr(F, fn)(e, dim=1), getattr(TF, fn)(t, dim=1)
    assert np.isfinite(e_out.detach().numpy()).all()
    assert_same(e_out, t_out)
    g = np.arange(8, dtype=dtype).reshape(2, 4)
    e_out.backward(ember.tensor(g))
    t_out.backward(torch.tensor(g))
    assert np.isfinite(e.grad.numpy()).all()
    assert_same(e.grad, t.grad)


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
def test_softmax_inf_and_nan_inputs_match_torch(fn):
    a = np.array([[-np.inf, 0.0, 1.0], [-np.inf, -np.inf, -np.inf], [np.nan, 0.0, 1.0],
                  [np.inf, 0.0, 1.0]])
    e, t = pair(a)
    assert_same(getattr(F, fn)(e, 1), getattr(TF, fn)(t, 1))


def test_softmax_dtype_argument_and_integer_input():
    e, t = pair(np.array([[1, 2, 3]]))
    for fn in ("softmax", "log_softmax", "softmin"):
        assert_same(getattr(F, fn)(e, 1, dtype=ember.float64),
                    getattr(TF, fn)(t, 1, dtype=torch.float64))
    raises_like(lambda: F.softmax(e, 1), lambda: TF.softmax(t, 1))
    raises_like(lambda: ember.softmax(e.float(), 2), lambda: torch.softmax(t.float(), 2))
    e, t = pair(np.ones((2, 3), np.float32))
    assert_same(e.softmax(1, dtype=ember.float64), t.softmax(1, dtype=torch.float64))


def test_activations_at_their_kinks_take_torch_branch():
    a = np.array([-3.0, -1.0, 0.0, 1.0, 3.0, 6.0, 0.1])
    for name, call in CALLS.items():
        if name.startswith(("linear", "normalize", "cosine")):
            continue
        e, t = pair(a, True)
        e_out, t_out = call(F, e), call(TF, t)
        assert_same(e_out, t_out)
        e_out.sum().backward()
        t_out.sum().backward()
        assert_same(e.grad, t.grad)


@pytest.mark.parametrize("name", ["elu", "selu", "celu", "softplus", "silu", "mish", "gelu"])
def test_activations_saturate_without_nan(name):
    a = np.array([-1000.0, -80.0, 80.0, 1000.0], np.float32)
    e, t = pair(a, True)
    e_out, t_out = CALLS[name](F, e), CALLS[name](TF, t)
    assert_same(e_out, t_out)
    (g,) = ember.autograd.grad(e_out.sum(), e, create_graph=True)
    (tg,) = torch.autograd.grad(t_out.sum(), t, create_graph=True)
    assert_same(g, tg)


def test_gelu_approximate_error_and_celu_zero_alpha():
    x = ember.ones(2)
    raises_like(lambda: F.gelu(x, approximate="fast"),
                lambda: TF.gelu(torch.ones(2), approximate="fast"))
    raises_like(lambda: F.celu(x, 0.0), lambda: TF.celu(torch.ones(2), 0.0))


@pytest.mark.parametrize("name", ["relu", "relu6", "leaky_relu", "elu", "selu", "celu",
                                  "silu", "mish", "hardtanh", "hardsigmoid", "hardswish",
                                  "threshold"])
def test_functional_inplace_matches_torch(name):
    a = np.random.default_rng(2).standard_normal((3, 4)) * 3
    outs = []
    for f, lib in ((F, ember), (TF, torch)):
        leaf = lib.tensor(a, requires_grad=True)
        x = leaf + 0.0
        args = {"threshold": (0.1, 2.0), "leaky_relu": (0.1,)}.get(name, ())
        y = getattr(f, name)(x, *args, inplace=True)
        assert y is x
        (y * lib.arange(12.0, dtype=lib.float64).reshape(3, 4)).sum().backward()
        outs.append((y.detach(), leaf.grad))
    assert_same(outs[0][0], outs[1][0])
    assert_same(outs[0][1], outs[1][1])


# ---------------------------------------------------------------- embeddings


@pytest.mark.parametrize("kwargs", [dict(padding_idx=3), dict(padding_idx=-2),
                                    dict(scale_grad_by_freq=True),
                                    dict(padding_idx=0, scale_grad_by_freq=True)])
def test_embedding_gradient_is_torchs(kwargs):
    """torch's chosen gradient (no gradient to the padding row, 1/count scaling) is not
    the derivative of the lookup, so it is checked here rather than by gradcheck."""
    rng = np.random.default_rng(0)
    w = rng.standard_normal((5, 3))
    idx = np.array([[3, 0, 3], [1, 3, 0]])
    e_w, t_w = pair(w, True)
    e_out = F.embedding(ember.tensor(idx), e_w, **kwargs)
    t_out = TF.embedding(torch.tensor(idx), t_w, **kwargs)
    assert_same(e_out, t_out)
    v = rng.standard_normal(e_out.shape)
    (ge,) = ember.autograd.grad(e_out, e_w, ember.tensor(v), create_graph=True)
    (gt,) = torch.autograd.grad(t_out, t_w, torch.tensor(v), create_graph=True)
    assert_same(ge, gt)
    # second order: the gradient is linear in the output gradient
    u = rng.standard_normal(w.shape)
    e_v, t_v = ember.tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
    (ge,) = ember.autograd.grad(F.embedding(ember.tensor(idx), e_w, **kwargs), e_w, e_v,
                                create_graph=True)
    (gt,) = torch.autograd.grad(TF.embedding(torch.tensor(idx), t_w, **kwargs), t_w, t_v,
                                create_graph=True)
    (ge * ember.tensor(u)).sum().backward()
    (gt * torch.tensor(u)).sum().backward()
    assert_same(e_v.grad, t_v.grad)


def test_embedding_bag_mean_of_empty_bag_is_zero():
    e, t = pair(np.arange(12.0).reshape(4, 3))
    idx, off = [1, 2, 3], [0, 0, 3]
    assert_same(F.embedding_bag(ember.tensor(idx), e, ember.tensor(off)),
                TF.embedding_bag(torch.tensor(idx), t, torch.tensor(off)))


# ---------------------------------------------------------------- one_hot, distances


@pytest.mark.parametrize("values,n", [([0, 2, 1], -1), ([[1, 0], [3, 3]], 5), ([], 3), (2, 4)])
def test_one_hot_matches_torch(values, n):
    e, t = pair(np.array(values, dtype=np.int64))
    assert_same(F.one_hot(e, n), TF.one_hot(t, n))


@pytest.mark.parametrize("values,n", [([0, 2], 2), ([-1], 3), ([], -1)])
def test_one_hot_errors_match_torch(values, n):
    e, t = pair(np.array(values, dtype=np.int64))
    raises_like(lambda: F.one_hot(e, n), lambda: TF.one_hot(t, n))
    raises_like(lambda: F.one_hot(e.float(), n), lambda: TF.one_hot(t.float(), n))


def test_normalize_and_cosine_similarity_with_zero_vectors():
    a = np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 2.0]])
    e, t = pair(a, True)
    for call in (lambda f, x: f.normalize(x), lambda f, x: f.normalize(x, dim=0, eps=0.5),
                 lambda f, x: f.cosine_similarity(x, x + 1.0),
                 lambda f, x: f.cosine_similarity(x, x)):
        e.grad, t.grad = None, None
        e_out, t_out = call(F, e), call(TF, t)
        assert_same(e_out, t_out)
        e_out.sum().backward()
        t_out.sum().backward()
        assert_same(e.grad, t.grad)


def test_pairwise_distance_keepdim_and_p():
    rng = np.random.default_rng(3)
    e1, t1 = pair(rng.standard_normal((4, 5)), True)
    e2, t2 = pair(rng.standard_normal((4, 5)), True)
    for p in (1.0, 2.0, 3.0, float("inf")):
        for keepdim in (False, True):
            assert_same(F.pairwise_distance(e1, e2, p, keepdim=keepdim),
                        TF.pairwise_distance(t1, t2, p, keepdim=keepdim))


def test_bilinear_shape_errors_match_torch():
    raises_like(lambda: F.bilinear(ember.ones(2, 3), ember.ones(3, 4), ember.ones(5, 3, 4)),
                lambda: TF.bilinear(torch.ones(2, 3), torch.ones(3, 4), torch.ones(5, 3, 4)))
    raises_like(lambda: F.bilinear(ember.ones(2, 3), ember.ones(2, 4), ember.ones(5, 2, 4)),
                lambda: TF.bilinear(torch.ones(2, 3), torch.ones(2, 4), torch.ones(5, 2, 4)))


def test_dropout2d_on_3d_input_warns_and_drops_channels_of_n_c_l():
    x = ember.ones(4, 50, 6)
    with pytest.warns(UserWarning, match="3D input"):
        y = F.dropout2d(x, 0.5)
    per_channel = y.numpy()
    assert np.all(per_channel.min(-1) == per_channel.max(-1))
