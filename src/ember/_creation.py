"""Making tensors: from data (``tensor``, ``from_numpy``), filled (``zeros``, ``full``,
``arange``...), random (``rand``, ``randn``, ``randint``), and their ``*_like`` forms.

Sizes are taken as torch takes them: ``zeros(2, 3)``, ``zeros((2, 3))``,
``zeros(size=(2, 3))``. Python floats become the default dtype (float32), ints int64,
bools bool.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._dtype import from_numpy_dtype, get_default_dtype, to_dtype
from ._errstate import install
from ._tensor import Tensor, _set_requires_grad, _sizes, _unwrap_nested
from .autograd.grad_mode import state as _grad_state


def _finish(data: np.ndarray, requires_grad: bool) -> Tensor:
    install()  # (cheap: see ember._errstate)
    t = _set_requires_grad(Tensor._make(data), requires_grad)
    if _grad_state.inference:
        t._inference = True
    return t


def _infer(data, keep_precision: bool = False) -> np.ndarray:
    """An array from Python data, with torch's dtype inference (``keep_precision``: a
    dtype will be given, so Python floats are not rounded to the default dtype first)."""
    if isinstance(data, Tensor):
        return data._data.copy()
    if isinstance(data, np.ndarray):
        from_numpy_dtype(data.dtype)  # TypeError for dtypes torch has no tensor of
        return data.copy()
    if isinstance(data, np.generic):
        return np.array(data)
    if isinstance(data, (str, bytes)) or data is None:
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    try:
        a = np.array(_unwrap_nested(data))
    except ValueError as e:
        raise ValueError(f"expected a rectangular (non-ragged) sequence: {e}") from None
    if (a.dtype.kind == "f" and not keep_precision and a.dtype != get_default_dtype().np
            and _pure_python(data)):
        a = a.astype(get_default_dtype().np)  # Python floats take the default dtype
    elif a.dtype.kind in "USO":
        raise TypeError(f"new(): invalid data type '{a.dtype.name}'")
    elif a.dtype.kind == "i" and a.dtype != np.int64:
        a = a.astype(np.int64)
    return a


def _pure_python(data) -> bool:
    """True when ``data`` holds no arrays or tensors that fix their own dtype."""
    if isinstance(data, (list, tuple)):
        return all(_pure_python(d) for d in data)
    return isinstance(data, numbers.Number) and not isinstance(data, np.generic)


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested lists, an array or a
    tensor).

    >>> ember.tensor([[1, 2], [3, 4]])
    tensor([[1, 2],
            [3, 4]])
    >>> ember.tensor(2.5, requires_grad=True)
    tensor(2.5000, requires_grad=True)
    """
    a = _infer(data, keep_precision=dtype is not None)
    if dtype is not None:
        a = a.astype(to_dtype(dtype).np, copy=False)
    return _finish(a, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with a NumPy array or tensor when it can."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or to_dtype(dtype).np == data.dtype):
        return from_numpy(data)
    return tensor(data, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array``: writes to either show in both.

    >>> a = np.zeros(2); t = ember.from_numpy(a); a[0] = 1; t
    tensor([1., 0.], dtype=torch.float64)
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    from_numpy_dtype(array.dtype)
    return Tensor._make(array)


def _size_arg(sizes: tuple, size) -> tuple:
    """Sizes given positionally (``zeros(2, 3)``) or as ``size=(2, 3)``."""
    if size is not None:
        if sizes:
            raise TypeError("size given both positionally and as size=")
        return (size,)
    return sizes


def _dtype(dtype):
    return (to_dtype(dtype) if dtype is not None else get_default_dtype()).np


def _filled(fill, size, dtype, requires_grad) -> Tensor:
    return _finish(_allocate(fill, _sizes(size), _dtype(dtype)), requires_grad)


def _allocate(fill, shape: tuple, np_dtype, **kw) -> np.ndarray:
    """``fill(shape, dtype)``, with torch's RuntimeError for sizes no memory holds."""
    try:
        return fill(shape, dtype=np_dtype, **kw)
    except (ValueError, MemoryError) as e:
        n = int(np.prod(shape, dtype=object)) * np.dtype(np_dtype).itemsize
        if isinstance(e, ValueError) and "too big" not in str(e) and n < 2 ** 63:
            raise
        raise RuntimeError(f"can't allocate memory: you tried to allocate {n} bytes "
                           f"(a tensor of size {list(shape)})") from None


def zeros(*sizes, size=None, dtype=None, device=None, requires_grad=False, out=None) -> Tensor:
    """A tensor of zeros. ``zeros(2, 3)`` or ``zeros((2, 3))``."""
    return _filled(np.zeros, _size_arg(sizes, size), dtype, requires_grad)


def ones(*sizes, size=None, dtype=None, device=None, requires_grad=False, out=None) -> Tensor:
    """A tensor of ones."""
    return _filled(np.ones, _size_arg(sizes, size), dtype, requires_grad)


def empty(*sizes, size=None, dtype=None, device=None, requires_grad=False, out=None,
          memory_format=None) -> Tensor:
    """A tensor whose values are not to be relied on (ember fills it with zeros)."""
    return _filled(np.zeros, _size_arg(sizes, size), dtype, requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A tensor filled with ``fill_value``; its dtype follows the value's type as torch.

    >>> ember.full((2,), 7)
    tensor([7, 7])
    """
    if dtype is None:
        dtype = _infer(fill_value).dtype
        dtype = from_numpy_dtype(dtype)
    v = fill_value.item() if isinstance(fill_value, Tensor) else fill_value
    return _finish(np.full(_sizes((size,)), v, dtype=to_dtype(dtype).np), requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """The identity matrix, ``n`` x ``m`` (``m`` defaults to ``n``)."""
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    return _finish(np.eye(n, m, dtype=_dtype(dtype)), requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None,
           requires_grad=False) -> Tensor:
    """Values from ``start`` up to (not including) ``end`` in steps of ``step``.

    >>> ember.arange(5)
    tensor([0, 1, 2, 3, 4])
    >>> ember.arange(0, 1, 0.25)
    tensor([0.0000, 0.2500, 0.5000, 0.7500])
    """
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = values
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0 and end != start:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if not all(math.isfinite(v) for v in values):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    is_float = any(isinstance(v, float) for v in values)
    d = to_dtype(dtype) if dtype is not None else (
        get_default_dtype() if is_float else to_dtype(np.int64))
    if is_float:
        # Computed in float64 and rounded once, as torch's kernel accumulates in double.
        n = max(0, math.ceil((end - start) / step))
        data = start + np.arange(n, dtype=np.float64) * step
    else:
        data = np.arange(start, end, step, dtype=np.int64)
    return _finish(data.astype(d.np, copy=False), requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """``steps`` values evenly spaced from ``start`` to ``end``, both included."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    if steps == 1:
        data = np.array([start], dtype=np.float64)
    else:
        # torch fills the first half from the start and the second half from the end.
        step = (end - start) / max(steps - 1, 1)
        i = np.arange(steps, dtype=np.float64)
        half = steps // 2
        data = np.where(i < half, start + step * i, end - step * (steps - 1 - i))
    return _finish(data.astype(_dtype(dtype)), requires_grad)


def _sampled(shape, dtype, fill, out=None) -> Tensor:
    """A new tensor (or ``out``, resized as torch resizes it) filled in place by one of
    torch's random methods (``uniform_``, ...)."""
    if out is None:
        return fill(Tensor._make(np.empty(shape, dtype=dtype)))
    if tuple(out.shape) != tuple(shape):
        out._data = np.empty(shape, dtype=out._data.dtype)
    return fill(out)


def rand(*sizes, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False) -> Tensor:
    """Uniform random numbers in [0, 1), as torch draws them (same seed, same numbers).

    >>> _ = ember.manual_seed(0); ember.rand(3)
    tensor([0.4963, 0.7682, 0.0885])
    """
    t = _sampled(_sizes(_size_arg(sizes, size)), _dtype(dtype),
                 lambda t: t.uniform_(generator=generator), out)
    return _set_requires_grad(t, requires_grad)


def randn(*sizes, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False) -> Tensor:
    """Standard normal random numbers, as torch draws them.

    >>> _ = ember.manual_seed(0); ember.randn(size=(3,), requires_grad=True)
    tensor([ 1.5410, -0.2934, -2.1788], requires_grad=True)
    """
    t = _sampled(_sizes(_size_arg(sizes, size)), _dtype(dtype),
                 lambda t: t.normal_(generator=generator), out)
    return _set_requires_grad(t, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None,
            layout=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """Random integers from ``low`` (inclusive) to ``high`` (exclusive); int64 by
    default. ``randint(10, (3,))`` or ``randint(2, 10, (3,))``."""
    if size is None:
        if high is None or isinstance(high, numbers.Number):
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    d = to_dtype(dtype).np if dtype is not None else np.dtype(np.int64)
    t = _sampled(_sizes((size,)), d, lambda t: t.random_(low, high, generator=generator),
                 out)
    return _set_requires_grad(t, requires_grad)


def _like(fn):
    def like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
             **kw):
        return fn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad,
                  **kw)

    like.__name__ = like.__qualname__ = fn.__name__ + "_like"
    like.__doc__ = f"``{fn.__name__}`` with the shape (and by default dtype) of ``input``."
    return like


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)


def _random_like(input, dtype, requires_grad, fill) -> Tensor:
    """``empty_like(input)`` (same layout, so filled in its memory order), then ``fill``."""
    a = input._data
    d = to_dtype(dtype).np if dtype is not None else a.dtype
    t = fill(Tensor._make(np.empty_like(a, dtype=d)))
    return _set_requires_grad(t, requires_grad)


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None,
              requires_grad=False, memory_format=None) -> Tensor:
    """``rand`` with the shape (and by default dtype) of ``input``."""
    return _random_like(input, dtype, requires_grad, lambda t: t.uniform_(generator=generator))


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None,
               requires_grad=False, memory_format=None) -> Tensor:
    """``randn`` with the shape (and by default dtype) of ``input``."""
    return _random_like(input, dtype, requires_grad, lambda t: t.normal_(generator=generator))


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    """``full`` with the shape (and by default dtype) of ``input``."""
    return full(input.shape, fill_value, dtype=dtype or input.dtype,
                requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None,
                 device=None, requires_grad=False, memory_format=None) -> Tensor:
    """``randint`` with the shape (and by default dtype) of ``input``:
    ``randint_like(x, high)`` or ``randint_like(x, low, high)``."""
    if high is None:
        low, high = 0, low
    return _random_like(input, dtype, requires_grad,
                        lambda t: t.random_(low, high, generator=generator))
