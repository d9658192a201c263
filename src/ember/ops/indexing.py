"""Indexing: ``x[key]`` and ``x[key] = value``, with torch's semantics.

Basic keys (ints, slices, None, ...) give views that share memory, as in torch;
integer tensors, lists and boolean masks (advanced indexing) give copies. The
gradient of ``x[key]`` is the output gradient added into zeros at ``key``, so repeated
indices accumulate.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function
from ..autograd.grad_mode import state


def _convert(k):
    """One component of a key as NumPy takes it."""
    if isinstance(k, Tensor):
        if k._data.dtype.kind not in "biu":
            raise IndexError(
                "tensors used as indices must be long, int, byte or bool tensors"
            )
        return k._data
    if isinstance(k, slice):
        if k.step is not None and int(k.step) <= 0:
            raise ValueError("step must be greater than zero")
        return slice(*(None if v is None else int(v) for v in (k.start, k.stop, k.step)))
    if isinstance(k, (list, tuple)):
        a = np.asarray([_convert(x) for x in k])
        if a.dtype.kind not in "biu":
            raise IndexError("tensors used as indices must be long, int, byte or bool "
                             "tensors")
        return a
    if k is None or k is Ellipsis or isinstance(k, (bool, np.bool_)):
        return k
    if hasattr(k, "__index__"):
        return int(k.__index__())
    raise IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
        f"are valid indices (got {type(k).__name__})"
    )


def _key(key):
    """The whole key as a tuple for NumPy, and which torch op it amounts to."""
    if not isinstance(key, tuple):
        key = (key,)
    key = tuple(_convert(k) for k in key)
    advanced = any(isinstance(k, (np.ndarray, bool, np.bool_)) for k in key)
    if advanced:
        return key, Index
    cls = Alias
    for k in key:
        if isinstance(k, int):
            cls = Select
        elif k is None:
            cls = Unsqueeze
        elif isinstance(k, slice) and (k != slice(None) or cls is Alias):
            cls = Slice
    if Ellipsis not in key:
        key = key + (Ellipsis,)  # a 0-d view, not a NumPy scalar copy, for x[i, j]
    return key, cls


def _check(a: np.ndarray, key: tuple):
    """Raise torch's IndexError for a key that does not fit ``a``."""
    n = sum(1 for k in key if k is not None and k is not Ellipsis and
            not (isinstance(k, np.ndarray) and k.dtype == np.bool_) and
            not isinstance(k, (bool, np.bool_)))
    n += sum(k.ndim for k in key if isinstance(k, np.ndarray) and k.dtype == np.bool_)
    if n > a.ndim:
        raise IndexError(f"too many indices for tensor of dimension {a.ndim}")
    dim = 0
    for k in key:
        if k is Ellipsis:
            dim = a.ndim - (n - dim)
            continue
        if k is None or isinstance(k, (bool, np.bool_)):
            continue
        if isinstance(k, int) and not -a.shape[dim] <= k < a.shape[dim]:
            raise IndexError(
                f"index {k} is out of bounds for dimension {dim} with size {a.shape[dim]}"
            )
        if isinstance(k, np.ndarray) and k.dtype != np.bool_ and k.size:
            bad = k[(k >= a.shape[dim]) | (k < -a.shape[dim])]
            if bad.size:
                raise IndexError(
                    f"index {bad.flat[0]} is out of bounds for dimension {dim} with size "
                    f"{a.shape[dim]}"
                )
        if isinstance(k, np.ndarray) and k.dtype == np.bool_:
            if k.shape != a.shape[dim:dim + k.ndim]:
                raise IndexError(
                    f"The shape of the mask {list(k.shape)} at index {dim} does not match "
                    f"the shape of the indexed tensor {list(a.shape)} at index {dim}"
                )
            dim += k.ndim
            continue
        dim += 1


class GetItem(Function):
    name = "IndexBackward0"

    @staticmethod
    def forward(ctx, a, *, key):
        ctx.shape, ctx.key = a.shape, key
        return a[key]

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad, key=ctx.key, shape=ctx.shape)


class Index(GetItem):
    name = "IndexBackward0"


class Select(GetItem):
    name = "SelectBackward0"
    view = True


class Slice(Select):
    name = "SliceBackward0"


class Unsqueeze(Select):
    name = "UnsqueezeBackward0"


class Alias(Select):
    name = "AliasBackward0"


class IndexAdd(Function):
    """Zeros of the indexed tensor's shape with ``grad`` added in at ``key``."""

    name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, g, *, key, shape):
        ctx.key = key
        out = np.zeros(shape, dtype=g.dtype)
        np.add.at(out, key, g)  # repeated indices add up, as the chain rule wants
        return out

    @staticmethod
    def backward(ctx, grad):
        return GetItem.apply(grad, key=ctx.key)


class IndexPut(Function):
    """``a`` with ``value`` written at ``key`` (out of place; ``x[key] = v`` uses it)."""

    name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, a, value, *, key):
        ctx.key = key
        out = a.copy()
        out[key] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        ga, gv = ctx.needs_input_grad
        keep = None
        if ga:
            mask = np.ones(grad.shape, dtype=grad._data.dtype)
            mask[ctx.key] = 0
            keep = grad * Tensor._make(mask)
        return keep, (GetItem.apply(grad, key=ctx.key) if gv else None)


def getitem(self: Tensor, key) -> Tensor:
    k, cls = _key(key)
    _check(self._data, k)
    out = cls.apply(self, key=k)
    if cls.view:
        out._view_of = (self, key)
    return out


def setitem(self: Tensor, key, value) -> None:
    if isinstance(value, Tensor) and value._data.dtype != self._data.dtype:
        value = value.to(self.dtype)
    recording = state.enabled and (
        self.requires_grad or (isinstance(value, Tensor) and value.requires_grad))
    k, _ = _key(key)
    _check(self._data, k)
    if not recording:
        self._data[k] = value._data if isinstance(value, Tensor) else value
        self._bump()
        return
    from .pointwise import _inplace

    _inplace(self, lambda a, v: IndexPut.apply(a, v, key=k), value)


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem
