"""Reductions: sum, mean, and sum_to_size (the engine's way to undo broadcasting).

``dim`` is an int, a tuple of ints, or None (all dimensions), and negative dims count
from the end, as in torch. The gradient of a reduction is the output gradient put
back on the reduced dimensions and expanded over them.
"""

from __future__ import annotations

import numpy as np

from .._dtype import to_dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Function, register


def _dims(dim, ndim: int):
    """``dim`` as a sorted tuple of non-negative axes (all of them for None/empty)."""
    if dim is None or dim == () or dim == []:
        return tuple(range(ndim))
    if isinstance(dim, int):
        return (_wrap_dim(dim, ndim),)
    axes = tuple(sorted(_wrap_dim(d, ndim) for d in dim))
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"dim {axes[0]} appears multiple times in the list of dims")
    return axes


def _unreduce(grad: Tensor, shape: tuple, axes: tuple, keepdim: bool) -> Tensor:
    """Put a reduction's output gradient back on the input's shape."""
    if not keepdim and axes:
        kept = list(grad.shape)
        for ax in axes:
            kept.insert(ax, 1)
        grad = grad.reshape(kept)
    return grad.expand(shape)


class Sum(Function):
    name = "SumBackward1"

    @staticmethod
    def forward(ctx, a, *, axes, keepdim, dtype):
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        return np.sum(a, axis=axes, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        return _unreduce(grad, ctx.shape, ctx.axes, ctx.keepdim)


class SumAll(Sum):
    name = "SumBackward0"


class Mean(Function):
    name = "MeanBackward1"

    @staticmethod
    def forward(ctx, a, *, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        ctx.count = count = int(np.prod([a.shape[i] for i in axes]))
        with np.errstate(invalid="ignore", divide="ignore"):
            # A sum then one division, as torch does (NumPy's mean agrees for floats).
            return np.divide(np.sum(a, axis=axes, keepdims=keepdim), count, dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        return _unreduce(grad, ctx.shape, ctx.axes, ctx.keepdim) / ctx.count


class MeanAll(Mean):
    name = "MeanBackward0"


def _sum_dtype(input: Tensor, dtype):
    if dtype is not None:
        return to_dtype(dtype).np
    kind = input._data.dtype.kind
    return np.int64 if kind in "biu" else None  # torch sums integers and bools as int64


@register("sum")
def sum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum of all elements, or over ``dim`` (an int or a tuple of ints).

    >>> ember.tensor([[1, 2], [3, 4]]).sum(0)
    tensor([4, 6])
    """
    axes = _dims(dim, input._data.ndim)
    cls = SumAll if dim is None else Sum
    return cls.apply(input, axes=axes, keepdim=keepdim, dtype=_sum_dtype(input, dtype))


@register("mean")
def mean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean of all elements, or over ``dim``; floating tensors only, as torch.

    >>> ember.tensor([1.0, 2.0, 4.0]).mean()
    tensor(2.3333)
    """
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {_long_name(input)}"
        )
    axes = _dims(dim, input._data.ndim)
    return (MeanAll if dim is None else Mean).apply(input, axes=axes, keepdim=keepdim)


def _long_name(t: Tensor) -> str:
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
            "uint8": "Byte", "bool": "Bool"}.get(t.dtype.name, t.dtype.name)


@register("sum_to_size", function=False)
def sum_to_size(input, *size):
    """Sum ``input`` down to ``size``, which it must broadcast from: the inverse of
    ``expand``, and how the engine undoes broadcasting."""
    size = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], int) else size
    shape = input._data.shape
    lead = len(shape) - len(size)
    if lead < 0 or any(s != 1 and s != shape[lead + i] for i, s in enumerate(size)):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size "
                           f"{{{list(shape)}}}.")
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1)
    if not axes:
        return input
    out = Sum.apply(input, axes=axes, keepdim=True, dtype=None)
    return out.reshape(size) if lead else out

