"""The tutorial examples run as scripts, learn what they should, and print torch's numbers.

Each script in ``SCRIPTS`` runs in its own subprocess on ember in fast mode (``--fast``),
and its printed results are checked for sense (the fitted weight near 3, accuracy, the
ODE error). Then the same source with ``import ember as torch`` replaced by
``import torch`` runs on PyTorch (all four in one subprocess, to import torch once, in
fast mode through ``EMBER_FAST=1``), and every printed line must equal ember's: the
same text, and each number equal up to one unit in the last digit printed. (Sums of
float32 values are added in a different order by NumPy and by torch, so a printed
digit may flip; none did when these tests were written.)
"""

import functools
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SCRIPTS = ["linear_regression", "logistic_regression", "polynomial_custom_function",
           "ode_pinn"]

# A number as printed by the scripts: fixed-point (3.1416) or scientific (5.223e-05).
NUMBER = re.compile(r"-?\d+\.(\d+)(?:e([-+]\d+))?")

# Runs the torch version of each script given as "name path" pairs, each in a fresh
# namespace as __main__, and prints {name: stdout} as JSON.
TORCH_DRIVER = """
import contextlib, io, json, sys
import torch
out = {}
for name, path in zip(sys.argv[1::2], sys.argv[2::2]):
    source = open(path).read().replace("import ember as torch", "import torch")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(source, path, "exec"), {"__name__": "__main__", "__file__": path})
    out[name] = printed.getvalue()
assert "ember" not in sys.modules, "a script imported ember: the torch run is not torch"
print(json.dumps(out))
"""


@functools.lru_cache(maxsize=None)
def ember_lines(name: str) -> tuple:
    """What ``examples/<name>.py --fast`` prints on ember."""
    done = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py"), "--fast"],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return tuple(done.stdout.splitlines())


@functools.lru_cache(maxsize=None)
def torch_lines() -> dict:
    """What every script prints on PyTorch, fast mode chosen by EMBER_FAST=1."""
    pairs = [arg for name in SCRIPTS for arg in (name, str(EXAMPLES / f"{name}.py"))]
    # One thread: torch's thread pool only slows these tiny ops on a shared CPU.
    env = dict(os.environ, EMBER_FAST="1", OMP_NUM_THREADS="1")
    done = subprocess.run([sys.executable, "-c", TORCH_DRIVER, *pairs], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return {name: tuple(text.splitlines()) for name, text in json.loads(done.stdout).items()}


def numbers(line: str) -> list:
    return [float(m.group(0)) for m in NUMBER.finditer(line)]


def value(lines, prefix: str, index: int = 0) -> float:
    """The ``index``-th number on the line that starts with ``prefix``."""
    (line,) = [line for line in lines if line.startswith(prefix)]
    return numbers(line)[index]


def losses(lines) -> list:
    return [numbers(line)[-1] for line in lines if " loss " in line]


def unit_in_last_place(match) -> float:
    """One unit in the last printed digit of a NUMBER match (1e-4 for 3.1416)."""
    decimals, exponent = len(match.group(1)), int(match.group(2) or 0)
    return 10.0 ** (exponent - decimals)


# ---------------------------------------------------------------------------- ember
def test_each_script_reads_as_a_pytorch_script():
    for name in SCRIPTS:
        source = (EXAMPLES / f"{name}.py").read_text()
        assert source.count("import ember as torch") == 1, name
        assert "torch.manual_seed(" in source, name
        torch_source = source.replace("import ember as torch", "import torch")
        assert not re.search(r"^\s*(import|from) ember", torch_source, re.M), name


def test_linear_regression_learns_3x_plus_2():
    lines = ember_lines("linear_regression")
    assert abs(value(lines, "learned weight") - 3) < 0.05
    assert abs(value(lines, "learned bias") - 2) < 0.05
    fit = losses(lines)
    assert len(fit) == 5 and fit[-1] < 0.02 < fit[0]  # 0.1 noise: the best loss is ~0.01


def test_logistic_regression_classifies():
    lines = ember_lines("logistic_regression")
    assert value(lines, "train accuracy") > 0.93
    assert value(lines, "test accuracy") > 0.93
    fit = losses(lines)
    assert len(fit) == 4 and fit == sorted(fit, reverse=True)


def test_polynomial_custom_function_fits_sin():
    lines = ember_lines("polynomial_custom_function")
    assert "node of P3: LegendrePolynomial3Backward" in lines
    fit = losses(lines)
    assert len(fit) == 4 and fit == sorted(fit, reverse=True) and fit[-1] < 20
    # Evaluate the printed polynomial: it must be close to sin on [-pi, pi].
    a, b, c, d = numbers(next(line for line in lines if line.startswith("Result: y =")))
    x = np.linspace(-math.pi, math.pi, 2000)
    t = c + d * x
    assert np.abs(a + b * 0.5 * (5 * t**3 - 3 * t) - np.sin(x)).max() < 0.2


def test_ode_pinn_solves_the_oscillator():
    lines = ember_lines("ode_pinn")
    assert value(lines, "max |u - sin|") < 0.02
    assert abs(value(lines, "u(pi/2)") - 1) < 0.02
    fit = losses(lines)
    assert len(fit) == 4 and fit[-1] < fit[0] / 10


# ---------------------------------------------------------------------- vs torch
@pytest.mark.parametrize("name", SCRIPTS)
def test_prints_what_torch_prints(name):
    mine, theirs = ember_lines(name), torch_lines()[name]
    assert len(mine) == len(theirs), (mine, theirs)
    for e_line, t_line in zip(mine, theirs):
        # The same words around the numbers...
        assert NUMBER.sub("#", e_line) == NUMBER.sub("#", t_line), (e_line, t_line)
        # ...and numbers that differ by at most one unit in their last printed digit
        # (-0.0000 and 0.0000 are equal).
        for e, t in zip(NUMBER.finditer(e_line), NUMBER.finditer(t_line)):
            tol = 1.01 * unit_in_last_place(t)
            assert abs(float(e.group(0)) - float(t.group(0))) <= tol, (e_line, t_line)
