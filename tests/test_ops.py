"""Every op in opinfo.OPS against torch: values, gradients, second derivatives, and a
float64 finite-difference gradcheck."""

import numpy as np
import pytest
import torch

import ember
from ember.autograd.function import REGISTRY

from conftest import assert_same
from opinfo import OPS

CASES = [(op, s) for op in OPS for s in op.samples]
IDS = [f"{op.id}-{'x'.join(map(str, s)) if s and isinstance(s[0], int) else s}"
       for op, s in CASES]


def _inputs(op, sample, dtype, seed):
    """Random arrays for one sample, kept away from the op's kinks and poles."""
    rng = np.random.default_rng(seed)
    arrays = []
    for shape in op.shapes(sample):
        if op.dtype == "int":
            a = rng.integers(-3, 4, size=shape)
        elif op.dtype == "bool":
            a = rng.integers(0, 2, size=shape).astype(bool)
        else:
            a = rng.uniform(op.low, op.high, size=shape)
            for p in op.away_from:
                near = np.abs(a - p) < op.avoid_width
                a = np.where(near, p + np.copysign(op.avoid_width * 2, a - p + 1e-12), a)
            a = a.astype(dtype)
        arrays.append(np.asarray(a))
    return arrays


def _ember_input(a, requires_grad):
    """An ember input; 0-d ones hold a NumPy scalar, as ember's own 0-d results do
    (``Tensor._array``), so every op is run on that form too."""
    t = ember.tensor(a, requires_grad=requires_grad)
    if a.ndim == 0:
        t._data = a[()]
    return t


def _run(op, arrays, requires_grad):
    es = [_ember_input(a, requires_grad) for a in arrays]
    ts = [torch.tensor(a, requires_grad=requires_grad) for a in arrays]
    return es, op.op(ember, *es), ts, op.op(torch, *ts)


def _seed(case_id: str) -> int:
    return sum(map(ord, case_id))


@pytest.mark.parametrize("op,sample", CASES, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_forward_matches_torch(op, sample, dtype):
    arrays = _inputs(op, sample, dtype, _seed(op.id))
    _, e_out, _, t_out = _run(op, arrays, False)
    assert_same(e_out, t_out, rtol=op.rtol, atol=op.atol)


GRAD_CASES = [(op, s) for op, s in CASES if op.grad]
GRAD_IDS = [i for i, (op, _) in zip(IDS, CASES) if op.grad]


@pytest.mark.parametrize("op,sample", GRAD_CASES, ids=GRAD_IDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_grad_matches_torch(op, sample, dtype):
    arrays = _inputs(op, sample, dtype, _seed(op.id))
    es, e_out, ts, t_out = _run(op, arrays, True)
    v = np.random.default_rng(1).standard_normal(t_out.shape).astype(dtype)
    e_grads = ember.autograd.grad(e_out, es, ember.tensor(v), allow_unused=True)
    t_grads = torch.autograd.grad(t_out, ts, torch.tensor(v), allow_unused=True)
    for e, t in zip(e_grads, t_grads):
        if t is None:
            assert e is None or not np.any(e.numpy())
        else:
            assert_same(e, t, rtol=op.rtol, atol=op.atol)


GG_CASES = [(op, s) for op, s in GRAD_CASES if op.gradgrad]
GG_IDS = [i for i, (op, _) in zip(GRAD_IDS, GRAD_CASES) if op.gradgrad]


@pytest.mark.parametrize("op,sample", GG_CASES, ids=GG_IDS)
def test_gradgrad_matches_torch(op, sample):
    """Second derivatives: d/dx <d out/dx, u> for random output and input weights."""
    arrays = _inputs(op, sample, np.float64, _seed(op.id))
    es, e_out, ts, t_out = _run(op, arrays, True)
    rng = np.random.default_rng(2)
    v = rng.standard_normal(t_out.shape)
    results = []
    for lib, xs, out in ((ember, es, e_out), (torch, ts, t_out)):
        grads = lib.autograd.grad(out, xs, lib.tensor(v), create_graph=True,
                                  allow_unused=True)
        total = None
        for x, g in zip(xs, grads):
            if g is not None and g.requires_grad:
                u = lib.tensor(np.random.default_rng(3).standard_normal(tuple(x.shape)))
                term = (g * u).sum()
                total = term if total is None else total + term
        if total is None:
            results.append(None)
            continue
        results.append(lib.autograd.grad(total, xs, allow_unused=True))
    e_res, t_res = results
    # No second-order graph on one side must mean zero second derivatives on the other.
    e_res = e_res or [None] * len(es)
    t_res = t_res or [None] * len(ts)
    for e, t in zip(e_res, t_res):
        if t is None:
            assert e is None or not np.any(e.numpy())
        elif e is None:
            assert not np.any(t.numpy(force=True))
        else:
            assert_same(e, t, rtol=op.rtol, atol=op.atol or 1e-10)


@pytest.mark.parametrize("op,sample", GRAD_CASES, ids=GRAD_IDS)
def test_gradcheck(op, sample):
    arrays = _inputs(op, sample, np.float64, _seed(op.id))
    xs = [ember.tensor(a, requires_grad=True) for a in arrays]
    assert ember.autograd.gradcheck(lambda *x: op.op(ember, *x), xs)
    if op.gradgrad:
        assert ember.autograd.gradgradcheck(lambda *x: op.op(ember, *x), xs)


def test_every_registered_op_has_a_row():
    covered = {op.name for op in OPS} | {a for op in OPS for a in op.aliases}
    missing = sorted(set(REGISTRY) - covered)
    assert not missing, f"ops registered without an OpInfo row: {missing}"


@pytest.mark.parametrize("op", [op for op in OPS if op.grad and op.dtype == "float"],
                         ids=lambda op: op.id)
def test_float32_stays_float32(op):
    sample = op.samples[0]
    arrays = _inputs(op, sample, np.float32, 0)
    xs = [ember.tensor(a, requires_grad=True) for a in arrays]
    out = op.op(ember, *xs)
    assert out.dtype == ember.float32
    out.sum().backward()
    for x in xs:
        assert x.grad is None or x.grad.dtype == ember.float32
