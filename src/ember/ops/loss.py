"""Loss functions, as ``torch.nn.functional`` computes them.

The losses torch computes in one kernel are Functions here, with torch's node names
(``MseLossBackward0``, ``NllLossBackward0``, ``BinaryCrossEntropyBackward0``,
``CtcLossBackward0`` ...). The others are compositions of ember ops, as they are in
torch, so their ``grad_fn`` is the last op's (``MeanBackward0`` for ``l1_loss``).
``cross_entropy`` is ``log_softmax`` then ``nll_loss``, so its node is
``NllLossBackward0``.

Every ``backward`` is written in ember ops: losses have second derivatives (except
``ctc_loss``, whose gradient torch does not differentiate either).

The functional forms (``mse_loss``, ``cross_entropy`` ...) are reached through
``ember.nn.functional``; the modules (``nn.MSELoss`` ...) call them.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .._creation import ones_like, zeros_like
from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.grad_mode import no_grad
from .activation import log_softmax
from .pointwise import Div, _operands, _type_word, exp, log, logit, minimum, sigmoid, where
from .pointwise import xlogy as _xlogy
from .reduction import vector_norm
from .shape import broadcast_shapes, broadcast_tensors

__all__ = [
    "l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "nll_loss", "cross_entropy",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss",
    "gaussian_nll_loss", "cosine_embedding_loss", "margin_ranking_loss",
    "hinge_embedding_loss", "triplet_margin_loss", "ctc_loss",
]


# ---------------------------------------------------------------- reductions


def _reduction(reduction: str, size_average=None, reduce=None) -> str:
    """The reduction to apply, from ``reduction`` or the legacy ``size_average`` /
    ``reduce`` flags (which win, with torch's deprecation warning)."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = ("mean" if size_average else "sum") if reduce else "none"
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      f"reduction='{reduction}' instead.", stacklevel=3)
    elif reduction not in ("none", "mean", "sum"):
        if reduction != "elementwise_mean":
            raise ValueError(f"{reduction} is not a valid value for reduction")
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use "
                      "reduction='mean' instead.", stacklevel=3)
        reduction = "mean"
    return reduction


def _reduce_array(loss: np.ndarray, reduction: str) -> np.ndarray:
    """A kernel's elementwise loss reduced as asked (the mean of nothing is nan)."""
    if reduction == "none":
        return loss
    if reduction == "sum":
        return np.asarray(loss.sum(), dtype=loss.dtype)
    if loss.size == 0:
        return np.full((), np.nan, dtype=loss.dtype)
    return np.asarray(loss.mean(), dtype=loss.dtype)


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    """A composite loss reduced as asked (``MeanBackward0``, ``SumBackward0``)."""
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def _per_element(grad: Tensor, reduction: str, n: int) -> Tensor:
    """The gradient reaching each element of a reduced loss (0-d unless 'none')."""
    return grad / n if reduction == "mean" else grad


def _size_warning(input: Tensor, target: Tensor) -> None:
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input "
                      f"size ({input.size()}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", stacklevel=4)


def _constant(t, fn: str, arg: str):
    """The array of a tensor that a loss takes no gradient for (a class weight...);
    torch refuses one that requires grad."""
    if t is None:
        return None
    if t.requires_grad:
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to "
                           f"argument '{arg}'. This input cannot have requires_grad True.")
    return t._data


def _weighted(loss: Tensor, weight, reduction: str) -> Tensor:
    """torch's per-element weighting of mse/l1/huber: the mean divides by the weights' sum."""
    if weight.shape != loss.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "mean":
        return loss.sum() / weight.sum()
    return loss.sum() if reduction == "sum" else loss


# ---------------------------------------------------------------- regression


class MseLoss(Function):
    name = "MseLossBackward0"

    @staticmethod
    def forward(ctx, a, b, *, reduction):
        ctx.save_for_backward(a, b)
        d = a - b
        ctx.reduction, ctx.n = reduction, d.size
        return _reduce_array(d * d, reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        g = (x - y) * (_per_element(grad, ctx.reduction, ctx.n) * 2)
        return g, -g


class SmoothL1Loss(Function):
    """``0.5 d^2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta``, for ``d = x - y``."""

    name = "SmoothL1LossBackward0"

    @staticmethod
    def forward(ctx, a, b, *, reduction, beta):
        ctx.save_for_backward(a, b)
        d = a - b
        ctx.reduction, ctx.n, ctx.beta = reduction, d.size, beta
        ad = np.abs(d)
        return _reduce_array(np.where(ad < beta, 0.5 * d * d / beta, ad - 0.5 * beta)
                             .astype(d.dtype), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        d, beta = x - y, ctx.beta
        g = where(d.abs() < beta, d / beta, d.sign()) * _per_element(grad, ctx.reduction, ctx.n)
        return g, -g


class HuberLoss(Function):
    """``0.5 d^2`` where ``|d| < delta``, else ``delta (|d| - 0.5 delta)``."""

    name = "HuberLossBackward0"

    @staticmethod
    def forward(ctx, a, b, *, reduction, delta):
        ctx.save_for_backward(a, b)
        d = a - b
        ctx.reduction, ctx.n, ctx.delta = reduction, d.size, delta
        ad = np.abs(d)
        return _reduce_array(np.where(ad < delta, 0.5 * d * d, delta * (ad - 0.5 * delta))
                             .astype(d.dtype), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        d, delta = x - y, ctx.delta
        g = where(d.abs() < delta, d, d.sign() * delta) * _per_element(grad, ctx.reduction,
                                                                         ctx.n)
        return g, -g


def _pair(input, target):
    """Input and target in their common dtype, broadcast to one shape (torch expands
    them before the kernel)."""
    _size_warning(input, target)
    input, target = _operands(input, target)
    if input.shape != target.shape:
        input, target = broadcast_tensors(input, target)
    return input, target


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """The mean (or sum) absolute error ``|input - target|``.

    >>> F.l1_loss(ember.tensor([1.0, 2.0]), ember.tensor([0.0, 4.0]))
    tensor(1.5000)
    """
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _pair(input, target)
    loss = (input - target).abs()
    return _reduce(loss, reduction) if weight is None else _weighted(loss, weight, reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """The mean (or sum) squared error ``(input - target)^2``.

    >>> F.mse_loss(ember.tensor([1.0, 2.0]), ember.tensor([0.0, 4.0]))
    tensor(2.5000)
    """
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _pair(input, target)
    if weight is not None:
        return _weighted((input - target) ** 2, weight, reduction)
    return MseLoss.apply(input, target, reduction=reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Squared error below ``beta`` (divided by ``2 beta``), absolute error above it."""
    reduction = _reduction(reduction, size_average, reduce)
    input, target = _pair(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return _reduce((input - target).abs(), reduction)
    return SmoothL1Loss.apply(input, target, reduction=reduction, beta=beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Squared error (halved) below ``delta``, ``delta``-scaled absolute error above it."""
    input, target = _pair(input, target)
    reduction = _reduction(reduction)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    if weight is None:
        return HuberLoss.apply(input, target, reduction=reduction, delta=delta)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    # unlike mse_loss and l1_loss, the weighted mean here divides by the element count
    return _reduce(HuberLoss.apply(input, target, reduction="none", delta=delta) * weight,
                   reduction)


# ---------------------------------------------------------------- classification


class NllLoss(Function):
    """``-weight[t] * input[n, t]`` for each target class ``t``; ``ignore_index`` targets
    count 0, and the mean divides by the total weight of the targets counted."""

    name = "NllLossBackward0"

    @staticmethod
    def forward(ctx, a, *, target, weight, ignore_index, reduction):
        keep = target != ignore_index
        safe = np.where(keep, target, 0)  # any valid class where ignored; weighted by 0
        w = keep.astype(a.dtype) if weight is None else (weight[safe] * keep).astype(a.dtype)
        at = _at_classes(safe)
        loss = -w * a[at]
        if reduction == "none":
            out, scale = loss, w
        elif reduction == "sum":
            out, scale = loss.sum(), w
        else:
            total = w.sum()
            out, scale = loss.sum() / total, w / total  # no counted targets: nan
        ctx.params = a.shape, at, scale, reduction
        return np.asarray(out, dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        shape, at, scale, reduction = ctx.params
        # d loss / d input: -scale at each target's class, 0 elsewhere (constant)
        coef = np.zeros(shape, dtype=scale.dtype)
        coef[at] = -scale
        if reduction == "none" and len(shape) > 1:
            grad = grad.unsqueeze(1)
        return grad * Tensor._make(coef)


class NllLoss2d(NllLoss):
    name = "NllLoss2DBackward0"  # torch's node for (N, C, d1, ...) inputs


def _at_classes(target: np.ndarray):
    """The index of each target's class in an input of shape ``(C)`` (a 0-d target) or
    ``(N, C, d1, ...)`` (target ``(N, d1, ...)``): ``a[index]`` picks them, as
    ``take_along_axis`` does without its wrapper's cost (4x on a batch of 64)."""
    if target.ndim == 0:
        return target
    grid = np.indices(target.shape, sparse=True)  # broadcasting aranges, one per dim
    return (grid[0], target, *grid[1:])


_TARGET_DTYPES = (np.dtype(np.int64), np.dtype(np.uint8))  # dtype objects: fast to compare


def _check_nll(input, target, weight, kernel: str):
    """torch's checks of nll_loss's arguments, in torch's order; the weight array."""
    a, t = input._data, target._data  # the arrays' shapes: cheaper than Size objects
    dim = a.ndim
    if dim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {dim})")
    if dim <= 2 and t.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if dim != 1 and a.shape[0] != t.shape[0]:
        raise ValueError(f"Expected input batch_size ({a.shape[0]}) to match target "
                         f"batch_size ({t.shape[0]}).")
    if t.dtype not in _TARGET_DTYPES:
        raise RuntimeError("expected target dtype to be Long or Byte, but got "
                           f"{_type_word(t.dtype)}")
    if a.dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{_type_word(a.dtype)}'")
    shape, tshape = list(a.shape), list(t.shape)
    if dim <= 2:
        if t.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if dim == 1 and t.ndim == 1 and tshape != [1]:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target "
                             f"size: {tshape[0]}")
    elif dim == 4:
        if t.ndim != 3:
            raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                               f"targets of dimension: {t.ndim}")
        if shape[2:] != tshape[1:]:
            raise RuntimeError(f"size mismatch (got input: {shape} , target: {tshape}")
    elif shape[2:] != tshape[1:]:
        raise RuntimeError(f"Expected target size {shape[:1] + shape[2:]}, got {tshape}")
    w = _constant(weight, "nll_loss_forward", "weight")
    n_classes = shape[0 if dim == 1 else 1]
    if w is not None:
        if w.ndim != 1 or w.size != n_classes:
            raise RuntimeError(f"weight tensor should be defined either for all {n_classes} "
                               f"classes or no classes but got weight tensor of shape: "
                               f"{list(weight.shape)}")
        if w.dtype != a.dtype:
            raise RuntimeError(f"expected scalar type {_type_word(a.dtype)} but "
                               f"found {_type_word(w.dtype)}")
    return t, w, n_classes


def _check_targets(t: np.ndarray, n_classes: int, ignore_index: int) -> None:
    """torch's IndexError for a target class outside ``[0, n_classes)`` (ignored aside)."""
    if t.size == 0 or (np.minimum.reduce(t, None) >= 0
                       and np.maximum.reduce(t, None) < n_classes):
        return  # every target a class: two reductions, fewer than the exact test below
    bad = (t != ignore_index) & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise IndexError(f"Target {t[bad].flat[0]} is out of bounds.")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """The negative log likelihood of class indices ``target`` under log-probabilities
    ``input`` of shape ``(C)``, ``(N, C)`` or ``(N, C, d1, d2, ...)``.

    >>> F.nll_loss(ember.tensor([[-0.5, -1.0], [-2.0, -0.1]]), ember.tensor([0, 1]))
    tensor(0.3000)
    """
    reduction = _reduction(reduction, size_average, reduce)
    kernel = "nll_loss2d_out_frame" if input.ndim > 2 else "nll_loss_out_frame"
    t, w, n_classes = _check_nll(input, target, weight, kernel)
    _check_targets(t, n_classes, ignore_index)
    params = dict(weight=w, ignore_index=ignore_index, reduction=reduction)
    if input.ndim <= 2:
        if input.ndim == 1:
            t = t.reshape(())
        return NllLoss.apply(input, target=t, **params)
    if input.ndim == 4:
        return NllLoss2d.apply(input, target=t, **params)
    # Other ranks go through the 4-d kernel, as torch does: (N, C, 1, rest)
    n, c = input.shape[:2]
    out = NllLoss2d.apply(input.reshape(n, c, 1, -1), target=t.reshape(n, 1, -1), **params)
    return out.view(t.shape) if reduction == "none" else out


class _DivByCount(Div):
    name = "DivBackward1"  # torch divides by the element count as a Scalar here


def _class_view(weight: Tensor, ndim: int, class_dim: int) -> Tensor:
    """A class weight shaped to broadcast along ``class_dim`` of an ``ndim``-d input."""
    shape = [1] * ndim
    shape[class_dim] = weight.shape[0]
    return weight.view(shape)


def _cross_entropy_probs(logp, target, weight, reduction, label_smoothing, class_dim):
    """Cross entropy against class probabilities (torch's formula, term by term)."""
    n_classes = logp.shape[class_dim]
    if weight is not None and (weight.ndim != 1 or weight.numel() != n_classes):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all "
                           f"{n_classes} classes or no classes but got weight tensor of "
                           f"shape: {list(weight.shape)}")
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    prod = logp * target
    if weight is not None:
        prod = prod * _class_view(weight, logp.ndim, class_dim)
    if reduction == "none":
        return -prod.sum(class_dim)
    total = -prod.sum()
    if reduction == "sum":
        return total
    if logp.numel() == 0:
        return total * math.nan
    return _DivByCount.apply(total, logp.numel() // n_classes)


def _smoothed(logp, target, weight, reduction, ignore_index, label_smoothing, class_dim):
    """Cross entropy of class indices with label smoothing: a mix of the nll loss and
    the mean -log-probability over all classes."""
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    n_classes = logp.shape[class_dim]
    ignored = target == ignore_index
    if weight is not None:
        smooth = -(logp * _class_view(weight, logp.ndim, class_dim)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    smooth = smooth.masked_fill(ignored, 0.0)
    if reduction == "mean":
        kept = target._data[~ignored._data]
        count = weight._data[kept].sum() if weight is not None else kept.size
        smooth = smooth.sum() / Tensor._make(np.asarray(count, dtype=logp._data.dtype))
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * nll + smooth * (label_smoothing / n_classes)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100,
                  reduce=None, reduction="mean", label_smoothing=0.0):
    """Cross entropy between logits ``input`` (``(C)``, ``(N, C)`` or ``(N, C, d1, ...)``)
    and class indices or class probabilities ``target``: ``log_softmax`` then
    ``nll_loss`` for indices.

    >>> F.cross_entropy(ember.tensor([[2.0, 0.0], [0.0, 2.0]]), ember.tensor([0, 1]))
    tensor(0.1269)
    """
    reduction = _reduction(reduction, size_average, reduce)
    class_dim = 0 if input.ndim == 1 else 1
    if input.shape == target.shape:  # same shapes: the target holds probabilities
        if target._data.dtype.kind != "f":
            raise RuntimeError("Expected floating point type for target with class "
                               f"probabilities, got {_type_word(target._data.dtype)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        if label_smoothing > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                               f"{label_smoothing}")
        return _cross_entropy_probs(log_softmax(input, class_dim), target, weight, reduction,
                                    label_smoothing, class_dim)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                               f"{label_smoothing}")
        return _smoothed(log_softmax(input, class_dim), target, weight, reduction,
                         ignore_index, label_smoothing, class_dim)
    return nll_loss(log_softmax(input, class_dim), target, weight, ignore_index=ignore_index,
                    reduction=reduction)


# ---------------------------------------------------------------- binary


def _between_0_and_1(a: np.ndarray) -> bool:
    return bool(np.all((a >= 0) & (a <= 1)))  # nan fails, as in torch


def _expand_weight(weight, shape):
    """A weight array broadcast to the loss's shape, with torch's error if it can't be."""
    if weight is None:
        return None
    full = broadcast_shapes(shape, weight.shape)
    if tuple(full) != tuple(shape):
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast "
                           f"shape {list(full)}")
    return weight


class BinaryCrossEntropy(Function):
    """``-w (t log x + (1 - t) log(1 - x))``, each log held at least -100 (as torch)."""

    name = "BinaryCrossEntropyBackward0"

    @staticmethod
    def forward(ctx, x, t, *, weight, reduction):
        ctx.save_for_backward(x, t)
        ctx.params = weight, reduction, x.size
        loss = (t - 1) * np.maximum(np.log1p(-x), -100) - t * np.maximum(np.log(x), -100)
        if weight is not None:
            loss = loss * weight
        return _reduce_array(loss.astype(x.dtype), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        weight, reduction, n = ctx.params
        g = _per_element(grad, reduction, n)
        if weight is not None:
            g = g * Tensor._make(weight)
        gx = gt = None
        if ctx.needs_input_grad[0]:
            # torch's guard: the denominator x (1 - x) is held at least 1e-12
            gx = g * (x - t) / ((1 - x) * x).clamp_min(1e-12)
        if ctx.needs_input_grad[1]:
            gt = -g * logit(x)
        return gx, gt


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """Binary cross entropy between probabilities ``input`` and ``target`` (both in
    [0, 1]); each log is clamped at -100, so the loss stays finite.

    >>> F.binary_cross_entropy(ember.tensor([0.8, 0.4]), ember.tensor([1.0, 0.0]))
    tensor(0.3670)
    """
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the "
                         f"input size ({input.size()}) is deprecated. Please ensure they have "
                         "the same size.")
    x, t = input._data, target._data
    if t.dtype != x.dtype:
        raise RuntimeError(f"Found dtype {_type_word(t.dtype)} but expected "
                           f"{_type_word(x.dtype)}")
    if not _between_0_and_1(x):
        raise RuntimeError("all elements of input should be between 0 and 1")
    if not _between_0_and_1(t):
        raise RuntimeError("all elements of target should be between 0 and 1")
    w = _expand_weight(_constant(weight, "binary_cross_entropy", "weight"), x.shape)
    if w is not None:
        w = w.astype(x.dtype)
    return BinaryCrossEntropy.apply(input, target, weight=w, reduction=reduction)


class LogSigmoid(Function):
    """``log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|))``: finite for any finite x."""

    name = "LogSigmoidBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return (np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a)))).astype(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * sigmoid(-x)


class BinaryCrossEntropyWithLogits(Function):
    """``w ((1 - t) x - (1 + (p - 1) t) log(sigmoid(x)))`` for logits x and positive weight
    p: the stable form of ``binary_cross_entropy(sigmoid(x), t)``, exact for |x| ~ 1e4."""

    name = "BinaryCrossEntropyWithLogitsBackward0"

    @staticmethod
    def forward(ctx, x, t, *, weight, pos_weight, reduction):
        ctx.save_for_backward(x, t)
        ctx.params = weight, pos_weight, reduction, x.size
        log_sig = np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
        if pos_weight is not None:
            loss = (1 - t) * x - ((pos_weight - 1) * t + 1) * log_sig
        else:
            loss = (1 - t) * x - log_sig
        if weight is not None:
            loss = loss * weight
        return _reduce_array(loss.astype(x.dtype), reduction)

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_tensors
        weight, pw, reduction, n = ctx.params
        g = _per_element(grad, reduction, n)
        if weight is not None:
            g = g * Tensor._make(weight)
        pw = Tensor._make(pw) if pw is not None else None
        gx = gt = None
        if ctx.needs_input_grad[0]:
            if pw is None:
                gx = g * (sigmoid(x) - t)
            else:
                tp = t * pw
                gx = g * ((tp + 1 - t) * sigmoid(x) - tp)
        if ctx.needs_input_grad[1]:
            if pw is None:
                gt = -g * x
            else:
                gt = g * (LogSigmoid.apply(-x) - LogSigmoid.apply(x) * pw)
        return gx, gt


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None,
                                     reduce=None, reduction="mean", pos_weight=None):
    """Binary cross entropy of ``sigmoid(input)`` and ``target``, computed from the
    logits directly (stable for any magnitude); ``pos_weight`` weighs the positive term.

    >>> F.binary_cross_entropy_with_logits(ember.tensor([1e4, -1e4]), ember.tensor([1.0, 0.0]))
    tensor(0.)
    """
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()})")
    input, target = _operands(input, target)
    dt = input._data.dtype
    w = _constant(weight, "binary_cross_entropy_with_logits", "weight")
    pw = _constant(pos_weight, "binary_cross_entropy_with_logits", "pos_weight")
    w = _expand_weight(w, input._data.shape)
    _expand_weight(pw, input._data.shape)
    return BinaryCrossEntropyWithLogits.apply(
        input, target, weight=None if w is None else w.astype(dt),
        pos_weight=None if pw is None else pw.astype(dt), reduction=reduction)


# ---------------------------------------------------------------- distributions


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """The KL divergence ``target * (log(target) - input)`` with ``input`` given as
    log-probabilities (``log_target``: the target too). ``'batchmean'`` divides the sum
    by the batch size, which is the true KL divergence; ``'mean'`` (the default) divides by
    the number of elements and warns, as torch.

    >>> p = ember.tensor([[0.5, 0.5]])
    >>> F.kl_div(ember.tensor([[0.25, 0.75]]).log(), p, reduction="batchmean")
    tensor(0.1438)
    """
    if size_average is not None or reduce is not None:
        reduction = _reduction(reduction, size_average, reduce)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                      "support size.'batchmean' divides only by the batch size, and aligns with "
                      "the KL div math definition.'mean' will be changed to behave the same as "
                      "'batchmean' in the next major release.", stacklevel=2)
    batchmean = reduction == "batchmean"
    if not batchmean:
        reduction = _reduction(reduction)
    if log_target:
        loss = exp(target) * (target - input)
    else:
        loss = _xlogy(target, target) - target * input
    if batchmean:
        total = loss.sum()
        return total / input.shape[0] if input.ndim != 0 else total
    return _reduce(loss, reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """Negative log likelihood of ``target`` under a Poisson distribution of rate
    ``exp(input)`` (``log_input``) or ``input``; ``full`` adds Stirling's term."""
    reduction = _reduction(reduction, size_average, reduce)
    if log_input:
        loss = exp(input) - target * input
    else:
        loss = input - target * log(input + eps)
    if full:
        stirling = target * log(target) - target + log(target * (2 * math.pi)) * 0.5
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """Negative log likelihood of ``target`` under normal distributions of mean ``input``
    and variance ``var`` (one per element, or broadcast along one dimension); the
    variance is held at least ``eps``, outside the gradient."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * ones_like(input)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)  # one variance per row: broadcast along the last dim
        elif not (input.ndim == var.ndim and
                  sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    with no_grad():  # torch clamps in place outside the graph: the gradient ignores it
        var.clamp_(min=eps)
    loss = (log(var) + (input - target) ** 2 / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


# ---------------------------------------------------------------- embeddings and ranking


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """``1 - cos(x1, x2)`` where ``target`` is 1, ``max(0, cos(x1, x2) - margin)`` where it
    is -1 (cosines along the last dimension)."""
    reduction = _reduction(reduction, size_average, reduce)
    dim = target.ndim
    if dim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input1.ndim != dim + 1 or input2.ndim != dim + 1:
        raise RuntimeError(f"{dim}D target tensor expects {dim + 1}D input tensors, but found "
                           f"inputs with sizes {list(input1.shape)} and {list(input2.shape)}.")
    eps = 1e-12  # keeps the denominator of zero vectors positive
    prod = (input1 * input2).sum(dim)
    mag1 = (input1 * input1).sum(dim) + eps
    mag2 = (input2 * input2).sum(dim) + eps
    cos = prod / (mag1 * mag2).sqrt()
    zero = zeros_like(cos)
    loss = where(target == 1, 1 - cos, zero) + where(target == -1, (cos - margin).clamp_min(0),
                                                     zero)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """``max(0, -target * (input1 - input2) + margin)``: input1 should rank above input2
    where ``target`` is 1, below where it is -1."""
    reduction = _reduction(reduction, size_average, reduce)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.size()}, input2: {input2.size()}, "
                           f"target: {target.size()} ")
    return _reduce((-target * (input1 - input2) + margin).clamp_min(0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """``input`` where ``target`` is 1, ``max(0, margin - input)`` where it is -1."""
    reduction = _reduction(reduction, size_average, reduce)
    zero = zeros_like(input)
    margin_clamp = (margin - input).clamp_min(0)
    loss = where(target != 1, margin_clamp, zero) + where(target != -1, input, zero)
    return _reduce(loss, reduction)


def _pairwise_distance(x1, x2, p, eps):
    """torch's pairwise_distance: the p-norm of ``x1 - x2 + eps`` over the last dim."""
    return vector_norm(x1 - x2 + eps, p, max(x1.ndim, x2.ndim) - 1)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """``max(0, d(a, p) - d(a, n) + margin)`` with ``d`` the p-norm distance; ``swap``
    uses ``d(p, n)`` where it is the smaller negative distance."""
    reduction = _reduction(reduction, size_average, reduce)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a, pd, nd = anchor.ndim, positive.ndim, negative.ndim
    if not a == pd == nd:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have "
                           f"the same number of dimensions, but got: anchor {a}D, positive "
                           f"{pd}D, and negative {nd}D inputs")
    d_pos = _pairwise_distance(anchor, positive, p, eps)
    d_neg = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = minimum(d_neg, _pairwise_distance(positive, negative, p, eps))
    return _reduce((d_pos - d_neg + margin).clamp_min(0), reduction)


# ---------------------------------------------------------------- ctc


def _ctc_alpha(lp_ext, skip, in_len, tgt_len):
    """Forward variables of CTC in log space: ``alpha[t, n, s]`` is the log probability of
    the paths through the blank-extended target up to position ``s`` at time ``t``. Returns
    them and each sequence's negative log likelihood."""
    T, N, S = lp_ext.shape
    valid = np.arange(S) < (2 * tgt_len + 1)[:, None]
    alpha = np.full((T, N, S), -np.inf)
    start = np.full((N, S), -np.inf)
    start[:, 0] = lp_ext[0, :, 0]
    start[:, 1:2] = np.where(tgt_len[:, None] > 0, lp_ext[0, :, 1:2], -np.inf)
    alpha[0] = start
    pad = np.full((N, 1), -np.inf)
    for t in range(1, T):
        prev = alpha[t - 1]
        one = np.concatenate([pad, prev[:, :-1]], 1)
        two = np.where(skip, np.concatenate([pad, pad, prev[:, :-2]], 1), -np.inf)
        alpha[t] = np.where(valid, np.logaddexp(np.logaddexp(prev, one), two) + lp_ext[t],
                            -np.inf)
    last = alpha[np.maximum(in_len - 1, 0), np.arange(N)]
    ends = np.stack([last[np.arange(N), 2 * tgt_len],
                     np.where(tgt_len > 0, last[np.arange(N), np.maximum(2 * tgt_len - 1, 0)],
                              -np.inf)])
    log_lik = np.logaddexp(ends[0], ends[1])
    # no input at all: only the empty target has a path (probability 1)
    log_lik = np.where(in_len == 0, np.where(tgt_len == 0, 0.0, -np.inf), log_lik)
    return alpha, -log_lik


def _ctc_beta(lp_ext, skip, in_len, tgt_len):
    """Backward variables of CTC: ``beta[t, n, s]``, the log probability of the paths
    from position ``s`` at time ``t`` to the end (emission at ``t`` included)."""
    T, N, S = lp_ext.shape
    valid = np.arange(S) < (2 * tgt_len + 1)[:, None]
    end = 2 * tgt_len
    start = np.full((N, S), -np.inf)
    last = np.maximum(in_len - 1, 0)
    start[np.arange(N), end] = lp_ext[last, np.arange(N), end]
    has = tgt_len > 0
    start[np.arange(N)[has], end[has] - 1] = lp_ext[last[has], np.arange(N)[has], end[has] - 1]
    # a jump from s to s + 2 is allowed where s + 2 may be reached by a skip
    skip_from = np.concatenate([skip[:, 2:], np.zeros((N, 2), bool)], 1)
    pad = np.full((N, 1), -np.inf)
    beta = np.full((T, N, S), -np.inf)
    nxt = np.full((N, S), -np.inf)
    for t in range(T - 1, -1, -1):
        one = np.concatenate([nxt[:, 1:], pad], 1)
        two = np.where(skip_from, np.concatenate([nxt[:, 2:], pad, pad], 1), -np.inf)
        rec = np.where(valid, np.logaddexp(np.logaddexp(nxt, one), two) + lp_ext[t], -np.inf)
        cur = np.where((t == in_len - 1)[:, None], start,
                       np.where((t < in_len - 1)[:, None], rec, -np.inf))
        beta[t] = nxt = cur
    return beta


class CtcLoss(Function):
    """Connectionist temporal classification: the negative log likelihood of each target
    sequence summed over all its alignments with the input (forward algorithm)."""

    name = "CtcLossBackward0"

    @staticmethod
    def forward(ctx, lp, *, ext, skip, in_len, tgt_len, zero_infinity):
        ctx.save_for_backward(lp)
        T, N, C = lp.shape
        lp64 = lp.astype(np.float64)
        idx = np.broadcast_to(ext[None], (T, N, ext.shape[1]))
        lp_ext = np.take_along_axis(lp64, idx, 2)
        alpha, nll = _ctc_alpha(lp_ext, skip, in_len, tgt_len)
        ctx.params = lp64, lp_ext, alpha, nll, ext, skip, in_len, tgt_len, zero_infinity
        return nll.astype(lp.dtype)

    @staticmethod
    def backward(ctx, grad):
        (lp,) = ctx.saved_tensors  # an input of the gradient: differentiating it raises
        return CtcLossGrad.apply(grad, lp, params=ctx.params)


class CtcLossGrad(Function):
    """torch's CTC gradient: ``exp(lp) - posterior`` where ``t < input_length`` (the
    gradient through a log_softmax that produced ``lp``, which torch returns as is)."""

    name = "CtcLossBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, _lp, *, params):
        lp, lp_ext, alpha, nll, ext, skip, in_len, tgt_len, zero_inf = params
        T, N, C = lp.shape
        beta = _ctc_beta(lp_ext, skip, in_len, tgt_len)
        post = np.exp(alpha + beta + nll[None, :, None] - lp_ext)
        post = np.where(np.isneginf(alpha) | np.isneginf(beta), 0.0, post)
        # occupancy of each class: the posteriors of its positions, added up
        flat = ((np.arange(T)[:, None, None] * N + np.arange(N)[None, :, None]) * C
                + ext[None])
        occ = np.bincount(flat.ravel(), post.ravel(), T * N * C).reshape(T, N, C)
        g = (np.exp(lp) - occ) * grad.astype(np.float64)[None, :, None]
        g = np.where(np.isinf(nll)[None, :, None], np.nan, g)
        g = np.where((np.arange(T)[:, None] < in_len[None, :])[..., None], g, 0.0)
        if zero_inf:
            g = np.where(np.isinf(nll)[None, :, None], 0.0, g)
        return g.astype(grad.dtype)

    @staticmethod
    def backward(ctx, gg):
        raise RuntimeError("derivative for aten::_ctc_loss_backward is not implemented")


def _lengths(x) -> np.ndarray:
    if isinstance(x, Tensor):
        return x._data.astype(np.int64).reshape(-1)
    return np.asarray(x, dtype=np.int64).reshape(-1)


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """The CTC loss of ``log_probs`` (``(T, N, C)`` or ``(T, C)``, log-probabilities over
    C classes, ``blank`` among them) against ``targets`` (``(N, S)`` padded, or the
    sequences concatenated). ``'mean'`` divides each loss by its target length, then
    averages over the batch."""
    reduction = _reduction(reduction)
    batched = log_probs.ndim == 3
    if not 0 <= blank < log_probs.shape[-1]:
        raise RuntimeError("blank must be in label range")
    lp = log_probs if batched else log_probs.unsqueeze(1)
    T, N, C = lp.shape
    in_len = _lengths(input_lengths)
    tgt_len = _lengths(target_lengths)
    if len(in_len) != N:
        raise RuntimeError("input_lengths must be of size batch_size")
    if len(tgt_len) != N:
        raise RuntimeError("target_lengths must be of size batch_size")
    if (in_len > T).any():
        b = int(np.argmax(in_len > T))
        raise RuntimeError(f"Expected input_lengths to have value at most {T}, but got value "
                           f"{in_len[b]} (while checking arguments for ctc_loss_allocate_outputs)")
    tg = targets._data.astype(np.int64)
    L = int(tgt_len.max()) if N else 0
    if tg.ndim == 2 and batched:
        if (tgt_len > tg.shape[1]).any():
            b = int(np.argmax(tgt_len > tg.shape[1]))
            raise RuntimeError(f"Expected tensor to have size at least {tgt_len[b]} at "
                               f"dimension 1, but got size {tg.shape[1]} for argument #2 "
                               "'targets' (while checking arguments for ctc_loss_allocate_outputs)")
        padded = tg[:, :L]
    else:
        flat = tg.reshape(-1)
        offsets = np.concatenate([[0], np.cumsum(tgt_len)[:-1]]).astype(np.int64)
        pos = offsets[:, None] + np.arange(L)
        padded = flat[np.minimum(pos, max(flat.size - 1, 0))] if flat.size else \
            np.zeros((N, L), np.int64)
    padded = np.where(np.arange(L) < tgt_len[:, None], padded, blank)
    # the target with a blank before, between and after its labels
    S = 2 * L + 1
    ext = np.full((N, S), blank, dtype=np.int64)
    ext[:, 1::2] = padded
    skip = np.zeros((N, S), bool)
    skip[:, 3::2] = padded[:, 1:] != padded[:, :-1]
    nll = CtcLoss.apply(lp, ext=ext, skip=skip, in_len=in_len, tgt_len=tgt_len,
                        zero_infinity=zero_infinity)
    if zero_infinity:
        nll = where(nll == math.inf, zeros_like(nll), nll)
    if reduction == "mean":
        lengths = Tensor._make(np.maximum(tgt_len, 1).astype(nll._data.dtype))
        return (nll / lengths).mean()
    if reduction == "sum":
        return nll.sum()
    return nll if batched else nll.squeeze(0)
