"""Parameter and Buffer: the tensors a Module registers when they are assigned to it."""

from __future__ import annotations

from .._creation import empty
from .._tensor import Tensor, _set_requires_grad

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    """A tensor that is a module's parameter: assigned as a Module attribute, it appears
    in ``parameters()``. It requires grad by default and shares memory with ``data``.

    >>> p = ember.nn.Parameter(ember.ones(2))
    >>> p
    Parameter containing:
    tensor([1., 1.], requires_grad=True)
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = empty(0)
        p = cls._make(data._array())
        p._vc = data._counter()  # same memory, so the same version counter
        return _set_requires_grad(p, requires_grad)

    def __init__(self, data=None, requires_grad=True):
        pass  # all done in __new__ (Tensor.__init__ is the legacy constructor)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(Tensor._make(self._data.copy()), self.requires_grad)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self._data, self.requires_grad))


def _rebuild_parameter(data, requires_grad):
    return Parameter(Tensor._make(data), requires_grad)


class _BufferMeta(type):
    # ``Buffer(...)`` returns a plain tensor marked as a buffer; isinstance checks the mark.
    def __instancecheck__(cls, instance) -> bool:
        return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)


class Buffer(metaclass=_BufferMeta):
    """A tensor to be registered as a module buffer when assigned to a Module
    attribute (``self.running_mean = nn.Buffer(ember.zeros(3))``); ``persistent=False``
    keeps it out of ``state_dict``."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = empty(0)
        t = data.detach()
        t.requires_grad = data.requires_grad
        t.persistent = persistent
        t._is_buffer = True
        return t
