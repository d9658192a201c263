"""ember.autograd.graph: hooks on the tensors saved for backward.

Inside ``saved_tensors_hooks(pack, unpack)``, every tensor an op saves for backward is
passed to ``pack`` and what it returns is kept instead; backward gets the tensor back
from ``unpack``. That is how saved activations can be offloaded, compressed or
recomputed (``ember.utils.checkpoint`` is built the same way).
"""

from __future__ import annotations

import contextvars

__all__ = ["saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks"]


class _Hooks:
    """The active ``(pack, unpack)`` pairs, innermost last: per thread and per asyncio
    task, as grad mode (``stack`` is a tuple, set as a whole)."""

    _stack = contextvars.ContextVar("ember.saved_tensors_hooks", default=())
    stack = property(lambda self: self._stack.get(),
                     lambda self, value: self._stack.set(value))


hooks = _Hooks()


class saved_tensors_hooks:
    """Context manager: ``pack_hook(tensor) -> obj`` runs when an op saves a tensor,
    ``unpack_hook(obj) -> tensor`` when backward needs it.

    >>> with ember.autograd.graph.saved_tensors_hooks(lambda t: t * 1, lambda t: t):
    ...     y = ember.ones(2, requires_grad=True).exp()
    """

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self):
        hooks.stack += ((self.pack_hook, self.unpack_hook),)
        _refresh()
        return self

    def __exit__(self, *exc):
        hooks.stack = hooks.stack[:-1]
        _refresh()
        return False


class save_on_cpu(saved_tensors_hooks):
    """Keep saved tensors on the CPU: ember's tensors already live there."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        super().__init__(lambda t: t, lambda t: t)


class disable_saved_tensors_hooks:
    """Context manager in which saved-tensor hooks are not allowed."""

    def __init__(self, error_message="saved tensors default hooks are disabled"):
        self.error_message = error_message

    def __enter__(self):
        self._prev = hooks.stack
        hooks.stack = ((self._refuse, self._refuse),)
        _refresh()

    def __exit__(self, *exc):
        hooks.stack = self._prev
        _refresh()

    def _refuse(self, *args):
        raise RuntimeError(self.error_message)


def _refresh() -> None:
    """Saved-tensor hooks take the general recording path: update grad mode's summary."""
    from .grad_mode import state

    state.set(state.enabled, state.inference)


def __getattr__(name):
    if name == "Node":
        from .function import Node

        return Node
    raise AttributeError(name)
