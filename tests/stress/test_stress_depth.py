"""Depth: a chain of scalar ops as long as a user can build backpropagates without a
RecursionError, and the backward walk takes time linear in the chain's length.

Short form: 10^4 and 10^5 ops; ``EMBER_STRESS=full`` adds 10^6. Run as a script to see
the timings: ``python tests/stress/test_stress_depth.py``.
"""

import gc
import sys
import time
import weakref
from pathlib import Path

import numpy as np
import pytest

import ember

sys.path.insert(0, str(Path(__file__).parents[1]))  # conftest, also run as a script
from conftest import STRESS_FULL  # noqa: E402

pytestmark = pytest.mark.stress

SIZES = [10**4, 10**5] + ([10**6] if STRESS_FULL else [])
REPEATS = {10**4: 7, 10**5: 3, 10**6: 2}
C = 1.0000001


def _chain(n):
    """``n`` scalar ops on one leaf: alternately times ``C`` and plus a small number."""
    x = ember.tensor(1.0, requires_grad=True)
    y = x
    for i in range(n):
        y = y * C if i % 2 else y + 1e-7
    return x, y


def _backward_seconds(n):
    """The fastest of a few backward walks over one ``n``-op chain (noise only adds).

    The collector is paused meanwhile: its full passes visit every live object, with
    cache misses that grow with the heap, which would time Python rather than the walk.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        x, y = _chain(n)
        best = float("inf")
        for _ in range(REPEATS[n]):
            x.grad = None
            t0 = time.perf_counter()
            y.backward(retain_graph=True)
            best = min(best, time.perf_counter() - t0)
        # float32 products, one after another, as the backward walk rounds them
        expected = np.cumprod(np.full(n // 2, C, dtype=np.float32))[-1]
        assert abs(x.grad.item() - expected) <= 1e-6 * expected
        del x, y
    finally:
        if was:
            gc.enable()
    return best


def timings():
    return {n: _backward_seconds(n) for n in SIZES}


def test_backward_time_is_linear_in_depth():
    """Each tenfold longer chain takes at most 13x longer. Other processes can only slow
    a measurement down, so the best of three attempts counts."""
    report = []
    for _ in range(3):
        t = timings()
        worst = max(t[b] / t[a] * a / b for a, b in zip(SIZES, SIZES[1:]))
        if worst <= 1.3:
            return
        report.append(", ".join(f"{n} ops {s:.3f}s" for n, s in t.items()))
    raise AssertionError("backward time grows faster than its length: " + "; ".join(report))


def test_a_deep_graph_is_freed_without_backward_and_without_recursion():
    n = 10**6 if STRESS_FULL else 10**5
    gc.disable()  # building is not what is tested: keep it quick
    try:
        x, y = _chain(n)
        ref = weakref.ref(y.grad_fn)
        del y  # a million nodes released one after another, no deep C recursion
        assert ref() is None
    finally:
        gc.enable()


def test_deep_graphs_differentiate_twice():
    n = 10**5 if STRESS_FULL else 10**4
    x = ember.tensor(0.5, requires_grad=True)
    y = x
    for i in range(n):
        y = y.sin() if i % 2 else y * 1.0
    (g,) = ember.autograd.grad(y, x, create_graph=True)  # a graph of the backward pass
    (gg,) = ember.autograd.grad(g, x)
    assert np.isfinite(g.item()) and np.isfinite(gg.item()) and gg.item() != 0


if __name__ == "__main__":
    for n, s in timings().items():
        print(f"{n:>9} ops: backward {s:.3f}s, {s / n * 1e6:.2f} us per op")
