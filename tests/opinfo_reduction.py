"""OpInfo rows for the reduction ops of the op library (issue 3). See opinfo.py.

Rows that test gradients return one tensor: ``[0]`` (the values) of a named-tuple
result, or a combination of both results of var_mean/std_mean. Forward-only rows
(``grad=False``) return the whole tuple, so the indices are compared too. Ties, NaN,
errors and named-tuple printing are in test_reduction.py.
"""

from opinfo import UNARY, OpInfo

NONEMPTY = [(3,), (), (2, 3), (4,)]  # max() and friends have no value for no elements
MATRICES = [(2, 3), (2, 3, 4)]
NAN = float("nan")


def _both(pair):
    """One tensor from both results of var_mean/std_mean, weighted differently."""
    return pair[0] + 2 * pair[1]


def _zeros(lib, x):
    """``x`` with one zero in row 0 and two zeros in row 1 (shape (2, 3))."""
    return x * lib.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], dtype=x.dtype)


def _nans(lib, x):
    """``x`` with a NaN in its second column (shape (..., 3)); the NaN is a constant."""
    return x + lib.tensor([0.0, NAN, 0.0], dtype=x.dtype)


ROWS = [
    # sums and products
    OpInfo("sum", "dim0_of_0d", lambda lib, x: x.sum(0), [()]),
    OpInfo("sum", "dtype", lambda lib, x: x.sum(1, dtype=lib.float64), [(2, 3)], grad=False),
    OpInfo("sum", "bool", lambda lib, x: x.sum(), [(2, 3)], dtype="bool", grad=False),
    OpInfo("nansum", samples=UNARY),
    OpInfo("nansum", "nan", lambda lib, x: lib.nansum(_nans(lib, x), -1), [(3,), (2, 3)]),
    OpInfo("nansum", "dims_keepdim", lambda lib, x: x.nansum((0, 2), keepdim=True),
           [(2, 3, 4)]),
    OpInfo("nansum", "int", lambda lib, x: x.nansum(0), [(2, 3)], dtype="int", grad=False),
    OpInfo("mean", "dim_of_empty", lambda lib, x: x.mean(1), [(0, 2)]),
    OpInfo("nanmean", samples=[(3,), (), (2, 3)]),
    OpInfo("nanmean", "nan", lambda lib, x: lib.nanmean(_nans(lib, x), 1, keepdim=True),
           [(2, 3)]),
    OpInfo("prod", samples=UNARY),
    OpInfo("prod", "dim", lambda lib, x: x.prod(1), MATRICES),
    OpInfo("prod", "keepdim", lambda lib, x: lib.prod(x, -1, keepdim=True), [(2, 3), (3,)]),
    OpInfo("prod", "dim_of_0d", lambda lib, x: x.prod(0), [()]),
    OpInfo("prod", "zeros", lambda lib, x: _zeros(lib, x).prod(), [(2, 3)]),
    OpInfo("prod", "zeros_dim", lambda lib, x: _zeros(lib, x).prod(1), [(2, 3)]),
    OpInfo("prod", "zeros_dim0", lambda lib, x: _zeros(lib, x).t().prod(0), [(2, 3)]),
    OpInfo("prod", "int", lambda lib, x: x.prod(1), [(2, 3)], dtype="int", grad=False),
    OpInfo("prod", "dtype", lambda lib, x: x.prod(dtype=lib.float64), [(2, 3)], grad=False),
    # cumulative
    OpInfo("cumsum", op=lambda lib, x: x.cumsum(0), samples=[(3,), (), (2, 3), (0, 2)]),
    OpInfo("cumsum", "last", lambda lib, x: lib.cumsum(x, -1), MATRICES),
    OpInfo("cumsum", "transposed", lambda lib, x: x.t().cumsum(1), [(2, 3)]),
    OpInfo("cumsum", "int", lambda lib, x: x.cumsum(1), [(2, 3)], dtype="int", grad=False),
    OpInfo("cumsum", "dtype", lambda lib, x: x.cumsum(1, dtype=lib.float64), [(2, 3)],
           grad=False),
    OpInfo("cumprod", op=lambda lib, x: x.cumprod(0), samples=[(3,), (), (2, 3), (0, 2)]),
    OpInfo("cumprod", "last", lambda lib, x: lib.cumprod(x, -1), MATRICES),
    OpInfo("cumprod", "zeros", lambda lib, x: _zeros(lib, x).cumprod(1), [(2, 3)]),
    OpInfo("cumprod", "zeros_dim0", lambda lib, x: _zeros(lib, x).t().cumprod(0), [(2, 3)]),
    OpInfo("cumprod", "int", lambda lib, x: x.cumprod(1), [(2, 3)], dtype="int", grad=False),
    OpInfo("cummax", op=lambda lib, x: lib.cummax(x, 0)[0], samples=[(3,), (), (2, 3)]),
    OpInfo("cummax", "last", lambda lib, x: x.cummax(-1)[0], MATRICES),
    OpInfo("cummax", "tuple", lambda lib, x: x.cummax(1), [(2, 3), (0, 2)], grad=False),
    OpInfo("cummax", "int", lambda lib, x: x.cummax(1), [(3, 5)], dtype="int", grad=False),
    OpInfo("cummin", op=lambda lib, x: lib.cummin(x, 0)[0], samples=[(3,), (), (2, 3)]),
    OpInfo("cummin", "last", lambda lib, x: x.cummin(-1)[0], MATRICES),
    OpInfo("cummin", "tuple", lambda lib, x: x.cummin(1), [(2, 3), (0, 2)], grad=False),
    OpInfo("cummin", "int", lambda lib, x: x.cummin(1), [(3, 5)], dtype="int", grad=False),
    # extremes
    OpInfo("max", samples=NONEMPTY),
    OpInfo("max", "dim", lambda lib, x: lib.max(x, 1)[0], MATRICES),
    OpInfo("max", "keepdim", lambda lib, x: x.max(dim=-1, keepdim=True).values, MATRICES),
    OpInfo("max", "dim_of_0d", lambda lib, x: x.max(0).values, [()]),
    OpInfo("max", "tuple", lambda lib, x: x.max(-1), [(2, 3), (0, 2), ()], grad=False),
    OpInfo("max", "int", lambda lib, x: x.max(1), [(3, 5)], dtype="int", grad=False),
    OpInfo("max", "binary", lambda lib, x, y: lib.max(x, y), [((3,), (3,)), ((2, 3), (3,))]),
    OpInfo("min", samples=NONEMPTY),
    OpInfo("min", "dim", lambda lib, x: lib.min(x, 1)[0], MATRICES),
    OpInfo("min", "keepdim", lambda lib, x: x.min(dim=-1, keepdim=True).values, MATRICES),
    OpInfo("min", "tuple", lambda lib, x: x.min(-1), [(2, 3), (0, 2), ()], grad=False),
    OpInfo("min", "int", lambda lib, x: x.min(1), [(3, 5)], dtype="int", grad=False),
    OpInfo("min", "binary", lambda lib, x, y: x.min(y), [((3,), (3,)), ((2, 3), (3,))]),
    OpInfo("amax", samples=NONEMPTY),
    OpInfo("amax", "dim", lambda lib, x: lib.amax(x, 1), MATRICES + [(0, 2)]),
    OpInfo("amax", "dims_keepdim", lambda lib, x: x.amax((0, -1), keepdim=True), MATRICES),
    OpInfo("amin", samples=NONEMPTY),
    OpInfo("amin", "dim", lambda lib, x: lib.amin(x, 1), MATRICES + [(0, 2)]),
    OpInfo("amin", "dims_keepdim", lambda lib, x: x.amin((0, -1), keepdim=True), MATRICES),
    OpInfo("argmax", samples=NONEMPTY, grad=False),
    OpInfo("argmax", "dim", lambda lib, x: x.argmax(1), [(2, 3), (0, 2)], grad=False),
    OpInfo("argmax", "keepdim", lambda lib, x: lib.argmax(x, -1, keepdim=True), MATRICES,
           grad=False),
    OpInfo("argmax", "int", lambda lib, x: x.argmax(0), [(5, 3)], dtype="int", grad=False),
    OpInfo("argmin", samples=NONEMPTY, grad=False),
    OpInfo("argmin", "dim", lambda lib, x: x.argmin(1), [(2, 3), (0, 2)], grad=False),
    OpInfo("argmin", "int", lambda lib, x: x.argmin(0), [(5, 3)], dtype="int", grad=False),
    # order statistics
    OpInfo("median", samples=[(3,), (), (2, 3), (4,), (0, 2)]),
    OpInfo("median", "dim", lambda lib, x: lib.median(x, 1)[0], MATRICES),
    OpInfo("median", "keepdim", lambda lib, x: x.median(0, keepdim=True)[0], [(4, 2), (3,)]),
    OpInfo("median", "tuple", lambda lib, x: x.median(-1), [(2, 4), (0, 2), ()], grad=False),
    OpInfo("median", "int", lambda lib, x: x.median(), [(2, 3), (4,)], dtype="int",
           grad=False),
    OpInfo("kthvalue", op=lambda lib, x: lib.kthvalue(x, 2)[0], samples=[(3,), (2, 3)]),
    OpInfo("kthvalue", "dim", lambda lib, x: x.kthvalue(1, 0, keepdim=True)[0], MATRICES),
    OpInfo("kthvalue", "tuple", lambda lib, x: x.kthvalue(3, 1), [(2, 4), (0, 3)],
           grad=False),
    OpInfo("mode", op=lambda lib, x: lib.mode(x)[0], samples=[(3,), (), (2, 3)]),
    OpInfo("mode", "dim", lambda lib, x: x.mode(0, keepdim=True)[0], MATRICES),
    OpInfo("mode", "tuple", lambda lib, x: x.mode(1), [(2, 4), (0, 3)], grad=False),
    OpInfo("mode", "int", lambda lib, x: x.mode(1), [(4, 9)], dtype="int", grad=False),
    # moments
    OpInfo("var", samples=[(3,), (2, 3), (0, 2)]),
    OpInfo("var", "dim", lambda lib, x: lib.var(x, 1), MATRICES + [(0, 2)]),
    OpInfo("var", "dims_keepdim", lambda lib, x: x.var((0, 2), keepdim=True), [(2, 3, 4)]),
    OpInfo("var", "correction0", lambda lib, x: x.var(-1, correction=0), MATRICES),
    OpInfo("var", "correction2", lambda lib, x: x.var(correction=2), [(2, 3)]),
    OpInfo("var", "unbiased_false", lambda lib, x: lib.var(x, 0, False, True), [(2, 3)]),
    OpInfo("var", "unbiased_flag", lambda lib, x: lib.var(x, False), [(2, 3)]),
    OpInfo("std", samples=[(3,), (2, 3)]),
    OpInfo("std", "dim", lambda lib, x: lib.std(x, 1), MATRICES),
    OpInfo("std", "dims_keepdim", lambda lib, x: x.std((0, 2), keepdim=True), [(2, 3, 4)]),
    OpInfo("std", "correction0", lambda lib, x: x.std(0, correction=0), MATRICES),
    OpInfo("std", "unbiased_false", lambda lib, x: x.std(unbiased=False), [(2, 3)]),
    OpInfo("var_mean", op=lambda lib, x: _both(lib.var_mean(x, 1)), samples=MATRICES),
    OpInfo("var_mean", "all", lambda lib, x: _both(lib.var_mean(x, correction=0)),
           [(3,), (2, 3)]),
    OpInfo("var_mean", "tuple", lambda lib, x: lib.var_mean(x, -1, keepdim=True), [(2, 3)],
           grad=False),
    OpInfo("std_mean", op=lambda lib, x: _both(lib.std_mean(x, 1)), samples=MATRICES),
    OpInfo("std_mean", "all", lambda lib, x: _both(lib.std_mean(x, unbiased=False)),
           [(3,), (2, 3)]),
    OpInfo("std_mean", "tuple", lambda lib, x: lib.std_mean(x, (0, 1)), [(2, 3)], grad=False),
    # norms
    OpInfo("norm", samples=UNARY),
    OpInfo("norm", "p1", lambda lib, x: x.norm(1), [(3,), (2, 3)], away_from=(0,)),
    OpInfo("norm", "p3_dim", lambda lib, x: lib.norm(x, 3, 1), MATRICES),
    OpInfo("norm", "p1.5", lambda lib, x: x.norm(1.5), [(3,), (2, 3)], away_from=(0,)),
    OpInfo("norm", "p0.5_keepdim", lambda lib, x: x.norm(0.5, -1, keepdim=True), MATRICES,
           away_from=(0,)),
    OpInfo("norm", "inf", lambda lib, x: x.norm(float("inf")), NONEMPTY),
    OpInfo("norm", "-inf_dim", lambda lib, x: x.norm(float("-inf"), 1), MATRICES),
    OpInfo("norm", "fro_dims", lambda lib, x: x.norm("fro", (0, 2)), [(2, 3, 4)]),
    OpInfo("norm", "fro_dim", lambda lib, x: x.norm(dim=1, keepdim=True), MATRICES),
    OpInfo("norm", "p0", lambda lib, x: x.norm(0, 1), [(2, 3)], grad=False),
    OpInfo("norm", "dtype", lambda lib, x: x.norm(dtype=lib.float64), [(2, 3)], grad=False),
    OpInfo("logsumexp", op=lambda lib, x: lib.logsumexp(x, 1), samples=MATRICES + [(0, 2)]),
    OpInfo("logsumexp", "dims_keepdim", lambda lib, x: x.logsumexp((0, 2), keepdim=True),
           [(2, 3, 4)]),
    OpInfo("logsumexp", "0d", lambda lib, x: x.logsumexp(0), [()]),
    OpInfo("logsumexp", "empty_dim", lambda lib, x: x.logsumexp(0), [(0, 2)]),
    OpInfo("logsumexp", "large", lambda lib, x: x.logsumexp(-1), [(2, 3)], low=500.0,
           high=600.0),
    OpInfo("logsumexp", "int", lambda lib, x: x.logsumexp(1), [(2, 3)], dtype="int",
           grad=False),
    # logic and counting
    OpInfo("all", samples=UNARY, dtype="bool", grad=False),
    OpInfo("all", "dim", lambda lib, x: x.all(1, keepdim=True), [(2, 3), (0, 2)],
           dtype="bool", grad=False),
    OpInfo("all", "dims", lambda lib, x: lib.all(x, (0, 2)), [(2, 3, 4)], dtype="int",
           grad=False),
    OpInfo("all", "float", lambda lib, x: x.all(-1), [(2, 3)], grad=False),
    OpInfo("any", samples=UNARY, dtype="bool", grad=False),
    OpInfo("any", "dim", lambda lib, x: x.any(1, keepdim=True), [(2, 3), (0, 2)],
           dtype="bool", grad=False),
    OpInfo("any", "dims", lambda lib, x: lib.any(x, (0, 2)), [(2, 3, 4)], dtype="int",
           grad=False),
    OpInfo("count_nonzero", samples=UNARY, dtype="int", grad=False),
    OpInfo("count_nonzero", "dim", lambda lib, x: x.count_nonzero(1), [(2, 3), (0, 2)],
           dtype="int", grad=False),
    OpInfo("count_nonzero", "dims", lambda lib, x: lib.count_nonzero(x, (0, -1)),
           [(2, 3, 4)], dtype="bool", grad=False),
]
