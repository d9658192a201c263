"""ember in under a minute: what `make demo` runs.

1. the seed walkthrough (``seed_tour.py``), printing what the seed notebook prints;
2. a picture of its computational graph (``graph_demo.py``);
3. an MLP and a small CNN trained on handwritten digits (``digits_mlp.py``,
   ``digits_cnn.py``), with their curves in one picture;
4. one line saying where the outputs are.

Run: python examples/demo.py [--out DIR] [--epochs N]   (N: fewer epochs, for a quick look)
"""

import argparse
import runpy
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the examples import each other, wherever this runs from

import digits_cnn  # noqa: E402
import digits_mlp  # noqa: E402
import graph_demo  # noqa: E402


def section(title: str) -> None:
    print(f"\n=== {title} ===", flush=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="demo-output", help="folder for the pictures")
    parser.add_argument("--epochs", type=int, help="training epochs (default: each script's)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    start = time.perf_counter()

    section("1. The seed walkthrough (examples/seed_tour.py)")
    runpy.run_path(str(HERE / "seed_tour.py"), run_name="__main__")

    section("2. Its computational graph (examples/graph_demo.py)")
    pictures = [p for p in graph_demo.main(out) if p.suffix != ".dot"]
    print("z = (y * y * 2).mean(), y = x + 2:", ", ".join(str(p) for p in pictures)
          or f"{out / 'graph.dot'} (source only)")

    section("3. Handwritten digits: an MLP and a CNN (examples/digits_*.py)")
    train_args = ["--no-plot"] + (["--epochs", str(args.epochs)] if args.epochs else [])
    histories = {"MLP": digits_mlp.main(train_args), "CNN": digits_cnn.main(train_args)}
    curves = digits_mlp.plot_curves(histories, out / "training.png")

    section("4. Done")
    files = ", ".join(p.name for p in [*pictures, curves])
    print(f"ember demo finished in {time.perf_counter() - start:.0f} s; "
          f"outputs in {out.resolve()}/: {files}")


if __name__ == "__main__":
    main()
