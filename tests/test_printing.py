"""repr/str of tensors: character for character what torch prints."""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

CASES = {
    "seed_vector": "lib.tensor([-0.6297, 1.8933, -0.7387], requires_grad=True)",
    "scalar": "lib.tensor(12.4175)",
    "int_valued_floats": "lib.tensor([0., 0., 0.])",
    "int_valued_mixed_sign": "lib.tensor([-1., 2., 300.])",
    "ints": "lib.tensor([1, 2, -30])",
    "int_scalar": "lib.tensor(7)",
    "bools": "lib.tensor([True, False])",
    "bool_scalar": "lib.tensor(True)",
    "sci_small": "lib.tensor([1e-5, 1.0])",
    "sci_large": "lib.tensor([1e9, 1.0])",
    "sci_ratio": "lib.tensor([0.001, 2.0, 3.0])",
    "matrix": "lib.tensor([[1.5, 2.25], [3.0, -4.125]])",
    "matrix_sci": "lib.tensor([[1e-5, 1.], [3., 4.]])",
    "cube": "lib.arange(24.).reshape(2, 3, 4)",
    "int_matrix": "lib.arange(12).reshape(3, 4)",
    "float64": "lib.tensor([1.5, 2.0], dtype=lib.float64)",
    "float64_scalar": "lib.tensor(2.5, dtype=lib.float64)",
    "float16": "lib.tensor([1.5, 2.0], dtype=lib.float16)",
    "int32": "lib.tensor([1, 2], dtype=lib.int32)",
    "uint8": "lib.tensor([1, 255], dtype=lib.uint8)",
    "int8_matrix": "lib.tensor([[1, -2], [3, 4]], dtype=lib.int8)",
    "empty": "lib.tensor([])",
    "empty_2d": "lib.zeros(2, 0)",
    "empty_int": "lib.tensor([], dtype=lib.int64)",
    "empty_float64": "lib.zeros(0, 3, dtype=lib.float64)",
    "nan_inf": "lib.tensor([float('nan'), float('inf'), -float('inf'), 1.5])",
    "nan_inf_ints": "lib.tensor([float('nan'), float('inf'), 2.0])",
    "all_nan": "lib.tensor([float('nan')])",
    "negative_zero": "lib.tensor([-0.0, 1.0])",
    "wrap_long_row": "lib.arange(30.) / 7",
    "wrap_ints": "lib.arange(40) * 1000",
    "summarized": "lib.arange(2000.)",
    "summarized_2d": "lib.arange(4000.).reshape(40, 100)",
    "summarized_3d": "lib.arange(2000).reshape(10, 10, 20)",
    "grad_fn": "lib.tensor([1.0, 2.0], requires_grad=True) * 2",
    "grad_fn_scalar": "(lib.tensor([1.0, 2.0], requires_grad=True) ** 2).mean()",
    "grad_fn_float64": "lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True) + 1",
    "requires_grad_matrix": "lib.ones(2, 2, requires_grad=True)",
    "long_suffix_wrap": "lib.arange(10., dtype=lib.float64).reshape(1, 10) / 3",
    "suffix_wrap_grad": "(lib.arange(11., requires_grad=True) / 3 + 100)",
    "big_values": "lib.tensor([123456.789, 0.5])",
    "tiny_values": "lib.tensor([1e-3, 2e-3])",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_repr_matches_torch(name):
    expr = CASES[name]
    expected = repr(eval(expr, {"lib": torch}))
    got = repr(eval(expr, {"lib": ember}))
    assert got == expected
    assert str(eval(expr, {"lib": ember})) == expected


def test_default_dtype_changes_what_is_shown():
    try:
        for lib in (torch, ember):
            lib.set_default_dtype(lib.float64)
        for expr in ["lib.tensor([1.5])", "lib.tensor([1.5], dtype=lib.float32)",
                     "lib.tensor([])", "lib.tensor([], dtype=lib.float32)"]:
            assert repr(eval(expr, {"lib": ember})) == repr(eval(expr, {"lib": torch}))
    finally:
        for lib in (torch, ember):
            lib.set_default_dtype(lib.float32)


@pytest.mark.parametrize("opts", [dict(precision=2), dict(sci_mode=True),
                                  dict(threshold=5), dict(edgeitems=1, threshold=3),
                                  dict(linewidth=30), dict(profile="short"),
                                  dict(profile="full")])
def test_printoptions_match_torch(opts):
    try:
        for lib in (torch, ember):
            lib.set_printoptions(**opts)
        for expr in ["lib.arange(20.) / 3", "lib.tensor([[1.12345, 2.5], [3.0, 4.0]])",
                     "lib.arange(1200)"]:
            assert repr(eval(expr, {"lib": ember})) == repr(eval(expr, {"lib": torch}))
    finally:
        for lib in (torch, ember):
            lib.set_printoptions(profile="default")


def test_format_of_zero_dim_tensor_is_the_python_number():
    for spec in ["", ".3f", ">10", ".2e"]:
        e, t = ember.tensor(30.0), torch.tensor(30.0)
        assert format(e, spec) == format(t, spec)
    assert f"{ember.tensor(1.1627856492996216)}" == f"{torch.tensor(1.1627856492996216)}"


def test_dtype_size_and_device_print_as_torch():
    assert repr(ember.float32) == repr(torch.float32)
    assert str(ember.int64) == str(torch.int64)
    assert repr(ember.zeros(2, 3).shape) == repr(torch.zeros(2, 3).shape)
    assert str(ember.zeros(2, 3).size()) == str(torch.zeros(2, 3).size())
    assert repr(ember.zeros(1).device) == repr(torch.zeros(1).device)


@given(hnp.arrays(np.float32, hnp.array_shapes(min_dims=0, max_dims=3, max_side=5),
                  elements=st.floats(-1e10, 1e10, width=32)))
def test_repr_matches_torch_on_random_float32(a):
    assert repr(ember.tensor(a)) == repr(torch.tensor(a))


@given(hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=6),
                  elements=st.integers(-10**6, 10**6)))
def test_repr_matches_torch_on_random_ints(a):
    assert repr(ember.tensor(a)) == repr(torch.tensor(a))
