"""`make bench`: every workload with torch and with ember, side by side.

Each measurement runs in a fresh process (one library imported, nothing else
running in it). Rounds alternate torch, ember, torch, ember, ... so both see the same
machine load; the reported ratio is the median of the per-round ratios ember/torch
(lower is faster). Usage: ``python benchmarks/run.py [--rounds N] [--only W1,W4]``.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from workloads import TARGETS, WORKLOADS  # noqa: E402

WORKER = """
import json, sys, time
sys.path.insert(0, {here!r})
lib = __import__({lib!r})
if {lib!r} == "torch":
    lib.set_num_threads({threads})
from workloads import WORKLOADS
step, units = WORKLOADS[{name!r}](lib)
step()  # warm up
budget, times = {budget}, []
start = time.perf_counter()
while time.perf_counter() - start < budget or len(times) < 3:
    t = time.perf_counter()
    step()
    times.append(time.perf_counter() - t)
print(json.dumps(min(times) / units))
"""


def measure(lib: str, name: str, budget: float, threads: int) -> float:
    code = WORKER.format(here=str(HERE), lib=lib, name=name, budget=budget,
                         threads=threads)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{lib} {name}: {out.stderr.strip().splitlines()[-1]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _fmt(seconds: float) -> str:
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--budget", type=float, default=0.5, help="seconds per measurement")
    parser.add_argument("--only", default="", help="comma-separated name prefixes")
    parser.add_argument("--threads", type=int, default=2, help="torch's thread count")
    parser.add_argument("--json", default="", help="also write the results here")
    args = parser.parse_args()
    names = [n for n in WORKLOADS
             if not args.only or any(n.startswith(p) for p in args.only.split(","))]
    rows = []
    print(f"{'workload':24} {'torch':>10} {'ember':>10} {'ratio':>7} {'target':>7}")
    for name in names:
        ratios, t_times, e_times = [], [], []
        try:
            for _ in range(args.rounds):
                t = measure("torch", name, args.budget, args.threads)
                e = measure("ember", name, args.budget, args.threads)
                t_times.append(t)
                e_times.append(e)
                ratios.append(e / t)
        except RuntimeError as err:
            print(f"{name:24} failed: {err}")
            continue
        ratio = statistics.median(ratios)
        target = TARGETS.get(name)
        mark = "" if target is None or ratio <= target else "  (over target)"
        print(f"{name:24} {_fmt(statistics.median(t_times)):>10} "
              f"{_fmt(statistics.median(e_times)):>10} {ratio:7.2f} {target:7.2f}{mark}",
              flush=True)
        rows.append(dict(workload=name, torch=statistics.median(t_times),
                         ember=statistics.median(e_times), ratio=ratio, target=target))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
