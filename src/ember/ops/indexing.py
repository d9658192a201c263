"""Indexing: ``x[key]``, ``x[key] = value`` and the index ops, with torch's semantics.

``x[key]`` takes torch's two steps: the basic part of the key (ints, slices, None,
``...``) gives a view that shares memory; the advanced part (integer tensors, lists, bool
masks) then gives a copy. Picking elements (indexing, gather, index_select, take, sort's
values, ...) has as gradient the output gradient added back into zeros at the picked
places, so repeated indices accumulate; writing elements (``x[key] = v``, scatter,
index_copy, ...) sends the gradient at the written places to the source and the rest to
the input.
"""

from __future__ import annotations

import numbers
import operator
import warnings

import numpy as np

from .._dtype import from_numpy_dtype
from .._tensor import _TYPE_NAMES, Tensor, _unwrap_nested, _wrap_dim
from ..autograd.forward_ad import state as _fw_state
from ..autograd.function import Function, register
from ..autograd.grad_mode import state
from ._return_types import return_type
from .pointwise import _inplace

_ALL = slice(None)

# ---------------------------------------------------------------- reading the key


def _word(dtype) -> str:
    """torch's short type name of a NumPy dtype: Float, Long, Bool, ..."""
    return _TYPE_NAMES[from_numpy_dtype(np.dtype(dtype))][6:-6]


def _index_array(a: np.ndarray, from_tensor: bool = True):
    """An index tensor as NumPy takes it: int64/int32 positions or a bool mask."""
    kind = a.dtype
    if kind == np.bool_ or kind == np.int64 or kind == np.int32:
        pass
    elif kind == np.uint8:
        warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a "
                      "dtype torch.bool instead.", UserWarning, stacklevel=4)
        a = a.astype(np.bool_)
    elif from_tensor or kind.kind not in "iu":  # NumPy arrays: any integer type, as torch
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return a if a.ndim else a.item()  # 0-d: an int (select) or a bool, as in torch


def _slice(k: slice) -> slice:
    try:
        start, stop, step = (None if v is None else operator.index(v)
                             for v in (k.start, k.stop, k.step))
    except TypeError:
        raise TypeError("slice indices must be integers or None or have an __index__ "
                        "method") from None
    if step is not None and step <= 0:
        raise ValueError("slice step cannot be zero" if step == 0 else
                         "step must be greater than zero")
    return slice(start, stop, step)


def _convert(k):
    """One component of a key: an int, slice, None, Ellipsis, bool, or an index array."""
    if isinstance(k, Tensor):
        return _index_array(k._data)
    if isinstance(k, slice):
        return _slice(k)
    if k is None or k is Ellipsis:
        return k
    if isinstance(k, (bool, np.bool_)):
        return bool(k)
    if isinstance(k, np.ndarray):
        return _index_array(k, from_tensor=False)
    if isinstance(k, (list, tuple)):  # a nested sequence is a tensor of positions or a mask
        a = np.asarray(_unwrap_nested(list(k)))
        if a.dtype == np.bool_:
            return a
        if a.dtype.kind not in "iuf":
            raise IndexError("tensors used as indices must be long, int, byte or bool "
                             "tensors")
        return a.astype(np.int64)  # torch makes a long tensor of any numbers
    if isinstance(k, str):
        raise TypeError("new(): invalid data type 'str'")
    if hasattr(k, "__index__"):
        return operator.index(k)
    raise IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
        f"are valid indices (got {type(k).__name__})"
    )


def _sequence_as_tuple(key: list) -> bool:
    """torch reads ``x[[0, slice(None)]]`` as ``x[0, :]``: a short list holding a
    sequence, slice, tensor, None or ``...`` is a tuple (with a deprecation warning)."""
    if len(key) >= 32:
        return False
    return any(isinstance(k, (Tensor, list, tuple, slice)) or k is None or k is Ellipsis
               for k in key)


def _parse(key, shape: tuple):
    """Split ``key`` into torch's two steps, checking it against ``shape``.

    Returns ``(basic, adv, view)``: ``basic`` is a NumPy key of ints, slices, None and
    ``...`` that gives a view (None when that step does nothing), ``adv`` the key of
    index arrays applied to that view (None for a basic key), ``view`` the Function that
    names the view step as torch does (the last view op applied).
    """
    single = not isinstance(key, tuple)
    if single and isinstance(key, list) and _sequence_as_tuple(key):
        warnings.warn(
            "Using a non-tuple sequence for multidimensional indexing is deprecated and "
            "will be changed in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In "
            "pytorch 2.9 this will be interpreted as tensor index, x[torch.tensor(seq)], "
            "which will result either in an error or a different result", UserWarning,
            stacklevel=3)
        key, single = tuple(key), False
    comps, used, ellipsis = [], 0, False
    for k in (key,) if single else key:
        c = _convert(k)
        if c is Ellipsis:
            if ellipsis:
                continue  # torch lets every ``...`` after the first stand for no dims
            ellipsis = True
        elif type(c) is np.ndarray:
            used += c.ndim if c.dtype == np.bool_ else 1
        elif c is not None and type(c) is not bool:
            used += 1
        comps.append(c)
    ndim = len(shape)
    if used > ndim:
        if ndim == 0 and single and type(comps[0]) is int:
            raise IndexError(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        if ndim == 0 and single and type(comps[0]) is slice:
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        raise IndexError(f"too many indices for tensor of dimension {ndim}")

    basic, adv, arrays = [], [], []  # arrays: (index array, size(s), dim after step 1)
    dim = 0  # the input dimension the next component indexes
    sdim = 0  # the dimension it becomes in the basic step's result
    view = Alias
    for c in comps:
        t = type(c)
        if c is Ellipsis:
            basic.append(c)
            adv.append(c)
            dim += ndim - used
            sdim += ndim - used
        elif c is None:
            basic.append(None)
            adv.append(_ALL)
            view = Unsqueeze
            sdim += 1
        elif t is int:
            n = shape[dim]
            if not -n <= c < n:
                raise IndexError(
                    f"index {c} is out of bounds for dimension {dim} with size {n}")
            basic.append(c)
            view = Select
            dim += 1
        elif t is slice:
            basic.append(c)
            adv.append(_ALL)
            if single or c != _ALL:  # torch skips ``:`` inside a tuple
                view = Slice
            dim += 1
            sdim += 1
        elif t is bool:  # a new dim of size 1, indexed by [0] (True) or [] (False)
            basic.append(None)
            adv.append(np.zeros(int(c), np.int64))
            arrays.append((adv[-1], 1, sdim))
            view = Unsqueeze
            sdim += 1
        else:
            k = c.ndim if c.dtype == np.bool_ else 1
            basic.extend([_ALL] * k)
            adv.append(c)
            arrays.append((c, shape[dim:dim + k] if c.dtype == np.bool_ else shape[dim], sdim))
            dim += k
            sdim += k
    if not arrays:
        if not ellipsis:
            basic.append(Ellipsis)  # a 0-d view, not a NumPy scalar copy, for x[i, j]
        return tuple(basic), None, view
    basic = tuple(basic)
    _check_arrays(arrays, shape, basic)
    if all(b is Ellipsis or b == _ALL for b in basic):
        return None, tuple(adv), view
    return basic, tuple(adv), view


def _check_arrays(arrays, shape, basic) -> None:
    """torch's IndexErrors for the index arrays of a key: mask shapes, broadcasting,
    then positions out of range (the first bad one, as torch's kernel meets it)."""
    for a, size, sdim in arrays:
        if a.dtype == np.bool_ and a.shape != size:
            # torch checks masks against the tensor after the basic step
            viewed = np.broadcast_to(np.empty(()), shape)[basic].shape
            at = next(i for i, (m, s) in enumerate(zip(a.shape, size)) if m != s)
            raise IndexError(
                f"The shape of the mask {list(a.shape)} at index {at} does not match the "
                f"shape of the indexed tensor {list(viewed)} at index {sdim + at}")
    if len(arrays) > 1:
        shapes = []
        for a, _, _ in arrays:
            if a.dtype == np.bool_:
                shapes += [(int(np.count_nonzero(a)),)] * a.ndim
            else:
                shapes.append(a.shape)
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            raise IndexError(
                "shape mismatch: indexing tensors could not be broadcast together with "
                f"shapes {', '.join(str(list(s)) for s in shapes)}") from None
    ints = [(a, n) for a, n, _ in arrays if a.dtype != np.bool_]
    if not any(a.size and (a.min() < -n or a.max() >= n) for a, n in ints):
        return
    bad = np.broadcast_arrays(*[(a < -n) | (a >= n) for a, n in ints])
    bad = np.stack([b.reshape(-1) for b in bad], -1)
    row = int(bad.any(1).argmax())  # the first position with a bad index ...
    i = int(bad[row].argmax())  # ... and the first index array bad there
    a, n = ints[i]
    if n == 0:
        raise IndexError("index is out of bounds for dimension with size 0")
    value = np.broadcast_to(a, np.broadcast_shapes(*[b.shape for b, _ in ints]))
    # torch numbers the dimension among the indexed ones (a mask counts its dims)
    position = 0
    for b, _, _ in arrays:
        if b is a:
            break
        position += b.ndim if b.dtype == np.bool_ else 1
    raise IndexError(f"index {value.reshape(-1)[row]} is out of bounds for dimension "
                     f"{position} with size {n}")


# ---------------------------------------------------------------- x[key]


class Alias(Function):
    """A view of ``a`` through a basic key (ints, slices, None, ...)."""

    name = "AliasBackward0"
    view = True

    @staticmethod
    def forward(ctx, a, *, key):
        ctx.key, ctx.shape = key, a.shape
        return a[key]

    @staticmethod
    def backward(ctx, grad):
        return ViewScatter.apply(grad, key=ctx.key, shape=ctx.shape)


class Select(Alias):
    name = "SelectBackward0"


class Slice(Alias):
    name = "SliceBackward0"


class Unsqueeze(Alias):
    name = "UnsqueezeBackward0"


class ViewScatter(Function):
    """Zeros of the viewed tensor's shape with ``g`` written at a basic key (no position
    repeats in a basic key, so writing is enough)."""

    @staticmethod
    def forward(ctx, g, *, key, shape):
        ctx.key = key
        out = np.zeros(shape, dtype=g.dtype)
        out[key] = g
        return out

    @staticmethod
    def backward(ctx, grad):
        return Alias.apply(grad, key=ctx.key)


class Index(Function):
    """``a[key]`` for a key of index arrays and masks: a copy."""

    name = "IndexBackward0"

    @staticmethod
    def forward(ctx, a, *, key):
        ctx.key, ctx.shape = key, a.shape
        return a[key]

    @staticmethod
    def backward(ctx, grad):
        return AccumulateAt.apply(grad, key=ctx.key, shape=ctx.shape)


class MaskedSelect(Index):
    name = "MaskedSelectBackward0"


class AccumulateAt(Function):
    """Zeros of ``shape`` with ``g`` added in at ``key``: repeated positions add up."""

    name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, g, *, key, shape):
        ctx.key = key
        out = np.zeros(shape, dtype=g.dtype)
        np.add.at(out, key, g)
        return out

    @staticmethod
    def backward(ctx, grad):
        return Index.apply(grad, key=ctx.key)


def _pick(t: Tensor, plan) -> Tensor:
    """``t`` indexed by a parsed key, as recorded ops (a view, then a copy)."""
    basic, adv, view = plan
    if basic is not None:
        t = view.apply(t, key=basic)
    return t if adv is None else Index.apply(t, key=adv)


def getitem(self: Tensor, key) -> Tensor:
    shape = self._data.shape
    if type(key) is int and shape and -shape[0] <= key < shape[0]:
        # x[i] (iteration, datasets): the common case. With nothing to record it is
        # just the NumPy view, linked to its base as every view is.
        if not (self._rg and state.enabled) and _fw_state.level < 0:
            out = Tensor._make(self._data[key, ...])
            out._vc = self._counter()
            out._base = self if self._base is None else self._base
        else:
            out = Select.apply(self, key=(key, Ellipsis))
        out._view_of = (self, key)
        return out
    plan = _parse(key, shape)
    out = _pick(self, plan)
    if plan[1] is None:
        out._view_of = (self, key)  # lets in-place ops on the view reach self's graph
    return out


# ---------------------------------------------------------------- x[key] = value


def _put(out: np.ndarray, plan, value) -> None:
    """Write ``value`` into ``out`` at a parsed key, with torch's shape errors."""
    basic, adv, _ = plan
    target = out if basic is None else out[basic]
    try:
        if adv is None:
            target[...] = value
        else:
            target[adv] = value
    except (ValueError, TypeError):  # NumPy's broadcast errors, and 2-d values for a mask
        raise _value_shape_error(target if adv is None else target[adv], adv is not None,
                                 value) from None


def _value_shape_error(target: np.ndarray, advanced: bool, value) -> RuntimeError:
    vshape = list(np.shape(value))
    while vshape and vshape[0] == 1:  # torch drops leading 1s of the value first
        vshape.pop(0)
    tshape = list(target.shape)
    if advanced:
        return RuntimeError(f"shape mismatch: value tensor of shape {vshape} cannot be "
                            f"broadcast to indexing result of shape {tshape}")
    if len(vshape) > len(tshape):
        return RuntimeError(
            f"expand(torch.{_word(np.asarray(value).dtype)}Tensor{{{vshape}}}, "
            f"size={tshape}): the number of sizes provided ({len(tshape)}) must be "
            f"greater or equal to the number of dimensions in the tensor ({len(vshape)})")
    for i in range(1, len(vshape) + 1):
        if vshape[-i] != 1 and vshape[-i] != tshape[-i]:
            return RuntimeError(
                f"The expanded size of the tensor ({tshape[-i]}) must match the existing "
                f"size ({vshape[-i]}) at non-singleton dimension {len(tshape) - i}.  "
                f"Target sizes: {tshape}.  Tensor sizes: {vshape}")
    return RuntimeError(f"cannot write a value of shape {vshape} into shape {tshape}")


class IndexPut(Function):
    """``a`` with ``value`` written at a parsed key, out of place (``x[key] = v`` runs it
    through the in-place helper). Gradients: ``grad`` with zeros at the key for ``a``,
    ``grad[key]`` for the value."""

    name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, a, value, *, plan):
        ctx.plan, ctx.vshape = plan, np.shape(value)
        out = a.copy()
        _put(out, plan, value)
        return out

    @staticmethod
    def backward(ctx, grad):
        need_a, need_v = ctx.needs_input_grad
        ga = gv = None
        if need_a:
            ga = IndexPut.apply(grad, 0.0, plan=ctx.plan)
        if need_v:
            gv = _pick(grad, ctx.plan)
            extra = len(ctx.vshape) - gv.ndim
            if extra > 0:  # the value had leading 1s that indexing dropped
                gv = gv.reshape((1,) * extra + tuple(gv.shape))
        return ga, gv


class CopySlices(IndexPut):
    name = "CopySlices"


class CopyBackwards(IndexPut):
    name = "CopyBackwards"


def setitem(self: Tensor, key, value) -> None:
    plan = _parse(key, self._data.shape)
    basic, adv, _ = plan
    if isinstance(value, Tensor):
        if value._data.dtype != self._data.dtype:
            mask_fill = adv is not None and basic is None and len(adv) == 1 and \
                type(adv[0]) is np.ndarray and adv[0].dtype == np.bool_ and value.ndim == 0
            if adv is not None and not mask_fill:
                raise RuntimeError(
                    "Index put requires the source and destination dtypes match, got "
                    f"{_word(self._data.dtype)} for the destination and "
                    f"{_word(value._data.dtype)} for the source.")
            value = value.to(self.dtype)
    elif not isinstance(value, (numbers.Number, np.generic)):
        raise TypeError(f"can't assign a {type(value).__name__} to a "
                        f"{_TYPE_NAMES[self.dtype]}")
    recording = state.enabled and (
        self.requires_grad or (isinstance(value, Tensor) and value.requires_grad))
    if not recording and not (_fw_state.level >= 0 and (
            "_fw_grad" in self.__dict__ or "_fw_grad" in getattr(value, "__dict__", ()))):
        _put(self._array(), plan, value._data if isinstance(value, Tensor) else value)
        self._bump()
        return
    # torch's node: index_put on the tensor, a copy into all of it, or a write through a
    # view of it (CopySlices)
    if basic is None:
        cls = IndexPut
    elif adv is None and all(b is Ellipsis or b == _ALL for b in basic):
        cls = CopyBackwards
    else:
        cls = CopySlices
    _inplace(self, lambda a, v: cls.apply(a, v, plan=plan), value)


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem


@register("index_put")
def index_put(input, indices, values, accumulate=False):
    """``input`` with ``values`` written (or, with ``accumulate``, added) at
    ``input[indices]``, for a tuple of index tensors ``indices``.

    >>> ember.zeros(3).index_put((ember.tensor([0, 0]),), ember.tensor(1.), accumulate=True)
    tensor([2., 0., 0.])
    """
    plan = _parse(tuple(indices), input._data.shape)
    if isinstance(values, Tensor) and values._data.dtype != input._data.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{_word(input._data.dtype)} for the destination and "
            f"{_word(values._data.dtype)} for the source.")
    return (IndexPutAccumulate if accumulate else IndexPut).apply(input, values, plan=plan)


class IndexPutAccumulate(IndexPut):
    """``a`` with ``value`` added in at a parsed key (repeated positions add up)."""

    name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, a, value, *, plan):
        ctx.plan, ctx.vshape = plan, np.shape(value)
        basic, adv, _ = plan
        out = a.copy()
        target = out if basic is None else out[basic]
        if adv is None:
            target += value
        else:
            np.add.at(target, adv, value)
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad, IndexPut.backward(ctx, grad)[1]


# ---------------------------------------------------------------- index tensors of the ops


def _index(index, op: str, what: str = "index") -> np.ndarray:
    """The array of an index argument, which torch wants as a tensor."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument '{what}' must be Tensor, not "
                        f"{type(index).__name__}")
    return index._data


def _int_index(index, op: str, message: str, *, int32=True, exc=RuntimeError) -> np.ndarray:
    """An integer index tensor's array, with the op's own dtype error (``{}`` in the
    message becomes the dtype's name): torch takes int64, and int32 for some ops."""
    a = _index(index, op)
    if a.dtype != np.int64 and not (int32 and a.dtype == np.int32):
        raise exc(message.format(_word(a.dtype)))
    return a


def _check_range(index: np.ndarray, size: int, dim: int, *, negative=False, prefix="",
                 exc=RuntimeError) -> None:
    """torch's error for the first position outside ``[0, size)`` (or ``[-size, size)``
    where the op takes negative positions)."""
    low = -size if negative else 0
    if index.size and (index.min() < low or index.max() >= size):
        bad = index[(index < low) | (index >= size)].flat[0]
        raise exc(f"{prefix}index {bad} is out of bounds for dimension {dim} with size {size}")


def _size(a: np.ndarray, dim: int) -> int:
    return a.shape[dim] if a.ndim else 1  # a 0-d tensor acts as one of size 1


def _zeros(shape, like: Tensor) -> Tensor:
    return Tensor._make(np.zeros(shape, dtype=like._data.dtype))


def _pad(g: Tensor, shape) -> Tensor:
    """Zeros of ``shape`` with ``g`` in the leading corner (``g`` fits inside)."""
    if tuple(g.shape) == tuple(shape):
        return g
    corner = tuple(slice(0, n) for n in g.shape) + (Ellipsis,)
    return IndexPut.apply(_zeros(shape, g), g, plan=(corner, None, Slice))


# ---------------------------------------------------------------- gather and scatter


def _along(index: np.ndarray, dim: int) -> tuple:
    """The NumPy key that reaches ``a[i][j][index[i][j][k]]`` (for dim 2) at each position
    ``i, j, k`` of ``index``: torch's gather/scatter addressing."""
    nd = index.ndim
    return tuple(index if d == dim else np.arange(n).reshape((n,) + (1,) * (nd - d - 1))
                 for d, n in enumerate(index.shape))


def _corner(shape) -> tuple:
    return tuple(slice(0, n) for n in shape)


class Gather(Function):
    name = "GatherBackward0"

    @staticmethod
    def forward(ctx, a, *, dim, index):
        ctx.dim, ctx.index, ctx.shape = dim, index, a.shape
        return a[_along(index, dim)]

    @staticmethod
    def backward(ctx, grad):
        # every read position gets the gradient of every read of it
        return ScatterAdd.apply(_zeros(ctx.shape, grad), grad, dim=ctx.dim, index=ctx.index)


class ScatterAdd(Function):
    name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx, a, src, *, dim, index):
        ctx.dim, ctx.index, ctx.src_shape = dim, index, np.shape(src)
        out = a.copy()
        np.add.at(out, _along(index, dim), src[_corner(index.shape)])
        return out

    @staticmethod
    def backward(ctx, grad):
        gs = None
        if ctx.needs_input_grad[1]:
            gs = _pad(Gather.apply(grad, dim=ctx.dim, index=ctx.index), ctx.src_shape)
        return grad, gs


class Scatter(Function):
    """``a`` with ``src[i][j]`` (or one value) written at ``a[i][index[i][j]]`` (dim 1)."""

    name = "ScatterBackward0"

    @staticmethod
    def forward(ctx, a, src, *, dim, index):
        ctx.dim, ctx.index, ctx.src_shape = dim, index, np.shape(src)
        out = a.copy()
        out[_along(index, dim)] = src[_corner(index.shape)] if np.ndim(src) else src
        return out

    @staticmethod
    def backward(ctx, grad):
        need_a, need_src = ctx.needs_input_grad
        ga = ScatterValue.apply(grad, 0.0, dim=ctx.dim, index=ctx.index) if need_a else None
        gs = None
        if need_src:
            gs = _pad(Gather.apply(grad, dim=ctx.dim, index=ctx.index), ctx.src_shape)
        return ga, gs


class ScatterValue(Scatter):
    name = "ScatterBackward1"


def _no_derivative(node: str, message: str, exc=RuntimeError):
    """A pass-through op whose backward raises torch's error for an op with no
    derivative (the forward is computed outside, handed in as ``out``)."""

    def forward(ctx, a, *, out):
        return out

    def backward(ctx, grad):
        raise exc(message)

    return type(node, (Function,), {"name": node, "forward": staticmethod(forward),
                                    "backward": staticmethod(backward),
                                    "__module__": __name__})


ScatterReduce = _no_derivative("NotImplemented",
                               "derivative for aten::scatter is not implemented")


def _same_rank(a: np.ndarray, idx: np.ndarray) -> bool:
    """gather/scatter index rank check: equal, or a 0-d/1-d mix, or an empty index
    (which torch all allow)."""
    return a.ndim == idx.ndim or (a.ndim <= 1 and idx.ndim <= 1) or idx.size == 0


def _along_checks(op, input, dim, index, src=None):
    """torch's checks of gather and scatter: index dtype and rank, sizes, positions.
    Returns the wrapped dim and the index array."""
    a = input._data
    idx = _int_index(index, op, f"{op}(): Expected dtype int32/int64 for index")
    d = _wrap_dim(dim, a.ndim)
    if not _same_rank(a, idx):
        what = "input" if op == "gather" else "self"
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {what} "
                           "tensor")
    if src is not None:
        if not _same_rank(src._data, idx):
            raise RuntimeError("Index tensor must have the same number of dimensions as "
                               "src tensor")
        if src._data.dtype != a.dtype:
            raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype")
    if a.ndim == idx.ndim:
        big = [i for i, n in enumerate(idx.shape) if i != d and n > a.shape[i]]
        if src is not None and (big or any(n > s for n, s in zip(idx.shape, src.shape))):
            raise RuntimeError(
                f"Expected index {list(idx.shape)} to be no larger than self "
                f"{list(a.shape)} apart from dimension {d} and to be no larger size than src "
                f"{list(src.shape)}")
        if big:
            prefix = f"Size does not match at dimension {big[0]} expected" \
                if op == "gather" else "Expected"
            raise RuntimeError(f"{prefix} index {list(idx.shape)} to be no larger than self "
                               f"{list(a.shape)} apart from dimension {d}")
    _check_range(idx, _size(a, d), d)
    return d, idx


def _flat(t):
    """A tensor as a vector: gather and scatter do a 0-d/1-d mix of input and index in
    one dimension."""
    return t.reshape(-1) if isinstance(t, Tensor) else t


@register("gather")
def gather(input, dim, index, *, sparse_grad=False):
    """Values of ``input`` picked along ``dim`` by ``index``: for dim 1,
    ``out[i][j] = input[i][index[i][j]]``. Repeated picks add up in the gradient.

    >>> ember.gather(ember.tensor([[1., 2.], [3., 4.]]), 1, ember.tensor([[0, 0], [1, 0]]))
    tensor([[1., 1.],
            [4., 3.]])
    """
    d, idx = _along_checks("gather", input, dim, index)
    if idx.ndim != input._data.ndim:
        return Gather.apply(_flat(input), dim=0, index=idx.reshape(-1)).reshape(idx.shape)
    return Gather.apply(input, dim=d, index=idx)


@register("scatter")
def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """``input`` with ``src`` (a tensor, or one ``value``) written along ``dim`` at
    ``index``: for dim 1, ``out[i][index[i][j]] = src[i][j]``. With repeated positions the
    write that wins is unspecified (as in torch). ``reduce="add"``/``"multiply"``
    combines instead (no gradient, as in torch)."""
    if src is None:
        src = value
    tensor_src = isinstance(src, Tensor)
    d, idx = _along_checks("scatter", input, dim, index, src if tensor_src else None)
    if idx.ndim != input._data.ndim:
        return scatter(_flat(input), 0, Tensor._make(idx.reshape(-1)), _flat(src),
                       reduce=reduce).reshape(input.shape)
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if tensor_src:
            warnings.warn("The reduce argument of torch.scatter with Tensor src is "
                          "deprecated and will be removed in a future PyTorch release. Use "
                          "torch.scatter_reduce instead for more reduction options.",
                          UserWarning, stacklevel=2)
            src = src._data[_corner(idx.shape)]
        out = input._data.copy()
        (np.add if reduce == "add" else np.multiply).at(out, _along(idx, d), src)
        return ScatterReduce.apply(input, out=out)
    return (Scatter if tensor_src else ScatterValue).apply(input, src, dim=d, index=idx)


@register("scatter_add")
def scatter_add(input, dim, index, src):
    """``input`` with ``src`` added along ``dim`` at ``index``: for dim 1,
    ``out[i][index[i][j]] += src[i][j]``; repeated positions add up.

    >>> ember.zeros(3).scatter_add(0, ember.tensor([0, 0, 2]), ember.tensor([1., 2., 3.]))
    tensor([3., 0., 3.])
    """
    d, idx = _along_checks("scatter", input, dim, index, src)
    if idx.ndim != input._data.ndim:
        return scatter_add(_flat(input), 0, Tensor._make(idx.reshape(-1)),
                           _flat(src)).reshape(input.shape)
    return ScatterAdd.apply(input, src, dim=d, index=idx)


# ---------------------------------------------------------------- index_* along one dim


def _at(dim: int, index: np.ndarray, ndim: int) -> tuple:
    """The NumPy key for positions ``index`` along ``dim``."""
    return (_ALL,) * dim + (index,) if ndim else ()


class IndexSelect(Function):
    name = "IndexSelectBackward0"

    @staticmethod
    def forward(ctx, a, *, dim, index):
        ctx.dim, ctx.index, ctx.shape = dim, index, a.shape
        return a[_at(dim, index, a.ndim)]

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(_zeros(ctx.shape, grad), grad, dim=ctx.dim, index=ctx.index)


class IndexAdd(Function):
    name = "IndexAddBackward0"

    @staticmethod
    def forward(ctx, a, src, *, dim, index, alpha=1):
        ctx.dim, ctx.index, ctx.alpha = dim, index, alpha
        out = a.copy()
        np.add.at(out, _at(dim, index, a.ndim), src if alpha == 1 else src * alpha)
        return out

    @staticmethod
    def backward(ctx, grad):
        gs = None
        if ctx.needs_input_grad[1]:
            gs = IndexSelect.apply(grad, dim=ctx.dim, index=ctx.index)
            if ctx.alpha != 1:
                gs = gs * ctx.alpha
        return grad, gs


class IndexCopy(Function):
    name = "IndexCopyBackward0"

    @staticmethod
    def forward(ctx, a, src, *, dim, index):
        ctx.dim, ctx.index = dim, index
        out = a.copy()
        out[_at(dim, index, a.ndim)] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        need_a, need_src = ctx.needs_input_grad
        ga = IndexFill.apply(grad, 0.0, dim=ctx.dim, index=ctx.index) if need_a else None
        gs = IndexSelect.apply(grad, dim=ctx.dim, index=ctx.index) if need_src else None
        return ga, gs


class IndexFill(IndexCopy):
    """``index_copy``'s forward with a value (a number or a 0-d tensor) for the source."""

    name = "IndexFillBackward0"

    @staticmethod
    def backward(ctx, grad):
        need_a, need_value = ctx.needs_input_grad
        ga = IndexFill.apply(grad, 0.0, dim=ctx.dim, index=ctx.index) if need_a else None
        gv = None
        if need_value:  # a 0-d value tensor gets the gradient of every filled place
            gv = IndexSelect.apply(grad, dim=ctx.dim, index=ctx.index).sum()
        return ga, gv


class IndexFillTensor(IndexFill):
    name = "IndexFillBackward1"


def _vector_index(index, op, message, dim, ndim, int32=True, exc=RuntimeError):
    idx = _int_index(index, op, message, int32=int32, exc=exc)
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector")
    return _wrap_dim(dim, ndim), idx.reshape(-1)


@register("index_select")
def index_select(input, dim, index):
    """The slices of ``input`` at positions ``index`` (a vector) along ``dim``.

    >>> ember.tensor([[1., 2.], [3., 4.]]).index_select(1, ember.tensor([1, 1]))
    tensor([[2., 2.],
            [4., 4.]])
    """
    a = input._data
    d, idx = _vector_index(index, "index_select",
                           "index_select(): Expected dtype int32 or int64 for index", dim,
                           a.ndim)
    if a.ndim == 0 and idx.size != 1:
        raise RuntimeError("index_select(): Index to scalar can have only 1 value, got "
                           f"{idx.size} value(s)")
    n = _size(a, d)
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx[(idx < 0) | (idx >= n)][0]
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={n}")
    return IndexSelect.apply(input, dim=d, index=idx)


def _source_checks(op, a, d, idx, src):
    """torch's checks that ``source`` fits ``input`` along ``dim`` at ``index``."""
    s = src._data
    if (s.shape[d] if s.ndim else 1) != idx.size:
        raise RuntimeError(f"{op}(): Number of indices ({idx.size}) should be equal to "
                           f"source.size(dim): ({s.shape[d] if s.ndim else 1}), for dim: {d}")
    scalars = s.ndim <= 1 and a.ndim <= 1 and s.size == idx.size == 1
    if (s.ndim != a.ndim and not scalars) or any(
            x != y for i, (x, y) in enumerate(zip(s.shape, a.shape)) if i != d):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(a.shape)} "
                           f"source.shape = {list(s.shape)}")


@register("index_add")
def index_add(input, dim, index, source, *, alpha=1):
    """``input`` with ``alpha * source`` added at positions ``index`` along ``dim``;
    repeated positions add up.

    >>> ember.zeros(3).index_add(0, ember.tensor([0, 0]), ember.tensor([1., 2.]))
    tensor([3., 0., 0.])
    """
    a = input._data
    idx = _int_index(index, "index_add",
                     "index_add_(): Expected dtype int32/int64 for index but got: {}")
    if idx.ndim > 1:
        raise IndexError(f"index_add_(): Index is supposed to be a vector, but got dim: "
                         f"{idx.ndim} with type: {_word(idx.dtype)} and size: "
                         f"{list(idx.shape)}")
    d, idx = _wrap_dim(dim, a.ndim), idx.reshape(-1)
    if source._data.dtype != a.dtype:
        raise RuntimeError(f"index_add_(): self ({_word(a.dtype)}) and source "
                           f"({_word(source._data.dtype)}) must have the same scalar type")
    _source_checks("index_add_", a, d, idx, source)
    if a.ndim <= 1:  # torch's kernel for vectors checks as index_select does
        n = _size(a, d)
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise IndexError("index out of range in self")
    _check_range(idx, _size(a, d), d)
    return IndexAdd.apply(input, source, dim=d, index=idx, alpha=alpha)


@register("index_copy")
def index_copy(input, dim, index, source):
    """``input`` with the slices of ``source`` written at positions ``index`` along
    ``dim``."""
    a = input._data
    d, idx = _vector_index(index, "index_copy_",
                           "index_copy_(): Expected a long tensor for index, but got {}", dim,
                           a.ndim, int32=False)
    if source._data.dtype != a.dtype:
        raise RuntimeError(
            "index_copy_(): self and source expected to have the same dtype, but got "
            f"(self) {_word(a.dtype)} and (source) {_word(source._data.dtype)}")
    s = source._data
    if (s.shape[d] if s.ndim else 1) != idx.size:
        raise IndexError(f"index_copy_(): Number of indices ({idx.size}) should be equal to "
                         f"source.size(dim) ({s.shape[d] if s.ndim else 1})")
    _source_checks("index_copy_", a, d, idx, source)
    _check_range(idx, _size(a, d), d, prefix="index_copy_(): ", exc=IndexError)
    return IndexCopy.apply(input, source, dim=d, index=idx)


@register("index_fill")
def index_fill(input, dim, index, value):
    """``input`` with ``value`` (a number or a 0-d tensor) at positions ``index`` along
    ``dim``."""
    a = input._data
    idx = _int_index(index, "index_fill_", "index_fill_(): Expected dtype int64 for index.",
                     int32=False, exc=IndexError)
    if idx.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    d, idx = _wrap_dim(dim, a.ndim), idx.reshape(-1)
    _check_range(idx, _size(a, d), d, negative=True, exc=IndexError)
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError("index_fill_ only supports a 0-dimensional value tensor, but "
                               f"got tensor with {value.ndim} dimension(s).")
        if value._data.dtype != a.dtype:
            value = value.to(input.dtype)
        return IndexFillTensor.apply(input, value, dim=d, index=idx)
    return IndexFill.apply(input, value, dim=d, index=idx)


# ---------------------------------------------------------------- take, masks


class Take(Index):
    """``a.flatten()[index]``."""

    name = "TakeBackward0"

    @staticmethod
    def forward(ctx, a, *, key):
        ctx.key, ctx.shape = key, a.shape
        return a.reshape(-1)[key]

    @staticmethod
    def backward(ctx, grad):
        flat = AccumulateAt.apply(grad, key=ctx.key, shape=(int(np.prod(ctx.shape)),))
        return flat.reshape(ctx.shape)


@register("take")
def take(input, index):
    """The elements of ``input``, read as one flat vector, at ``index`` (negative
    positions count from the end); the result has ``index``'s shape.

    >>> ember.take(ember.tensor([[1., 2.], [3., 4.]]), ember.tensor([0, 3]))
    tensor([1., 4.])
    """
    idx = _int_index(index, "take", "take(): Expected a long tensor for index, but got {}",
                     int32=False)
    n = input._data.size
    if idx.size and (idx.min() < -n or idx.max() >= n):
        bad = idx[(idx < -n) | (idx >= n)].flat[0]
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} "
                         "elements.")
    return Take.apply(input, key=(idx,))


@register("take_along_dim")
def take_along_dim(input, indices, dim=None):
    """``gather`` with the index broadcast against ``input`` (but for ``dim``); without
    ``dim``, positions in the flattened tensor. Negative positions count from the end
    along ``dim`` (not in the flattened form, as in torch). Pairs with ``argsort``/``argmax``:

    >>> x = ember.tensor([[3., 1.], [2., 4.]])
    >>> ember.take_along_dim(x, x.argsort(1), 1)
    tensor([[1., 3.],
            [2., 4.]])
    """
    if dim is None:  # torch gathers from the flattened tensor (and takes int32 there)
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    idx = _int_index(indices, "take_along_dim",
                     "torch.take_along_dim(): dtype of indices should be Long but got {}",
                     int32=False)
    a = input._data
    if a.ndim != idx.ndim:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {a.ndim} dimensions for input, and {idx.ndim} dimensions "
            "for indices")
    d = _wrap_dim(dim, a.ndim)
    shape_a, shape_i = list(a.shape), list(idx.shape)
    shape_a[d] = shape_i[d] = 1
    try:
        common = list(np.broadcast_shapes(tuple(shape_a), tuple(shape_i)))
    except ValueError:
        i = next(i for i, (x, y) in enumerate(zip(shape_a, shape_i))
                 if x != y and 1 not in (x, y))
        raise RuntimeError(f"The size of tensor a ({shape_a[i]}) must match the size of "
                           f"tensor b ({shape_i[i]}) at non-singleton dimension {i}"
                           ) from None
    if a.ndim:
        shape_a, shape_i = list(common), list(common)
        shape_a[d], shape_i[d] = a.shape[d], idx.shape[d]
        if tuple(shape_a) != a.shape:
            input = input.expand(*shape_a)
        idx = np.broadcast_to(idx, shape_i)
    return gather(input, d, Tensor._make(_wrapped(idx, _size(a, d))))


def _wrapped(idx: np.ndarray, n: int) -> np.ndarray:
    """Negative positions counted from the end (take_along_dim takes them)."""
    return np.where(idx < 0, idx + n, idx) if idx.size and idx.min() < 0 else idx


def _mask(mask, op: str, message: str) -> np.ndarray:
    m = _index(mask, op, "mask")
    if m.dtype != np.bool_:
        raise RuntimeError(message.format(_word(m.dtype)))
    return m


@register("masked_select")
def masked_select(input, mask):
    """The elements of ``input`` where ``mask`` (broadcast with it) is True, as a 1-D
    tensor.

    >>> x = ember.tensor([[1., -2.], [-3., 4.]])
    >>> ember.masked_select(x, x > 0)
    tensor([1., 4.])
    """
    m = _mask(mask, "masked_select", "masked_select: expected BoolTensor for mask")
    shape = _broadcast(m.shape, input._data.shape)
    if tuple(input.shape) != shape:
        input = input.expand(*shape)
    return MaskedSelect.apply(input, key=(np.broadcast_to(m, shape),))


def _broadcast(a, b) -> tuple:
    """The broadcast of two shapes, with torch's error for ones that don't."""
    try:
        return tuple(np.broadcast_shapes(a, b))
    except ValueError:
        for i in range(1, min(len(a), len(b)) + 1):
            if a[-i] != b[-i] and 1 not in (a[-i], b[-i]):
                raise RuntimeError(
                    f"The size of tensor a ({a[-i]}) must match the size of tensor b "
                    f"({b[-i]}) at non-singleton dimension {max(len(a), len(b)) - i}"
                ) from None
        raise


class MaskedScatter(Function):
    """``a`` with the leading elements of ``src`` written, in order, where ``mask`` is
    True."""

    name = "MaskedScatterBackward0"

    @staticmethod
    def forward(ctx, a, src, *, mask):
        ctx.mask, ctx.src_shape = mask, src.shape
        out = a.copy()
        out[mask] = src.reshape(-1)[:np.count_nonzero(mask)]
        return out

    @staticmethod
    def backward(ctx, grad):
        need_a, need_src = ctx.needs_input_grad
        plan = (None, (ctx.mask,), None)
        ga = IndexPut.apply(grad, 0.0, plan=plan) if need_a else None
        gs = None
        if need_src:
            n = int(np.prod(ctx.src_shape))
            gs = _pad(Index.apply(grad, key=(ctx.mask,)), (n,)).reshape(ctx.src_shape)
        return ga, gs


@register("masked_scatter")
def masked_scatter(input, mask, source):
    """``input`` with consecutive elements of ``source`` copied to where ``mask`` is
    True (``mask`` broadcasts with ``input``)."""
    m = _mask(mask, "masked_scatter", "masked_scatter_ only supports boolean masks, but "
                                      "got mask with dtype {}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError("masked_scatter: expected self and source to have same dtypes "
                           f"but got{_word(input._data.dtype)} and "
                           f"{_word(source._data.dtype)}")
    shape = _broadcast(m.shape, input._data.shape)
    m = np.broadcast_to(m, shape)
    if np.count_nonzero(m) > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    if tuple(input.shape) != shape:
        input = input.expand(*shape)
    return MaskedScatter.apply(input, source, mask=m)


@register("nonzero")
def nonzero(input, *, as_tuple=False):
    """The positions of the nonzero elements: an ``(n, ndim)`` tensor, or with
    ``as_tuple`` one 1-D tensor of positions per dim (what ``x[...]`` takes).

    >>> ember.tensor([[0, 1], [2, 0]]).nonzero()
    tensor([[0, 1],
            [1, 0]])
    """
    a = input._data
    if as_tuple:
        return tuple(Tensor._make(p.astype(np.int64)) for p in np.nonzero(a.reshape(
            a.shape or (1,))))
    return Tensor._make(np.argwhere(a).astype(np.int64))


@register("argwhere")
def argwhere(input):
    """The positions of the nonzero elements as an ``(n, ndim)`` tensor (``nonzero``)."""
    return nonzero(input)


# ---------------------------------------------------------------- sorting


Sorted = return_type("sort", "values", "indices")
Topk = return_type("topk", "values", "indices")


def _argsort(a: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """Stable sort order along ``dim``; nan counts as the largest value, as in torch."""
    if not descending:
        return np.argsort(a, axis=dim, kind="stable")
    # Sorting the reversed array and reversing the order again keeps ties in their
    # original order and puts nan first, where negating would do neither.
    order = np.argsort(np.flip(a, dim), axis=dim, kind="stable")
    return a.shape[dim] - 1 - np.flip(order, dim)


class Sort(Function):
    """The values and positions of ``a`` sorted along ``dim`` (the first ``k`` of them,
    for topk); the values' gradient goes back to the positions they came from."""

    name = "SortBackward0"
    n_outputs = 2

    @staticmethod
    def forward(ctx, a, *, dim, descending, k=None):
        if a.ndim == 0:
            order = np.zeros((), np.int64)
        else:
            order = _argsort(a, dim, descending)
            if k is not None:
                order = order[(_ALL,) * dim + (slice(0, k),)]
        ctx.dim, ctx.index, ctx.shape = dim, order, a.shape
        return (a.copy() if a.ndim == 0 else np.take_along_axis(a, order, dim)), order

    @staticmethod
    def backward(ctx, grad, _):
        return ScatterAdd.apply(_zeros(ctx.shape, grad), grad, dim=ctx.dim, index=ctx.index)


class TopkOp(Sort):
    name = "TopkBackward0"


@register("sort")
def sort(input, dim=-1, descending=False, *, stable=False):
    """``(values, indices)`` of ``input`` sorted along ``dim``; nan sorts as the largest.
    Ties keep their order (ember's sort is always stable).

    >>> ember.sort(ember.tensor([3., 1., 2.]))
    torch.return_types.sort(
    values=tensor([1., 2., 3.]),
    indices=tensor([1, 2, 0]))
    """
    d = _wrap_dim(dim, input._data.ndim)
    return Sorted(*Sort.apply(input, dim=d, descending=descending))


@register("argsort")
def argsort(input, dim=-1, descending=False, stable=False):
    """The positions that sort ``input`` along ``dim`` (``sort(...).indices``)."""
    a = input._data
    d = _wrap_dim(dim, a.ndim)
    return Tensor._make(_argsort(a, d, descending) if a.ndim else np.zeros((), np.int64))


@register("topk")
def topk(input, k, dim=-1, largest=True, sorted=True):
    """``(values, indices)`` of the ``k`` largest (or smallest) elements along ``dim``,
    largest first. ember always returns them sorted, also for ``sorted=False`` (where
    torch's order is unspecified).

    >>> ember.topk(ember.tensor([1., 5., 3.]), 2)
    torch.return_types.topk(
    values=tensor([5., 3.]),
    indices=tensor([1, 2]))
    """
    a = input._data
    d = _wrap_dim(dim, a.ndim)
    if not 0 <= k <= _size(a, d):
        raise RuntimeError("selected index k out of range")
    return Topk(*TopkOp.apply(input, dim=d, descending=largest, k=k))


Unique2 = _no_derivative("Unique2Backward0", "the derivative for '_unique2' is not "
                         "implemented.", NotImplementedError)
UniqueDim = _no_derivative("UniqueDimBackward0", "the derivative for 'unique_dim' is not "
                           "implemented.", NotImplementedError)


@register("unique")
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements of ``input`` (distinct slices along ``dim``), sorted; with
    ``return_inverse`` also where each element went, with ``return_counts`` how often
    each occurs.

    >>> ember.unique(ember.tensor([3, 1, 3]), return_counts=True)
    (tensor([1, 3]), tensor([1, 2]))
    """
    a = input._data
    if dim is None:
        values, inverse, counts = np.unique(a.reshape(-1), return_inverse=True,
                                            return_counts=True, equal_nan=False)
        inverse, cls = inverse.reshape(a.shape), Unique2
    else:
        d = _wrap_dim(dim, a.ndim)
        values, inverse, counts = np.unique(a, return_inverse=True, return_counts=True,
                                            axis=d, equal_nan=False)
        inverse, cls = inverse.reshape(-1), UniqueDim
    out = cls.apply(input, out=values)
    if not (return_inverse or return_counts):
        return out
    extra = [inverse] * return_inverse + [counts] * return_counts
    return (out, *(Tensor._make(e.astype(np.int64)) for e in extra))


# ---------------------------------------------------------------- searching sorted data


@register("searchsorted", method=False)
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None):
    """For each value of ``input``, the position in ``sorted_sequence`` (its last dim)
    where it would be inserted to keep it sorted: before equal elements, or after them
    with ``right=True`` / ``side="right"``.

    >>> ember.searchsorted(ember.tensor([1., 2., 3.]), ember.tensor([2., 2.5]))
    tensor([1, 2])
    """
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' "
                               f"but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to "
                               "opposites, got side of left while right was True")
        right = side == "right"
    seq = sorted_sequence._data
    scalar = not isinstance(input, Tensor)
    v = np.asarray(input) if scalar else input._data
    if seq.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive "
                           "dimension, but got 0 dimension")
    if scalar and seq.ndim != 1:
        raise RuntimeError(
            "torch.searchsorted(): input value can be a scalar only when boundaries tensor "
            f"dimension is 1, but we got boundaries tensor dim({seq.ndim}) and input "
            "value's dim(0) numel(1)")
    if seq.ndim > 1 and seq.shape[:-1] != v.shape[:-1]:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor {list(v.shape)}")
    if sorter is not None:
        seq = np.take_along_axis(seq, sorter._data, -1)
    if seq.ndim == 1:
        out = np.searchsorted(seq, v, side="right" if right else "left")
    else:  # one sequence per row: count the elements before each value's place
        before = np.less_equal if right else np.less
        out = before(seq[..., None, :], v[..., :, None]).sum(-1)
    return Tensor._make(np.asarray(out, dtype=np.int32 if out_int32 else np.int64))


@register("bucketize", method=False)
def bucketize(input, boundaries, *, out_int32=False, right=False):
    """The bucket of each value of ``input`` between the sorted 1-D ``boundaries``:
    ``i`` such that ``boundaries[i-1] < x <= boundaries[i]`` (``<=``/``<`` swap with
    ``right=True``)."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got "
                           f"dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


# ---------------------------------------------------------------- in-place forms


def _method(name, fn):
    fn.__name__ = fn.__qualname__ = name
    setattr(Tensor, name, fn)


_method("scatter_", lambda self, dim, index, src=None, *, value=None, reduce=None: _inplace(
    self, scatter, dim, index, src, value=value, reduce=reduce))
_method("scatter_add_", lambda self, dim, index, src: _inplace(
    self, scatter_add, dim, index, src))
_method("index_add_", lambda self, dim, index, source, *, alpha=1: _inplace(
    self, index_add, dim, index, source, alpha=alpha))
_method("index_copy_", lambda self, dim, index, source: _inplace(
    self, index_copy, dim, index, source))
_method("index_fill_", lambda self, dim, index, value: _inplace(
    self, index_fill, dim, index, value))
_method("masked_scatter_", lambda self, mask, source: _inplace(
    self, masked_scatter, mask, source))
_method("index_put_", lambda self, indices, values, accumulate=False: _inplace(
    self, index_put, indices, values, accumulate))
