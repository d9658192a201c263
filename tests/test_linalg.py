"""Linear algebra beyond the OpInfo rows: torch's errors and messages, LinAlgError,
named result tuples, gradients at special points (singular matrices, zero vectors,
ties), and the sign-free parts of eigen- and singular vectors."""

import warnings

import numpy as np
import pytest
import torch

import ember

from conftest import assert_same, pair, raises_like

RNG = np.random.default_rng(0)


def same_error(fn):
    """``fn(lib)`` raises the same exception type and message under ember and torch."""
    err = raises_like(lambda: fn(ember), lambda: fn(torch))
    with pytest.raises(Exception) as t_info, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fn(torch)
    assert str(err) == str(t_info.value)


def both(shape, requires_grad=False, array=None):
    a = RNG.standard_normal(shape) if array is None else np.asarray(array, dtype=float)
    return pair(a, requires_grad)


def grads(fn, *arrays):
    """The gradients of ``fn(lib, *inputs).sum()``-like losses under both libraries."""
    out = []
    for lib in (ember, torch):
        xs = [lib.tensor(np.asarray(a, dtype=float), requires_grad=True) for a in arrays]
        y = fn(lib, *xs)
        out.append(lib.autograd.grad(y, xs))
    return out


# ---------------------------------------------------------------- products: errors

ERRORS = {
    "mm_shapes": lambda lib: lib.mm(lib.ones(2, 3), lib.ones(4, 5)),
    "mm_vector": lambda lib: lib.mm(lib.ones(3), lib.ones(3, 2)),
    "mm_dtype": lambda lib: lib.mm(lib.ones(2, 3), lib.ones(3, 2, dtype=lib.float64)),
    "matmul_0d": lambda lib: lib.matmul(lib.ones(()), lib.ones(3)),
    "matmul_vec_mat": lambda lib: lib.ones(3) @ lib.ones(4, 5),
    "matmul_folded": lambda lib: lib.ones(2, 3, 4) @ lib.ones(5, 6),
    "matmul_mat_vec": lambda lib: lib.ones(2, 3) @ lib.ones(4),
    "matmul_batch": lambda lib: lib.ones(2, 3, 4) @ lib.ones(2, 5, 6),
    "matmul_broadcast": lambda lib: lib.ones(4, 2, 3, 4) @ lib.ones(3, 4, 6),
    "matmul_dtype": lambda lib: lib.ones(2, 3, 4) @ lib.ones(4, 3, dtype=lib.float64),
    "matmul_long": lambda lib: lib.mm(lib.ones(2, 3), lib.ones(3, 2, dtype=lib.long)),
    "matmul_number": lambda lib: lib.matmul(lib.ones(3), 2),
    "bmm_3d": lambda lib: lib.bmm(lib.ones(3, 4), lib.ones(3, 4, 6)),
    "bmm_shapes": lambda lib: lib.bmm(lib.ones(2, 3, 4), lib.ones(3, 4, 6)),
    "bmm_dtype": lambda lib: lib.bmm(lib.ones(1, 2, 3), lib.ones(1, 3, 3, dtype=lib.float64)),
    "mv_shapes": lambda lib: lib.mv(lib.ones(2, 3), lib.ones(4)),
    "mv_dims": lambda lib: lib.mv(lib.ones(2, 3), lib.ones(3, 1)),
    "mv_dtype": lambda lib: lib.mv(lib.ones(2, 3), lib.ones(3, dtype=lib.float64)),
    "dot_sizes": lambda lib: lib.dot(lib.ones(3), lib.ones(4)),
    "dot_dims": lambda lib: lib.dot(lib.ones(3, 1), lib.ones(3)),
    "dot_dtype": lambda lib: lib.dot(lib.ones(3), lib.ones(3, dtype=lib.float64)),
    "vdot_sizes": lambda lib: lib.vdot(lib.ones(3), lib.ones(4)),
    "inner_sizes": lambda lib: lib.inner(lib.ones(2, 3), lib.ones(4)),
    "outer_dims": lambda lib: lib.outer(lib.ones(2, 2), lib.ones(3)),
    "addmm_input": lambda lib: lib.addmm(lib.ones(3), lib.ones(2, 3), lib.ones(3, 4)),
    "addmm_input_dims": lambda lib: lib.addmm(lib.ones(2, 2, 4), lib.ones(2, 3), lib.ones(3, 4)),
    "addmm_shapes": lambda lib: lib.addmm(lib.ones(2, 4), lib.ones(2, 3), lib.ones(4, 4)),
    "addmm_matrix": lambda lib: lib.addmm(lib.ones(3), lib.ones(2), lib.ones(3, 4)),
    "addmm_dtype": lambda lib: lib.addmm(lib.ones(2, 3), lib.ones(2, 3),
                                         lib.ones(3, 3, dtype=lib.float64)),
    "addmv_input": lambda lib: lib.addmv(lib.ones(3), lib.ones(2, 3), lib.ones(3)),
    "addmv_dims": lambda lib: lib.addmv(lib.ones(2, 2), lib.ones(2, 3), lib.ones(3)),
    "addbmm_batches": lambda lib: lib.addbmm(lib.ones(3, 5), lib.ones(2, 3, 4),
                                             lib.ones(3, 4, 5)),
    "einsum_sizes": lambda lib: lib.einsum("ij,jk", lib.ones(2, 3), lib.ones(4, 5)),
    "einsum_operands": lambda lib: lib.einsum("ij,jk->", lib.ones(2, 3)),
    "einsum_more_operands": lambda lib: lib.einsum("ij", lib.ones(2, 3), lib.ones(2)),
    "einsum_repeated": lambda lib: lib.einsum("ii", lib.ones(2, 3)),
    "einsum_out_repeated": lambda lib: lib.einsum("i,j->ii", lib.ones(2), lib.ones(2)),
    "einsum_out_unknown": lambda lib: lib.einsum("i->j", lib.ones(3)),
    "einsum_subscripts": lambda lib: lib.einsum("ij", lib.ones(3)),
    "einsum_char": lambda lib: lib.einsum("i-j", lib.ones(3)),
    "einsum_dot": lambda lib: lib.einsum("i.j", lib.ones(3, 3)),
    "einsum_ellipsis": lambda lib: lib.einsum("...i,...i", lib.ones(2, 3), lib.ones(4, 3)),
    "einsum_dtype": lambda lib: lib.einsum("i,i", lib.ones(3), lib.ones(3, dtype=lib.float64)),
    "tensordot_sizes": lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(4, 5), 1),
    "tensordot_lists": lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(4, 5), ([-1], [0])),
    "tensordot_negative": lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(3, 5), -1),
    "tensordot_lengths": lambda lib: lib.tensordot(lib.ones(2, 3, 4), lib.ones(3, 4, 5),
                                                   dims=([1, 2], [0])),
    "tensordot_dtype": lambda lib: lib.tensordot(lib.ones(2, 3),
                                                 lib.ones(3, 2, dtype=lib.float64), 1),
    "cross_no3": lambda lib: lib.cross(lib.ones(4, 2), lib.ones(4, 2)),
    "cross_length": lambda lib: lib.linalg.cross(lib.ones(3, 2), lib.ones(3, 2)),
    "cross_dim": lambda lib: lib.linalg.cross(lib.ones(2, 3), lib.ones(2, 3), dim=0),
    "cross_broadcast": lambda lib: lib.linalg.cross(lib.ones(2, 3), lib.ones(4, 3)),
    "cross_ndim": lambda lib: lib.linalg.cross(lib.ones(2, 3), lib.ones(3)),
    "cross_dtype": lambda lib: lib.linalg.cross(lib.ones(3), lib.ones(3, dtype=lib.float64)),
    "cross_bad_dim": lambda lib: lib.cross(lib.ones(2, 3), lib.ones(2, 3), dim=5),
}


@pytest.mark.parametrize("name", ERRORS)
def test_product_errors_match_torch(name):
    same_error(ERRORS[name])


# ---------------------------------------------------------------- linalg: errors

SINGULAR = [[1.0, 2.0], [2.0, 4.0]]
SINGULAR3 = [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]]

LINALG_ERRORS = {
    "inv_square": lambda lib: lib.linalg.inv(lib.ones(2, 3)),
    "inv_1d": lambda lib: lib.linalg.inv(lib.ones(3)),
    "inv_long": lambda lib: lib.linalg.inv(lib.ones(3, 3, dtype=lib.long)),
    "inv_half": lambda lib: lib.linalg.inv(lib.ones(3, 3, dtype=lib.half)),
    "inv_singular": lambda lib: lib.linalg.inv(lib.tensor(SINGULAR)),
    "inv_singular3": lambda lib: lib.linalg.inv(lib.tensor(SINGULAR3)),
    "inv_zeros": lambda lib: lib.linalg.inv(lib.zeros(3, 3)),
    "inv_batch": lambda lib: lib.linalg.inv(lib.tensor([np.eye(2).tolist(), SINGULAR])),
    "inverse_singular": lambda lib: lib.inverse(lib.tensor(SINGULAR)),
    "matrix_power_singular": lambda lib: lib.linalg.matrix_power(lib.tensor(SINGULAR), -1),
    "matrix_power_square": lambda lib: lib.linalg.matrix_power(lib.ones(2, 3), 2),
    "det_square": lambda lib: lib.linalg.det(lib.ones(2, 3)),
    "det_1d": lambda lib: lib.linalg.det(lib.ones(3)),
    "det_long": lambda lib: lib.linalg.det(lib.ones(2, 2, dtype=lib.long)),
    "slogdet_square": lambda lib: lib.linalg.slogdet(lib.ones(2, 3)),
    "solve_square": lambda lib: lib.linalg.solve(lib.ones(2, 3), lib.ones(2)),
    "solve_singular": lambda lib: lib.linalg.solve(lib.tensor(SINGULAR), lib.ones(2)),
    "solve_singular_batch": lambda lib: lib.linalg.solve(
        lib.tensor([np.eye(2).tolist(), SINGULAR]), lib.ones(2)),
    "solve_vector": lambda lib: lib.linalg.solve(lib.eye(3), lib.ones(2)),
    "solve_matrix": lambda lib: lib.linalg.solve(lib.eye(3), lib.ones(2, 3)),
    "solve_batch_matrix": lambda lib: lib.linalg.solve(lib.ones(2, 3, 3), lib.ones(4, 3)),
    "solve_left_false": lambda lib: lib.linalg.solve(lib.eye(3), lib.ones(3, 4), left=False),
    "solve_left_false_vector": lambda lib: lib.linalg.solve(lib.eye(3), lib.ones(3),
                                                            left=False),
    "solve_left_false_vector1": lambda lib: lib.linalg.solve(lib.eye(1), lib.ones(1),
                                                             left=False),
    "solve_broadcast": lambda lib: lib.linalg.solve(lib.ones(2, 3, 3), lib.ones(4, 3, 1)),
    "solve_dtype": lambda lib: lib.linalg.solve(lib.eye(3), lib.ones(3, dtype=lib.float64)),
    "solve_triangular_1d": lambda lib: lib.linalg.solve_triangular(lib.eye(3), lib.ones(3),
                                                                   upper=True),
    "solve_triangular_shapes": lambda lib: lib.linalg.solve_triangular(
        lib.eye(3), lib.ones(2, 3), upper=True),
    "solve_triangular_square": lambda lib: lib.linalg.solve_triangular(
        lib.ones(2, 3), lib.ones(2, 3), upper=True),
    "cholesky_square": lambda lib: lib.linalg.cholesky(lib.ones(2, 3)),
    "cholesky_pd1": lambda lib: lib.linalg.cholesky(-lib.eye(3)),
    "cholesky_pd3": lambda lib: lib.linalg.cholesky(lib.tensor([[1.0, 0, 0], [0, 2, 0],
                                                                [0, 0, -1]])),
    "cholesky_batch": lambda lib: lib.linalg.cholesky(lib.tensor([np.eye(2).tolist(),
                                                                  (-np.eye(2)).tolist()])),
    "cholesky_legacy": lambda lib: lib.cholesky(-lib.eye(2)),
    "qr_1d": lambda lib: lib.linalg.qr(lib.ones(3)),
    "qr_mode": lambda lib: lib.linalg.qr(lib.ones(3, 2), mode="foo"),
    "eigh_square": lambda lib: lib.linalg.eigh(lib.ones(2, 3)),
    "eigh_uplo": lambda lib: lib.linalg.eigh(lib.eye(3), UPLO="X"),
    "svd_1d": lambda lib: lib.linalg.svd(lib.ones(3)),
    "svdvals_long": lambda lib: lib.linalg.svdvals(lib.ones(2, 2, dtype=lib.long)),
    "multi_dot_one": lambda lib: lib.linalg.multi_dot([lib.ones(3)]),
    "multi_dot_shapes": lambda lib: lib.linalg.multi_dot([lib.ones(2, 3), lib.ones(4, 2)]),
    "multi_dot_vectors": lambda lib: lib.linalg.multi_dot([lib.ones(3), lib.ones(4, 2)]),
    "multi_dot_first": lambda lib: lib.linalg.multi_dot([lib.ones(2, 3, 3), lib.ones(3, 3)]),
    "multi_dot_last": lambda lib: lib.linalg.multi_dot([lib.ones(2, 3), lib.ones(3, 3, 3)]),
    "multi_dot_middle": lambda lib: lib.linalg.multi_dot([lib.ones(2, 3), lib.ones(2, 3, 3),
                                                          lib.ones(3)]),
    "multi_dot_dtype": lambda lib: lib.linalg.multi_dot([lib.ones(2, 3),
                                                         lib.ones(3, 3, dtype=lib.float64)]),
    "vector_norm_long": lambda lib: lib.linalg.vector_norm(lib.ones(3, dtype=lib.long)),
    "vector_norm_ord": lambda lib: lib.linalg.vector_norm(lib.ones(3), "fro"),
    "vector_norm_empty_inf": lambda lib: lib.linalg.vector_norm(lib.zeros(0), float("inf")),
    "vector_norm_empty_neg": lambda lib: lib.linalg.vector_norm(lib.zeros(0), -1),
    "vector_norm_empty_dim": lambda lib: lib.linalg.vector_norm(lib.zeros(0, 3), float("inf"),
                                                                dim=0),
    "vector_norm_dims": lambda lib: lib.linalg.vector_norm(lib.ones(2, 3), dim=(0, 1, 0)),
    "vector_norm_dtype_long": lambda lib: lib.linalg.vector_norm(lib.ones(2), dtype=lib.long),
    "vector_norm_narrowing": lambda lib: lib.linalg.vector_norm(
        lib.ones(2, dtype=lib.float64), dtype=lib.float32),
    "matrix_norm_1d": lambda lib: lib.linalg.matrix_norm(lib.ones(3)),
    "matrix_norm_ord": lambda lib: lib.linalg.matrix_norm(lib.ones(3, 3), "abc"),
    "matrix_norm_ord3": lambda lib: lib.linalg.matrix_norm(lib.ones(3, 3), 3),
    "matrix_norm_dim": lambda lib: lib.linalg.matrix_norm(lib.ones(2, 3), dim=(0,)),
    "matrix_norm_dim3": lambda lib: lib.linalg.matrix_norm(lib.ones(2, 3), dim=(0, 1, 2)),
    "matrix_norm_same": lambda lib: lib.linalg.matrix_norm(lib.ones(2, 3), dim=(0, 0)),
    "matrix_norm_empty_min": lambda lib: lib.linalg.matrix_norm(lib.ones(0, 3), -float("inf")),
    "matrix_norm_empty_-2": lambda lib: lib.linalg.matrix_norm(lib.ones(3, 0), -2),
    "norm_dims": lambda lib: lib.linalg.norm(lib.ones(2, 3), dim=(0, 1, 1)),
    "norm_3d": lambda lib: lib.linalg.norm(lib.ones(2, 2, 2), 2),
    "norm_fro_1d": lambda lib: lib.linalg.norm(lib.ones(3), "fro"),
    "norm_matrix_dim": lambda lib: lib.linalg.norm(lib.ones(3, 3), "fro", dim=0),
}


@pytest.mark.parametrize("name", LINALG_ERRORS)
def test_linalg_errors_match_torch(name):
    same_error(LINALG_ERRORS[name])


def test_linalg_error_is_a_runtime_error_users_can_catch():
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.inv(ember.zeros(2, 2))
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.cholesky(-ember.eye(2))
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.solve(ember.zeros(2, 2), ember.ones(2))


def test_qr_backward_errors_match_torch():
    for mode, shape in (("r", (4, 3)), ("complete", (4, 3))):
        def fn(lib, mode=mode, shape=shape):
            x = lib.ones(shape, requires_grad=True) + lib.eye(*shape)
            return lib.linalg.qr(x, mode=mode).R.sum().backward()
        same_error(fn)


# ---------------------------------------------------------------- results as torch's


def test_named_tuples_print_as_torch():
    e, t = pair([[2.0, 1.0], [1.0, 3.0]])
    for fn in (lambda lib, x: lib.linalg.slogdet(x), lambda lib, x: lib.slogdet(x),
               lambda lib, x: lib.linalg.eigh(x), lambda lib, x: lib.linalg.svd(x).S,
               lambda lib, x: type(lib.linalg.svd(x)).__name__,
               lambda lib, x: type(lib.svd(x)).__name__,
               lambda lib, x: type(lib.linalg.qr(x)).__name__,
               lambda lib, x: type(lib.qr(x)).__name__):
        assert repr(fn(ember, e)) == repr(fn(torch, t))
    s = ember.linalg.slogdet(e)
    assert s.sign is s[0] and s.logabsdet is s[1]


GRAD_FNS = {
    "bmm": lambda lib, x: lib.bmm(x.unsqueeze(0), x.unsqueeze(0)),
    "mv": lambda lib, x: lib.mv(x, x[0]),
    "dot": lambda lib, x: lib.dot(x[0], x[1]),
    "vdot": lambda lib, x: lib.vdot(x[0], x[1]),
    "outer": lambda lib, x: lib.outer(x[0], x[1]),
    "addmm": lambda lib, x: lib.addmm(x, x, x),
    "addmv": lambda lib, x: lib.addmv(x[0], x, x[1]),
    "baddbmm": lambda lib, x: lib.baddbmm(x, x.unsqueeze(0), x.unsqueeze(0)),
    "addbmm": lambda lib, x: lib.addbmm(x, x.unsqueeze(0), x.unsqueeze(0)),
    "cross": lambda lib, x: lib.linalg.cross(x, x),
    "vector_norm": lambda lib, x: lib.linalg.vector_norm(x),
    "fro": lambda lib, x: lib.linalg.matrix_norm(x),
    "det": lambda lib, x: lib.linalg.det(x),
    "slogdet": lambda lib, x: lib.linalg.slogdet(x)[1],
    "inv": lambda lib, x: lib.linalg.inv(x),
    "solve": lambda lib, x: lib.linalg.solve(x, x),
    "solve_triangular": lambda lib, x: lib.linalg.solve_triangular(x, x, upper=True),
    "cholesky": lambda lib, x: lib.linalg.cholesky(x @ x.mT),
    "cholesky_legacy": lambda lib, x: lib.cholesky(x @ x.mT),
    "qr": lambda lib, x: lib.linalg.qr(x)[0],
    "eigh": lambda lib, x: lib.linalg.eigh(x)[0],
    "eigvalsh": lambda lib, x: lib.linalg.eigvalsh(x),
    "svd": lambda lib, x: lib.linalg.svd(x)[1],
    "svdvals": lambda lib, x: lib.linalg.svdvals(x),
    "pinv": lambda lib, x: lib.linalg.pinv(x),
    "matrix_power": lambda lib, x: lib.linalg.matrix_power(x, 2),
    "matrix_power0": lambda lib, x: lib.linalg.matrix_power(x, 0),
}


@pytest.mark.parametrize("name", GRAD_FNS)
def test_grad_fn_names_match_torch(name):
    e, t = both((3, 3), requires_grad=True, array=[[3.0, 1, 0], [1, 2, 0.5], [0, 0.5, 1]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        names = [type(GRAD_FNS[name](lib, x).grad_fn).__name__
                 for lib, x in ((ember, e), (torch, t))]
    assert names[0] == names[1]


def test_int_products_stay_int():
    for fn in (lambda lib: lib.dot(lib.arange(3), lib.arange(3)),
               lambda lib: lib.einsum("i,i", lib.arange(3), lib.arange(3)),
               lambda lib: lib.mm(lib.arange(6).reshape(2, 3), lib.arange(6).reshape(3, 2)),
               lambda lib: lib.outer(lib.arange(3), lib.ones(2)),
               lambda lib: lib.kron(lib.arange(3), lib.arange(2).double())):
        assert_same(fn(ember), fn(torch))


def test_addmm_with_beta_zero_ignores_nan_input():
    fn = (lambda lib: lib.addmm(lib.full((2, 2), float("nan")), lib.ones(2, 2),
                                lib.ones(2, 2), beta=0))
    assert_same(fn(ember), fn(torch))


def test_cross_without_dim_uses_the_first_dim_of_size_3():
    e, t = both((3, 3))
    e2, t2 = both((3, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(ember.cross(e, e2), torch.cross(t, t2))
        assert_same(e.cross(e2, 1), t.cross(t2, 1))


def test_einsum_sublist_with_ellipsis():
    (e, t), (e2, t2) = both((2, 3)), both((3, 4))
    fn = (lambda lib, x, y: lib.einsum(x, [0, Ellipsis], y, [Ellipsis, 2]))
    assert_same(fn(ember, e, e2), fn(torch, t, t2))
    fn = (lambda lib, x: lib.einsum(x, [30, 0]))
    assert_same(fn(ember, e), fn(torch, t))


def test_tensordot_with_tensor_dims():
    (e, t), (e2, t2) = both((2, 3)), both((3, 5))
    assert_same(ember.tensordot(e, e2, dims=ember.tensor([[1], [0]])),
                torch.tensordot(t, t2, dims=torch.tensor([[1], [0]])))


# ---------------------------------------------------------------- norms


def test_vector_norm_gradient_at_zero_is_zero_as_torch():
    for p in (2, 1, 0.5, 3, float("inf"), -1, -0.5, -float("inf")):
        e, t = grads(lambda lib, x, p=p: lib.linalg.vector_norm(x, p), np.zeros(3))
        assert_same(e, t)


def test_vector_norm_gradient_with_some_zeros():
    for p in (0.5, -1, 1, 1.5, 3, 2):
        e, t = grads(lambda lib, x, p=p: lib.linalg.vector_norm(x, p), [0.0, -2.0, 2.0])
        assert_same(e, t)


def test_vector_norm_of_order_0_has_no_gradient():
    e, t = pair([0.0, 1.0, -2.0], requires_grad=True)
    ge = ember.autograd.grad(ember.linalg.vector_norm(e, 0), e, allow_unused=True)
    gt = torch.autograd.grad(torch.linalg.vector_norm(t, 0), t, allow_unused=True)
    assert gt == (None,) and (ge[0] is None or not ge[0].numpy().any())


def test_inf_norm_splits_the_gradient_between_ties():
    for p in (float("inf"), -float("inf")):
        e, t = grads(lambda lib, x, p=p: lib.linalg.vector_norm(x, p), [1.0, -2.0, 2.0, -1.0])
        assert_same(e, t)
    e, t = grads(lambda lib, x: lib.linalg.matrix_norm(x, 1), [[1.0, 2.0], [-1.0, -2.0]])
    assert_same(e, t)


def test_vector_norm_dtype_casts_first():
    e, t = both((2, 3))
    e, t = e.float(), t.float()
    assert_same(ember.linalg.vector_norm(e, dtype=ember.float64),
                torch.linalg.vector_norm(t, dtype=torch.float64))
    assert_same(ember.linalg.norm(e, dtype=ember.float64),
                torch.linalg.norm(t, dtype=torch.float64))


def test_matrix_norms_of_empty_matrices():
    for shape in ((0, 3), (3, 0)):
        for o in ("fro", "nuc", 2, 1, -1, float("inf")):
            if shape == (3, 0) and o == -1:
                continue
            e, t = pair(np.zeros(shape))
            assert_same(ember.linalg.matrix_norm(e, o), torch.linalg.matrix_norm(t, o))


def test_norm_keepdim():
    e, t = both((2, 3, 4))
    for fn in (lambda lib, x: lib.linalg.norm(x, keepdim=True),
               lambda lib, x: lib.linalg.norm(x, 2, dim=(0, 2), keepdim=True),
               lambda lib, x: lib.linalg.matrix_norm(x, -1, dim=(2, 1), keepdim=True),
               lambda lib, x: lib.linalg.matrix_norm(x, 2, keepdim=True)):
        assert_same(fn(ember, e), fn(torch, t))


# ---------------------------------------------------------------- determinants, inverses


def test_det_gradient_of_singular_matrices_as_torch():
    """torch's first-order gradient at an exactly singular matrix is 0; under
    create_graph it is the cofactor matrix (the true derivative)."""
    for a in (SINGULAR, SINGULAR3, np.zeros((3, 3)), [[0.0, 0.0], [0.0, 1.0]]):
        for create_graph in (False, True):
            res = []
            for lib in (ember, torch):
                x = lib.tensor(np.asarray(a), requires_grad=True)
                res.append(lib.autograd.grad(lib.linalg.det(x), x, create_graph=create_graph))
            assert_same(res[0][0].detach(), res[1][0].detach(), atol=1e-12)


def test_det_of_batches_with_a_singular_matrix():
    a = np.stack([np.array(SINGULAR3), RNG.standard_normal((3, 3))])
    e, t = grads(lambda lib, x: lib.linalg.det(x).sum(), a)
    assert_same(e, t, atol=1e-12)


def test_slogdet_of_singular_matrix():
    e, t = pair(SINGULAR)
    assert_same(tuple(ember.linalg.slogdet(e)), tuple(torch.linalg.slogdet(t)))


def test_det_and_inverse_agree_with_torch_on_random_batches():
    e, t = both((4, 5, 5))
    assert_same(ember.linalg.det(e), torch.linalg.det(t), rtol=1e-9)
    assert_same(ember.linalg.inv(e), torch.linalg.inv(t), rtol=1e-8)
    assert_same(ember.det(e), torch.det(t), rtol=1e-9)


def test_solve_matches_inverse_product():
    (e, t), (eb, tb) = both((2, 4, 4)), both((2, 4, 3))
    assert_same(ember.linalg.solve(e, eb), torch.linalg.solve(t, tb), rtol=1e-8)
    assert_same(ember.linalg.solve(e, eb.mT, left=False),
                torch.linalg.solve(t, tb.mT, left=False), rtol=1e-8)


def test_solve_triangular_with_zero_pivots_gives_nan_and_inf():
    for a, upper in (([[1.0, 0.0], [1.0, 0.0]], False), ([[0.0, 1.0], [0.0, 2.0]], True),
                     ([[2.0, 1.0], [0.0, 0.0]], True)):
        e, t = pair(a)
        eb, tb = pair([[1.0, 0.0], [1.0, 2.0]])
        assert_same(ember.linalg.solve_triangular(e, eb, upper=upper),
                    torch.linalg.solve_triangular(t, tb, upper=upper))


def test_pinv_tolerances_and_rank():
    a = np.diag([3.0, 1e-3, 0.0])
    e, t = pair(a @ RNG.standard_normal((3, 3)))
    for kw in ({}, {"atol": 0.5}, {"rtol": 0.5, "atol": 0.1}, {"rtol": 1e-6}):
        assert_same(ember.linalg.pinv(e, **kw), torch.linalg.pinv(t, **kw), rtol=1e-8)
        assert_same(ember.linalg.matrix_rank(e, **kw), torch.linalg.matrix_rank(t, **kw))
    assert_same(ember.pinverse(e, rcond=0.1), torch.pinverse(t, rcond=0.1), rtol=1e-8)


def test_pinv_gradient_of_rank_deficient_matrix():
    b = RNG.standard_normal((4, 2)) @ RNG.standard_normal((2, 3))
    w = RNG.standard_normal((3, 4))
    e, t = grads(lambda lib, x: (lib.linalg.pinv(x) * lib.tensor(w)).sum(), b)
    assert_same(e, t, rtol=1e-7, atol=1e-10)


def test_matrix_power_zero_is_identity_with_zero_gradient():
    e, t = grads(lambda lib, x: lib.linalg.matrix_power(x, 0).sum(), RNG.standard_normal((2, 3, 3)))
    assert_same(e, t)


# ---------------------------------------------------------------- decompositions


def _sym(a):
    return a + a.T


def test_eigh_reconstructs_and_eigenvectors_match_up_to_sign():
    a = _sym(RNG.standard_normal((4, 4)))
    e, t = pair(a)
    we, ve = ember.linalg.eigh(e)
    wt, vt = torch.linalg.eigh(t)
    assert_same(we, wt)
    assert_same(ve.abs(), vt.abs(), atol=1e-10)
    np.testing.assert_allclose((ve * we.unsqueeze(-2) @ ve.mT).numpy(), a, atol=1e-12)


def test_eigh_gradient_wrt_a_nonsymmetric_input_is_torchs():
    """Only the triangle named by UPLO is read; torch's gradient is the symmetric one."""
    a = RNG.standard_normal((3, 3))
    gw, gv = RNG.standard_normal(3), RNG.standard_normal((3, 3))
    for uplo in ("L", "U"):
        def loss(lib, x, uplo=uplo):
            w, v = lib.linalg.eigh(x, UPLO=uplo)
            return (w * lib.tensor(gw)).sum() + (v * v * lib.tensor(gv)).sum()
        e, t = grads(loss, a)
        assert_same(e, t, rtol=1e-8, atol=1e-12)


def test_svd_factors_match_up_to_sign():
    for shape in ((4, 3), (3, 4), (2, 3, 3)):
        e, t = both(shape)
        for full in (False, True):
            ue, se, vhe = ember.linalg.svd(e, full_matrices=full)
            ut, st, vht = torch.linalg.svd(t, full_matrices=full)
            assert_same(se, st)
            k = se.shape[-1]
            assert tuple(ue.shape) == tuple(ut.shape) and tuple(vhe.shape) == tuple(vht.shape)
            assert_same(ue[..., :k].abs(), ut[..., :k].abs(), atol=1e-10)
            assert_same(vhe[..., :k, :].abs(), vht[..., :k, :].abs(), atol=1e-10)
            # the full factors are orthogonal
            eye_u = np.broadcast_to(np.eye(ue.shape[-1]), ue.shape[:-2] + (ue.shape[-1],) * 2)
            np.testing.assert_allclose((ue.mT @ ue).numpy(), eye_u, atol=1e-12)


def test_svd_gradient_with_full_matrices_ignores_the_extra_columns():
    a = RNG.standard_normal((4, 3))
    w = RNG.standard_normal((4, 3))

    def loss(lib, x):
        u, s, vh = lib.linalg.svd(x, full_matrices=True)
        return ((u[:, :3] * u[:, :3]) * lib.tensor(w)).sum() + s.sum()
    e, t = grads(loss, a)
    assert_same(e, t, rtol=1e-8, atol=1e-12)


def test_legacy_svd_returns_v_and_zeros_without_uv():
    e, t = both((3, 2))
    ue, se, ve = ember.svd(e)
    ut, st, vt = torch.svd(t)
    assert_same(se, st)
    assert_same((ue * se) @ ve.mT, (ut * st) @ vt.mT)
    assert_same(tuple(ember.svd(e, compute_uv=False)), tuple(torch.svd(t, compute_uv=False)))


def test_qr_shapes_and_reconstruction():
    for shape in ((4, 3), (3, 4), (2, 3, 3)):
        e, t = both(shape)
        for mode in ("reduced", "complete", "r"):
            qe, re = ember.linalg.qr(e, mode=mode)
            qt, rt = torch.linalg.qr(t, mode=mode)
            assert tuple(qe.shape) == tuple(qt.shape) and tuple(re.shape) == tuple(rt.shape)
            assert_same(re.abs(), rt.abs(), atol=1e-12)
            if mode != "r":
                np.testing.assert_allclose((qe @ re).numpy(), t.numpy(), atol=1e-12)


def test_cholesky_reads_the_lower_triangle():
    a = RNG.standard_normal((3, 3))
    spd = a @ a.T + np.eye(3)
    spoiled = np.tril(spd) + np.triu(RNG.standard_normal((3, 3)), 1)
    e, t = pair(spoiled)
    assert_same(ember.linalg.cholesky(e), torch.linalg.cholesky(t))
    assert_same(ember.linalg.cholesky(e, upper=True), torch.linalg.cholesky(t, upper=True))


def test_second_derivatives_of_decompositions_through_a_loss():
    """Hessian-vector products of scalar losses built on each decomposition."""
    a = RNG.standard_normal((3, 3))
    u = RNG.standard_normal((3, 3))
    losses = [
        lambda lib, x: lib.linalg.slogdet(x @ x.mT + lib.eye(3, dtype=x.dtype))[1],
        lambda lib, x: lib.linalg.cholesky(x @ x.mT + lib.eye(3, dtype=x.dtype)).sum(),
        lambda lib, x: (lib.linalg.svdvals(x) ** 3).sum(),
        lambda lib, x: (lib.linalg.eigvalsh(x + x.mT) ** 3).sum(),
        lambda lib, x: lib.linalg.pinv(x).sum(),
    ]
    for loss in losses:
        res = []
        for lib in (ember, torch):
            x = lib.tensor(a, requires_grad=True)
            (g,) = lib.autograd.grad(loss(lib, x), x, create_graph=True)
            res.append(lib.autograd.grad((g * lib.tensor(u)).sum(), x)[0])
        assert_same(res[0], res[1], rtol=1e-7, atol=1e-10)
