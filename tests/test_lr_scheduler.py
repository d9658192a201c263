"""ember.optim.lr_scheduler against torch's: the learning rates of every epoch, exactly.

Each case builds the same scheduler on an ember and a torch optimizer with two parameter
groups, runs the training-loop order (``optimizer.step()`` then ``scheduler.step()``)
and compares ``get_last_lr()`` and the groups' rates (and momenta) as Python floats.
"""

import math
import warnings

import pytest
import torch

import ember

from conftest import raises_like

EPOCHS = 40


def _optimizers(name="SGD", **kw):
    kw = kw or {"lr": 0.1, "momentum": 0.9}
    oe = getattr(ember.optim, name)([{"params": [ember.zeros(1, requires_grad=True)]},
                                     {"params": [ember.zeros(1, requires_grad=True)],
                                      "lr": 0.01}], **kw)
    ot = getattr(torch.optim, name)([{"params": [torch.zeros(1, requires_grad=True)]},
                                     {"params": [torch.zeros(1, requires_grad=True)],
                                      "lr": 0.01}], **kw)
    return oe, ot


def _lambda(epoch):
    return 0.95**epoch if epoch % 7 else 0.5


CASES = {
    "StepLR": lambda lib, o: lib.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda lib, o: lib.MultiStepLR(o, milestones=[3, 10, 10, 25], gamma=0.3),
    "ExponentialLR": lambda lib, o: lib.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda lib, o: lib.CosineAnnealingLR(o, T_max=12, eta_min=1e-3),
    "CosineAnnealingWarmRestarts": lambda lib, o: lib.CosineAnnealingWarmRestarts(o, T_0=5),
    "CosineAnnealingWarmRestarts-T_mult": lambda lib, o: lib.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=1e-4),
    "LambdaLR": lambda lib, o: lib.LambdaLR(o, lr_lambda=_lambda),
    "LambdaLR-per-group": lambda lib, o: lib.LambdaLR(o, [_lambda, lambda e: 1 / (e + 1)]),
    "MultiplicativeLR": lambda lib, o: lib.MultiplicativeLR(o, lr_lambda=lambda e: 0.97),
    "LinearLR": lambda lib, o: lib.LinearLR(o, start_factor=0.1, end_factor=0.9,
                                            total_iters=13),
    "ConstantLR": lambda lib, o: lib.ConstantLR(o, factor=0.4, total_iters=6),
    "PolynomialLR": lambda lib, o: lib.PolynomialLR(o, total_iters=30, power=1.7),
    "OneCycleLR": lambda lib, o: lib.OneCycleLR(o, max_lr=1.0, total_steps=EPOCHS),
    "OneCycleLR-linear-3phase": lambda lib, o: lib.OneCycleLR(
        o, max_lr=[1.0, 0.3], epochs=4, steps_per_epoch=10, anneal_strategy="linear",
        three_phase=True, pct_start=0.25),
    "SequentialLR": lambda lib, o: lib.SequentialLR(
        o, [lib.LinearLR(o, start_factor=0.1, total_iters=5), lib.ExponentialLR(o, 0.9),
            lib.CosineAnnealingLR(o, T_max=10)], milestones=[5, 20]),
    "ChainedScheduler": lambda lib, o: lib.ChainedScheduler(
        [lib.ConstantLR(o, factor=0.5, total_iters=4), lib.ExponentialLR(o, gamma=0.95)]),
}


def _trace(lib, opt, make, epochs=EPOCHS):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sched = make(lib, opt)
        out = [list(sched.get_last_lr())]
        for _ in range(epochs):
            opt.step()
            sched.step()
            out.append(list(sched.get_last_lr()))
            out.append([g["lr"] for g in opt.param_groups])
            out.append([g.get("momentum", g.get("betas")) for g in opt.param_groups])
    return sched, out


@pytest.mark.parametrize("name", list(CASES))
def test_learning_rates_match_torch(name):
    oe, ot = _optimizers()
    _, e = _trace(ember.optim.lr_scheduler, oe, CASES[name])
    _, t = _trace(torch.optim.lr_scheduler, ot, CASES[name])
    assert e == t


@pytest.mark.parametrize("name", ["OneCycleLR", "CosineAnnealingLR"])
def test_with_adam_betas_match_torch(name):
    oe, ot = _optimizers("Adam", lr=0.01)
    _, e = _trace(ember.optim.lr_scheduler, oe, CASES[name])
    _, t = _trace(torch.optim.lr_scheduler, ot, CASES[name])
    assert e == t


@pytest.mark.parametrize("mode,threshold_mode", [("min", "rel"), ("min", "abs"),
                                                 ("max", "rel"), ("max", "abs")])
def test_reduce_lr_on_plateau_matches_torch(mode, threshold_mode):
    metrics = [1.0, 0.9, 0.9, 0.91, 0.95, 0.89999, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7, 0.9, 0.9,
               0.9, 0.9, 0.9, 0.9, 0.9, 0.9] * 3
    out = []
    for lib, opt in zip((ember.optim.lr_scheduler, torch.optim.lr_scheduler), _optimizers()):
        sched = lib.ReduceLROnPlateau(opt, mode=mode, threshold_mode=threshold_mode,
                                      patience=2, cooldown=1, factor=0.5, min_lr=[1e-3, 2e-3],
                                      threshold=0.01)
        trace = []
        for m in metrics:
            sched.step(m)
            trace.append((list(sched.get_last_lr()), sched.num_bad_epochs, sched.best,
                          sched.cooldown_counter))
        out.append(trace)
    assert out[0] == out[1]


def test_warm_restarts_with_fractional_epochs_match_torch():
    out = []
    for lib, opt in zip((ember.optim.lr_scheduler, torch.optim.lr_scheduler), _optimizers()):
        sched = lib.CosineAnnealingWarmRestarts(opt, T_0=4, T_mult=2)
        trace = []
        for epoch in range(20):
            for i in range(5):
                sched.step(epoch + i / 5)
                trace.append(sched.get_last_lr())
        out.append(trace)
    assert out[0] == out[1]


@pytest.mark.parametrize("name", ["StepLR", "MultiStepLR", "ExponentialLR", "LinearLR",
                                  "CosineAnnealingLR", "ConstantLR", "PolynomialLR"])
def test_step_with_epoch_uses_the_closed_form_as_torch(name):
    out = []
    for lib, opt in zip((ember.optim.lr_scheduler, torch.optim.lr_scheduler), _optimizers()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched = CASES[name](lib, opt)
            out.append([(sched.step(e), sched.get_last_lr())[1] for e in (3, 9, 1, 17, 30)])
    assert out[0] == out[1]


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "OneCycleLR", "LambdaLR",
                                  "SequentialLR", "ChainedScheduler", "LinearLR"])
def test_state_dict_matches_torch_and_resumes(name):
    oe, ot = _optimizers()
    se, e = _trace(ember.optim.lr_scheduler, oe, CASES[name], epochs=12)
    st, t = _trace(torch.optim.lr_scheduler, ot, CASES[name], epochs=12)
    de, dt = se.state_dict(), st.state_dict()
    assert sorted(de) == sorted(k for k in dt if k != "_get_lr_called_within_step")
    # A new scheduler given the state continues where the first one was (loading the
    # optimizer's state after making the scheduler, as torch's documentation asks).
    oe2, _ = _optimizers()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        resumed = CASES[name](ember.optim.lr_scheduler, oe2)
    oe2.load_state_dict(oe.state_dict())
    resumed.load_state_dict(de)
    for _ in range(5):
        for opt, sched in ((oe, se), (oe2, resumed), (ot, st)):
            opt.step()
            sched.step()
        assert se.get_last_lr() == resumed.get_last_lr() == st.get_last_lr()


def test_reduce_lr_on_plateau_state_dict_round_trip():
    oe, _ = _optimizers()
    a = ember.optim.lr_scheduler.ReduceLROnPlateau(oe, patience=0)
    for m in (1.0, 2.0, 3.0):
        a.step(m)
    b = ember.optim.lr_scheduler.ReduceLROnPlateau(_optimizers()[0], patience=0)
    b.load_state_dict(a.state_dict())
    assert (b.best, b.num_bad_epochs, b.last_epoch) == (a.best, a.num_bad_epochs, a.last_epoch)


def test_warns_when_scheduler_steps_before_optimizer_as_torch():
    messages = []
    for lib, opt in zip((ember.optim.lr_scheduler, torch.optim.lr_scheduler), _optimizers()):
        sched = lib.StepLR(opt, step_size=2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            sched.step()
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1] and len(messages[0]) == 1
    for lib, opt in zip((ember.optim.lr_scheduler, torch.optim.lr_scheduler), _optimizers()):
        sched = lib.StepLR(opt, step_size=2)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            opt.step()
            sched.step()  # the right order: no warning


def test_errors_as_torch():
    oe, ot = _optimizers()
    e, t = ember.optim.lr_scheduler, torch.optim.lr_scheduler
    raises_like(lambda: e.StepLR(object(), 3), lambda: t.StepLR(object(), 3))
    raises_like(lambda: e.OneCycleLR(oe, 1.0), lambda: t.OneCycleLR(ot, 1.0))
    raises_like(lambda: e.LinearLR(oe, start_factor=0), lambda: t.LinearLR(ot, start_factor=0))
    raises_like(lambda: e.CosineAnnealingWarmRestarts(oe, T_0=0),
                lambda: t.CosineAnnealingWarmRestarts(ot, T_0=0))
    raises_like(lambda: e.ReduceLROnPlateau(oe, factor=1.0),
                lambda: t.ReduceLROnPlateau(ot, factor=1.0))
    raises_like(lambda: e.ReduceLROnPlateau(oe, mode="up"),
                lambda: t.ReduceLROnPlateau(ot, mode="up"))
    raises_like(lambda: e.SequentialLR(oe, [e.StepLR(oe, 2)], milestones=[3]),
                lambda: t.SequentialLR(ot, [t.StepLR(ot, 2)], milestones=[3]))
    raises_like(lambda: e.StepLR(_optimizers()[0], 2, last_epoch=3),
                lambda: t.StepLR(_optimizers()[1], 2, last_epoch=3))
    se, st = e.OneCycleLR(oe, 1.0, total_steps=2), t.OneCycleLR(ot, 1.0, total_steps=2)
    for opt, s in ((oe, se), (ot, st)):
        opt.step()
        s.step()
        s.step()
    err = raises_like(se.step, st.step)
    assert "Tried to step 3 times" in str(err)


def test_lr_values_are_python_floats():
    oe, _ = _optimizers()
    sched = ember.optim.lr_scheduler.CosineAnnealingLR(oe, T_max=5)
    oe.step()
    sched.step()
    assert all(type(lr) is float and math.isfinite(lr) for lr in sched.get_last_lr())
