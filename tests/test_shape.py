"""Shape and joining ops against torch beyond the OpInfo rows: the errors for bad shapes
and dims, multi-output results, grad_fn names, views that share memory and version
counters (and copies that don't), warnings, and dtype promotion in cat and stack."""

import warnings

import numpy as np
import pytest
import torch

import ember

from conftest import assert_same, raises_like

X = np.arange(6.0).reshape(2, 3)
V = np.array([1.0, -2.0, 3.0])


def both(fn, *arrays, requires_grad=False):
    """``fn(lib, *tensors)`` on the same inputs in ember and torch."""
    es = [ember.tensor(a, requires_grad=requires_grad) for a in arrays]
    ts = [torch.tensor(a, requires_grad=requires_grad) for a in arrays]
    return fn(ember, *es), fn(torch, *ts)


# ---------------------------------------------------------------- errors

# Each call raises in torch; ember must raise the same type with the same first line.
ERRORS = {
    "cat_sizes": lambda l, x, v: l.cat([x, l.zeros(3, 3)], 1),
    "cat_sizes_dim0": lambda l, x, v: l.cat([x, l.zeros(2, 4)]),
    "cat_sizes_after_legacy_empty": lambda l, x, v: l.cat([l.zeros(0), x, l.zeros(2, 4)]),
    "cat_ndim": lambda l, x, v: l.cat([x, v]),
    "cat_empty_list": lambda l, x, v: l.cat([]),
    "cat_0d": lambda l, x, v: l.cat([x[0, 0], x[0, 1]]),
    "cat_dim": lambda l, x, v: l.cat([x, x], 2),
    "cat_not_list": lambda l, x, v: l.cat(x),
    "cat_not_tensor": lambda l, x, v: l.cat([x, 1]),
    "stack_sizes": lambda l, x, v: l.stack([x, v]),
    "stack_empty": lambda l, x, v: l.stack([]),
    "stack_dim": lambda l, x, v: l.stack([x, x], 3),
    "stack_dim_neg": lambda l, x, v: l.stack([x, x], -4),
    "hstack_empty": lambda l, x, v: l.hstack([]),
    "vstack_empty": lambda l, x, v: l.vstack([]),
    "dstack_empty": lambda l, x, v: l.dstack([]),
    "column_stack_empty": lambda l, x, v: l.column_stack([]),
    "hstack_sizes": lambda l, x, v: l.hstack([x, v]),
    "split_zero": lambda l, x, v: x.split(0),
    "split_negative": lambda l, x, v: x.split(-1),
    "split_sizes_sum": lambda l, x, v: x.split([1, 1], 1),
    "split_sizes_negative": lambda l, x, v: x.split([-1, 4], 1),
    "split_0d": lambda l, x, v: x[0, 0].split(1),
    "split_dim": lambda l, x, v: x.split(1, 2),
    "chunk_zero": lambda l, x, v: x.chunk(0),
    "chunk_0d": lambda l, x, v: x[0, 0].chunk(1),
    "tensor_split_zero": lambda l, x, v: x.tensor_split(0),
    "tensor_split_0d": lambda l, x, v: x[0, 0].tensor_split(1),
    "tensor_split_float": lambda l, x, v: v.tensor_split(l.tensor([1.0])),
    "tensor_split_2d": lambda l, x, v: v.tensor_split(l.tensor([[1]])),
    "unbind_0d": lambda l, x, v: x[0, 0].unbind(),
    "unbind_dim": lambda l, x, v: x.unbind(2),
    "tril_1d": lambda l, x, v: v.tril(),
    "triu_0d": lambda l, x, v: x[0, 0].triu(),
    "diag_3d": lambda l, x, v: l.zeros(2, 2, 2).diag(),
    "diag_0d": lambda l, x, v: x[0, 0].diag(),
    "diagonal_1d": lambda l, x, v: v.diagonal(),
    "diagonal_same_dims": lambda l, x, v: x.diagonal(0, -1, 1),
    "diag_embed_same_dims": lambda l, x, v: l.diag_embed(x, 0, 1, 1),
    "diag_embed_0d": lambda l, x, v: l.diag_embed(x[0, 0]),
    "trace_1d": lambda l, x, v: v.trace(),
    "trace_3d": lambda l, x, v: l.zeros(2, 2, 2).trace(),
    "trace_bool": lambda l, x, v: (x > 1).trace(),
    "meshgrid_dtype": lambda l, x, v: l.meshgrid(v, v.float(), indexing="ij"),
    "meshgrid_empty": lambda l, x, v: l.meshgrid([], indexing="ij"),
    "meshgrid_indexing": lambda l, x, v: l.meshgrid(v, v, indexing="foo"),
    "narrow_0d": lambda l, x, v: x[0, 0].narrow(0, 0, 1),
    "narrow_past_end": lambda l, x, v: x.narrow(1, 2, 2),
    "narrow_negative_length": lambda l, x, v: x.narrow(1, 0, -1),
    "narrow_start": lambda l, x, v: x.narrow(1, 4, 0),
    "narrow_start_negative": lambda l, x, v: x.narrow(1, -4, 1),
    "select_0d": lambda l, x, v: x[0, 0].select(0, 0),
    "select_index": lambda l, x, v: x.select(1, 3),
    "select_index_negative": lambda l, x, v: x.select(1, -4),
    "movedim_lengths": lambda l, x, v: x.movedim((0, 1), (0,)),
    "movedim_int_tuple": lambda l, x, v: x.movedim(0, (1,)),
    "movedim_repeated_source": lambda l, x, v: x.movedim((0, -2), (0, 1)),
    "movedim_repeated_destination": lambda l, x, v: x.movedim((0, 1), (1, 1)),
    "movedim_dim": lambda l, x, v: x.movedim(0, 2),
    "unflatten_product": lambda l, x, v: x.unflatten(-1, (2, 2)),
    "unflatten_infer": lambda l, x, v: x.unflatten(1, (2, -1)),
    "unflatten_empty": lambda l, x, v: x.unflatten(1, ()),
    "unflatten_0d": lambda l, x, v: x[0, 0].unflatten(0, (1,)),
    "unflatten_two_inferred": lambda l, x, v: x.unflatten(1, (-1, -1)),
    "repeat_fewer_dims": lambda l, x, v: x.repeat(2),
    "repeat_negative": lambda l, x, v: x.repeat(-1, 2),
    "tile_negative": lambda l, x, v: x.tile(-1),
    "repeat_interleave_negative": lambda l, x, v: x.repeat_interleave(-1),
    "repeat_interleave_negative_tensor": lambda l, x, v: x.repeat_interleave(
        l.tensor([-1, 2]), dim=0),
    "repeat_interleave_size": lambda l, x, v: x.repeat_interleave(l.tensor([1, 2, 3]), dim=0),
    "repeat_interleave_float": lambda l, x, v: x.repeat_interleave(l.tensor([1.0, 2.0]), 0),
    "repeat_interleave_2d": lambda l, x, v: x.repeat_interleave(l.tensor([[1, 2]]), dim=0),
    "repeat_interleave_0d_dim": lambda l, x, v: x[0, 0].repeat_interleave(3, dim=0),
    "flip_repeated": lambda l, x, v: x.flip(0, 0),
    "flip_dim": lambda l, x, v: x.flip(2),
    "fliplr_1d": lambda l, x, v: v.fliplr(),
    "flipud_0d": lambda l, x, v: x[0, 0].flipud(),
    "roll_align": lambda l, x, v: x.roll((1, 2), 0),
    "roll_align_no_dims": lambda l, x, v: x.roll((1, 2)),
    "roll_no_shifts": lambda l, x, v: x.roll((), ()),
    "roll_0d_dim": lambda l, x, v: x[0, 0].roll(1, 0),
    "rot90_1d": lambda l, x, v: v.rot90(),
    "rot90_three_dims": lambda l, x, v: x.rot90(1, (0, 1, 1)),
    "rot90_same_dims": lambda l, x, v: x.rot90(1, (0, -2)),
    "rot90_dim": lambda l, x, v: x.rot90(1, (0, 2)),
    "broadcast_shapes": lambda l, x, v: l.broadcast_shapes((2, 3), (3, 3)),
    "broadcast_shapes_negative": lambda l, x, v: l.broadcast_shapes((2, -1)),
    "broadcast_shapes_int": lambda l, x, v: l.broadcast_shapes((2, 1), (3,), 4),
    "broadcast_tensors": lambda l, x, v: l.broadcast_tensors(x, l.zeros(3, 3)),
    "expand_as": lambda l, x, v: x.expand_as(v),
    "expand_size": lambda l, x, v: x.expand(3, 3),
    "expand_leading_minus_one": lambda l, x, v: v.expand(-1, 3),
    "permute_length": lambda l, x, v: x.permute(0),
    "permute_repeated": lambda l, x, v: x.permute(0, 0),
    "permute_missing": lambda l, x, v: x.permute(),
    "squeeze_repeated": lambda l, x, v: x.squeeze((0, 0)),
    "transpose_dim": lambda l, x, v: x.transpose(0, 2),
    "t_3d": lambda l, x, v: l.zeros(2, 2, 2).t(),
    "mT_1d": lambda l, x, v: v.mT,
    "view_size": lambda l, x, v: x.view(4),
    "view_stride": lambda l, x, v: x.t().view(6),
    "view_dtype_0d": lambda l, x, v: x[0, 0].float().view(l.float64),
    "view_dtype_size": lambda l, x, v: v.float().view(l.float64),
    "view_dtype_stride": lambda l, x, v: x.float().t().view(l.float64),
    "view_dtype_outer_stride": lambda l, x, v: x.float()[:, :2].view(l.float64),
    "flatten_order": lambda l, x, v: x.flatten(1, 0),
}


@pytest.mark.parametrize("fn", ERRORS.values(), ids=ERRORS.keys())
def test_error_matches_torch(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        err = raises_like(lambda: fn(ember, ember.tensor(X), ember.tensor(V)),
                          lambda: fn(torch, torch.tensor(X), torch.tensor(V)))
        with pytest.raises(Exception) as info:
            fn(torch, torch.tensor(X), torch.tensor(V))
    assert str(err).splitlines()[0] == str(info.value).splitlines()[0]


def test_meshgrid_error_for_2d_input():
    err = raises_like(lambda: ember.meshgrid(ember.tensor(X), indexing="ij"),
                      lambda: torch.meshgrid(torch.tensor(X), indexing="ij"))
    assert "Expected 0D or 1D tensor in the tensor list" in str(err)


# ---------------------------------------------------------------- results as torch's

# Ops giving several tensors (or an odd shape): the same tuple, pieces and dtypes.
RESULTS = {
    "split": lambda l, x: x.split(1),
    "split_big": lambda l, x: x.split(5, 1),
    "split_sizes": lambda l, x: l.split(x, [1, 0, 2], dim=1),
    "split_empty": lambda l, x: l.zeros(0, 3).split(2),
    "split_empty_zero": lambda l, x: l.zeros(0, 3).split(0),
    "chunk": lambda l, x: x.chunk(2, 1),
    "chunk_fewer": lambda l, x: l.arange(6.0).chunk(4),
    "chunk_empty": lambda l, x: l.zeros(0).chunk(4),
    "tensor_split": lambda l, x: x.tensor_split(2, 1),
    "tensor_split_more": lambda l, x: x.tensor_split(5, 1),
    "tensor_split_indices": lambda l, x: x.tensor_split([2, 1, 5], 1),
    "tensor_split_negative": lambda l, x: x.tensor_split([-1], 1),
    "tensor_split_tensor": lambda l, x: x.tensor_split(l.tensor([1]), 1),
    "tensor_split_tensor_0d": lambda l, x: x.tensor_split(l.tensor(2), 1),
    "unbind": lambda l, x: x.unbind(),
    "unbind_1": lambda l, x: x.unbind(-1),
    "unbind_empty": lambda l, x: l.zeros(0, 2).unbind(),
    "meshgrid_ij": lambda l, x: l.meshgrid(x[0], x[1, :2], indexing="ij"),
    "meshgrid_xy": lambda l, x: l.meshgrid([x[0], x[1, :2], x[0, :1]], indexing="xy"),
    "meshgrid_0d": lambda l, x: l.meshgrid(x[0, 0], x[0], indexing="ij"),
    "meshgrid_one_xy": lambda l, x: l.meshgrid(x[0], indexing="xy"),
    "broadcast_tensors": lambda l, x: l.broadcast_tensors(x, x[0], x[0, 0]),
    "atleast_2d": lambda l, x: l.atleast_2d(x[0, 0], x[0], x),
    "atleast_3d_list": lambda l, x: l.atleast_3d([x[0, 0], x]),
    "atleast_1d_one": lambda l, x: l.atleast_1d(x[0, 0]),
    "repeat_interleave_counts": lambda l, x: l.repeat_interleave(l.tensor([1, 0, 3])),
    "repeat_interleave_int": lambda l, x: x.int().repeat_interleave(2),
    "trace_int32": lambda l, x: x.int().trace(),
    "cat_promotes": lambda l, x: l.cat([x.int(), x.double(), x.bool()]),
    "cat_int_bool": lambda l, x: l.cat([x.int(), x.bool()]),
    "cat_legacy_empty_dtype": lambda l, x: l.cat([l.zeros(0), x.int()]),
    "cat_all_legacy_empty": lambda l, x: l.cat([l.zeros(0), l.zeros(0)], 1),
    "cat_legacy_empty_dim1": lambda l, x: l.cat([x, l.zeros(0)], 1),
    "stack_promotes": lambda l, x: l.stack([x.int(), x.float()]),
    "stack_0d": lambda l, x: l.stack([x[0, 0], x[1, 1]]),
    "hstack_0d": lambda l, x: l.hstack([x[0, 0], x[1, 1]]),
    "vstack_0d": lambda l, x: l.vstack([x[0, 0], x[1, 1]]),
    "dstack_0d": lambda l, x: l.dstack([x[0, 0], x[1, 1]]),
    "column_stack_0d": lambda l, x: l.column_stack([x[0, 0], x[1, 1]]),
    "diagonal_out_of_range": lambda l, x: x.diagonal(5),
    "view_dtype": lambda l, x: x.view(l.int32),
    "view_dtype_wider": lambda l, x: x.reshape(-1)[:4].view(l.float64),
    "view_dtype_narrower": lambda l, x: x.view(l.float32).view(l.int16),
    "roll_0d": lambda l, x: x[0, 0].roll(1),
    "flip_0d": lambda l, x: x[0, 0].flip(0),
    "repeat_0d": lambda l, x: x[0, 0].repeat(2, 3),
    "tile_0d": lambda l, x: x[0, 0].tile(()),
}


@pytest.mark.parametrize("fn", RESULTS.values(), ids=RESULTS.keys())
def test_result_matches_torch(fn):
    e, t = both(fn, X.astype(np.float32))
    assert type(e) is type(t) if isinstance(t, tuple) else isinstance(e, ember.Tensor)
    assert_same(e, t, exact=True)


@pytest.mark.parametrize("shapes", [[(2, 1), (3,), 1, ()], [(2,), (3, 1), (1, 1, 1)], [],
                                    [()], [[0, 1], (3,)], [None, (2,)]])
def test_broadcast_shapes_matches_torch(shapes):
    e, t = ember.broadcast_shapes(*shapes), torch.broadcast_shapes(*shapes)
    assert type(e).__name__ == "Size" and tuple(e) == tuple(t)


# ---------------------------------------------------------------- grad_fn names

NAMES = {
    "unflatten": lambda l, x: x.unflatten(1, (3, 1)),
    "movedim": lambda l, x: x.movedim(0, 1),
    "movedim_same": lambda l, x: x.movedim(0, 0),
    "movedim_0d": lambda l, x: x[0][0].movedim(0, 0),
    "broadcast_tensors": lambda l, x: l.broadcast_tensors(x, x[0]),
    "broadcast_to_same": lambda l, x: l.broadcast_to(x, (2, 3)),
    "expand_same": lambda l, x: x.expand(2, 3),
    "repeat": lambda l, x: x.repeat(2, 1),
    "tile": lambda l, x: x.tile(2),
    "repeat_interleave": lambda l, x: x.repeat_interleave(2),
    "repeat_interleave_tensor": lambda l, x: x.repeat_interleave(l.tensor([1, 2]), dim=0),
    "flip": lambda l, x: x.flip(0),
    "fliplr": lambda l, x: x.fliplr(),
    "flipud": lambda l, x: x.flipud(),
    "roll": lambda l, x: x.roll(1),
    "rot90": lambda l, x: x.rot90(),
    "rot90_0": lambda l, x: x.rot90(0),
    "narrow": lambda l, x: x.narrow(1, 0, 2),
    "select": lambda l, x: x.select(1, 0),
    "contiguous": lambda l, x: x.t().contiguous(),
    "cat": lambda l, x: l.cat([x, x]),
    "cat_one": lambda l, x: l.cat([x]),
    "stack": lambda l, x: l.stack([x, x]),
    "hstack": lambda l, x: l.hstack([x, x]),
    "vstack": lambda l, x: l.vstack([x[0], x[0]]),
    "dstack": lambda l, x: l.dstack([x, x]),
    "column_stack": lambda l, x: l.column_stack([x[0], x[0]]),
    "split": lambda l, x: x.split(1),
    "split_one": lambda l, x: x.split(3, 1),
    "split_sizes": lambda l, x: x.split([1, 2], 1),
    "chunk": lambda l, x: x.chunk(2, 1),
    "tensor_split": lambda l, x: x.tensor_split(2, 1),
    "tensor_split_indices": lambda l, x: x.tensor_split([1, 2], 1),
    "unbind": lambda l, x: x.unbind(),
    "tril": lambda l, x: x.tril(),
    "triu": lambda l, x: x.triu(1),
    "diag_1d": lambda l, x: l.diag(x[0]),
    "diag_2d": lambda l, x: l.diag(x),
    "diagonal": lambda l, x: x.diagonal(),
    "diag_embed": lambda l, x: l.diag_embed(x),
    "trace": lambda l, x: x.trace(),
    "meshgrid": lambda l, x: l.meshgrid(x[0], x[1], indexing="ij"),
    "atleast_1d": lambda l, x: l.atleast_1d(x[0][0]),
    "atleast_2d": lambda l, x: l.atleast_2d(x[0]),
    "atleast_3d": lambda l, x: l.atleast_3d(x),
    "squeeze": lambda l, x: x.squeeze(),
    "squeeze_dim": lambda l, x: x.squeeze(0),
    "squeeze_dims": lambda l, x: x.squeeze((0, 1)),
    "t_1d": lambda l, x: x[0].t(),
    "t_0d": lambda l, x: x[0][0].t(),
    "T": lambda l, x: x.T,
    "mT": lambda l, x: x.mT,
    "flatten": lambda l, x: x.flatten(),
    "flatten_noncontig": lambda l, x: x.t().flatten(),
    "view_as": lambda l, x: x.view_as(x),
    "reshape_as": lambda l, x: x.reshape_as(x.t()),
    "expand_as": lambda l, x: x[0].expand_as(x),
}


def _chain(t):
    """grad_fn names from ``t`` back to the leaf, following first inputs."""
    names, fn = [], t.grad_fn
    while fn is not None:
        names.append(type(fn).__name__)
        nxt = [f for f, _ in fn.next_functions if f is not None]
        fn = nxt[0] if nxt else None
    return names


@pytest.mark.parametrize("fn", NAMES.values(), ids=NAMES.keys())
def test_grad_fn_names_match_torch(fn):
    e, t = both(fn, X, requires_grad=True)
    e, t = (e, t) if isinstance(t, tuple) else ((e,), (t,))
    assert [_chain(a) for a in e] == [_chain(b) for b in t]
    assert [a._output_nr for a in e] == [b.output_nr for b in t]


# Calls that give back their input itself (or not): (op, the input it may return).
IDENTITY = {
    "flatten_1d": lambda l, x: (x[0].flatten(), None),
    "flatten_same_dims": lambda l, x: (x.flatten(1, 1), x),
    "flatten_all": lambda l, x: (x.flatten(), x),
    "atleast_1d": lambda l, x: (l.atleast_1d(x), x),
    "atleast_3d": lambda l, x: (l.atleast_3d(x), x),
    "broadcast_tensors": lambda l, x: (l.broadcast_tensors(x, x[0])[0], x),
    "expand_same": lambda l, x: (x.expand(2, 3), x),
    "t_1d": lambda l, x: (x[0].t(), x),
}


@pytest.mark.parametrize("fn", IDENTITY.values(), ids=IDENTITY.keys())
def test_returns_input_itself_as_torch(fn):
    same = []
    for lib in (ember, torch):
        x = lib.tensor(X, requires_grad=True)
        out, inp = fn(lib, x)
        same.append(out is inp)
    assert same[0] == same[1]


def test_mT_of_0d_is_the_input_as_torch():
    for lib in (ember, torch):
        s = lib.tensor(1.5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert s.mT is s


# ---------------------------------------------------------------- views

# View ops: the result shares memory (and the version counter) with its input.
VIEWS = {
    "narrow": lambda l, x: x.narrow(1, 1, 2),
    "select": lambda l, x: x.select(2, -1),
    "diagonal": lambda l, x: x.diagonal(1, 1, 2),
    "unbind": lambda l, x: x.unbind(1)[1],
    "split": lambda l, x: x.split(1, 2)[2],
    "split_sizes": lambda l, x: x.split([1, 2], 1)[1],
    "chunk": lambda l, x: x.chunk(2, 2)[1],
    "tensor_split": lambda l, x: x.tensor_split(2, 2)[0],
    "movedim": lambda l, x: x.movedim(0, -1),
    "unflatten": lambda l, x: x.unflatten(2, (2, 2)),
    "permute": lambda l, x: x.permute(2, 0, 1),
    "transpose": lambda l, x: x.transpose(0, 2),
    "squeeze": lambda l, x: x[:1].squeeze(0),
    "unsqueeze": lambda l, x: x.unsqueeze(1),
    "view": lambda l, x: x.view(6, 4),
    "reshape": lambda l, x: x.reshape(-1),
    "flatten": lambda l, x: x.flatten(1),
    "t": lambda l, x: x[0].t(),
    "mT": lambda l, x: x.mT,
    "diagonal_of_transpose": lambda l, x: x.mT.diagonal(),
    "atleast_3d": lambda l, x: l.atleast_3d(x[0]),
}


@pytest.mark.parametrize("fn", VIEWS.values(), ids=VIEWS.keys())
def test_view_shares_memory_and_version(fn):
    outs = []
    for lib in (ember, torch):
        base = lib.tensor(np.arange(24.0).reshape(2, 3, 4))
        view = fn(lib, base)
        assert view._base is base
        base.add_(1)  # seen through the view
        seen = view.clone()
        view.mul_(-1)  # and written through it
        outs.append((seen, base.clone(), view._version, base._version))
    e, t = outs
    assert_same(e[0], t[0])
    assert_same(e[1], t[1])
    assert e[2:] == t[2:]


# Copying ops: the result is independent of the input.
COPIES = {
    "flip": lambda l, x: x.flip(0),
    "roll": lambda l, x: x.roll(1, 1),
    "rot90": lambda l, x: x.rot90(1, (1, 2)),
    "repeat": lambda l, x: x.repeat(1, 1, 1),
    "tile": lambda l, x: x.tile((1,)),
    "repeat_interleave": lambda l, x: x.repeat_interleave(1, dim=0),
    "cat": lambda l, x: l.cat([x]),
    "stack": lambda l, x: l.stack([x]),
    "split_cat": lambda l, x: l.cat(x.split(1)),
    "tril": lambda l, x: x.tril(5),
    "triu": lambda l, x: x.triu(-5),
    "diag": lambda l, x: l.diag(x[0]),
    "diag_embed": lambda l, x: l.diag_embed(x),
    "contiguous_of_transpose": lambda l, x: x.mT.contiguous(),
    "reshape_of_transpose": lambda l, x: x.mT.reshape(-1),
}


@pytest.mark.parametrize("fn", COPIES.values(), ids=COPIES.keys())
def test_copy_does_not_share_memory(fn):
    outs = []
    for lib in (ember, torch):
        base = lib.tensor(np.arange(24.0).reshape(2, 3, 4))
        out = fn(lib, base)
        before = out.clone()
        base.add_(1)
        outs.append((before, out, out._version))
    e, t = outs
    assert_same(e[0], t[0])
    assert_same(e[1], t[1])
    assert e[2] == t[2]


def test_inplace_on_narrow_and_select_views_flows_gradient_as_torch():
    def fn(lib, x):
        y = x * 1
        y.narrow(1, 0, 2).mul_(3)
        y.select(0, 1).add_(y.select(0, 0))
        return (y * y).sum()

    e, t = both(fn, X, requires_grad=True)
    assert_same(e, t)


def test_split_pieces_share_one_node_as_torch():
    for lib in (ember, torch):
        x = lib.tensor(X, requires_grad=True)
        a, b, c = x.split(1, 1)
        assert a.grad_fn is b.grad_fn is c.grad_fn
        assert (a.grad_fn is not None) and len(a.grad_fn.next_functions) == 1


@pytest.mark.parametrize("pieces", [lambda x: x.chunk(3, 1), lambda x: x.unbind(1)],
                         ids=["chunk", "unbind"])
def test_unused_pieces_get_zero_gradient(pieces):
    grads = []
    for lib in (ember, torch):
        x = lib.tensor(X, requires_grad=True)
        (pieces(x)[1] * 2).sum().backward()
        grads.append(x.grad)
    assert_same(*grads)


# ---------------------------------------------------------------- dtypes and gradients


@pytest.mark.parametrize("join", ["cat", "stack"])
def test_join_promotes_and_casts_gradients_back(join):
    results = []
    for lib in (ember, torch):
        a = lib.tensor(X, dtype=lib.float32, requires_grad=True)
        b = lib.tensor(X, dtype=lib.float64, requires_grad=True)
        out = getattr(lib, join)([a, b, lib.tensor(X).int()])
        (out * out).sum().backward()
        results.append((out, a.grad, b.grad))
    assert_same(results[0], results[1])


def test_cat_gives_legacy_empty_input_an_empty_gradient():
    results = []
    for lib in (ember, torch):
        x = lib.tensor(X, requires_grad=True)
        e = lib.zeros(0, dtype=lib.float64, requires_grad=True)
        lib.cat([x, e]).sum().backward()
        results.append((x.grad, e.grad))
    assert_same(results[0], results[1])


# ---------------------------------------------------------------- warnings


WARNS = {
    "meshgrid_no_indexing": (lambda l, x: l.meshgrid(x[0], x[1]), True),
    "meshgrid_indexing": (lambda l, x: l.meshgrid(x[0], x[1], indexing="ij"), False),
    "T_3d": (lambda l, x: x.unsqueeze(0).T, True),
    "T_2d": (lambda l, x: x.T, False),
    "T_1d": (lambda l, x: x[0].T, True),
    "T_0d": (lambda l, x: x[0, 0].T, True),
    "mT_0d": (lambda l, x: x[0, 0].mT, True),
}


@pytest.mark.parametrize("fn,warns", WARNS.values(), ids=WARNS.keys())
def test_warns_as_torch(fn, warns):
    always = torch.is_warn_always_enabled()
    torch.set_warn_always(True)  # torch warns some of these once per process
    try:
        for lib in (ember, torch):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                fn(lib, lib.tensor(X))
            assert any(issubclass(w.category, UserWarning) for w in caught) == warns, lib
    finally:
        torch.set_warn_always(always)
