"""Memory: a long training run keeps the process's resident memory and its number of
live ember objects flat, and leaves no reference cycles for the garbage collector.

Short form: 200 steps; ``EMBER_STRESS=full``: 5,000. Run as a script to see the numbers.
"""

import gc
import os
import sys
import types
from pathlib import Path

import numpy as np
import pytest

import ember

sys.path.insert(0, str(Path(__file__).parents[1]))  # conftest, also run as a script
from conftest import STRESS_FULL  # noqa: E402

pytestmark = pytest.mark.stress

STEPS = 5000 if STRESS_FULL else 200
WARM_UP = 50  # allocator pools, optimizer state and caches settle in the first steps


def resident_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _is_ember(obj) -> bool:
    """An instance of an ember class, or a function (closure, bound method) of ember's."""
    kind = type(obj)  # not isinstance: that asks objects (torch's deprecated ones warn)
    if kind is types.MethodType:
        obj = obj.__func__
        kind = type(obj)
    if kind is types.FunctionType:
        module = obj.__module__
    elif issubclass(kind, type):
        module = obj.__dict__.get("__module__")
    else:
        module = kind.__module__
    return isinstance(module, str) and (module == "ember" or module.startswith("ember."))


def live_ember_objects() -> int:
    return sum(1 for o in gc.get_objects() if _is_ember(o))


def train(steps, probe=None):
    """An MLP classifier with Adam, a scheduler, clipping, a DataLoader and dropout."""
    nn, data = ember.nn, ember.utils.data
    ember.manual_seed(0)
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((256, 32)).astype(np.float32))
    y = ember.tensor(rng.integers(0, 10, 256))
    model = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Dropout(0.1), nn.Linear(64, 64),
                          nn.Tanh(), nn.Linear(64, 10))
    opt = ember.optim.Adam(model.parameters(), lr=1e-3)
    sched = ember.optim.lr_scheduler.StepLR(opt, 100, gamma=0.9)
    loader = data.DataLoader(data.TensorDataset(x, y), batch_size=32, shuffle=True)
    step, losses = 0, []
    while step < steps:
        for xb, yb in loader:
            loss = nn.functional.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            losses.append(loss.item())
            step += 1
            if probe is not None:
                probe(step)
            if step == steps:
                break
    return losses


def measure(steps=STEPS):
    """Resident memory and live ember objects after the warm-up and at the end, with
    the collector off; then what a collection finds."""
    seen = {}

    def probe(step):
        if step in (WARM_UP, steps):
            seen[step] = (resident_bytes(), live_ember_objects())

    gc.collect()
    gc.disable()
    try:
        losses = train(steps, probe)
        gc.set_debug(gc.DEBUG_SAVEALL)  # unreachable objects land in gc.garbage
        gc.collect()
        cyclic = [o for o in gc.garbage if _is_ember(o)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    return seen[WARM_UP], seen[steps], cyclic, losses


def test_training_keeps_memory_flat_and_leaves_no_cycles():
    (rss0, objs0), (rss1, objs1), cyclic, losses = measure()
    assert losses[-1] < losses[0]
    assert objs1 == objs0, f"{objs1 - objs0} more live ember objects after {STEPS} steps"
    assert cyclic == [], f"reference cycles of {sorted({type(o).__name__ for o in cyclic})}"
    assert rss1 - rss0 < 4 << 20, f"resident memory grew by {(rss1 - rss0) >> 10} KiB"


if __name__ == "__main__":
    (rss0, objs0), (rss1, objs1), cyclic, losses = measure()
    print(f"{STEPS} steps: resident {rss0 >> 10} -> {rss1 >> 10} KiB, ember objects "
          f"{objs0} -> {objs1}, cyclic garbage {len(cyclic)}, loss {losses[0]:.3f} -> "
          f"{losses[-1]:.3f}")
