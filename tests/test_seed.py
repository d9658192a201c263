"""The seed notebook (shared/seed/autograd_basics_notebook.txt), run by
examples/seed_tour.py, prints what the notebook prints under PyTorch."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
TOUR = ROOT / "examples" / "seed_tour.py"

# The notebook's training-loop output, copied from the notebook (printed by PyTorch).
SEED_LINES = [
    "epoch:\t0\tweight:\t0.29999998211860657\tloss:\t30.0",
    "epoch:\t10\tweight:\t1.6653136014938354\tloss:\t1.1627856492996216",
    "epoch:\t20\tweight:\t1.934108853340149\tloss:\t0.0450688973069191",
    "epoch:\t30\tweight:\t1.987027645111084\tloss:\t0.0017468547448515892",
    "epoch:\t40\tweight:\t1.9974461793899536\tloss:\t6.770494655938819e-05",
    "9.997042655944824",
]


def _run(source: str) -> list:
    out = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return out.stdout.splitlines()


def test_seed_training_loop_prints_the_notebook_lines():
    lines = _run(TOUR.read_text())
    assert lines[-6:] == SEED_LINES


def test_seed_tour_prints_what_torch_prints():
    """The whole tour, random first cell included, equals the same script on torch."""
    source = TOUR.read_text()
    assert "import ember as torch" in source
    assert _run(source) == _run(source.replace("import ember as torch", "import torch"))
