"""Each nn layer against torch.nn from the same weights: output, input gradient and
parameter gradients (float32 and float64), repr, and layer-specific behaviour
(dropout in train/eval, embedding options, in-place activations)."""

import numpy as np
import pytest
import torch

import ember

from conftest import assert_same, raises_like


def copy_weights(e_model, t_model):
    e_model.load_state_dict({k: ember.tensor(v.detach().numpy())
                             for k, v in t_model.state_dict().items()})


def _compare(build, shapes, dtype=np.float32, inputs=None, seed=0, **tol):
    """Build the layer in both libraries, copy torch's weights into ember's, run the
    same inputs and compare outputs, input gradients and parameter gradients."""
    e_layer, t_layer = build(ember.nn), build(torch.nn)
    if dtype == np.float64:
        e_layer.double(), t_layer.double()
    copy_weights(e_layer, t_layer)
    assert repr(e_layer) == repr(t_layer)
    rng = np.random.default_rng(seed)
    arrays = inputs or [rng.standard_normal(s).astype(dtype) for s in shapes]
    floats = [a.dtype.kind == "f" for a in arrays]
    es = [ember.tensor(a, requires_grad=f) for a, f in zip(arrays, floats)]
    ts = [torch.tensor(a, requires_grad=f) for a, f in zip(arrays, floats)]
    e_out, t_out = e_layer(*es), t_layer(*ts)
    assert_same(e_out, t_out, **tol)
    w = rng.standard_normal(tuple(t_out.shape)).astype(t_out.detach().numpy().dtype)
    (e_out * ember.tensor(w)).sum().backward()
    (t_out * torch.tensor(w)).sum().backward()
    for e, t in zip(es, ts):
        if t.requires_grad:
            assert_same(e.grad, t.grad, **tol)
    for (n1, p1), (n2, p2) in zip(e_layer.named_parameters(), t_layer.named_parameters()):
        assert n1 == n2
        assert_same(p1.grad, p2.grad, **tol)
    return e_layer, t_layer


LAYERS = {
    "Identity": (lambda nn: nn.Identity(3, foo=1), [(2, 3)]),
    "Linear": (lambda nn: nn.Linear(3, 4), [(5, 3)]),
    "Linear_1d": (lambda nn: nn.Linear(3, 4), [(3,)]),
    "Linear_3d": (lambda nn: nn.Linear(3, 4), [(2, 5, 3)]),
    "Linear_nobias": (lambda nn: nn.Linear(3, 4, bias=False), [(2, 5, 3)]),
    "Bilinear": (lambda nn: nn.Bilinear(3, 2, 4), [(5, 3), (5, 2)]),
    "Bilinear_nobias": (lambda nn: nn.Bilinear(3, 2, 4, bias=False), [(2, 5, 3), (2, 5, 2)]),
    "Flatten": (lambda nn: nn.Flatten(), [(2, 3, 4, 5)]),
    "Flatten_range": (lambda nn: nn.Flatten(0, 2), [(2, 3, 4, 5)]),
    "Unflatten": (lambda nn: nn.Unflatten(1, (2, 6)), [(3, 12, 2)]),
    "Unflatten_neg": (lambda nn: nn.Unflatten(-1, (2, -1)), [(3, 12)]),
    "Dropout_eval": (lambda nn: nn.Dropout(0.5).eval(), [(3, 4)]),
    "ReLU": (lambda nn: nn.ReLU(), [(3, 4)]),
    "ReLU6": (lambda nn: nn.ReLU6(), [(3, 4)]),
    "LeakyReLU": (lambda nn: nn.LeakyReLU(0.1), [(3, 4)]),
    "PReLU": (lambda nn: nn.PReLU(), [(3, 4)]),
    "PReLU_channels": (lambda nn: nn.PReLU(3, 0.1), [(2, 3, 4)]),
    "ELU": (lambda nn: nn.ELU(0.7), [(3, 4)]),
    "SELU": (lambda nn: nn.SELU(), [(3, 4)]),
    "CELU": (lambda nn: nn.CELU(1.5), [(3, 4)]),
    "GELU": (lambda nn: nn.GELU(), [(3, 4)]),
    "GELU_tanh": (lambda nn: nn.GELU("tanh"), [(3, 4)]),
    "SiLU": (lambda nn: nn.SiLU(), [(3, 4)]),
    "Mish": (lambda nn: nn.Mish(), [(3, 4)]),
    "Sigmoid": (lambda nn: nn.Sigmoid(), [(3, 4)]),
    "Tanh": (lambda nn: nn.Tanh(), [(3, 4)]),
    "Hardtanh": (lambda nn: nn.Hardtanh(-0.5, 0.8), [(3, 4)]),
    "Hardsigmoid": (lambda nn: nn.Hardsigmoid(), [(3, 4)]),
    "Hardswish": (lambda nn: nn.Hardswish(), [(3, 4)]),
    "Softplus": (lambda nn: nn.Softplus(2, 1), [(3, 4)]),
    "Softsign": (lambda nn: nn.Softsign(), [(3, 4)]),
    "Softmax": (lambda nn: nn.Softmax(dim=1), [(3, 4, 2)]),
    "LogSoftmax": (lambda nn: nn.LogSoftmax(dim=-1), [(3, 4)]),
    "Softmin": (lambda nn: nn.Softmin(dim=0), [(3, 4)]),
    "Threshold": (lambda nn: nn.Threshold(0.1, 20.0), [(3, 4)]),
    "Sequential_mlp": (lambda nn: nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3),
                                                nn.LogSoftmax(dim=1)), [(6, 4)]),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", LAYERS)
def test_layer_matches_torch(name, dtype):
    build, shapes = LAYERS[name]
    _compare(build, shapes, dtype)


def test_implicit_softmax_dim_warns_and_matches_torch():
    for shape in [(4,), (2, 3), (2, 3, 4), (2, 3, 4, 5)]:
        with pytest.warns(UserWarning, match="Implicit dimension"):
            _compare(lambda nn: nn.Softmax(), [shape])
        with pytest.warns(UserWarning, match="Implicit dimension"):
            _compare(lambda nn: nn.LogSoftmax(), [shape])


def test_embedding_matches_torch():
    idx = np.array([[1, 2, 4], [4, 3, 9]])
    _compare(lambda nn: nn.Embedding(10, 3), [], inputs=[idx])
    _compare(lambda nn: nn.Embedding(10, 3, padding_idx=4), [], inputs=[idx])
    _compare(lambda nn: nn.Embedding(10, 3, padding_idx=-1), [], inputs=[idx])
    _compare(lambda nn: nn.Embedding(10, 3, scale_grad_by_freq=True), [], inputs=[idx])
    _compare(lambda nn: nn.Embedding(10, 3, max_norm=1.0), [], inputs=[idx])
    _compare(lambda nn: nn.Embedding(10, 3, max_norm=0.5, norm_type=1.0), [],
             inputs=[idx.astype(np.int32)])


def test_embedding_max_norm_renormalises_weight_in_place_as_torch():
    e, t = _compare(lambda nn: nn.Embedding(6, 4, max_norm=1.2), [],
                    inputs=[np.array([0, 1, 1, 5])])
    assert_same(e.weight.detach(), t.weight.detach())


def test_embedding_padding_row_is_zero_and_gets_no_grad():
    emb = ember.nn.Embedding(5, 2, padding_idx=2)
    assert emb.weight[2].tolist() == [0.0, 0.0]
    emb(ember.tensor([2, 2, 1])).sum().backward()
    assert emb.weight.grad[2].tolist() == [0.0, 0.0]
    assert emb.weight.grad[1].tolist() == [1.0, 1.0]


def test_embedding_from_pretrained():
    w = np.arange(12.0, dtype=np.float32).reshape(4, 3)
    for freeze in (True, False):
        e = ember.nn.Embedding.from_pretrained(ember.tensor(w), freeze=freeze, padding_idx=1)
        t = torch.nn.Embedding.from_pretrained(torch.tensor(w), freeze=freeze, padding_idx=1)
        assert repr(e) == repr(t)
        assert e.weight.requires_grad == t.weight.requires_grad
        assert_same(e(ember.tensor([3, 1])), t(torch.tensor([3, 1])))
        eb = ember.nn.EmbeddingBag.from_pretrained(ember.tensor(w), freeze=freeze, mode="sum")
        tb = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), freeze=freeze, mode="sum")
        assert repr(eb) == repr(tb) and eb.weight.requires_grad == tb.weight.requires_grad
        assert_same(eb(ember.tensor([[3, 1]])), tb(torch.tensor([[3, 1]])))


def test_embedding_errors_match_torch():
    e, t = ember.nn.Embedding(5, 2), torch.nn.Embedding(5, 2)
    err = raises_like(lambda: e(ember.tensor([5])), lambda: t(torch.tensor([5])))
    assert "index out of range" in str(err)
    raises_like(lambda: e(ember.tensor([-1])), lambda: t(torch.tensor([-1])))
    raises_like(lambda: e(ember.tensor([1.0])), lambda: t(torch.tensor([1.0])))
    raises_like(lambda: ember.nn.Embedding(5, 2, padding_idx=5),
                lambda: torch.nn.Embedding(5, 2, padding_idx=5))


EMBEDDING_BAGS = {
    "mean_2d": (dict(), [np.array([[1, 2, 4], [4, 3, 9]])]),
    "sum_offsets": (dict(mode="sum"), [np.array([1, 2, 4, 4, 3, 9, 0]), np.array([0, 2, 2, 5])]),
    "mean_offsets": (dict(), [np.array([1, 2, 4, 4, 3, 9]), np.array([0, 3])]),
    "last_offset": (dict(mode="sum", include_last_offset=True),
                    [np.array([1, 2, 4, 4, 3, 9]), np.array([0, 1, 6])]),
    "padding": (dict(padding_idx=4), [np.array([[1, 4, 4], [4, 4, 4], [2, 3, 9]])]),
    "max_norm": (dict(mode="sum", max_norm=1.0), [np.array([[1, 2], [2, 2]])]),
}


@pytest.mark.parametrize("case", EMBEDDING_BAGS)
def test_embedding_bag_matches_torch(case):
    kw, inputs = EMBEDDING_BAGS[case]
    _compare(lambda nn: nn.EmbeddingBag(10, 3, **kw), [], inputs=inputs)


def test_embedding_bag_per_sample_weights_matches_torch():
    rng = np.random.default_rng(0)
    idx, off = np.array([1, 2, 4, 4, 3]), np.array([0, 2])
    w = rng.standard_normal(5).astype(np.float32)
    e, t = ember.nn.EmbeddingBag(6, 3, mode="sum"), torch.nn.EmbeddingBag(6, 3, mode="sum")
    copy_weights(e, t)
    ew, tw = ember.tensor(w, requires_grad=True), torch.tensor(w, requires_grad=True)
    eo = e(ember.tensor(idx), ember.tensor(off), per_sample_weights=ew)
    to = t(torch.tensor(idx), torch.tensor(off), per_sample_weights=tw)
    assert_same(eo, to)
    eo.pow(2).sum().backward()
    to.pow(2).sum().backward()
    assert_same(ew.grad, tw.grad)
    assert_same(e.weight.grad, t.weight.grad)


def test_embedding_bag_errors_match_torch():
    e = ember.nn.EmbeddingBag(5, 2)
    t = torch.nn.EmbeddingBag(5, 2)
    raises_like(lambda: e(ember.tensor([1, 2])), lambda: t(torch.tensor([1, 2])))
    raises_like(lambda: e(ember.tensor([[1, 2]]), ember.tensor([0])),
                lambda: t(torch.tensor([[1, 2]]), torch.tensor([0])))
    raises_like(lambda: e(ember.tensor([1, 2]), ember.tensor([0]),
                          per_sample_weights=ember.ones(2)),
                lambda: t(torch.tensor([1, 2]), torch.tensor([0]),
                          per_sample_weights=torch.ones(2)))


# ---------------------------------------------------------------- dropout


@pytest.mark.parametrize("cls,shape", [("Dropout", (200, 50)), ("Dropout2d", (20, 30, 4, 4))])
def test_dropout_train_mode_zeroes_and_rescales(cls, shape):
    layer = getattr(ember.nn, cls)(p=0.3)
    x = ember.ones(*shape, requires_grad=True)
    y = layer(x)
    values = np.unique(y.detach().numpy())
    np.testing.assert_allclose(values, [0.0, 1 / 0.7], rtol=1e-6)
    kept = (y.detach().numpy() != 0).mean()
    assert abs(kept - 0.7) < 0.05
    if cls == "Dropout2d":  # whole channels
        per_channel = y.detach().numpy().reshape(shape[0], shape[1], -1)
        assert np.all(per_channel.min(-1) == per_channel.max(-1))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())  # grad is the mask
    assert type(y.grad_fn).__name__ == "MulBackward0"


@pytest.mark.parametrize("cls", ["Dropout", "Dropout2d"])
def test_dropout_eval_is_identity(cls):
    layer = getattr(ember.nn, cls)(p=0.9).eval()
    x = ember.randn(2, 3, 4, 5)
    assert layer(x) is x
    assert ember.nn.functional.dropout(x, 0.5, training=False) is x


def test_dropout_p_edges_and_errors_match_torch():
    x = ember.ones(3, 4, requires_grad=True)
    assert ember.nn.functional.dropout(x, 0.0) is x
    y = ember.nn.functional.dropout(x, 1.0)
    assert y.tolist() == [[0.0] * 4] * 3 and type(y.grad_fn).__name__ == "MulBackward0"
    for p in (-0.1, 1.5):
        raises_like(lambda p=p: ember.nn.functional.dropout(x, p),
                    lambda p=p: torch.nn.functional.dropout(torch.ones(2), p))
        raises_like(lambda p=p: ember.nn.Dropout(p), lambda p=p: torch.nn.Dropout(p))


def test_dropout_inplace():
    x = ember.ones(50, 40)
    y = ember.nn.Dropout(0.5, inplace=True)(x)
    assert y is x and (x.numpy() == 0).any()


def test_dropout_draws_its_mask_through_bernoulli_as_torch():
    """The mask is ``empty(shape).bernoulli_(1 - p)``: one draw per element (per
    channel for Dropout2d), so a seeded generator gives the mask ``bernoulli_`` gives."""
    for fn, shape, noise_shape in [(ember.nn.functional.dropout, (4, 5), (4, 5)),
                                   (ember.nn.functional.dropout2d, (2, 3, 4, 4), (2, 3, 1, 1))]:
        ember.manual_seed(7)
        y = fn(ember.ones(*shape), 0.25)
        ember.manual_seed(7)
        mask = ember.empty(noise_shape).bernoulli_(0.75)
        expected = np.broadcast_to(mask.numpy() / np.float32(0.75), shape)
        np.testing.assert_array_equal(y.numpy(), expected)


def test_dropout_mask_equals_torch_after_manual_seed__needs_torch_identical_rng():
    """Needs ember.random's streams to be torch's (bernoulli_ included): the mask formula
    is torch's, so with identical draws the masks are identical."""
    for fn_name, shape in [("dropout", (7, 9)), ("dropout2d", (2, 5, 3, 3))]:
        ember.manual_seed(3)
        torch.manual_seed(3)
        e = getattr(ember.nn.functional, fn_name)(ember.ones(*shape), 0.4)
        t = getattr(torch.nn.functional, fn_name)(torch.ones(*shape), 0.4)
        assert_same(e, t, exact=True)


# ---------------------------------------------------------------- in-place activations


@pytest.mark.parametrize("name,args", [("ReLU", ()), ("ReLU6", ()), ("LeakyReLU", (0.1,)),
                                       ("ELU", (1.0,)), ("SELU", ()), ("CELU", (1.0,)),
                                       ("SiLU", ()), ("Mish", ()), ("Hardtanh", (-1.0, 1.0)),
                                       ("Hardsigmoid", ()), ("Hardswish", ()),
                                       ("Threshold", (0.1, 2.0))])
def test_inplace_activation_matches_torch(name, args):
    a = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    results = []
    for nn, lib in ((ember.nn, ember), (torch.nn, torch)):
        layer = getattr(nn, name)(*args, inplace=True)
        assert "inplace=True" in repr(layer) or name in ("Hardsigmoid", "Hardswish")
        leaf = lib.tensor(a, requires_grad=True)
        x = leaf * 1.0
        y = layer(x)
        assert y is x
        y.sum().backward()
        results.append((y.detach(), leaf.grad))
    assert_same(results[0][0], results[1][0])
    assert_same(results[0][1], results[1][1])


def test_inplace_on_leaf_requiring_grad_raises_as_torch():
    raises_like(lambda: ember.nn.ReLU(inplace=True)(ember.ones(2, requires_grad=True)),
                lambda: torch.nn.ReLU(inplace=True)(torch.ones(2, requires_grad=True)))


def test_prelu_channel_mismatch_raises_as_torch():
    raises_like(lambda: ember.nn.PReLU(3)(ember.ones(2, 4)),
                lambda: torch.nn.PReLU(3)(torch.ones(2, 4)))


def test_flatten_unflatten_errors_and_views():
    x = ember.arange(24.0).reshape(2, 3, 4)
    y = ember.nn.Flatten()(x)
    assert y.shape == (2, 12)
    raises_like(lambda: ember.nn.Unflatten(1, (5, 2))(ember.ones(2, 12)),
                lambda: torch.nn.Unflatten(1, (5, 2))(torch.ones(2, 12)))
    raises_like(lambda: ember.nn.Unflatten(1, 3), lambda: torch.nn.Unflatten(1, 3))
