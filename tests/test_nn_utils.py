"""ember.nn.utils against torch.nn.utils: gradient clipping, parameters <-> vector,
pad_sequence."""

import numpy as np
import pytest
import torch

import ember

from conftest import assert_same, raises_like


def _models_with_grads(dtype=np.float32, scale=1.0):
    """The same small model in both libraries, with the same gradients."""
    out = []
    for nn, lib in ((ember.nn, ember), (torch.nn, torch)):
        rng = np.random.default_rng(0)
        m = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2, bias=False))
        if dtype == np.float64:
            m.double()
        for i, p in enumerate(m.parameters()):
            g = np.random.default_rng(i).standard_normal(tuple(p.shape)) * scale
            with lib.no_grad():
                p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape)).astype(dtype)))
            p.grad = lib.tensor(g.astype(dtype))
        out.append(m)
    return out


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    e, t = _models_with_grads()
    e_total = ember.nn.utils.clip_grad_norm_(e.parameters(), max_norm, norm_type)
    t_total = torch.nn.utils.clip_grad_norm_(t.parameters(), max_norm, norm_type)
    assert_same(e_total, t_total)
    for pe, pt in zip(e.parameters(), t.parameters()):
        assert_same(pe.grad, pt.grad)


def test_clip_grad_norm_single_tensor_float64_and_no_grads():
    e, t = _models_with_grads(np.float64)
    assert_same(ember.nn.utils.clip_grad_norm_(e[0].weight, 0.1),
                torch.nn.utils.clip_grad_norm_(t[0].weight, 0.1))
    assert_same(e[0].weight.grad, t[0].weight.grad)
    assert_same(ember.nn.utils.clip_grad_norm_([ember.nn.Parameter(ember.ones(2))], 1.0),
                torch.nn.utils.clip_grad_norm_([torch.nn.Parameter(torch.ones(2))], 1.0))


def test_clip_grad_norm_nonfinite():
    e, t = _models_with_grads()
    with ember.no_grad(), torch.no_grad():
        e[0].weight.grad[0, 0] = float("inf")
        t[0].weight.grad[0, 0] = float("inf")
    raises_like(lambda: ember.nn.utils.clip_grad_norm_(e.parameters(), 1.0,
                                                       error_if_nonfinite=True),
                lambda: torch.nn.utils.clip_grad_norm_(t.parameters(), 1.0,
                                                       error_if_nonfinite=True))
    assert_same(ember.nn.utils.clip_grad_norm_(e.parameters(), 1.0),
                torch.nn.utils.clip_grad_norm_(t.parameters(), 1.0))


def test_clip_grad_value_matches_torch():
    e, t = _models_with_grads(scale=3.0)
    assert ember.nn.utils.clip_grad_value_(e.parameters(), 1.5) is None
    torch.nn.utils.clip_grad_value_(t.parameters(), 1.5)
    for pe, pt in zip(e.parameters(), t.parameters()):
        assert_same(pe.grad, pt.grad)


def test_parameters_to_vector_and_back():
    e, t = _models_with_grads()
    ve = ember.nn.utils.parameters_to_vector(e.parameters())
    vt = torch.nn.utils.parameters_to_vector(t.parameters())
    assert_same(ve, vt)
    assert type(ve.grad_fn).__name__ == type(vt.grad_fn).__name__
    (ve * ember.arange(ve.numel(), dtype=ember.float32)).sum().backward()
    new = np.arange(ve.numel(), dtype=np.float32) / 10
    ember.nn.utils.vector_to_parameters(ember.tensor(new), e.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), t.parameters())
    for pe, pt in zip(e.parameters(), t.parameters()):
        assert_same(pe.detach(), pt.detach())
        assert isinstance(pe, ember.nn.Parameter) and pe.requires_grad
    raises_like(lambda: ember.nn.utils.vector_to_parameters([1.0], e.parameters()),
                lambda: torch.nn.utils.vector_to_parameters([1.0], t.parameters()))


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_matches_torch(batch_first, side):
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal((n, 3)) for n in (4, 1, 3)]
    es = [ember.tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    eo = ember.nn.utils.rnn.pad_sequence(es, batch_first, -1.0, side)
    to = torch.nn.utils.rnn.pad_sequence(ts, batch_first, -1.0, side)
    assert_same(eo, to)
    w = rng.standard_normal(tuple(to.shape))
    (eo * ember.tensor(w)).sum().backward()
    (to * torch.tensor(w)).sum().backward()
    for e, t in zip(es, ts):
        assert_same(e.grad, t.grad)


def test_pad_sequence_integers_and_errors():
    seqs = [[1, 2, 3], [4]]
    assert_same(ember.nn.utils.rnn.pad_sequence([ember.tensor(s) for s in seqs],
                                                batch_first=True),
                torch.nn.utils.rnn.pad_sequence([torch.tensor(s) for s in seqs],
                                                batch_first=True))
    raises_like(lambda: ember.nn.utils.rnn.pad_sequence([ember.ones(2)], padding_side="up"),
                lambda: torch.nn.utils.rnn.pad_sequence([torch.ones(2)], padding_side="up"))
