"""ember.autograd.functional: derivatives of whole functions, as torch's.

``vjp`` and ``vhp`` are reverse mode directly; ``jvp`` and ``hvp`` use the
double-vjp trick (the vjp is linear in its vector ``u``, so differentiating
``<vjp(u), v>`` with respect to ``u`` gives ``J v``); ``jacobian`` takes one vjp per
output element, and ``hessian`` is the jacobian of the gradient. Inputs and outputs
keep torch's structure: a lone tensor stays a tensor, a tuple stays a tuple.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .engine import grad as _grad
from .grad_mode import enable_grad

__all__ = ["vjp", "jvp", "vhp", "hvp", "jacobian", "hessian"]


def _as_tuple(x, arg: str, fn: str):
    if isinstance(x, tuple):
        items, was_tuple = x, True
    elif isinstance(x, list):
        items, was_tuple = tuple(x), True
    else:
        items, was_tuple = (x,), False
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            where = f"The {arg} given to {fn}" if not was_tuple else \
                f"Entry {i} in the {arg} given to {fn}"
            raise TypeError(f"{where} must be either a Tensor or a tuple of Tensors but "
                            f"the value at index {i} has type {type(t)}.")
    return items, was_tuple


def _untuple(items, was_tuple):
    return tuple(items) if was_tuple else items[0]


def _grad_inputs(inputs, create_graph):
    """Fresh leaves (or, with create_graph, graph-connected copies) to differentiate at."""
    return tuple(x if create_graph and x.requires_grad else x.detach().requires_grad_(
        x.is_floating_point()) for x in inputs)


def _outputs(func, inputs, fn):
    out, was_tuple = _as_tuple(func(*inputs), "outputs of the user-provided function", fn)
    return out, was_tuple


def _vjp_core(outputs, inputs, v, create_graph, strict, fn):
    grads = _grad(outputs, inputs, v, create_graph=True, allow_unused=True,
                  retain_graph=True)
    result = []
    for i, (x, g) in enumerate(zip(inputs, grads)):
        if g is None:
            if strict:
                raise RuntimeError(
                    f"The output of the user-provided function is independent of input {i}."
                    " This is not allowed in strict mode.")
            g = Tensor._make(np.zeros_like(x._data))
        result.append(g if create_graph else g.detach())
    return result


def _check_v(v, outputs, fn, what="outputs"):
    if v is None:
        if len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the user-provided function returns a "
                "single Tensor with a single element.")
        return (Tensor._make(np.ones_like(outputs[0]._data)),)
    v, _ = _as_tuple(v, "v", fn)
    if len(v) != len(outputs):
        raise RuntimeError(f"v is a tuple of invalid length: should be {len(outputs)} but "
                           f"got {len(v)}.")
    for i, (a, b) in enumerate(zip(v, outputs)):
        if a.shape != b.shape:
            raise RuntimeError(f"Entry {i} in v has invalid size: should be {b.shape} but "
                               f"got {a.shape}.")
    return v


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T J)``: the vector-Jacobian product at ``inputs``.

    >>> ember.autograd.functional.vjp(lambda x: x ** 2, ember.tensor([1., 2.]),
    ...                               ember.tensor([1., 1.]))
    (tensor([1., 4.]), tensor([2., 4.]))
    """
    with enable_grad():
        inputs, in_tuple = _as_tuple(inputs, "inputs", "vjp")
        xs = _grad_inputs(inputs, create_graph)
        outputs, out_tuple = _outputs(func, xs, "vjp")
        v = _check_v(v, outputs, "vjp")
        result = _vjp_core(outputs, xs, v, create_graph, strict, "vjp")
    outs = tuple(o if create_graph else o.detach() for o in outputs)
    return _untuple(outs, out_tuple), _untuple(result, in_tuple)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), J v)``: the Jacobian-vector product, by the double-vjp trick."""
    with enable_grad():
        inputs, in_tuple = _as_tuple(inputs, "inputs", "jvp")
        xs = _grad_inputs(inputs, create_graph)
        if v is None:
            if len(xs) != 1 or xs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the input to the "
                                   "user-provided function is a single Tensor with a "
                                   "single element.")
            v = (Tensor._make(np.ones_like(xs[0]._data)),)
        else:
            v, _ = _as_tuple(v, "v", "jvp")
        outputs, out_tuple = _outputs(func, xs, "jvp")
        us = tuple(Tensor._make(np.zeros_like(o._data)).requires_grad_() for o in outputs)
        live = [(o, u) for o, u in zip(outputs, us) if o.requires_grad]
        g = _grad([o for o, _ in live], xs, [u for _, u in live], create_graph=True,
                  allow_unused=True) if live else (None,) * len(xs)
        total = None
        for gi, vi in zip(g, v):
            if gi is not None:
                term = (gi * vi).sum()
                total = term if total is None else total + term
        jv = (None,) * len(us)
        if total is not None and total.requires_grad:
            jv = _grad(total, us, create_graph=create_graph, allow_unused=True)
        result = []
        for i, (o, r) in enumerate(zip(outputs, jv)):
            if r is None:
                if strict:
                    raise RuntimeError(f"The output {i} of the user-provided function is "
                                       "independent of the inputs. This is not allowed in "
                                       "strict mode.")
                r = Tensor._make(np.zeros_like(o._data))
            result.append(r if create_graph else r.detach())
    outs = tuple(o if create_graph else o.detach() for o in outputs)
    return _untuple(outs, out_tuple), _untuple(result, out_tuple)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False,
             strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: for one input and one output a tensor of
    shape ``output.shape + input.shape``; tuples of them otherwise, as torch."""
    with enable_grad():
        inputs, in_tuple = _as_tuple(inputs, "inputs", "jacobian")
        xs = _grad_inputs(inputs, create_graph)
        outputs, out_tuple = _outputs(func, xs, "jacobian")
        table = []
        for i, out in enumerate(outputs):
            rows = [[] for _ in xs]
            flat = out.reshape(-1)
            for k in range(flat.numel()):
                grads = _grad(flat[k], xs, retain_graph=True, create_graph=create_graph,
                              allow_unused=True)
                for j, (x, g) in enumerate(zip(xs, grads)):
                    if g is None:
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is independent "
                                f"of input {j}. This is not allowed in strict mode.")
                        g = Tensor._make(np.zeros_like(x._data))
                    rows[j].append(g if create_graph else g.detach())
            per_input = []
            for j, x in enumerate(xs):
                if rows[j]:
                    from .. import stack
                    from ..ops.shape import reshape

                    jac = reshape(stack(rows[j]), tuple(out.shape) + tuple(x.shape))
                else:
                    jac = Tensor._make(np.zeros(tuple(out.shape) + tuple(x.shape),
                                                dtype=x._data.dtype))
                per_input.append(jac)
            table.append(_untuple(per_input, in_tuple))
    return _untuple(table, out_tuple)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar ``func``: ``input.shape + input.shape`` for one input,
    a tuple of tuples for several."""
    inputs_t, in_tuple = _as_tuple(inputs, "inputs", "hessian")

    def gradient(*xs):
        out, _ = _outputs(func, xs, "hessian")
        if len(out) != 1 or out[0].numel() != 1:
            raise RuntimeError("The function given to hessian should return a single "
                               "Tensor with a single element")
        grads = _grad(out[0], xs, create_graph=True, allow_unused=True)
        grads = tuple(g if g is not None else x * 0 for x, g in zip(xs, grads))
        return grads if in_tuple else grads[0]

    return jacobian(gradient, inputs_t if in_tuple else inputs_t[0], create_graph, strict)


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), v^T H)`` for a scalar ``func``."""
    with enable_grad():
        inputs, in_tuple = _as_tuple(inputs, "inputs", "vhp")
        xs = _grad_inputs(inputs, True)
        outputs, _ = _outputs(func, xs, "vhp")
        if len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError("The function given to vhp should return a single Tensor "
                               "with a single element")
        v, _ = _as_tuple(v, "v", "vhp") if v is not None else (
            (Tensor._make(np.ones_like(xs[0]._data)),), False)
        grads = _grad(outputs[0], xs, create_graph=True, allow_unused=True)
        pairs = [(g, vi) for g, vi in zip(grads, v) if g is not None and g.requires_grad]
        if pairs:
            total = sum(((g * vi).sum() for g, vi in pairs[1:]), (pairs[0][0] * pairs[0][1]).sum())
            res = _grad(total, xs, create_graph=create_graph, allow_unused=True)
        else:
            res = (None,) * len(xs)
        res = [(r if create_graph else r.detach()) if r is not None else
               Tensor._make(np.zeros_like(x._data)) for x, r in zip(xs, res)]
    out = outputs[0] if create_graph else outputs[0].detach()
    return out, _untuple(res, in_tuple)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """``(func(inputs), H v)``; the Hessian is symmetric, so this equals vhp."""
    return vhp(func, inputs, v, create_graph, strict)
