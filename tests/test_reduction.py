"""Reductions against torch beyond the OpInfo rows: named tuples, ties, NaN, zeros in
products, edge cases of var/std, dtypes, and the errors for bad dims and empty input."""

import math
import pickle

import numpy as np
import pytest
import torch

import ember

from conftest import assert_same, pair, raises_like

NAN, INF = float("nan"), float("inf")


def both(fn, values, requires_grad=False, dtype=None):
    """``fn`` on the same input in ember and torch: (ember input, ember out, torch
    input, torch out)."""
    e, t = pair(np.array(values, dtype=dtype), requires_grad)
    return e, fn(ember, e), t, fn(torch, t)


def same_grad(fn, values, seed=None):
    """Gradient of ``fn(lib, x)`` (weighted by ones, or by a random vector) matches."""
    e, eo, t, to = both(fn, values, requires_grad=True)
    v = np.ones(tuple(to.shape)) if seed is None else \
        np.random.default_rng(seed).standard_normal(tuple(to.shape))
    (ge,) = ember.autograd.grad(eo, e, ember.tensor(v))
    (gt,) = torch.autograd.grad(to, t, torch.tensor(v))
    assert_same(ge, gt)
    return ge


def same_gradgrad(fn, values):
    """Second derivative d/dx <d fn/dx, u> matches torch."""
    results = []
    for lib in (ember, torch):
        x = lib.tensor(np.array(values), requires_grad=True)
        out = fn(lib, x)
        (g,) = lib.autograd.grad(out, x, lib.ones_like(out), create_graph=True)
        u = lib.tensor(np.random.default_rng(3).standard_normal(tuple(x.shape)))
        (gg,) = lib.autograd.grad((g * u).sum(), x, allow_unused=True)
        results.append(gg)
    assert_same(*results)


def same_error(fn, values, dtype=None, message=True):
    """Both raise; ember raises torch's type and (by default) the same first line."""
    e, t = pair(np.array(values, dtype=dtype))
    err = raises_like(lambda: fn(ember, e), lambda: fn(torch, t))
    if message:
        with pytest.raises(Exception) as info:
            fn(torch, t)
        assert str(err).splitlines()[0] == str(info.value).splitlines()[0]


M = [[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]]  # ties in both rows

# ---------------------------------------------------------------- named tuples


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.max(1), lambda lib, x: lib.min(x, 0), lambda lib, x: x.median(1),
    lambda lib, x: lib.mode(x), lambda lib, x: x.kthvalue(2, 1, keepdim=True),
    lambda lib, x: x.cummax(1), lambda lib, x: lib.cummin(x, 0),
], ids=["max", "min", "median", "mode", "kthvalue", "cummax", "cummin"])
def test_named_tuple_prints_and_unpacks_as_torch(fn):
    e, eo, t, to = both(fn, M)
    assert repr(eo) == repr(to)
    assert str(eo) == str(to)
    assert type(eo).__name__ == type(to).__name__
    assert_same(eo.values, to.values)
    assert_same(eo.indices, to.indices)
    values, indices = eo
    assert values is eo[0] and indices is eo[1]


def test_named_tuple_repr_shows_grad_fn():
    e, eo, t, to = both(lambda lib, x: x.max(dim=1), M, requires_grad=True)
    assert repr(eo) == repr(to)


def test_named_tuple_pickles():
    r = ember.tensor(M).max(1)
    back = pickle.loads(pickle.dumps(r))
    assert type(back) is type(r)
    assert back.indices.tolist() == r.indices.tolist()


def test_var_mean_is_a_plain_tuple():
    e, eo, t, to = both(lambda lib, x: lib.var_mean(x, 1), M)
    assert type(eo) is type(to) is tuple
    assert_same(eo, to)


# ---------------------------------------------------------------- grad_fn names


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.max(), lambda lib, x: x.max(1)[0], lambda lib, x: x.min(),
    lambda lib, x: x.min(1)[0], lambda lib, x: x.amax(), lambda lib, x: x.amin(0),
    lambda lib, x: x.prod(), lambda lib, x: x.prod(1), lambda lib, x: x.var(),
    lambda lib, x: x.std(1), lambda lib, x: lib.var_mean(x)[1],
    lambda lib, x: lib.std_mean(x)[0], lambda lib, x: x.norm(),
    lambda lib, x: x.norm(1, 1), lambda lib, x: x.logsumexp(1), lambda lib, x: x.cumsum(0),
    lambda lib, x: x.cumprod(1), lambda lib, x: x.cummax(1)[0], lambda lib, x: x.cummin(0)[0],
    lambda lib, x: x.median(), lambda lib, x: x.median(0)[0], lambda lib, x: x.mode(1)[0],
    lambda lib, x: x.kthvalue(1)[0], lambda lib, x: x.nansum(), lambda lib, x: x.nanmean(),
    lambda lib, x: x.sum(), lambda lib, x: x.mean(1),
])
def test_grad_fn_names_are_torchs(fn):
    _, eo, _, to = both(fn, M, requires_grad=True)
    assert type(eo.grad_fn).__name__ == type(to.grad_fn).__name__


# ---------------------------------------------------------------- ties and selection


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.max(), lambda lib, x: x.min(), lambda lib, x: x.amax(),
    lambda lib, x: x.amax(1), lambda lib, x: x.amin((0, 1)), lambda lib, x: x.amin(0),
    lambda lib, x: x.max(1).values, lambda lib, x: x.min(0, keepdim=True).values,
    lambda lib, x: x.median(), lambda lib, x: x.median(1).values,
    lambda lib, x: x.cummax(1).values, lambda lib, x: x.cummin(0).values,
    lambda lib, x: x.norm(INF), lambda lib, x: x.norm(-INF, 1),
    lambda lib, x: x.mode(1).values, lambda lib, x: x.kthvalue(3, 1).values,
], ids=["max", "min", "amax", "amax_dim", "amin_dims", "amin_dim0", "max_dim", "min_dim",
        "median", "median_dim", "cummax", "cummin", "norm_inf", "norm_-inf", "mode",
        "kthvalue"])
def test_ties_share_or_select_gradient_as_torch(fn):
    same_grad(fn, [[1.0, 3.0, 3.0], [2.0, 0.0, 2.0], [-3.0, -3.0, 3.0]], seed=0)


def test_max_ties_split_evenly_and_max_dim_picks_first():
    g = same_grad(lambda lib, x: x.max(), [1.0, 3.0, 3.0, 0.0])
    assert g.tolist() == [0.0, 0.5, 0.5, 0.0]
    g = same_grad(lambda lib, x: x.max(0).values, [1.0, 3.0, 3.0, 0.0])
    assert g.tolist() == [0.0, 1.0, 0.0, 0.0]


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.max(), lambda lib, x: x.min(), lambda lib, x: x.median(),
    lambda lib, x: x.amax(), lambda lib, x: x.amin(0), lambda lib, x: x.max(0).values,
    lambda lib, x: x.cummax(0).values, lambda lib, x: x.logsumexp(0),
    lambda lib, x: x.cumprod(0), lambda lib, x: x.nansum(), lambda lib, x: x.nanmean(),
], ids=["max", "min", "median", "amax", "amin", "max_dim", "cummax", "logsumexp",
        "cumprod", "nansum", "nanmean"])
def test_nan_values_and_gradients_as_torch(fn):
    values = [1.0, NAN, 3.0, NAN]
    _, eo, _, to = both(fn, values)
    assert_same(eo, to)
    same_grad(fn, values)


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.max(0), lambda lib, x: x.min(0), lambda lib, x: x.argmax(),
    lambda lib, x: x.argmin(), lambda lib, x: x.median(0), lambda lib, x: x.cummax(0),
    lambda lib, x: x.cummin(0), lambda lib, x: x.kthvalue(4), lambda lib, x: x.kthvalue(5),
    lambda lib, x: x.kthvalue(2),
])
def test_nan_indices_as_torch(fn):
    _, eo, _, to = both(fn, [1.0, NAN, 3.0, NAN, 0.0])
    assert_same(eo, to)


@pytest.mark.parametrize("values", [[3, 3, 1, 3], [1, 3, 3, 1, 3], [1, 0, 0, 3, 0]])
@pytest.mark.parametrize("fn", [
    lambda lib, x: x.max(0), lambda lib, x: x.min(0), lambda lib, x: x.argmax(),
    lambda lib, x: x.argmin(), lambda lib, x: x.cummax(0), lambda lib, x: x.cummin(0),
    lambda lib, x: x.mode(),
])
def test_tie_indices_as_torch(fn, values):
    _, eo, _, to = both(fn, values)
    assert_same(eo, to)


def test_median_takes_the_lower_middle_value():
    for values in ([1.0, 2.0, 3.0, 4.0], [4.0, 1.0, 3.0, 2.0], [[4.0, 1.0], [3.0, 2.0]]):
        _, eo, _, to = both(lambda lib, x: x.median(), values)
        assert_same(eo, to)
        _, eo, _, to = both(lambda lib, x: x.median(0), values)
        assert_same(eo, to)


def test_mode_of_small_integer_rows_matches_torch():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 4, size=(200, 12))
    _, eo, _, to = both(lambda lib, x: x.mode(1), a)
    assert_same(eo, to)


# ---------------------------------------------------------------- products with zeros


ZEROS = [[2.0, 0.0, 3.0, 4.0], [0.0, 5.0, 0.0, 1.5], [1.5, 2.0, -1.0, 0.5]]


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.prod(), lambda lib, x: x.prod(1), lambda lib, x: x.prod(0),
    lambda lib, x: x.cumprod(1), lambda lib, x: x.cumprod(0), lambda lib, x: x[0].prod(),
    lambda lib, x: x[1].prod(), lambda lib, x: x[0].cumprod(0), lambda lib, x: x[1].cumprod(0),
], ids=["prod", "prod_dim1", "prod_dim0", "cumprod_dim1", "cumprod_dim0", "prod_one_zero",
        "prod_two_zeros", "cumprod_one_zero", "cumprod_two_zeros"])
def test_zeros_in_products_first_and_second_derivatives(fn):
    same_grad(fn, ZEROS, seed=0)
    same_gradgrad(fn, ZEROS)


def test_prod_gradient_with_one_zero_is_the_product_of_the_others():
    g = same_grad(lambda lib, x: x.prod(), [1.0, 3.0, 3.0, 0.0])
    assert g.tolist() == [0.0, 0.0, 0.0, 9.0]


def test_cumprod_gradient_with_zeros_matches_torch_numbers():
    g = same_grad(lambda lib, x: x.cumprod(0), [2.0, 0.0, 3.0, 4.0, 5.0])
    assert g.tolist() == [1.0, 152.0, 0.0, 0.0, 0.0]


# ---------------------------------------------------------------- var, std, logsumexp


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.std(), lambda lib, x: x.std(0), lambda lib, x: x.var(),
    lambda lib, x: lib.std_mean(x)[0], lambda lib, x: x.std(0, correction=4),
    lambda lib, x: x.var(0, correction=4), lambda lib, x: x.var(correction=5),
    lambda lib, x: x.var(0, correction=5), lambda lib, x: x.std(correction=4),
    lambda lib, x: x.norm(), lambda lib, x: x.norm(3), lambda lib, x: x.norm(0.5),
], ids=["std", "std_dim", "var", "std_mean", "std_dof0", "var_dof0", "var_dof-1_all",
        "var_dof-1", "std_dof0_all", "norm2", "norm3", "norm0.5"])
@pytest.mark.parametrize("values", [[0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 2.0, 0.0]],
                         ids=["constant", "spread"])
def test_zero_spread_and_too_large_correction_as_torch(fn, values):
    _, eo, _, to = both(fn, values)
    assert_same(eo, to)
    same_grad(fn, values)


def test_std_gradient_at_zero_variance_is_zero_as_torch():
    g = same_grad(lambda lib, x: x.std(), [2.0, 2.0, 2.0])
    assert g.tolist() == [0.0, 0.0, 0.0]


def test_var_of_one_element_is_nan_with_nan_gradient():
    for fn in (lambda lib, x: x.var(), lambda lib, x: x.std(0)):
        _, eo, _, to = both(fn, 3.0)
        assert_same(eo, to)
        same_grad(fn, 3.0)


def test_var_warns_when_degrees_of_freedom_run_out():
    with pytest.warns(UserWarning, match="degrees of freedom"):
        ember.tensor([1.0, 2.0]).var(correction=2)


@pytest.mark.parametrize("fn", [
    lambda lib, x: lib.var(x, 1, True), lambda lib, x: lib.var(x, True),
    lambda lib, x: lib.var(x, False), lambda lib, x: lib.var(x, 1, False, True),
    lambda lib, x: x.std(1, True, True), lambda lib, x: x.std(1, unbiased=False),
    lambda lib, x: x.var(dim=[0, 1], correction=2), lambda lib, x: lib.std_mean(x, 0, True),
])
def test_var_std_signatures_as_torch(fn):
    _, eo, _, to = both(fn, M)
    assert_same(eo, to)


@pytest.mark.parametrize("values", [
    [1e4, 1e4 + 1, -INF], [INF, 1.0], [-INF, -INF], [1000.0, 1000.0], [-1000.0, -1001.0],
])
def test_logsumexp_is_stable_and_handles_infinities(values):
    fn = lambda lib, x: x.logsumexp(0)  # noqa: E731
    for dtype in (np.float32, np.float64):
        _, eo, _, to = both(fn, values, dtype=dtype)
        assert_same(eo, to)
    same_grad(fn, values)


# ---------------------------------------------------------------- dtypes


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
@pytest.mark.parametrize("fn", [
    lambda lib, x: x.sum(), lambda lib, x: x.sum(0), lambda lib, x: x.prod(),
    lambda lib, x: x.prod(1), lambda lib, x: x.cumsum(1), lambda lib, x: x.cumprod(0),
    lambda lib, x: x.nansum(), lambda lib, x: x.max(), lambda lib, x: x.amin(1),
    lambda lib, x: x.cummax(1), lambda lib, x: x.all(), lambda lib, x: x.any(1),
    lambda lib, x: x.count_nonzero(), lambda lib, x: x.logsumexp(1),
    lambda lib, x: x.mode(1), lambda lib, x: x.min(0),
])
def test_integer_and_bool_dtypes_as_torch(fn, dtype):
    _, eo, _, to = both(fn, [[1, 3, 0], [2, 0, 2]], dtype=dtype)
    assert_same(eo, to)


def test_argmax_argmin_give_int64():
    for fn in (lambda lib, x: x.argmax(), lambda lib, x: x.argmin(1, keepdim=True),
               lambda lib, x: x.argmax(keepdim=True)):
        _, eo, _, to = both(fn, M)
        assert_same(eo, to)


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.sum(dtype=lib.float64), lambda lib, x: x.prod(1, dtype=lib.float64),
    lambda lib, x: x.cumsum(0, dtype=lib.float64), lambda lib, x: x.nansum(dtype=lib.float64),
    lambda lib, x: x.mean(dtype=lib.float64), lambda lib, x: x.norm(dtype=lib.float64),
    lambda lib, x: x.cumprod(1, dtype=lib.float64),
])
def test_dtype_argument_converts_and_gradient_keeps_input_dtype(fn):
    e, eo, t, to = both(fn, M, requires_grad=True, dtype=np.float32)
    assert_same(eo, to)
    (ge,) = ember.autograd.grad(eo.sum(), e)
    (gt,) = torch.autograd.grad(to.sum(), t)
    assert_same(ge, gt)


# ---------------------------------------------------------------- dim forms and empties


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.amax(dim=[0, 1]), lambda lib, x: x.sum(dim=[0, 1]),
    lambda lib, x: x.all(dim=[0]), lambda lib, x: x.any(dim=()), lambda lib, x: x.all(()),
    lambda lib, x: x.count_nonzero(()), lambda lib, x: x.amax(None), lambda lib, x: x.all(None),
    lambda lib, x: x.amin(()), lambda lib, x: x.var((0, 1)), lambda lib, x: x.logsumexp((0, 1)),
    lambda lib, x: x.norm("fro", 1), lambda lib, x: x.norm(2, (0, 1)),
    lambda lib, x: lib.max(x, dim=1, keepdim=True), lambda lib, x: x.median(dim=1, keepdim=True),
    lambda lib, x: lib.count_nonzero(x, dim=-1), lambda lib, x: lib.prod(x, dim=1, keepdim=True),
])
def test_dim_forms_as_torch(fn):
    _, eo, _, to = both(fn, M)
    assert_same(eo, to)


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.sum(0), lambda lib, x: x.prod(0), lambda lib, x: x.max(0),
    lambda lib, x: x.max(-1), lambda lib, x: x.amax(0), lambda lib, x: x.argmax(0),
    lambda lib, x: x.median(0), lambda lib, x: x.median(), lambda lib, x: x.mode(),
    lambda lib, x: x.kthvalue(1), lambda lib, x: x.cumsum(0), lambda lib, x: x.cumprod(0),
    lambda lib, x: x.cummax(0), lambda lib, x: x.logsumexp(0), lambda lib, x: x.norm(dim=0),
    lambda lib, x: x.count_nonzero(0), lambda lib, x: x.all(0), lambda lib, x: x.var(0),
])
def test_zero_dim_tensors_as_torch(fn):
    _, eo, _, to = both(fn, 5.0)
    assert_same(eo, to)


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.max(1), lambda lib, x: x.amax(1), lambda lib, x: x.argmax(1),
    lambda lib, x: x.median(), lambda lib, x: x.median(1), lambda lib, x: x.mode(1),
    lambda lib, x: x.kthvalue(1, 1), lambda lib, x: x.var(), lambda lib, x: x.var(0),
    lambda lib, x: x.std(1), lambda lib, x: x.logsumexp(0), lambda lib, x: x.logsumexp(1),
    lambda lib, x: x.prod(), lambda lib, x: x.prod(0), lambda lib, x: x.norm(),
    lambda lib, x: x.cummax(0), lambda lib, x: x.all(), lambda lib, x: x.any(0),
    lambda lib, x: x.count_nonzero(), lambda lib, x: x.nanmean(),
    lambda lib, x: x.nanmean(0), lambda lib, x: x.mean(), lambda lib, x: x.sum(0),
])
def test_empty_tensors_as_torch(fn):
    _, eo, _, to = both(fn, np.zeros((0, 3)))
    assert_same(eo, to)


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.max(), lambda lib, x: x.min(), lambda lib, x: x.amax(),
    lambda lib, x: x.amin(()), lambda lib, x: x.argmax(), lambda lib, x: x.argmin(),
])
def test_extreme_of_empty_tensor_raises_as_torch(fn):
    same_error(fn, np.zeros((0,)))


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.max(0), lambda lib, x: x.min(0), lambda lib, x: x.amax(0),
    lambda lib, x: x.amin((1, 0)), lambda lib, x: x.argmax(0), lambda lib, x: x.median(0),
    lambda lib, x: x.mode(0), lambda lib, x: x.kthvalue(1, 0), lambda lib, x: x.norm(INF),
    lambda lib, x: x.norm(INF, 0),
])
def test_reducing_an_empty_dim_raises_as_torch(fn):
    same_error(fn, np.zeros((0, 3)))


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.sum(2), lambda lib, x: x.mean(-3), lambda lib, x: x.prod(2),
    lambda lib, x: x.max(2), lambda lib, x: x.min(-3), lambda lib, x: x.amax((0, 2)),
    lambda lib, x: x.argmax(2), lambda lib, x: x.var(2), lambda lib, x: x.std((0, 5)),
    lambda lib, x: lib.var_mean(x, 2), lambda lib, x: x.norm(dim=2),
    lambda lib, x: x.logsumexp(2), lambda lib, x: x.cumsum(2), lambda lib, x: x.cumprod(-3),
    lambda lib, x: x.cummax(2), lambda lib, x: x.median(2), lambda lib, x: x.mode(2),
    lambda lib, x: x.kthvalue(1, 2), lambda lib, x: x.all(2), lambda lib, x: x.any(-3),
    lambda lib, x: x.count_nonzero(2), lambda lib, x: x.nansum(2),
    lambda lib, x: x.nanmean(2),
])
def test_dimension_out_of_range_raises_index_error_as_torch(fn):
    same_error(fn, M)


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.sum((0, 0)), lambda lib, x: x.amax((1, -1)),
    lambda lib, x: x.count_nonzero((0, 0)), lambda lib, x: x.var((0, 0)),
])
def test_repeated_dims_raise_as_torch(fn):
    same_error(fn, M)


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.argmax((0, 1)), lambda lib, x: x.cumsum((0, 1)),
    lambda lib, x: lib.logsumexp(x), lambda lib, x: lib.min(x, keepdim=True),
    lambda lib, x: x.prod((0, 1)),
], ids=["argmax_tuple", "cumsum_tuple", "logsumexp_no_dim", "min_keepdim", "prod_tuple"])
def test_bad_dim_types_raise_type_error_as_torch(fn):
    same_error(fn, M, message=False)


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.mean(), lambda lib, x: x.var(), lambda lib, x: x.std(1),
    lambda lib, x: x.norm(), lambda lib, x: x.nanmean(), lambda lib, x: lib.var_mean(x),
    lambda lib, x: lib.std_mean(x, 0), lambda lib, x: x.mean(dtype=lib.int64),
])
def test_float_only_reductions_reject_integers_as_torch(fn):
    same_error(fn, [[1, 2], [3, 4]])


def test_mean_with_integer_dtype_argument_raises_as_torch():
    same_error(lambda lib, x: x.mean(dtype=lib.int64), M)


@pytest.mark.parametrize("k", [0, 4, -1])
def test_kthvalue_k_out_of_range_raises_as_torch(k):
    same_error(lambda lib, x: x.kthvalue(k, -1), M)


def test_argmax_of_bool_raises_as_torch():
    same_error(lambda lib, x: x.argmax(), [True, False])


def test_median_of_bool_raises_as_torch():
    same_error(lambda lib, x: x.median(), [True, False], message=False)


def test_norm_with_three_dims_for_fro_raises_as_torch():
    same_error(lambda lib, x: x.norm("fro", (0, 1, 1)), M)


# ---------------------------------------------------------------- max(a, b)


def test_max_of_two_tensors_is_maximum():
    if not hasattr(ember, "maximum"):
        pytest.fail("ember.maximum (pointwise) is not there yet")
    a, ta = pair([1.0, 5.0, 3.0])
    b, tb = pair([4.0, 2.0, 3.0])
    assert_same(ember.max(a, b), torch.max(ta, tb))
    assert_same(a.min(other=b), ta.min(other=tb))


def test_reductions_are_methods_and_functions():
    for name in ("sum mean prod max min amax amin argmax argmin var std norm logsumexp "
                 "cumsum cumprod cummax cummin median mode kthvalue all any count_nonzero "
                 "nansum nanmean").split():
        assert callable(getattr(ember, name)) and callable(getattr(ember.Tensor, name))
    for name in ("var_mean", "std_mean"):
        assert callable(getattr(ember, name))
        assert hasattr(ember.Tensor, name) == hasattr(torch.Tensor, name)


def test_no_numpy_warnings_on_edge_values():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for values in ([0.0, INF, -INF, NAN, 1e30, 1e30], [0.0, 1e30, 1e30, 2.0, 0.0, INF]):
            x = ember.tensor(values, requires_grad=True)
            for fn in (lambda lib, x: x.norm(0.5), lambda lib, x: x.norm(-1),
                       lambda lib, x: x.norm(3), lambda lib, x: x.var(),
                       lambda lib, x: x.std(0), lambda lib, x: x.logsumexp(0),
                       lambda lib, x: x.prod(), lambda lib, x: x.cumprod(0)):
                fn(ember, x)
            # the backward passes of products with zeros are NumPy code of their own
            for fn in (lambda lib, x: x.prod(), lambda lib, x: x.cumprod(0)):
                same_grad(fn, values)
    assert math.isnan(ember.tensor([0.0, NAN]).max().item())
