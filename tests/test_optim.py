"""ember.optim against torch.optim: the same parameters and gradients, step after step.

The parameters and every state tensor are compared after each step. Optimizers built
from adds, multiplies, fmas and divisions match torch bit for bit in float32 (ulps=0);
those taking a square root match to a few ulps, because torch's float32 sqrt goes
through MKL's vector math library, which is not always correctly rounded (NumPy's is).
"""

import copy
import warnings

import numpy as np
import pytest
import torch

import ember

from conftest import raises_like

SHAPES = [(7, 5), (3,), ()]  # three parameters, one of them 0-d
STEPS = 8

# (optimizer, options, ulps): ulps = 0 asks for torch's float32 bits exactly.
CASES = [
    ("SGD", dict(lr=0.1), 0),
    ("SGD", dict(lr=0.1, momentum=0.9), 0),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=0.01), 0),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1), 0),
    ("SGD", dict(lr=0.1, momentum=0.5, maximize=True), 0),
    ("Adam", dict(lr=0.01), 4),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1), 4),
    ("Adam", dict(lr=0.01, maximize=True, betas=(0.8, 0.9)), 4),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True), 4),
    ("AdamW", dict(lr=0.01), 4),
    ("AdamW", dict(lr=0.01, amsgrad=True, weight_decay=0.5), 4),
    ("RMSprop", dict(lr=0.01), 4),
    ("RMSprop", dict(lr=0.01, centered=True), 4),
    ("RMSprop", dict(lr=0.01, momentum=0.9, weight_decay=0.1, maximize=True), 4),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9, alpha=0.9), 4),
    ("Adagrad", dict(lr=0.1), 4),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.1,
                     initial_accumulator_value=0.1, maximize=True), 4),
    ("Adadelta", dict(), 4),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1, maximize=True), 4),
    ("Adamax", dict(), 0),
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True), 0),
    ("NAdam", dict(), 4),
    ("NAdam", dict(weight_decay=0.1, momentum_decay=0.01), 4),
    ("NAdam", dict(weight_decay=0.1, decoupled_weight_decay=True, maximize=True), 4),
    ("RAdam", dict(), 4),
    ("RAdam", dict(betas=(0.9, 0.9), weight_decay=0.1), 4),  # rectified from step 3 on
    ("RAdam", dict(betas=(0.8, 0.9), weight_decay=0.1, decoupled_weight_decay=True), 4),
]


def _ids(case):
    name, kw, _ = case
    return name + "-" + "-".join(f"{k}={v}" for k, v in kw.items())


def _problem(dtype, seed=0):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(STEPS)]
    return params, grads


def _assert_ulps(e, t, ulps, what, floor=0.0):
    """ember tensor ``e`` is within ``ulps`` units in the last place of torch's ``t``
    (ulps of its largest element, or of ``floor`` when larger: parameters are O(1) and a
    small one is the difference of larger numbers)."""
    a, b = e.detach().numpy(), t.detach().numpy()
    assert str(e.dtype) == str(t.dtype) and a.shape == b.shape, what
    if ulps == 0:
        np.testing.assert_array_equal(a, b, err_msg=what)
    else:
        scale = np.spacing(max(np.abs(b).max(initial=0), b.dtype.type(floor)))
        np.testing.assert_allclose(a, b, rtol=0, atol=ulps * scale, err_msg=what)


def _pair(name, kw, params, group_lrs=None):
    pe = [ember.tensor(p, requires_grad=True) for p in params]
    pt = [torch.tensor(p, requires_grad=True) for p in params]
    if group_lrs:  # two groups: the first parameter alone, with its own lr
        ge = [{"params": pe[:1], "lr": group_lrs}, {"params": pe[1:]}]
        gt = [{"params": pt[:1], "lr": group_lrs}, {"params": pt[1:]}]
    else:
        ge, gt = pe, pt
    return pe, getattr(ember.optim, name)(ge, **kw), pt, getattr(torch.optim, name)(gt, **kw)


def _run(pe, oe, pt, ot, grads, ulps, steps=None):
    for k, gs in enumerate(grads[:steps]):
        for p, g in zip(pe, gs):
            p.grad = ember.tensor(g)
        for p, g in zip(pt, gs):
            p.grad = torch.tensor(g)
        oe.step()
        ot.step()
        for i, (a, b) in enumerate(zip(pe, pt)):
            _assert_ulps(a, b, ulps * (k + 1), f"param {i} after step {k + 1}", floor=1.0)
            se, st = oe.state[a], ot.state[b]
            assert list(se) == list(st), f"state keys of param {i}"
            for key in st:
                _assert_ulps(se[key], st[key], 4 * ulps * (k + 1) if key != "step" else 0,
                             f"state[{key!r}] of param {i} after step {k + 1}")


@pytest.mark.parametrize("case", CASES, ids=[_ids(c) for c in CASES])
def test_steps_match_torch_float32(case):
    name, kw, ulps = case
    params, grads = _problem(np.float32)
    _run(*_pair(name, kw, params), grads, ulps)


@pytest.mark.parametrize("case", CASES[::2], ids=[_ids(c) for c in CASES[::2]])
def test_steps_match_torch_float64(case):
    name, kw, _ = case
    params, grads = _problem(np.float64, seed=1)
    # float64 has no wider type to fuse multiply-adds in: an ulp or two per step.
    _run(*_pair(name, kw, params), grads, 4)


@pytest.mark.parametrize("case", CASES[::3], ids=[_ids(c) for c in CASES[::3]])
def test_param_groups_with_own_lr_match_torch(case):
    name, kw, ulps = case
    params, grads = _problem(np.float32, seed=2)
    _run(*_pair(name, kw, params, group_lrs=0.05), grads, ulps)


def test_parameters_without_grad_are_skipped_as_in_torch():
    params, grads = _problem(np.float32)
    pe, oe, pt, ot = _pair("Adam", {}, params)
    pe[1].grad = ember.tensor(grads[0][1])
    pt[1].grad = torch.tensor(grads[0][1])
    oe.step()
    ot.step()
    assert [len(oe.state[p]) for p in pe] == [len(ot.state[p]) for p in pt]
    np.testing.assert_array_equal(pe[0].detach().numpy(), params[0])


def test_step_bumps_the_version_and_records_no_graph():
    w = ember.ones(3, requires_grad=True)
    w.grad = ember.ones(3)
    before = w._version
    ember.optim.SGD([w], lr=0.1).step()
    assert w._version > before and w.grad_fn is None and w.requires_grad


def test_closure_is_called_with_grad_enabled_and_its_loss_returned():
    def closure_for(lib, w):
        def closure():
            assert lib.is_grad_enabled()
            w.grad = None
            loss = (w * w).sum()
            loss.backward()
            return loss
        return closure

    we, wt = ember.tensor([1.0, -2.0], requires_grad=True), torch.tensor([1.0, -2.0],
                                                                         requires_grad=True)
    oe, ot = ember.optim.SGD([we], lr=0.1), torch.optim.SGD([wt], lr=0.1)
    with ember.no_grad(), torch.no_grad():
        le, lt = oe.step(closure_for(ember, we)), ot.step(closure_for(torch, wt))
    assert le.item() == lt.item()
    np.testing.assert_array_equal(we.detach().numpy(), wt.detach().numpy())


# ---- state dicts ----

@pytest.mark.parametrize("name,kw", [("SGD", {}), ("SGD", {"momentum": 0.9}), ("Adam", {}),
                                     ("AdamW", {"amsgrad": True}), ("RMSprop", {}),
                                     ("RMSprop", {"momentum": 0.9, "centered": True}),
                                     ("Adagrad", {}), ("Adadelta", {}), ("Adamax", {}),
                                     ("NAdam", {}), ("RAdam", {})])
def test_state_dict_has_torchs_layout(name, kw):
    params, grads = _problem(np.float32)
    pe, oe, pt, ot = _pair(name, kw, params, group_lrs=0.05)
    _run(pe, oe, pt, ot, grads, ulps=8, steps=2)
    de, dt = oe.state_dict(), ot.state_dict()
    assert de["param_groups"] == dt["param_groups"]
    assert list(de["state"]) == list(dt["state"])
    for k in dt["state"]:
        assert list(de["state"][k]) == list(dt["state"][k])
        for key, v in dt["state"][k].items():
            assert isinstance(de["state"][k][key], ember.Tensor)
            assert str(de["state"][k][key].dtype) == str(v.dtype)
            assert tuple(de["state"][k][key].shape) == tuple(v.shape)


@pytest.mark.parametrize("case", CASES[::2], ids=[_ids(c) for c in CASES[::2]])
def test_load_state_dict_resumes_exactly(case):
    name, kw, _ = case
    params, grads = _problem(np.float32)
    a = [ember.tensor(p, requires_grad=True) for p in params]
    b = [ember.tensor(p, requires_grad=True) for p in params]
    opt_a = getattr(ember.optim, name)(a, **kw)
    for gs in grads[:3]:
        for p, g in zip(a, gs):
            p.grad = ember.tensor(g)
        opt_a.step()
    for p, q in zip(a, b):
        q.data = p.detach().clone()
    opt_b = getattr(ember.optim, name)(b, **kw)
    opt_b.load_state_dict(copy.deepcopy(opt_a.state_dict()))
    for gs in grads[3:]:
        for pa, pb, g in zip(a, b, gs):
            pa.grad, pb.grad = ember.tensor(g), ember.tensor(g)
        opt_a.step()
        opt_b.step()
    for p, q in zip(a, b):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_state_dict_from_torch_continues_like_torch():
    """A torch optimizer's state, converted tensor by tensor, resumes in ember."""
    params, grads = _problem(np.float32)
    pe, oe, pt, ot = _pair("Adam", dict(lr=0.01, amsgrad=True), params)
    _run(pe, oe, pt, ot, grads, ulps=4, steps=3)
    sd = ot.state_dict()
    sd = {"param_groups": sd["param_groups"],
          "state": {k: {key: ember.tensor(v.numpy()) for key, v in s.items()}
                    for k, s in sd["state"].items()}}
    for p, q in zip(pe, pt):
        p.data = ember.tensor(q.detach().numpy())
    fresh = ember.optim.Adam(pe, lr=0.5)
    fresh.load_state_dict(sd)
    assert fresh.param_groups[0]["lr"] == 0.01
    _run(pe, fresh, pt, ot, grads[3:], ulps=4)


def test_load_state_dict_casts_floating_state_to_the_parameter_dtype():
    w = ember.zeros(2, dtype=ember.float64, requires_grad=True)
    opt = ember.optim.SGD([w], lr=0.1, momentum=0.9)
    opt.load_state_dict({"state": {0: {"momentum_buffer": ember.ones(2)}},
                         "param_groups": opt.state_dict()["param_groups"]})
    assert opt.state[w]["momentum_buffer"].dtype == ember.float64


def test_load_state_dict_errors_as_torch():
    we, wt = ember.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    ve, vt = ember.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    oe, ot = ember.optim.SGD([we], lr=0.1), torch.optim.SGD([wt], lr=0.1)
    two_e = ember.optim.SGD([{"params": [we]}, {"params": [ve]}], lr=0.1)
    two_t = torch.optim.SGD([{"params": [wt]}, {"params": [vt]}], lr=0.1)
    err = raises_like(lambda: oe.load_state_dict(two_e.state_dict()),
                      lambda: ot.load_state_dict(two_t.state_dict()))
    assert "different number of parameter groups" in str(err)
    big_e = ember.optim.SGD([we, ve], lr=0.1)
    big_t = torch.optim.SGD([wt, vt], lr=0.1)
    err = raises_like(lambda: oe.load_state_dict(big_e.state_dict()),
                      lambda: ot.load_state_dict(big_t.state_dict()))
    assert "doesn't match the size" in str(err)


# ---- groups, zero_grad, errors ----

def test_add_param_group_takes_defaults_and_repr_matches_torch():
    we, wt = ember.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    ve, vt = ember.zeros(3, requires_grad=True), torch.zeros(3, requires_grad=True)
    oe, ot = ember.optim.Adam([we], lr=0.01), torch.optim.Adam([wt], lr=0.01)
    oe.add_param_group({"params": ve, "lr": 0.5, "betas": (0.8, 0.9)})
    ot.add_param_group({"params": vt, "lr": 0.5, "betas": (0.8, 0.9)})
    assert repr(oe) == repr(ot)
    assert oe.state_dict()["param_groups"] == ot.state_dict()["param_groups"]


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta",
                                  "Adamax", "NAdam", "RAdam"])
def test_repr_and_defaults_match_torch(name):
    oe = getattr(ember.optim, name)([ember.zeros(2, requires_grad=True)])
    ot = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)])
    assert repr(oe) == repr(ot)
    assert oe.defaults == ot.defaults


def test_named_parameters_keep_their_names():
    oe = ember.optim.SGD([("w", ember.zeros(2, requires_grad=True))], lr=0.1)
    ot = torch.optim.SGD([("w", torch.zeros(2, requires_grad=True))], lr=0.1)
    assert oe.state_dict()["param_groups"] == ot.state_dict()["param_groups"]


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    we, wt = ember.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    (we * 3).sum().backward()
    (wt * 3).sum().backward()
    oe, ot = ember.optim.SGD([we], lr=0.1), torch.optim.SGD([wt], lr=0.1)
    grad = we.grad
    oe.zero_grad(set_to_none=set_to_none)
    ot.zero_grad(set_to_none=set_to_none)
    if set_to_none:
        assert we.grad is None and wt.grad is None
    else:
        assert we.grad is grad and we.grad.tolist() == wt.grad.tolist() == [0.0, 0.0]


def test_constructor_errors_as_torch():
    e = ember.zeros(2, requires_grad=True)
    t = torch.zeros(2, requires_grad=True)
    err = raises_like(lambda: ember.optim.SGD([], lr=0.1), lambda: torch.optim.SGD([], lr=0.1))
    assert str(err) == "optimizer got an empty parameter list"
    err = raises_like(lambda: ember.optim.SGD([e * 2], lr=0.1),
                      lambda: torch.optim.SGD([t * 2], lr=0.1))
    assert str(err) == "can't optimize a non-leaf Tensor"
    raises_like(lambda: ember.optim.SGD(e, lr=0.1), lambda: torch.optim.SGD(t, lr=0.1))
    raises_like(lambda: ember.optim.SGD([{"params": {e}}], lr=0.1),
                lambda: torch.optim.SGD([{"params": {t}}], lr=0.1))
    raises_like(lambda: ember.optim.SGD([e, 1.0], lr=0.1),
                lambda: torch.optim.SGD([t, 1.0], lr=0.1))
    err = raises_like(lambda: ember.optim.SGD([{"params": [e]}, {"params": [e]}], lr=0.1),
                      lambda: torch.optim.SGD([{"params": [t]}, {"params": [t]}], lr=0.1))
    assert "more than one parameter group" in str(err)
    err = raises_like(lambda: ember.optim.SGD([e], lr=0.1, nesterov=True),
                      lambda: torch.optim.SGD([t], lr=0.1, nesterov=True))
    assert "Nesterov" in str(err)


@pytest.mark.parametrize("name,kw", [
    ("SGD", dict(lr=-1)), ("SGD", dict(momentum=-1)), ("SGD", dict(weight_decay=-1)),
    ("Adam", dict(lr=-1)), ("Adam", dict(eps=-1)), ("Adam", dict(betas=(1.0, 0.9))),
    ("Adam", dict(betas=(0.9, -0.1))), ("Adam", dict(betas=(0, 0.9))),
    ("AdamW", dict(weight_decay=-1)),
    ("RMSprop", dict(alpha=-1)), ("Adagrad", dict(lr_decay=-1)),
    ("Adagrad", dict(initial_accumulator_value=-1)), ("Adadelta", dict(rho=1.5)),
    ("Adamax", dict(betas=(0.9, 1.0))), ("NAdam", dict(momentum_decay=-1)),
    ("RAdam", dict(eps=-1)),
])
def test_invalid_options_raise_as_torch(name, kw):
    err = raises_like(lambda: getattr(ember.optim, name)([ember.zeros(1, requires_grad=True)],
                                                         **kw),
                      lambda: getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)],
                                                         **kw))
    with pytest.raises(Exception) as t_info:
        getattr(torch.optim, name)([torch.zeros(1, requires_grad=True)], **kw)
    assert str(err) == str(t_info.value)


def test_duplicate_parameters_warn_as_torch():
    e, t = ember.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
    with warnings.catch_warnings(record=True) as we:
        warnings.simplefilter("always")
        ember.optim.SGD([e, e], lr=0.1)
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        torch.optim.SGD([t, t], lr=0.1)
    assert [str(w.message) for w in we] == [str(w.message) for w in wt]
    assert len(we) == 1


# ---- a whole training run ----

def _train(lib, data, init, opt_name, sched):
    """Three epochs of a small MLP, in the canonical loop; the loss of every step."""
    model = lib.nn.Sequential(lib.nn.Linear(4, 16), lib.nn.Tanh(), lib.nn.Linear(16, 1))
    with lib.no_grad():
        for p, value in zip(model.parameters(), init):
            p.copy_(lib.tensor(value))
    x, y = (lib.tensor(a) for a in data)
    loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(x, y), batch_size=8,
                                       shuffle=True, generator=lib.Generator().manual_seed(0))
    opt = getattr(lib.optim, opt_name)(model.parameters(), lr=0.05)
    scheduler = sched(lib.optim.lr_scheduler, opt)
    losses = []
    for _ in range(3):
        for xb, yb in loader:
            opt.zero_grad()
            loss = ((model(xb) - yb) ** 2).mean()
            loss.backward()
            opt.step()
            scheduler.step()
            losses.append(loss.item())
    return losses, [p.detach().numpy() for p in model.parameters()]


@pytest.mark.parametrize("opt_name,sched", [
    ("Adam", lambda L, o: L.OneCycleLR(o, max_lr=0.1, total_steps=12)),
    ("SGD", lambda L, o: L.StepLR(o, step_size=2, gamma=0.7)),
    ("RMSprop", lambda L, o: L.CosineAnnealingLR(o, T_max=12)),
])
def test_training_run_follows_torchs_loss_curve(opt_name, sched):
    rng = np.random.default_rng(0)
    data = (rng.standard_normal((32, 4)).astype(np.float32),
            rng.standard_normal((32, 1)).astype(np.float32))
    shapes = [(16, 4), (16,), (1, 16), (1,)]
    init = [(rng.standard_normal(s) * 0.5).astype(np.float32) for s in shapes]
    le, pe = _train(ember, data, init, opt_name, sched)
    lt, pt = _train(torch, data, init, opt_name, sched)
    np.testing.assert_allclose(le, lt, rtol=1e-5)
    for a, b in zip(pe, pt):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
