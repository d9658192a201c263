"""Forward-mode AD: tensors that carry a tangent through every op.

    with fwAD.dual_level():
        x = fwAD.make_dual(primal, tangent)
        y = f(x)
        jvp = fwAD.unpack_dual(y).tangent        # J(primal) @ tangent

Every op propagates tangents by one rule, derived from its backward (so every op
that has a double backward has a JVP): the vjp ``u -> J^T u`` is linear in ``u``, so
the gradient of ``<J^T u, t>`` with respect to ``u`` is ``J t``. An op may instead
define ``jvp(primals, outputs, tangents, **settings)`` next to its backward, in ember
ops: decompositions whose outputs have a gauge (svd, eigh) need one, since their
backward is only valid for gauge-invariant uses.
"""

from __future__ import annotations

import weakref
from collections import namedtuple

import numpy as np

from .._tensor import Tensor

__all__ = ["dual_level", "make_dual", "unpack_dual", "UnpackedDualTensor",
           "enter_dual_level", "exit_dual_level"]

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])


class _State:
    def __init__(self):
        # (instance attributes, not class ones: every op reads ``level``, and Python
        # reads an instance's own attribute faster)
        self.level = -1  # -1: no dual level is active
        # Tensors with tangents, cleared on exit: {id: weakref}. (Not a WeakSet: it
        # compares members with ==, which is elementwise for tensors.)
        self.duals: dict | None = None
        self.busy = False  # inside a tangent computation (its ops must not propagate)


state = _State()


def enter_dual_level() -> int:
    if state.level >= 0:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    state.level, state.duals = 0, {}
    return 0


def exit_dual_level(*, level=None) -> None:
    for ref in list((state.duals or {}).values()):
        t = ref()
        if t is not None:
            t.__dict__.pop("_fw_grad", None)
    state.level, state.duals = -1, None


class dual_level:
    """Context manager in which dual tensors carry their tangents."""

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()


def _set_tangent(t: Tensor, tangent: Tensor) -> None:
    t._fw_grad = tangent
    state.duals[id(t)] = weakref.ref(t)


def make_dual(tensor: Tensor, tangent: Tensor, *, level=None) -> Tensor:
    """A tensor with the values of ``tensor`` carrying ``tangent``."""
    if state.level < 0:
        raise RuntimeError("make_dual can only be used inside a dual_level context")
    if tangent.shape != tensor.shape:
        raise RuntimeError(f"Trying to set a forward gradient that has a different size "
                           f"than that of the original Tensor, this is not supported. "
                           f"Tensor is of size {tensor.shape} while the given forward "
                           f"gradient is of size {tangent.shape}.")
    if not tensor.is_floating_point():
        raise ValueError(f"Expected primal to be floating point or complex, but got: "
                         f"{tensor.dtype}")
    dual = tensor.view_as(tensor) if tensor.requires_grad else tensor.detach()
    _set_tangent(dual, tangent.detach().to(tensor.dtype))
    return dual


def unpack_dual(tensor: Tensor, *, level=None) -> UnpackedDualTensor:
    """``(primal, tangent)`` of a dual tensor; the tangent is None for others."""
    tangent = tensor.__dict__.get("_fw_grad") if state.level >= 0 else None
    if tangent is None:
        return UnpackedDualTensor(tensor, None)
    primal = tensor.view_as(tensor) if tensor.requires_grad else tensor.detach()
    return UnpackedDualTensor(primal, tangent)


def propagate(cls, inputs, params, outs) -> None:
    """Give the outputs of ``cls.apply(*inputs)`` their tangents (called by apply)."""
    tangents = [x.__dict__.get("_fw_grad") if isinstance(x, Tensor) else None
                for x in inputs]
    if all(t is None for t in tangents) or state.busy:
        return
    from .engine import grad
    from .grad_mode import enable_grad

    rule = getattr(cls, "jvp", None)
    if rule is not None:  # the op's own forward-mode rule, in ember ops
        state.busy = True
        try:
            prims = tuple(Tensor._make(x._data) if isinstance(x, Tensor) else x
                          for x in inputs)
            plain = tuple(Tensor._make(o._data) for o in outs)
            ts = tuple(t if t is not None or not isinstance(x, Tensor)
                       else Tensor._make(np.zeros_like(x._data))
                       for x, t in zip(inputs, tangents))
            from .grad_mode import no_grad

            with no_grad():
                result = rule(prims, plain, ts, **params)
        finally:
            state.busy = False
        result = result if isinstance(result, tuple) else (result,)
        for out, t in zip(outs, result):
            if t is not None and out._data.dtype.kind == "f":
                _set_tangent(out, t)
        return
    state.busy = True
    try:
        with enable_grad():
            xs = [Tensor._make(x._data, x._data.dtype.kind == "f")
                  if isinstance(x, Tensor) else x for x in inputs]
            ys = cls.apply(*xs, **params)
            ys = ys if isinstance(ys, tuple) else (ys,)
            diff = [(y, o) for y, o in zip(ys, outs) if y.requires_grad]
            us = [Tensor._make(np.zeros_like(y._data), True) for y, _ in diff]
            pairs = [(x, t) for x, t in zip(xs, tangents) if t is not None]
            if not diff:
                return
            gs = grad([y for y, _ in diff], [x for x, _ in pairs], us, create_graph=True,
                      allow_unused=True)
            total = None
            for g, (_, t) in zip(gs, pairs):
                if g is not None:
                    term = (g * t).sum()
                    total = term if total is None else total + term
            jv = grad(total, us, allow_unused=True) if total is not None and \
                total.requires_grad else [None] * len(us)
        for (_, out), t in zip(diff, jv):
            _set_tangent(out, t.detach() if t is not None else
                         Tensor._make(np.zeros_like(out._data)))
    finally:
        state.busy = False
