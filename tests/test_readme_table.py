"""The README's table of what works states counts that the code bears out."""

import inspect
import pathlib
import re

import ember
import ember.nn as nn
import ember.nn.functional as F
import ember.optim as optim
from ember.autograd.function import REGISTRY
from ember.optim import lr_scheduler

README = (pathlib.Path(__file__).resolve().parents[1] / "README.md").read_text()


def _classes(module, base, exclude=()):
    return {n for n in dir(module) if inspect.isclass(getattr(module, n))
            and issubclass(getattr(module, n), base) and n not in exclude}


def counts() -> dict:
    modules = _classes(nn, nn.Module, {"Module"})
    schedulers = {n for n in dir(lr_scheduler) if inspect.isclass(getattr(lr_scheduler, n))
                  and hasattr(getattr(lr_scheduler, n), "step") and n[0] != "_"
                  and n not in ("LRScheduler", "_LRScheduler")}
    return {
        "Tensor ops": len(REGISTRY),
        "nn layers": len({m for m in modules if not m.endswith("Loss")}),
        "nn losses": len({m for m in modules if m.endswith("Loss")}),
        "nn.functional": len({n for n in dir(F) if not n.startswith("_")
                              and callable(getattr(F, n)) and not inspect.isclass(getattr(F, n))
                              and not inspect.ismodule(getattr(F, n))}),
        "Optimizers": len(_classes(optim, optim.Optimizer, {"Optimizer"})),
        "LR schedulers": len(schedulers),
    }


def test_readme_table_counts_match_the_code():
    for label, n in counts().items():
        row = re.search(rf"^\| {re.escape(label)} \| (\d+) ", README, flags=re.M)
        assert row, f"README's table has no row '{label}'"
        assert int(row.group(1)) == n, f"README says {row.group(1)} {label}, the code has {n}"


def test_registered_ops_exist_where_registered():
    for name, fn in REGISTRY.items():
        assert getattr(ember, name, None) is fn or getattr(ember.Tensor, name, None) is fn
