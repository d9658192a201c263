"""The examples behind `make demo` run, write their pictures and learn the digits.

The digit scripts run in-process (no interpreter start-up); the whole demo runs as
`make demo` runs it, behind the ``stress`` marker: short (2 epochs) in `make test`,
at full length with EMBER_STRESS=full, where it must reach 0.97 in under a minute.
"""

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from test_viz import drawn, seed, torch_walk

from conftest import STRESS_FULL

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))

import digits_cnn  # noqa: E402
import digits_mlp  # noqa: E402
import graph_demo  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


def test_graph_demo_draws_the_seed_graph(tmp_path):
    written = graph_demo.main(tmp_path)
    names = {p.name for p in written}
    assert {"graph.dot", "graph.svg", "graph.png", "graph_saved.png"} <= names
    assert (tmp_path / "graph.png").read_bytes()[:8] == PNG
    assert "MeanBackward0" in (tmp_path / "graph.svg").read_text()
    # the picture is torch's graph for the seed's code
    t_out, t_params = seed(torch)
    expected = torch_walk(t_out, {id(v): k for k, v in t_params.items()})
    assert drawn((tmp_path / "graph.dot").read_text()) == expected


def test_digits_mlp_fast(tmp_path, capsys):
    history = digits_mlp.main(["--epochs", "3", "--out", str(tmp_path)])
    assert len(history["test_acc"]) == 3
    assert history["loss"][-1] < history["loss"][0]
    assert history["test_acc"][-1] > 0.9
    said = capsys.readouterr()
    assert re.search(r"MLP: test accuracy 0\.9\d{3} after 3 epochs", said.out)
    assert "acc=" in said.err and "loss=" in said.err  # the tqdm bar shows both
    assert (tmp_path / "training.png").read_bytes()[:8] == PNG


def test_digits_cnn_reaches_097(capsys):
    history = digits_cnn.main(["--no-plot"])  # the demo's full run: about 3 s
    assert history["test_acc"][-1] >= 0.97
    assert f"CNN: test accuracy {history['test_acc'][-1]:.4f}" in capsys.readouterr().out


def test_training_plot_holds_both_models(tmp_path):
    fake = {"loss": [1.0, 0.5], "train_acc": [0.8, 0.9], "test_acc": [0.85, 0.95]}
    path = digits_mlp.plot_curves({"MLP": fake, "CNN": fake}, tmp_path / "x" / "t.png")
    assert path.read_bytes()[:8] == PNG


@pytest.mark.stress
def test_demo_script(tmp_path):
    args = [] if STRESS_FULL else ["--epochs", "2"]
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(EXAMPLES / "demo.py"), "--out", "out", *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - start
    assert done.returncode == 0, done.stderr
    out = tmp_path / "out"
    for name in ("graph.svg", "graph.png", "training.png"):
        assert (out / name).stat().st_size > 0, name
    # 1. the seed tour prints the notebook's numbers
    assert "tensor(10.3220, grad_fn=<MeanBackward0>)" in done.stdout
    # 4. a one-line summary of where the outputs are
    last = done.stdout.strip().splitlines()[-1]
    assert str(out.resolve()) in last and "training.png" in last and "graph.svg" in last
    accuracies = [float(a) for a in re.findall(r"test accuracy (\d\.\d+)", done.stdout)]
    assert len(accuracies) == 2
    if STRESS_FULL:
        assert min(accuracies) >= 0.97
        assert elapsed < 60
    else:
        assert min(accuracies) > 0.8
