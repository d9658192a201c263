"""Matrix products: ``matmul`` (``@``) and its named special cases.

For ``c = a @ b`` on matrices, ``dL/da = g @ b^T`` and ``dL/db = a^T @ g``. Vectors
are treated as a row (left operand) or a column (right operand) and squeezed back;
batch dimensions broadcast, and the engine sums their gradients back.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..autograd.function import Function, register
from .pointwise import _operands


class Matmul(Function):
    name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        a2 = a.unsqueeze(0) if a.ndim == 1 else a  # a vector on the left is a row
        b2 = b.unsqueeze(-1) if b.ndim == 1 else b  # ... and on the right a column
        g = grad
        if a.ndim == 1:
            g = g.unsqueeze(-2)
        if b.ndim == 1:
            g = g.unsqueeze(-1)
        da = db = None
        if ga:
            da = g @ b2.mT
            da = da.squeeze(-2) if a.ndim == 1 else da
            if da.ndim > a.ndim:
                da = da.sum_to_size(a.shape)
        if gb:
            db = a2.mT @ g
            db = db.squeeze(-1) if b.ndim == 1 else db
            if db.ndim > b.ndim:
                db = db.sum_to_size(b.shape)
        return da, db


class Dot(Matmul):
    name = "DotBackward0"

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        return grad * b, grad * a


class Mv(Matmul):
    name = "MvBackward0"


class Bmm(Matmul):
    name = "BmmBackward0"


def _check(a: Tensor, b: Tensor) -> None:
    sa, sb = a._data.shape, b._data.shape
    if not sa or not sb:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {len(sa)}D "
            f"and {len(sb)}D"
        )
    k_a = sa[-1]
    k_b = sb[0] if len(sb) == 1 else sb[-2]
    if k_a != k_b:
        if len(sa) == 1 and len(sb) == 1:
            raise RuntimeError(
                "inconsistent tensor size, expected tensor [%d] and src [%d] to have the "
                "same number of elements, but got %d and %d elements respectively"
                % (sa[0], sb[0], sa[0], sb[0]))
        rows_a = (1, sa[0]) if len(sa) == 1 else (int(np.prod(sa[:-1])), sa[-1])
        if len(sb) == 2 and len(sa) <= 2:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({rows_a[0]}x{rows_a[1]} and "
                f"{sb[0]}x{sb[1]})")
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{sa[0] if len(sa) > 2 else 1}, {k_a}] but got: "
            f"[{sb[0] if len(sb) > 2 else 1}, {k_b}].")


@register("matmul")
def matmul(input, other):
    """The matrix product, with torch's rules for vectors and batches.

    >>> ember.ones(2, 3) @ ember.ones(3)
    tensor([3., 3.])
    """
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(
            f"matmul(): argument 'other' must be Tensor, not {type(other).__name__}")
    a, b = _operands(input, other)
    _check(a, b)
    na, nb = a._data.ndim, b._data.ndim
    if na == 1 and nb == 1:
        cls = Dot
    elif na == 2 and nb == 2:
        cls = Matmul
    elif na == 2 and nb == 1:
        cls = Mv
    else:
        cls = Bmm
    return cls.apply(a, b)


@register("mm")
def mm(input, mat2):
    """The product of two matrices (2-D only)."""
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"self must be a matrix")
    return matmul(input, mat2)


def _rmatmul(self, other):
    return matmul(other, self)


Tensor.__matmul__ = matmul
Tensor.__rmatmul__ = _rmatmul
