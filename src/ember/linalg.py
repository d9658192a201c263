"""``ember.linalg``: torch.linalg's norms, determinants, inverses, solvers and
decompositions, each with first and higher derivatives.

Forward passes call NumPy's LAPACK routines on whole batches ``(..., n, n)``;
backward passes are written with ember ops (the textbook formulas, noted at each op),
so ``create_graph=True`` differentiates them again. Conventions in backward: ``g``
(or ``gX``) is the gradient of output X; ``A^-T`` is the transposed inverse.

Eigenvectors and singular vectors are unique only up to sign; NumPy and torch may pick
different signs. Functions of them that do not depend on the choice (``U @ diag(S) @
Vh``, ``V * V``, projectors) and their gradients agree with torch.
"""

from __future__ import annotations

import numpy as np

from . import _dtype
from ._tensor import Tensor, _wrap_dim
from .autograd.function import Function, register
from .autograd.grad_mode import state
from .ops import linalg as _products
from .ops._return_types import return_type
from .ops.pointwise import sign, where
from .ops.reduction import _dims, _unreduce

__all__ = [
    "LinAlgError", "norm", "vector_norm", "matrix_norm", "det", "slogdet", "inv", "solve",
    "solve_triangular",
    "cholesky", "qr", "eigh", "eigvalsh", "svd", "svdvals", "pinv", "matrix_power",
    "multi_dot", "matrix_rank", "cross", "vecdot", "matmul",
]

matmul = _products.matmul


class LinAlgError(RuntimeError):
    """A matrix that the operation cannot handle: singular, not positive-definite, ...
    (``torch.linalg.LinAlgError``)."""


# ---------------------------------------------------------------- helpers


def _eye(n: int, like: Tensor) -> Tensor:
    """The identity matrix, as a constant of ``like``'s dtype."""
    return Tensor._make(np.eye(n, dtype=like._data.dtype))


def _diag_embed(v: Tensor) -> Tensor:
    """Batched diagonal matrices from the vectors ``v`` (..., n)."""
    return v.unsqueeze(-1) * _eye(v.shape[-1], v)


def _zero(t: Tensor) -> bool:
    """True when ``t`` holds only zeros: the gradient of an output nobody used. (Not
    when it is part of a graph: zeros that require grad still carry a derivative,
    which forward mode's double-vjp relies on.)"""
    return not t.requires_grad and not t._data.any()


def _long_name(t: Tensor) -> str:
    return _products._word(t)


def _check_float(A: Tensor, fn: str) -> None:
    kind, name = A._data.dtype.kind, A._data.dtype.name
    if kind != "f":
        raise RuntimeError(f"{fn}: Expected a floating point or complex tensor as input. "
                           f"Got {_long_name(A)}")
    if name == "float16":
        raise RuntimeError(f"{fn}: Low precision dtypes not supported. Got Half")


def _check_matrix(A: Tensor, fn: str, square=True) -> None:
    """torch's checks for a batch of (square) floating matrices."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{fn}(): argument 'A' (position 1) must be Tensor, not "
                        f"{type(A).__name__}")
    if A.ndim < 2:
        raise RuntimeError(f"{fn}: The input tensor A must have at least 2 dimensions.")
    _check_float(A, fn)
    if square and A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"{fn}: A must be batches of square matrices, but they are "
                           f"{A.shape[-2]} by {A.shape[-1]} matrices")


def _batch_prefix(a: np.ndarray, index: int) -> str:
    return f"(Batch element {index}): " if a.ndim > 2 else ""


def _zero_pivot(a: np.ndarray) -> tuple:
    """The first batch element whose LU factorization (partial pivoting, as LAPACK's
    getrf) meets an exactly zero pivot, and that pivot's 1-based position. Only called
    to word the error once NumPy has found the matrix singular."""
    n = a.shape[-1]
    lu = a.reshape(-1, n, n).copy()
    rows = np.arange(lu.shape[0])
    info = np.zeros(lu.shape[0], dtype=int)
    for k in range(n):
        p = k + np.argmax(np.abs(lu[:, k:, k]), axis=1)
        lu[rows, k], lu[rows, p] = lu[rows, p], lu[rows, k].copy()
        pivot = lu[:, k, k]
        info = np.where((pivot == 0) & (info == 0), k + 1, info)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(pivot[:, None] != 0, lu[:, k + 1:, k] / pivot[:, None], 0)
        lu[:, k + 1:, k:] -= factor[:, :, None] * lu[:, None, k, k:]
    bad = int(np.argmax(info > 0))
    return bad, int(info[bad])


def _singular(fn: str, a: np.ndarray) -> LinAlgError:
    index, pivot = _zero_pivot(a)
    return LinAlgError(f"{fn}: {_batch_prefix(a, index)}The diagonal element {pivot} is "
                       "zero, the inversion could not be completed because the input matrix "
                       "is singular.")


# ---------------------------------------------------------------- norms


class VectorNorm(Function):
    """``sum(|x|^p)^(1/p)`` over ``axes``; ``p = inf`` is the largest ``|x|``, ``p = 0``
    counts the non-zeros."""

    name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, *, ord, axes, keepdim):
        a = np.abs(x)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            if ord == 2:
                out = np.sqrt(np.sum(a * a, axis=axes, keepdims=keepdim))
            elif ord == np.inf:
                out = np.max(a, axis=axes, keepdims=keepdim)
            elif ord == -np.inf:
                out = np.min(a, axis=axes, keepdims=keepdim)
            elif ord == 0:
                out = np.sum(x != 0, axis=axes, keepdims=keepdim).astype(x.dtype)
            elif ord == 1:
                out = np.sum(a, axis=axes, keepdims=keepdim)
            else:
                out = np.sum(a**ord, axis=axes, keepdims=keepdim) ** (1 / ord)
        out = np.asarray(out, dtype=x.dtype)
        ctx.save_for_backward(x, out)
        ctx.ord, ctx.axes, ctx.keepdim = ord, axes, keepdim
        return out

    @staticmethod
    def backward(ctx, grad):
        x, norm = ctx.saved_tensors
        p, axes, keepdim = ctx.ord, ctx.axes, ctx.keepdim
        if p == 0:
            return None  # piecewise constant: torch gives no gradient at all
        g = _unreduce(grad, x.shape, axes, keepdim)
        n = _unreduce(norm, x.shape, axes, keepdim)
        if p == 1:
            return g * sign(x)
        if p in (np.inf, -np.inf):  # split evenly between the ties, as torch's amax
            hit = x.abs() == n
            count = hit.sum(axes, keepdim=True)
            return where(hit, g * sign(x) / count, 0.0)
        if p == 2:
            return x * where(n == 0, 0.0, g / n)
        if p < 1:  # |x|^(p-1) is infinite at 0, where torch's gradient is 0
            nonzero = x != 0
            safe = where(nonzero, x, 1.0)
            scaled = where(nonzero, sign(x) * safe.abs() ** (p - 1), 0.0)
            return scaled * g * n ** (1 - p)
        scaled = sign(x) * x.abs() ** (p - 1) if p < 2 else x * x.abs() ** (p - 2)
        return scaled * where(n == 0, 0.0, g / n ** (p - 1))


def _ord_text(ord) -> str:
    return str(int(ord)) if isinstance(ord, float) and ord.is_integer() else str(ord)


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The vector ``ord``-norm of ``x`` over ``dim`` (all of ``x`` by default).

    >>> ember.linalg.vector_norm(ember.tensor([3.0, -4.0]))
    tensor(5.)
    >>> ember.linalg.vector_norm(ember.tensor([3.0, -4.0]), float("inf"))
    tensor(4.)
    """
    if isinstance(ord, str) or not isinstance(ord, (int, float)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, "
                        f"not {type(ord).__name__}")
    if dtype is not None:
        d = _dtype.to_dtype(dtype)
        word = _products._TYPE_WORDS[d.np.name]
        if not d.is_floating_point:
            raise RuntimeError(f"linalg.vector_norm: dtype should be floating point or "
                               f"complex, but got {word}")
        if x._data.dtype.kind == "f" and x._data.dtype.itemsize > d.itemsize:
            raise RuntimeError(
                f"linalg.vector_norm: the dtype of the input ({_long_name(x)}) should be "
                f"convertible without narrowing to the specified dtype ({word})")
        x = x.to(d)
    _check_float(x, "linalg.vector_norm")
    axes = _dims(dim, x.ndim)
    if ord < 0 or ord == np.inf:  # the reduction has no identity: empty input is an error
        if dim is None and x.numel() == 0:
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_text(ord)} norm "
                               "on an empty tensor because the operation does not have an "
                               "identity")
        for ax in axes:
            if x.shape[ax] == 0:
                raise RuntimeError(
                    f"linalg.vector_norm cannot compute the {_ord_text(ord)} norm on the "
                    f"dimension {ax}because this dimension is empty and the operation does "
                    "not have an identity")
    return VectorNorm.apply(x, ord=float(ord), axes=axes, keepdim=keepdim)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None):
    """The matrix norm of ``A`` (or of each matrix in a batch): ``"fro"``, ``"nuc"``,
    ``inf``, ``-inf``, ``1``, ``-1``, ``2`` (largest singular value), ``-2``.

    >>> ember.linalg.matrix_norm(ember.eye(3))
    tensor(1.7321)
    """
    if A.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                           f"{' '.join(map(str, dims))}")
    d0, d1 = (_wrap_dim(d, A.ndim) for d in dims)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dims[0]}, "
                           f"{dims[1]})")
    if dtype is not None:
        A = A.to(dtype)
    _check_float(A, "linalg.matrix_norm")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        order = [d for d in range(A.ndim) if d not in (d0, d1)] + [d0, d1]
        s = svdvals(A if order == list(range(A.ndim)) else A.permute(order))
        if s.shape[-1] == 0:  # no singular values: torch returns 0 (-2: an amin error)
            if ord == -2:
                raise IndexError("amin(): Expected reduction dim -1 to have non-zero size.")
            out = s.sum(-1)
        elif ord == "nuc":
            out = s.sum(-1)
        else:
            out = vector_norm(s, np.inf if ord == 2 else -np.inf, -1)
        if keepdim:
            for d in sorted((d0, d1)):
                out = out.unsqueeze(d)
        return out
    if ord in (1, -1, np.inf, -np.inf):
        # 1: the largest column sum of |A|; inf: the largest row sum.
        summed, picked = (d0, d1) if ord in (1, -1) else (d1, d0)
        sums = A.abs().sum(summed, keepdim=True)
        if sums.shape[picked] == 0:  # the largest of nothing is 0; the least, an error
            if ord < 0:
                raise IndexError(f"amin(): Expected reduction dim {picked - (picked > summed)} "
                                 "to have non-zero size.")
            out = sums.sum(picked, keepdim=True)
        else:
            out = vector_norm(sums, np.inf if ord > 0 else -np.inf, picked, keepdim=True)
        if not keepdim:
            out = out.squeeze(max(d0, d1)).squeeze(min(d0, d1))
        return out
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None):
    """A vector or matrix norm, as ``ord`` and ``dim`` say: a vector norm over one dim (or
    all of ``A`` when neither is given), a matrix norm over two.

    >>> ember.linalg.norm(ember.tensor([[1.0, 2.0], [2.0, 4.0]]))
    tensor(5.)
    """
    if isinstance(ord, str):
        return matrix_norm(A, ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) == 1:
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
        if len(dims) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. "
                           f"Got {list(dims)}")
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
    if A.ndim == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be "
                       f"1D or 2D. Got {A.ndim}D.")


def vecdot(x, y, *, dim=-1):
    """The dot product of vectors along ``dim``, batched and broadcast."""
    return (x * y).sum(dim)


# ---------------------------------------------------------------- determinants and inverses


class Det(Function):
    name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx, a):
        out = np.asarray(np.linalg.det(a), dtype=a.dtype)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, det = ctx.saved_tensors
        if a.shape[-1] <= 1:  # det = a: the gradient is exactly grad, as torch's
            return grad.unsqueeze(-1).unsqueeze(-1).expand(a.shape)
        singular = det._data == 0
        if not singular.any():
            return (grad * det).unsqueeze(-1).unsqueeze(-1) * Inv.apply(a).mT
        # d det / dA is the cofactor matrix det(A) A^-T, which A^-T cannot give for a
        # singular A. torch's first-order backward gives 0 there (det = 0 times a finite
        # matrix); with create_graph it gives the cofactors, from the SVD. We match both,
        # but the cofactors are a constant: no second derivatives at singular matrices.
        mask = Tensor._make(singular[..., None, None])
        safe = where(mask, _eye(a.shape[-1], a), a)
        ga = (grad * det).unsqueeze(-1).unsqueeze(-1) * Inv.apply(safe).mT
        if state.enabled:
            cof = np.where(singular[..., None, None], _cofactors(a._data), 0)
            ga = ga + grad.unsqueeze(-1).unsqueeze(-1) * Tensor._make(cof.astype(a._data.dtype))
        return ga


def _cofactors(a: np.ndarray) -> np.ndarray:
    """The cofactor matrix ``det(A) A^-T``, from ``A = U S Vh`` so it exists for all A:
    ``det(U) det(Vh) U diag(prod of the other singular values) Vh``."""
    u, s, vh = np.linalg.svd(a)
    n = s.shape[-1]
    others = np.prod(np.where(np.eye(n, dtype=bool), 1, s[..., None, :]), axis=-1)
    signs = np.linalg.det(u) * np.linalg.det(vh)
    return (signs[..., None, None] * (u * others[..., None, :]) @ vh).astype(a.dtype)


class Slogdet(Function):
    name = "LinalgSlogdetBackward0"
    n_outputs = 2

    @staticmethod
    def forward(ctx, a):
        s, logabs = np.linalg.slogdet(a)
        ctx.save_for_backward(a)
        return np.asarray(s, dtype=a.dtype), np.asarray(logabs, dtype=a.dtype)

    @staticmethod
    def backward(ctx, gsign, glogabs):
        (a,) = ctx.saved_tensors  # the sign is piecewise constant: no gradient
        return glogabs.unsqueeze(-1).unsqueeze(-1) * Inv.apply(a).mT


class Inv(Function):
    name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx, a):
        try:
            out = np.linalg.inv(a)
        except np.linalg.LinAlgError:
            raise _singular("linalg.inv", a) from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (ainv,) = ctx.saved_tensors  # d(A^-1) = -A^-1 dA A^-1
        return -(ainv.mT @ grad @ ainv.mT)


_slogdet_result = return_type("linalg_slogdet", "sign", "logabsdet")
_slogdet_legacy = return_type("slogdet", "sign", "logabsdet")


def det(A):
    """The determinant of a square matrix (or of each in a batch).

    >>> ember.linalg.det(ember.tensor([[2.0, 1.0], [1.0, 3.0]]))
    tensor(5.)
    """
    _check_matrix(A, "linalg.det")
    return Det.apply(A)


def slogdet(A):
    """``(sign, logabsdet)``: the determinant as ``sign * exp(logabsdet)``, which does
    not overflow; ``logabsdet`` is ``-inf`` for singular matrices."""
    _check_matrix(A, "linalg.slogdet")
    return _slogdet_result(*Slogdet.apply(A))


def inv(A):
    """The inverse of a square matrix (or of each in a batch); ``LinAlgError`` when one
    is singular.

    >>> ember.linalg.inv(ember.tensor([[2.0, 0.0], [0.0, 4.0]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.2500]])
    """
    _check_matrix(A, "linalg.inv")
    return Inv.apply(A)


class Solve(Function):
    """``X`` with ``A X = B`` (``left``) or ``X A = B``; ``vector``: B holds vectors.
    ``upper`` (True/False) says A is triangular: zero pivots then give inf and nan, as
    LAPACK's triangular solver, instead of an error."""

    name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx, a, b, *, left, vector, upper=None):
        if vector:  # (torch allows vectors only with left=True)
            b = b[..., None]
        # X A = B  <=>  A^T X^T = B^T
        lhs, rhs = (a, b) if left else (np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2))
        try:
            x = np.linalg.solve(lhs, rhs)
        except np.linalg.LinAlgError:
            if upper is not None:
                x = _substitute(lhs, rhs, upper == left)
            else:
                full = np.broadcast_shapes(lhs.shape, rhs.shape[:-2] + lhs.shape[-2:])
                index = _zero_pivot(np.broadcast_to(lhs, full))[0]
                raise LinAlgError(
                    f"torch.linalg.solve: {_batch_prefix(np.empty(full), index)}The solver "
                    "failed because the input matrix is singular.") from None
        x = x if left else np.swapaxes(x, -1, -2)
        x = x[..., 0] if vector else x
        ctx.save_for_backward(a, x)
        ctx.left, ctx.vector, ctx.upper = left, vector, upper
        return x

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        left, vector, upper = ctx.left, ctx.vector, ctx.upper
        # A X = B: gB = A^-T g, gA = -gB X^T.   X A = B: gB = g A^-T, gA = -X^T gB.
        gb = Solve.apply(a.mT, grad, left=left, vector=vector,
                         upper=None if upper is None else not upper)
        if not ctx.needs_input_grad[0]:
            return None, gb
        if vector:
            ga = -(gb.unsqueeze(-1) * x.unsqueeze(-2))
        else:
            ga = -(gb @ x.mT) if left else -(x.mT @ gb)
        return ga, gb


class SolveTriangular(Solve):
    name = "LinalgSolveTriangularBackward0"


def _substitute(t: np.ndarray, b: np.ndarray, upper: bool) -> np.ndarray:
    """Back (``upper``) or forward substitution for ``T X = B``, row by row, letting
    zero pivots give inf and nan. Only used once LAPACK's LU has refused the matrix."""
    batch = np.broadcast_shapes(t.shape[:-2], b.shape[:-2])
    t = np.broadcast_to(t, batch + t.shape[-2:])
    x = np.zeros(batch + b.shape[-2:], dtype=np.result_type(t, b))
    n = t.shape[-1]
    with np.errstate(all="ignore"):
        for i in range(n - 1, -1, -1) if upper else range(n):
            known = (t[..., i, :, None] * x).sum(-2)  # unsolved rows of x are still 0
            x[..., i, :] = (b[..., i, :] - known) / t[..., i, i, None]
    return x


def solve(A, B, *, left=True):
    """The solution ``X`` of ``A X = B`` (``left=False``: ``X A = B``) for square ``A``;
    ``B`` is a batch of vectors ``(..., n)`` or of matrices ``(..., n, k)``.

    >>> ember.linalg.solve(ember.tensor([[2.0, 0.0], [0.0, 4.0]]), ember.tensor([1.0, 1.0]))
    tensor([0.5000, 0.2500])
    """
    _check_matrix(A, "linalg.solve")
    if A._data.dtype != B._data.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found "
                           f"A of type {_long_name(A)} and B of type {_long_name(B)} instead")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    n = A.shape[-1]
    rows, cols = (B.shape[-1], 1) if vector else B.shape[-2:]
    if (rows if left else cols) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation "
                           f"{eq} ({n}x{n} and {rows}x{cols})")
    if vector and not left:
        raise RuntimeError("linalg.solve: Vector broadcasting of the left hand side is not "
                           "supported for left=False. In this case linalg.solve is equivalent "
                           "to B / A.squeeze(-1)")
    batch_a, batch_b = A.shape[:-2], B.shape[:-1] if vector else B.shape[:-2]
    for i in range(1, min(len(batch_a), len(batch_b)) + 1):
        sa, sb = batch_a[-i], batch_b[-i]
        if sa != sb and sa != 1 and sb != 1:
            raise RuntimeError(f"The size of tensor a ({sb}) must match the size of tensor b "
                               f"({sa}) at non-singleton dimension "
                               f"{max(len(batch_a), len(batch_b)) - i}")
    return Solve.apply(A, B, left=left, vector=vector)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False):
    """The solution ``X`` of ``A X = B`` (``left=False``: ``X A = B``) where only the upper
    (``upper=True``) or lower triangle of ``A`` is read; ``unitriangular``: its diagonal
    is taken as ones. The gradient of ``A`` lives on that triangle.

    >>> ember.linalg.solve_triangular(ember.tensor([[2.0, 1.0], [0.0, 4.0]]),
    ...                               ember.tensor([[3.0], [4.0]]), upper=True)
    tensor([[1.],
            [1.]])
    """
    fn = "linalg.solve_triangular"
    _check_matrix(A, fn)
    if B.ndim < 2:
        raise RuntimeError(f"{fn}: The input tensor B must have at least 2 dimensions.")
    n = A.shape[-1]
    rows, cols = B.shape[-2:]
    if (rows if left else cols) != n:
        raise RuntimeError(f"{fn}: Incompatible shapes of A and B for the equation "
                           f"{'AX = B' if left else 'XA = B'} ({n}x{n} and {rows}x{cols})")
    keep = np.triu(np.ones((n, n), bool), int(unitriangular))
    keep = keep if upper else keep.T
    t = A * Tensor._make(keep.astype(A._data.dtype))
    if unitriangular:
        t = t + _eye(n, A)
    return SolveTriangular.apply(t, B, left=left, vector=False, upper=upper)


def matrix_power(A, n):
    """``A`` multiplied by itself ``n`` times (``n < 0``: the inverse's power; ``n = 0``:
    the identity), by repeated squaring."""
    _check_matrix(A, "linalg.matrix_power")
    if n == 0:
        return EyeLike.apply(A)
    if n == 1:
        return A.clone()
    if n < 0:
        A, n = inv(A), -n
    result, base = None, A
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


class EyeLike(Function):
    """Identity matrices of ``A``'s shape: ``A^0``, whose gradient is zero."""

    name = "CopyBackwards"

    @staticmethod
    def forward(ctx, a):
        return np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape).copy()

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


def multi_dot(tensors):
    """The product of a chain of matrices, multiplied in the cheapest order; the first
    and last may be vectors.

    >>> ember.linalg.multi_dot([ember.ones(3), ember.ones(3, 4), ember.ones(4)])
    tensor(12.)
    """
    tensors = list(tensors)
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    for i, t in enumerate(tensors):
        if i in (0, n - 1):
            if t.ndim not in (1, 2):
                which = "first" if i == 0 else "last"
                raise RuntimeError(f"multi_dot(): the {which} tensor must be 1D or 2D but got "
                                   f"{t.ndim}D")
        elif t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
        if t._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError(
                f"multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                f"{_products._C_TYPES[tensors[0]._data.dtype.name]} and tensor {i} "
                f"{_products._C_TYPES[t._data.dtype.name]}")
    first_vec, last_vec = tensors[0].ndim == 1, tensors[-1].ndim == 1
    mats = list(tensors)
    if first_vec:
        mats[0] = mats[0].unsqueeze(0)
    if last_vec:
        mats[-1] = mats[-1].unsqueeze(-1)
    for i in range(n - 1):
        if mats[i].shape[1] != mats[i + 1].shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes "
                               f"{list(tensors[i].shape)} and {list(tensors[i + 1].shape)} "
                               "cannot be multiplied")
    out = _chain(mats, _chain_order([m.shape[0] for m in mats] + [mats[-1].shape[1]]), 0,
                 n - 1)
    if first_vec:
        out = out.squeeze(0)
    if last_vec:
        out = out.squeeze(-1)
    return out


def _chain_order(sizes: list) -> list:
    """The textbook matrix-chain dynamic program: ``split[i][j]`` is where the cheapest
    product of matrices i..j splits."""
    n = len(sizes) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + sizes[i] * sizes[k + 1] * sizes[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def _chain(mats, split, i, j):
    if i == j:
        return mats[i]
    k = split[i][j]
    return _chain(mats, split, i, k) @ _chain(mats, split, k + 1, j)


# ---------------------------------------------------------------- decompositions


def _not_positive_definite(fn: str, a: np.ndarray) -> LinAlgError:
    """The error for the first batch element that has no Cholesky factor, naming its
    first leading minor that is not positive-definite."""
    n = a.shape[-1]
    mats = a.reshape(-1, n, n)
    for index, m in enumerate(mats):
        for k in range(1, n + 1):
            try:
                np.linalg.cholesky(m[:k, :k])
            except np.linalg.LinAlgError:
                return LinAlgError(
                    f"{fn}: {_batch_prefix(a, index)}The factorization could not be completed "
                    f"because the input is not positive-definite (the leading minor of order "
                    f"{k} is not positive-definite).")
    return LinAlgError(f"{fn}: The factorization could not be completed.")


def _tril_mask(n: int, like: Tensor, diagonal: float) -> Tensor:
    """A constant lower-triangular mask of ones with ``diagonal`` on the diagonal."""
    m = np.tril(np.ones((n, n), dtype=like._data.dtype), -1)
    np.fill_diagonal(m, diagonal)
    return Tensor._make(m)


class Cholesky(Function):
    """``A = L L^T`` with ``L`` lower-triangular (``upper``: returns ``L^T``)."""

    name = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx, a, *, upper, fn="linalg.cholesky"):
        # upper: torch reads the upper triangle, i.e. factors the lower one of A^T.
        a_read = np.swapaxes(a, -1, -2) if upper else a
        try:
            low = np.linalg.cholesky(a_read)
        except np.linalg.LinAlgError:
            raise _not_positive_definite(fn, a_read) from None
        out = np.swapaxes(low, -1, -2).copy() if upper else low
        ctx.save_for_backward(out)
        ctx.upper = upper
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        low, g = (out.mT, grad.mT) if ctx.upper else (out, grad)
        # Murray (2016): gA = L^-T Phi(L^T gL) L^-1, symmetrized; Phi takes the lower
        # triangle and halves the diagonal.
        phi = (low.mT @ g) * _tril_mask(low.shape[-1], low, 0.5)
        low_inv = Inv.apply(low)
        ga = low_inv.mT @ phi @ low_inv
        return (ga + ga.mT) * 0.5


class CholeskyLegacy(Cholesky):
    name = "CholeskyBackward0"  # torch.cholesky, the deprecated spelling


def cholesky(A, *, upper=False):
    """The Cholesky factor ``L`` of a symmetric positive-definite matrix, ``A = L L^T``
    (``upper=True``: ``U = L^T``, ``A = U^T U``). Only the lower triangle of ``A`` is read
    (the upper one with ``upper=True``, as torch).

    >>> ember.linalg.cholesky(ember.tensor([[4.0, 2.0], [2.0, 2.0]]))
    tensor([[2., 0.],
            [1., 1.]])
    """
    _check_matrix(A, "linalg.cholesky")
    return Cholesky.apply(A, upper=upper)


_qr_result = return_type("linalg_qr", "Q", "R")
_qr_legacy = return_type("qr", "Q", "R")


class Qr(Function):
    name = "LinalgQrBackward0"
    n_outputs = 2

    @staticmethod
    def forward(ctx, a, *, mode):
        if mode == "r":
            q, r = np.zeros(0, dtype=a.dtype), np.linalg.qr(a, mode="r")
        else:
            q, r = np.linalg.qr(a, mode=mode)
        ctx.save_for_backward(q, r)
        ctx.mode = mode
        return q, r

    @staticmethod
    def backward(ctx, gq, gr):
        q, r = ctx.saved_tensors
        if ctx.mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when "
                "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                "differentiate through linalg.qr.")
        m, n = q.shape[-2], r.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when "
                               "mode='complete' and nrows > ncols.")
        if m >= n:
            return _qr_backward(q, r, gq, gr)
        # A = [X | Y] with X square: Q R = [Q U | Q V]. Y moves gQ by Y gV^T.
        u, v = r[..., :, :m], r[..., :, m:]
        gu, gv = gr[..., :, :m], gr[..., :, m:]
        y = q @ v
        gx = _qr_backward(q, u, gq + y @ gv.mT, gu)
        gy = q @ gv
        # [gX | gY], as products with constant selectors (no concatenation op needed).
        eye = np.eye(n, dtype=q._data.dtype)
        return gx @ Tensor._make(eye[:m]) + gy @ Tensor._make(eye[m:])


def _qr_backward(q, r, gq, gr):
    """For ``A = Q R`` with ``R`` square: ``M = R gR^T - gQ^T Q``,
    ``gA = (gQ + Q copyltu(M)) R^-T``, where copyltu mirrors the lower triangle of M."""
    k = r.shape[-1]
    mm = r @ gr.mT - gq.mT @ q
    low = mm * _tril_mask(k, mm, 0.0)
    sym = low + low.mT + mm * _eye(k, mm)
    return Solve.apply(r.mT, gq + q @ sym, left=False, vector=False)  # (...) R^-T


def qr(A, mode="reduced"):
    """``A = Q R`` with orthonormal columns in ``Q`` and upper-triangular ``R``; ``mode``
    is ``"reduced"``, ``"complete"`` (square ``Q``) or ``"r"`` (``R`` only; ``Q`` is
    empty)."""
    _check_matrix(A, "linalg.qr", square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    return _qr_result(*Qr.apply(A, mode=mode))


_eigh_result = return_type("linalg_eigh", "eigenvalues", "eigenvectors")


class Eigh(Function):
    name = "LinalgEighBackward0"
    n_outputs = 2

    @staticmethod
    def forward(ctx, a, *, uplo):
        w, v = np.linalg.eigh(a, UPLO=uplo)
        ctx.save_for_backward(w, v)
        return w, v

    @staticmethod
    def backward(ctx, gw, gv):
        w, v = ctx.saved_tensors
        mid = _diag_embed(gw)
        if not _zero(gv):
            # The symmetric part of V (diag(gw) + F o V^T gV) V^T, F_ij = 1 / (w_j - w_i):
            # only symmetric changes of A keep it symmetric. Infinite for repeated w.
            x = v.mT @ gv
            mid = mid + _inverse_gaps(w) * (x - x.mT) * 0.5
        return v @ mid @ v.mT


    @staticmethod
    def jvp(primals, outputs, tangents, *, uplo):
        """Forward mode: for a symmetric change dA, dw = diag(V^T dA V) and
        dV = V (F o V^T dA V); the eigenvectors' gauge stays fixed (unit columns)."""
        (da,) = tangents
        w, v = outputs
        x = v.mT @ ((da + da.mT) * 0.5) @ v
        return _diagonal(x), v @ (_inverse_gaps(w) * x)


def _diagonal(x: Tensor) -> Tensor:
    from .ops.shape import diagonal

    return diagonal(x, 0, -2, -1)


def _cat_last(a: Tensor, b: Tensor) -> Tensor:
    from .ops.shape import cat

    return cat([a, b], -1)


def _inverse_gaps(w: Tensor) -> Tensor:
    """``F_ij = 1 / (w_j - w_i)`` off the diagonal, 0 on it."""
    eye = _eye(w.shape[-1], w)
    return (1 - eye) / (w.unsqueeze(-2) - w.unsqueeze(-1) + eye)


def eigh(A, UPLO="L"):
    """Eigenvalues (ascending) and eigenvectors (columns) of a symmetric matrix, read
    from its lower (``UPLO="L"``) or upper triangle. Each eigenvector's sign is
    arbitrary.

    >>> ember.linalg.eigh(ember.tensor([[2.0, 0.0], [0.0, 1.0]])).eigenvalues
    tensor([1., 2.])
    """
    _check_matrix(A, "linalg.eigh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return _eigh_result(*Eigh.apply(A, uplo=UPLO))


def eigvalsh(A, UPLO="L"):
    """The eigenvalues of a symmetric matrix, ascending."""
    return eigh(A, UPLO).eigenvalues


_svd_result = return_type("linalg_svd", "U", "S", "Vh")
_svd_legacy = return_type("svd", "U", "S", "V")


class Svd(Function):
    name = "LinalgSvdBackward0"
    n_outputs = 3

    @staticmethod
    def jvp(primals, outputs, tangents, *, full_matrices):
        """Forward mode (Townsend's formulas): with dP = U^T dA V and F_ij =
        1 / (s_j^2 - s_i^2), dS = diag(dP), dU = U F o (dP S + S dP^T) + (I - U U^T)
        dA V S^-1, and dV likewise; the columns beyond k of full matrices turn with
        them, staying orthogonal."""
        (da,) = tangents
        u, s, vh = outputs
        k = s.shape[-1]
        uk, vk = u[..., :, :k], vh[..., :k, :].mT
        dp = uk.mT @ da @ vk
        f = _inverse_gaps(s * s)
        right, left = s.unsqueeze(-2), s.unsqueeze(-1)  # X * right == X @ S, X * left == S @ X
        inv = (1 / s).unsqueeze(-2)
        du = uk @ (f * (dp * right + dp.mT * left)) + (da @ vk - uk @ dp) * inv
        dv = vk @ (f * (dp * left + dp.mT * right)) + (da.mT @ uk - vk @ dp.mT) * inv
        if u.shape[-1] != k:
            rest = u[..., :, k:]
            du = _cat_last(du, -(uk @ (du.mT @ rest)))
        if vh.shape[-2] != k:
            rest = vh[..., k:, :].mT
            dv = _cat_last(dv, -(vk @ (dv.mT @ rest)))
        return du, _diagonal(dp), dv.mT

    @staticmethod
    def forward(ctx, a, *, full_matrices):
        u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
        ctx.save_for_backward(u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx, gu, gs, gvh):
        u, s, vh = ctx.saved_tensors
        m, n, k = u.shape[-2], vh.shape[-1], s.shape[-1]
        if u.shape[-1] != k:  # full_matrices: the extra columns get no gradient
            u, gu = u[..., :, :k], gu[..., :, :k]
        if vh.shape[-2] != k:
            vh, gvh = vh[..., :k, :], gvh[..., :k, :]
        mid = _diag_embed(gs)
        use_u, use_v = not _zero(gu), not _zero(gvh)
        if not (use_u or use_v):
            return u @ mid @ vh
        # Townsend (2016), with F_ij = 1 / (s_j^2 - s_i^2):
        # gA = U [F o (U^T gU - gU^T U) S + diag(gS) + S F o (V^T gV - gV^T V)] V^T
        #      + (I - U U^T) gU S^-1 V^T + U S^-1 gV^T (I - V V^T)
        f = _inverse_gaps(s * s)
        v, gv = vh.mT, gvh.mT
        if use_u:
            ugu = u.mT @ gu
            mid = mid + f * (ugu - ugu.mT) * s.unsqueeze(-2)
        if use_v:
            vgv = v.mT @ gv
            mid = mid + s.unsqueeze(-1) * (f * (vgv - vgv.mT))
        ga = u @ mid @ vh
        if use_u and m > k:
            ga = ga + ((gu - u @ ugu) / s.unsqueeze(-2)) @ vh
        if use_v and n > k:
            ga = ga + u @ ((gv - v @ vgv) / s.unsqueeze(-2)).mT
        return ga


def svd(A, full_matrices=True):
    """``A = U diag(S) Vh`` with singular values ``S`` descending. The signs of matching
    columns of ``U`` and rows of ``Vh`` are arbitrary.

    >>> ember.linalg.svd(ember.tensor([[3.0, 0.0], [0.0, -2.0]])).S
    tensor([3., 2.])
    """
    _check_matrix(A, "linalg.svd", square=False)
    return _svd_result(*Svd.apply(A, full_matrices=full_matrices))


def svdvals(A):
    """The singular values of ``A``, descending."""
    _check_matrix(A, "linalg.svd", square=False)
    return Svd.apply(A, full_matrices=False)[1]


class Pinv(Function):
    name = "LinalgPinvBackward0"

    @staticmethod
    def forward(ctx, a, *, atol, rtol, hermitian):
        if hermitian:
            w, v = np.linalg.eigh(a)
            s, left, right = np.abs(w), v, np.swapaxes(v, -1, -2)
            values = w
        else:
            left, s, right = np.linalg.svd(a, full_matrices=False)
            values = s
        big = np.max(s, axis=-1, keepdims=True, initial=0)
        tol = np.maximum(atol, rtol * big)
        with np.errstate(divide="ignore"):
            scale = np.where(s > tol, 1 / np.where(s > tol, values, 1), 0).astype(a.dtype)
        out = np.swapaxes(right, -1, -2) * scale[..., None, :] @ np.swapaxes(left, -1, -2)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, p = ctx.saved_tensors
        # Golub & Pereyra: dP = -P dA P + P P^T dA^T (I - A P) + (I - P A) dA^T P^T P,
        # for A of constant rank. Transposed into a gradient:
        # gA = -P^T g P^T + (I - A P) g^T P P^T + P^T P g^T (I - P A).
        pt, gt = p.mT, grad.mT
        y = gt @ (p @ pt)
        z = (pt @ p) @ gt
        return -(pt @ grad @ pt) + (y - a @ (p @ y)) + (z - (z @ p) @ a)


def _tolerances(A, atol, rtol):
    """torch's rule: tol = max(atol, rtol * largest singular value), with rtol defaulting
    to eps * max(m, n) unless atol > 0 is given."""
    def value(t):
        return np.asarray(t._data if isinstance(t, Tensor) else t)[..., None]

    eps = np.finfo(A._data.dtype).eps
    if rtol is None:
        rtol = eps * max(A.shape[-2:]) if atol is None or not np.any(value(atol) > 0) else 0
    return (0.0 if atol is None else value(atol)), value(rtol)


def pinv(A, *, atol=None, rtol=None, hermitian=False):
    """The Moore-Penrose pseudo-inverse, from the SVD with singular values at or below
    ``max(atol, rtol * largest)`` treated as zero.

    >>> ember.linalg.pinv(ember.tensor([[2.0, 0.0], [0.0, 0.0]]))
    tensor([[0.5000, 0.0000],
            [0.0000, 0.0000]])
    """
    _check_matrix(A, "linalg.pinv", square=False)
    atol, rtol = _tolerances(A, atol, rtol)
    return Pinv.apply(A, atol=atol, rtol=rtol, hermitian=hermitian)


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False):
    """The number of singular values above ``max(atol, rtol * largest)`` (int64)."""
    _check_matrix(A, "linalg.matrix_rank", square=False)
    atol, rtol = _tolerances(A, atol, rtol)
    a = A._data
    s = np.abs(np.linalg.eigvalsh(a)) if hermitian else np.linalg.svd(a, compute_uv=False)
    tol = np.maximum(atol, rtol * np.max(s, axis=-1, keepdims=True, initial=0))
    return Tensor._make(np.sum(s > tol, axis=-1).astype(np.int64))


def cross(input, other, *, dim=-1):
    """The cross product of 3-vectors along ``dim`` (default: the last), broadcast."""
    return _products._cross(input, other, dim)


# ---------------------------------------------------------------- torch's top-level names


@register("det")
def _det(input):
    """The determinant (``ember.linalg.det``)."""
    return det(input)


@register("logdet")
def logdet(input):
    """The log-determinant: nan for a negative determinant, -inf for a singular matrix."""
    s, logabs = slogdet(input)
    return where(s < 0, np.nan, logabs)


@register("slogdet")
def _slogdet(input):
    """``(sign, logabsdet)`` of the determinant (``ember.linalg.slogdet``)."""
    return _slogdet_legacy(*slogdet(input))


@register("inverse")
def inverse(input):
    """The matrix inverse (``ember.linalg.inv``)."""
    return inv(input)


@register("cholesky")
def _cholesky(input, upper=False):
    """The Cholesky factor (deprecated in torch for ``ember.linalg.cholesky``)."""
    _check_matrix(input, "cholesky")
    return CholeskyLegacy.apply(input, upper=upper, fn="cholesky")


@register("pinverse")
def pinverse(input, rcond=1e-15):
    """The pseudo-inverse, dropping singular values below ``rcond`` times the largest."""
    return pinv(input, rtol=rcond)


@register("matrix_power")
def _matrix_power(input, n):
    """``input`` to the integer power ``n`` (``ember.linalg.matrix_power``)."""
    return matrix_power(input, n)


@register("svd")
def _svd(input, some=True, compute_uv=True):
    """``(U, S, V)`` with ``input = U diag(S) V^T`` (note: ``V``, not ``Vh``); reduced
    when ``some``. Without ``compute_uv``, ``U`` and ``V`` are zero matrices."""
    if not compute_uv:
        m, n = input.shape[-2:]
        batch = tuple(input.shape[:-2])
        zeros = (lambda r: Tensor._make(np.zeros(batch + (r, r), dtype=input._data.dtype)))
        return _svd_legacy(zeros(m), svdvals(input), zeros(n))
    u, s, vh = svd(input, full_matrices=not some)
    return _svd_legacy(u, s, vh.mT)


@register("qr")
def _qr(input, some=True):
    """``(Q, R)`` of ``input``; reduced when ``some``, else complete."""
    q, r = qr(input, "reduced" if some else "complete")
    return _qr_legacy(q, r)
