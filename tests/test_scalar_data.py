"""0-d results are kept as NumPy scalars (``Tensor._array``): a tensor holding one must
behave as torch's 0-d tensors do wherever memory is shared or written.

Each case runs the same code on a 0-d op result in ember and in torch and compares
everything the code prints; the ember side also checks that the result really held a
NumPy scalar, so the tests fail if that representation changes under them.
"""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
import torch

import ember

from conftest import assert_same


def _scalar_result(lib, requires_grad=False):
    x = lib.tensor([1.5, 2.5], requires_grad=requires_grad)
    return x, (x * 2.0).sum() * 0.5  # a 0-d result of ops


def test_ops_keep_0d_results_as_numpy_scalars():
    _, s = _scalar_result(ember)
    assert isinstance(s._data, np.generic)  # what the cases below rely on
    assert isinstance((s * 3.0)._data, np.generic)


def _same_run(fn):
    e = fn(ember)
    t = fn(torch)
    for a, b in zip(e, t):
        assert_same(a, b)


def test_inplace_write_after_view_shares_memory():
    def run(lib):
        _, s = _scalar_result(lib)
        v = s.view(1)  # a view of a 0-d result: the memory must be shared from here on
        s.add_(1.0)
        v.mul_(10.0)
        return s, v

    _same_run(run)


def test_detach_and_data_share_memory():
    def run(lib):
        _, s = _scalar_result(lib)
        d = s.detach()
        d.add_(1.0)
        e = s.data
        e.mul_(3.0)
        return s, d, e

    _same_run(run)


def test_numpy_shares_memory():
    _, s = _scalar_result(ember)
    a = s.numpy()
    a += 1.0
    assert s.item() == 5.0  # (1.5 + 2.5) * 2 * 0.5 + 1


def test_setitem_fill_and_copy_on_a_scalar_result():
    def run(lib):
        _, s = _scalar_result(lib)
        s[()] = 7.0
        u = s * 1.0
        u.fill_(2.0)
        w = s * 1.0
        w.copy_(lib.tensor(9.0))
        z = s * 1.0
        z.zero_()
        return s, u, w, z

    _same_run(run)


def test_inplace_arithmetic_on_a_scalar_result():
    def run(lib):
        _, s = _scalar_result(lib)
        s += 1.0
        s *= lib.tensor(3.0)
        s -= 0.5
        s /= 2.0
        return (s,)

    _same_run(run)


def test_modified_saved_scalar_output_is_detected():
    for lib in (ember, torch):
        x = lib.tensor(0.3, requires_grad=True)
        y = (x * 2.0).exp()  # exp saves its 0-d output
        y.add_(1.0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward()


def test_grad_of_a_scalar_result_is_an_array_that_zeroes():
    def run(lib):
        x = lib.tensor(2.0, requires_grad=True)
        (x * 3.0).backward()
        g = x.grad
        x.grad.zero_()
        (x * x).backward(create_graph=True)
        h = x.grad * 1.0
        x.grad.zero_()  # a create_graph gradient is written in place too
        return g, h, x.grad

    _same_run(run)


def test_parameter_from_a_scalar_result_is_trained_in_place():
    def run(lib):
        _, s = _scalar_result(lib)
        p = lib.nn.Parameter(s)
        opt = lib.optim.SGD([p], lr=0.1, momentum=0.9)
        for _ in range(3):
            opt.zero_grad()
            ((p - 1.0) ** 2).backward()
            opt.step()
        return p.detach(), s  # the parameter shares the result's memory

    _same_run(run)


def test_grad_assigned_from_a_scalar_result_is_zeroed_by_optimizer():
    def run(lib):
        w = lib.tensor(1.0, requires_grad=True)
        w.grad = (lib.tensor([1.0, 2.0]) * 0.5).sum()
        opt = lib.optim.SGD([w], lr=0.1)
        opt.step()
        opt.zero_grad(set_to_none=False)
        return w.detach(), w.grad

    _same_run(run)


def test_scalar_arithmetic_keeps_torch_dtypes():
    def run(lib):
        h = lib.tensor([1.0, 2.0], dtype=lib.float16).sum()
        f = lib.tensor([1.0, 2.0]).sum()
        d = lib.tensor([1.0, 2.0], dtype=lib.float64).sum()
        i = lib.tensor([1, 2]).sum()
        return h * 1.0001, f * 1.0001, 2.5 * d, d - 1, 1 - f, i * 3, i / 2, f ** 2, -d

    _same_run(run)


def _results(lib):
    x = lib.tensor([1.5, -2.5, 3.0])
    return x, x.sum(), (x > 0).sum(), x.argmax(), x.mean() > 0


def _leaf(lib, s):
    w = s.clone().requires_grad_()
    (w * w * 3).backward()
    return w.grad.item()


def _inplace_chain(lib, s):
    s = s * 1
    s.add_(1)
    s.mul_(2)
    s.clamp_(max=100)
    s.sub_(s.detach() * 0.5)
    return s.item()


USES = {
    "repr": lambda lib, x, s, c, i, b: repr(s) + repr(c) + repr(i) + repr(b),
    "numbers": lambda lib, x, s, c, i, b: (s.item(), c.item(), i.item(), b.item(), float(s),
                                           int(c), int(i), bool(b), s.tolist(), i.tolist()),
    "indexing": lambda lib, x, s, c, i, b: (x[i].item(), x[c - 1].item()),
    "joining": lambda lib, x, s, c, i, b: (
        lib.stack([s, s * 2]).tolist(),
        lib.cat([s.unsqueeze(0), s.reshape(1), s.view(-1), s.expand(2), s.flatten()]).tolist()),
    "conversions": lambda lib, x, s, c, i, b: (str(s.to(lib.float64).dtype), s.double().item(),
                                               c.float().item(), s.int().item()),
    "copies": lambda lib, x, s, c, i, b: (s.clone().item(), s.contiguous().item(),
                                          s.t().item(), copy.deepcopy(s).item(),
                                          pickle.loads(pickle.dumps(s)).item()),
    "attributes": lambda lib, x, s, c, i, b: (tuple(s.shape), s.dim(), s.numel(), s.stride(),
                                              s.is_contiguous(), s.element_size()),
    "numpy": lambda lib, x, s, c, i, b: (np.asarray(s).tolist(), s.numpy().tolist(),
                                         np.asarray(c).dtype.name),
    "ops": lambda lib, x, s, c, i, b: (lib.where(b, s, s * 2).item(),
                                       lib.maximum(s, s * 2).item(), s.clamp(0, 1).item(),
                                       s.abs().item(), (-s).item(), s.sign().item(),
                                       b.logical_not().item(), s.reshape(1).sort()[0].tolist()),
    "format": lambda lib, x, s, c, i, b: (f"{s:.3f}", f"{c}", str(s), str(i)),
    "leaf": lambda lib, x, s, c, i, b: _leaf(lib, s),
    "inplace": lambda lib, x, s, c, i, b: _inplace_chain(lib, s),
}


@pytest.mark.parametrize("use", USES, ids=list(USES))
def test_a_0d_result_is_used_as_torch_uses_it(use):
    e = USES[use](ember, *_results(ember))
    t = USES[use](torch, *_results(torch))
    assert str(e).replace("ember", "torch") == str(t)


def test_save_and_load_a_0d_result(tmp_path):
    s = ember.tensor([1.5, 2.5]).sum()
    ember.save({"s": s}, tmp_path / "s.safetensors")
    back = ember.load(tmp_path / "s.safetensors")["s"]
    assert repr(back) == repr(torch.tensor([1.5, 2.5]).sum())


def test_higher_derivatives_through_0d_results():
    def run(lib):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        s = (x * x).sum()
        t = s.sqrt() * s.exp() / (1 + s) - s ** 0.5 + lib.sigmoid(s) + lib.tanh(s) * s.log()
        (g,) = lib.autograd.grad(t, x, create_graph=True)
        (g2,) = lib.autograd.grad(g.sum(), x)
        return t, g, g2

    for e, t in zip(run(ember), run(torch)):
        assert_same(e, t)


def test_failed_load_state_dict_restores_a_0d_result_buffer():
    # ember's documented rule: a failed load_state_dict changes nothing
    m = ember.nn.Linear(2, 1)
    m.register_buffer("s", ember.tensor([1.0, 2.0]).sum())
    state = {k: v.clone() for k, v in m.state_dict().items()}
    state["s"] = ember.tensor(7.0)
    state["weight"] = ember.zeros(3, 3)
    with pytest.raises(RuntimeError, match="size mismatch"):
        m.load_state_dict(state)
    assert m.s.item() == 3.0
    state["weight"] = ember.zeros(1, 2)
    m.load_state_dict(state)
    assert m.s.item() == 7.0


@pytest.mark.parametrize("optimizer", ["SGD", "Adam", "RMSprop", "Adagrad"])
def test_a_0d_result_made_a_leaf_is_trained_in_place(optimizer):
    def run(lib):
        w = lib.tensor([1.0, 2.0]).sum().requires_grad_()
        opt = getattr(lib.optim, optimizer)([w], lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            (w * w).backward()
            opt.step()
        return w.detach()

    assert_same(run(ember), run(torch))


def test_random_fills_of_a_0d_result_match_torch():
    def run(lib):
        lib.manual_seed(0)
        out = []
        for fill in (lambda s: s.normal_(), lambda s: s.uniform_(), lambda s: s.bernoulli_(0.5),
                     lambda s: s.random_(0, 5), lambda s: s.exponential_()):
            s = lib.tensor([1.0, 2.0]).sum()
            fill(s)
            out.append(s.item())
        return out

    assert run(ember) == run(torch)


def test_optimizer_state_loaded_from_0d_results_is_updated_in_place():
    def run(lib):
        w = lib.tensor(1.0, requires_grad=True)
        opt = lib.optim.Adam([w], lr=0.1)
        (w * w).backward()
        opt.step()
        state = opt.state_dict()
        s = state["state"][0]
        s["exp_avg"] = (s["exp_avg"] * 1).sum()  # 0-d op results as the loaded state
        s["exp_avg_sq"] = (s["exp_avg_sq"] * 1).sum()
        fresh = lib.optim.Adam([w], lr=0.1)
        fresh.load_state_dict(state)
        for _ in range(2):
            fresh.zero_grad()
            (w * w).backward()
            fresh.step()
        return w.detach(), fresh.state[w]["exp_avg"]

    for e, t in zip(run(ember), run(torch)):
        assert_same(e, t)
