"""Activation functions that torch computes as one kernel: gelu, elu, softplus, softmax, ...

Each is a Function with torch's node name (``GeluBackward0``, ``SoftmaxBackward0``, ...).
``forward`` works on arrays; ``backward`` is written in ember ops, so every activation
has second (and higher) derivatives. Where torch's kernel picks a branch at a kink
(``x > 0`` or ``x <= 0``), the same branch is picked here, so gradients at the kink
match torch's.

``softmax`` and ``log_softmax`` are also ``ember.softmax`` / ``Tensor.softmax``, as in
torch; the others are reached through ``ember.nn.functional``.
"""

from __future__ import annotations

import math

import numpy as np

from .._dtype import to_dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Function, register
from .pointwise import erf, exp, sigmoid, tanh, where

_SQRT_2PI = math.sqrt(2 * math.pi)
_SQRT1_2 = math.sqrt(0.5)
_ONE_SIXTH_F32 = float(np.float32(1 / 6))


def _normal_pdf(x: Tensor) -> Tensor:
    return exp(x * x * -0.5) * (1 / _SQRT_2PI)


# ---------------------------------------------------------------- gelu


class Gelu(Function):
    name = "GeluBackward0"

    @staticmethod
    def forward(ctx, a, *, approximate):
        ctx.save_for_backward(a)
        ctx.approximate = approximate
        if approximate == "tanh":
            inner = math.sqrt(2 / math.pi) * (a + 0.044715 * a * a * a)
            return 0.5 * a * (1 + np.tanh(inner))
        # torch's order (x * (1 + erf)) * 0.5 overflows to inf near the float max, and
        # its vectorised erf makes gelu(+-inf) nan: both matched.
        out = a * (1 + erf(Tensor._make(a * _SQRT1_2))._data) * 0.5
        inf = np.isinf(a)
        return np.where(inf, np.nan, out).astype(a.dtype) if inf.any() else out

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            beta, kappa = math.sqrt(2 / math.pi), 0.044715
            t = tanh((x + x * x * x * kappa) * beta)
            # d/dx 0.5 x (1 + t) = 0.5 (1 + t) + 0.5 x (1 - t^2) beta (1 + 3 kappa x^2)
            return grad * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * beta * (x * x * (3 * kappa) + 1))
        cdf = (erf(x * _SQRT1_2) + 1) * 0.5
        return grad * (cdf + x * _normal_pdf(x))


# ---------------------------------------------------------------- the elu family


class Elu(Function):
    """``scale * x`` for x > 0, else ``scale * alpha * (exp(input_scale * x) - 1)``: elu,
    selu (fixed alpha and scale) and celu (input_scale = 1 / alpha)."""

    name = "EluBackward0"

    @staticmethod
    def forward(ctx, a, *, alpha, scale, input_scale):
        ctx.save_for_backward(a)
        ctx.coefs = alpha, scale, input_scale
        neg = np.expm1(np.minimum(a, 0) * input_scale) * (alpha * scale)
        return np.where(a > 0, a * scale, neg).astype(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        alpha, scale, input_scale = ctx.coefs
        # exp of the clamped input: no inf on the unused branch, so no 0 * inf = nan in
        # the second derivative. x == 0 takes the negative branch, as torch's kernel.
        neg = grad * exp(x.clamp(max=0) * input_scale) * (alpha * scale * input_scale)
        return where(x <= 0, neg, grad * scale)  # nan takes the positive branch, as torch


class Celu(Elu):
    name = "CeluBackward0"


# ---------------------------------------------------------------- piecewise linear


class LeakyRelu(Function):
    name = "LeakyReluBackward0"

    @staticmethod
    def forward(ctx, a, *, slope):
        ctx.save_for_backward(a)
        ctx.slope = slope
        return np.where(a > 0, a, a * slope).astype(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return where(x > 0, grad, grad * ctx.slope)


class Hardtanh(Function):
    name = "HardtanhBackward0"

    @staticmethod
    def forward(ctx, a, *, min_val, max_val):
        ctx.save_for_backward(a)
        ctx.bounds = min_val, max_val
        return np.clip(a, min_val, max_val).astype(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        lo, hi = ctx.bounds
        return where((x > lo) & (x < hi), grad, 0.0)  # ends excluded, unlike clamp


class Hardsigmoid(Function):
    name = "HardsigmoidBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return (np.clip(a + 3, 0, 6) / 6).astype(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        # torch's kernel multiplies by 1/6 rounded to float32, in every dtype
        return where((x > -3) & (x < 3), grad * _ONE_SIXTH_F32, 0.0)


class Hardswish(Function):
    name = "HardswishBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return (a * np.clip(a + 3, 0, 6) / 6).astype(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return where(x <= -3, 0.0, where(x < 3, grad * (x / 3 + 0.5), grad))


class Threshold(Function):
    name = "ThresholdBackward0"

    @staticmethod
    def forward(ctx, a, *, threshold, value):
        ctx.save_for_backward(a)
        ctx.threshold = threshold
        return np.where(a > threshold, a, value).astype(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return where(x > ctx.threshold, grad, 0.0)


class PreluKernel(Function):
    """``x`` for x > 0, else ``weight * x``; the weight is already shaped to broadcast."""

    name = "PreluKernelBackward0"

    @staticmethod
    def forward(ctx, a, w):
        ctx.save_for_backward(a, w)
        return np.where(a > 0, a, w * a).astype(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        gx, gw = ctx.needs_input_grad
        pos = x > 0
        return (where(pos, grad, grad * w) if gx else None,
                where(pos, 0.0, grad * x) if gw else None)


# ---------------------------------------------------------------- smooth


class Softplus(Function):
    name = "SoftplusBackward0"

    @staticmethod
    def forward(ctx, a, *, beta, threshold):
        ctx.save_for_backward(a)
        ctx.params = beta, threshold
        bx = a * beta
        soft = np.log1p(np.exp(bx)) / beta
        return np.where(bx > threshold, a, soft).astype(a.dtype)  # linear above threshold

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        beta, threshold = ctx.params
        bx = x * beta
        return where(bx > threshold, grad, grad * sigmoid(bx))


def _sigmoid_np(a):
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-a))


class Silu(Function):
    name = "SiluBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return (a * _sigmoid_np(a)).astype(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        s = sigmoid(x)
        return grad * s * (x * (1 - s) + 1)


class Mish(Function):
    name = "MishBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return (a * np.tanh(np.log1p(np.exp(a)))).astype(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        t = tanh(Softplus.apply(x, beta=1, threshold=20))
        return grad * (t + x * sigmoid(x) * (1 - t * t))


# ---------------------------------------------------------------- softmax


def _reduce_axis(ndim: int, dim: int):
    """The NumPy axis of a softmax over ``dim`` (None for a 0-d tensor: all of it)."""
    return None if ndim == 0 else _wrap_dim(dim, ndim)


class Softmax(Function):
    name = "SoftmaxBackward0"

    @staticmethod
    def forward(ctx, a, *, axis):
        if a.size == 0:
            out = a.copy()
        else:
            # Subtracting the max keeps exp finite: inputs of any size give finite output
            # (inf and nan inputs give torch's nan, silently).
            e = np.exp(a - np.maximum.reduce(a, axis=axis, keepdims=True))
            out = e / np.add.reduce(e, axis=axis, keepdims=True)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return y * (grad - (grad * y).sum(ctx.axis, keepdim=True))


class LogSoftmax(Function):
    name = "LogSoftmaxBackward0"

    @staticmethod
    def forward(ctx, a, *, axis):
        if a.size == 0:
            out = a.copy()
        else:
            # The ufuncs' reduce, not np.max / np.sum: the same sums without the wrappers.
            shifted = a - np.maximum.reduce(a, axis=axis, keepdims=True)
            out = shifted - np.log(np.add.reduce(np.exp(shifted), axis=axis, keepdims=True))
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return grad - exp(y) * grad.sum(ctx.axis, keepdim=True)


def _softmax_args(input: Tensor, dim, dtype, name: str):
    """The input (cast to ``dtype``) and NumPy axis of a softmax; integer inputs raise
    torch's NotImplementedError."""
    axis = _reduce_axis(input._data.ndim, dim)
    if dtype is not None:
        input = input.to(to_dtype(dtype))
    elif input._data.dtype.kind != "f":
        last = "_lastdim" if axis is None or axis == input._data.ndim - 1 else ""
        word = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
                "uint8": "Byte", "bool": "Bool"}[input._data.dtype.name]
        raise NotImplementedError(f'"{name}{last}_kernel_impl" not implemented for '
                                  f"'{word}'")
    return input, axis


@register("softmax")
def softmax(input, dim, dtype=None):
    """``exp(x) / exp(x).sum(dim)``, computed without overflow.

    >>> ember.tensor([1.0, 2.0, 3.0]).softmax(0)
    tensor([0.0900, 0.2447, 0.6652])
    """
    x, axis = _softmax_args(input, dim, dtype, "softmax")
    return Softmax.apply(x, axis=axis)


@register("log_softmax")
def log_softmax(input, dim, dtype=None):
    """``log(softmax(x, dim))``, computed stably (finite for any finite input).

    >>> ember.tensor([1.0, 2.0, 3.0]).log_softmax(0)
    tensor([-2.4076, -1.4076, -0.4076])
    """
    x, axis = _softmax_args(input, dim, dtype, "log_softmax")
    return LogSoftmax.apply(x, axis=axis)

