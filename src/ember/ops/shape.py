"""Shape ops: reshape, view, transpose, permute, expand, squeeze, unsqueeze, flatten.

These move no data: their outputs are NumPy views of the input (``view = True``), so
they share the input's memory and version counter, as torch's views do. Each
gradient is the inverse rearrangement of the output gradient.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Function, register


def _infer_shape(shape, numel: int) -> tuple:
    """Resolve one ``-1`` in a requested shape; torch's error when sizes don't fit."""
    shape = tuple(shape)
    known = 1
    free = None
    for i, s in enumerate(shape):
        if s == -1:
            if free is not None:
                raise RuntimeError("only one dimension can be inferred")
            free = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s}")
        else:
            known *= s
    if free is not None and known != 0 and numel % known == 0:
        return shape[:free] + (numel // known,) + shape[free + 1:]
    if free is None and known == numel:
        return shape
    raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")


def _shape_args(args) -> tuple:
    """Shapes as torch takes them: ``f(2, -1)``, ``f((2, -1))``, ``f([2, -1])``."""
    if len(args) == 1 and not isinstance(args[0], int):
        args = tuple(args[0])
    return tuple(int(a) for a in args)


class View(Function):
    name = "ViewBackward0"
    view = True

    @staticmethod
    def forward(ctx, a, *, shape):
        ctx.shape = a.shape
        out = a.view()
        try:
            out.shape = shape  # raises instead of copying when strides don't allow a view
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at "
                "least one dimension spans across two contiguous subspaces). Use "
                ".reshape(...) instead."
            ) from None
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


class Reshape(Function):
    """A reshape that had to copy (the input's strides allow no view)."""

    name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, a, *, shape):
        ctx.shape = a.shape
        return np.reshape(a, shape).copy()

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


@register("view", function=False)
def view(input, *shape):
    """The same data with another shape (one size may be -1); no copy is made, so
    the input's strides must allow it.

    >>> ember.arange(6).view(2, 3)
    tensor([[0, 1, 2],
            [3, 4, 5]])
    """
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list)):
        return input.to(shape[0])  # view(dtype) reinterpretation is not in ember
    return View.apply(input, shape=_infer_shape(_shape_args(shape), input._data.size))


@register("reshape")
def reshape(input, *shape):
    """The same data with another shape (one size may be -1); a view when possible,
    else a copy."""
    shape = _infer_shape(_shape_args(shape), input._data.size)
    if shape == input._data.shape:
        return View.apply(input, shape=shape)
    a = input._data
    if a.flags.c_contiguous or np.shares_memory(np.reshape(a, shape), a):
        return View.apply(input, shape=shape)
    return Reshape.apply(input, shape=shape)


def _view_as(self, other):
    return view(self, other.shape)


def _reshape_as(self, other):
    return reshape(self, other.shape)


Tensor.view_as = _view_as
Tensor.reshape_as = _reshape_as


class Permute(Function):
    name = "PermuteBackward0"
    view = True

    @staticmethod
    def forward(ctx, a, *, dims):
        ctx.dims = dims
        return np.transpose(a, dims)

    @staticmethod
    def backward(ctx, grad):
        return grad.permute(tuple(np.argsort(ctx.dims)))


class Transpose(Function):
    name = "TransposeBackward0"
    view = True

    @staticmethod
    def forward(ctx, a, *, dim0, dim1):
        ctx.dims = (dim0, dim1)
        return np.swapaxes(a, dim0, dim1)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(*ctx.dims)


class T(Transpose):
    name = "TBackward0"


@register("permute")
def permute(input, *dims):
    """Reorder the dimensions: ``x.permute(2, 0, 1)``."""
    dims = _shape_args(dims)
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match "
            f"the length of the desired ordering of dimensions i.e. input.dim() = {n} is "
            f"not equal to len(dims) = {len(dims)}"
        )
    axes = tuple(_wrap_dim(d, n) for d in dims)
    if len(set(axes)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims=axes)


@register("transpose", "swapaxes", "swapdims")
def transpose(input, dim0, dim1):
    """Swap two dimensions."""
    n = input._data.ndim
    return Transpose.apply(input, dim0=_wrap_dim(dim0, n), dim1=_wrap_dim(dim1, n))


@register("t")
def t(input):
    """Transpose a tensor of at most 2 dimensions."""
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    return T.apply(input, dim0=0, dim1=n - 1) if n == 2 else input


def _T(self):
    return permute(self, tuple(range(self._data.ndim - 1, -1, -1)))


def _mT(self):
    if self._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of "
                           f"matrices. Got {self._data.ndim}-D tensor.")
    return transpose(self, -2, -1)


Tensor.T = property(_T)
Tensor.mT = property(_mT)


class Expand(Function):
    name = "ExpandBackward0"
    view = True

    @staticmethod
    def forward(ctx, a, *, shape):
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad  # the engine sums it back to the input's shape


@register("expand", function=False)
def expand(input, *sizes):
    """Repeat size-1 dimensions (and add leading ones) without copying; -1 keeps a size.

    >>> ember.tensor([1, 2]).expand(2, -1)
    tensor([[1, 2],
            [1, 2]])
    """
    sizes = _shape_args(sizes)
    shape = input._data.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(
            f"expand({_type_name(input)}{{{list(shape)}}}, size={list(sizes)}): the number "
            "of sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the "
            f"tensor ({len(shape)})"
        )
    target = []
    for i, s in enumerate(sizes):
        old = shape[i - lead] if i >= lead else None
        if s == -1:
            if old is None:
                raise RuntimeError(
                    f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                    f"non-existing dimension {i}")
            s = old
        elif old is not None and old != 1 and old != s:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size "
                f"({old}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  "
                f"Tensor sizes: {list(shape)}"
            )
        target.append(s)
    target = tuple(target)
    if target == shape:
        return input
    return Expand.apply(input, shape=target)


def _type_name(t: Tensor) -> str:
    from .._tensor import _TYPE_NAMES

    return _TYPE_NAMES[t.dtype].split(".")[1].replace("Tensor", "Type")


def _expand_as(self, other):
    return expand(self, other.shape)


Tensor.expand_as = _expand_as


@register("broadcast_to")
def broadcast_to(input, size):
    """``input`` expanded to ``size`` by the broadcasting rules."""
    return expand(input, size)


class Squeeze(View):
    name = "SqueezeBackward0"


class Unsqueeze(View):
    name = "UnsqueezeBackward0"


@register("squeeze")
def squeeze(input, dim=None):
    """Drop dimensions of size 1 (all of them, or those in ``dim``)."""
    shape = input._data.shape
    if dim is None:
        axes = range(len(shape))
    else:
        axes = {_wrap_dim(d, len(shape)) for d in ((dim,) if isinstance(dim, int) else dim)}
    new = tuple(s for i, s in enumerate(shape) if not (i in axes and s == 1))
    return Squeeze.apply(input, shape=new)


@register("unsqueeze")
def unsqueeze(input, dim):
    """Insert a dimension of size 1 at ``dim``."""
    shape = list(input._data.shape)
    shape.insert(_wrap_dim(dim, len(shape) + 1), 1)
    return Unsqueeze.apply(input, shape=tuple(shape))


@register("flatten")
def flatten(input, start_dim=0, end_dim=-1):
    """Merge dimensions ``start_dim`` to ``end_dim`` into one."""
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    s, e = _wrap_dim(start_dim, len(shape)), _wrap_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    return reshape(input, shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:])
