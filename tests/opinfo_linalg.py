"""OpInfo rows for the linalg ops of the op library (issue 3). See opinfo.py.

Eigenvectors and singular vectors are unique only up to sign (and LAPACK builds may
choose differently), so rows built on them return quantities that do not depend on the
choice: ``V * V``, ``U @ diag(S) @ Vh``, ``Q`` and ``R`` with ``R``'s diagonal made
positive. Inputs that must be symmetric or positive-definite are made so inside the row.
"""

from opinfo import OpInfo

INF = float("inf")


def _eye(lib, x):
    return lib.eye(x.shape[-1], dtype=x.dtype)


def _spd(lib, x):
    """A symmetric positive-definite matrix (batch) from any square ``x``."""
    return x @ x.mT + _eye(lib, x)


def _sym(x):
    return x + x.mT


def _diag(lib, x):
    return (x * _eye(lib, x)).sum(-1)


def _qr_fixed(lib, x, mode="reduced"):
    """Q and R of ``x`` with R's diagonal made positive: the sign-free QR."""
    q, r = lib.linalg.qr(x, mode=mode)
    k = min(x.shape[-2:])
    d = lib.sign(_diag(lib, r[..., :k, :k]))
    return q[..., :k] * d.unsqueeze(-2), r[..., :k, :] * d.unsqueeze(-1)


def _usv(lib, x, full=False):
    u, s, vh = lib.linalg.svd(x, full_matrices=full)
    k = s.shape[-1]
    return u[..., :k] * s.unsqueeze(-2) @ vh[..., :k, :]


def _vv(lib, x, which, full=False):
    """``U * U`` or ``Vh * Vh`` (restricted to the k singular vectors): sign-free."""
    u, s, vh = lib.linalg.svd(x, full_matrices=full)
    k = s.shape[-1]
    m = u[..., :k] if which == "U" else vh[..., :k, :]
    return m * m * (s.unsqueeze(-2) if which == "U" else s.unsqueeze(-1))


SQUARE = [(3, 3), (2, 3, 3), (1, 1), (0, 0)]
MATRICES = [(3, 3), (4, 3), (3, 4), (2, 4, 3), (0, 3)]

ROWS: list = [
    # ---- matrix products
    OpInfo("matmul", "batched", samples=[((2, 2, 3), (3, 4)), ((3,), (2, 3, 4)),
                                         ((2, 1, 2, 3), (3, 3, 2)), ((2, 3, 4), (4,)),
                                         ((0, 3), (3, 2)), ((2, 0), (0, 3))]),
    OpInfo("matmul", "transposed", lambda lib, x, y: x.mT @ y, [((3, 2), (3, 4))]),
    OpInfo("mm", "more", samples=[((0, 3), (3, 2)), ((2, 0), (0, 3))]),
    OpInfo("mm", "transposed", lambda lib, x, y: lib.mm(x.t(), y.t()), [((3, 2), (4, 3))]),
    OpInfo("bmm", samples=[((2, 2, 3), (2, 3, 4)), ((0, 2, 3), (0, 3, 1)),
                           ((1, 2, 0), (1, 0, 3))]),
    OpInfo("bmm", "method", lambda lib, x, y: x.mT.bmm(y), [((2, 3, 2), (2, 3, 4))]),
    OpInfo("mv", samples=[((2, 3), (3,)), ((0, 3), (3,)), ((2, 0), (0,))]),
    OpInfo("mv", "method", lambda lib, x, y: x.t().mv(y), [((3, 2), (3,))]),
    OpInfo("dot", samples=[((3,), (3,)), ((0,), (0,))]),
    OpInfo("dot", "method", lambda lib, x, y: x.dot(y), [((4,), (4,))]),
    OpInfo("vdot", samples=[((3,), (3,)), ((0,), (0,))]),
    OpInfo("inner", samples=[((3,), (3,)), ((2, 3), (4, 3)), ((), (2, 3)), ((2, 3), (3,)),
                             ((2, 1, 3), (2, 3)), ((0, 3), (2, 3))]),
    OpInfo("outer", samples=[((3,), (2,)), ((0,), (2,))], aliases=("ger",)),
    OpInfo("outer", "method", lambda lib, x, y: x.outer(y), [((3,), (2,))]),
    OpInfo("addmm", samples=[((4,), (2, 3), (3, 4)), ((2, 4), (2, 3), (3, 4)),
                             ((), (2, 3), (3, 4)), ((2, 1), (2, 0), (0, 3))]),
    OpInfo("addmm", "beta_alpha", lambda lib, i, a, b: lib.addmm(i, a, b, beta=0.5, alpha=2),
           [((2, 4), (2, 3), (3, 4))]),
    OpInfo("addmm", "beta0", lambda lib, i, a, b: i.addmm(a, b, beta=0, alpha=-1.5),
           [((2, 4), (2, 3), (3, 4))]),
    OpInfo("addmv", samples=[((2,), (2, 3), (3,)), ((), (2, 3), (3,)), ((1,), (2, 3), (3,))]),
    OpInfo("addmv", "beta_alpha", lambda lib, i, a, b: lib.addmv(i, a, b, beta=2, alpha=0.5),
           [((2,), (2, 3), (3,))]),
    OpInfo("addbmm", samples=[((3, 5), (2, 3, 4), (2, 4, 5)), ((5,), (2, 3, 4), (2, 4, 5)),
                              ((3, 5), (0, 3, 4), (0, 4, 5))]),
    OpInfo("addbmm", "beta_alpha",
           lambda lib, i, a, b: i.addbmm(a, b, beta=-1, alpha=3),
           [((3, 5), (2, 3, 4), (2, 4, 5))]),
    OpInfo("baddbmm", samples=[((2, 3, 5), (2, 3, 4), (2, 4, 5)), ((3, 5), (2, 3, 4), (2, 4, 5)),
                               ((), (2, 3, 4), (2, 4, 5))]),
    OpInfo("baddbmm", "beta_alpha",
           lambda lib, i, a, b: lib.baddbmm(i, a, b, beta=0.25, alpha=-2),
           [((2, 3, 5), (2, 3, 4), (2, 4, 5))]),
    # ---- einsum, tensordot, kron, cross
    OpInfo("einsum", "matmul", lambda lib, x, y: lib.einsum("ij,jk->ik", x, y),
           [((2, 3), (3, 4)), ((0, 3), (3, 4))]),
    OpInfo("einsum", "bmm", lambda lib, x, y: lib.einsum("bij,bjk->bik", x, y),
           [((2, 2, 3), (2, 3, 4))]),
    OpInfo("einsum", "diagonal", lambda lib, x: lib.einsum("ii->i", x), [(3, 3)]),
    OpInfo("einsum", "trace", lambda lib, x: lib.einsum("ii", x), [(3, 3)]),
    OpInfo("einsum", "repeated3", lambda lib, x: lib.einsum("iji->j", x), [(2, 3, 2)]),
    OpInfo("einsum", "sum", lambda lib, x: lib.einsum("ij->", x), [(2, 3)]),
    OpInfo("einsum", "row_sums", lambda lib, x, y: lib.einsum("ij,k->i", x, y),
           [((2, 3), (4,))]),
    OpInfo("einsum", "outer", lambda lib, x, y: lib.einsum("i,j->ij", x, y), [((3,), (2,))]),
    OpInfo("einsum", "transpose", lambda lib, x: lib.einsum("ij->ji", x), [(2, 3)]),
    OpInfo("einsum", "implicit", lambda lib, x, y: lib.einsum("bA,Ac", x, y),
           [((2, 3), (3, 4))]),
    OpInfo("einsum", "ellipsis", lambda lib, x, y: lib.einsum("...ij,...jk", x, y),
           [((2, 1, 2, 3), (5, 3, 4)), ((2, 3), (3, 4))]),
    OpInfo("einsum", "ellipsis_mid", lambda lib, x, y: lib.einsum("i...,i...->...", x, y),
           [((2, 3), (2, 1)), ((2, 3, 4), (2, 4))]),
    OpInfo("einsum", "broadcast1", lambda lib, x, y: lib.einsum("i,i->i", x, y),
           [((1,), (3,))]),
    OpInfo("einsum", "chain", lambda lib, x, y, z: lib.einsum("ij,jk,kl->il", x, y, z),
           [((2, 3), (3, 4), (4, 2))]),
    OpInfo("einsum", "same_operand", lambda lib, x: lib.einsum("ij,ij->i", x, x), [(2, 3)]),
    OpInfo("einsum", "list", lambda lib, x, y: lib.einsum("ij,j->i", [x, y]),
           [((2, 3), (3,))]),
    OpInfo("einsum", "sublist", lambda lib, x, y: lib.einsum(x, [0, 1], y, [1, 2], [2, 0]),
           [((2, 3), (3, 4))]),
    OpInfo("tensordot", samples=[((2, 3, 4), (3, 4, 5)), ((3, 4), (3, 4))]),
    OpInfo("tensordot", "lists", lambda lib, x, y: lib.tensordot(x, y, ([1, 0], [0, 2])),
           [((3, 2, 4), (2, 5, 3))]),
    OpInfo("tensordot", "dims0", lambda lib, x, y: lib.tensordot(x, y, 0), [((2,), (3, 2))]),
    OpInfo("tensordot", "dims1", lambda lib, x, y: lib.tensordot(x.mT, y, dims=1),
           [((3, 2), (3, 4)), ((0, 2), (0, 4))]),
    OpInfo("kron", samples=[((2, 3), (2, 2)), ((2,), (3,)), ((2, 3), (4, 1, 2)), ((), (2,)),
                            ((0, 2), (2, 2))]),
    OpInfo("cross", samples=[((3,), (3,)), ((2, 3), (1, 3)), ((3, 2), (3, 2)), ((0, 3), (1, 3))]),
    OpInfo("cross", "dim", lambda lib, x, y: lib.cross(x, y, dim=-1), [((3, 3), (3, 3))]),
    OpInfo("linalg.cross", "", lambda lib, x, y: lib.linalg.cross(x, y),
           [((3,), (3,)), ((2, 3), (1, 3)), ((2, 0, 3), (2, 1, 3))]),
    OpInfo("linalg.cross", "dim", lambda lib, x, y: lib.linalg.cross(x.mT, y, dim=0),
           [((2, 3), (3, 2))]),
    # ---- norms
    *[OpInfo("linalg.vector_norm", f"ord{o}", lambda lib, x, o=o: lib.linalg.vector_norm(x, o),
             [(3,), (), (2, 3), (0, 2)] if o >= 0 and o != INF else [(3,), (), (2, 3)],
             away_from=(0,), avoid_width=0.1)
      for o in (2, 1, 3, 1.5, 0.5, INF, -INF, 0, -1, -0.5)],
    OpInfo("linalg.vector_norm", "dim",
           lambda lib, x: lib.linalg.vector_norm(x, dim=(0, 2), keepdim=True),
           [(2, 3, 2), (2, 0, 2)]),
    OpInfo("linalg.vector_norm", "dim_inf",
           lambda lib, x: lib.linalg.vector_norm(x, -INF, dim=-1), [(2, 3)]),
    OpInfo("linalg.vector_norm", "dim_p", lambda lib, x: lib.linalg.vector_norm(x, 3, dim=0),
           [(2, 3)], away_from=(0,)),
    OpInfo("linalg.vector_norm", "dtype",
           lambda lib, x: lib.linalg.vector_norm(x, dtype=x.dtype), [(3,)]),
    *[OpInfo("linalg.matrix_norm", str(o), lambda lib, x, o=o: lib.linalg.matrix_norm(x, o),
             [(3, 3), (2, 4, 3), (3, 2)] + ([(0, 3)] if o in ("fro", "nuc", 1, -1) else []),
             rtol=1e-4)
      for o in ("fro", "nuc", 2, -2, 1, -1, INF, -INF)],
    OpInfo("linalg.matrix_norm", "dims",
           lambda lib, x: lib.linalg.matrix_norm(x, 1, dim=(2, 0), keepdim=True),
           [(3, 2, 4)]),
    OpInfo("linalg.matrix_norm", "nuc_dims",
           lambda lib, x: lib.linalg.matrix_norm(x, "nuc", dim=(0, 2), keepdim=True),
           [(3, 2, 4)], rtol=1e-4),
    OpInfo("linalg.norm", "", lambda lib, x: lib.linalg.norm(x), [(3,), (2, 3), (2, 2, 2), ()]),
    OpInfo("linalg.norm", "ord", lambda lib, x: lib.linalg.norm(x, INF), [(3,), (2, 3)]),
    OpInfo("linalg.norm", "nuc", lambda lib, x: lib.linalg.norm(x, "nuc"), [(3, 2)]),
    OpInfo("linalg.norm", "dim", lambda lib, x: lib.linalg.norm(x, 1, dim=1), [(2, 3)]),
    OpInfo("linalg.norm", "dims", lambda lib, x: lib.linalg.norm(x, dim=(0, 1)), [(2, 3, 2)]),
    OpInfo("linalg.vecdot", "", lambda lib, x, y: lib.linalg.vecdot(x, y),
           [((2, 3), (3,)), ((0, 3), (3,))]),
    # ---- determinants, inverses, solvers
    OpInfo("linalg.det", "", lambda lib, x: lib.linalg.det(x), SQUARE + [(2, 0, 0)]),
    OpInfo("linalg.det", "transposed", lambda lib, x: lib.linalg.det(x.mT), [(2, 4, 4)]),
    OpInfo("det", samples=[(3, 3), (2, 2, 2)]),
    OpInfo("det", "method", lambda lib, x: x.det(), [(3, 3)]),
    OpInfo("linalg.slogdet", "logabsdet", lambda lib, x: lib.linalg.slogdet(x).logabsdet,
           SQUARE),
    OpInfo("linalg.slogdet", "sign", lambda lib, x: lib.linalg.slogdet(x)[0], SQUARE,
           grad=False),
    OpInfo("slogdet", "", lambda lib, x: lib.slogdet(x).logabsdet, [(3, 3)]),
    OpInfo("logdet", "", lambda lib, x: lib.logdet(_spd(lib, x)), [(3, 3), (2, 2, 2)]),
    OpInfo("logdet", "method", lambda lib, x: _spd(lib, x).logdet(), [(3, 3)]),
    OpInfo("logdet", "negative", lambda lib, x: x.logdet(), [(2, 3, 3)], grad=False),
    OpInfo("linalg.inv", "", lambda lib, x: lib.linalg.inv(x), SQUARE, rtol=1e-4),
    OpInfo("linalg.inv", "transposed", lambda lib, x: lib.linalg.inv(x.mT), [(3, 3)],
           rtol=1e-4),
    OpInfo("inverse", "", lambda lib, x: x.inverse(), [(3, 3)], rtol=1e-4),
    OpInfo("linalg.solve", "", lambda lib, a, b: lib.linalg.solve(a, b),
           [((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 3, 3), (3,)), ((2, 3, 3), (2, 3)),
            ((3, 3), (2, 3, 4)), ((2, 1, 3, 3), (4, 3, 1)), ((0, 0), (0,))], rtol=1e-4),
    OpInfo("linalg.solve", "left_false",
           lambda lib, a, b: lib.linalg.solve(a, b, left=False),
           [((3, 3), (2, 3)), ((2, 3, 3), (4, 3))], rtol=1e-4),
    OpInfo("linalg.solve_triangular", "upper",
           lambda lib, a, b: lib.linalg.solve_triangular(a + 3 * _eye(lib, a), b, upper=True),
           [((3, 3), (3, 2)), ((2, 3, 3), (3, 1)), ((3, 3), (2, 3, 4)), ((0, 0), (0, 2))],
           rtol=1e-4),
    OpInfo("linalg.solve_triangular", "lower_right",
           lambda lib, a, b: lib.linalg.solve_triangular(a + 3 * _eye(lib, a), b, upper=False,
                                                         left=False), [((3, 3), (2, 3))],
           rtol=1e-4),
    OpInfo("linalg.solve_triangular", "unit",
           lambda lib, a, b: lib.linalg.solve_triangular(a.mT, b, upper=False,
                                                         unitriangular=True),
           [((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 1))], rtol=1e-4),
    OpInfo("linalg.matrix_power", "", lambda lib, x: lib.linalg.matrix_power(x, 3),
           [(3, 3), (2, 2, 2), (0, 0)]),
    *[OpInfo("linalg.matrix_power", f"n{n}", lambda lib, x, n=n: lib.linalg.matrix_power(x, n),
             [(3, 3)], rtol=1e-4) for n in (-2, 0, 1, 6)],
    OpInfo("matrix_power", "", lambda lib, x: x.matrix_power(2), [(3, 3)]),
    OpInfo("linalg.multi_dot", "", lambda lib, *xs: lib.linalg.multi_dot(xs),
           [((3,), (3, 4), (4, 2), (2,)), ((2, 3), (3, 4)), ((5, 1), (1, 4), (4, 6), (6, 2)),
            ((3,), (3,))]),
    OpInfo("linalg.pinv", "", lambda lib, x: lib.linalg.pinv(x), MATRICES, rtol=1e-4),
    OpInfo("linalg.pinv", "hermitian",
           lambda lib, x: lib.linalg.pinv(_sym(x), hermitian=True), [(3, 3)], rtol=1e-4),
    OpInfo("pinverse", "", lambda lib, x: x.pinverse(), [(4, 3)], rtol=1e-4),
    OpInfo("linalg.matrix_rank", "", lambda lib, x: lib.linalg.matrix_rank(x),
           MATRICES, grad=False),
    OpInfo("linalg.matrix_rank", "low", lambda lib, x: lib.linalg.matrix_rank(x @ x.mT),
           [(4, 2)], grad=False),
    OpInfo("linalg.matmul", "", lambda lib, x, y: lib.linalg.matmul(x, y), [((2, 3), (3,))]),
    # ---- decompositions
    OpInfo("linalg.cholesky", "", lambda lib, x: lib.linalg.cholesky(_spd(lib, x)), SQUARE,
           rtol=1e-4),
    OpInfo("linalg.cholesky", "upper",
           lambda lib, x: lib.linalg.cholesky(_spd(lib, x), upper=True), [(3, 3), (2, 2, 2)],
           rtol=1e-4),
    OpInfo("cholesky", "", lambda lib, x: lib.cholesky(_spd(lib, x)), [(3, 3)], rtol=1e-4),
    OpInfo("cholesky", "upper", lambda lib, x: _spd(lib, x).cholesky(True), [(3, 3)],
           rtol=1e-4),
    OpInfo("linalg.qr", "Q", lambda lib, x: _qr_fixed(lib, x)[0], MATRICES, rtol=1e-4),
    OpInfo("linalg.qr", "R", lambda lib, x: _qr_fixed(lib, x)[1], MATRICES, rtol=1e-4),
    OpInfo("linalg.qr", "complete",
           lambda lib, x: lib.matmul(*_qr_fixed(lib, x, "complete")), [(3, 3), (3, 4)],
           rtol=1e-4),
    OpInfo("linalg.qr", "r", lambda lib, x: lib.linalg.qr(x, mode="r").R.abs(), [(4, 3)],
           grad=False),
    OpInfo("qr", "", lambda lib, x: _diag(lib, lib.qr(x).R).abs(), [(4, 3)], rtol=1e-4),
    OpInfo("linalg.eigh", "eigenvalues", lambda lib, x: lib.linalg.eigh(_sym(x)).eigenvalues,
           SQUARE, rtol=1e-4),
    OpInfo("linalg.eigh", "eigenvectors",
           lambda lib, x: lib.linalg.eigh(_sym(x))[1] ** 2, SQUARE, rtol=1e-4),
    OpInfo("linalg.eigh", "upper",
           lambda lib, x: (lambda w, v: v * v * w.unsqueeze(-2))(
               *lib.linalg.eigh(_sym(x), UPLO="U")), [(3, 3), (2, 4, 4)], rtol=1e-4),
    OpInfo("linalg.eigh", "lower_only", lambda lib, x: lib.linalg.eigh(x).eigenvalues,
           [(3, 3)], grad=False, rtol=1e-4),
    OpInfo("linalg.eigh", "upper_only", lambda lib, x: lib.linalg.eigh(x, "U").eigenvalues,
           [(3, 3)], grad=False, rtol=1e-4),
    OpInfo("linalg.eigvalsh", "", lambda lib, x: lib.linalg.eigvalsh(_sym(x)), SQUARE,
           rtol=1e-4),
    OpInfo("linalg.svd", "USVh", lambda lib, x: _usv(lib, x), MATRICES, rtol=1e-4),
    OpInfo("linalg.svd", "U", lambda lib, x: _vv(lib, x, "U"), MATRICES, rtol=1e-4),
    OpInfo("linalg.svd", "Vh", lambda lib, x: _vv(lib, x, "Vh"), MATRICES, rtol=1e-4),
    OpInfo("linalg.svd", "full_U", lambda lib, x: _vv(lib, x, "U", True),
           [(4, 3), (3, 4)], rtol=1e-4),
    OpInfo("linalg.svd", "full_Vh", lambda lib, x: _vv(lib, x, "Vh", True),
           [(4, 3), (3, 4)], rtol=1e-4),
    OpInfo("linalg.svd", "S", lambda lib, x: lib.linalg.svd(x).S, MATRICES, rtol=1e-4),
    OpInfo("linalg.svdvals", "", lambda lib, x: lib.linalg.svdvals(x), MATRICES, rtol=1e-4),
    OpInfo("svd", "", lambda lib, x: (lambda u, s, v: u * s.unsqueeze(-2) @ v.mT)(*lib.svd(x)),
           [(4, 3), (3, 4)], rtol=1e-4),
    OpInfo("svd", "S", lambda lib, x: x.svd(some=False).S, [(4, 3)], rtol=1e-4),
]
