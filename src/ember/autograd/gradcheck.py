"""Finite-difference gradient checks in float64: the oracle where torch can't answer.

``gradcheck(fn, inputs)`` compares, for every input that requires grad, the Jacobian
that backward computes (one vector-Jacobian product per output element) with central
differences ``(f(x + eps) - f(x - eps)) / 2 eps``. ``gradgradcheck`` does the same for
the gradient itself, through ``create_graph=True``.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from .engine import grad as _grad

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck when analytical and numerical gradients disagree."""


def _outputs(fn, inputs) -> tuple:
    out = fn(*inputs)
    return out if isinstance(out, tuple) else (out,)


def _numerical(fn, inputs, i, out_index, eps) -> np.ndarray:
    """d(output)/d(input i) by central differences, shape (input.numel, output.numel)."""
    x = inputs[i]
    flat = x._data.reshape(-1)  # a view: perturbing it perturbs the input
    cols = []
    for k in range(flat.size):
        old = flat[k]
        # Grad mode stays on: fn may itself take gradients (gradgradcheck's does).
        flat[k] = old + eps
        plus = _outputs(fn, inputs)[out_index]._data.astype(np.float64).ravel()
        flat[k] = old - eps
        minus = _outputs(fn, inputs)[out_index]._data.astype(np.float64).ravel()
        flat[k] = old
        cols.append((plus - minus) / (2 * eps))
    n_out = _outputs(fn, inputs)[out_index]._data.size
    return np.array(cols).reshape(flat.size, n_out)


def _analytical(fn, inputs, i, out_index) -> np.ndarray:
    out = _outputs(fn, inputs)[out_index]
    if not out.requires_grad:  # a constant output: its Jacobian is zero
        return np.zeros((inputs[i]._data.size, out._data.size))
    rows = []
    for k in range(out._data.size):
        v = np.zeros(out._data.size, dtype=out._data.dtype)
        v[k] = 1
        (g,) = _grad(out, inputs[i], Tensor._make(v.reshape(out._data.shape)),
                     retain_graph=True, allow_unused=True, materialize_grads=True)
        rows.append(g._data.astype(np.float64).ravel())
    return np.array(rows).reshape(out._data.size, inputs[i]._data.size).T


def gradcheck(fn, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              **unused) -> bool:
    """Check ``fn``'s gradients at ``inputs`` (float64 tensors) against finite
    differences.

    >>> x = ember.randn(3, dtype=ember.float64, requires_grad=True)
    >>> ember.autograd.gradcheck(lambda x: (x * x).sum(), (x,))
    True
    """
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    n_out = len(_outputs(fn, inputs))
    for i, x in enumerate(inputs):
        if not (isinstance(x, Tensor) and x.requires_grad):
            continue
        if x._data.dtype != np.float64:
            raise ValueError("gradcheck needs float64 inputs: float32 differences are "
                             "too coarse to compare")
        for o in range(n_out):
            num = _numerical(fn, inputs, i, o, eps)
            ana = _analytical(fn, inputs, i, o)
            if not np.allclose(ana, num, atol=atol, rtol=rtol):
                if not raise_exception:
                    return False
                raise GradcheckError(
                    f"Jacobian mismatch for output {o} with respect to input {i},\n"
                    f"numerical:{num}\nanalytical:{ana}\n"
                )
    return True


def gradgradcheck(fn, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, **unused) -> bool:
    """Check second derivatives: gradcheck of ``x -> d<fn(x), v>/dx`` for a fixed
    random ``v``."""
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    outs = _outputs(fn, inputs)
    rng = np.random.default_rng(0)
    if grad_outputs is None:
        grad_outputs = tuple(Tensor._make(rng.standard_normal(o._data.shape)) for o in outs)
    diff = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]

    def first_grads(*xs):
        out = _outputs(fn, xs)
        keep = [(o, g) for o, g in zip(out, grad_outputs) if o.requires_grad]
        used = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
        return _grad([o for o, _ in keep], used, [g for _, g in keep], create_graph=True,
                     allow_unused=True, materialize_grads=True)

    return gradcheck(first_grads, inputs if diff else (), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
