"""Grad mode: whether ops record the graph. A flag of each thread, on in every new one.

It is kept in context variables: per thread, as torch's, and per asyncio task (a
``no_grad`` in one task does not reach the others). A context variable is read in a
third of the time of a ``threading.local`` attribute, and every op reads it.

Each of the context managers below saves the flag, sets it, and restores it on exit;
each also works as a decorator, as torch's do.
"""

from __future__ import annotations

import contextvars
import functools

from . import graph as _graph

__all__ = [
    "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
    "is_inference_mode_enabled",
]


_flags = contextvars.ContextVar("ember.grad_mode", default=(True, False))
_mode = contextvars.ContextVar("ember.grad_mode.mode", default=1)
mode = _mode.get
"""``mode()``: what the hot paths read, once per op: 1 grad mode on and no saved-tensor
hooks (record directly), 0 grad mode off, -1 anything else (inference mode,
saved-tensor hooks: take the general path)."""


def _set(enabled: bool, inference: bool = False) -> None:
    """Set grad mode's flags and their summary together; nothing else writes them."""
    _flags.set((enabled, inference))
    _mode.set(-1 if inference else 0 if not enabled else -1 if _graph.hooks.stack else 1)


class _State:
    """Grad mode's flags, ``enabled`` and ``inference``, and their summary ``mode``
    (see ``mode()``), read as attributes; ``set`` is ``_set``."""

    enabled = property(lambda self: _flags.get()[0])
    inference = property(lambda self: _flags.get()[1])
    mode = property(lambda self: _mode.get())
    set = staticmethod(_set)


state = _State()


def is_grad_enabled() -> bool:
    """True when ops record the graph for backward (the default)."""
    return state.enabled


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()``."""
    return state.inference


class _GradMode:
    """Base of the grad-mode context managers: set on enter, restore on exit, decorate."""

    mode = True

    def __enter__(self):
        self._prev = prev = _flags.get()  # (enabled, inference)
        _set(self.mode, prev[1])

    def __exit__(self, *exc):
        _set(self._prev[0], _flags.get()[1])
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__.clone(self):
                return fn(*args, **kwargs)

        return wrapper

    def clone(self):
        return self.__class__()


class _NoParamGradMode(_GradMode):
    """A grad mode that can also decorate without parentheses: ``@ember.no_grad``."""

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        return self if orig_func is None else self(orig_func)


class no_grad(_NoParamGradMode):
    """Turn graph recording off: results of ops have ``requires_grad=False``.

    >>> x = ember.ones(2, requires_grad=True)
    >>> with ember.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    mode = False


class enable_grad(_NoParamGradMode):
    """Turn graph recording back on inside a ``no_grad`` block.

    >>> with ember.no_grad(), ember.enable_grad():
    ...     y = ember.ones(2, requires_grad=True) * 2
    >>> y.requires_grad
    True
    """

    mode = True


class set_grad_enabled(_GradMode):
    """Set grad mode to ``mode``; takes effect at once, and as a context manager it is
    restored on exit.

    >>> _ = ember.set_grad_enabled(False)
    >>> ember.is_grad_enabled()
    False
    >>> _ = ember.set_grad_enabled(True)
    """

    def __init__(self, mode: bool):
        self._prev = prev = _flags.get()
        self.mode = bool(mode)
        _set(self.mode, prev[1])

    def __enter__(self):
        pass

    def clone(self):
        return set_grad_enabled(self.mode)


class inference_mode(_GradMode):
    """Like ``no_grad``, for code that will never need gradients. ``mode=False`` turns
    inference mode off and grad mode on inside it, as torch's.

    >>> with ember.inference_mode():
    ...     y = ember.ones(2, requires_grad=True) * 2
    >>> y.requires_grad
    False
    """

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):  # bare decorator: @ember.inference_mode
            self.__init__()
            return self(mode)
        return self

    def __init__(self, mode: bool = True):
        self.mode = not mode
        self._inference = bool(mode)

    def __enter__(self):
        self._prev = _flags.get()
        # inference_mode(False) turns inference mode off and grad mode on, as torch's
        _set(self.mode, self._inference)

    def __exit__(self, *exc):
        _set(*self._prev)
        return False

    def clone(self):
        return inference_mode(self._inference)
