"""Gradient clipping: rescale (by the total norm) or clamp the ``.grad`` of parameters."""

from __future__ import annotations

import math

import numpy as np

from ..._creation import tensor as _tensor
from ..._tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(parameters) -> list:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _vector_norm(a: np.ndarray, p: float) -> np.ndarray:
    """The p-norm of all of ``a``, in ``a``'s dtype."""
    a = np.abs(a)
    if p == math.inf:
        return np.max(a) if a.size else np.zeros((), a.dtype)
    if p == 2:
        return np.sqrt(np.sum(a * a))
    if p == 1:
        return np.sum(a)
    return np.sum(a**p) ** (1 / p)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None) -> Tensor:
    """Scale the gradients in place so that their joint ``norm_type``-norm (the norm of
    the per-tensor norms) is at most ``max_norm``; returns that norm before clipping.

    >>> w = ember.nn.Parameter(ember.ones(4)); w.grad = ember.full((4,), 3.0)
    >>> ember.nn.utils.clip_grad_norm_([w], 1.0)
    tensor(6.)
    >>> w.grad
    tensor([0.5000, 0.5000, 0.5000, 0.5000])
    """
    grads = _grads(parameters)
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not grads:
        return _tensor(0.0)
    norms = np.stack([_vector_norm(g._data, norm_type) for g in grads])
    total = _vector_norm(norms, norm_type)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    # the coefficient in the norm's dtype, as torch computes it
    coef = np.minimum(np.asarray(max_norm, total.dtype) / (total + total.dtype.type(1e-6)),
                      total.dtype.type(1.0))
    with np.errstate(invalid="ignore"):  # an inf norm gives nan gradients, as torch
        for g in grads:
            np.multiply(g._data, coef.astype(g._data.dtype), out=g._data)
            g._bump()
    return Tensor._make(np.asarray(total))


def clip_grad_value_(parameters, clip_value, foreach=None) -> None:
    """Clamp every gradient in place to ``[-clip_value, clip_value]``."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        g._bump()
