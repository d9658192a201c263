"""Tensor basics against torch: creation, dtype inference and promotion, attributes,
conversions to Python and NumPy, and the errors of misuse."""

import itertools

import numpy as np
import pytest
import torch

import ember

from conftest import assert_same, raises_like

# ---------------------------------------------------------------- creation and dtypes

DATA = [1.5, 3, True, [1, 2], [1.0, 2], [[1, 2], [3, 4]], [True, False], [[1.5], [2]],
        [], [[]], np.float32(2.5), np.array([1, 2], dtype=np.int32),
        np.array([1.0], dtype=np.float64), np.array([[1, 0]], dtype=np.uint8),
        np.array(3, dtype=np.int16), [np.float64(1.0), 2.0]]


@pytest.mark.parametrize("data", DATA, ids=repr)
def test_tensor_infers_torch_dtype(data):
    assert_same(ember.tensor(data), torch.tensor(data))


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int8", "int16",
                                   "int32", "int64", "uint8", "bool"])
def test_tensor_with_dtype(dtype):
    data = [[0, 1, 2], [3, 4, 5]]
    assert_same(ember.tensor(data, dtype=getattr(ember, dtype)),
                torch.tensor(data, dtype=getattr(torch, dtype)))


def test_tensor_from_tensor_copies():
    a = ember.tensor([1.0, 2.0])
    b = ember.tensor(a)
    b[0] = 5.0
    assert a.tolist() == [1.0, 2.0]


def test_from_numpy_shares_memory():
    a = np.zeros(3)
    t = ember.from_numpy(a)
    a[1] = 4.0
    t[2] = 7.0
    assert t.tolist() == [0.0, 4.0, 7.0] and a[2] == 7.0
    assert t.dtype == ember.float64


SIZE_CALLS = ["zeros(3)", "zeros(2, 3)", "zeros((2, 3))", "zeros([2, 3])",
              "ones(2, 3, dtype=lib.float64)", "zeros(size=(2, 3))", "empty(0)",
              "full((2, 2), 7)", "full((2,), 1.5)", "full((2,), True)", "eye(3)",
              "eye(2, 3)", "arange(5)", "arange(1, 4)", "arange(0, 1, 0.1)",
              "arange(5.0)", "arange(10, 0, -3)", "arange(-1.5, 1.5, 0.25)",
              "linspace(0, 1, 5)", "linspace(-1, 1, 7)", "linspace(0, 10, 1)",
              "linspace(3, 3, 0)", "linspace(0, 1, 10, dtype=lib.float64)",
              "zeros_like(lib.ones(2, 3))", "ones_like(lib.ones(2, dtype=lib.int32))",
              "full_like(lib.ones(2), 3)", "empty_like(lib.ones(2)).fill_(0)",
              "ones(2).new_zeros(3)", "ones(2).new_ones((2, 1))",
              "ones(2).new_full((2,), 4.0)", "ones(2).new_tensor([1, 2])",
              "zeros(2, 0, 3)"]


@pytest.mark.parametrize("call", SIZE_CALLS)
def test_creation_matches_torch(call):
    assert_same(eval("lib." + call, {"lib": ember}), eval("lib." + call, {"lib": torch}))


def test_random_creation_shapes_dtypes_and_seeding():
    for call in ["rand(3)", "randn(2, 3)", "randn((2, 3))", "randn(size=(3,))",
                 "rand(2, dtype=lib.float64)", "randint(0, 10, (4,))", "randint(5, (2, 2))",
                 "randn_like(lib.ones(2, 2))", "rand_like(lib.ones(3))"]:
        e, t = eval("lib." + call, {"lib": ember}), eval("lib." + call, {"lib": torch})
        assert e.shape == t.shape and str(e.dtype) == str(t.dtype)
    ember.manual_seed(3)
    a = ember.randn(5)
    ember.manual_seed(3)
    assert ember.randn(5).tolist() == a.tolist()
    r = ember.randint(2, 5, (1000,)).numpy()
    assert r.min() == 2 and r.max() == 4
    u = ember.rand(1000).numpy()
    assert 0 <= u.min() and u.max() < 1
    x = ember.randn(size=(3,), requires_grad=True)
    assert x.requires_grad and x.is_leaf


# ---------------------------------------------------------------- promotion

SAMPLES = {
    "f16": "lib.tensor([1., 2.], dtype=lib.float16)",
    "f32": "lib.tensor([1., 2.])",
    "f64": "lib.tensor([1., 2.], dtype=lib.float64)",
    "i8": "lib.tensor([1, 2], dtype=lib.int8)",
    "u8": "lib.tensor([1, 2], dtype=lib.uint8)",
    "i32": "lib.tensor([1, 2], dtype=lib.int32)",
    "i64": "lib.tensor([1, 2])",
    "b": "lib.tensor([True, False])",
    "f64_0d": "lib.tensor(1.5, dtype=lib.float64)",
    "i64_0d": "lib.tensor(3)",
    "f32_0d": "lib.tensor(2.5)",
    "py_int": "2",
    "py_float": "2.5",
    "py_bool": "True",
}


@pytest.mark.parametrize("a,b", [(a, b) for a, b in itertools.product(SAMPLES, repeat=2)
                                 if not (a.startswith("py") and b.startswith("py"))])
@pytest.mark.parametrize("op", ["+", "*", "-", "/"])
def test_binary_promotion_matches_torch(a, b, op):
    expr = f"({SAMPLES[a]}) {op} ({SAMPLES[b]})"
    try:
        t = eval(expr, {"lib": torch})
    except Exception:  # e.g. bool - bool: torch refuses; ember must refuse too
        raises_like(lambda: eval(expr, {"lib": ember}), lambda: eval(expr, {"lib": torch}))
        return
    assert_same(eval(expr, {"lib": ember}), t)


def test_result_type_and_promote_types():
    for a, b in itertools.product(SAMPLES, repeat=2):
        ea, ta = eval(SAMPLES[a], {"lib": ember}), eval(SAMPLES[b], {"lib": torch})
        eb, tb = eval(SAMPLES[b], {"lib": ember}), eval(SAMPLES[b], {"lib": torch})
        ta = eval(SAMPLES[a], {"lib": torch})
        if isinstance(ta, torch.Tensor) or isinstance(tb, torch.Tensor):
            assert str(ember.result_type(ea, eb)) == str(torch.result_type(ta, tb))
    names = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8",
             "bool"]
    for a, b in itertools.product(names, repeat=2):
        got = ember.promote_types(getattr(ember, a), getattr(ember, b))
        assert str(got) == str(torch.promote_types(getattr(torch, a), getattr(torch, b)))


def test_default_dtype():
    assert ember.get_default_dtype() == ember.float32
    try:
        ember.set_default_dtype(ember.float64)
        torch.set_default_dtype(torch.float64)
        assert_same(ember.tensor([1.5]), torch.tensor([1.5]))
        assert_same(ember.tensor([1, 2]) / 2, torch.tensor([1, 2]) / 2)
        assert_same(ember.arange(0, 1, 0.5), torch.arange(0, 1, 0.5))
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)
    raises_like(lambda: ember.set_default_dtype(ember.int64),
                lambda: torch.set_default_dtype(torch.int64))


# ---------------------------------------------------------------- attributes


def test_attributes_match_torch():
    e, t = ember.zeros(2, 3, 4), torch.zeros(2, 3, 4)
    assert e.shape == t.shape and isinstance(e.shape, tuple)
    assert e.size() == t.size() and e.size(1) == t.size(1) and e.size(-1) == t.size(-1)
    assert e.ndim == t.ndim and e.dim() == t.dim() and e.numel() == t.numel()
    assert len(e) == len(t)
    assert e.shape.numel() == t.shape.numel()
    assert e.element_size() == t.element_size()
    assert e.is_floating_point() and not ember.zeros(1, dtype=ember.int64).is_floating_point()
    assert [x.shape for x in e] == [x.shape for x in t]
    assert e.is_contiguous() and not e.transpose(0, 1).is_contiguous()
    assert e.is_leaf and e.grad is None and e.grad_fn is None and not e.requires_grad


@pytest.mark.parametrize("data", [2.5, [3.0], [[7]], True, -4])
def test_python_conversions_match_torch(data):
    e, t = ember.tensor(data), torch.tensor(data)
    assert e.item() == t.item() and type(e.item()) is type(t.item())
    assert float(e) == float(t) and int(e) == int(t) and bool(e) == bool(t)
    assert e.tolist() == t.tolist()


def test_tolist_and_numpy():
    e = ember.tensor([[1.5, 2.0], [3.0, 4.0]])
    assert e.tolist() == torch.tensor([[1.5, 2.0], [3.0, 4.0]]).tolist()
    a = e.numpy()
    a[0, 0] = 9.0  # numpy() shares memory, as torch's
    assert e[0, 0].item() == 9.0
    assert np.asarray(e).dtype == np.float32


def test_data_is_a_detached_view():
    x = ember.ones(3, requires_grad=True)
    d = x.data
    assert not d.requires_grad and d.grad_fn is None
    d[0] = 5.0
    assert x[0].item() == 5.0


def test_index_conversion():
    assert [10, 20, 30][ember.tensor(1)] == 20
    raises_like(lambda: [1, 2][ember.tensor(1.0)], lambda: [1, 2][torch.tensor(1.0)])


MISUSES = [
    "lib.tensor([1.0, 2.0]).item()",
    "float(lib.tensor([1.0, 2.0]))",
    "bool(lib.tensor([1.0, 2.0]))",
    "bool(lib.tensor([]))",
    "len(lib.tensor(1.0))",
    "iter(lib.tensor(1.0))",
    "lib.ones(2, requires_grad=True).numpy()",
    "lib.tensor([1, 2], requires_grad=True)",
    "lib.ones(2, dtype=lib.int64).requires_grad_()",
    "lib.zeros(-1)",
    "lib.zeros(2, 3).size(2)",
    "lib.zeros(2, 3).size(-3)",
    "lib.tensor('abc')",
    "lib.tensor([[1, 2], [3]])",
    "lib.arange(0, 1, 0)",
    "lib.arange(0, 10, -1)",
    "lib.zeros(3) + lib.zeros(2)",
    "lib.zeros(2, 3) * lib.zeros(3, 2)",
    "lib.zeros(2, 3).view(4)",
    "lib.zeros(2, 3).reshape(-1, -1)",
    "lib.zeros(2, 3).t().view(6)",
    "lib.zeros(2, 3).transpose(0, 2)",
    "lib.zeros(2, 3) @ lib.zeros(2, 3)",
    "lib.zeros(3) @ lib.zeros(4)",
    "lib.zeros(3)[3]",
    "lib.zeros(3)[0, 0]",
    "lib.zeros(3).expand(2, 2)",
    "lib.zeros(2, 3).sum(2)",
    "lib.zeros(2, 3).mean(dtype=None, dim=5)",
    "lib.tensor([1, 2]).mean()",
    "-lib.tensor([True])",
    "lib.zeros(2).permute(1, 0)",
    "lib.zeros(2, 3).t().t().t()[5]",
    "lib.tensor([1, 2]) ** -1",
    "lib.zeros(3).new_zeros(-2)",
]


def test_devices_other_than_cpu_say_they_are_not_in_ember():
    with pytest.raises(RuntimeError, match="cuda:7"):
        ember.zeros(3).to("cuda:7")
    assert repr(ember.zeros(2).to("cpu").device) == repr(torch.zeros(2).device)


@pytest.mark.parametrize("expr", MISUSES)
def test_misuse_raises_torch_exception_type(expr):
    raises_like(lambda: eval(expr, {"lib": ember}), lambda: eval(expr, {"lib": torch}))


def test_error_messages_name_the_problem():
    with pytest.raises(RuntimeError, match=r"size of tensor a \(3\) must match .* \(2\)"):
        ember.zeros(3) + ember.zeros(2)
    with pytest.raises(RuntimeError, match=r"shape '\[4\]' is invalid for input of size 6"):
        ember.zeros(2, 3).view(4)
    with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied "
                                           r"\(2x3 and 2x3\)"):
        ember.zeros(2, 3) @ ember.zeros(2, 3)
    with pytest.raises(IndexError, match=r"index 3 is out of bounds for dimension 0 with "
                                         r"size 3"):
        ember.zeros(3)[3]
    with pytest.raises(IndexError, match=r"Dimension out of range \(expected to be in range "
                                         r"of \[-2, 1\], but got 2\)"):
        ember.zeros(2, 3).sum(2)
    with pytest.raises(RuntimeError, match="only Tensors of floating point"):
        ember.tensor([1, 2], requires_grad=True)


def test_in_place_ops_match_torch():
    for expr in ["x.add_(1)", "x.sub_(y)", "x.mul_(y)", "x.div_(2)", "x.zero_()",
                 "x.fill_(3.5)", "x.copy_(y)", "x.clamp_(0.2, 0.4)", "x.add_(y, alpha=2)"]:
        res = []
        for lib in (ember, torch):
            x = lib.tensor([0.1, 0.3, 0.5])
            y = lib.tensor([2.0, 3.0, 4.0])
            out = eval(expr, {"x": x, "y": y})
            assert out is x
            res.append(x)
        assert_same(*res)


def test_in_place_dtype_and_shape_rules_match_torch():
    raises_like(lambda: ember.tensor([1, 2]).add_(1.5), lambda: torch.tensor([1, 2]).add_(1.5))
    raises_like(lambda: ember.zeros(3).add_(ember.zeros(2, 3)),
                lambda: torch.zeros(3).add_(torch.zeros(2, 3)))
    e, t = ember.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0])
    e += ember.tensor([1, 1])
    t += torch.tensor([1, 1])
    assert_same(e, t)


def test_operators_with_python_scalars_on_both_sides():
    for expr in ["2 + x", "x + 2", "2 - x", "x - 2", "2 * x", "x * 2", "2 / x", "x / 2",
                 "2 ** x", "x ** 2", "-x", "abs(x)", "x // 0.7", "x % 0.7", "0.7 % x",
                 "x == 0.5", "x != 0.5", "x < 0.5", "x >= 0.5", "0.5 < x"]:
        e = eval(expr, {"x": ember.tensor([0.5, 1.5, 2.5])})
        t = eval(expr, {"x": torch.tensor([0.5, 1.5, 2.5])})
        assert_same(e, t)


@pytest.mark.parametrize("make", [
    lambda lib: lib.ones(2, 3),
    lambda lib: lib.ones(2, 3).t(),
    lambda lib: lib.ones(4, 5)[:, ::2],
    lambda lib: lib.ones(3, 1).expand(3, 4),
    lambda lib: lib.tensor(2.0),
    lambda lib: (lib.ones(3) * 2).sum(),
])
def test_stride_matches_torch(make):
    e, t = make(ember), make(torch)
    assert e.stride() == t.stride()
    if t.dim():
        assert e.stride(-1) == t.stride(-1)


def test_leaf_grad_is_laid_out_as_the_leaf():
    # Linear's weight gradient comes out of matmul transposed; .grad is contiguous
    for lib in (ember, torch):
        lib.manual_seed(0)
        layer = lib.nn.Linear(4, 3)
        layer(lib.ones(2, 4)).sum().backward()
        assert layer.weight.grad.is_contiguous()
        assert layer.weight.grad.stride() == (4, 1)
