"""Threads: grad mode stays per thread under contention, concurrent training runs give
the results they give alone, and concurrent backward passes into one shared leaf add up
every gradient, as torch's locked accumulation does.

Short form by default; ``EMBER_STRESS=full`` runs longer.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

import ember

sys.path.insert(0, str(Path(__file__).parents[1]))  # conftest, also run as a script
from conftest import STRESS_FULL, run_threads  # noqa: E402

pytestmark = pytest.mark.stress

ROUNDS = 2000 if STRESS_FULL else 200


def test_grad_mode_stays_per_thread_while_threads_flip_it():
    def flipper(k):
        def run():
            wrong = 0
            x = ember.ones(2, requires_grad=True)
            for i in range(ROUNDS):
                mode = (i + k) % 3 != 0
                with ember.set_grad_enabled(mode):
                    wrong += (x * 2).requires_grad != mode or ember.is_grad_enabled() != mode
                with ember.no_grad():
                    wrong += (x + 1).requires_grad
                wrong += not (x - 1).requires_grad
            return wrong
        return run

    assert run_threads(*[flipper(k) for k in range(4)]) == [0, 0, 0, 0]


def _shared_leaf(lib, threads, rounds):
    w = lib.zeros(1_000_000, requires_grad=True)  # big: NumPy drops the GIL in its loops

    def job():
        for _ in range(rounds):
            (w * 1.0).sum().backward()

    run_threads(*[job] * threads)
    return np.unique(w.grad.numpy())


def test_concurrent_backward_into_a_shared_leaf_adds_every_gradient():
    rounds = 100 if STRESS_FULL else 25
    t = _shared_leaf(torch, 4, rounds)
    assert t.tolist() == [4 * rounds]  # torch locks its accumulation
    e = _shared_leaf(ember, 4, rounds)
    assert e.tolist() == t.tolist(), f"lost updates: .grad holds {e.tolist()}"


def test_many_threads_train_separate_models_as_they_would_alone():
    steps = 300 if STRESS_FULL else 25

    def job(seed):
        def run():
            rng = np.random.default_rng(seed)
            x = ember.tensor(rng.standard_normal((32, 8)))
            y = ember.tensor(rng.standard_normal((32, 1)))
            w1 = ember.tensor(rng.standard_normal((8, 16)) * 0.3, requires_grad=True)
            w2 = ember.tensor(rng.standard_normal((16, 1)) * 0.3, requires_grad=True)
            opt = ember.optim.RMSprop([w1, w2], lr=1e-2)
            losses = []
            for _ in range(steps):
                loss = (((x @ w1).relu() @ w2 - y) ** 2).mean()
                opt.zero_grad()
                loss.backward()
                opt.step()
                losses.append(loss.item())
            return losses, w1.detach().numpy().copy(), w2.detach().numpy().copy()
        return run

    jobs = [job(s) for s in range(4)]
    alone = [j() for j in jobs]
    together = run_threads(*jobs)
    for a, b in zip(alone, together):
        assert a[0] == b[0]
        np.testing.assert_array_equal(a[1], b[1])
        np.testing.assert_array_equal(a[2], b[2])


def test_one_operator_shared_by_threads_of_different_numbers_and_dtypes():
    """The operators keep the last number they were given (with its array and dtype)
    and the saved entries of its nodes: threads using one operator with their own
    numbers and dtypes must each get their own values and gradients."""
    settings = [(0.1, np.float32), (0.1, np.float64), (0.7, np.float32), (3.0, np.float64)]

    def worker(number, dtype):
        def run():
            wrong = 0
            data = np.array([0.5, -1.25, 2.0], dtype=dtype)
            want = data * dtype(number)
            for _ in range(ROUNDS):
                x = ember.tensor(data, requires_grad=True)
                y = x * number
                wrong += not np.array_equal(y.detach().numpy(), want)
                y.backward(ember.ones_like(y))
                wrong += not np.all(x.grad.numpy() == dtype(number))
            return wrong
        return run

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    try:
        assert run_threads(*[worker(n, d) for n, d in settings]) == [0] * len(settings)
    finally:
        sys.setswitchinterval(interval)
