"""Indexing against torch beyond the OpInfo rows: the many kinds of ``x[key]``, views
sharing memory, ``x[key] = value`` and its gradients, the errors (type and message), the
named result tuples, the in-place forms and the ops without a derivative."""

import pickle
import warnings

import numpy as np
import pytest
import torch

import ember

from conftest import assert_same, pair, raises_like


def _convert(lib, k):
    """A key spelled with numpy arrays, as ``lib``'s key (arrays become tensors)."""
    if isinstance(k, tuple):
        return tuple(_convert(lib, x) for x in k)
    if isinstance(k, np.ndarray):
        return lib.tensor(k)
    return k


def _same_error(fn_ember, fn_torch):
    """Both raise; same exception type and the same message."""
    e = raises_like(fn_ember, fn_torch)
    with pytest.raises(Exception) as t:
        fn_torch()
    assert str(e) == str(t.value)


B = np.array
I64 = np.int64

# ---------------------------------------------------------------- x[key]

GET_KEYS = [
    ((4, 5), 1), ((4, 5), -1), ((4, 5), (1, -2)), ((4, 5), slice(1, None, 2)),
    ((4, 5), slice(-10, 2)), ((4, 5), slice(3, 1)), ((4, 5), (slice(None), slice(1, 2))),
    ((4, 5), slice(None)), ((4, 5), ()), ((4, 5), ...), ((4, 5), (None, 1, None)),
    ((4, 5), (..., None)), ((2, 3, 4), (..., ...)), ((2, 3, 4), (..., 0, ...)),
    ((2, 3, 4), (0, ..., 1, ...)), ((4, 5), (0, slice(None))), ((4, 5), (slice(1, None), 0)),
    ((4, 5), (0, None)), ((4, 5), B([0, 0, 3])), ((4, 5), (B([0, 0, 3]), B([1, 1, 4]))),
    ((4, 5), (B([0, 0]), slice(None))), ((4, 5), (slice(None), B([4, 0]))),
    ((4, 5), [0, 1]), ((4, 5), [[0, 1], [1, 1]]), ((4, 5), ([0, 1], [1, 2])),
    ((4, 5), ([[0, 1], [1, 1]],)), ((4, 5), [1, True]), ((4, 5), [True, False, True, True]),
    ((2, 3, 4), (B([0, 1]), slice(None), B([1, 2]))),
    ((2, 3, 4), (slice(None), B([0, 1]), B([1, 2]))),
    ((2, 3, 4), (0, slice(None), B([1, 2]))), ((2, 3, 4), (B([0, 1]), 0, slice(None))),
    ((2, 3, 4), (B([1, 0]), slice(None), 0)), ((2, 3, 4), (slice(None), B([[0, 1], [1, 2]]))),
    ((2, 3, 4), (B([0, 1]), None, B([1, 2]))), ((2, 3), B([True, False])),
    ((2, 3), np.ones((2, 3), bool)), ((2, 3), (slice(None), B([True, False, True]))),
    ((2, 3, 4), np.ones((2, 3), bool)), ((2, 3, 4), (slice(None), np.eye(3, 4, dtype=bool))),
    ((2, 3, 4), (np.ones((2, 3), bool), B([1, 0, 3, 3, 2, 1]))), ((2, 3), True),
    ((2, 3), False), ((2, 3), (None, True, 0)), ((2, 3), (1, True)), ((2, 3), B(1)),
    ((2, 3), (B(1), B(2))), ((2, 3), B(True)), ((2, 3), B([0, 1], dtype=np.int32)),
    ((), None), ((), ...), ((), ()), ((), True), ((), B(True)), ((0, 3), B([], I64)),
    ((3,), []), ((3,), B([], I64)), ((3, 2), (slice(None), B([], I64))),
    ((4, 5), (B(1), slice(B(1), B(3)))), ((4, 5), B([[-1, 0], [2, -4]])),
]


@pytest.mark.parametrize("shape,key", GET_KEYS, ids=[repr(k)[:40] for _, k in GET_KEYS])
def test_getitem_matches_torch(shape, key):
    """Values, shape, dtype, grad_fn name and the gradient (repeats accumulate)."""
    a = np.random.default_rng(0).standard_normal(shape)
    out = {}
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch's deprecation warnings (ember's too)
            y = x[_convert(lib, key)]
        g = np.random.default_rng(1).standard_normal(tuple(y.shape))
        y.backward(lib.tensor(g))
        out[lib] = (y, x.grad, type(y.grad_fn).__name__, y._base is not None)
    (ey, eg, ename, eview), (ty, tg, tname, tview) = out[ember], out[torch]
    assert_same(ey, ty)
    assert_same(eg, tg)
    assert (ename, eview) == (tname, tview)


def test_getitem_view_chain_names_match_torch():
    """torch applies the basic part of a key first: x[1:, [0, 1]] is an index of a
    slice."""
    for key in [(slice(1, None), [0, 1]), (0, slice(None), [1, 2]), (None, [0])]:
        names = []
        for lib in (ember, torch):
            x = lib.ones(2, 3, 4, requires_grad=True)
            fn = x[key].grad_fn
            names.append([type(fn).__name__, type(fn.next_functions[0][0]).__name__])
        assert names[0][0] == names[1][0]
        assert names[0][1] == names[1][1] or names[1][1] == "AccumulateGrad"


def test_basic_keys_share_memory_and_advanced_copy():
    for lib in (ember, torch):
        x = lib.zeros(3, 4)
        v = x[1:, ::2]
        v[0, 1] = 5.0  # writes through the view
        s = x[2, 3]  # a 0-d view, not a copy
        x[2, 3] = 7.0
        c = x[[0, 1]]
        c[0, 0] = 9.0  # advanced indexing copies
        m = x[x > 100]
        assert x[1, 2].item() == 5.0 and s.item() == 7.0 and x[0, 0].item() == 0.0
        assert m.numel() == 0 and v._base is x


def test_view_version_counter_shared():
    x = ember.zeros(3)
    v = x[1:]
    x.add_(1)
    assert v._version == x._version == 1


def test_uint8_mask_warns_and_masks():
    e, t = pair([1.0, 2.0, 3.0])
    with pytest.warns(UserWarning, match="uint8"):
        got = e[ember.tensor([1, 0, 1], dtype=ember.uint8)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = t[torch.tensor([1, 0, 1], dtype=torch.uint8)]
    assert_same(got, want)


def test_list_as_tuple_warns():
    e, _ = pair(np.ones((2, 3)))
    with pytest.warns(UserWarning, match="non-tuple sequence"):
        e[[0, slice(None)]]


GET_ERRORS = [
    ((4, 5), 4), ((4, 5), -5), ((4, 5), (1, 5)), ((4, 5), (1, 2, 3)), ((4, 5), B([4])),
    ((4, 5), (slice(None), B([5, 0]))), ((4, 5), (B([0, 1]), B([0, 1, 2]))),
    ((4, 5), slice(None, None, 0)), ((4, 5), slice(None, None, -1)), ((4, 5), 1.0),
    ((4, 5), "a"), ((4, 5), object()), ((4, 5), slice(1.5, None)), ((4, 5), B([0.0])),
    ((4, 5), B([0, 1], dtype=np.int16)), ((2, 3), np.ones((3, 2), bool)),
    ((2, 3), np.ones(3, bool)), ((2, 3, 4), (0, np.ones((3, 5), bool))),
    ((2, 3, 4), (None, slice(None), np.ones((4, 4), bool))),
    ((2, 3, 4), (np.ones((2, 3), bool), B([0, 1]))), ((2, 3, 4), (slice(None), B([9]))),
    ((2, 3, 4), (B([0, 1]), slice(None), B([9, 1]))), ((2, 3, 4), (True, slice(None), 0, B([9]))),
    ((2, 3, 4), (np.ones((2, 3), bool), B([9]))), ((3, 3), (B([5, 0]), B([0, 7]))),
    ((3, 3), (B([0, 5]), B([7, 0]))), ((3, 3), B([0, -7, 5])), ((), 0), ((), slice(None)),
    ((), (None, 0)), ((), [0]), ((0, 3), B([0])), ((2, 0), (slice(None), B([0]))),
    ((4, 5), np.ones((1, 4, 5), bool)),
]


@pytest.mark.parametrize("shape,key", GET_ERRORS, ids=[repr(k)[:40] for _, k in GET_ERRORS])
def test_getitem_errors_match_torch(shape, key):
    e, t = pair(np.zeros(shape))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same_error(lambda: e[_convert(ember, key)], lambda: t[_convert(torch, key)])


# ---------------------------------------------------------------- x[key] = value

SET_CASES = [
    ((4, 5), 1, (5,)), ((4, 5), 1, ()), ((4, 5), 1, None), ((4, 5), 1, (1, 5)),
    ((4, 5), (slice(None), 1), (4,)), ((4, 5), B([0, 3, 2]), (3, 5)),
    ((4, 5), B([1, 2]), (5,)), ((4, 5), B([1, 2]), (2, 1)), ((4, 5), B([1, 2]), (1, 1, 2, 5)),
    ((4, 5), (B([0, 3, 2]), B([1, 1, 1])), (3,)),
    ((4, 5), np.arange(20).reshape(4, 5) % 3 == 0, (7,)),
    ((4, 5), np.arange(20).reshape(4, 5) % 3 == 0, ()), ((4, 5), ..., (5,)),
    ((4, 5), None, (5,)), ((), ..., ()), ((), None, ()), ((4, 5), slice(1, 3), (1, 2, 5)),
    ((2, 3, 4), (0, slice(None), B([1, 2])), (3, 2)), ((4, 5), slice(None), (4, 5)),
    ((4, 5), (slice(None), slice(None)), (5,)), ((2, 3), True, (2, 3)),
    ((4, 5), B([0, 0, 2]), (3, 5)),  # repeated: the value gets the gradient of each
]


@pytest.mark.parametrize("shape,key,vshape", SET_CASES,
                         ids=[f"{k!r}-{v}"[:40] for _, k, v in SET_CASES])
def test_setitem_matches_torch(shape, key, vshape):
    """Values, grad_fn name, and gradients to both the tensor and the value."""
    a = np.random.default_rng(0).standard_normal(shape)
    v = np.random.default_rng(2).standard_normal(vshape) if vshape is not None else 2.5
    out = {}
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        val = lib.tensor(v, requires_grad=True) if vshape is not None else v
        y = x * 1
        y[_convert(lib, key)] = val
        g = lib.tensor(np.random.default_rng(1).standard_normal(shape))
        inputs = [x, val] if vshape is not None else [x]
        grads = lib.autograd.grad(y, inputs, g)
        out[lib] = (y, grads, type(y.grad_fn).__name__)
    (ey, eg, en), (ty, tg, tn) = out[ember], out[torch]
    if not (isinstance(key, np.ndarray) and key.tolist() == [0, 0, 2]):
        assert_same(ey, ty)  # which of two writes to one place wins is unspecified
    assert_same(list(eg), list(tg))
    assert en == tn


def test_setitem_second_derivative():
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    v = ember.tensor(rng.standard_normal((2, 3)), requires_grad=True)

    def f(x, v):
        y = x * x
        y[ember.tensor([3, 1])] = v * v
        return y

    assert ember.autograd.gradgradcheck(f, (x, v))


def test_setitem_through_a_view_reaches_the_base():
    for lib in (ember, torch):
        x = lib.arange(6.0).reshape(2, 3).requires_grad_()
        w = lib.tensor(3.0, requires_grad=True)
        y = x * 1
        row = y[1]
        row[0] = w * 2
        (y * y).sum().backward()
        if lib is ember:
            got = (x.grad, w.grad)
        else:
            assert_same(got[0], x.grad)
            assert_same(got[1], w.grad)


def test_setitem_casts_and_bumps_version():
    for dtype in ("int64", "float32"):
        e, t = pair(np.zeros(4, dtype=dtype))
        e[1], t[1] = 2.7, 2.7
        e[ember.tensor([2, 3])] = 1.9
        t[torch.tensor([2, 3])] = 1.9
        e[:1] = ember.tensor([5.5], dtype=ember.float64)
        t[:1] = torch.tensor([5.5], dtype=torch.float64)
        assert_same(e, t)
        assert e._version == 3


def test_setitem_leaf_requiring_grad_raises():
    e, t = pair([1.0, 2.0], requires_grad=True)
    raises_like(lambda: e.__setitem__(0, 1.0), lambda: t.__setitem__(0, 1.0))
    with ember.no_grad():
        e[0] = 5.0  # allowed outside grad mode, as torch
    assert e[0].item() == 5.0


SET_ERRORS = [
    ((4, 5), 1, (4,)), ((4, 5), (slice(None), 1), (4, 1)), ((4, 5), slice(1, 3), (2, 2, 5)),
    ((4, 5), 0, (1, 4)), ((2, 5), 0, (3, 1)),
    ((4, 5), np.arange(20).reshape(4, 5) % 3 == 0, (6,)),
    ((4, 5), np.ones((4, 5), bool), (4, 5)), ((2, 3, 4), (0, slice(None), B([1, 2])), (2, 3)),
    ((2, 5), B([0, 1]), (1, 2, 4)), ((2, 5), B([0, 1]), (3, 2, 5)), ((4, 5), B([5]), (5,)),
    ((4, 5), 7, (5,)), ((4, 5), (1, 2, 3), ()),
]


@pytest.mark.parametrize("shape,key,vshape", SET_ERRORS,
                         ids=[f"{k!r}-{v}"[:40] for _, k, v in SET_ERRORS])
def test_setitem_errors_match_torch(shape, key, vshape):
    e, t = pair(np.zeros(shape))
    ev, tv = pair(np.ones(vshape))

    def put(x, k, v):
        x[k] = v

    _same_error(lambda: put(e, _convert(ember, key), ev),
                lambda: put(t, _convert(torch, key), tv))


def test_setitem_dtype_and_type_errors_match_torch():
    def put(x, k, v):
        x[k] = v

    for lib_args in [
        lambda lib: (lib.zeros(3), [0, 1], lib.tensor([1, 2])),
        lambda lib: (lib.zeros(3), [0, 1], lib.tensor([1.0, 2.0], dtype=lib.float64)),
        lambda lib: (lib.zeros(3), 0, [1.0, 2.0]),
    ]:
        _same_error(lambda f=lib_args: put(*f(ember)), lambda f=lib_args: put(*f(torch)))
    # a 0-d value through one mask is a fill: any dtype is cast
    e, t = pair(np.zeros(3, np.float32))
    e[ember.tensor([True, False, True])] = ember.tensor(1.5, dtype=ember.float64)
    t[torch.tensor([True, False, True])] = torch.tensor(1.5, dtype=torch.float64)
    assert_same(e, t)


# ---------------------------------------------------------------- the index ops: errors

X = np.arange(12.0).reshape(3, 4)


def _ops_errors():
    """(id, call(lib, x)) pairs that torch rejects."""
    i = lambda lib, v, dt=None: lib.tensor(v, dtype=dt or lib.int64)  # noqa: E731
    return [
        ("gather_int16", lambda lib, x: lib.gather(x, 1, i(lib, [[0]], lib.int16))),
        ("gather_float", lambda lib, x: lib.gather(x, 1, i(lib, [[0]], lib.float32))),
        ("gather_oob", lambda lib, x: lib.gather(x, 1, i(lib, [[0], [1], [5]]))),
        ("gather_negative", lambda lib, x: lib.gather(x, 1, i(lib, [[-1]]))),
        ("gather_rank", lambda lib, x: lib.gather(x, 1, i(lib, [0]))),
        ("gather_size", lambda lib, x: lib.gather(x, 0, lib.zeros(2, 5, dtype=lib.int64))),
        ("gather_dim", lambda lib, x: lib.gather(x, 2, i(lib, [[0]]))),
        ("scatter_oob", lambda lib, x: lib.scatter(x, 1, i(lib, [[5]]), 1.0)),
        ("scatter_rank", lambda lib, x: lib.scatter(x, 1, i(lib, [[[1]]]), 1.0)),
        ("scatter_src_small", lambda lib, x: lib.scatter(x, 1, i(lib, [[1, 2], [0, 0]]),
                                                         x[:, :1])),
        ("scatter_value_size", lambda lib, x: lib.scatter(
            x, 0, lib.zeros(2, 5, dtype=lib.int64), 1.0)),
        ("scatter_dtype", lambda lib, x: lib.scatter(x, 1, i(lib, [[0]]), x.to(lib.float32))),
        ("scatter_reduce", lambda lib, x: lib.scatter(x, 1, i(lib, [[1]]), 1.0, reduce="max")),
        ("scatter_add_oob", lambda lib, x: lib.scatter_add(x, 1, i(lib, [[4]]), x)),
        ("scatter_add_dtype", lambda lib, x: lib.scatter_add(x, 1, i(lib, [[0]]),
                                                             x.to(lib.float32))),
        ("index_select_oob", lambda lib, x: lib.index_select(x, 1, i(lib, [7]))),
        ("index_select_negative", lambda lib, x: lib.index_select(x, 1, i(lib, [-1]))),
        ("index_select_2d", lambda lib, x: lib.index_select(x, 1, i(lib, [[0]]))),
        ("index_select_int16", lambda lib, x: lib.index_select(x, 1, i(lib, [0], lib.int16))),
        ("index_select_scalar", lambda lib, x: lib.index_select(x[0, 0], 0, i(lib, [0, 0]))),
        ("index_add_oob", lambda lib, x: lib.index_add(x, 1, i(lib, [5]), x[:, :1])),
        ("index_add_count", lambda lib, x: lib.index_add(x, 1, i(lib, [1, 2]), x[:, :1])),
        ("index_add_shape", lambda lib, x: lib.index_add(x, 1, i(lib, [1]), x[:2, :1])),
        ("index_add_2d", lambda lib, x: lib.index_add(x, 1, i(lib, [[1]]), x[:, :1])),
        ("index_add_dtype", lambda lib, x: lib.index_add(x, 1, i(lib, [1]),
                                                         x[:, :1].to(lib.float32))),
        ("index_add_uint8", lambda lib, x: lib.index_add(x, 1, i(lib, [1], lib.uint8),
                                                         x[:, :1])),
        ("index_copy_oob", lambda lib, x: lib.index_copy(x, 1, i(lib, [5]), x[:, :1])),
        ("index_copy_negative", lambda lib, x: lib.index_copy(x, 1, i(lib, [-1]), x[:, :1])),
        ("index_copy_count", lambda lib, x: lib.index_copy(x, 1, i(lib, [1, 2]), x[:, :1])),
        ("index_copy_int32", lambda lib, x: lib.index_copy(x, 1, i(lib, [1], lib.int32),
                                                           x[:, :1])),
        ("index_copy_dtype", lambda lib, x: lib.index_copy(x, 1, i(lib, [1]),
                                                           x[:, :1].to(lib.float32))),
        ("index_fill_oob", lambda lib, x: lib.index_fill(x, 1, i(lib, [5]), 1.0)),
        ("index_fill_int32", lambda lib, x: lib.index_fill(x, 1, i(lib, [1], lib.int32), 1.0)),
        ("index_fill_value", lambda lib, x: lib.index_fill(x, 1, i(lib, [1]), x[0, :1])),
        ("index_fill_2d", lambda lib, x: lib.index_fill(x, 1, i(lib, [[1]]), 1.0)),
        ("take_oob", lambda lib, x: lib.take(x, i(lib, [12]))),
        ("take_negative", lambda lib, x: lib.take(x, i(lib, [-13]))),
        ("take_int32", lambda lib, x: lib.take(x, i(lib, [1], lib.int32))),
        ("take_along_dim_rank", lambda lib, x: lib.take_along_dim(x, i(lib, [[[0]]]), 1)),
        ("take_along_dim_broadcast", lambda lib, x: lib.take_along_dim(x, i(lib, [0, 1]), 0)),
        ("take_along_dim_flat_negative", lambda lib, x: lib.take_along_dim(x, i(lib, [-1]))),
        ("take_along_dim_int32", lambda lib, x: lib.take_along_dim(x, i(lib, [[0]], lib.int32),
                                                                   1)),
        ("masked_select_int", lambda lib, x: lib.masked_select(x, i(lib, [1, 0, 1, 1]))),
        ("masked_select_shape", lambda lib, x: lib.masked_select(x, lib.ones(2, 4) > 0)),
        ("masked_scatter_small", lambda lib, x: lib.masked_scatter(x, x > -1, x[0])),
        ("masked_scatter_dtype", lambda lib, x: lib.masked_scatter(x, x > 0,
                                                                   x.to(lib.float32))),
        ("masked_scatter_int", lambda lib, x: lib.masked_scatter(x, i(lib, [1, 0, 1, 1]), x)),
        ("sort_dim", lambda lib, x: lib.sort(x, 2)),
        ("topk_big", lambda lib, x: lib.topk(x, 5)),
        ("topk_negative", lambda lib, x: lib.topk(x, -1)),
        ("unique_dim", lambda lib, x: lib.unique(x, dim=2)),
        ("searchsorted_rows", lambda lib, x: lib.searchsorted(x, x[0])),
        ("searchsorted_0d", lambda lib, x: lib.searchsorted(x[0, 0], x)),
        ("searchsorted_scalar", lambda lib, x: lib.searchsorted(x, 1.0)),
        ("searchsorted_side", lambda lib, x: lib.searchsorted(x[0], x, right=True,
                                                              side="left")),
        ("searchsorted_side_bad", lambda lib, x: lib.searchsorted(x[0], x, side="middle")),
        ("bucketize_2d", lambda lib, x: lib.bucketize(x, x)),
    ]


@pytest.mark.parametrize("call", [c for _, c in _ops_errors()],
                         ids=[n for n, _ in _ops_errors()])
def test_op_errors_match_torch(call):
    e, t = pair(X)
    _same_error(lambda: call(ember, e), lambda: call(torch, t))


# ---------------------------------------------------------------- results and gradients


def test_named_tuples_print_and_unpack_as_torch():
    e, t = pair([[3.0, 1.0, 2.0], [0.5, 2.5, 1.5]])
    for name, call in [("sort", lambda lib, x: lib.sort(x, descending=True)),
                       ("topk", lambda lib, x: x.topk(2, dim=0))]:
        er, tr = call(ember, e), call(torch, t)
        assert repr(er) == repr(tr) and str(er) == str(tr)
        assert type(er).__name__ == type(tr).__name__ == name
        values, indices = er
        assert values is er.values is er[0] and indices is er.indices is er[1]
        assert isinstance(er, tuple) and len(er) == 2
        assert_same(pickle.loads(pickle.dumps(er)), tr)


def test_sort_nan_and_ties_match_torch():
    data = [1.0, np.nan, 0.0, 2.0, 1.0, -np.inf, np.nan, 1.0]
    e, t = pair(data)
    for kw in [dict(), dict(descending=True)]:
        assert_same(ember.sort(e, stable=True, **kw), torch.sort(t, stable=True, **kw))
    e, t = pair([1.0, np.nan, 0.0, 2.0, -np.inf, 0.5])  # topk's order of ties is torch's own
    assert_same(e.topk(3), t.topk(3))
    assert_same(e.topk(3, largest=False), t.topk(3, largest=False))


def test_repeated_indices_accumulate_like_torch():
    idx = [0, 2, 0, 0]
    for call in [lambda lib, x, i: x[i], lambda lib, x, i: x.index_select(0, i),
                 lambda lib, x, i: lib.take(x, i), lambda lib, x, i: x.gather(0, i),
                 lambda lib, x, i: lib.take_along_dim(x, i, 0)]:
        grads = []
        for lib in (ember, torch):
            x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
            (call(lib, x, lib.tensor(idx)) * lib.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
            grads.append(x.grad)
        assert_same(*grads)


def test_scatter_with_larger_src_gradient_is_right():
    """torch raises here (its src gradient has the index's shape); ember pads it."""
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    s = ember.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    i = ember.tensor([[1], [0]])
    for f in (lambda x, s: x.scatter(1, i, s), lambda x, s: x.scatter_add(1, i, s)):
        assert ember.autograd.gradcheck(f, (x, s))
        assert ember.autograd.gradgradcheck(f, (x, s))


def test_scalar_and_vector_mixes_match_torch():
    z_e, z_t = pair(np.float32(2.0))
    v_e, v_t = pair(np.array([1.0, 2.0], np.float32))
    for call in [lambda lib, z, v: lib.gather(z, 0, lib.tensor([0, 0])),
                 lambda lib, z, v: lib.gather(v, 0, lib.tensor(1)),
                 lambda lib, z, v: lib.scatter(z, 0, lib.tensor([0]), lib.tensor([5.0])),
                 lambda lib, z, v: lib.scatter(z, 0, lib.tensor(0), 5.0),
                 lambda lib, z, v: lib.index_select(z, 0, lib.tensor([0])),
                 lambda lib, z, v: lib.index_fill(z, 0, lib.tensor([0]), 1.0),
                 lambda lib, z, v: lib.index_add(z, 0, lib.tensor([0]), lib.tensor(1.0)),
                 lambda lib, z, v: lib.gather(v.reshape(2, 1), 1,
                                              lib.zeros(0, dtype=lib.int64)),
                 lambda lib, z, v: lib.sort(z), lambda lib, z, v: lib.topk(z, 1),
                 lambda lib, z, v: lib.nonzero(z, as_tuple=True),
                 lambda lib, z, v: lib.bucketize(1.5, v)]:
        assert_same(call(ember, z_e, v_e), call(torch, z_t, v_t))


def test_unique_matches_torch():
    e, t = pair([[3, 1], [2, 1], [3, 1]])
    for kw in [dict(), dict(sorted=False), dict(return_inverse=True),
               dict(return_counts=True, dim=0), dict(return_inverse=True, dim=1)]:
        assert_same(ember.unique(e, **kw), torch.unique(t, **kw))
    e, t = pair([np.nan, 1.0, np.nan])
    assert_same(e.unique(return_counts=True), t.unique(return_counts=True))


def test_ops_without_a_derivative_raise_at_backward():
    for lib in (ember, torch):
        x = lib.tensor([3.0, 1.0, 3.0], requires_grad=True)
        u = lib.unique(x)
        assert u.requires_grad and type(u.grad_fn).__name__ == "Unique2Backward0"
    e, t = pair([3.0, 1.0, 3.0], requires_grad=True)
    raises_like(lambda: ember.unique(e).sum().backward(),
                lambda: torch.unique(t).sum().backward())
    raises_like(lambda: ember.unique(e, dim=0).sum().backward(),
                lambda: torch.unique(t, dim=0).sum().backward())
    i = [0, 0, 1]
    raises_like(lambda: (e * 1).scatter(0, ember.tensor(i), 2.0, reduce="add").sum().backward(),
                lambda: (t * 1).scatter(0, torch.tensor(i), 2.0, reduce="add").sum().backward())


def test_integer_results_do_not_require_grad():
    x = ember.tensor([3.0, 1.0, 2.0], requires_grad=True)
    assert not x.sort().indices.requires_grad and not x.argsort().requires_grad
    assert not x.nonzero().requires_grad and not ember.searchsorted(x.detach(), x).requires_grad
    assert x.sort().values.requires_grad and x.topk(1).values.grad_fn is not None


# ---------------------------------------------------------------- in-place forms


def _inplace_calls():
    i = lambda lib, v: lib.tensor(v)  # noqa: E731
    return [
        ("scatter_", lambda lib, y, s: y.scatter_(1, i(lib, [[2], [0]]), s[:, :1])),
        ("scatter_value", lambda lib, y, s: y.scatter_(1, i(lib, [[2], [0]]), 0.5)),
        ("scatter_add_", lambda lib, y, s: y.scatter_add_(0, i(lib, [[1, 1, 0]]), s[:1])),
        ("index_add_", lambda lib, y, s: y.index_add_(1, i(lib, [0, 0]), s[:, :2], alpha=2)),
        ("index_copy_", lambda lib, y, s: y.index_copy_(1, i(lib, [2, 0]), s[:, :2])),
        ("index_fill_", lambda lib, y, s: y.index_fill_(1, i(lib, [2]), s[0, 0])),
        ("masked_scatter_", lambda lib, y, s: y.masked_scatter_(y > 0, s)),
        ("index_put_", lambda lib, y, s: y.index_put_((i(lib, [1, 1]),), s[0], True)),
    ]


@pytest.mark.parametrize("call", [c for _, c in _inplace_calls()],
                         ids=[n for n, _ in _inplace_calls()])
def test_inplace_forms_match_torch(call):
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    res = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        s = lib.tensor(b, requires_grad=True)
        y = x * 1
        out = call(lib, y, s)
        assert out is y and y._version == 1
        (y * y).sum().backward()
        res.append((y, x.grad, s.grad, type(y.grad_fn).__name__))
        # and on plain tensors, outside any graph
        z = lib.tensor(a)
        call(lib, z, lib.tensor(b))
        res[-1] += (z,)
    assert_same(list(res[0][:3]) + [res[0][4]], list(res[1][:3]) + [res[1][4]])
    assert res[0][3] == res[1][3]


def test_inplace_on_leaf_requiring_grad_raises():
    e, t = pair(X, requires_grad=True)
    raises_like(lambda: e.index_fill_(0, ember.tensor([0]), 1.0),
                lambda: t.index_fill_(0, torch.tensor([0]), 1.0))


def test_inplace_invalidates_saved_tensors():
    e, t = pair([1.0, 2.0, 3.0], requires_grad=True)

    def run(lib, x):
        y = x * 1
        z = y * y  # saves y
        y.index_fill_(0, lib.tensor([0]), 0.0)
        z.sum().backward()

    raises_like(lambda: run(ember, e), lambda: run(torch, t))
