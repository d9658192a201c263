"""Attention against torch: scaled_dot_product_attention (masks, causal, scale, grouped
heads, dropout draws, fully masked rows), MultiheadAttention and TransformerEncoder(Layer)
from the same weights (outputs, attention weights, gradients of inputs, masks and every
parameter), reprs, seeded initialisation, torch's nested-tensor zeros, warnings, errors."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as F

from conftest import assert_same, raises_like

RNG = np.random.default_rng(0)


def copy_weights(e_model, t_model):
    e_model.load_state_dict({k: ember.tensor(v.detach().numpy())
                             for k, v in t_model.state_dict().items()})


def both(array, requires_grad=True):
    a = np.asarray(array)
    rg = requires_grad and a.dtype.kind == "f"
    return ember.tensor(a, requires_grad=rg), torch.tensor(a, requires_grad=rg)


def _compare_grads(e_out, t_out, e_leaves, t_leaves, e_model=None, t_model=None, **tol):
    assert_same(e_out, t_out, **tol)
    w = RNG.standard_normal(tuple(t_out.shape)).astype(t_out.detach().numpy().dtype)
    (e_out * ember.tensor(w)).sum().backward()
    (t_out * torch.tensor(w)).sum().backward()
    for e, t in zip(e_leaves, t_leaves):
        if t.requires_grad:
            assert_same(e.grad, t.grad, **tol)
    if e_model is not None:
        for (n1, p1), (n2, p2) in zip(e_model.named_parameters(), t_model.named_parameters()):
            assert n1 == n2
            assert_same(p1.grad, p2.grad, **tol)


# ---------------------------------------------------------------- sdpa


def _bool_mask(shape):
    m = RNG.uniform(size=shape) > 0.3
    m[..., 0] = True  # every query may see a key
    return m


SDPA = {
    "plain": ((2, 3, 4), (2, 5, 4), (2, 5, 6), None, {}),
    "4d": ((2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3), None, {}),
    "unbatched": ((3, 4), (5, 4), (5, 2), None, {}),
    "bool_mask": ((2, 3, 4), (2, 5, 4), (2, 5, 6), _bool_mask((3, 5)), {}),
    "bool_mask_batched": ((2, 2, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3), _bool_mask((2, 1, 3, 5)),
                          {}),
    "float_mask": ((2, 3, 4), (2, 5, 4), (2, 5, 6), RNG.standard_normal((3, 5)), {}),
    "causal": ((2, 4, 4), (2, 4, 4), (2, 4, 6), None, {"is_causal": True}),
    "causal_rect": ((2, 3, 4), (2, 5, 4), (2, 5, 6), None, {"is_causal": True}),
    "scale": ((2, 3, 4), (2, 5, 4), (2, 5, 6), None, {"scale": 0.3}),
    "gqa": ((2, 4, 3, 4), (2, 2, 5, 4), (2, 2, 5, 3), None, {"enable_gqa": True}),
}


@pytest.mark.parametrize("name", SDPA)
def test_sdpa_matches_torch(name):
    qs, ks, vs, mask, kw = SDPA[name]
    pairs = [both(RNG.standard_normal(s)) for s in (qs, ks, vs)]
    if mask is not None:
        pairs.append(both(mask))
    e_args, t_args = [p[0] for p in pairs], [p[1] for p in pairs]
    e_out = F.scaled_dot_product_attention(*e_args, **kw)
    t_out = TF.scaled_dot_product_attention(*t_args, **kw)
    _compare_grads(e_out, t_out, e_args, t_args)


def test_sdpa_fully_masked_rows_give_zeros_as_torch():
    mask = np.ones((3, 5), bool)
    mask[1] = False
    pairs = [both(RNG.standard_normal(s)) for s in ((2, 3, 4), (2, 5, 4), (2, 5, 6))]
    fmask = np.where(mask, 0.0, -np.inf)
    for m in (mask, fmask):
        e_args, t_args = [p[0] for p in pairs], [p[1] for p in pairs]
        for p in pairs:
            p[0].grad = p[1].grad = None
        e_out = F.scaled_dot_product_attention(*e_args, attn_mask=ember.tensor(m))
        t_out = TF.scaled_dot_product_attention(*t_args, attn_mask=torch.tensor(m))
        assert not np.isnan(e_out.detach().numpy()).any()
        _compare_grads(e_out, t_out, e_args, t_args)


def test_sdpa_float32_and_dropout_draws_as_torch():
    pairs = [both(RNG.standard_normal(s).astype(np.float32)) for s in ((2, 3, 4), (2, 5, 4),
                                                                        (2, 5, 6))]
    e_args, t_args = [p[0] for p in pairs], [p[1] for p in pairs]
    ember.manual_seed(5)
    torch.manual_seed(5)
    e_out = F.scaled_dot_product_attention(*e_args, dropout_p=0.4)
    t_out = TF.scaled_dot_product_attention(*t_args, dropout_p=0.4)
    _compare_grads(e_out, t_out, e_args, t_args)


SDPA_ERRORS = {
    "dtypes": lambda f, lib: f.scaled_dot_product_attention(
        lib.zeros(2, 3, 4), lib.zeros(2, 5, 4, dtype=lib.float64), lib.zeros(2, 5, 4)),
    "mask_dtype": lambda f, lib: f.scaled_dot_product_attention(
        lib.zeros(2, 3, 4), lib.zeros(2, 5, 4), lib.zeros(2, 5, 4),
        attn_mask=lib.ones(3, 5, dtype=lib.int64)),
    "causal_and_mask": lambda f, lib: f.scaled_dot_product_attention(
        lib.zeros(2, 3, 4), lib.zeros(2, 5, 4), lib.zeros(2, 5, 4),
        attn_mask=lib.ones(3, 5, dtype=lib.bool), is_causal=True),
}


@pytest.mark.parametrize("name", SDPA_ERRORS)
def test_sdpa_error_matches_torch(name):
    call = SDPA_ERRORS[name]
    err = raises_like(lambda: call(F, ember), lambda: call(TF, torch))
    with pytest.raises(Exception) as t_info:
        call(TF, torch)
    assert str(err) == str(t_info.value)


# ---------------------------------------------------------------- multi-head attention

MHA_CONFIGS = {
    "default": {},
    "batch_first": {"batch_first": True},
    "kdim_vdim": {"kdim": 3, "vdim": 5},
    "no_bias": {"bias": False},
    "bias_kv_zero_attn": {"add_bias_kv": True, "add_zero_attn": True},
    "one_head": {"num_heads": 1},
}

# call -> (self attention?, forward kwargs builder (takes L, S, N, heads))
MHA_CALLS = {
    "self": (True, lambda L, S, N, H: {}),
    "cross": (False, lambda L, S, N, H: {}),
    "no_weights": (False, lambda L, S, N, H: {"need_weights": False}),
    "per_head_weights": (False, lambda L, S, N, H: {"average_attn_weights": False}),
    "padding_bool": (False, lambda L, S, N, H: {"key_padding_mask": ~_bool_mask((N, S))}),
    "padding_float_no_weights": (False, lambda L, S, N, H: {
        "key_padding_mask": RNG.standard_normal((N, S)), "need_weights": False}),
    "attn_mask_bool": (True, lambda L, S, N, H: {"attn_mask": ~_bool_mask((L, S))}),
    "attn_mask_3d_float": (False, lambda L, S, N, H: {
        "attn_mask": RNG.standard_normal((N * H, L, S))}),
    "both_masks_no_weights": (False, lambda L, S, N, H: {
        "attn_mask": ~_bool_mask((L, S)), "key_padding_mask": ~_bool_mask((N, S)),
        "need_weights": False}),
    "causal": (True, lambda L, S, N, H: {
        "attn_mask": np.triu(np.ones((L, S), bool), 1), "is_causal": True,
        "need_weights": False}),
}


@pytest.mark.parametrize("call", MHA_CALLS)
@pytest.mark.parametrize("config", MHA_CONFIGS)
def test_mha_matches_torch(config, call):
    kw = dict(MHA_CONFIGS[config])
    heads = kw.pop("num_heads", 2)
    self_attn, make = MHA_CALLS[call]
    if self_attn and ("kdim" in kw):
        self_attn = False
    e_model = ember.nn.MultiheadAttention(8, heads, **kw).double()
    t_model = torch.nn.MultiheadAttention(8, heads, **kw).double()
    copy_weights(e_model, t_model)
    assert repr(e_model) == repr(t_model)
    L, S, N = 4, (4 if self_attn else 5), 3
    bf = kw.get("batch_first", False)
    shape = (lambda n, d: (N, n, d) if bf else (n, N, d))
    q = both(RNG.standard_normal(shape(L, 8)))
    if self_attn:
        k = v = q
    else:
        k = both(RNG.standard_normal(shape(S, kw.get("kdim", 8))))
        v = both(RNG.standard_normal(shape(S, kw.get("vdim", 8))))
    extra = make(L, S, N, heads)
    e_kw = {n: ember.tensor(a) if isinstance(a, np.ndarray) else a for n, a in extra.items()}
    t_kw = {n: torch.tensor(a) if isinstance(a, np.ndarray) else a for n, a in extra.items()}
    e_out, e_w = e_model(q[0], k[0], v[0], **e_kw)
    t_out, t_w = t_model(q[1], k[1], v[1], **t_kw)
    if t_w is None:
        assert e_w is None
    else:
        assert_same(e_w, t_w)
    leaves = [q] if self_attn else [q, k, v]
    _compare_grads(e_out, t_out, [p[0] for p in leaves], [p[1] for p in leaves],
                   e_model, t_model)


def test_mha_unbatched_and_float32_match_torch():
    for dtype in (np.float64, np.float32):
        e_model = ember.nn.MultiheadAttention(6, 3, kdim=4, vdim=2)
        t_model = torch.nn.MultiheadAttention(6, 3, kdim=4, vdim=2)
        if dtype == np.float64:
            e_model, t_model = e_model.double(), t_model.double()
        copy_weights(e_model, t_model)
        q, k, v = (both(RNG.standard_normal(s).astype(dtype)) for s in ((5, 6), (3, 4), (3, 2)))
        mask = np.array([False, True, False])
        e_out, e_w = e_model(q[0], k[0], v[0], key_padding_mask=ember.tensor(mask))
        t_out, t_w = t_model(q[1], k[1], v[1], key_padding_mask=torch.tensor(mask))
        assert_same(e_w, t_w)
        _compare_grads(e_out, t_out, [q[0], k[0], v[0]], [q[1], k[1], v[1]], e_model, t_model)


def test_mha_dropout_draws_as_torch():
    ember.manual_seed(11)
    torch.manual_seed(11)
    e_model = ember.nn.MultiheadAttention(8, 2, dropout=0.3).double()
    t_model = torch.nn.MultiheadAttention(8, 2, dropout=0.3).double()
    for p1, p2 in zip(e_model.parameters(), t_model.parameters()):  # seeded init as torch
        np.testing.assert_array_equal(p1.detach().numpy(), p2.detach().numpy())
    x = both(RNG.standard_normal((4, 2, 8)))
    for need_weights in (True, False):
        e_out, _ = e_model(x[0], x[0], x[0], need_weights=need_weights)
        t_out, _ = t_model(x[1], x[1], x[1], need_weights=need_weights)
        assert_same(e_out, t_out)


@pytest.mark.parametrize("kwargs", [{}, {"kdim": 3}, {"bias": False, "add_bias_kv": True},
                                    {"batch_first": True, "vdim": 2}])
def test_mha_parameters_and_seeded_init_match_torch(kwargs):
    ember.manual_seed(2)
    torch.manual_seed(2)
    e = ember.nn.MultiheadAttention(6, 2, **kwargs)
    t = torch.nn.MultiheadAttention(6, 2, **kwargs)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    for (n1, p1), (n2, p2) in zip(e.named_parameters(), t.named_parameters()):
        assert n1 == n2
        np.testing.assert_array_equal(p1.detach().numpy(), p2.detach().numpy())
    for name in ("embed_dim", "kdim", "vdim", "_qkv_same_embed_dim", "num_heads", "dropout",
                 "batch_first", "head_dim", "add_zero_attn"):
        assert getattr(e, name) == getattr(t, name)
    assert type(e.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    assert isinstance(e.out_proj, ember.nn.Linear)


def test_mha_mismatched_mask_types_warn_as_torch():
    m = ember.nn.MultiheadAttention(4, 2)
    x = ember.zeros(3, 2, 4)
    with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and "
                                         "attn_mask is deprecated"):
        m(x, x, x, key_padding_mask=ember.zeros(2, 3, dtype=ember.bool),
          attn_mask=ember.zeros(3, 3))


MHA_ERRORS = {
    "heads_zero": lambda nn, lib: nn.MultiheadAttention(4, 0),
    "not_divisible": lambda nn, lib: nn.MultiheadAttention(6, 4),
    "query_dims": lambda nn, lib: nn.MultiheadAttention(4, 2)(lib.zeros(4), lib.zeros(4),
                                                              lib.zeros(4)),
    "key_dims": lambda nn, lib: nn.MultiheadAttention(4, 2)(lib.zeros(3, 2, 4),
                                                            lib.zeros(3, 4), lib.zeros(3, 4)),
    "embed_dim": lambda nn, lib: nn.MultiheadAttention(4, 2)(lib.zeros(3, 2, 6),
                                                             lib.zeros(3, 2, 6),
                                                             lib.zeros(3, 2, 6)),
    "key_value_shapes": lambda nn, lib: nn.MultiheadAttention(4, 2)(
        lib.zeros(3, 2, 4), lib.zeros(5, 2, 4), lib.zeros(4, 2, 4)),
    "mask_2d_shape": lambda nn, lib: nn.MultiheadAttention(4, 2)(
        lib.zeros(3, 2, 4), lib.zeros(5, 2, 4), lib.zeros(5, 2, 4),
        attn_mask=lib.zeros(3, 4)),
    "mask_3d_shape": lambda nn, lib: nn.MultiheadAttention(4, 2)(
        lib.zeros(3, 2, 4), lib.zeros(5, 2, 4), lib.zeros(5, 2, 4),
        attn_mask=lib.zeros(2, 3, 5)),
    "mask_int": lambda nn, lib: nn.MultiheadAttention(4, 2)(
        lib.zeros(3, 2, 4), lib.zeros(5, 2, 4), lib.zeros(5, 2, 4),
        attn_mask=lib.zeros(3, 5, dtype=lib.int64)),
    "padding_shape": lambda nn, lib: nn.MultiheadAttention(4, 2)(
        lib.zeros(3, 2, 4), lib.zeros(5, 2, 4), lib.zeros(5, 2, 4),
        key_padding_mask=lib.zeros(2, 4, dtype=lib.bool)),
    "padding_dims": lambda nn, lib: nn.MultiheadAttention(4, 2)(
        lib.zeros(3, 2, 4), lib.zeros(5, 2, 4), lib.zeros(5, 2, 4),
        key_padding_mask=lib.zeros(5, dtype=lib.bool)),
    "causal_without_mask": lambda nn, lib: nn.MultiheadAttention(4, 2)(
        lib.zeros(3, 2, 4), lib.zeros(3, 2, 4), lib.zeros(3, 2, 4), is_causal=True),
}


@pytest.mark.parametrize("name", MHA_ERRORS)
def test_mha_error_matches_torch(name):
    call = MHA_ERRORS[name]
    err = raises_like(lambda: call(ember.nn, ember), lambda: call(torch.nn, torch))
    with pytest.raises(Exception) as t_info:
        call(torch.nn, torch)
    assert str(err) == str(t_info.value)


# ---------------------------------------------------------------- transformer

LAYERS = {
    "default": lambda nn: nn.TransformerEncoderLayer(8, 2, 16),
    "gelu_norm_first": lambda nn: nn.TransformerEncoderLayer(
        8, 2, 16, activation="gelu", norm_first=True, layer_norm_eps=1e-6),
    "batch_first_gelu_module": lambda nn: nn.TransformerEncoderLayer(
        8, 4, 12, activation=nn.GELU(), batch_first=True),
    "no_bias": lambda nn: nn.TransformerEncoderLayer(8, 2, 16, bias=False),
    "callable_activation": lambda nn: nn.TransformerEncoderLayer(
        8, 2, 16, activation=lambda x: x.tanh()),
}


def _src(layer, n=3, s=5, d=8):
    bf = layer.self_attn.batch_first
    return RNG.standard_normal((n, s, d) if bf else (s, n, d))


@pytest.mark.parametrize("masks", ["none", "padding", "causal", "both"])
@pytest.mark.parametrize("name", LAYERS)
def test_encoder_layer_matches_torch(name, masks):
    e_model, t_model = LAYERS[name](ember.nn).double(), LAYERS[name](torch.nn).double()
    copy_weights(e_model, t_model)
    assert repr(e_model) == repr(t_model)
    x = both(_src(t_model))
    kw = {}
    if masks in ("padding", "both"):
        kw["src_key_padding_mask"] = ~_bool_mask((3, 5))
    if masks in ("causal", "both"):
        kw["src_mask"] = np.triu(np.full((5, 5), -np.inf), 1)
        kw["is_causal"] = True
    e_kw = {n: ember.tensor(a) if isinstance(a, np.ndarray) else a for n, a in kw.items()}
    t_kw = {n: torch.tensor(a) if isinstance(a, np.ndarray) else a for n, a in kw.items()}
    # dropout 0.1: seeded draws in training (time-major layers: ember's F.dropout draws in
    # logical order, torch's in memory order, which differ on batch-first views), then off
    modes = ("eval",) if t_model.self_attn.batch_first else ("train", "eval")
    for mode in modes:
        getattr(e_model, mode)()
        getattr(t_model, mode)()
        ember.manual_seed(1)
        torch.manual_seed(1)
        e_model.zero_grad()
        t_model.zero_grad()
        x[0].grad = x[1].grad = None
        e_out, t_out = e_model(x[0], **e_kw), t_model(x[1], **t_kw)
        _compare_grads(e_out, t_out, [x[0]], [x[1]], e_model, t_model)


@pytest.mark.parametrize("with_norm", [False, True])
def test_encoder_matches_torch_from_seeded_init(with_norm):
    outs = {}
    for lib in (ember, torch):
        lib.manual_seed(4)
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.2)
        norm = lib.nn.LayerNorm(8) if with_norm else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # enable_nested_tensor without batch_first
            outs[lib] = lib.nn.TransformerEncoder(layer, 3, norm=norm).double()
    e_model, t_model = outs[ember], outs[torch]
    assert repr(e_model) == repr(t_model)
    for (n1, p1), (n2, p2) in zip(e_model.named_parameters(), t_model.named_parameters()):
        assert n1 == n2
        np.testing.assert_array_equal(p1.detach().numpy(), p2.detach().numpy())
    x = both(RNG.standard_normal((6, 2, 8)))
    mask = np.triu(np.ones((6, 6), bool), 1)
    ember.manual_seed(9)
    torch.manual_seed(9)  # training mode: dropout draws as torch
    e_out = e_model(x[0], mask=ember.tensor(mask))
    t_out = t_model(x[1], mask=torch.tensor(mask))
    _compare_grads(e_out, t_out, [x[0]], [x[1]], e_model, t_model)


def test_encoder_zeros_padded_positions_in_nested_fast_path_as_torch():
    layer = {lib: lib.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
             for lib in (ember, torch)}
    e_model = ember.nn.TransformerEncoder(layer[ember], 2, norm=ember.nn.LayerNorm(8))
    t_model = torch.nn.TransformerEncoder(layer[torch], 2, norm=torch.nn.LayerNorm(8))
    copy_weights(e_model, t_model)
    e_model.eval()
    t_model.eval()
    x = RNG.standard_normal((3, 5, 8)).astype(np.float32)
    pad = np.zeros((3, 5), bool)
    pad[0, 3:] = pad[2, 1:] = True
    unaligned = pad.copy()
    unaligned[1, 0] = True  # a padded position before a valid one: torch stays dense
    for p in (pad, unaligned):
        with ember.no_grad():
            e_out = e_model(ember.tensor(x), src_key_padding_mask=ember.tensor(p))
        with torch.no_grad():
            t_out = t_model(torch.tensor(x), src_key_padding_mask=torch.tensor(p))
        assert_same(e_out, t_out, rtol=1e-4, atol=1e-5)
    # with autograd recording, torch takes the dense path: no zeros
    e_out = e_model(ember.tensor(x), src_key_padding_mask=ember.tensor(pad))
    t_out = t_model(torch.tensor(x), src_key_padding_mask=torch.tensor(pad))
    assert_same(e_out, t_out, rtol=1e-4, atol=1e-5)


def test_encoder_nested_tensor_warning_as_torch():
    for lib in (ember, torch):
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16)
        with pytest.warns(UserWarning) as rec:
            lib.nn.TransformerEncoder(layer, 2)
        msg = str(rec[0].message)
        assert msg == ("enable_nested_tensor is True, but self.use_nested_tensor is False "
                       "because encoder_layer.self_attn.batch_first was not True(use "
                       "batch_first for better inference performance)")
        layer = lib.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert lib.nn.TransformerEncoder(layer, 2).use_nested_tensor


def test_encoder_layer_errors_as_torch():
    err = raises_like(lambda: ember.nn.TransformerEncoderLayer(8, 2, activation="tanh"),
                      lambda: torch.nn.TransformerEncoderLayer(8, 2, activation="tanh"))
    assert str(err) == "activation should be relu/gelu, not tanh"


def _second_derivatives(lib, f, arrays):
    """d/d inputs of <d sum(w * f(inputs)) / d inputs, u>."""
    xs = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = f(lib, *xs)
    w = lib.tensor(np.random.default_rng(1).standard_normal(tuple(out.shape)))
    grads = lib.autograd.grad((out * w).sum(), xs, create_graph=True)
    total = sum((g * lib.tensor(np.random.default_rng(2 + i).standard_normal(tuple(g.shape))))
                .sum() for i, g in enumerate(grads))
    return lib.autograd.grad(total, xs)


def test_sdpa_second_derivatives_match_torch():
    def f(lib, q, k, v, m):
        return lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m)

    arrays = [RNG.standard_normal(s) for s in ((2, 3, 4), (2, 5, 4), (2, 5, 6), (3, 5))]
    for e, t in zip(_second_derivatives(ember, f, arrays), _second_derivatives(torch, f, arrays)):
        assert_same(e, t, atol=1e-10)


def test_mha_second_derivatives_match_torch():
    e_model = ember.nn.MultiheadAttention(4, 2).double()
    t_model = torch.nn.MultiheadAttention(4, 2).double()
    copy_weights(e_model, t_model)
    models = {ember: e_model, torch: t_model}

    def f(lib, q, kv):
        return models[lib](q, kv, kv)[0]

    arrays = [RNG.standard_normal(s) for s in ((3, 2, 4), (5, 2, 4))]
    for e, t in zip(_second_derivatives(ember, f, arrays), _second_derivatives(torch, f, arrays)):
        assert_same(e, t, atol=1e-10)
