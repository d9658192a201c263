"""Random sampling on tensors: the in-place ``uniform_``, ``normal_``, ``bernoulli_``,
``random_``, ``exponential_``, ``geometric_``, ``cauchy_``, ``log_normal_``, and the
functions ``randperm``, ``normal``, ``bernoulli``, ``multinomial``.

The numbers come from the samplers in ``ember.random``, which reproduce torch's CPU
streams; this module adds torch's argument handling, its checks and error messages,
the order in which a strided tensor is filled (memory order, as torch's
TensorIterator walks it), and torch's autograd nodes (their gradient is zero).
"""

from __future__ import annotations

import numpy as np

from .. import random as _random
from .._dtype import to_dtype
from .._tensor import Tensor, _set_requires_grad, _sizes
from ..autograd.function import Function
from ..autograd.grad_mode import state

__all__ = ["randperm", "normal", "bernoulli", "multinomial"]

_TORCH_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char",
                "int16": "Short", "int32": "Int", "int64": "Long", "uint8": "Byte",
                "bool": "Bool"}


def _num(x) -> str:
    """A number as torch's C++ messages print it (``2``, ``0.5``, ``3e+38``)."""
    return f"{float(x):g}"


def _not_implemented(kernel: str, a: np.ndarray):
    return NotImplementedError(
        f'"{kernel}" not implemented for \'{_TORCH_NAMES[a.dtype.name]}\'')


def _fill_order(a: np.ndarray) -> np.ndarray:
    """A view of ``a`` whose C-order walk is torch's fill order: memory order, which
    TensorIterator gets by sorting the dimensions by stride."""
    if a.flags.c_contiguous:
        return a
    return a.transpose(sorted(range(a.ndim), key=lambda d: -abs(a.strides[d])))


# ----------------------------------------------------------------- autograd nodes


class _Sampled(Function):
    """A random result: its value does not depend on the inputs, its gradient is zero."""

    @staticmethod
    def forward(ctx, *inputs, values):
        return values

    @staticmethod
    def backward(ctx, grad):
        from .._creation import zeros_like

        zero = zeros_like(grad)
        return tuple(zero if need else None for need in ctx.needs_input_grad)


class _NotImplemented(Function):
    name = "NotImplemented"

    @staticmethod
    def forward(ctx, *inputs, values):
        return values

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::bernoulli is not implemented")


_NODES: dict = {}


def _node(name: str):
    """The ``_Sampled`` op whose graph node torch calls ``name``."""
    op = _NODES.get(name)
    if op is None:
        op = _NODES[name] = type(name.replace("Backward", ""), (_Sampled,), {"name": name})
    return op


def _fill(self: Tensor, node: str, draw) -> Tensor:
    """Overwrite ``self`` with ``draw(n, dtype, contiguous)``, in torch's fill order."""
    a = self._array()
    if state.enabled and self.requires_grad:
        if self.grad_fn is None:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation.")
        from .pointwise import _inplace  # part of a graph: torch records a zero-grad node

        _fill(self.detach(), node, draw)
        values = a.copy()
        return _inplace(self, lambda old: _node(node).apply(old, values=values))
    if not a.flags.writeable:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers "
            "to a single memory location. Please clone() the tensor before performing the "
            "operation.")
    if a.size:
        view = _fill_order(a)
        view[...] = draw(a.size, a.dtype, a.flags.c_contiguous).reshape(view.shape)
        self._bump()
    return self


def _float_only(self: Tensor, kernel: str) -> None:
    if self._data.dtype.kind != "f":
        raise _not_implemented(kernel, self._data)


# ----------------------------------------------------------------- in-place methods


def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kw) -> Tensor:
    """Fill with uniform numbers in [from, to).

    >>> ember.empty(3).uniform_(-1, 1)  # doctest: +SKIP
    """
    from_ = kw.pop("from", from_)
    _float_only(self, "check_uniform_bounds")
    top = float(np.finfo(self._data.dtype).max)
    for v, what in ((from_, "from"), (to, "to")):
        if not -top <= v <= top:
            name = _random._C_NAMES[self._data.dtype.name]
            raise RuntimeError(f"{what} is out of bounds for {name}")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={_num(from_)} > to={_num(to)}")
    if to - from_ > top:
        raise RuntimeError(
            f"uniform_ expects to-from <= std::numeric_limits<"
            f"{_TORCH_NAMES[self._data.dtype.name]}>::max(), but found to={_num(to)} and "
            f"from={_num(from_)} which result in to-from to exceed the limit")
    gen = _random._generator(generator)
    return _fill(self, "UniformBackward0",
                 lambda n, dt, dense: _random.uniform(gen, n, dt, from_, to))


def normal_(self, mean=0.0, std=1.0, *, generator=None) -> Tensor:
    """Fill with normal numbers of mean ``mean`` and standard deviation ``std``."""
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_num(std)}")
    if self._data.size:
        _float_only(self, "normal_kernel_cpu")
    gen = _random._generator(generator)
    return _fill(self, "NormalBackward0",
                 lambda n, dt, dense: _random.normal(gen, n, dt, mean, std, dense))


def _check_p(p) -> None:
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_num(p)}")


def _p_values(p: np.ndarray, a: np.ndarray) -> np.ndarray:
    """``p`` expanded to ``a``'s shape, read in ``a``'s fill order."""
    if p.dtype.kind != "f":
        raise _not_implemented("bernoulli_tensor_cpu_p_", p)
    try:
        full = np.broadcast_to(p, a.shape)
    except ValueError:
        dim = next(d for d in range(-1, -p.ndim - 1, -1)
                   if -d > a.ndim or p.shape[d] not in (1, a.shape[d]))
        target = a.shape[dim] if -dim <= a.ndim else 1
        raise RuntimeError(
            f"The expanded size of the tensor ({target}) must match the existing size "
            f"({p.shape[dim]}) at non-singleton dimension {a.ndim + dim}.  Target sizes: "
            f"{list(a.shape)}.  Tensor sizes: {list(p.shape)}") from None
    if a.flags.c_contiguous:
        values = full.ravel()
    else:
        axes = sorted(range(a.ndim), key=lambda d: -abs(a.strides[d]))
        values = full.transpose(axes).ravel()
    if ((values < 0) | (values > 1)).any():
        raise RuntimeError(
            "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
            "message be improved?  If so, please report an enhancement request to PyTorch.)")
    return values


def bernoulli_(self, p=0.5, *, generator=None) -> Tensor:
    """Fill with 1 where a uniform draw is below ``p`` (a number or a tensor), else 0."""
    gen = _random._generator(generator)
    if isinstance(p, Tensor):
        a = self._data
        values = _p_values(p._data, a) if a.size else None
        return _fill(self, "BernoulliBackward1",
                     lambda n, dt, dense: _random.bernoulli_tensor(gen, values, dt))
    _check_p(p)
    return _fill(self, "BernoulliBackward2",
                 lambda n, dt, dense: _random.bernoulli(gen, n, dt, p))


def random_(self, *args, generator=None, **kw) -> Tensor:
    """Fill with integers: ``random_(to)`` and ``random_(from, to)`` draw from [from, to),
    ``random_()`` from [0, largest integer the dtype holds exactly]."""
    if "from" in kw or "to" in kw:
        args = (kw.pop("from", 0), kw.pop("to", None))
    gen = _random._generator(generator)
    if not args:
        low, high, node = None, None, "RandomBackward2"
    elif len(args) == 1:
        low, high, node = 0, args[0], "RandomBackward1"
    else:
        (low, high), node = args, "RandomBackward0"
    return _fill(self, node, lambda n, dt, dense: _random.integers(gen, n, dt, low, high))


def exponential_(self, lambd=1.0, *, generator=None) -> Tensor:
    """Fill with exponential numbers of rate ``lambd``."""
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_num(lambd)}")
    if self._data.size and self._data.dtype.kind != "f":
        raise RuntimeError(
            "Exponential distribution is a continuous probability distribution. dtype must "
            f"be a floating point but you specified {_TORCH_NAMES[self._data.dtype.name]}")
    gen = _random._generator(generator)
    return _fill(self, "ExponentialBackward0",
                 lambda n, dt, dense: _random.exponential(gen, n, dt, lambd))


def geometric_(self, p, *, generator=None) -> Tensor:
    """Fill with geometric numbers: the number of trials up to the first success."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_num(p)}")
    if self._data.size and self._data.dtype == np.bool_:
        raise _not_implemented("geometric_cpu", self._data)
    gen = _random._generator(generator)
    return _fill(self, "GeometricBackward0",
                 lambda n, dt, dense: _random.geometric(gen, n, dt, p))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None) -> Tensor:
    """Fill with Cauchy numbers of location ``median`` and scale ``sigma``."""
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_num(sigma)}")
    if self._data.dtype.kind != "f":
        raise RuntimeError(
            "Cauchy distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {_random._C_NAMES[self._data.dtype.name]}")
    gen = _random._generator(generator)
    return _fill(self, "CauchyBackward0",
                 lambda n, dt, dense: _random.cauchy(gen, n, dt, median, sigma))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None) -> Tensor:
    """Fill with numbers whose log is normal with ``mean`` and ``std``."""
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_num(std)}")
    if self._data.size:
        _float_only(self, "log_normal_cpu")
    gen = _random._generator(generator)
    return _fill(self, "LogNormalBackward0",
                 lambda n, dt, dense: _random.log_normal(gen, n, dt, mean, std))


for _fn in (uniform_, normal_, bernoulli_, random_, exponential_, geometric_, cauchy_,
            log_normal_):
    setattr(Tensor, _fn.__name__, _fn)


# ----------------------------------------------------------------- functions


def _out(out, t: Tensor) -> Tensor:
    """Write a result into ``out=`` (resized as torch resizes it), or return it."""
    if out is None:
        return t
    if out._data.shape != t._data.shape:
        out._data = np.empty(t._data.shape, dtype=out._data.dtype)
    np.copyto(out._array(), t._data, casting="unsafe")
    out._bump()
    return out


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             pin_memory=False, requires_grad=False) -> Tensor:
    """A random permutation of ``0 .. n-1``.

    >>> _ = ember.manual_seed(0); ember.randperm(4)
    tensor([0, 1, 3, 2])
    """
    n = int(n)
    d = to_dtype(dtype).np if dtype is not None else np.dtype(np.int64)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    if d == np.bool_:
        raise NotImplementedError("\"randperm\" not implemented for 'Bool'")
    if d == np.float16 and n > 2049:
        raise RuntimeError("n cannot be greater than 2049 for Half type.")
    if d.kind in "iu" and n > 0 and n - 1 > np.iinfo(d).max:
        raise RuntimeError(f"value cannot be converted to type {d.name}_t without overflow")
    perm = _random.randperm(_random._generator(generator), n).astype(d)
    return _out(out, _set_requires_grad(Tensor._make(perm), requires_grad))


def _tensor_std_check(std: np.ndarray) -> None:
    if std.size and not (std >= 0).all():
        raise RuntimeError("normal expects all elements of std >= 0.0")


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None,
           layout=None, device=None, pin_memory=False, requires_grad=False) -> Tensor:
    """Normal numbers with the given ``mean`` and ``std`` (numbers or tensors).

    ``normal(mean_tensor, std_tensor)``, ``normal(mean_tensor, std=1.0)``,
    ``normal(mean, std_tensor)`` and ``normal(mean, std, size)``.

    >>> x = ember.normal(0.0, 2.0, (3,))
    """
    gen = _random._generator(generator)
    mean_t, std_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not (mean_t or std_t):
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got "
                            "(float, float), but expected a size for two numbers")
        from .._creation import _dtype, _sampled

        t = _sampled(_sizes((size,)), _dtype(dtype),
                     lambda t: normal_(t, mean, std, generator=gen), out)
        return _set_requires_grad(t, requires_grad)
    if mean_t and not std_t:  # draws with std, then adds mean
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_num(std)}")
        m = mean._data
        x = _random.normal(gen, m.size, m.dtype, 0.0, std).reshape(m.shape)
        return _out(out, _node("NormalBackward1").apply(mean, values=(x + m).astype(m.dtype)))
    s = std._data
    _tensor_std_check(s)
    if not mean_t:  # standard draws, times std, plus mean in std's dtype
        x = _random.normal(gen, s.size, s.dtype).reshape(s.shape)
        values = (x * s).astype(s.dtype) + s.dtype.type(mean)
        return _out(out, _node("NormalBackward2").apply(std, values=values))
    m = mean._data
    shape = np.broadcast_shapes(m.shape, s.shape)
    x = _random.normal(gen, int(np.prod(shape)), m.dtype).reshape(shape)
    values = ((x * s).astype(m.dtype) + m).astype(m.dtype)
    return _out(out, _node("NormalBackward3").apply(mean, std, values=values))


def bernoulli(input, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 samples: 1 with probability ``input`` (elementwise), or ``p`` if given.

    >>> ember.bernoulli(ember.tensor([0.0, 1.0]))
    tensor([0., 1.])
    """
    a = input._data
    out_t = Tensor._make(np.empty_like(a, order="C"))
    if p is None:
        bernoulli_(out_t, input, generator=generator)
        return _out(out, _node("BernoulliBackward0").apply(input, values=out_t._data))
    bernoulli_(out_t, p, generator=generator)
    return _out(out, _NotImplemented.apply(input, values=out_t._data))


def _bernoulli_method(self, p=None, *, generator=None) -> Tensor:
    return bernoulli(self, p, generator=generator)


def multinomial(input, num_samples, replacement=False, *, generator=None,
                out=None) -> Tensor:
    """Indices drawn from the categories of ``input``'s last dimension, with probabilities
    proportional to its values.

    >>> ember.multinomial(ember.tensor([0.0, 1.0]), 2)
    tensor([1, 0])
    """
    p = input._data
    k = int(num_samples)
    if p.dtype.kind != "f":
        raise RuntimeError("multinomial only supports floating-point dtypes for input, "
                           f"got: {_TORCH_NAMES[p.dtype.name]}")
    if p.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if k <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and k > p.shape[-1]:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if p.shape[-1] > 1 << 24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    gen = _random._generator(generator)
    shape = p.shape[:-1] + (k,)
    if not p.size:
        return _out(out, Tensor._make(np.zeros(shape, np.int64)))
    if replacement and k > 1:  # one sample takes the path without replacement, as torch
        idx = _multinomial_with_replacement(gen, p.reshape(-1, p.shape[-1]), k)
    else:
        idx = _multinomial_gumbel(gen, p, k)
    return _out(out, Tensor._make(idx.reshape(shape)))


def _multinomial_gumbel(gen, p: np.ndarray, k: int) -> np.ndarray:
    """torch's draw without replacement: the k largest ``p / q`` with q ~ Exp(1), q made
    like ``p`` (same layout, so filled in ``p``'s memory order)."""
    with np.errstate(invalid="ignore"):
        if not ((p < np.inf) & (p >= 0)).all():
            raise RuntimeError(
                "probability tensor contains either `inf`, `nan` or element < 0")
    if (p.sum(axis=-1) == 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    q = np.empty_like(p)
    view = _fill_order(q)
    view[...] = _random.exponential(gen, p.size, p.dtype).reshape(view.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (p / q).reshape(-1, p.shape[-1])
    if k == 1:
        return np.argmax(ratio, axis=1)[:, None]
    order = np.argsort(-ratio, axis=1, kind="stable")
    top = np.take_along_axis(ratio, order[:, :k + 1], axis=1)
    # Equal ratios (zero probabilities, mostly) come out in the order torch's sort
    # leaves them: replay it for those rows.
    for row in np.flatnonzero((top[:, :-1] == top[:, 1:]).any(1) | np.isnan(top).any(1)):
        order[row, :k] = _stl_topk(ratio[row].tolist(), k)
    return order[:, :k]


def _multinomial_with_replacement(gen, rows: np.ndarray, k: int) -> np.ndarray:
    """torch's draw with replacement: per row, the running sum of the probabilities
    divided by their total, and a binary search for each float64 uniform."""
    acc = np.float32 if rows.dtype == np.float16 else rows.dtype  # torch's float for half
    if (rows < 0).any() or np.isnan(rows).any():
        raise RuntimeError(
            "invalid multinomial distribution (encountering probability entry < 0)")
    if np.isinf(rows).any():
        raise RuntimeError("invalid multinomial distribution (encountering probability "
                           "entry = infinity or NaN)")
    cum = np.cumsum(rows.astype(acc), axis=1, dtype=acc)  # sequential, in torch's order
    total = cum[:, -1:]
    if (total <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    cum = cum / total
    cum[:, -1] = 1
    u = gen._uniform(rows.shape[0] * k, np.float64).reshape(-1, k)
    return np.stack([np.searchsorted(c.astype(np.float64), row, side="left")
                     for c, row in zip(cum, u)]).astype(np.int64)


Tensor.bernoulli = _bernoulli_method
Tensor.multinomial = multinomial


# ---------------------------------------------------------------- torch's topk order
# torch's topk (which picks multinomial's samples without replacement) runs libstdc++'s
# nth_element and sort; with ties, which of the equal elements comes first is decided
# by those algorithms' exact steps, replayed here on (value, index) pairs.


def _stl_gt(x, y):  # torch's largest-first order, NaN on top
    a, b = x[0], y[0]
    return (a != a and b == b) or a > b


def _lg(n):
    """floor(log2(n)), the depth budget unit of introsort."""
    return n.bit_length() - 1


def _median_to_first(q, result, a, b, c):
    """Move the median of q[a], q[b], q[c] to q[result] (the pivot)."""
    if _stl_gt(q[a], q[b]):
        if _stl_gt(q[b], q[c]):
            q[result], q[b] = q[b], q[result]
        elif _stl_gt(q[a], q[c]):
            q[result], q[c] = q[c], q[result]
        else:
            q[result], q[a] = q[a], q[result]
    elif _stl_gt(q[a], q[c]):
        q[result], q[a] = q[a], q[result]
    elif _stl_gt(q[b], q[c]):
        q[result], q[c] = q[c], q[result]
    else:
        q[result], q[b] = q[b], q[result]


def _partition_pivot(q, first, last):
    """Hoare partition of q[first:last] around a median-of-three; the cut."""
    mid = first + (last - first) // 2
    _median_to_first(q, first, first + 1, mid, last - 1)
    pivot, lo, hi = q[first], first + 1, last
    while True:
        while _stl_gt(q[lo], pivot):
            lo += 1
        hi -= 1
        while _stl_gt(pivot, q[hi]):
            hi -= 1
        if not lo < hi:
            return lo
        q[lo], q[hi] = q[hi], q[lo]
        lo += 1


def _linear_insert(q, last):
    """Move q[last] left past the elements it sorts before."""
    val, nxt = q[last], last - 1
    while _stl_gt(val, q[nxt]):
        q[last] = q[nxt]
        last, nxt = nxt, nxt - 1
    q[last] = val


def _insertion_sort(q, first, last):
    """Insertion sort of q[first:last]."""
    if first == last:
        return
    for i in range(first + 1, last):
        if _stl_gt(q[i], q[first]):
            val = q[i]
            q[first + 1:i + 1] = q[first:i]
            q[first] = val
        else:
            _linear_insert(q, i)


def _push_heap(q, first, hole, top, val):
    """Sift ``val`` up from ``hole`` in the heap at ``first``."""
    parent = (hole - 1) // 2
    while hole > top and _stl_gt(q[first + parent], val):
        q[first + hole] = q[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    q[first + hole] = val


def _adjust_heap(q, first, hole, length, val):
    """Sift down to a leaf from ``hole``, then ``val`` up from there."""
    top, child = hole, hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if _stl_gt(q[first + child], q[first + child - 1]):
            child -= 1
        q[first + hole] = q[first + child]
        hole = child
    if length % 2 == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        q[first + hole] = q[first + child - 1]
        hole = child - 1
    _push_heap(q, first, hole, top, val)


def _heap_select(q, first, middle, last):
    """Keep the best ``middle - first`` elements in a heap at the front."""
    length = middle - first
    if length > 1:
        parent = (length - 2) // 2
        while True:
            _adjust_heap(q, first, parent, length, q[first + parent])
            if parent == 0:
                break
            parent -= 1
    for i in range(middle, last):
        if _stl_gt(q[i], q[first]):
            val, q[i] = q[i], q[first]
            _adjust_heap(q, first, 0, length, val)


def _sort_heap(q, first, last):
    """Sort a heap in place."""
    while last - first > 1:
        last -= 1
        val, q[last] = q[last], q[first]
        _adjust_heap(q, first, 0, last - first, val)


def _stl_partial_sort(q, first, middle, last):
    """std::partial_sort."""
    _heap_select(q, first, middle, last)
    _sort_heap(q, first, middle)


def _stl_nth_element(q, first, nth, last):
    """std::nth_element (introselect)."""
    if first == last or nth == last:
        return
    depth = _lg(last - first) * 2
    while last - first > 3:
        if depth == 0:
            _heap_select(q, first, nth + 1, last)
            q[first], q[nth] = q[nth], q[first]
            return
        depth -= 1
        cut = _partition_pivot(q, first, last)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _insertion_sort(q, first, last)


def _stl_sort(q, first, last):
    """std::sort: introsort, then insertion sort in blocks of 16."""
    if first == last:
        return
    _introsort(q, first, last, _lg(last - first) * 2)
    if last - first > 16:
        _insertion_sort(q, first, first + 16)
        for i in range(first + 16, last):
            _linear_insert(q, i)
    else:
        _insertion_sort(q, first, last)


def _introsort(q, first, last, depth):
    """Quicksort down to blocks of 16, heapsort past the depth budget."""
    while last - first > 16:
        if depth == 0:
            _stl_partial_sort(q, first, last, last)
            return
        depth -= 1
        cut = _partition_pivot(q, first, last)
        _introsort(q, cut, last, depth)
        last = cut


def _stl_topk(values: list, k: int) -> list:
    """The indices of torch's ``topk(values, k)``, ties included: libstdc++'s
    partial_sort when k * 64 <= n, else nth_element and a sort of the first k - 1."""
    q = [(v, i) for i, v in enumerate(values)]
    n = len(q)
    if k * 64 <= n:
        _stl_partial_sort(q, 0, k, n)
    else:
        _stl_nth_element(q, 0, k - 1, n)
        _stl_sort(q, 0, k - 1)
    return [i for _, i in q[:k]]
