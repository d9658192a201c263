"""In-place array updates that round as torch's CPU kernels round.

An optimizer step is a chain of small tensor ops (``add_(g, alpha=)``, ``addcmul_``,
``lerp_``...). Each rounds in a particular way in torch, and a float32 parameter only
ends up on torch's bits after many steps when every link rounds the same way:

* a Python number meets a float32 tensor as a float32 number (``s`` below);
* ``add(x, alpha=a)``, ``addcmul`` and ``lerp`` use a fused multiply-add (one rounding
  for ``a * b + c``): NumPy has no fma, but a float32 product is exact in float64, so
  computing ``a * b + c`` in float64 and rounding once to float32 gives the same bits;
* ``addcdiv(t, a, b, value=v)`` is ``t + (v * a) / b``, rounded after each operation.

float64 parameters have no wider type to borrow, so there the fma rounds twice (an
ulp now and then, far below any test tolerance).
"""

from __future__ import annotations

import numpy as np

# NumPy ufuncs return a scalar, not an array, for 0-d inputs; these helpers write into a
# new array, so 0-d parameters stay arrays that the in-place updates can target.

def neg(a: np.ndarray) -> np.ndarray:
    """``-a`` as a new array."""
    return np.negative(a, out=np.empty_like(a))


def sqrt(a: np.ndarray) -> np.ndarray:
    """``a.sqrt()`` as a new array."""
    return np.sqrt(a, out=np.empty_like(a))


def s(x, a: np.ndarray):
    """The Python number ``x`` as the number type ``a``'s kernels compute in."""
    return np.float64(x) if a.dtype.char == "d" else np.float32(x)


def fma(a, b, c, out: np.ndarray) -> np.ndarray:
    """``out = a * b + c``, rounded once for float32 (float16: computed wide as well)."""
    if out.dtype.char == "d":
        return np.add(np.multiply(a, b), c, out=out)
    wide = np.multiply(a, b, dtype=np.float64)
    wide += c
    out[...] = wide  # rounded once to out's type
    return out


def add_(t: np.ndarray, other, alpha=1.0) -> np.ndarray:
    """``t.add_(other, alpha=alpha)``."""
    if alpha == 1:
        return np.add(t, other, out=t)
    return fma(other, s(alpha, t), t, out=t)


def added(t: np.ndarray, other, alpha=1.0) -> np.ndarray:
    """``t.add(other, alpha=alpha)``: a new array."""
    return add_(t.copy(), other, alpha)


def mul_(t: np.ndarray, x) -> np.ndarray:
    """``t.mul_(x)`` for a Python number ``x``."""
    return np.multiply(t, s(x, t), out=t)


def addcmul_(t: np.ndarray, a, b, value=1.0) -> np.ndarray:
    """``t.addcmul_(a, b, value=value)``: ``t + value * a * b``, as ``fma(value * a, b, t)``."""
    if value != 1:
        a = a * s(value, t)
    return fma(a, b, t, out=t)


def addcdiv_(t: np.ndarray, a, b, value=1.0) -> np.ndarray:
    """``t.addcdiv_(a, b, value=value)``: ``t + (value * a) / b``."""
    if value != 1:
        a = a * s(value, t)
    return np.add(t, np.divide(a, b), out=t)


def lerp_(t: np.ndarray, end, weight) -> np.ndarray:
    """``t.lerp_(end, weight)`` for a number weight: from the nearer end, as torch."""
    w = s(weight, t)
    diff = end - t
    if abs(w) < 0.5:
        return fma(w, diff, t, out=t)
    return fma(w - 1, diff, end, out=t)
