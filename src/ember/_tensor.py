"""class Tensor: a NumPy array plus what autograd needs to know about it.

A tensor holds

* ``_data``          the NumPy array (``.data`` is torch's detached-tensor view of it);
* ``requires_grad``  whether gradients flow to it;
* ``grad``           the gradient accumulated by ``backward()`` (leaves only);
* ``grad_fn``        the graph node that made it (``None`` for leaves);
* ``_output_nr``     which output of ``grad_fn`` it is;
* ``_vc``            its version counter, shared with its views and bumped by every
                     in-place op, so backward can tell a saved tensor was modified.

Operators and most methods are attached by the op modules (``ember.ops``), each op in
one place; this file keeps what is about the tensor itself.
"""

from __future__ import annotations

import numbers
import weakref

import numpy as np

from . import _dtype
from ._dtype import from_numpy_dtype, get_default_dtype, to_dtype


class Size(tuple):
    """The shape of a tensor: a tuple that prints as torch's ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))


class Tensor:
    """An n-dimensional array that records the operations applied to it for autograd.

    Make tensors with ``ember.tensor``, ``ember.zeros``, ``ember.randn``, ...

    >>> x = ember.tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4.])
    """

    # Every op result sets these four (``_output_nr`` is a slot, not a class default,
    # because every recorded op reads it from its input: a slot is read the fast way);
    # everything else has a class-level default and lands in the instance __dict__ only
    # when set (leaves' grads, views, hooks), so making a tensor costs four writes.
    __slots__ = ("_data", "_rg", "grad_fn", "_output_nr", "__dict__", "__weakref__")

    _grad = None  # the accumulated gradient (leaves, and non-leaves that retain_grad)
    _vc = None  # version counter: a one-element list shared with views, made on demand
    _base = None  # the tensor this one is a view of
    _hooks = None  # gradient hooks of a leaf (non-leaf hooks live on grad_fn)
    _acc = None  # weak reference to this leaf's AccumulateGrad node
    _retains_grad = False
    _inference = False  # made inside inference_mode: no in-place edits outside it

    def is_inference(self) -> bool:
        """True for tensors made inside ``inference_mode``."""
        return self._inference

    __array_priority__ = 1000  # numpy scalar (op) tensor defers to Tensor's reflected op

    def __init__(self, *args, dtype=None):
        # torch.Tensor(...) is the legacy constructor: Tensor(2, 3) is an uninitialized
        # float tensor of that shape, Tensor([1, 2]) a float tensor of those values.
        d = to_dtype(dtype) if dtype is not None else get_default_dtype()
        if len(args) == 1 and not isinstance(args[0], numbers.Integral):
            data = np.array(_unwrap_nested(args[0]), dtype=d.np)
        else:
            data = np.zeros(_sizes(args), dtype=d.np)
        _init(self, data, False)

    # ---- construction (the hot path: every op result goes through here) ----

    @classmethod
    def _make(cls, data: np.ndarray, requires_grad=False, grad_fn=None, output_nr=0):
        """Wrap an array without copying it."""
        t = _new(cls)
        t._data = data
        t._rg = requires_grad
        t.grad_fn = grad_fn
        t._output_nr = output_nr
        return t

    def _array(self) -> np.ndarray:
        """The data as an ndarray, for code that shares or writes this tensor's memory.

        A 0-d op result is kept as a NumPy scalar (``np.float32(2.0)``), because NumPy's
        arithmetic on scalars costs a tenth of that on 0-d arrays. A scalar has no
        memory to share, so a tensor holding one shares it with nothing; it becomes a
        0-d array here, before a view, an alias or an in-place write is made."""
        data = self._data
        if data.__class__ is not np.ndarray:
            data = self._data = np.array(data)
        return data

    def _counter(self) -> list:
        """The version counter, a one-element list shared with views, made on demand."""
        vc = self._vc
        if vc is None:
            vc = self._vc = [0]
        return vc

    def _bump(self) -> None:
        """Record an in-place change (saved copies of this tensor become stale)."""
        vc = self._vc
        if vc is None:
            self._vc = [1]
        else:
            vc[0] += 1

    @property
    def _version(self) -> int:
        return 0 if self._vc is None else self._vc[0]

    # ---- what a tensor is ----

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim=None):
        """The shape, or the length of dimension ``dim``.

        >>> ember.zeros(2, 3).size(-1)
        3
        """
        if dim is None:
            return Size(self._data.shape)
        if not isinstance(dim, (int, np.integer)):
            raise TypeError(f"size(): argument 'dim' (position 1) must be int, not "
                            f"{type(dim).__name__}")
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self):
        return from_numpy_dtype(self._data.dtype)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    @property
    def device(self):
        from .device import cpu

        return cpu

    is_cuda = False
    is_sparse = False
    is_quantized = False
    is_meta = False

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return False

    def stride(self, dim=None):
        """How many elements apart neighbours along each dimension are in memory."""
        data = self._data
        strides = tuple(s // data.itemsize for s in data.strides)
        return strides if dim is None else strides[_wrap_dim(dim, data.ndim)]

    def is_contiguous(self, memory_format=None) -> bool:
        return self._data.flags.c_contiguous

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user rather than by a recorded op."""
        return self.grad_fn is None

    # ---- to Python and NumPy ----

    def item(self):
        """The value of a one-element tensor as a Python number.

        >>> ember.tensor([2.5]).item()
        2.5
        """
        return self._scalar()

    def tolist(self):
        """The values as (nested lists of) Python numbers."""
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The array behind this tensor, sharing memory (no copy)."""
        if self.requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        return self._array()

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        return a if dtype is None else a.astype(dtype, copy=False)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    def _scalar(self):
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.item()

    def _python_number(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.item()

    def __float__(self) -> float:
        return float(self._python_number())

    def __int__(self) -> int:
        return int(self._python_number())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous"
                if self._data.size > 1
                else "Boolean value of Tensor with no values is ambiguous"
            )
        return bool(self._data.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError(
                "only integer tensors of a single element can be converted to an index"
            )
        return int(self._data.item())

    def __complex__(self) -> complex:
        return complex(self._python_number())

    def __format__(self, spec: str) -> str:
        # torch formats a 0-d tensor as its Python number: f"{loss}" prints 30.0.
        if self._data.ndim == 0:
            return self._data.item().__format__(spec)
        return object.__format__(self, spec)

    def __repr__(self) -> str:
        from ._printing import tensor_repr

        return tensor_repr(self)

    __str__ = __repr__

    __hash__ = object.__hash__

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data, self.requires_grad))

    # ---- autograd ----

    @property
    def data(self) -> Tensor:
        """This tensor's values as a new tensor outside the graph (shares memory)."""
        return Tensor._make(self._array())

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(
                f"Variable data has to be a tensor, but got {type(value).__name__}")
        self._data = value._array()

    @property
    def requires_grad(self) -> bool:
        """Whether gradients flow to this tensor (set it on leaves only, as torch)."""
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        _set_requires_grad(self, value)

    @property
    def grad(self):
        """The gradient ``backward()`` accumulated here (None until then)."""
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError("assigned grad expected to be a Tensor or None but got "
                                f"grad of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' "
                    f"to a tensor of size '{list(self._data.shape)}'. Please ensure that "
                    "the gradient and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_C_NAMES[value.dtype]}' "
                    f"to a tensor with grad_dtype '{_TYPE_NAMES[self.dtype][6:-6]}'. The "
                    "gradient must match the tensor's grad_dtype (defaults to the "
                    "tensor's dtype).")
            value._array()  # a gradient is written in place (zero_, optimizers)
        self._grad = value

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place; only leaves may be changed, as in torch."""
        _set_requires_grad(self, requires_grad)
        return self

    def detach(self) -> Tensor:
        """A new tensor with the same values (shared memory) and no graph."""
        t = Tensor._make(self._array())
        t._vc = self._counter()
        return t

    def detach_(self) -> Tensor:
        """Cut this tensor out of the graph, making it a leaf."""
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view "
                "is set as True, gradients are views of DDP buckets, and hence detach_() "
                "cannot be called on these gradients. To fix this error, please refer to "
                "the Optimizer.zero_grad() function in torch/optim/optimizer.py as the "
                "solution."
            )
        self.grad_fn = None
        self._rg = False
        self._output_nr = 0
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward (leaves always do)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        ref = weakref.ref(self)  # the hook must not keep the tensor alive

        def keep(grad):
            t = ref()
            if t is not None:
                g = grad if grad.requires_grad else Tensor._make(grad._data.copy())
                t.grad = g if t.grad is None else t.grad + grad

        self.grad_fn._add_tensor_hook(self._output_nr, keep)

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor
        replaces the gradient. Returns a handle whose ``remove()`` unregisters it.

        >>> x = ember.ones(2, requires_grad=True)
        >>> h = x.register_hook(lambda g: g * 2)
        >>> x.sum().backward(); x.grad
        tensor([2., 2.])
        """
        if not self.requires_grad:
            raise RuntimeError(
                "cannot register a hook on a tensor that doesn't require gradient"
            )
        if self.grad_fn is not None:
            return self.grad_fn._add_tensor_hook(self._output_nr, hook)
        if self._hooks is None:
            self._hooks = []
        return _Handle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(tensor)`` after a gradient has been added into this leaf's
        ``.grad`` (an optimizer can step right there). Returns a removable handle."""
        if self.grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors")
        if not self.requires_grad:
            raise RuntimeError(
                "cannot register a hook on a tensor that doesn't require gradient")
        if "_post_acc_hooks" not in self.__dict__:
            self._post_acc_hooks = []
        return _Handle(self._post_acc_hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor with respect to the graph's leaves and
        add it into their ``.grad``.

        A non-scalar tensor needs ``gradient`` (the vector of the vector-Jacobian
        product). The graph's saved tensors are freed unless ``retain_graph=True``.
        """
        if gradient is None and inputs is None:  # (the usual call, straight to the walk)
            _engine._run((self,), (None,), create_graph if retain_graph is None else
                         retain_graph, create_graph, None)
        else:
            _engine.backward((self,), None if gradient is None else (gradient,),
                             retain_graph, create_graph, inputs)

    # ---- conversion ----

    def to(self, *args, **kwargs) -> Tensor:
        """Convert dtype (``to(ember.float64)``, ``to(other)``); devices other than the
        CPU are not in ember yet."""
        dtype = kwargs.pop("dtype", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        device = kwargs.pop("device", None)
        if kwargs:
            raise TypeError(f"to() got unexpected keyword arguments {sorted(kwargs)}")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, _dtype.dtype):
                dtype = a
            else:
                device = a
        if device is not None:
            from .device import device as _device

            _device(device)  # raises for devices ember does not have
        if dtype is None or to_dtype(dtype).np == self._data.dtype:
            return self.clone() if copy else self
        from .ops.pointwise import ToCopy

        return ToCopy.apply(self, dtype=to_dtype(dtype))

    def type(self, dtype=None):
        if dtype is None:
            return _TYPE_NAMES[self.dtype]
        if isinstance(dtype, str):
            names = {v: k for k, v in _TYPE_NAMES.items()}
            if dtype not in names:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = names[dtype]
        return self.to(dtype)

    def type_as(self, other: Tensor) -> Tensor:
        return self.to(other.dtype)

    def float(self):
        return self.to(_dtype.float32)

    def double(self):
        return self.to(_dtype.float64)

    def half(self):
        return self.to(_dtype.float16)

    def int(self):
        return self.to(_dtype.int32)

    def long(self):
        return self.to(_dtype.int64)

    def short(self):
        return self.to(_dtype.int16)

    def char(self):
        return self.to(_dtype.int8)

    def byte(self):
        return self.to(_dtype.uint8)

    def bool(self):
        return self.to(_dtype.bool)

    def cpu(self):
        return self

    def new_tensor(self, data, dtype=None, requires_grad=False):
        from ._creation import tensor

        return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def _new(self, fn, size, dtype, requires_grad, **kw):
        t = Tensor._make(fn(_sizes(size), dtype=to_dtype(dtype or self.dtype).np, **kw))
        return _set_requires_grad(t, requires_grad)

    def new_zeros(self, *size, dtype=None, requires_grad=False, device=None):
        return self._new(np.zeros, size, dtype, requires_grad)

    def new_ones(self, *size, dtype=None, requires_grad=False, device=None):
        return self._new(np.ones, size, dtype, requires_grad)

    def new_empty(self, *size, dtype=None, requires_grad=False, device=None):
        return self._new(np.zeros, size, dtype, requires_grad)

    def new_full(self, size, fill_value, dtype=None, requires_grad=False, device=None):
        return self._new(np.full, (size,), dtype, requires_grad, fill_value=fill_value)


_C_NAMES = {  # the C type names torch's messages use
    _dtype.float16: "c10::Half", _dtype.float32: "float", _dtype.float64: "double",
    _dtype.int8: "signed char", _dtype.int16: "short", _dtype.int32: "int",
    _dtype.int64: "long", _dtype.uint8: "unsigned char", _dtype.bool: "bool",
}

_TYPE_NAMES = {
    _dtype.float16: "torch.HalfTensor", _dtype.float32: "torch.FloatTensor",
    _dtype.float64: "torch.DoubleTensor", _dtype.int8: "torch.CharTensor",
    _dtype.int16: "torch.ShortTensor", _dtype.int32: "torch.IntTensor",
    _dtype.int64: "torch.LongTensor", _dtype.uint8: "torch.ByteTensor",
    _dtype.bool: "torch.BoolTensor",
}


def _init(t: Tensor, data: np.ndarray, requires_grad: bool) -> None:
    t._data = data
    t._rg = requires_grad
    t.grad_fn = None
    t._output_nr = 0


_new = object.__new__


def _rebuild(data, requires_grad):
    return Tensor._make(data, requires_grad)


def _set_requires_grad(t: Tensor, requires_grad) -> Tensor:
    """Set ``requires_grad`` on a leaf, with torch's checks."""
    if t.grad_fn is not None:
        if requires_grad:
            return t
        raise RuntimeError(
            "you can only change requires_grad flags of leaf variables. If you want to "
            "use a computed variable in a subgraph that doesn't require differentiation "
            "use var_no_grad = var.detach()."
        )
    if requires_grad and t._data.dtype.kind != "f":
        raise RuntimeError(
            "only Tensors of floating point and complex dtype can require gradients "
            f"(got {t.dtype})"
        )
    if requires_grad:
        t._array()  # a leaf that learns is written in place (optimizers)
    t._rg = bool(requires_grad)
    return t


class _Handle:
    """What ``register_hook`` returns: ``remove()`` takes the hook out again."""

    __slots__ = ("_hooks", "_hook")

    def __init__(self, hooks: list, hook):
        hooks.append(hook)
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _wrap_dim(dim: int, ndim: int) -> int:
    """A dimension index in ``[0, ndim)``, with torch's IndexError for one out of range."""
    n = max(ndim, 1)  # a 0-d tensor accepts dim 0 and -1, as torch
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
            f"but got {dim})"
        )
    return dim + n if dim < 0 else dim


def _sizes(args) -> tuple:
    """Sizes given torch's ways: ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])``, ``f(Size)``."""
    if len(args) == 1 and not isinstance(args[0], (numbers.Integral, Tensor)):
        args = args[0]
    try:
        sizes = tuple(int(s.__index__()) for s in args)
    except (AttributeError, TypeError):
        raise TypeError(
            f"size must be a sequence of ints, but got {args!r}"
        ) from None
    for s in sizes:
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(sizes)}"
            )
    return sizes


def _unwrap_nested(data):
    """Replace tensors inside (nested) lists by their arrays, so NumPy can stack them."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_unwrap_nested(d) for d in data]
    return data


def is_tensor(obj) -> bool:
    """True when ``obj`` is an ember Tensor."""
    return isinstance(obj, Tensor)


# The backward walk works on Tensors, so it is imported once Tensor exists.
from .autograd import engine as _engine  # noqa: E402
