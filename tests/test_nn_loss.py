"""Losses beyond the OpInfo rows (tests/opinfo_loss.py): the modules (repr, buffers,
values and gradients), grad_fn names, stability at large magnitudes, CTC against torch,
warnings, and torch's errors for bad targets and shapes."""

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import ember
import ember.nn.functional as F

from conftest import assert_same, raises_like

RNG = np.random.default_rng(0)


def _both(array, requires_grad=False, dtype=None):
    a = np.asarray(array) if dtype is None else np.asarray(array, dtype=dtype)
    return (ember.tensor(a, requires_grad=requires_grad),
            torch.tensor(a, requires_grad=requires_grad))


def _logits(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


# ---------------------------------------------------------------- modules

X34, P34 = _logits(3, 4), RNG.uniform(0.05, 0.95, (3, 4)).astype(np.float32)
IDX = np.array([1, 0, 3])
# name -> (constructor kwargs builder(lib), inputs: list of (array, requires_grad))
MODULES = {
    "L1Loss": (lambda lib: {}, [(X34, True), (P34, False)]),
    "MSELoss": (lambda lib: {"reduction": "sum"}, [(X34, True), (P34, True)]),
    "SmoothL1Loss": (lambda lib: {"beta": 0.5}, [(X34, True), (P34, False)]),
    "HuberLoss": (lambda lib: {"delta": 0.3, "reduction": "none"}, [(X34, True), (P34, False)]),
    "NLLLoss": (lambda lib: {"weight": lib.tensor([1.0, 2.0, 0.5, 1.5]), "ignore_index": 0},
                [(X34, True), (IDX, False)]),
    "CrossEntropyLoss": (lambda lib: {"weight": lib.tensor([1.0, 2.0, 0.5, 1.5]),
                                      "label_smoothing": 0.1}, [(X34, True), (IDX, False)]),
    "BCELoss": (lambda lib: {"weight": lib.tensor([1.0, 2.0, 0.5, 1.5])},
                [(P34, True), (P34[::-1].copy(), False)]),
    "BCEWithLogitsLoss": (lambda lib: {"pos_weight": lib.tensor([1.0, 2.0, 0.5, 1.5]),
                                       "weight": lib.tensor([[2.0], [1.0], [0.5]])},
                          [(X34, True), (P34, True)]),
    "KLDivLoss": (lambda lib: {"reduction": "batchmean", "log_target": True},
                  [(X34, True), (X34[::-1].copy(), True)]),
    "PoissonNLLLoss": (lambda lib: {"log_input": False, "full": True},
                       [(P34, True), (P34 * 3, False)]),
    "GaussianNLLLoss": (lambda lib: {"full": True, "eps": 1e-3},
                        [(X34, True), (P34, False), (P34[:, 0].copy(), True)]),
    "CosineEmbeddingLoss": (lambda lib: {"margin": 0.2},
                            [(X34, True), (P34, True), (np.array([1, -1, 1]), False)]),
    "MarginRankingLoss": (lambda lib: {"margin": 0.1},
                          [(X34[0], True), (P34[0], True),
                           (np.array([1.0, -1.0, 1.0, -1.0], np.float32), False)]),
    "HingeEmbeddingLoss": (lambda lib: {"margin": 0.5},
                           [(X34, True), (np.sign(X34).astype(np.float32), False)]),
    "TripletMarginLoss": (lambda lib: {"margin": 0.5, "p": 1.0, "swap": True},
                          [(X34, True), (P34, True), (X34[::-1].copy(), True)]),
}


@pytest.mark.parametrize("name", MODULES)
def test_module_matches_torch(name):
    make_kwargs, inputs = MODULES[name]
    e_mod = getattr(ember.nn, name)(**make_kwargs(ember))
    t_mod = getattr(torch.nn, name)(**make_kwargs(torch))
    assert repr(e_mod) == repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    assert e_mod.reduction == t_mod.reduction
    pairs = [_both(a, rg) for a, rg in inputs]
    e_out = e_mod(*[e for e, _ in pairs])
    t_out = t_mod(*[t for _, t in pairs])
    assert_same(e_out, t_out)
    e_out.sum().backward()
    t_out.sum().backward()
    for e, t in pairs:
        if t.requires_grad:
            assert_same(e.grad, t.grad)


def test_ctc_module_matches_torch():
    lp = _logits(5, 2, 4)
    e, t = _both(lp, True)
    args = ([[1, 2], [3, 3]], [5, 4], [2, 2])
    e_out = ember.nn.CTCLoss(blank=0, zero_infinity=True)(
        e.log_softmax(2), ember.tensor(args[0]), ember.tensor(args[1]), ember.tensor(args[2]))
    t_out = torch.nn.CTCLoss(blank=0, zero_infinity=True)(
        t.log_softmax(2), torch.tensor(args[0]), torch.tensor(args[1]), torch.tensor(args[2]))
    assert repr(ember.nn.CTCLoss()) == repr(torch.nn.CTCLoss()) == "CTCLoss()"
    assert_same(e_out, t_out)
    e_out.backward()
    t_out.backward()
    assert_same(e.grad, t.grad)


def test_loss_module_options_and_legacy_flags():
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        m = ember.nn.MSELoss(size_average=False)
    with pytest.warns(UserWarning):
        tm = torch.nn.MSELoss(size_average=False)
    assert m.reduction == tm.reduction == "sum"
    m = ember.nn.CrossEntropyLoss(ignore_index=3, label_smoothing=0.2)
    assert (m.ignore_index, m.label_smoothing, m.weight) == (3, 0.2, None)
    raises_like(lambda: ember.nn.TripletMarginLoss(margin=0),
                lambda: torch.nn.TripletMarginLoss(margin=0))
    w = ember.nn.NLLLoss(weight=ember.ones(3)).double().weight
    assert w.dtype == ember.float64  # a buffer: follows the module's dtype


# ---------------------------------------------------------------- grad_fn names

GRAD_FNS = {
    "mse_loss": lambda f, x, y, i, p: f.mse_loss(x, y),
    "mse_loss_none": lambda f, x, y, i, p: f.mse_loss(x, y, reduction="none"),
    "l1_loss": lambda f, x, y, i, p: f.l1_loss(x, y),
    "l1_loss_sum": lambda f, x, y, i, p: f.l1_loss(x, y, reduction="sum"),
    "l1_loss_none": lambda f, x, y, i, p: f.l1_loss(x, y, reduction="none"),
    "smooth_l1_loss": lambda f, x, y, i, p: f.smooth_l1_loss(x, y),
    "smooth_l1_beta0": lambda f, x, y, i, p: f.smooth_l1_loss(x, y, beta=0.0),
    "huber_loss": lambda f, x, y, i, p: f.huber_loss(x, y, reduction="sum"),
    "nll_loss": lambda f, x, y, i, p: f.nll_loss(x, i),
    "cross_entropy": lambda f, x, y, i, p: f.cross_entropy(x, i),
    "cross_entropy_none": lambda f, x, y, i, p: f.cross_entropy(x, i, reduction="none"),
    "cross_entropy_3d": lambda f, x, y, i, p: f.cross_entropy(x.unsqueeze(-1), i.unsqueeze(-1)),
    "cross_entropy_3d_none": lambda f, x, y, i, p: f.cross_entropy(
        x.unsqueeze(-1), i.unsqueeze(-1), reduction="none"),
    "cross_entropy_4d": lambda f, x, y, i, p: f.cross_entropy(
        x.reshape(3, 4, 1, 1), i.reshape(3, 1, 1), reduction="none"),
    "cross_entropy_probs": lambda f, x, y, i, p: f.cross_entropy(x, p),
    "cross_entropy_probs_sum": lambda f, x, y, i, p: f.cross_entropy(x, p, reduction="sum"),
    "cross_entropy_smoothing": lambda f, x, y, i, p: f.cross_entropy(x, i, label_smoothing=0.1),
    "binary_cross_entropy": lambda f, x, y, i, p: f.binary_cross_entropy(p, p.detach()),
    "bce_with_logits": lambda f, x, y, i, p: f.binary_cross_entropy_with_logits(x, p),
    "kl_div": lambda f, x, y, i, p: f.kl_div(x, p, reduction="sum"),
    "kl_div_none": lambda f, x, y, i, p: f.kl_div(x, p, reduction="none"),
    "kl_div_batchmean": lambda f, x, y, i, p: f.kl_div(x, p, reduction="batchmean"),
    "kl_div_log_target": lambda f, x, y, i, p: f.kl_div(x, y, reduction="none",
                                                        log_target=True),
    "poisson_nll_loss": lambda f, x, y, i, p: f.poisson_nll_loss(x, p, reduction="none"),
    "gaussian_nll_loss": lambda f, x, y, i, p: f.gaussian_nll_loss(x, y, p, reduction="none"),
    "cosine_embedding": lambda f, x, y, i, p: f.cosine_embedding_loss(
        x, y, i.sign() * 2 - 1, reduction="none"),
    "margin_ranking": lambda f, x, y, i, p: f.margin_ranking_loss(x, y, p, reduction="none"),
    "triplet_margin": lambda f, x, y, i, p: f.triplet_margin_loss(x, y, p, reduction="none"),
    "hinge_embedding": lambda f, x, y, i, p: f.hinge_embedding_loss(x, p, reduction="none"),
}


@pytest.mark.parametrize("name", GRAD_FNS)
def test_grad_fn_name_matches_torch(name):
    x, y = _logits(3, 4), _logits(3, 4)
    p = RNG.uniform(0.05, 0.95, (3, 4)).astype(np.float32)
    outs = []
    for lib, f in ((ember, F), (torch, TF)):
        xs = [lib.tensor(a, requires_grad=True) for a in (x, y, p)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outs.append(GRAD_FNS[name](f, xs[0], xs[1], lib.tensor(IDX), xs[2]))
    assert type(outs[0].grad_fn).__name__ == type(outs[1].grad_fn).__name__


# ---------------------------------------------------------------- stability


@pytest.mark.parametrize("pos_weight", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "none"])
def test_bce_with_logits_is_stable_at_1e4(pos_weight, reduction):
    x = np.array([1e4, -1e4, 1e4, -1e4, 3e4, 0.5], np.float32)
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.5, 0.25], np.float32)
    (ex, tx), (ey, ty) = _both(x, True), _both(y, True)
    kw = {}
    if pos_weight:
        kw = {"pos_weight": ember.tensor(np.full(6, 2.5, np.float32))}
    e_out = F.binary_cross_entropy_with_logits(ex, ey, reduction=reduction, **kw)
    if pos_weight:
        kw = {"pos_weight": torch.full((6,), 2.5)}
    t_out = TF.binary_cross_entropy_with_logits(tx, ty, reduction=reduction, **kw)
    assert np.isfinite(e_out.detach().numpy()).all()
    assert_same(e_out, t_out)
    e_out.sum().backward()
    t_out.sum().backward()
    assert_same(ex.grad, tx.grad)
    assert_same(ey.grad, ty.grad)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_cross_entropy_is_stable_at_1e4(label_smoothing):
    x = np.array([[1e4, -1e4, 0.0], [-2e4, 1e4, 1e4]], np.float32)
    ex, tx = _both(x, True)
    e_out = F.cross_entropy(ex, ember.tensor([1, 2]), label_smoothing=label_smoothing)
    t_out = TF.cross_entropy(tx, torch.tensor([1, 2]), label_smoothing=label_smoothing)
    assert_same(e_out, t_out)
    e_out.backward()
    t_out.backward()
    assert_same(ex.grad, tx.grad)


def test_kl_div_log_target_and_bce_clamp_are_stable():
    x = np.array([[-1e4, -0.5, 0.0]], np.float32)
    ex, tx = _both(x, True)
    assert_same(F.kl_div(ex, ex * 2, reduction="sum", log_target=True),
                TF.kl_div(tx, tx * 2, reduction="sum", log_target=True))
    p = np.array([0.0, 1.0, 1e-30, 0.5], np.float32)
    t = np.array([1.0, 0.0, 1.0, 0.5], np.float32)
    (ep, tp), (et, tt) = _both(p, True), _both(t, True)
    e_out = F.binary_cross_entropy(ep, et, reduction="none")
    t_out = TF.binary_cross_entropy(tp, tt, reduction="none")
    assert_same(e_out, t_out)  # each log clamped at -100: losses of 100
    e_out.sum().backward()
    t_out.sum().backward()
    assert_same(ep.grad, tp.grad)
    assert_same(et.grad, tt.grad)


def test_empty_and_fully_ignored_means_are_nan_as_torch():
    for lib, f in ((ember, F), (torch, TF)):
        x = lib.zeros(2, 3)
        assert f.nll_loss(x, lib.tensor([-100, -100])).isnan().item()
        assert f.cross_entropy(lib.zeros(0, 3), lib.zeros(0, dtype=lib.int64)).isnan().item()
        assert f.mse_loss(lib.zeros(0), lib.zeros(0)).isnan().item()
        assert f.cross_entropy(lib.zeros(0, 3), lib.zeros(0, 3)).isnan().item()


def test_nll_loss_1d_input_with_size_1_target_as_torch():
    e, t = _both(_logits(4), True)
    for r in ("mean", "none"):
        assert_same(F.nll_loss(e, ember.tensor([2]), reduction=r),
                    TF.nll_loss(t, torch.tensor([2]), reduction=r))


def test_cross_entropy_double_precision_probabilities_promote():
    e, t = _both(_logits(3, 4), True)
    p = RNG.uniform(size=(3, 4))
    # float32 log-probabilities times float64 targets: float64, with float32 rounding inside
    assert_same(F.cross_entropy(e, ember.tensor(p)), TF.cross_entropy(t, torch.tensor(p)),
                rtol=1e-6)


# ---------------------------------------------------------------- ctc

CTC_CASES = {
    # name: (T, N, C, targets, input_lengths, target_lengths, kwargs)
    "padded": (6, 2, 5, [[1, 2, 2], [3, 1, 0]], [6, 6], [3, 2], {}),
    "concatenated": (6, 2, 5, [1, 2, 2, 3, 1], [6, 5], [3, 2], {}),
    "short_inputs": (7, 3, 4, [[1, 1, 2, 3], [2, 2, 2, 2], [3, 1, 0, 0]], [7, 4, 3],
                     [4, 2, 2], {}),
    "impossible": (6, 2, 5, [[1, 2, 2], [3, 1, 0]], [2, 6], [3, 2], {}),
    "zero_infinity": (6, 2, 5, [[1, 2, 2], [3, 1, 0]], [2, 6], [3, 2], {"zero_infinity": True}),
    "empty_target": (5, 2, 3, [[1, 2], [0, 0]], [5, 3], [2, 0], {}),
    "blank_last": (6, 2, 5, [[1, 0, 0], [3, 1, 2]], [6, 6], [3, 3], {"blank": 4}),
    "long": (40, 3, 6, RNG.integers(1, 6, (3, 12)).tolist(), [40, 35, 30], [12, 10, 7], {}),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("name", CTC_CASES)
def test_ctc_loss_matches_torch(name, reduction, dtype):
    T, N, C, targets, in_len, tgt_len, kw = CTC_CASES[name]
    lp = np.log(RNG.dirichlet(np.ones(C), size=(T, N))).astype(dtype)
    e, t = _both(lp, True)
    outs = []
    for lib, f, x in ((ember, F, e), (torch, TF, t)):
        outs.append(f.ctc_loss(x, lib.tensor(targets), lib.tensor(in_len), lib.tensor(tgt_len),
                               reduction=reduction, **kw))
    tol = {"rtol": 1e-4, "atol": 1e-5} if dtype == np.float32 else {}
    assert_same(outs[0], outs[1], **tol)
    g = RNG.standard_normal(tuple(outs[1].shape)).astype(dtype)
    outs[0].backward(ember.tensor(g))
    outs[1].backward(torch.tensor(g))
    assert_same(e.grad, t.grad, **tol)  # torch's gradient, as if through a log_softmax


def test_ctc_loss_unbatched_and_lengths_as_lists():
    lp = np.log(RNG.dirichlet(np.ones(4), size=6))
    e, t = _both(lp, True)
    e_out = F.ctc_loss(e, ember.tensor([1, 3, 3]), (6,), (3,), reduction="none")
    t_out = TF.ctc_loss(t, torch.tensor([1, 3, 3]), (6,), (3,), reduction="none")
    assert_same(e_out, t_out)
    assert type(e_out.grad_fn).__name__ == type(t_out.grad_fn).__name__
    e_out.backward()
    t_out.backward()
    assert_same(e.grad, t.grad)


def test_ctc_loss_has_no_double_backward_as_torch():
    def second(lib, f):
        x = lib.tensor(np.log(RNG.dirichlet(np.ones(4), size=(5, 1))), requires_grad=True)
        out = f.ctc_loss(x, lib.tensor([[1, 2]]), lib.tensor([5]), lib.tensor([2]))
        (g,) = lib.autograd.grad(out, x, create_graph=True)
        lib.autograd.grad(g.sum(), x)

    err = raises_like(lambda: second(ember, F), lambda: second(torch, TF))
    assert "_ctc_loss_backward is not implemented" in str(err)


# ---------------------------------------------------------------- warnings


def test_kl_div_mean_warns_as_torch():
    x = ember.zeros(2, 3)
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(x, x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.kl_div(x, x, reduction="batchmean")


def test_target_size_mismatch_warns_as_torch():
    for lib, f in ((ember, F), (torch, TF)):
        with pytest.warns(UserWarning) as rec:
            f.mse_loss(lib.zeros(3, 4), lib.zeros(4))
        assert "Using a target size (torch.Size([4])) that is different" in str(rec[0].message)
        assert rec[0].filename == __file__  # attributed to the caller


# ---------------------------------------------------------------- errors

X = np.zeros((3, 4), np.float32)
ERRORS = {
    "batch_size": lambda f, lib: f.nll_loss(lib.tensor(X), lib.tensor([0, 1])),
    "target_high": lambda f, lib: f.nll_loss(lib.tensor(X), lib.tensor([0, 1, 4])),
    "target_negative": lambda f, lib: f.cross_entropy(lib.tensor(X), lib.tensor([0, -1, 2])),
    "target_float": lambda f, lib: f.nll_loss(lib.tensor(X), lib.tensor([0.0, 1.0, 2.0])),
    "target_int32": lambda f, lib: f.nll_loss(lib.tensor(X), lib.tensor([0, 1, 2],
                                                                        dtype=lib.int32)),
    "target_2d": lambda f, lib: f.nll_loss(lib.tensor(X), lib.tensor([[0], [1], [2]])),
    "weight_size": lambda f, lib: f.cross_entropy(lib.tensor(X), lib.tensor([0, 1, 2]),
                                                  lib.ones(3)),
    "weight_dtype": lambda f, lib: f.nll_loss(lib.tensor(X), lib.tensor([0, 1, 2]),
                                              lib.ones(4, dtype=lib.float64)),
    "weight_requires_grad": lambda f, lib: f.nll_loss(lib.tensor(X), lib.tensor([0, 1, 2]),
                                                      lib.ones(4, requires_grad=True)),
    "0d_input": lambda f, lib: f.nll_loss(lib.tensor(1.0), lib.tensor(0)),
    "1d_target_size": lambda f, lib: f.nll_loss(lib.zeros(4), lib.tensor([1, 2])),
    "3d_target": lambda f, lib: f.cross_entropy(lib.zeros(2, 3, 4), lib.zeros(2, 5,
                                                                              dtype=lib.int64)),
    "4d_target_rank": lambda f, lib: f.cross_entropy(lib.zeros(2, 3, 4, 5),
                                                     lib.zeros(2, 4, dtype=lib.int64)),
    "4d_target_size": lambda f, lib: f.nll_loss(lib.zeros(2, 3, 4, 5),
                                                lib.zeros(2, 4, 6, dtype=lib.int64)),
    "4d_target_high": lambda f, lib: f.nll_loss(lib.zeros(2, 3, 4, 5),
                                                lib.full((2, 4, 5), 3)),
    "reduction": lambda f, lib: f.cross_entropy(lib.tensor(X), lib.tensor([0, 1, 2]),
                                                reduction="average"),
    "probs_long": lambda f, lib: f.cross_entropy(lib.tensor(X), lib.zeros(3, 4,
                                                                          dtype=lib.int64)),
    "probs_ignore_index": lambda f, lib: f.cross_entropy(lib.tensor(X), lib.tensor(X),
                                                         ignore_index=1),
    "probs_weight": lambda f, lib: f.cross_entropy(lib.tensor(X), lib.tensor(X), lib.ones(3)),
    "smoothing": lambda f, lib: f.cross_entropy(lib.tensor(X), lib.tensor([0, 1, 2]),
                                                label_smoothing=1.5),
    "int_input": lambda f, lib: f.cross_entropy(lib.zeros(3, 4, dtype=lib.int32),
                                                lib.tensor([0, 1, 2])),
    "bce_size": lambda f, lib: f.binary_cross_entropy(lib.tensor(X), lib.zeros(3)),
    "bce_dtype": lambda f, lib: f.binary_cross_entropy(lib.tensor(X),
                                                       lib.zeros(3, 4, dtype=lib.float64)),
    "bce_input_range": lambda f, lib: f.binary_cross_entropy(lib.tensor(X) + 2,
                                                             lib.tensor(X)),
    "bce_target_range": lambda f, lib: f.binary_cross_entropy(lib.tensor(X),
                                                              lib.tensor(X) - 1),
    "bce_weight_shape": lambda f, lib: f.binary_cross_entropy(lib.tensor(X), lib.tensor(X),
                                                              lib.ones(2, 3, 4)),
    "bce_logits_size": lambda f, lib: f.binary_cross_entropy_with_logits(lib.tensor(X),
                                                                         lib.zeros(3)),
    "bce_logits_pos_weight": lambda f, lib: f.binary_cross_entropy_with_logits(
        lib.tensor(X), lib.tensor(X), pos_weight=lib.ones(4, requires_grad=True)),
    "mse_shapes": lambda f, lib: f.mse_loss(lib.tensor(X), lib.zeros(5)),
    "mse_weight": lambda f, lib: f.mse_loss(lib.tensor(X), lib.tensor(X), weight=lib.ones(4)),
    "smooth_l1_beta": lambda f, lib: f.smooth_l1_loss(lib.tensor(X), lib.tensor(X), beta=-1.0),
    "huber_delta": lambda f, lib: f.huber_loss(lib.tensor(X), lib.tensor(X), delta=0.0),
    "kl_div_reduction": lambda f, lib: f.kl_div(lib.tensor(X), lib.tensor(X), reduction="avg"),
    "cosine_target_2d": lambda f, lib: f.cosine_embedding_loss(
        lib.tensor(X), lib.tensor(X), lib.ones(1, 3)),
    "cosine_dims": lambda f, lib: f.cosine_embedding_loss(lib.tensor(X), lib.tensor(X),
                                                          lib.tensor(1)),
    "margin_ranking_dims": lambda f, lib: f.margin_ranking_loss(lib.tensor(X), lib.tensor(X),
                                                                lib.ones(3)),
    "triplet_dims": lambda f, lib: f.triplet_margin_loss(lib.tensor(X), lib.tensor(X),
                                                         lib.zeros(4)),
    "triplet_margin": lambda f, lib: f.triplet_margin_loss(lib.tensor(X), lib.tensor(X),
                                                           lib.tensor(X), margin=0),
    "gaussian_var_size": lambda f, lib: f.gaussian_nll_loss(lib.tensor(X), lib.tensor(X),
                                                            lib.ones(3, 5)),
    "gaussian_var_negative": lambda f, lib: f.gaussian_nll_loss(lib.tensor(X), lib.tensor(X),
                                                                -lib.ones(3, 4)),
    "gaussian_reduction": lambda f, lib: f.gaussian_nll_loss(lib.tensor(X), lib.tensor(X),
                                                             lib.ones(3, 4), reduction="x"),
    "poisson_reduction": lambda f, lib: f.poisson_nll_loss(lib.tensor(X), lib.tensor(X),
                                                           reduction="x"),
    "ctc_input_length": lambda f, lib: f.ctc_loss(lib.zeros(4, 2, 3), lib.ones(2, 2,
                                                                               dtype=lib.int64),
                                                  [4, 5], [2, 2]),
    "ctc_batch": lambda f, lib: f.ctc_loss(lib.zeros(4, 2, 3), lib.ones(2, 2, dtype=lib.int64),
                                           [4], [2, 2]),
    "ctc_target_lengths": lambda f, lib: f.ctc_loss(lib.zeros(4, 2, 3),
                                                    lib.ones(2, 2, dtype=lib.int64),
                                                    [4, 4], [2]),
    "ctc_target_size": lambda f, lib: f.ctc_loss(lib.zeros(4, 2, 3),
                                                 lib.ones(2, 2, dtype=lib.int64),
                                                 [4, 4], [3, 2]),
    "ctc_blank": lambda f, lib: f.ctc_loss(lib.zeros(4, 2, 3), lib.ones(2, 2, dtype=lib.int64),
                                           [4, 4], [2, 2], blank=3),
}


@pytest.mark.parametrize("name", ERRORS)
def test_error_matches_torch(name):
    call = ERRORS[name]
    err = raises_like(lambda: call(F, ember), lambda: call(TF, torch))
    with pytest.raises(Exception) as t_info:
        call(TF, torch)
    assert str(err) == str(t_info.value)
