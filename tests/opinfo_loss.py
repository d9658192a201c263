"""OpInfo rows for the losses of ember.nn.functional (ember/ops/loss.py), one row per
loss, option and reduction. See opinfo.py for what a row means.

Class-index targets, lengths and signs are built inside the call with the library's
``tensor``; probability targets come from an input through ``softmax``/``sigmoid``, so
their gradients are compared too.
"""

import functools

from opinfo import OpInfo

REDUCTIONS = ("mean", "sum", "none")


def _lib(like):
    """ember or torch: the library of tensor ``like``."""
    return __import__(type(like).__module__.split(".")[0])


def _t(like, values):
    """An int64 tensor of ``like``'s library."""
    return _lib(like).tensor(values)


def _f(like, values):
    """A float tensor of ``like``'s library, in ``like``'s dtype."""
    return _lib(like).tensor(values, dtype=like.dtype)


def L(name, variant, call, samples, **kw):
    """A row for ``nn.functional.<name>``: ``call(F, *xs)``."""
    return OpInfo(f"nn.functional.{name}", variant,
                  lambda lib, *xs: call(lib.nn.functional, *xs), samples, **kw)


def _per_reduction(name, variant, call, samples, **kw):
    """One row per reduction; ``call(F, r, *xs)`` gets the reduction as ``r``."""
    return [L(name, f"{variant}_{r}" if variant else r, functools.partial(_with, call, r),
              samples, **kw) for r in REDUCTIONS]


def _with(call, reduction, f, *xs):
    return call(f, reduction, *xs)


PAIRS = [((3, 4), (3, 4)), ((2, 3, 2), (2, 3, 2)), ((5,), (5,)), ((), ()), ((3, 4), (4,)),
         ((0, 2), (0, 2))]
N4 = [0, 3, 1]  # class indices of a (3, C >= 4) input
N4_IGN = [0, -100, 3]
W4 = [0.5, 1.5, 2.0, 0.7]  # class weights
W3 = [0.3, 1.0, 2.5]
SPATIAL = [[[0, 2], [1, 1]], [[2, 0], [1, 2]]]  # (2, 2, 2) targets of 3 classes
ROWS = [
    *_per_reduction("mse_loss", "", lambda f, r, x, y: f.mse_loss(x, y, reduction=r), PAIRS),
    *_per_reduction("l1_loss", "", lambda f, r, x, y: f.l1_loss(x, y, reduction=r), PAIRS,
                    gradgrad=False),  # a derivative of |d|: zero almost everywhere
    *_per_reduction("mse_loss", "weight", lambda f, r, x, y, w: f.mse_loss(
        x, y, reduction=r, weight=w), [((3, 4), (3, 4), (3, 4))], low=0.1),
    *_per_reduction("l1_loss", "weight", lambda f, r, x, y, w: f.l1_loss(
        x, y, reduction=r, weight=w), [((3, 4), (3, 4), (3, 4))], low=0.1),
    *_per_reduction("smooth_l1_loss", "", lambda f, r, x, y: f.smooth_l1_loss(
        x, y, reduction=r), PAIRS),
    *_per_reduction("smooth_l1_loss", "beta", lambda f, r, x, y: f.smooth_l1_loss(
        x, y, reduction=r, beta=0.5), PAIRS[:2]),
    L("smooth_l1_loss", "beta0", lambda f, x, y: f.smooth_l1_loss(x, y, beta=0.0),
      PAIRS[:2], gradgrad=False),
    *_per_reduction("huber_loss", "", lambda f, r, x, y: f.huber_loss(x, y, reduction=r),
                    PAIRS),
    *_per_reduction("huber_loss", "delta", lambda f, r, x, y: f.huber_loss(
        x, y, reduction=r, delta=2.5), PAIRS[:2], low=-4, high=4),
    L("huber_loss", "weight", lambda f, x, y, w: f.huber_loss(x, y, weight=w),
      [((3, 4), (3, 4), (3, 4))]),
    # nll_loss on log-probabilities of (C), (N, C), (N, C, d1), (N, C, d1, d2), (N, C, d1, d2, d3)
    *_per_reduction("nll_loss", "", lambda f, r, x: f.nll_loss(
        x, _t(x, N4), reduction=r), [(3, 4)], high=0),
    *_per_reduction("nll_loss", "weight_ignore", lambda f, r, x: f.nll_loss(
        x, _t(x, N4_IGN), _f(x, W4), ignore_index=-100, reduction=r), [(3, 4)], high=0),
    *_per_reduction("nll_loss", "ignore_index", lambda f, r, x: f.nll_loss(
        x, _t(x, N4), ignore_index=3, reduction=r), [(3, 4)], high=0),
    *_per_reduction("nll_loss", "1d", lambda f, r, x: f.nll_loss(
        x, _t(x, 2), reduction=r), [(4,)], high=0),
    *_per_reduction("nll_loss", "3d", lambda f, r, x: f.nll_loss(
        x, _t(x, SPATIAL[0]), reduction=r), [(2, 3, 2)], high=0),
    *_per_reduction("nll_loss", "4d_weight", lambda f, r, x: f.nll_loss(
        x, _t(x, SPATIAL), _f(x, W3), reduction=r), [(2, 3, 2, 2)], high=0),
    *_per_reduction("nll_loss", "5d", lambda f, r, x: f.nll_loss(
        x, _t(x, [SPATIAL, SPATIAL]), reduction=r), [(2, 3, 2, 2, 2)], high=0),
    L("nll_loss", "empty", lambda f, x: f.nll_loss(x, _lib(x).zeros(0, dtype=_lib(x).int64),
                                                   reduction="sum"),
      [(0, 3)]),
    # cross_entropy with class indices, probabilities, weights, ignore_index, smoothing
    *_per_reduction("cross_entropy", "", lambda f, r, x: f.cross_entropy(
        x, _t(x, N4), reduction=r), [(3, 4)]),
    L("cross_entropy", "t", lambda f, x: f.cross_entropy(x.t(), _t(x, N4)), [(4, 3)]),
    *_per_reduction("cross_entropy", "1d", lambda f, r, x: f.cross_entropy(
        x, _t(x, 1), reduction=r), [(4,)]),
    *_per_reduction("cross_entropy", "weight_ignore", lambda f, r, x: f.cross_entropy(
        x, _t(x, N4_IGN), _f(x, W4), reduction=r), [(3, 4)]),
    *_per_reduction("cross_entropy", "4d", lambda f, r, x: f.cross_entropy(
        x, _t(x, SPATIAL), reduction=r), [(2, 3, 2, 2)]),
    *_per_reduction("cross_entropy", "3d_weight", lambda f, r, x: f.cross_entropy(
        x, _t(x, SPATIAL[0]), _f(x, W3), reduction=r), [(2, 3, 2)]),
    *_per_reduction("cross_entropy", "smoothing", lambda f, r, x: f.cross_entropy(
        x, _t(x, N4), reduction=r, label_smoothing=0.2), [(3, 4)]),
    *_per_reduction("cross_entropy", "smoothing_weight_ignore", lambda f, r, x:
                    f.cross_entropy(x, _t(x, N4_IGN), _f(x, W4), reduction=r,
                                    label_smoothing=0.3), [(3, 4)]),
    *_per_reduction("cross_entropy", "smoothing_4d", lambda f, r, x: f.cross_entropy(
        x, _t(x, SPATIAL), reduction=r, label_smoothing=0.1), [(2, 3, 2, 2)]),
    *_per_reduction("cross_entropy", "probs", lambda f, r, x, p: f.cross_entropy(
        x, p.softmax(1), reduction=r), [((3, 4), (3, 4)), ((2, 3, 2), (2, 3, 2))]),
    *_per_reduction("cross_entropy", "probs_weight_smoothing", lambda f, r, x, p:
                    f.cross_entropy(x, p.softmax(-1), _f(x, W4), reduction=r,
                                    label_smoothing=0.25), [((3, 4), (3, 4)), ((4,), (4,))]),
    # binary cross entropy on probabilities, and on logits
    *_per_reduction("binary_cross_entropy", "", lambda f, r, x, y: f.binary_cross_entropy(
        x, y, reduction=r), [((3, 4), (3, 4)), ((5,), (5,)), ((), ())], low=0.05, high=0.95),
    *_per_reduction("binary_cross_entropy", "weight", lambda f, r, x, y:
                    f.binary_cross_entropy(x, y, _f(x, W4), reduction=r),
                    [((3, 4), (3, 4))], low=0.05, high=0.95),
    *_per_reduction("binary_cross_entropy_with_logits", "", lambda f, r, x, y:
                    f.binary_cross_entropy_with_logits(x, y.sigmoid(), reduction=r),
                    [((3, 4), (3, 4)), ((5,), (5,)), ((), ())], low=-4, high=4),
    *_per_reduction("binary_cross_entropy_with_logits", "weights", lambda f, r, x, y:
                    f.binary_cross_entropy_with_logits(x, y.sigmoid(), _f(x, [[0.5], [2.0],
                                                                             [1.0]]),
                                                       reduction=r, pos_weight=_f(x, W4)),
                    [((3, 4), (3, 4))], low=-3, high=3),
    # distributions
    *_per_reduction("kl_div", "", lambda f, r, x, y: f.kl_div(
        x.log_softmax(-1), y.softmax(-1), reduction=r), [((3, 4), (3, 4)), ((5,), (5,))]),
    L("kl_div", "batchmean", lambda f, x, y: f.kl_div(x.log_softmax(-1), y.softmax(-1),
                                                      reduction="batchmean"),
      [((3, 4), (3, 4)), ((5,), (5,))]),
    *_per_reduction("kl_div", "log_target", lambda f, r, x, y: f.kl_div(
        x.log_softmax(-1), y.log_softmax(-1), reduction=r, log_target=True),
        [((3, 4), (3, 4))]),
    *_per_reduction("poisson_nll_loss", "", lambda f, r, x, y: f.poisson_nll_loss(
        x, y, reduction=r), [((3, 4), (3, 4))], low=0.1, high=3),
    *_per_reduction("poisson_nll_loss", "full_rate", lambda f, r, x, y: f.poisson_nll_loss(
        x, y, log_input=False, full=True, reduction=r), [((3, 4), (3, 4))], low=0.1, high=3),
    *_per_reduction("gaussian_nll_loss", "", lambda f, r, x, y, v: f.gaussian_nll_loss(
        x, y, v, reduction=r), [((3, 4), (3, 4), (3, 4)), ((3, 4), (3, 4), (3,)),
                                ((3, 4), (3, 4), (3, 1)), ((2, 3, 4), (2, 3, 4), (2, 1, 4))],
        low=0.1),
    L("gaussian_nll_loss", "full_float_var", lambda f, x, y: f.gaussian_nll_loss(
        x, y, 0.5, full=True), [((3, 4), (3, 4))]),
    # embeddings and ranking
    *_per_reduction("cosine_embedding_loss", "", lambda f, r, a, b: f.cosine_embedding_loss(
        a, b, _t(a, [1, -1, -1]), margin=-0.5, reduction=r), [((3, 4), (3, 4))]),
    L("cosine_embedding_loss", "0d", lambda f, a, b: f.cosine_embedding_loss(
        a, b, _t(a, -1), margin=-0.9), [((4,), (4,))]),
    *_per_reduction("margin_ranking_loss", "", lambda f, r, a, b: f.margin_ranking_loss(
        a, b, _f(a, [1, -1, 1]), margin=0.3, reduction=r), [((3,), (3,))],
        gradgrad=False),
    *_per_reduction("hinge_embedding_loss", "", lambda f, r, x: f.hinge_embedding_loss(
        x, _f(x, [[1, -1, 1], [-1, -1, 1]]), margin=1.5, reduction=r), [(2, 3)],
        away_from=(1.5,), gradgrad=False),
    *_per_reduction("triplet_margin_loss", "", lambda f, r, a, p, n: f.triplet_margin_loss(
        a, p, n, margin=2.0, reduction=r), [((3, 4), (3, 4), (3, 4)), ((4,), (4,), (4,))]),
    L("triplet_margin_loss", "p1_swap", lambda f, a, p, n: f.triplet_margin_loss(
        a, p, n, margin=3.0, p=1, swap=True), [((3, 4), (3, 4), (3, 4))], gradgrad=False),
    # ctc: torch's gradient is the one through a log_softmax (tested in test_nn_loss.py)
    *_per_reduction("ctc_loss", "", lambda f, r, x: f.ctc_loss(
        x.log_softmax(2), _t(x, [[1, 2, 2], [3, 1, 0]]), _t(x, [6, 5]), _t(x, [3, 2]),
        reduction=r), [(6, 2, 4)], rtol=1e-4, atol=1e-5, gradgrad=False),
]
