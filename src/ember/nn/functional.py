"""ember.nn.functional: the layers as functions, as torch.nn.functional.

``import ember.nn.functional as F`` then ``F.relu(x)``, ``F.linear(x, w, b)``,
``F.softmax(x, dim=-1)``, ``F.dropout(x, 0.5, training)``... The activations that torch
computes in one kernel are Functions in ``ember/ops/activation.py`` (same grad_fn names
as torch); the rest are compositions of ember ops.
"""

from __future__ import annotations

import warnings

import numpy as np

from .. import _creation
from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.grad_mode import no_grad
from ..ops import activation as _act
from ..ops.activation import log_softmax as _log_softmax
from ..ops.activation import softmax as _softmax
from ..ops.linalg import addmm, matmul
from ..ops.pointwise import _inplace, abs, sigmoid, tanh
from ..ops.pointwise import relu as _relu
from ..ops.reduction import vector_norm

__all__ = [
    "linear", "bilinear", "relu", "relu_", "relu6", "leaky_relu", "prelu", "elu", "selu",
    "celu", "gelu", "silu", "mish", "sigmoid", "tanh", "hardtanh", "hardsigmoid",
    "hardswish", "softplus", "softsign", "softmax", "log_softmax", "softmin", "threshold",
    "dropout", "dropout2d", "embedding", "embedding_bag", "one_hot", "normalize",
    "cosine_similarity", "pairwise_distance",
]


# ---------------------------------------------------------------- linear layers


def linear(input, weight, bias=None):
    """``input @ weight.T + bias``.

    >>> F.linear(ember.ones(1, 2), ember.ones(3, 2), ember.zeros(3))
    tensor([[2., 2., 2.]])
    """
    wt = weight.t()
    if bias is None:
        return matmul(input, wt)
    if input.ndim == 2:
        return addmm(bias, input, wt)
    # other ranks fold the leading dims into one, as torch does
    out = addmm(bias, input.reshape(-1, input.shape[-1]), wt)
    return out.view(*input.shape[:-1], wt.shape[-1])


def bilinear(input1, input2, weight, bias=None):
    """``y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j] + bias[o]``."""
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got "
                           f"{list(input1.shape[:-1])} and {list(input2.shape[:-1])}")
    out_f, in1, in2 = weight.shape
    if input1.shape[-1] != in1 or input2.shape[-1] != in2:
        raise RuntimeError(f"bilinear(): input sizes {input1.shape[-1]} and "
                           f"{input2.shape[-1]} do not match weight size {list(weight.shape)}")
    # (.., in1) @ (in1, out*in2) -> (.., out, in2), then contract in2 with input2
    w = weight.permute(1, 0, 2).reshape(in1, out_f * in2)
    t = matmul(input1, w).reshape(*input1.shape[:-1], out_f, in2)
    out = (t * input2.unsqueeze(-2)).sum(-1)
    return out if bias is None else out + bias


# ---------------------------------------------------------------- activations


def _maybe_inplace(input, inplace, fn):
    """``fn(input)``, written into ``input`` when ``inplace``."""
    return _inplace(input, fn) if inplace else fn(input)


def relu(input, inplace=False):
    """``max(input, 0)``."""
    return _maybe_inplace(input, inplace, _relu)


def relu_(input):
    """In-place ``relu``."""
    return _inplace(input, _relu)


def threshold(input, threshold, value, inplace=False):
    """``input`` where it is above ``threshold``, else ``value``."""
    return _maybe_inplace(input, inplace, lambda x: _act.Threshold.apply(
        x, threshold=threshold, value=value))


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """``input`` clamped to ``[min_val, max_val]``; zero gradient at and beyond the ends."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace(input, inplace, lambda x: _act.Hardtanh.apply(
        x, min_val=min_val, max_val=max_val))


def relu6(input, inplace=False):
    """``min(max(input, 0), 6)`` (torch computes it as ``hardtanh(input, 0, 6)``)."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``input`` where positive, else ``negative_slope * input``."""
    return _maybe_inplace(input, inplace, lambda x: _act.LeakyRelu.apply(
        x, slope=negative_slope))


def prelu(input, weight):
    """Leaky relu with a learned slope: one for all channels, or one per channel (dim 1).

    >>> F.prelu(ember.tensor([-2.0, 3.0]), ember.tensor([0.25]))
    tensor([-0.5000,  3.0000])
    """
    n = weight.numel()
    channels = input.shape[1] if input.ndim >= 2 else 1
    if n != 1 and n != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                           f"parameter numbers = {n} and channel size = {channels}.")
    if input.ndim >= 2 and n != 1:
        weight = weight.reshape([1, n] + [1] * (input.ndim - 2))  # broadcast over dim 1
    return _act.PreluKernel.apply(input, weight)


def elu(input, alpha=1.0, inplace=False):
    """``input`` where positive, else ``alpha * (exp(input) - 1)``."""
    return _maybe_inplace(input, inplace, lambda x: _act.Elu.apply(
        x, alpha=alpha, scale=1.0, input_scale=1.0))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """``scale * elu(input, alpha)`` with the self-normalising constants."""
    return _maybe_inplace(input, inplace, lambda x: _act.Elu.apply(
        x, alpha=_SELU_ALPHA, scale=_SELU_SCALE, input_scale=1.0))


def celu(input, alpha=1.0, inplace=False):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _maybe_inplace(input, inplace, lambda x: _act.Celu.apply(
        x, alpha=alpha, scale=1.0, input_scale=1.0 / alpha))


def gelu(input, approximate="none"):
    """``x * Phi(x)`` with Phi the standard normal CDF (``approximate='tanh'``: torch's
    tanh formula).

    >>> F.gelu(ember.tensor([1.0]))
    tensor([0.8413])
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _act.Gelu.apply(input, approximate=approximate)


def silu(input, inplace=False):
    """``x * sigmoid(x)`` (swish)."""
    return _maybe_inplace(input, inplace, _act.Silu.apply)


def mish(input, inplace=False):
    """``x * tanh(softplus(x))``."""
    return _maybe_inplace(input, inplace, _act.Mish.apply)


def hardsigmoid(input, inplace=False):
    """``relu6(x + 3) / 6``."""
    return _maybe_inplace(input, inplace, _act.Hardsigmoid.apply)


def hardswish(input, inplace=False):
    """``x * relu6(x + 3) / 6``."""
    return _maybe_inplace(input, inplace, _act.Hardswish.apply)


def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta * x)) / beta``; linear where ``beta * x > threshold``."""
    return _act.Softplus.apply(input, beta=beta, threshold=threshold)


def softsign(input):
    """``x / (1 + |x|)``."""
    return input / (abs(input) + 1)


def _softmax_dim(name: str, ndim: int, dim):
    if dim is not None:
        return dim
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the "
                  "call to include dim=X as an argument.", stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``exp(x) / exp(x).sum(dim)``, stable for large inputs.

    >>> F.softmax(ember.tensor([0.0, 0.0]), dim=0)
    tensor([0.5000, 0.5000])
    """
    return _softmax(input, _softmax_dim("softmax", input.ndim, dim), dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """``softmax(-x)``."""
    dim = _softmax_dim("softmin", input.ndim, dim)
    if dtype is not None:
        input = input.to(dtype)
    return _softmax(-input, dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """``log(softmax(x))``, computed stably (finite for any finite input)."""
    return _log_softmax(input, _softmax_dim("log_softmax", input.ndim, dim), dtype)


# ---------------------------------------------------------------- dropout


def _check_p(p) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout(input, p, training, inplace, noise_shape):
    """torch's CPU dropout: ``input * noise`` with ``noise`` drawn by
    ``bernoulli_(1 - p)`` and divided by ``1 - p`` (same draws, same mask)."""
    _check_p(p)
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        noise = _creation.zeros((), dtype=input.dtype)
    else:
        if tuple(noise_shape) == tuple(input.shape):
            # torch's empty_like keeps the input's strides, and bernoulli_ fills memory
            # in order: a transposed input gets its mask drawn in that memory order.
            noise = Tensor._make(np.empty_like(input._data))
        else:
            noise = _creation.empty(noise_shape, dtype=input.dtype)
        noise.bernoulli_(1 - p)
        noise.div_(1 - p)
    return input.mul_(noise) if inplace else input * noise


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``;
    the identity when not ``training``.

    >>> x = ember.ones(4)
    >>> F.dropout(x, 0.5, training=False) is x
    True
    """
    return _dropout(input, p, training, inplace, input.shape)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels (``input[n, c]``) with probability ``p``. A 3-D input is read
    as ``(N, C, L)``, as torch does for now."""
    _check_p(p)
    if input.ndim not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.ndim}-D input to dropout2d, which is "
                      "deprecated and will result in an error in a future release. To retain "
                      "the behavior and silence this warning, please use dropout instead. Note "
                      "that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 3D or 4D inputs).", stacklevel=2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. This behavior will change in "
                      "a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout "
                      "behavior, please switch to using dropout1d instead.", stacklevel=2)
    if input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    return _dropout(input, p, training, inplace, shape)


# ---------------------------------------------------------------- embeddings


class Embedding(Function):
    """Rows of ``weight`` picked by integer ``indices``."""

    name = "EmbeddingBackward0"

    @staticmethod
    def forward(ctx, weight, *, indices, padding_idx, scale_grad_by_freq):
        ctx.params = indices, weight.shape[0], padding_idx, scale_grad_by_freq
        return weight[indices]

    @staticmethod
    def backward(ctx, grad):
        return EmbeddingDenseBackward.apply(grad, params=ctx.params)


def _row_scale(indices, num_weights, padding_idx, scale_grad_by_freq):
    """Per-lookup gradient factors: 0 at ``padding_idx``, ``1/count`` with
    ``scale_grad_by_freq``; None when all are 1."""
    scale = None
    if scale_grad_by_freq:
        counts = np.bincount(indices.reshape(-1), minlength=num_weights)
        scale = 1.0 / counts[indices]
    if padding_idx is not None:
        keep = indices != padding_idx
        scale = keep if scale is None else scale * keep
    return scale


class EmbeddingDenseBackward(Function):
    """The gradient of ``Embedding``: output gradients added into their rows."""

    name = "EmbeddingDenseBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, *, params):
        indices, num_weights, padding_idx, freq = params
        ctx.params = params
        scale = _row_scale(indices, num_weights, padding_idx, freq)
        if scale is not None:
            grad = grad * scale[..., None].astype(grad.dtype)
        out = np.zeros((num_weights, grad.shape[-1]), dtype=grad.dtype)
        np.add.at(out, indices.reshape(-1), grad.reshape(-1, grad.shape[-1]))
        return out

    @staticmethod
    def backward(ctx, gg):
        indices, _, padding_idx, _ = ctx.params
        out = Embedding.apply(gg, indices=indices, padding_idx=None, scale_grad_by_freq=False)
        if padding_idx is not None:  # torch leaves out the 1/count scaling here
            keep = (indices != padding_idx)[..., None].astype(gg._data.dtype)
            out = out * Tensor._make(keep)
        return out


def _index_array(input, fn: str) -> np.ndarray:
    a = input._data
    if a.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the "
                           f"following scalar types: Long, Int; but got {input.type()} "
                           f"instead (while checking arguments for {fn})")
    return a


def _renorm_rows(weight, indices: np.ndarray, max_norm, norm_type) -> None:
    """Scale the looked-up rows whose norm exceeds ``max_norm`` down to it, in place and
    outside the graph (torch's ``embedding_renorm_``)."""
    rows = np.unique(indices)
    w = weight._data
    norms = np.linalg.norm(w[rows].astype(np.float64), ord=norm_type, axis=1)
    big = norms > max_norm
    if big.any():
        scale = max_norm / (norms[big] + 1e-7)
        w[rows[big]] = (w[rows[big]] * scale[:, None]).astype(w.dtype)
        weight._bump()


def _check_padding_idx(padding_idx, num: int):
    if padding_idx is None:
        return None
    if padding_idx > 0:
        if padding_idx >= num:
            raise AssertionError("Padding_idx must be within num_embeddings")
    elif padding_idx < 0:
        if padding_idx < -num:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx += num
    return padding_idx


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """The rows of ``weight`` at the integer ``input``: shape ``input.shape + (dim,)``.
    ``padding_idx`` rows get no gradient; ``max_norm`` renormalises the rows looked up,
    in place, as torch does.

    >>> F.embedding(ember.tensor([2, 0]), ember.arange(6.0).reshape(3, 2))
    tensor([[4., 5.],
            [0., 1.]])
    """
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    indices = _index_array(input, "embedding")
    n = weight.shape[0]
    padding_idx = _check_padding_idx(padding_idx, n)
    if indices.size and (indices.min() < 0 or indices.max() >= n):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm_rows(weight, indices, max_norm, norm_type)
    return Embedding.apply(weight, indices=indices, padding_idx=padding_idx,
                           scale_grad_by_freq=scale_grad_by_freq)


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False,
                  per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sums or means of bags of embeddings, without building the looked-up rows per bag:
    a 2-D ``input`` holds one bag per row; a 1-D ``input`` is cut into bags at
    ``offsets``. Entries equal to ``padding_idx`` are left out (and not counted)."""
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) "
                         f"is not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.ndim}")
    if mode not in ("sum", "mean"):
        if mode == "max":
            raise NotImplementedError("embedding_bag: mode='max' is not in ember yet; "
                                      "use 'sum' or 'mean'")
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub.")
    indices = _index_array(input, "embedding_bag")
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found "
                             f"offsets of type {type(offsets)}")
        starts = np.arange(0, indices.size, max(indices.shape[1], 1))[:indices.shape[0]]
        ends = starts + indices.shape[1]
        indices = indices.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        bounds = offsets._data.astype(np.int64)
        if include_last_offset:
            starts, ends = bounds[:-1], bounds[1:]
        else:
            starts, ends = bounds, np.append(bounds[1:], indices.size)
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                         f"{input.ndim}")
    padding_idx = _check_padding_idx(padding_idx, weight.shape[0])
    rows = embedding(Tensor._make(indices), weight, None, max_norm, norm_type,
                     scale_grad_by_freq)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.unsqueeze(-1)
    # A (bags, lookups) matrix of 0/1 (1/count for the mean) sums each bag in one matmul.
    pos = np.arange(indices.size)
    member = (pos >= starts[:, None]) & (pos < ends[:, None])
    if padding_idx is not None:
        member &= indices != padding_idx
    m = member.astype(weight._data.dtype)
    if mode == "mean":
        m = m / np.maximum(member.sum(1, keepdims=True), 1).astype(m.dtype)
    return matmul(Tensor._make(m), rows)


def one_hot(tensor, num_classes=-1):
    """Integer class indices as one-hot int64 vectors of length ``num_classes`` (default:
    the largest index + 1).

    >>> F.one_hot(ember.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    a = tensor._data
    if a.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    if a.size:
        if a.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if a.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._make((a[..., None] == np.arange(num_classes)).astype(np.int64))


# ---------------------------------------------------------------- distances


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim``.

    >>> F.normalize(ember.tensor([[3.0, 4.0]]))
    tensor([[0.6000, 0.8000]])
    """
    denom = input.norm(p, dim, keepdim=True).clamp(min=eps).expand_as(input)
    return input / denom


def _broadcast_tensors(*tensors):
    from ..ops.shape import broadcast_tensors

    return broadcast_tensors(*tensors)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """The cosine of the angle between ``x1`` and ``x2`` along ``dim`` (broadcasting);
    each norm is held at least ``eps``.

    >>> F.cosine_similarity(ember.tensor([[1.0, 0.0]]), ember.tensor([[1.0, 1.0]]))
    tensor([0.7071])
    """
    x1, x2 = _broadcast_tensors(x1, x2)
    n1 = vector_norm(x1, 2, dim, keepdim=True).clone()
    n2 = vector_norm(x2, 2, dim, keepdim=True).clone()
    with no_grad():  # torch clamps outside the graph: the gradient ignores the clamp
        n1.clamp_(min=eps)
        n2.clamp_(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``||x1 - x2 + eps||_p`` over the last dimension."""
    dim = max(x1.ndim, x2.ndim) - 1
    return (x1 - x2 + eps).norm(p, dim, keepdim)


# The losses live with their kernels in ember/ops/loss.py.
from ..ops import loss as _loss  # noqa: E402
from ..ops.loss import *  # noqa: E402,F403

__all__ += _loss.__all__

# Convolution, pooling, padding, resampling and normalisation live in ember/ops/nn.py.
from ..ops import nn as _spatial  # noqa: E402
from ..ops.nn import *  # noqa: E402,F403

__all__ += _spatial.__all__

# Attention (ember/nn/_attention.py).
from ._attention import multi_head_attention_forward, scaled_dot_product_attention  # noqa: E402

__all__ += ["scaled_dot_product_attention", "multi_head_attention_forward"]
