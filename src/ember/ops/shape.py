"""Shape and joining ops: views (reshape, transpose, expand, narrow, diagonal, ...),
rearranging copies (repeat, flip, roll, tril, ...), joining (cat, stack) and splitting
(split, chunk, unbind, tensor_split).

View ops move no data: their outputs are NumPy views of the input (``view = True``),
so they share the input's memory and version counter, as torch's views do. Each
gradient is the inverse rearrangement of the output gradient, written with these
same ops, so second derivatives come for free.

Ops that return several tensors (split, unbind) are one graph node with one output
per piece, as in torch; the core's ``n_outputs`` is a class attribute, so
``_with_outputs`` makes (and caches) one subclass per piece count.
"""

from __future__ import annotations

import functools
import numbers
import warnings

import numpy as np

from .._dtype import promote_types, to_dtype
from .._tensor import _TYPE_NAMES, Size, Tensor, _wrap_dim
from ..autograd.function import Function, register

_LEGACY_EMPTY = (0,)  # cat skips 1-D empty inputs, whatever the others' shapes (torch's rule)


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
    if len(args) == 1 and not isinstance(args[0], (numbers.Integral, Tensor)):
        args = tuple(args[0])
    return tuple(int(a) for a in args)


def broadcast_view(a: np.ndarray, shape: tuple) -> np.ndarray:
    """``np.broadcast_to(a, shape)`` for a ``shape`` already checked: a read-only view
    whose broadcast dimensions have stride 0. Made directly on ``a``'s memory when
    ``a`` is contiguous, which is ten times faster than NumPy's general function on
    small arrays (it runs in every reduction's backward). A NumPy scalar (a 0-d
    gradient, see ``Tensor._array``) is a read-only buffer itself."""
    if a.__class__ is not np.ndarray:
        if isinstance(a, np.generic):
            return np.ndarray(shape, a.dtype, a, 0, (0,) * len(shape))
        return np.broadcast_to(a, shape)
    if not a.flags.c_contiguous:
        return np.broadcast_to(a, shape)
    lead = len(shape) - a.ndim
    strides = (0,) * lead + tuple(
        stride if size == want else 0
        for size, want, stride in zip(a.shape, shape[lead:], a.strides))
    # (a read-only buffer makes a read-only view: cheaper than setting the flag)
    return np.ndarray(shape, a.dtype, memoryview(a).toreadonly(), 0, strides)


def _ints(arg) -> tuple:
    """An int or a sequence of ints (dims, shifts) as a tuple."""
    if isinstance(arg, (numbers.Integral, Tensor)):
        return (int(arg),)
    return tuple(int(a) for a in arg)


def _type_word(dtype) -> str:
    """``Float`` for float32, ... : the word torch's messages use for a dtype."""
    return _TYPE_NAMES[dtype][len("torch."):-len("Tensor")]


def _no_dims() -> IndexError:
    return IndexError("Dimension specified as 0 but tensor has no dimensions")


@functools.cache
def _with_outputs(cls, n: int):
    """``cls`` with ``n`` outputs (one subclass per count; torch's node name kept)."""
    return type(cls.__name__, (cls,), {"n_outputs": n, "name": cls.name})


def _pieces(cls, n: int, input: Tensor, **params) -> tuple:
    """Run the multi-output op ``cls`` giving ``n`` pieces, always as a tuple."""
    if n == 0:
        return ()
    out = _with_outputs(cls, n).apply(input, **params)
    return out if n > 1 else (out,)


def _one_or_all(pieces: list):
    """What a multi-output forward returns: the lone array, or the tuple of them."""
    return tuple(pieces) if len(pieces) > 1 else pieces[0]


# ---------------------------------------------------------------- view, reshape


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
    """The reshape of a fresh contiguous copy, when the input's strides allow no view
    (torch: clone, then _unsafe_view)."""

    name = "UnsafeViewBackward0"

    @staticmethod
    def forward(ctx, a, *, shape):
        ctx.shape = a.shape
        return np.reshape(a, shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.shape)


@register("view", function=False)
def view(input, *shape):
    """The same data with another shape (one size may be -1); no copy is made, so
    the input's strides must allow it. ``view(dtype)`` reinterprets the bytes.

    >>> ember.arange(6).view(2, 3)
    tensor([[0, 1, 2],
            [3, 4, 5]])
    """
    if len(shape) == 1 and not isinstance(shape[0], (numbers.Integral, tuple, list, Tensor)):
        return _view_dtype(input, to_dtype(shape[0]))
    return View.apply(input, shape=_infer_shape(_shape_args(shape), input._data.size))


def _view_dtype(input: Tensor, dtype) -> Tensor:
    """The same bytes read as ``dtype`` (not differentiable, as in torch)."""
    a = input._array()
    old, new = a.dtype.itemsize, dtype.np.itemsize
    if old != new:
        what = f"view {_type_word(input.dtype)} as {_type_word(dtype)}"
        if a.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 to {what} (different element sizes)")
        if a.shape[-1] != 1 and a.strides[-1] != old:
            raise RuntimeError(f"self.stride(-1) must be 1 to {what} (different element "
                               f"sizes), but got {a.strides[-1] // old}")
        if new > old and a.shape[-1] % (new // old):
            raise RuntimeError(f"self.size(-1) must be divisible by {new // old} to {what} "
                               f"(different element sizes), but got {a.shape[-1]}")
        for d in range(a.ndim - 1):
            if new > old and a.strides[d] % new:
                raise RuntimeError(f"self.stride({d}) must be divisible by {new // old} to "
                                   f"{what} (different element sizes), but got "
                                   f"{a.strides[d] // old}")
    out = Tensor._make(a.view(dtype.np))
    out._vc = input._counter()
    return out


@register("reshape")
def reshape(input, *shape):
    """The same data with another shape (one size may be -1); a view when possible,
    else a copy.

    >>> ember.arange(6).reshape(3, -1).shape
    torch.Size([3, 2])
    """
    shape = _infer_shape(_shape_args(shape), input._data.size)
    if shape == input._data.shape:
        return View.apply(input, shape=shape)
    a = input._data
    if a.flags.c_contiguous or np.shares_memory(np.reshape(a, shape), a):
        return View.apply(input, shape=shape)
    return Reshape.apply(input.clone(), shape=shape)


@register("view_as", function=False)
def view_as(input, other):
    """``input.view(other.shape)``."""
    return view(input, other.shape)


@register("reshape_as", function=False)
def reshape_as(input, other):
    """``input.reshape(other.shape)``."""
    return reshape(input, other.shape)


# ---------------------------------------------------------------- reordering dims


class Permute(Function):
    name = "PermuteBackward0"
    view = True

    @staticmethod
    def forward(ctx, a, *, dims):
        ctx.dims = dims
        return np.transpose(a, dims)

    @staticmethod
    def backward(ctx, grad):
        return Permute.apply(grad, dims=tuple(np.argsort(ctx.dims).tolist()))


class Transpose(Function):
    name = "TransposeBackward0"
    view = True

    @staticmethod
    def forward(ctx, a, *, dim0, dim1):
        ctx.dims = (dim0, dim1)
        return np.swapaxes(a, dim0, dim1) if a.ndim else a.view()

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(*ctx.dims)


class T(Function):
    name = "TBackward0"
    view = True

    @staticmethod
    def forward(ctx, a):
        return a.T  # at most 2 dims: the transpose, or the same data

    @staticmethod
    def backward(ctx, grad):
        return T.apply(grad)


@register("permute")
def permute(input, *args, dims=None):
    """Reorder the dimensions: ``x.permute(2, 0, 1)``."""
    if not args and dims is None:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    dims = _shape_args(args) if dims is None else _ints(dims)
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
    """Transpose a tensor of at most 2 dimensions (0-D and 1-D come back as they are)."""
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    return T.apply(input)


def _T(self):
    n = self._data.ndim
    if n == 0:
        warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the "
                      "identity in these cases.", UserWarning, stacklevel=2)
    elif n != 2:
        warnings.warn(
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape "
            "is deprecated and it will throw an error in a future release. Consider "
            "`x.mT` to transpose batches of matrices or `x.permute(*torch.arange(x.ndim - "
            "1, -1, -1))` to reverse the dimensions of a tensor.", UserWarning, stacklevel=2)
    return Permute.apply(self, dims=tuple(range(n - 1, -1, -1)))


def _mT(self):
    if self._data.ndim == 0:
        warnings.warn("Tensor.mT is deprecated on 0-D tensors. This function is the "
                      "identity in these cases.", UserWarning, stacklevel=2)
        return self
    if self._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of "
                           f"matrices. Got {self._data.ndim}-D tensor.")
    return transpose(self, -2, -1)


Tensor.T = property(_T)
Tensor.mT = property(_mT)


@register("movedim", "moveaxis")
def movedim(input, source, destination):
    """Move dimensions ``source`` (an int or a sequence) to positions ``destination``;
    the others keep their order.

    >>> ember.zeros(2, 3, 4).movedim(0, -1).shape
    torch.Size([3, 4, 2])
    """
    one = isinstance(source, numbers.Integral), isinstance(destination, numbers.Integral)
    if one[0] != one[1]:
        kinds = tuple(type(a).__name__ for a in (source, destination))
        raise TypeError(f"movedim() received an invalid combination of arguments - got "
                        f"({kinds[0]}, {kinds[1]}), but expected one of:\n"
                        " * (int source, int destination)\n"
                        " * (tuple of ints source, tuple of ints destination)")
    src, dst = _ints(source), _ints(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)")
    n = input._data.ndim
    if n == 0:  # torch: an alias of a 0-D tensor
        for dim in src + dst:
            _wrap_dim(dim, 0)
        return Alias.apply(input, shape=())
    s = [_wrap_dim(d, n) for d in src]
    d = [_wrap_dim(d, n) for d in dst]
    for name, given, wrapped in (("source", src, s), ("destination", dst, d)):
        if len(set(wrapped)) != len(wrapped):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(given)})")
    order = [-1] * n
    for i, j in zip(s, d):
        order[j] = i
    rest = iter(i for i in range(n) if i not in s)
    dims = tuple(o if o >= 0 else next(rest) for o in order)
    return Permute.apply(input, dims=dims)


# ---------------------------------------------------------------- broadcasting


class Expand(Function):
    name = "ExpandBackward0"
    view = True

    @staticmethod
    def forward(ctx, a, *, shape):
        return broadcast_view(a, shape)

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
            f"expand({_TYPE_NAMES[input.dtype]}{{{list(shape)}}}, size={list(sizes)}): the "
            f"number of sizes provided ({len(sizes)}) must be greater or equal to the number of "
            f"dimensions in the tensor ({len(shape)})"
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
        elif s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(sizes)}")
        target.append(s)
    return Expand.apply(input, shape=tuple(target))


@register("expand_as", function=False)
def expand_as(input, other):
    """``input.expand(other.shape)``."""
    return expand(input, other.shape)


@register("broadcast_to")
def broadcast_to(input, size):
    """``input`` expanded to ``size`` by the broadcasting rules."""
    return expand(input, size)


@register("broadcast_shapes", method=False)
def broadcast_shapes(*shapes):
    """The shape that tensors of ``shapes`` broadcast to.

    >>> ember.broadcast_shapes((2,), (3, 1), (1, 1, 1))
    torch.Size([1, 3, 2])
    """
    shapes = [(s,) if isinstance(s, numbers.Integral) else tuple(s) for s in shapes
              if s is not None]
    if not shapes:
        return Size(())
    common = [1] * max(len(s) for s in shapes)
    for k, shape in enumerate(shapes):
        for i in range(-1, -len(shape) - 1, -1):
            if shape[i] == common[i]:
                continue
            if common[i] == 1:
                if shape[i] < 0:
                    raise ValueError("Attempting to broadcast a dimension with negative "
                                     "length!")
                common[i] = shape[i]
            elif shape[i] != 1:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {shape[i]} at {i}! "
                    f"Mismatching argument at index {k} had {shape}; but expected shape "
                    f"should be broadcastable to {common}")
    return Size(common)


def _broadcast_pair(a: tuple, b: tuple) -> tuple:
    """The broadcast shape of two tensors' shapes, with torch's error naming sizes."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor "
                               f"b ({y}) at non-singleton dimension {i}")
        out.append(y if x == 1 else x)
    return tuple(out)


@register("broadcast_tensors", method=False)
def broadcast_tensors(*tensors):
    """The tensors expanded to their common broadcast shape (views, no copies).

    >>> a, b = ember.broadcast_tensors(ember.zeros(2, 1), ember.zeros(3))
    >>> a.shape, b.shape
    (torch.Size([2, 3]), torch.Size([2, 3]))
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    shape = ()
    for x in tensors:
        shape = _broadcast_pair(shape, x._data.shape)
    return tuple(x if x._data.shape == shape else Expand.apply(x, shape=shape)
                 for x in tensors)


# ---------------------------------------------------------------- adding / removing dims


class Alias(View):
    name = "AliasBackward0"


class Squeeze(View):
    name = "SqueezeBackward0"  # squeeze()


class SqueezeDim(View):
    name = "SqueezeBackward1"  # squeeze(dim)


class SqueezeDims(View):
    name = "SqueezeBackward2"  # squeeze((dim, ...))


class Unsqueeze(View):
    name = "UnsqueezeBackward0"


@register("squeeze")
def squeeze(input, dim=None):
    """Drop dimensions of size 1 (all of them, or those in ``dim``, an int or a tuple)."""
    shape = input._data.shape
    if dim is None:
        cls, axes = Squeeze, range(len(shape))
    elif isinstance(dim, numbers.Integral):
        cls, axes = SqueezeDim, (_wrap_dim(dim, len(shape)),)
    else:
        cls, axes = SqueezeDims, [_wrap_dim(d, len(shape)) for d in dim]
        for i, d in enumerate(axes):
            if d in axes[:i]:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    new = tuple(s for i, s in enumerate(shape) if not (i in axes and s == 1))
    return cls.apply(input, shape=new)


@register("unsqueeze")
def unsqueeze(input, dim):
    """Insert a dimension of size 1 at ``dim``."""
    shape = list(input._data.shape)
    shape.insert(_wrap_dim(dim, len(shape) + 1), 1)
    return Unsqueeze.apply(input, shape=tuple(shape))


@register("flatten")
def flatten(input, start_dim=0, end_dim=-1):
    """Merge dimensions ``start_dim`` to ``end_dim`` into one (``input`` itself when
    there is nothing to merge, as torch)."""
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    s, e = _wrap_dim(start_dim, len(shape)), _wrap_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    return reshape(input, shape[:s] + (int(np.prod(shape[s:e + 1])),) + shape[e + 1:])


@register("unflatten")
def unflatten(input, dim, sizes):
    """Split dimension ``dim`` into ``sizes`` (one may be -1): the inverse of flatten.

    >>> ember.zeros(2, 6).unflatten(1, (3, -1)).shape
    torch.Size([2, 3, 2])
    """
    shape = input._data.shape
    if not shape:
        raise RuntimeError("unflatten got an unexpected error:\nDimension specified as 0 "
                           "but tensor has no dimensions")
    dim = _wrap_dim(dim, len(shape))
    sizes = _ints(sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten got an unexpected error:\nonly one dimension can be "
                           "inferred")
    known = int(np.prod([s for s in sizes if s != -1]))
    new = sizes
    if -1 in sizes and known and shape[dim] % known == 0:
        new = tuple(shape[dim] // known if s == -1 else s for s in sizes)
    if -1 in new or int(np.prod(new)) != shape[dim]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to "
                           f"the size of dim {dim} ({shape[dim]}) in the input tensor")
    return View.apply(input, shape=shape[:dim] + new + shape[dim + 1:])


def _atleast(input: Tensor, n: int) -> Tensor:
    """``input`` with at least ``n`` dims, as torch.atleast_{1,2,3}d shapes them."""
    a = input._data
    if a.ndim >= n:
        return input
    if a.ndim == 0:
        return View.apply(input, shape=(1,) * n)
    if n == 2 or a.ndim == 2:  # (k,) -> (1, k) for 2-D; (m, k) -> (m, k, 1)
        return unsqueeze(input, 0 if n == 2 else -1)
    return unsqueeze(unsqueeze(input, 0), -1)  # (k,) -> (1, k, 1)


def _atleast_public(n: int):
    def atleast(*tensors):
        if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
            tensors = tensors[0]
        elif len(tensors) == 1:
            return _atleast(tensors[0], n)
        return tuple(_atleast(x, n) for x in tensors)

    atleast.__name__ = atleast.__qualname__ = f"atleast_{n}d"
    atleast.__doc__ = f"Each tensor viewed with at least {n} dimensions."
    return register(atleast.__name__, method=False)(atleast)


atleast_1d = _atleast_public(1)
atleast_2d = _atleast_public(2)
atleast_3d = _atleast_public(3)


# ---------------------------------------------------------------- views by index


@register("narrow")
def narrow(input, dim, start, length):
    """The view of ``length`` entries of dimension ``dim`` from ``start``.

    >>> ember.arange(5).narrow(0, 1, 3)
    tensor([1, 2, 3])
    """
    if input._data.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    start, length = int(start), int(length)
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    dim = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[dim]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, "
                         f"{size}], but got {start})")
    start = start + size if start < 0 else start
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    return input[(slice(None),) * dim + (slice(start, start + length),)]  # SliceBackward0


@register("select")
def select(input, dim, index):
    """The view at ``index`` of dimension ``dim``, which is removed: ``x.select(1, 0)``
    is ``x[:, 0]``."""
    a = input._data
    if a.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim, index = _wrap_dim(dim, a.ndim), int(index)
    if not -a.shape[dim] <= index < a.shape[dim]:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(a.shape)} at dimension {dim}")
    return input[(slice(None),) * dim + (index,)]  # SelectBackward0


def _diagonal_view(a: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
    out = np.diagonal(a, offset, dim1, dim2)
    if a.flags.writeable:  # NumPy hands out read-only diagonals; torch's are writable
        out.flags.writeable = True
    return out


class Diagonal(Function):
    name = "DiagonalBackward0"
    view = True

    @staticmethod
    def forward(ctx, a, *, offset, dim1, dim2):
        ctx.shape, ctx.where = a.shape, (offset, dim1, dim2)
        return _diagonal_view(a, offset, dim1, dim2)

    @staticmethod
    def backward(ctx, grad):
        offset, dim1, dim2 = ctx.where
        return DiagEmbed.apply(grad, shape=ctx.shape, offset=offset, dim1=dim1, dim2=dim2)


class DiagonalCopy(Diagonal):
    """``diag`` of a matrix: the diagonal as a new tensor."""

    name = "DiagonalBackward0_copy"
    view = False

    @staticmethod
    def forward(ctx, a, *, offset, dim1, dim2):
        return Diagonal.forward(ctx, a, offset=offset, dim1=dim1, dim2=dim2).copy()


class DiagEmbed(Function):
    """Zeros of ``shape`` with the last dim of the input on a diagonal: the adjoint of
    ``diagonal``."""

    name = "DiagEmbedBackward0"

    @staticmethod
    def forward(ctx, a, *, shape, offset, dim1, dim2):
        ctx.where = (offset, dim1, dim2)
        out = np.zeros(shape, dtype=a.dtype)
        _diagonal_view(out, offset, dim1, dim2)[...] = a
        return out

    @staticmethod
    def backward(ctx, grad):
        offset, dim1, dim2 = ctx.where
        return Diagonal.apply(grad, offset=offset, dim1=dim1, dim2=dim2)


def _diag_dims(dim1, dim2, n: int) -> tuple:
    d1, d2 = _wrap_dim(dim1, n), _wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


@register("diagonal")
def diagonal(input, offset=0, dim1=0, dim2=1):
    """The view of the diagonal of dims ``dim1`` and ``dim2`` (above it for ``offset``
    > 0), as the last dimension.

    >>> ember.arange(9).reshape(3, 3).diagonal()
    tensor([0, 4, 8])
    """
    d1, d2 = _diag_dims(dim1, dim2, input._data.ndim)
    return Diagonal.apply(input, offset=int(offset), dim1=d1, dim2=d2)


@register("diag_embed")
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor whose diagonals (of dims ``dim1``, ``dim2``) are the last dimension of
    ``input``, zeros elsewhere."""
    n = input._data.ndim + 1
    d1, d2 = _diag_dims(dim1, dim2, n)
    size = input._data.shape[-1] + abs(int(offset))
    shape = list(input._data.shape[:-1])
    for d in sorted((d1, d2)):
        shape.insert(d, size)
    return DiagEmbed.apply(input, shape=tuple(shape), offset=int(offset), dim1=d1, dim2=d2)


@register("diag")
def diag(input, diagonal=0):
    """A vector to a square matrix with it on a diagonal, or a matrix to (a copy of)
    its diagonal.

    >>> ember.diag(ember.tensor([1, 2]))
    tensor([[1, 0],
            [0, 2]])
    """
    n, k = input._data.ndim, int(diagonal)
    if n == 1:
        size = input._data.shape[0] + abs(k)
        return DiagEmbed.apply(input, shape=(size, size), offset=k, dim1=0, dim2=1)
    if n == 2:
        return DiagonalCopy.apply(input, offset=k, dim1=0, dim2=1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D")


class Trace(Function):
    name = "TraceBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.shape = a.shape
        return np.trace(a, dtype=np.int64 if a.dtype.kind in "iu" else None)

    @staticmethod
    def backward(ctx, grad):
        return grad * Tensor._make(np.eye(*ctx.shape, dtype=grad._data.dtype))


@register("trace")
def trace(input):
    """The sum of the main diagonal of a matrix."""
    a = input._data
    if a.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {a.ndim}")
    if a.dtype == np.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return Trace.apply(input)


class Tril(Function):
    name = "TrilBackward0"

    @staticmethod
    def forward(ctx, a, *, diagonal):
        ctx.diagonal = diagonal
        return np.tril(a, diagonal)

    @staticmethod
    def backward(ctx, grad):
        return Tril.apply(grad, diagonal=ctx.diagonal)


class Triu(Function):
    name = "TriuBackward0"

    @staticmethod
    def forward(ctx, a, *, diagonal):
        ctx.diagonal = diagonal
        return np.triu(a, diagonal)

    @staticmethod
    def backward(ctx, grad):
        return Triu.apply(grad, diagonal=ctx.diagonal)


def _triangle(name: str, cls, doc: str):
    def op(input, diagonal=0):
        if input._data.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        return cls.apply(input, diagonal=int(diagonal))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return register(name)(op)


tril = _triangle("tril", Tril, "The lower triangle of the last two dims (on and below "
                 "diagonal ``diagonal``); zeros above.")
triu = _triangle("triu", Triu, "The upper triangle of the last two dims (on and above "
                 "diagonal ``diagonal``); zeros below.")


# ---------------------------------------------------------------- rearranging copies


class Repeat(Function):
    name = "RepeatBackward0"

    @staticmethod
    def forward(ctx, a, *, repeats):
        ctx.shape, ctx.repeats = a.shape, repeats
        return np.tile(a, repeats)

    @staticmethod
    def backward(ctx, grad):
        # Each output dim of size r * s is r copies of the input's s: view it as (r, s)
        # and sum the copies.
        reps, shape = ctx.repeats, ctx.shape
        if not reps:
            return grad
        padded = (1,) * (len(reps) - len(shape)) + shape
        split = [n for r, s in zip(reps, padded) for n in (r, s)]
        return grad.reshape(split).sum(tuple(range(0, len(split), 2))).reshape(shape)


@register("repeat", function=False)
def repeat(input, *sizes):
    """The tensor tiled ``sizes`` times along each dim (leading sizes add dims).

    >>> ember.tensor([1, 2]).repeat(2, 2)
    tensor([[1, 2, 1, 2],
            [1, 2, 1, 2]])
    """
    reps = _shape_args(sizes)
    shape = input._data.shape
    if len(reps) < len(shape):
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than "
                           "number of dimensions of tensor")
    out = [r * s for r, s in zip(reps, (1,) * (len(reps) - len(shape)) + shape)]
    for s in out:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {out}")
    return Repeat.apply(input, repeats=reps)


@register("tile")
def tile(input, *args, dims=None):
    """``repeat`` with ``dims`` padded by leading 1s to the tensor's rank, as NumPy's."""
    reps = _shape_args(args) if dims is None else _ints(dims)
    return repeat(input, (1,) * (input._data.ndim - len(reps)) + reps)


class RepeatInterleave(Function):
    """Each slice along ``dim`` repeated ``repeats[i]`` times (torch: an index_select)."""

    name = "IndexSelectBackward0"

    @staticmethod
    def forward(ctx, a, *, repeats, dim):
        ctx.repeats, ctx.dim = repeats, dim
        return np.repeat(a, repeats, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return SumRepeats.apply(grad, repeats=ctx.repeats, dim=ctx.dim)


class SumRepeats(Function):
    """The adjoint of RepeatInterleave: each run of repeated slices summed back to one."""

    name = "IndexAddBackward0"

    @staticmethod
    def forward(ctx, g, *, repeats, dim):
        ctx.repeats, ctx.dim = repeats, dim
        shape = list(g.shape)
        shape[dim] = len(repeats)
        out = np.zeros(shape, dtype=g.dtype)
        used = repeats > 0
        if used.any():  # reduceat sums each run; empty runs stay 0
            starts = (np.cumsum(repeats) - repeats)[used]
            out[(slice(None),) * dim + (used,)] = np.add.reduceat(g, starts, axis=dim)
        return out

    @staticmethod
    def backward(ctx, grad):
        return RepeatInterleave.apply(grad, repeats=ctx.repeats, dim=ctx.dim)


@register("repeat_interleave")
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (or each slice along ``dim``) ``repeats`` times; ``repeats``
    is an int or a tensor of one count per slice. Without ``dim`` the input is
    flattened first. ``repeat_interleave(counts)`` alone gives the repeated indices.

    >>> ember.tensor([1, 2]).repeat_interleave(2)
    tensor([1, 1, 2, 2])
    """
    if repeats is None:  # torch.repeat_interleave(repeats): indices 0, 1, ... repeated
        counts = _repeat_counts(input, None)
        return Tensor._make(np.repeat(np.arange(counts.size, dtype=np.int64), counts))
    x = input if dim is not None else flatten(input)
    d = 0 if dim is None else _wrap_dim(dim, x._data.ndim)
    if isinstance(repeats, Tensor):
        if x._data.ndim == 0:
            raise _no_dims()
        counts = _repeat_counts(repeats, x._data.shape[d])
        return RepeatInterleave.apply(x, repeats=counts, dim=d)
    r = int(repeats)
    if r < 0:
        raise RuntimeError("Repeats must be non-negative")
    # torch's composition (and node names): unsqueeze, expand, copy, merge dims.
    shape = x._data.shape
    wide = unsqueeze(x, d + 1)
    wide = expand(wide, shape[:d + 1] + (r,) + shape[d + 1:]).clone()
    return View.apply(wide, shape=shape[:d] + (shape[d] * r,) + shape[d + 1:])


def _repeat_counts(repeats: Tensor, n) -> np.ndarray:
    """A repeats tensor as an int64 array of one count per slice, with torch's checks."""
    a = repeats._data
    if a.dtype.kind not in "iu":
        raise NotImplementedError(
            f"\"repeat_interleave_cpu\" not implemented for '{_type_word(repeats.dtype)}'")
    if a.ndim > 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    if (a < 0).any():
        raise RuntimeError("repeats can not be negative")
    a = a.reshape(-1).astype(np.int64)
    if n is not None and a.size == 1:
        a = np.repeat(a, n)  # one count for every slice
    elif n is not None and a.size != n:
        raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                           f"repeats.size(0) = {a.size} and input.size(0) = {n}")
    return a


class Flip(Function):
    name = "FlipBackward0"

    @staticmethod
    def forward(ctx, a, *, dims):
        ctx.dims = dims
        return np.flip(a, dims).copy()  # torch's flip copies; NumPy's is a view

    @staticmethod
    def backward(ctx, grad):
        return Flip.apply(grad, dims=ctx.dims)


def _unique_dims(dims, n: int) -> tuple:
    axes = tuple(_wrap_dim(d, n) for d in dims)
    for i, d in enumerate(axes):
        if d in axes[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return axes


@register("flip")
def flip(input, *args, dims=None):
    """The entries in reverse order along each of ``dims`` (a copy).

    >>> ember.tensor([1, 2, 3]).flip(0)
    tensor([3, 2, 1])
    """
    dims = _shape_args(args) if dims is None else _ints(dims)
    dims = _unique_dims(dims, input._data.ndim)
    return Flip.apply(input, dims=dims if input._data.ndim else ())  # 0-D: nothing to flip


@register("fliplr")
def fliplr(input):
    """Flip the columns (dim 1) of a tensor of at least 2 dims."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return Flip.apply(input, dims=(1,))


@register("flipud")
def flipud(input):
    """Flip the rows (dim 0) of a tensor of at least 1 dim."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return Flip.apply(input, dims=(0,))


class Roll(Function):
    name = "RollBackward0"

    @staticmethod
    def forward(ctx, a, *, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(a, shifts, dims)

    @staticmethod
    def backward(ctx, grad):
        return Roll.apply(grad, shifts=tuple(-s for s in ctx.shifts), dims=ctx.dims)


@register("roll")
def roll(input, shifts, dims=None):
    """Shift the entries circularly by ``shifts`` along ``dims`` (over the flattened
    tensor when ``dims`` is None).

    >>> ember.tensor([1, 2, 3]).roll(1)
    tensor([3, 1, 2])
    """
    shifts = _ints(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                               "dims:0")
        return Roll.apply(input, shifts=shifts, dims=None)
    dims = _ints(dims)
    if not shifts:
        raise RuntimeError("`shifts` required")
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                           f"dims:{len(dims)}")
    if input._data.ndim == 0:
        raise _no_dims()
    dims = tuple(_wrap_dim(d, input._data.ndim) for d in dims)
    return Roll.apply(input, shifts=shifts, dims=dims)


class Rot90(Function):
    name = "Rot90Backward0"

    @staticmethod
    def forward(ctx, a, *, k, dims):
        ctx.k, ctx.dims = k, dims
        return np.rot90(a, k, dims).copy()  # NumPy's is a view; torch's a copy

    @staticmethod
    def backward(ctx, grad):
        return Rot90.apply(grad, k=-ctx.k, dims=ctx.dims)


@register("rot90")
def rot90(input, k=1, dims=(0, 1)):
    """Rotate by ``k`` quarter turns in the plane of ``dims``, from the first dim
    towards the second."""
    dims, n = _ints(dims), input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    axes = tuple(_wrap_dim(d, n) for d in dims)
    if axes[0] == axes[1]:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = "
                           f"{dims[0]} and dim1 = {dims[1]}")
    return Rot90.apply(input, k=int(k) % 4, dims=axes)


# ---------------------------------------------------------------- joining


def _tensor_list(fn: str, tensors) -> list:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{fn}(): argument 'tensors' (position 1) must be tuple of "
                        f"Tensors, not {type(tensors).__name__}")
    for i, x in enumerate(tensors):
        if not isinstance(x, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(x).__name__}")
    return list(tensors)


def _common_dtype(tensors):
    """The dtype all inputs are promoted to (None when they already agree)."""
    first = tensors[0].dtype
    dt = first
    for x in tensors[1:]:
        dt = promote_types(dt, x.dtype)
    return None if all(x.dtype is dt for x in tensors) else dt.np


class Cat(Function):
    name = "CatBackward0"

    @staticmethod
    def forward(ctx, *arrays, dim, dtype):
        ctx.dim = dim
        parts = [a for a in arrays if a.shape != _LEGACY_EMPTY] or arrays
        ndim = parts[0].ndim
        # Each input's extent along dim; -1 for a skipped 1-D empty one.
        ctx.sizes = [a.shape[dim] if a.ndim == ndim else -1 for a in arrays]
        return np.concatenate(parts, axis=dim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        grads, start = [], 0
        for size, needed in zip(ctx.sizes, ctx.needs_input_grad):
            if size < 0:
                grads.append(grad.new_zeros(0) if needed else None)
                continue
            grads.append(narrow(grad, ctx.dim, start, size) if needed else None)
            start += size
        return tuple(grads)


@register("cat", "concat", "concatenate", method=False)
def cat(tensors, dim=0, *, axis=None, out=None):
    """Join tensors along an existing dimension ``dim``; their other sizes must match.
    Mixed dtypes are promoted, as torch does.

    >>> ember.cat([ember.zeros(2, 3), ember.ones(1, 3)]).shape
    torch.Size([3, 3])
    """
    tensors = _tensor_list("cat", tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    dim = dim if axis is None else axis
    for i, x in enumerate(tensors):
        if x._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated")
    # torch's legacy rule: 1-D empty tensors are skipped, whatever the others' shapes.
    kept = [(i, x) for i, x in enumerate(tensors) if x._data.shape != _LEGACY_EMPTY]
    if kept:
        ref = kept[0][1]._data.shape
        dim = _wrap_dim(dim, len(ref))
        for i, x in kept:
            shape = x._data.shape
            if len(shape) != len(ref):
                raise RuntimeError(f"Tensors must have same number of dimensions: got "
                                   f"{len(ref)} and {len(shape)}")
            for d, (a, b) in enumerate(zip(ref, shape)):
                if d != dim and a != b:
                    raise RuntimeError(
                        f"Sizes of tensors must match except in dimension {dim}. Expected "
                        f"size {a} but got size {b} for tensor number {i} in the list.")
    else:
        dim = 0
    return Cat.apply(*tensors, dim=dim, dtype=_common_dtype(tensors))


class Stack(Function):
    name = "StackBackward0"

    @staticmethod
    def forward(ctx, *arrays, dim, dtype):
        ctx.dim = dim
        return np.stack(arrays, axis=dim, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        return unbind(grad, ctx.dim)


@register("stack", method=False)
def stack(tensors, dim=0, *, out=None):
    """Join same-shaped tensors along a new dimension ``dim``.

    >>> ember.stack([ember.zeros(2, 3), ember.ones(2, 3)], dim=1).shape
    torch.Size([2, 2, 3])
    """
    tensors = _tensor_list("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    ref = tensors[0]._data.shape
    for i, x in enumerate(tensors):
        if x._data.shape != ref:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(ref)} at entry 0 and {list(x._data.shape)} at "
                               f"entry {i}")
    dim = _wrap_dim(dim, len(ref) + 1)
    return Stack.apply(*tensors, dim=dim, dtype=_common_dtype(tensors))


def _stacker(name: str, n: int, dim, doc: str):
    """hstack, vstack, dstack: cat after bringing every tensor to at least ``n`` dims."""

    def op(tensors, *, out=None):
        tensors = _tensor_list(name, tensors)
        if not tensors:
            raise RuntimeError(f"{name} expects a non-empty TensorList")
        tensors = [_atleast(x, n) for x in tensors]
        d = dim if tensors[0]._data.ndim > 1 else 0  # hstack joins 1-D tensors on dim 0
        return cat(tensors, d)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return register(name, method=False)(op)


hstack = _stacker("hstack", 1, 1, "Join along columns (dim 1; dim 0 for 1-D tensors).")
vstack = _stacker("vstack", 2, 0, "Join along rows (dim 0), 1-D tensors as rows.")
dstack = _stacker("dstack", 3, 2, "Join along depth (dim 2), after atleast_3d.")


@register("column_stack", method=False)
def column_stack(tensors):
    """Join as columns: 0-D and 1-D tensors become columns, the rest join on dim 1."""
    tensors = _tensor_list("column_stack", tensors)
    if not tensors:
        raise RuntimeError("column_stack expects a non-empty TensorList")
    cols = [View.apply(x, shape=(x._data.size, 1)) if x._data.ndim < 2 else x
            for x in tensors]
    return cat(cols, 1)


# ---------------------------------------------------------------- splitting


class Split(Function):
    name = "SplitBackward0"
    view = True

    @staticmethod
    def forward(ctx, a, *, sizes, dim):
        ctx.dim = dim
        lead = (slice(None),) * dim
        bounds = np.cumsum((0,) + sizes).tolist()
        return _one_or_all([a[lead + (slice(s, e),)] for s, e in zip(bounds, bounds[1:])])

    @staticmethod
    def backward(ctx, *grads):
        return Cat.apply(*grads, dim=ctx.dim, dtype=None)


class SplitWithSizes(Split):
    name = "SplitWithSizesBackward0"


@register("split")
def split(tensor, split_size_or_sections, dim=0):
    """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or pieces of
    the listed sizes; views of the input.

    >>> [p.tolist() for p in ember.arange(5).split(2)]
    [[0, 1], [2, 3], [4]]
    """
    a = tensor._data
    if a.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = _wrap_dim(dim, a.ndim)
    size = a.shape[dim]
    if not isinstance(split_size_or_sections, (list, tuple)):
        s = int(split_size_or_sections)
        if s < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got "
                               f"split_size={s}")
        if s == 0 and size != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
        n = max(1, -(-size // s)) if s else 1
        sizes = (s,) * (n - 1) + (size - s * (n - 1),)
        return _pieces(Split, n, tensor, sizes=sizes, dim=dim)
    sizes = tuple(int(s) for s in split_size_or_sections)
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                           f"entries, but got split_sizes={list(sizes)}")
    if sum(sizes) != size:
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                           f"(input tensor's size at dimension {dim}), but got "
                           f"split_sizes={list(sizes)}")
    return _pieces(SplitWithSizes, len(sizes), tensor, sizes=sizes, dim=dim)


@register("chunk")
def chunk(input, chunks, dim=0):
    """At most ``chunks`` pieces of equal size (the last may be smaller) along ``dim``."""
    a = input._data
    if a.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    chunks = int(chunks)
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    dim = _wrap_dim(dim, a.ndim)
    size = a.shape[dim]
    if size == 0:  # torch gives `chunks` empty pieces here
        return _pieces(SplitWithSizes, chunks, input, sizes=(0,) * chunks, dim=dim)
    return split(input, -(-size // chunks), dim)


@register("tensor_split")
def tensor_split(input, indices_or_sections, dim=0):
    """Split into ``sections`` nearly equal pieces (the first ones one larger), or at
    the given ``indices``, like NumPy's array_split; views of the input."""
    a = input._data
    if a.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got "
                           "a tensor with 0 dims")
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios._data.dtype.kind not in "iu":
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have "
                               f"dtype of long, but got {_type_word(ios.dtype)}")
        if ios._data.ndim > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a "
                               f"zero-dimensional or one-dimensional tensor, but got a "
                               f"tensor with {ios._data.ndim} dims")
        ios = int(ios) if ios._data.ndim == 0 else ios._data.tolist()
    dim = _wrap_dim(dim, a.ndim)
    lead = (slice(None),) * dim
    if isinstance(ios, (list, tuple)):
        bounds = [0, *(int(i) for i in ios), None]
    else:
        sections = int(ios)
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        q, r = divmod(a.shape[dim], sections)
        bounds = [i * q + min(i, r) for i in range(sections + 1)]
    # Python slices: torch clamps the indices the same way (SliceBackward0 views).
    return tuple(input[lead + (slice(s, e),)] for s, e in zip(bounds, bounds[1:]))


class Unbind(Function):
    name = "UnbindBackward0"
    view = True

    @staticmethod
    def forward(ctx, a, *, dim):
        ctx.dim = dim
        return _one_or_all(list(np.moveaxis(a, dim, 0)))

    @staticmethod
    def backward(ctx, *grads):
        return Stack.apply(*grads, dim=ctx.dim, dtype=None)


@register("unbind")
def unbind(input, dim=0):
    """The slices along ``dim``, as a tuple of views without that dim.

    >>> ember.tensor([[1, 2], [3, 4]]).unbind(1)
    (tensor([1, 3]), tensor([2, 4]))
    """
    a = input._data
    if a.ndim == 0:
        raise _no_dims()
    dim = _wrap_dim(dim, a.ndim)
    return _pieces(Unbind, a.shape[dim], input, dim=dim)


# ---------------------------------------------------------------- grids


@register("meshgrid", method=False)
def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors: output ``i`` holds ``tensors[i]`` expanded
    along its own dim. ``indexing='ij'`` (the default, with a warning as torch) orders
    the dims as the inputs; ``'xy'`` swaps the first two, as NumPy's default.

    >>> gx, gy = ember.meshgrid(ember.tensor([1, 2]), ember.tensor([3, 4, 5]),
    ...                         indexing="ij")
    >>> gx.shape
    torch.Size([2, 3])
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass "
                      "the indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but '
                           f"received: {indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for x in tensors:
        if x._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor "
                               f"list but got: {x}")
        if x.dtype is not tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) > 1:
        order[0], order[1] = 1, 0  # dim of each input in the grid
    shape = [0] * len(tensors)
    for i, x in enumerate(tensors):
        shape[order[i]] = x._data.size
    grids = []
    for i, x in enumerate(tensors):
        line = [1] * len(tensors)
        line[order[i]] = x._data.size
        grids.append(Expand.apply(View.apply(x, shape=tuple(line)), shape=tuple(shape)))
    return tuple(grids)
