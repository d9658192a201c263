"""Pointwise ops against torch where the generated OpInfo tests don't reach: type
promotion across dtypes, special values (nan, inf, -0.0), gradients at kinks and poles,
errors, in-place forms, grad_fn names and the accuracy of erf."""

import math
import warnings

import numpy as np
import pytest
import torch

import ember

from conftest import assert_same, raises_like

# ---------------------------------------------------------------- helpers

DTYPES = ["bool", "uint8", "int32", "int64", "float32", "float64"]


def _array(dtype, shape=(3,)):
    a = np.array([1, 0, 3]) if shape else np.array(2)
    return a.astype(dtype)


def _operands():
    """Tensors of every dtype (1-d and 0-d) and Python numbers, as (id, spec)."""
    for d in DTYPES:
        yield d, ("t", d, (3,))
    for d in ("bool", "int64", "float32", "float64"):
        yield f"{d}-0d", ("t", d, ())
    for v in (True, 3, 2.5):
        yield repr(v), ("s", v)


def _make(lib, spec):
    if spec[0] == "s":
        return spec[1]
    a = _array(spec[1], spec[2])
    return lib.tensor(a) if lib is ember else torch.from_numpy(a.copy())


def _outcome(fn, lib, *args):
    """The op's result, or the builtin exception class it raised."""
    try:
        return fn(lib, *args)
    except Exception as e:  # noqa: BLE001 - the class is what we compare
        return next(c for c in type(e).__mro__ if c.__module__ == "builtins")


def _same_outcome(e, t):
    """None when ember's outcome matches torch's, else a description of the difference."""
    if isinstance(t, type):
        ok = isinstance(e, type) and issubclass(e, t)
        return None if ok else f"torch raised {t.__name__}, ember gave {e!r}"
    if isinstance(e, type):
        return f"ember raised {e.__name__}, torch gave {t!r}"
    if not isinstance(t, torch.Tensor):
        return None if e == t else f"{e!r} != torch's {t!r}"
    try:
        assert_same(e, t)
    except AssertionError as err:
        return str(err).splitlines()[0]
    return None


# ---------------------------------------------------------------- type promotion

BINARY_OPS = {
    "add": lambda lib, a, b: lib.add(a, b),
    "sub": lambda lib, a, b: lib.sub(a, b),
    "mul": lambda lib, a, b: lib.mul(a, b),
    "div": lambda lib, a, b: lib.div(a, b),
    "div_floor": lambda lib, a, b: lib.div(a, b, rounding_mode="floor"),
    "div_trunc": lambda lib, a, b: lib.div(a, b, rounding_mode="trunc"),
    "remainder": lambda lib, a, b: lib.remainder(a, b),
    "fmod": lambda lib, a, b: lib.fmod(a, b),
    "pow": lambda lib, a, b: lib.pow(a, b),
    "float_power": lambda lib, a, b: lib.float_power(a, b),
    "eq": lambda lib, a, b: lib.eq(a, b),
    "lt": lambda lib, a, b: lib.lt(a, b),
    "maximum": lambda lib, a, b: lib.maximum(a, b),
    "fmin": lambda lib, a, b: lib.fmin(a, b),
    "atan2": lambda lib, a, b: lib.atan2(a, b),
    "hypot": lambda lib, a, b: lib.hypot(a, b),
    "logaddexp": lambda lib, a, b: lib.logaddexp(a, b),
    "copysign": lambda lib, a, b: lib.copysign(a, b),
    "xlogy": lambda lib, a, b: lib.xlogy(a, b),
    "bitwise_and": lambda lib, a, b: lib.bitwise_and(a, b),
    "bitwise_left_shift": lambda lib, a, b: lib.bitwise_left_shift(a, b),
    "logical_xor": lambda lib, a, b: lib.logical_xor(a, b),
    "clamp_min_kw": lambda lib, a, b: lib.clamp(a, min=b),
    "clamp_max": lambda lib, a, b: lib.clamp_max(a, b),
    "where": lambda lib, a, b: lib.where(lib.tensor([True, False, True]), a, b),
    "masked_fill": lambda lib, a, b: lib.masked_fill(a, lib.tensor(True), b),
    "lerp": lambda lib, a, b: lib.lerp(a, a, b),
    "addcmul": lambda lib, a, b: lib.addcmul(a, a, b),
    "addcdiv": lambda lib, a, b: lib.addcdiv(a, a, b),
    "isclose": lambda lib, a, b: lib.isclose(a, b),
    "equal": lambda lib, a, b: lib.equal(a, b),
    "operator+": lambda lib, a, b: a + b,
    "operator-": lambda lib, a, b: a - b,
    "operator/": lambda lib, a, b: a / b,
    "operator//": lambda lib, a, b: a // b,
    "operator%": lambda lib, a, b: a % b,
    "operator**": lambda lib, a, b: a**b,
    "operator&": lambda lib, a, b: a & b,
    "operator^": lambda lib, a, b: a ^ b,
    "operator<<": lambda lib, a, b: a << b,
    "operator==": lambda lib, a, b: a == b,
    "operator>": lambda lib, a, b: a > b,
}


@pytest.mark.parametrize("name", list(BINARY_OPS))
def test_binary_type_promotion_matches_torch(name):
    """Every pair of operands (tensors of each dtype, 0-d tensors, Python bool/int/float)
    gives torch's dtype and values, or torch's exception type."""
    fn = BINARY_OPS[name]
    wrong = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        for xid, x in _operands():
            for yid, y in _operands():
                if x[0] == "s" and y[0] == "s":
                    continue
                t = _outcome(fn, torch, _make(torch, x), _make(torch, y))
                e = _outcome(fn, ember, _make(ember, x), _make(ember, y))
                diff = _same_outcome(e, t)
                if diff:
                    wrong.append(f"{name}({xid}, {yid}): {diff}")
    assert not wrong, "\n".join(wrong)


UNARY_OPS = [
    "abs", "neg", "sign", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt",
    "rsqrt", "square", "reciprocal", "sin", "cos", "tan", "asin", "acos", "atan", "sinh",
    "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid", "logit", "erf", "erfc", "erfinv",
    "floor", "ceil", "round", "trunc", "frac", "relu", "nan_to_num", "isnan", "isinf",
    "isfinite", "isposinf", "isneginf", "signbit", "logical_not", "bitwise_not",
]


@pytest.mark.parametrize("name", UNARY_OPS)
def test_unary_dtypes_match_torch(name):
    """Integer and bool inputs: torch's result dtype (the default float for the float
    functions) or torch's exception type."""
    wrong = []
    for d in DTYPES:
        for shape in ((3,), ()):
            a = _array(d, shape)
            t = _outcome(lambda lib, x: getattr(lib, name)(x), torch, torch.from_numpy(a))
            e = _outcome(lambda lib, x: getattr(lib, name)(x), ember, ember.tensor(a))
            diff = _same_outcome(e, t)
            if diff:
                wrong.append(f"{name}({d}{list(shape)}): {diff}")
    assert not wrong, "\n".join(wrong)


def test_int_inputs_compute_in_the_default_dtype():
    ember.set_default_dtype(ember.float64)
    torch.set_default_dtype(torch.float64)
    try:
        for name in ("exp", "erf", "sigmoid", "sqrt"):
            assert_same(getattr(ember, name)(ember.tensor([1, 2])),
                        getattr(torch, name)(torch.tensor([1, 2])))
        assert_same(ember.atan2(ember.tensor([1]), ember.tensor([2])),
                    torch.atan2(torch.tensor([1]), torch.tensor([2])))
        assert_same(ember.tensor([1, 2]) / 2, torch.tensor([1, 2]) / 2)
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)


# ---------------------------------------------------------------- special values

SPECIAL = [-math.inf, -1e30, -3.0, -1.0, -0.5, -1e-30, -0.0, 0.0, 1e-30, 0.5, 1.0, 2.5,
           1e30, math.inf, math.nan]


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("name", [n for n in UNARY_OPS if n != "bitwise_not"])
def test_unary_special_values_match_torch(name, dtype):
    """nan, +-inf, +-0, huge and tiny inputs: torch's values (nan/inf silently, no NumPy
    warning)."""
    a = np.array(SPECIAL, dtype=dtype)
    assert_same(getattr(ember, name)(ember.tensor(a)), getattr(torch, name)(torch.tensor(a)))


BINARY_FLOAT_OPS = ["div", "remainder", "fmod", "pow", "float_power",
                    "atan2", "hypot", "maximum", "minimum", "fmax", "fmin", "logaddexp",
                    "logaddexp2", "xlogy", "copysign", "eq", "lt", "ge", "isclose"]


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("name", BINARY_FLOAT_OPS)
def test_binary_special_values_match_torch(name):
    """Every pair of special values, in float64 and float32."""
    for dtype in ("float64", "float32"):
        values = SPECIAL
        if dtype == "float32" and name in ("remainder", "fmod"):
            # torch's float32 kernel gives nan where a / b overflows (1e30 / 1e-30);
            # ember gives the exact remainder.
            values = [v for v in SPECIAL if abs(v) not in (1e30, 1e-30)]
        a, b = (np.array(v, dtype=dtype) for v in np.meshgrid(values, values))
        e = getattr(ember, name)(ember.tensor(a), ember.tensor(b))
        t = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
        assert_same(e, t)


@pytest.mark.parametrize("name", ["add", "sub", "mul"])
def test_arithmetic_special_values_match_torch(name):
    """The same for + - *, which skip np.errstate to stay fast: inf - inf and 0 * inf
    give nan as torch does, with NumPy's RuntimeWarning."""
    for dtype in ("float64", "float32"):
        a, b = (np.array(v, dtype=dtype) for v in np.meshgrid(SPECIAL, SPECIAL))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            e = getattr(ember, name)(ember.tensor(a), ember.tensor(b))
        assert_same(e, getattr(torch, name)(torch.tensor(a), torch.tensor(b)))


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_other_special_values_match_torch():
    a = np.array(SPECIAL)
    cases = [
        lambda lib, x: lib.clamp(x, -1.0, 1.0),
        lambda lib, x: lib.clamp(x, min=x.new_tensor(math.nan)),
        lambda lib, x: lib.nan_to_num(x, nan=7.0, posinf=8.0, neginf=-9.0),
        lambda lib, x: lib.lerp(x, x * -0.5, 0.25),
        lambda lib, x: lib.addcdiv(x, x, x - 1, value=0.5),
        lambda lib, x: lib.where(x > 0, x, -x),
        lambda lib, x: x.masked_fill(lib.isnan(x), 0.5),
        lambda lib, x: lib.round(x, decimals=2),
        lambda lib, x: lib.logit(x, eps=0.25),
        lambda lib, x: x**2,
        lambda lib, x: 2.0**x,
        lambda lib, x: 0.0**x,
    ]
    for fn in cases:
        assert_same(fn(ember, ember.tensor(a)), fn(torch, torch.tensor(a)))


# ---------------------------------------------------------------- erf family accuracy


def test_erf_erfc_match_torch_to_float64_accuracy():
    x = np.concatenate([np.linspace(-7, 7, 20001), np.linspace(0.45, 0.55, 101),
                        np.linspace(3.9, 4.1, 101), [1e-300, -1e-20, 5e-324]])
    for name in ("erf", "erfc"):
        assert_same(getattr(ember, name)(ember.tensor(x)), getattr(torch, name)(torch.tensor(x)),
                    rtol=5e-15, atol=0)
    tail = np.linspace(4, 27, 2001)  # erfc down to 1e-300: relative accuracy still
    assert_same(ember.erfc(ember.tensor(tail)), torch.erfc(torch.tensor(tail)), rtol=5e-14,
                atol=0)
    x32 = np.linspace(-5, 5, 1001).astype(np.float32)
    assert_same(ember.erf(ember.tensor(x32)), torch.erf(torch.tensor(x32)))


def test_erfinv_matches_torch_to_float64_accuracy():
    y = np.concatenate([np.linspace(-0.999, 0.999, 4001), 1 - np.logspace(-16, -1, 400),
                        -1 + np.logspace(-16, -1, 400), [1e-300, -1e-20, 0.5, -0.5]])
    assert_same(ember.erfinv(ember.tensor(y)), torch.erfinv(torch.tensor(y)), rtol=1e-14,
                atol=0)
    y32 = np.linspace(-0.99, 0.99, 999).astype(np.float32)
    assert_same(ember.erfinv(ember.tensor(y32)), torch.erfinv(torch.tensor(y32)))
    # and it inverts ember's own erf
    x = np.linspace(-3, 3, 61)  # beyond, erf(x) is too close to 1 to invert precisely
    np.testing.assert_allclose(ember.erfinv(ember.erf(ember.tensor(x))).numpy(), x,
                               rtol=1e-10)


# ---------------------------------------------------------------- gradients at kinks

NAN, INF = math.nan, math.inf
# (id, op(lib, *tensors), input values): points where the derivative is a choice
# (subgradients, ties) or infinite.
KINKS = [
    ("abs-0", lambda lib, x: lib.abs(x), [[-1.0, 0.0, -0.0, 2.0]]),
    ("relu-0", lambda lib, x: lib.relu(x), [[-1.0, 0.0, 2.0]]),
    ("sign-0", lambda lib, x: lib.sign(x), [[-1.0, 0.0, NAN]]),
    ("clamp-bounds", lambda lib, x: lib.clamp(x, 0.0, 1.0), [[-1.0, 0.0, 0.5, 1.0, 2.0]]),
    ("clamp-min>max", lambda lib, x: lib.clamp(x, 1.0, 0.0), [[-1.0, 0.5, 2.0]]),
    ("clamp-tensors", lambda lib, x, lo, hi: lib.clamp(x, lo, hi),
     [[0.0, 0.5, 1.0, 2.0, -1.0], [0.0, 0.0, 0.0, 3.0, 1.0], [1.0, 1.0, 1.0, 2.0, 0.0]]),
    ("clamp_min-tie", lambda lib, x, y: lib.clamp_min(x, y), [[1.0, 2.0, 0.0], [1.0, 1.0, 1.0]]),
    ("clamp_max-tie", lambda lib, x, y: x.clamp_max(y), [[1.0, 2.0, 0.0], [1.0, 1.0, 1.0]]),
    ("maximum-tie", lambda lib, x, y: lib.maximum(x, y), [[1.0, 2.0, 3.0], [1.0, 0.0, 3.0]]),
    ("minimum-tie", lambda lib, x, y: lib.minimum(x, y), [[1.0, 2.0, 3.0], [1.0, 0.0, 3.0]]),
    ("maximum-nan", lambda lib, x, y: lib.maximum(x, y), [[NAN, 1.0, NAN], [1.0, NAN, NAN]]),
    ("fmax-tie-nan", lambda lib, x, y: lib.fmax(x, y),
     [[1.0, NAN, 1.0, NAN], [1.0, 1.0, NAN, NAN]]),
    ("fmin-tie-nan", lambda lib, x, y: lib.fmin(x, y),
     [[1.0, NAN, 1.0, NAN], [1.0, 1.0, NAN, NAN]]),
    ("sqrt-0", lambda lib, x: lib.sqrt(x), [[0.0, 1.0, -1.0]]),
    ("rsqrt-0", lambda lib, x: lib.rsqrt(x), [[0.0, 1.0, -1.0]]),
    ("log-0", lambda lib, x: lib.log(x), [[0.0, 1.0, -1.0]]),
    ("pow2-0", lambda lib, x: x**2, [[0.0, -1.0]]),
    ("pow-half-0", lambda lib, x: x**0.5, [[0.0, 4.0]]),
    ("pow0", lambda lib, x: x**0, [[0.0, 2.0]]),
    ("pow-tensor-0", lambda lib, x, y: x**y, [[0.0, 0.0, 0.0, 2.0], [0.0, 1.0, -1.0, 0.0]]),
    ("rpow-0", lambda lib, x: 0.0**x, [[0.0, 1.0, -1.0]], 1),  # torch's 2nd order: nan
    ("xlogy-0", lambda lib, x, y: lib.xlogy(x, y),
     [[0.0, 0.0, 0.0, 0.0, 1.0], [0.0, -1.0, 2.0, NAN, 0.0]]),
    ("xlogy-scalar-y", lambda lib, x: lib.xlogy(x, 0.0), [[0.0, 1.0]]),
    ("xlogy-scalar-x", lambda lib, y: lib.xlogy(0.0, y), [[0.0, 1.0]]),
    ("copysign-0", lambda lib, x, y: lib.copysign(x, y),
     [[0.0, -0.0, 1.0, -2.0], [-1.0, 1.0, -0.0, 0.0]]),
    ("logit-edges", lambda lib, x: lib.logit(x), [[0.0, 1.0, -0.5, 1.5, 0.5]]),
    ("logit-eps-edges", lambda lib, x: lib.logit(x, eps=0.25), [[0.25, 0.75, 0.1, 0.9, 0.5]]),
    ("atan2-origin", lambda lib, x, y: lib.atan2(x, y), [[0.0, 1.0], [0.0, 0.0]]),
    ("hypot-origin", lambda lib, x, y: lib.hypot(x, y), [[0.0, 3.0], [0.0, 4.0]]),
    ("nan_to_num", lambda lib, x: lib.nan_to_num(x), [[NAN, INF, -INF, 1.0]]),
    ("where-inf-branch", lambda lib, x: lib.where(x > 0, lib.log(x), 0.0), [[0.0, -1.0, 2.0]]),
    ("masked_fill", lambda lib, x: x.masked_fill(x > 0, 1.0), [[1.0, -1.0, 0.0]]),
    ("frac-integers", lambda lib, x: lib.frac(x), [[1.0, -2.0, 0.5]]),
    ("round-half", lambda lib, x: lib.round(x), [[0.5, 1.5, -0.5]]),
    ("remainder-multiple", lambda lib, x, y: lib.remainder(x, y),
     [[3.0, -3.0, 1.0], [1.5, 1.5, -2.0]]),
    ("fmod-multiple", lambda lib, x, y: lib.fmod(x, y), [[3.0, -3.0, 1.0], [1.5, 1.5, -2.0]]),
    ("erfinv-edges", lambda lib, x: lib.erfinv(x), [[1.0, -1.0, 0.0]]),
    ("asin-edges", lambda lib, x: lib.asin(x), [[1.0, -1.0, 2.0]]),
    ("acosh-1", lambda lib, x: lib.acosh(x), [[1.0, 0.5]]),
    ("logaddexp-inf", lambda lib, x, y: lib.logaddexp(x, y), [[-INF, INF, 0.0], [-INF, INF, -INF]]),
    ("lerp-weight-half", lambda lib, x, y, w: lib.lerp(x, y, w),
     [[1.0, 2.0], [3.0, 5.0], [0.5, -0.5]]),
]


def _grads(fn, values, lib, order):
    """Gradients of ``fn(*values).sum()`` (order 1) or of a weighted sum of those
    gradients (order 2); None when there is no second-order graph."""
    xs = [lib.tensor(np.array(v), requires_grad=True) for v in values]
    out = fn(lib, *xs)
    grads = lib.autograd.grad(out.sum(), xs, create_graph=order == 2, allow_unused=True)
    if order == 1:
        return grads
    total = sum(((g * (i + 1.5)).sum() for i, g in enumerate(grads)
                 if g is not None and g.requires_grad), lib.tensor(0.0))
    if not total.requires_grad:
        return None
    return lib.autograd.grad(total, xs, allow_unused=True)


def _zero_or_none(g):
    return g is None or not np.any(g.detach().numpy())


@pytest.mark.parametrize("fn,values,orders", [(*k[1:3], k[3] if len(k) > 3 else 2)
                                               for k in KINKS], ids=[k[0] for k in KINKS])
def test_grad_at_kinks_matches_torch(fn, values, orders):
    """torch's subgradients (ties split in half, 0 at abs/relu kinks, clamp passes at its
    bounds), infinities and nans at poles, to first and second order."""
    for order in range(1, orders + 1):
        e = _grads(fn, values, ember, order)
        t = _grads(fn, values, torch, order)
        if e is None or t is None:  # no second-order graph: all zeros on the other side
            assert all(_zero_or_none(g) for g in (e or t or ()))
            continue
        for a, b in zip(e, t):
            if a is None or b is None:
                assert _zero_or_none(a) and _zero_or_none(b)
            else:
                assert_same(a, b)


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize("name", ["add", "mul", "atan2", "maximum", "fmod", "eq", "xlogy",
                                  "logical_and", "bitwise_xor", "copysign", "isclose"])
def test_shape_mismatch_is_a_runtime_error_naming_sizes(name):
    e_msg = str(raises_like(
        lambda: getattr(ember, name)(ember.ones(3, 2).long(), ember.ones(4, 1).long()),
        lambda: getattr(torch, name)(torch.ones(3, 2).long(), torch.ones(4, 1).long())))
    try:
        getattr(torch, name)(torch.ones(3, 2).long(), torch.ones(4, 1).long())
    except RuntimeError as t_err:
        assert e_msg == str(t_err)


f32 = np.array([1.5, -2.0, 0.0], dtype=np.float32)
i64 = np.array([1, -2, 0])
b8 = np.array([True, False, True])
ERRORS = {
    "exp-number": lambda lib: lib.exp(2.0),
    "atan2-number": lambda lib: lib.atan2(lib.tensor(f32), 2.0),
    "maximum-number": lambda lib: lib.maximum(2, lib.tensor(f32)),
    "logical_and-number": lambda lib: lib.logical_and(lib.tensor(b8), True),
    "clamp-no-bounds": lambda lib: lib.clamp(lib.tensor(f32)),
    "clamp_min-none": lambda lib: lib.clamp_min(lib.tensor(f32), None),
    "isclose-dtypes": lambda lib: lib.isclose(lib.tensor(f32), lib.tensor(i64)),
    "lerp-int": lambda lib: lib.lerp(lib.tensor(i64), lib.tensor(i64), 0.5),
    "lerp-end-dtype": lambda lib: lib.lerp(lib.tensor(f32), lib.tensor(f32).double(), 0.5),
    "lerp-weight-dtype": lambda lib: lib.lerp(lib.tensor(f32), lib.tensor(f32),
                                              lib.tensor(f32).double()),
    "addcdiv-int": lambda lib: lib.addcdiv(lib.tensor(f32), lib.tensor(i64), lib.tensor(i64)),
    "hypot-int": lambda lib: lib.hypot(lib.tensor(i64), lib.tensor(i64)),
    "logaddexp-int": lambda lib: lib.logaddexp(lib.tensor(i64), lib.tensor(i64)),
    "frac-int": lambda lib: lib.frac(lib.tensor(i64)),
    "abs-bool": lambda lib: lib.abs(lib.tensor(b8)),
    "round-decimals-int": lambda lib: lib.round(lib.tensor(i64), decimals=1),
    "neg-bool": lambda lib: -lib.tensor(b8),
    "sub-bool": lambda lib: lib.tensor(b8) - lib.tensor(b8),
    "sub-bool-number": lambda lib: lib.tensor(i64) - True,
    "bitwise-float": lambda lib: lib.tensor(f32) & lib.tensor(f32),
    "invert-float": lambda lib: ~lib.tensor(f32),
    "shift-float": lambda lib: lib.tensor(i64) << 1.5,
    "pow-int-negative": lambda lib: lib.tensor(i64) ** -1,
    "pow-bool-tensor": lambda lib: lib.tensor(b8) ** lib.tensor(b8),
    "remainder-int-zero": lambda lib: lib.remainder(lib.tensor(i64), 0),
    "fmod-int-zero": lambda lib: lib.fmod(lib.tensor(i64), lib.tensor(i64)),
    "div-floor-int-zero": lambda lib: lib.tensor(i64) // 0,
    "div-rounding-mode": lambda lib: lib.div(lib.tensor(f32), 2, rounding_mode="round"),
    "where-int-condition": lambda lib: lib.where(lib.tensor(i64), lib.tensor(f32), 0.0),
    "masked_fill-int-mask": lambda lib: lib.tensor(f32).masked_fill(lib.tensor(i64), 1.0),
    "masked_fill-1d-value": lambda lib: lib.tensor(f32).masked_fill(lib.tensor(b8),
                                                                     lib.tensor(f32)),
    "masked_fill-shape": lambda lib: lib.tensor(f32).masked_fill(lib.tensor([True, False]),
                                                                  1.0),
    "clamp-bool-scalars": lambda lib: lib.clamp(lib.tensor(b8), True, True),
    "exp_-int": lambda lib: lib.tensor(i64).exp_(),
    "add_-float-into-int": lambda lib: lib.tensor(i64).add_(1.5),
    "div_-int": lambda lib: lib.tensor(i64).div_(2),
    "clamp_-float-into-int": lambda lib: lib.tensor(i64).clamp_(0.5),
    "float_power_-float32": lambda lib: lib.tensor(f32).float_power_(2),
    "eq_-broadcast": lambda lib: lib.tensor(f32).eq_(lib.ones(2, 3)),
    "masked_fill_-broadcast": lambda lib: lib.tensor(f32).masked_fill_(
        lib.ones(2, 3, dtype=lib.bool), 0.0),
    "inplace-on-leaf": lambda lib: lib.tensor(f32, requires_grad=True).sigmoid_(),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_match_torch(name):
    raises_like(lambda: ERRORS[name](ember), lambda: ERRORS[name](torch))


# ---------------------------------------------------------------- in-place forms

INPLACE = [
    ("exp_", ()), ("log1p_", ()), ("sqrt_", ()), ("rsqrt_", ()), ("sigmoid_", ()),
    ("erf_", ()), ("erfinv_", ()), ("logit_", ()), ("logit_", (0.2,)), ("tan_", ()),
    ("arcsin_", ()), ("round_", ()), ("frac_", ()), ("trunc_", ()), ("fix_", ()),
    ("clamp_", (0.0, 0.5)), ("clip_", (None, 0.3)), ("clamp_min_", (0.25,)),
    ("clamp_max_", ("t",)), ("nan_to_num_", (1.0,)), ("atan2_", ("t",)),
    ("arctan2_", ("t",)), ("hypot_", ("t",)), ("remainder_", (0.3,)), ("fmod_", ("t",)),
    ("lerp_", ("t", 0.3)), ("addcmul_", ("t", "t")), ("addcdiv_", ("t", "t")),
    ("xlogy_", ("t",)), ("copysign_", (-1.0,)), ("masked_fill_", ("mask", 7.0)),
    ("eq_", ("t",)), ("lt_", (0.5,)), ("logical_and_", ("t",)), ("logical_not_", ()),
    ("square_", ()), ("abs_", ()), ("sign_", ()), ("neg_", ()), ("pow_", (2,)),
    ("float_power_", (2,)),
]


@pytest.mark.parametrize("method,args", INPLACE, ids=[m for m, _ in INPLACE])
def test_inplace_forms_match_torch(method, args):
    """``x.<op>_(...)`` writes torch's values into x, returns x and bumps its version."""
    a = np.array([0.2, 0.7, 0.45, 0.9])
    other = np.array([0.3, 0.6, 0.8, 0.1])
    results = []
    for lib in (ember, torch):
        def arg(v, lib=lib):
            if v == "t":
                return lib.tensor(other)
            if v == "mask":
                return lib.tensor([True, False, True, False])
            return v

        x = lib.tensor(a)
        version = x._version
        out = getattr(x, method)(*[arg(v) for v in args])
        assert out is x and x._version > version
        results.append(x)
    assert_same(*results)


def test_inplace_ops_record_in_the_graph():
    """In-place ops on a non-leaf give torch's gradients (and grad_fn)."""
    a = np.array([0.3, -0.2, 0.8])
    for ops in (lambda y: y.exp_(), lambda y: y.clamp_min_(0.0).sigmoid_(),
                lambda y: y.masked_fill_(y > 0.5, 1.0).erf_(),
                lambda y: y.addcmul_(y.detach().clone(), y.detach().clone(), value=2)
                .atan2_(y.detach().clone())):
        grads, names = [], []
        for lib in (ember, torch):
            x = lib.tensor(a, requires_grad=True)
            y = x * 1
            ops(y)
            names.append(type(y.grad_fn).__name__)
            grads.append(lib.autograd.grad(y.sum(), x)[0])
        assert names[0] == names[1]
        assert_same(*grads)


def test_inplace_operators_match_torch():
    for op in ("__imod__", "__ipow__", "__ifloordiv__", "__iand__", "__ior__", "__ixor__",
               "__ilshift__", "__irshift__"):
        e, t = ember.tensor([5, -7, 9]), torch.tensor([5, -7, 9])
        assert getattr(e, op)(2) is e
        getattr(t, op)(2)
        assert_same(e, t)


# ---------------------------------------------------------------- names and values


def test_grad_fn_names_match_torch():
    x = np.array([0.3, 0.6])
    cases = {
        "unary": [lambda lib, x, n=n: getattr(lib, n)(x) for n in UNARY_OPS[:40]
                  if n not in ("floor", "ceil", "round", "trunc", "sign", "neg", "abs")],
        "other": [
            lambda lib, x: lib.round(x, decimals=1), lambda lib, x: lib.logit(x, 0.1),
            lambda lib, x: lib.clamp(x, 0.1, 0.5), lambda lib, x: lib.clamp(x, min=x * 0),
            lambda lib, x: lib.clamp_min(x, 0.1), lambda lib, x: lib.clamp_min(x, x * 0),
            lambda lib, x: lib.clamp_max(x, 0.1), lambda lib, x: lib.clamp_max(x, x * 0),
            lambda lib, x: lib.atan2(x, x), lambda lib, x: lib.hypot(x, x),
            lambda lib, x: lib.maximum(x, x), lambda lib, x: lib.minimum(x, x),
            lambda lib, x: lib.fmax(x, x), lambda lib, x: lib.fmin(x, x),
            lambda lib, x: lib.pow(x, x), lambda lib, x: lib.pow(x, 2),
            lambda lib, x: lib.pow(2, x), lambda lib, x: lib.float_power(x, 2),
            lambda lib, x: lib.remainder(x, x), lambda lib, x: lib.remainder(x, 0.2),
            lambda lib, x: lib.fmod(x, x), lambda lib, x: lib.fmod(x, 0.2),
            lambda lib, x: lib.lerp(x, x, 0.5), lambda lib, x: lib.lerp(x, x, x),
            lambda lib, x: lib.addcmul(x, x, x), lambda lib, x: lib.addcdiv(x, x, x),
            lambda lib, x: lib.xlogy(x, x), lambda lib, x: lib.xlogy(2, x),
            lambda lib, x: lib.xlogy(x, 2), lambda lib, x: lib.logaddexp(x, x),
            lambda lib, x: lib.logaddexp2(x, x), lambda lib, x: lib.copysign(x, x),
            lambda lib, x: lib.copysign(x, -1), lambda lib, x: lib.where(x > 0.4, x, 0.0),
            lambda lib, x: x.masked_fill(x > 0.4, 0.0),
            lambda lib, x: x.masked_fill(x > 0.4, x[0]), lambda lib, x: lib.nan_to_num(x),
            lambda lib, x: lib.frac(x), lambda lib, x: x % 0.2, lambda lib, x: 2 ** x,
            lambda lib, x: lib.square(x), lambda lib, x: x.arcsin(),
        ],
    }
    for fn in cases["unary"] + cases["other"]:
        names = []
        for lib in (ember, torch):
            out = fn(lib, lib.tensor(x, requires_grad=True))
            names.append(None if out.grad_fn is None else type(out.grad_fn).__name__)
        assert names[0] == names[1]


NAMES = UNARY_OPS + [
    "clamp", "clip", "clamp_min", "clamp_max", "atan2", "arctan2", "hypot", "maximum",
    "minimum", "fmax", "fmin", "pow", "float_power", "remainder", "fmod", "lerp", "addcmul",
    "addcdiv", "xlogy", "logaddexp", "logaddexp2", "copysign", "where", "masked_fill",
    "isclose", "allclose", "equal", "eq", "ne", "lt", "le", "gt", "ge", "not_equal", "less",
    "less_equal", "greater", "greater_equal", "logical_and", "logical_or", "logical_xor",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift",
    "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "fix", "absolute",
    "negative", "add", "sub", "mul", "div", "true_divide", "floor_divide",
]


@pytest.mark.parametrize("name", NAMES)
def test_function_method_and_inplace_forms_exist_as_in_torch(name):
    assert hasattr(ember, name) == hasattr(torch, name)
    assert hasattr(ember.Tensor, name) == hasattr(torch.Tensor, name)
    assert hasattr(ember.Tensor, name + "_") == hasattr(torch.Tensor, name + "_")


def test_aliases_are_the_same_op():
    for alias, name in [("arcsin", "asin"), ("arccos", "acos"), ("arctan", "atan"),
                        ("arcsinh", "asinh"), ("arccosh", "acosh"), ("arctanh", "atanh"),
                        ("arctan2", "atan2"), ("fix", "trunc"), ("clip", "clamp"),
                        ("absolute", "abs"), ("negative", "neg")]:
        assert getattr(ember, alias) is getattr(ember, name)


def test_round_decimals_matches_torch():
    a = np.array([0.5, 1.5, 2.5, -0.5, 1.25, 1.35, 2.675, 1234.5, -1250.0, 0.125])
    for d in (0, 1, 2, 3, -1, -2):
        for dtype in ("float64", "float32"):
            assert_same(ember.round(ember.tensor(a.astype(dtype)), decimals=d),
                        torch.round(torch.tensor(a.astype(dtype)), decimals=d))


def test_integer_division_is_exact():
    big = 2**62 + 1
    a = np.array([7, -7, 7, -7, big, -big, 0])
    b = np.array([2, 2, -2, -2, 3, 7, 5])
    for fn in (lambda lib, x, y: lib.div(x, y, rounding_mode="floor"),
               lambda lib, x, y: lib.div(x, y, rounding_mode="trunc"),
               lambda lib, x, y: lib.remainder(x, y), lambda lib, x, y: lib.fmod(x, y),
               lambda lib, x, y: x // y, lambda lib, x, y: x % y, lambda lib, x, y: 100 % y,
               lambda lib, x, y: x.int() // 3):
        assert_same(fn(ember, ember.tensor(a), ember.tensor(b)),
                    fn(torch, torch.tensor(a), torch.tensor(b)))


def test_where_with_condition_only_is_nonzero():
    c = np.array([[True, False, True], [False, False, True]])
    assert_same(ember.where(ember.tensor(c)), torch.where(torch.tensor(c)))


def test_allclose_and_equal_give_python_bools():
    a = np.array([1.0, 2.0, math.nan])
    for b, kw in ((a + 1e-9, {}), (a, {"equal_nan": True}), (a, {}), (a * 1.1, {})):
        assert ember.allclose(ember.tensor(a), ember.tensor(b), **kw) is \
            torch.allclose(torch.tensor(a), torch.tensor(b), **kw)
    for x, y in (([1, 2], [1, 2]), ([1, 2], [1.0, 2.0]), ([1, 2], [1, 2, 3]),
                 ([math.nan], [math.nan]), ([[1, 2]], [1, 2])):
        assert ember.equal(ember.tensor(x), ember.tensor(y)) is \
            torch.equal(torch.tensor(x), torch.tensor(y))


def test_float32_stays_float32_through_python_numbers():
    """A Python number (or a NumPy function of one) never widens a float32 tensor."""
    x = np.array([0.5, 2.0], dtype=np.float32)
    for fn in (lambda lib, x: lib.xlogy(x, 3.0), lambda lib, x: lib.xlogy(3.0, x),
               lambda lib, x: lib.copysign(x, -2.0), lambda lib, x: lib.remainder(x, 0.3),
               lambda lib, x: lib.clamp(x, 0.1, 1.0), lambda lib, x: lib.lerp(x, x * 2, 0.7),
               lambda lib, x: lib.where(x > 1, x, 2.5), lambda lib, x: x.masked_fill(x > 1, 0.1),
               lambda lib, x: lib.float_power(x, 2), lambda lib, x: 2.5 ** x,
               lambda lib, x: lib.addcdiv(x, x, x, value=0.1)):
        assert_same(fn(ember, ember.tensor(x)), fn(torch, torch.tensor(x)))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_masked_gradients_keep_torch_values_for_nan_inf_and_signed_zero(dtype):
    # relu's and where's plain backward select by bit masks: the dropped places are
    # +0.0 whatever the gradient holds there, and a nan input passes the gradient
    values = [float("nan"), 0.0, 1.0, -2.0, 3.0, -0.0, 4.0]
    grads = [2.0, float("inf"), -3.0, float("nan"), -0.0, -5.0, float("-inf")]
    mask = [True, False, True, False, True, True, False]
    out = []
    for lib in (ember, torch):
        dt = getattr(lib, dtype)
        x = lib.tensor(values, dtype=dt, requires_grad=True)
        x.relu().backward(lib.tensor(grads, dtype=dt))
        relu_grad = x.grad
        x.grad = None
        lib.where(lib.tensor(mask), x, 0.0).backward(lib.tensor(grads, dtype=dt))
        out.append((relu_grad, x.grad))
    for e, t in zip(*out):
        assert_same(e, t)
        assert np.array_equal(np.signbit(e.numpy()), np.signbit(t.numpy()))


@pytest.mark.parametrize("name", ["tanh", "sigmoid", "tan", "atanh", "expm1", "log1p",
                                  "sqrt", "rsqrt", "atan", "exp2", "log2", "log10"])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("shape", [(5,), ()])
def test_rule_numbers_given_as_arrays_keep_the_rule_s_values(name, dtype, shape):
    # A plain backward gives a rule's numbers (tanh's 1 - y * y) as 0-d arrays of the
    # gradient's dtype; the graph of a backward (create_graph) runs the rule on Tensors
    # with Python numbers. Both must give the same bits, and torch's values.
    values = np.linspace(0.15, 0.85, 5) if shape else np.array(0.35)
    g = np.linspace(-1.5, 2.0, 5) if shape else np.array(1.25)
    x = ember.tensor(values.astype(dtype), requires_grad=True)
    getattr(ember, name)(x).backward(ember.tensor(g.astype(dtype)))
    (graph,) = ember.autograd.grad(getattr(ember, name)(x), x, ember.tensor(g.astype(dtype)),
                                   create_graph=True)
    assert x.grad.dtype == graph.dtype == x.dtype
    np.testing.assert_array_equal(x.grad.numpy(), graph.detach().numpy())
    tx = torch.tensor(values.astype(dtype), requires_grad=True)
    getattr(torch, name)(tx).backward(torch.tensor(g.astype(dtype)))
    tol = {"float16": 2e-3, "float32": 2e-6, "float64": 1e-12}[dtype]
    np.testing.assert_allclose(x.grad.numpy().astype(np.float64),
                               tx.grad.numpy().astype(np.float64), rtol=tol, atol=tol)
