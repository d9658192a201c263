"""Draw the seed's computational graph: ``z = (y * y * 2).mean()`` with ``y = x + 2``.

Writes ``demo-output/graph.svg`` and ``graph.png`` (and ``graph.dot``, the source), plus
``graph_saved.*``, the same graph with what each node saved for backward. The boxes are
named as torch names them: ``MeanBackward0``, ``MulBackward0``, ``AddBackward0``,
``AccumulateGrad`` (which fills ``x.grad``), and the blue leaf ``x`` with its shape.

Run: python examples/graph_demo.py [OUT_DIR]
"""

import sys
from pathlib import Path

import ember as torch
from ember.viz import make_dot, save


def main(out="demo-output") -> list:
    """Build the seed's graph, save both drawings under ``out``; return the files."""
    torch.manual_seed(0)
    x = torch.randn(3, requires_grad=True)
    y = x + 2
    z = (y * y * 2).mean()

    out = Path(out)
    written = save(make_dot(z, params={"x": x}), out / "graph")
    written += save(make_dot(z, params={"x": x}, show_saved=True), out / "graph_saved")
    return written


if __name__ == "__main__":
    for path in main(*sys.argv[1:2]):
        print(path)
