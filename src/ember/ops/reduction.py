"""Reductions: sums and products, extremes, order statistics, moments, norms, logic.

``dim`` is an int, a tuple of ints, or None (all dimensions), and negative dims count
from the end, as in torch. The gradient of a reduction is the output gradient put
back on the reduced dimensions and expanded over them (``_unreduce``).

Two rules from torch decide where the gradient of an extreme goes:

* reductions that return only values (``max()``, ``amax``, ``median()``) split it
  evenly among the elements that tie for the result;
* reductions that return ``(values, indices)`` (``max(dim)``, ``median(dim)``,
  ``kthvalue``, ``mode``, ``cummax``) send it to the returned index.
"""

from __future__ import annotations

import builtins
import math
import operator
import warnings

import numpy as np

from .._dtype import get_default_dtype, to_dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd.engine import reduced_axes, sum_to
from ..autograd.forward_ad import state as fw
from ..autograd.function import Function, apply_one, recording, register
from ..autograd.grad_mode import state
from ._return_types import return_type
from .pointwise import where
from .shape import Expand, broadcast_view

# ---------------------------------------------------------------- dims


def _dims(dim, ndim: int):
    """``dim`` as a sorted tuple of non-negative axes (all of them for None/empty)."""
    if dim is None or dim == () or dim == []:
        return _ALL_AXES[ndim] if ndim < 32 else tuple(range(ndim))
    if isinstance(dim, int):
        axes = (_wrap_dim(dim, ndim),)
    else:
        axes = tuple(sorted(_wrap_dim(d, ndim) for d in dim))
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"dim {axes[0]} appears multiple times in the list of dims")
    return axes if ndim else ()  # a 0-d tensor accepts dim 0 and has nothing to reduce


def _int_dim(name: str, dim, ndim: int) -> int:
    """A single ``dim`` (ops that reduce one dimension), wrapped, with torch's errors."""
    try:
        dim = operator.index(dim)
    except TypeError:
        raise TypeError(f"{name}(): argument 'dim' (position 1) must be int, not "
                        f"{type(dim).__name__}") from None
    return _wrap_dim(dim, ndim)


def _unreduce(grad, shape: tuple, axes: tuple, keepdim: bool):
    """Put a reduction's output gradient back on the input's shape: a Tensor for a
    Tensor, an array for an array (see ``Function.arrays``)."""
    if isinstance(grad, Tensor):
        if recording():  # a graph of the backward itself (create_graph, forward mode)
            if grad._data.ndim:  # (a 0-d gradient broadcasts to any shape as it is)
                grad = _keepdim(grad, axes, keepdim)
            return Expand.apply(grad, shape=shape)
        return Tensor._make(_unreduce(grad._data, shape, axes, keepdim))
    # The read-only broadcast view NumPy would make.
    if grad.ndim and not keepdim:
        grad = grad.reshape(tuple(1 if i in axes else n for i, n in enumerate(shape)))
    return broadcast_view(grad, shape)


def _keepdim(t: Tensor, axes: tuple, keepdim: bool) -> Tensor:
    """A reduction's result with its reduced dimensions back, as size 1."""
    if keepdim or not axes:
        return t
    kept = list(t.shape)
    for ax in axes:
        kept.insert(ax, 1)
    return t.reshape(kept)


_ALL_AXES = [tuple(range(n)) for n in range(32)]  # (made once: reductions over all)


def _count(shape: tuple, axes: tuple) -> int:
    """How many elements each output of a reduction over ``axes`` sums up."""
    if len(axes) == len(shape):
        return math.prod(shape)  # all of them
    return math.prod(shape[i] for i in axes)


def _nonempty(name: str, a: np.ndarray, axes, dim_given: bool, error=RuntimeError):
    """torch's errors for max-like reductions, which have no value for no elements."""
    if not dim_given and a.size == 0:
        raise error(f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
                    + (" Specify the reduction dim with the 'dim' argument."
                       if error is RuntimeError else ""))
    for ax in axes:
        if a.shape[ax] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {ax} to have non-zero size.")


def _float_only(name: str, t: Tensor, message: str) -> None:
    if t._data.dtype.kind != "f":
        raise RuntimeError(message.format(name=name, dtype=_long_name(t.dtype)))


def _long_name(dtype) -> str:
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
            "uint8": "Byte", "bool": "Bool"}.get(dtype.name, dtype.name)


# ---------------------------------------------------------------- sum, mean, prod


class Sum(Function):
    name = "SumBackward1"
    arrays = True
    __slots__ = ("shape", "axes", "keepdim")  # (what backward reads: no dict per node)

    @staticmethod
    def forward(ctx, a, *, axes, keepdim, dtype):
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        return np.add.reduce(a, axis=axes, keepdims=keepdim, dtype=dtype)  # np.sum's call

    @staticmethod
    def backward(ctx, grad):
        return _unreduce(grad, ctx.shape, ctx.axes, ctx.keepdim)


class SumAll(Sum):
    name = "SumBackward0"


class Nansum(Function):
    name = "NansumBackward0"

    @staticmethod
    def forward(ctx, a, *, axes, keepdim, dtype):
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        ctx.number = ~np.isnan(a)
        return np.nansum(a, axis=axes, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        g = _unreduce(grad, ctx.shape, ctx.axes, ctx.keepdim)
        return where(Tensor._make(ctx.number), g, 0.0)  # NaNs were left out: no gradient


class Mean(Function):
    name = "MeanBackward1"
    arrays = True
    __slots__ = ("shape", "axes", "keepdim", "count")  # (what backward reads)

    @staticmethod
    def forward(ctx, a, *, axes, keepdim):
        ctx.shape, ctx.axes, ctx.keepdim = a.shape, axes, keepdim
        ctx.count = count = a.size if len(axes) == a.ndim else _count(a.shape, axes)
        # A sum then one division, as torch does (NumPy's mean agrees for floats); the
        # Python int ``count`` keeps the float dtype.
        return np.add.reduce(a, axis=axes, keepdims=keepdim) / count

    @staticmethod
    def backward(ctx, grad):
        return _unreduce(grad / ctx.count, ctx.shape, ctx.axes, ctx.keepdim)


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
    if dim is None and dtype is None and input._rg:  # (x.sum(): a float, to its node)
        return apply_one(SumAll, input, {"axes": axes, "keepdim": keepdim, "dtype": None})
    cls = SumAll if dim is None else Sum
    return cls.apply(input, axes=axes, keepdim=keepdim, dtype=_sum_dtype(input, dtype))


@register("nansum")
def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """The sum, treating NaN as zero.

    >>> ember.tensor([1.0, float("nan"), 2.0]).nansum()
    tensor(3.)
    """
    axes = _dims(dim, input._data.ndim)
    return Nansum.apply(input, axes=axes, keepdim=keepdim, dtype=_sum_dtype(input, dtype))


@register("mean")
def mean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean of all elements, or over ``dim``; floating tensors only, as torch.

    >>> ember.tensor([1.0, 2.0, 4.0]).mean()
    tensor(2.3333)
    """
    if dim is None and dtype is None and input._rg:  # (loss.mean(): a float, to its node)
        return apply_one(MeanAll, input, {"axes": _dims(None, input._data.ndim),
                                          "keepdim": keepdim})
    if dtype is not None:
        if to_dtype(dtype).np.kind != "f":
            raise RuntimeError(
                "mean(): could not infer output dtype. Optional dtype must be either a "
                f"floating point or complex dtype. Got: {_long_name(to_dtype(dtype))}")
        input = input.to(dtype)
    _float_only("mean", input, "mean(): could not infer output dtype. Input dtype must be "
                "either a floating point or complex dtype. Got: {dtype}")
    axes = _dims(dim, input._data.ndim)
    return (MeanAll if dim is None else Mean).apply(input, axes=axes, keepdim=keepdim)


@register("nanmean")
def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean of the elements that are not NaN.

    >>> ember.tensor([1.0, float("nan"), 2.0]).nanmean()
    tensor(1.5000)
    """
    _float_only("nanmean", input, "{name}(): expected input to have floating point or complex "
                "dtype but got {dtype}")
    counted = (input == input).sum(dim, keepdim)  # NaN is the one value unequal to itself
    return nansum(input, dim, keepdim, dtype=dtype) / counted


class Prod(Function):
    name = "ProdBackward1"

    @staticmethod
    def forward(ctx, a, *, axis, keepdim, dtype):
        ctx.axis, ctx.keepdim = axis, keepdim
        # inf, and 0 * inf = nan
        out = np.prod(a, axis=axis, keepdims=keepdim, dtype=dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        axis = ctx.axis
        if x.ndim == 0:
            return grad
        zeros = x._data.size - np.count_nonzero(x._data)
        if axis is None:  # all elements: the product along the flattened tensor
            if zeros > 1 and not state.enabled:
                return Tensor._make(np.zeros_like(x._data))  # torch: each product has a 0
            others = _prod_others(x.reshape(-1), 0).reshape(x.shape) if zeros else None
        else:
            grad, y = _keepdim(grad, (axis,), ctx.keepdim), _keepdim(y, (axis,), ctx.keepdim)
            others = _prod_others(x, axis) if zeros else None
        # Without zeros, the product of the others is result / x, as torch computes it.
        return grad * (y / x) if others is None else grad * others


class ProdAll(Prod):
    name = "ProdBackward0"


def _prod_others(x: Tensor, axis: int) -> Tensor:
    """For each element, the product of the other elements along ``axis`` (safe with
    zeros, where result / x is not)."""
    a = x._data
    if not state.enabled:
        # First order only: exclusive products from the left times those from the right.
        m = np.moveaxis(a, axis, -1)
        ones = np.ones_like(m[..., :1])
        with np.errstate(over="ignore", invalid="ignore"):
            left = np.cumprod(np.concatenate([ones, m[..., :-1]], -1), -1)
            right = np.cumprod(np.concatenate([ones, m[..., :0:-1]], -1), -1)[..., ::-1]
            return Tensor._make(np.moveaxis(left * right, -1, axis))
    # create_graph: a differentiable form, the product over j != i of x_j, in O(n^2).
    n = a.shape[axis]
    eye = np.eye(n, dtype=bool).reshape((n, n) + (1,) * (a.ndim - 1 - axis))
    return prod(where(Tensor._make(eye), 1.0, x.unsqueeze(axis)), axis + 1)


@register("prod")
def prod(input, dim=None, keepdim=False, *, dtype=None):
    """The product of all elements, or along the one dimension ``dim``; integers and
    bools multiply as int64.

    >>> ember.tensor([[1., 2.], [3., 4.]]).prod(1)
    tensor([ 2., 12.])
    """
    np_dtype = _sum_dtype(input, dtype)
    if dim is None:
        return ProdAll.apply(input, axis=None, keepdim=False, dtype=np_dtype)
    axis = _int_dim("prod", dim, input._data.ndim)
    axis = axis if input._data.ndim else None
    return Prod.apply(input, axis=axis, keepdim=keepdim, dtype=np_dtype)


# ---------------------------------------------------------------- cumulative


class Cumsum(Function):
    name = "CumsumBackward0"

    @staticmethod
    def forward(ctx, a, *, axis, dtype):
        ctx.axis = axis
        if a.ndim == 0:
            return a.astype(dtype or a.dtype)
        return np.cumsum(a, axis=axis, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        if grad.ndim == 0:
            return grad
        return ReversedCumsum.apply(grad, axis=ctx.axis)


class ReversedCumsum(Function):
    """Sums from the end: cumsum's gradient, and cumsum is its gradient."""

    name = "FlipBackward0"  # torch computes it as flip, cumsum, flip

    @staticmethod
    def forward(ctx, a, *, axis):
        ctx.axis = axis
        return np.flip(np.cumsum(np.flip(a, axis), axis), axis)

    @staticmethod
    def backward(ctx, grad):
        return Cumsum.apply(grad, axis=ctx.axis, dtype=None)


class Cumprod(Function):
    name = "CumprodBackward0"

    @staticmethod
    def forward(ctx, a, *, axis, dtype):
        ctx.axis = axis
        out = a.astype(dtype or a.dtype) if a.ndim == 0 else np.cumprod(a, axis, dtype=dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        a, axis = x._data, ctx.axis
        if a.ndim == 0 or a.shape[axis] <= 1:
            return grad
        if np.all(a):  # no zeros: d y_k / d x_i = y_k / x_i for k >= i
            return ReversedCumsum.apply(grad * y, axis=axis) / x
        if not state.enabled:
            return Tensor._make(_cumprod_grad_with_zeros(a, y._data, grad._data, axis))
        # create_graph: c[i, k] = prod of x_j for j <= k, j != i; the gradient of x_i is
        # the sum over k >= i of grad_k * c[i, k]. O(n^2), differentiable again.
        n = a.shape[axis]
        i = np.arange(n).reshape((n, 1) + (1,) * (a.ndim - 1 - axis))
        j = i.reshape((1, n) + i.shape[2:])
        c = cumprod(where(Tensor._make(i == j), 1.0, x.unsqueeze(axis)), axis + 1)
        return (where(Tensor._make(j >= i), grad.unsqueeze(axis), 0.0) * c).sum(axis + 1)


def _cumprod_grad_with_zeros(x, y, g, axis):
    """cumprod's first-order gradient in O(n) when ``x`` has zeros (NumPy arrays).

    Before the first zero z1 the usual formula holds; after it every gradient is 0;
    at z1 it is prod(x[:z1]) * sum over z1 <= k < z2 of g_k * prod(x[z1+1:k+1]),
    with z2 the second zero (or the end).
    """
    x, y, g = (np.moveaxis(t, axis, -1) for t in (x, y, g))
    zeros_so_far = np.cumsum(x == 0, -1)
    before = zeros_so_far == 0
    first = (zeros_so_far == 1) & (x == 0)
    after_first = (zeros_so_far == 1) & ~first
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        w = np.where(before, g * y, 0)
        out = np.where(before, np.cumsum(w[..., ::-1], -1)[..., ::-1] / np.where(before, x, 1),
                       0)
        tail = np.cumprod(np.where(after_first, x, 1), -1)
        total = np.sum(np.where(zeros_so_far == 1, g * tail, 0), -1, keepdims=True)
        head = np.prod(np.where(before, x, 1), -1, keepdims=True)
        out = np.where(first, head * total, out).astype(g.dtype)
    return np.moveaxis(out, -1, axis)


def _cumulative(cls, name):
    def op(input, dim, *, dtype=None):
        axis = _int_dim(name, dim, input._data.ndim)
        return cls.apply(input, axis=axis, dtype=_sum_dtype(input, dtype))

    op.__name__ = op.__qualname__ = name
    return op


cumsum = register("cumsum")(_cumulative(Cumsum, "cumsum"))
cumsum.__doc__ = """Running sums along ``dim``.

    >>> ember.tensor([1, 2, 3]).cumsum(0)
    tensor([1, 3, 6])
    """
cumprod = register("cumprod")(_cumulative(Cumprod, "cumprod"))
cumprod.__doc__ = """Running products along ``dim``; the gradient is right with zeros too.

    >>> ember.tensor([1., 2., 3.]).cumprod(0)
    tensor([1., 2., 6.])
    """


# ---------------------------------------------------------------- index-selecting results


class PutAlong(Function):
    """Gradients of selected elements back into a zero tensor of the input's shape,
    adding up where an index repeats (cummax)."""

    name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx, g, *, index, axis, shape):
        ctx.index, ctx.axis = index, axis
        out = np.zeros(shape, g.dtype)
        where_ = list(np.indices(index.shape, sparse=True))
        where_[axis] = index
        np.add.at(out, tuple(where_), g)
        return out

    @staticmethod
    def backward(ctx, grad):
        return TakeAlong.apply(grad, index=ctx.index, axis=ctx.axis)


class TakeAlong(Function):
    name = "GatherBackward0"

    @staticmethod
    def forward(ctx, a, *, index, axis):
        ctx.index, ctx.axis, ctx.shape = index, axis, a.shape
        return np.take_along_axis(a, index, axis)

    @staticmethod
    def backward(ctx, grad):
        return PutAlong.apply(grad, index=ctx.index, axis=ctx.axis, shape=ctx.shape)


class Select(Function):
    """Values and indices picked along one dimension by ``pick`` (max(dim), median(dim),
    kthvalue, mode); the gradient goes to the picked index."""

    n_outputs = 2

    @staticmethod
    def forward(ctx, a, *, axis, keepdim, pick):
        ctx.axis, ctx.keepdim = axis, keepdim
        if a.ndim == 0:
            ctx.index = None
            return a.copy(), np.zeros((), np.int64)
        index = np.expand_dims(pick(np.moveaxis(a, axis, -1)), -1)
        index = np.moveaxis(index, -1, axis)
        ctx.index, ctx.shape = index, a.shape
        values = np.take_along_axis(a, index, axis)
        if not keepdim:
            values, index = values.squeeze(axis), index.squeeze(axis)
        return values, index

    @staticmethod
    def backward(ctx, grad, _):
        if ctx.index is None:
            return grad  # a 0-d input: its one element was picked
        grad = _keepdim(grad, (ctx.axis,), ctx.keepdim)
        return PutAlong.apply(grad, index=ctx.index, axis=ctx.axis, shape=ctx.shape)


class MaxDim(Select):
    name = "MaxBackward0"


class MinDim(Select):
    name = "MinBackward0"


class MedianDim(Select):
    name = "MedianBackward1"


class Kthvalue(Select):
    name = "KthvalueBackward0"


class Mode(Select):
    name = "ModeBackward0"


def _select(cls, name, input, dim, keepdim, pick):
    """Run a Select op with torch's checks; the result is torch's named tuple."""
    a = input._data
    axis = _int_dim(name, dim, a.ndim)
    if a.ndim:
        _nonempty(name, a, (axis,), True)
    values, indices = cls.apply(input, axis=axis, keepdim=keepdim, pick=pick)
    return return_type(name, "values", "indices")(values, indices)


def _spread(grad, x, y, axes, keepdim, nan_ties):
    """Split ``grad`` evenly among the elements equal to the result ``y`` (NumPy arrays
    ``x``, ``y``), torch's rule for ties in max(), amax, median(). With ``nan_ties`` a
    NaN result counts every NaN as tied."""
    yk = y if keepdim or not axes else np.expand_dims(y, axes)
    tied = x == yk
    if nan_ties:
        tied |= np.isnan(x) & np.isnan(yk)
    count = np.sum(tied, axis=axes, keepdims=True)
    g = _unreduce(grad, x.shape, axes, keepdim)
    return g / Tensor._make(count) * Tensor._make(tied)


class Extreme(Function):
    """max()/min() over everything and amax/amin over ``dim``: ties share the gradient."""

    @staticmethod
    def forward(ctx, a, *, ufunc, axes, keepdim, nan_ties):
        out = np.asarray(ufunc.reduce(a, axis=axes, keepdims=keepdim))
        ctx.axes, ctx.keepdim, ctx.nan_ties = axes, keepdim, nan_ties
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return _spread(grad, x._data, y._data, ctx.axes, ctx.keepdim, ctx.nan_ties)


class MaxAll(Extreme):
    name = "MaxBackward1"


class MinAll(Extreme):
    name = "MinBackward1"


class Amax(Extreme):
    name = "AmaxBackward0"


class Amin(Extreme):
    name = "AminBackward0"


def _maxmin(name, ufunc, all_cls, dim_cls, arg, pairwise):
    def op(input, dim=None, keepdim=False, *, other=None):
        if isinstance(dim, Tensor):  # max(a, b): the elementwise maximum
            dim, other = None, dim
        if other is not None:
            import ember

            return getattr(ember, pairwise)(input, other)
        if dim is None:
            if keepdim:
                raise TypeError(f"{name}() received an invalid combination of arguments: "
                                "keepdim needs dim")
            _nonempty(name, input._data, (), False)
            axes = tuple(range(input._data.ndim))
            return all_cls.apply(input, ufunc=ufunc, axes=axes, keepdim=False, nan_ties=True)
        return _select(dim_cls, name, input, dim, keepdim, lambda m: arg(m, -1))

    op.__name__ = op.__qualname__ = name
    return op


max = register("max")(_maxmin("max", np.maximum, MaxAll, MaxDim, np.argmax, "maximum"))
max.__doc__ = """The largest element; with ``dim``, the named tuple ``(values, indices)`` of
    the largest along ``dim``; with a second tensor, the elementwise maximum.

    NaN wins, as in torch. The gradient of ``max()`` is split evenly among tied
    elements; that of ``max(dim)`` goes to the returned index (the first maximum).

    >>> ember.tensor([[1., 5.], [3., 2.]]).max(1)
    torch.return_types.max(
    values=tensor([5., 3.]),
    indices=tensor([1, 0]))
    """
min = register("min")(_maxmin("min", np.minimum, MinAll, MinDim, np.argmin, "minimum"))
min.__doc__ = """The smallest element; with ``dim``, the named tuple ``(values, indices)``;
    with a second tensor, the elementwise minimum. See ``max``.

    >>> ember.tensor([3., 1., 2.]).min()
    tensor(1.)
    """


def _amaxmin(name, cls, ufunc):
    def op(input, dim=(), keepdim=False):
        a = input._data
        axes = _dims(dim, a.ndim)
        _nonempty(name, a, axes, dim is not None and dim != () and dim != [])
        return cls.apply(input, ufunc=ufunc, axes=axes, keepdim=keepdim, nan_ties=False)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"The {name[1:]}imum over ``dim`` (an int or a tuple; all for ``()``); "
                  "ties share the gradient evenly.")
    return register(name)(op)


amax = _amaxmin("amax", Amax, np.maximum)
amin = _amaxmin("amin", Amin, np.minimum)


def _argmaxmin(name, arg):
    def op(input, dim=None, keepdim=False):
        a = input._data
        if a.dtype == np.bool_:
            raise RuntimeError(f"{name}(): does not support bool input")
        if dim is None:
            _nonempty(name, a, (), False, IndexError)
            out = arg(a, axis=None, keepdims=keepdim)
        else:
            axis = _int_dim(name, dim, a.ndim)
            if a.ndim == 0:
                return Tensor._make(np.zeros((), np.int64))
            _nonempty(name, a, (axis,), True)
            out = arg(a, axis=axis, keepdims=keepdim)
        return Tensor._make(np.asarray(out, dtype=np.int64))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"The index of the {name[3:]}imum (int64; of the flattened tensor without "
                  "``dim``); the first one when several tie, NaN first of all.")
    return register(name)(op)


argmax = _argmaxmin("argmax", np.argmax)
argmin = _argmaxmin("argmin", np.argmin)


# ---------------------------------------------------------------- order statistics


def _stable_order(m: np.ndarray) -> np.ndarray:
    return np.argsort(m, axis=-1, kind="stable")  # NaNs last, ties in index order


def _kth(k: int):
    """Pick the k-th smallest (0-based) along the last axis."""
    return lambda m: _stable_order(m)[..., k]


def _lower_median(m: np.ndarray) -> np.ndarray:
    """The lower of the two middle values; the first NaN where there is one (torch)."""
    index = _stable_order(m)[..., (m.shape[-1] - 1) // 2]
    if m.dtype.kind == "f":
        nan = np.isnan(m)
        index = np.where(nan.any(-1), np.argmax(nan, -1), index)
    return index


def _mode(m: np.ndarray) -> np.ndarray:
    """The most frequent value (the smallest of equally frequent ones) and, as torch
    does, the index of its last occurrence."""
    order = _stable_order(m)
    s = np.take_along_axis(m, order, -1)
    pos = np.arange(m.shape[-1])
    starts = np.ones(s.shape, bool)
    starts[..., 1:] = s[..., 1:] != s[..., :-1]
    run_length = pos - np.maximum.accumulate(np.where(starts, pos, 0), axis=-1) + 1
    # argmax finds the end of the first longest run: the smallest most frequent value
    return np.take_along_axis(order, np.argmax(run_length, -1)[..., None], -1)[..., 0]


class MedianAll(Extreme):
    name = "MedianBackward0"

    @staticmethod
    def forward(ctx, a, *, axes):
        flat = a.reshape(-1)
        out = np.asarray(flat[_lower_median(flat)] if flat.size else np.nan, a.dtype)
        ctx.axes, ctx.keepdim, ctx.nan_ties = axes, False, True
        ctx.save_for_backward(a, out)
        return out


@register("median")
def median(input, dim=None, keepdim=False):
    """The median: of all elements (the lower of the two middle values for an even
    count, as torch), or along ``dim`` as the named tuple ``(values, indices)``. NaN
    propagates.

    >>> ember.tensor([4., 1., 3., 2.]).median()
    tensor(2.)
    """
    if input._data.dtype == np.bool_:
        raise NotImplementedError("\"median_cpu\" not implemented for 'Bool'")
    if dim is None:
        axes = tuple(range(input._data.ndim))
        return MedianAll.apply(input, axes=axes)
    return _select(MedianDim, "median", input, dim, keepdim, _lower_median)


@register("kthvalue")
def kthvalue(input, k, dim=-1, keepdim=False):
    """The named tuple ``(values, indices)`` of the k-th smallest element along ``dim``
    (k counts from 1; NaN sorts last).

    >>> ember.tensor([3., 1., 2.]).kthvalue(2)
    torch.return_types.kthvalue(
    values=tensor(2.),
    indices=tensor(2))
    """
    a = input._data
    axis = _int_dim("kthvalue", dim, a.ndim)
    size = a.shape[axis] if a.ndim else 1
    if size and not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
    return _select(Kthvalue, "kthvalue", input, dim, keepdim, _kth(k - 1))


@register("mode")
def mode(input, dim=-1, keepdim=False):
    """The named tuple ``(values, indices)`` of the most frequent value along ``dim``
    (the smallest one when several are equally frequent).

    >>> ember.tensor([3, 1, 3, 2]).mode()
    torch.return_types.mode(
    values=tensor(3),
    indices=tensor(2))
    """
    return _select(Mode, "mode", input, dim, keepdim, _mode)


class Cumextreme(Function):
    """cummax / cummin: running extremes and where they were last reached."""

    n_outputs = 2

    @staticmethod
    def forward(ctx, a, *, ufunc, axis):
        ctx.axis, ctx.shape = axis, a.shape
        if a.ndim == 0:
            ctx.index = None
            return a.copy(), np.zeros((), np.int64)
        values = ufunc.accumulate(a, axis=axis)
        # A position reaches the running extreme when it equals it (or is a NaN, which
        # then stays the extreme); the index is the last such position so far.
        reached = a == values
        if a.dtype.kind == "f":
            reached |= np.isnan(a)
        pos = np.arange(a.shape[axis]).reshape((-1,) + (1,) * (a.ndim - 1 - axis))
        index = np.maximum.accumulate(np.where(reached, pos, 0), axis=axis)
        ctx.index = index
        return values, index

    @staticmethod
    def backward(ctx, grad, _):
        if ctx.index is None:
            return grad
        return PutAlong.apply(grad, index=ctx.index, axis=ctx.axis, shape=ctx.shape)


class Cummax(Cumextreme):
    name = "CummaxBackward0"


class Cummin(Cumextreme):
    name = "CumminBackward0"


def _cumextreme(name, cls, ufunc):
    def op(input, dim):
        axis = _int_dim(name, dim, input._data.ndim)
        values, indices = cls.apply(input, ufunc=ufunc, axis=axis)
        return return_type(name, "values", "indices")(values, indices)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"The named tuple ``(values, indices)`` of the running {name[3:]}imum "
                  f"along ``dim``; the gradient goes to the index where it was reached.")
    return register(name)(op)


cummax = _cumextreme("cummax", Cummax, np.maximum)
cummin = _cumextreme("cummin", Cummin, np.minimum)


# ---------------------------------------------------------------- variance and std


def _var(a, axes, keepdim, correction):
    """The variance, sum((x - mean)^2) / max(0, N - correction), and the mean."""
    n = _count(a.shape, axes)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.sum(a, axis=axes, keepdims=True) / n
        d = a - mean
        var = np.sum(d * d, axis=axes, keepdims=keepdim) / builtins.max(0, n - correction)
    if not keepdim:
        mean = mean.reshape(var.shape)
    return var.astype(a.dtype), mean.astype(a.dtype)


def _var_backward(grad, x, axes, keepdim, correction, all_reduce):
    """torch's var_backward: 2 / (N - correction) * grad * (x - mean)."""
    dof = _count(x.shape, axes) - correction
    g = _unreduce(grad, x.shape, axes, keepdim)
    mean = x.mean(axes, keepdim=True)
    if all_reduce and dof <= 0:
        # torch: infinite slope, except where x is at the mean (0 * inf)
        return g * where(x == mean, math.nan, math.inf)
    return (2.0 / dof if dof else math.inf) * g * (x - mean)


def _std_backward(grad, std, x, axes, keepdim, correction, all_reduce):
    """Through var: d std = d var / (2 std), taken as 0 where std is 0 (torch)."""
    grad = where(std == 0, 0.0, grad / (std * 2))
    return _var_backward(grad, x, axes, keepdim, correction, all_reduce)


class Var(Function):
    name = "VarBackward0"

    @staticmethod
    def forward(ctx, a, *, axes, keepdim, correction, all_reduce):
        ctx.args = (axes, keepdim, correction, all_reduce)
        ctx.save_for_backward(a)
        return _var(a, axes, keepdim, correction)[0]

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return _var_backward(grad, x, *ctx.args)


class Std(Function):
    name = "StdBackward0"

    @staticmethod
    def forward(ctx, a, *, axes, keepdim, correction, all_reduce):
        ctx.args = (axes, keepdim, correction, all_reduce)
        out = np.sqrt(_var(a, axes, keepdim, correction)[0])
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        return _std_backward(grad, y, x, *ctx.args)


class VarMean(Function):
    name = "VarMeanBackward0"
    n_outputs = 2

    @staticmethod
    def forward(ctx, a, *, axes, keepdim, correction, all_reduce):
        ctx.args = (axes, keepdim, correction, all_reduce)
        ctx.save_for_backward(a)
        return _var(a, axes, keepdim, correction)

    @staticmethod
    def backward(ctx, grad_var, grad_mean):
        (x,) = ctx.saved_tensors
        axes, keepdim = ctx.args[:2]
        mean_part = _unreduce(grad_mean, x.shape, axes, keepdim) / _count(x.shape, axes)
        return _var_backward(grad_var, x, *ctx.args) + mean_part


class StdMean(Function):
    name = "StdMeanBackward0"
    n_outputs = 2

    @staticmethod
    def forward(ctx, a, *, axes, keepdim, correction, all_reduce):
        ctx.args = (axes, keepdim, correction, all_reduce)
        var, mean = _var(a, axes, keepdim, correction)
        std = np.sqrt(var)
        ctx.save_for_backward(a, std)
        return std, mean

    @staticmethod
    def backward(ctx, grad_std, grad_mean):
        x, std = ctx.saved_tensors
        axes, keepdim = ctx.args[:2]
        mean_part = _unreduce(grad_mean, x.shape, axes, keepdim) / _count(x.shape, axes)
        return _std_backward(grad_std, std, x, *ctx.args) + mean_part


def _moments(name, cls):
    def op(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
        if isinstance(dim, bool):  # var(x, True): the legacy unbiased flag
            dim, unbiased = None, dim
        if correction is None:
            correction = 0 if unbiased is False else 1
        elif unbiased is not None:
            raise TypeError(f"{name}() received an invalid combination of arguments: "
                            "give correction or unbiased, not both")
        if input._data.dtype.kind != "f":
            what = name if name.endswith("_mean") else "std and var"
            raise RuntimeError(f"{what} only support floating point and complex dtypes")
        a = input._data
        axes = _dims(dim, a.ndim)
        if _count(a.shape, axes) - correction <= 0:
            warnings.warn(f"{name.split('_')[0]}(): degrees of freedom is <= 0. Correction "
                          "should be strictly less than the reduction factor (input numel "
                          "divided by output numel).", UserWarning, stacklevel=2)
        out = cls.apply(input, axes=axes, keepdim=keepdim, correction=correction,
                        all_reduce=dim is None or a.ndim == 0)
        return tuple(out) if isinstance(out, tuple) else out

    op.__name__ = op.__qualname__ = name
    return op


var = register("var")(_moments("var", Var))
var.__doc__ = """The variance over ``dim`` (all dims by default), dividing by
    ``N - correction`` (``correction=1`` by default; ``unbiased=False`` means 0).

    >>> ember.tensor([1., 2., 3., 4.]).var()
    tensor(1.6667)
    """
std = register("std")(_moments("std", Std))
std.__doc__ = """The standard deviation, ``sqrt(var)``; see ``var``. Its gradient at zero
    spread is 0, as torch's.

    >>> ember.tensor([1., 2., 3., 4.]).std(correction=0)
    tensor(1.1180)
    """
var_mean = register("var_mean", method=False)(_moments("var_mean", VarMean))
var_mean.__doc__ = "The tuple ``(var, mean)`` over ``dim``, in one pass; see ``var``."
std_mean = register("std_mean", method=False)(_moments("std_mean", StdMean))
std_mean.__doc__ = "The tuple ``(std, mean)`` over ``dim``, in one pass; see ``var``."


# ---------------------------------------------------------------- norms, logsumexp


class VectorNorm(Function):
    name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, a, *, ord, axes, keepdim):
        ctx.ord, ctx.axes, ctx.keepdim = ord, axes, keepdim
        absa = np.abs(a)
        if ord == math.inf:
            out = np.max(absa, axis=axes, keepdims=keepdim)
        elif ord == -math.inf:
            out = np.min(absa, axis=axes, keepdims=keepdim)
        elif ord == 0:
            out = np.sum(a != 0, axis=axes, keepdims=keepdim, dtype=a.dtype)
        elif ord == 1:
            out = np.sum(absa, axis=axes, keepdims=keepdim)
        elif ord == 2:
            out = np.sqrt(np.sum(a * a, axis=axes, keepdims=keepdim))
        else:
            out = np.sum(absa ** ord, axis=axes, keepdims=keepdim) ** (1.0 / ord)
        out = np.asarray(out, dtype=a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, norm = ctx.saved_tensors
        p, axes, keepdim = ctx.ord, ctx.axes, ctx.keepdim
        if p == 0:
            return None  # a count: torch gives no gradient at all
        grad, norm = _keepdim(grad, axes, keepdim), _keepdim(norm, axes, keepdim)
        if p == 1:
            return x.sign() * grad
        if p == 2:
            return grad * where(norm == 0, 0.0, x / norm)
        if math.isinf(p):
            absx = x.abs()._data
            tied = (absx == norm._data) | np.isnan(absx)
            count = Tensor._make(np.sum(tied, axis=axes, keepdims=True))
            return x.sign() * (grad / count * Tensor._make(tied))
        # The general p: d ||x|| / dx = sign(x) |x|^(p-1) / ||x||^(p-1), 0 where ||x|| = 0
        if p < 1:
            scaled = where(x == 0, 0.0, x.sign() * x.abs() ** (p - 1))
            return scaled * grad * norm ** (1 - p)
        scaled = x.sign() * x.abs() ** (p - 1) if p < 2 else x * x.abs() ** (p - 2)
        return scaled * where(norm == 0, 0.0, grad / norm ** (p - 1))


def vector_norm(input, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The p-norm of ``input`` over ``dim`` (all by default): torch.linalg.vector_norm.
    ``ord`` may be any float, ``inf`` (max of |x|), ``-inf`` or 0 (count of non-zeros).
    """
    if dtype is not None and input._data.dtype.kind == "f":
        input = input.to(dtype)
    _float_only("linalg.vector_norm", input, "{name}: Expected a floating point or complex "
                "tensor as input. Got {dtype}")
    a = input._data
    axes = _dims(dim, a.ndim)
    if math.isinf(ord) and a.size == 0:
        if dim is None:
            raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty "
                               "tensor because the operation does not have an identity")
        for ax in axes:
            if a.shape[ax] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the inf norm on the "
                                   f"dimension {ax}because this dimension is empty and the "
                                   f"operation does not have an identity")
    return VectorNorm.apply(input, ord=float(ord), axes=axes, keepdim=keepdim)


@register("norm")
def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """The norm of ``input``: a vector p-norm over ``dim`` (all elements by default) for
    a number ``p`` or ``"fro"``; ``"nuc"`` is a matrix norm (``ember.linalg``).

    >>> ember.tensor([3., 4.]).norm()
    tensor(5.)
    """
    if isinstance(p, str):
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        dims = (dim,) if isinstance(dim, int) else dim
        if p == "fro" and (dims is None or len(dims) <= 2):
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        if dims is not None and len(dims) != 2:
            raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got "
                               + " ".join(map(str, dims)))
        import ember

        return ember.linalg.matrix_norm(input, p, dim=dims or (-2, -1), keepdim=keepdim,
                                        dtype=dtype)
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


class Logsumexp(Function):
    name = "LogsumexpBackward0"

    @staticmethod
    def forward(ctx, a, *, axes, keepdim):
        ctx.axes, ctx.keepdim = axes, keepdim
        # Shift by the maximum so exp cannot overflow; an infinite maximum shifts by 0.
        top = np.max(a, axis=axes, keepdims=True, initial=-np.inf)
        top = np.where(np.isinf(top), 0, top)
        out = np.log(np.sum(np.exp(a - top), axis=axes, keepdims=True)) + top
        out = (out if keepdim else out.reshape(
            [s for i, s in enumerate(a.shape) if i not in axes])).astype(a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        axes, keepdim = ctx.axes, ctx.keepdim
        return _keepdim(grad, axes, keepdim) * (x - _keepdim(y, axes, keepdim)).exp()


@register("logsumexp")
def logsumexp(input, dim, keepdim=False):
    """``log(sum(exp(input)))`` over ``dim``, computed without overflow.

    >>> ember.tensor([1000., 1000.]).logsumexp(0)
    tensor(1000.6931)
    """
    if input._data.dtype.kind != "f":
        input = input.to(get_default_dtype())
    axes = _dims(dim, input._data.ndim)
    return Logsumexp.apply(input, axes=axes, keepdim=keepdim)


# ---------------------------------------------------------------- logic and counting


def _logical(name, fn):
    def op(input, dim=None, keepdim=False):
        a = input._data
        # dim=() reduces nothing here (torch), unlike sum's "all dims"
        axes = () if dim is not None and not isinstance(dim, int) and len(dim) == 0 \
            else _dims(dim, a.ndim)
        out = fn(a, axis=axes, keepdims=keepdim)
        return Tensor._make(np.asarray(out, np.uint8 if a.dtype == np.uint8 else np.bool_))

    op.__name__ = op.__qualname__ = name
    return register(name)(op)


all = _logical("all", np.all)
all.__doc__ = """True if every element (over ``dim``) is non-zero; uint8 in, uint8 out.

    >>> ember.tensor([[True, False], [True, True]]).all(1)
    tensor([False,  True])
    """
any = _logical("any", np.any)
any.__doc__ = """True if some element (over ``dim``) is non-zero; uint8 in, uint8 out.

    >>> ember.tensor([0, 0, 3]).any()
    tensor(True)
    """


@register("count_nonzero")
def count_nonzero(input, dim=None):
    """The number of non-zero elements (over ``dim``, an int or a tuple), as int64.

    >>> ember.tensor([[0, 1], [2, 3]]).count_nonzero(0)
    tensor([1, 2])
    """
    a = input._data
    axes = _dims(dim, a.ndim)
    out = np.count_nonzero(a, axis=axes) if axes else (a != 0)
    return Tensor._make(np.asarray(out, np.int64))


# ---------------------------------------------------------------- undoing broadcasting


@register("sum_to_size", function=False)
def sum_to_size(input, *size):
    """Sum ``input`` down to ``size``, which it must broadcast from: the inverse of
    ``expand``, and how the engine undoes broadcasting."""
    size = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], int) else size
    shape = input._data.shape
    axes = reduced_axes(shape, size)
    if not axes:
        return input
    if not (input._rg and state.enabled) and fw.level < 0:  # nothing to record: the sum
        return Tensor._make(sum_to(input._data, size))
    out = Sum.apply(input, axes=axes, keepdim=True, dtype=None)
    return out.reshape(size) if len(shape) > len(size) else out
