"""Peak memory of a training loop: 200 steps of W4 (MLP step, batch 512), torch and ember.

Each library runs in a fresh process (as in ``run.py``), so neither sees the other's
memory. The number reported is the growth of the peak resident set size (RSS) over the
RSS right after import and set-up (parameters and the batch already made): what the
steps themselves add, at their highest point, including every short-lived temporary.

How it is measured: on Linux, writing ``5`` to ``/proc/self/clear_refs`` resets the
kernel's high-water mark ``VmHWM`` to the current RSS; after the steps ``VmHWM`` minus that
starting RSS is the growth. Resetting matters: the import itself can peak higher than the
steps do (torch's does), and a high-water mark that is not reset would hide the steps'
peak. Sampling RSS between steps would instead miss the peak inside a step. Where
``clear_refs`` cannot be written, the fallback is ``resource.getrusage``'s ``ru_maxrss``
(the same high-water mark, without the reset), which can only under-report.

The issue's target: ember's growth no more than torch's. Usage:
``python benchmarks/memory.py [--steps N]``.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
WORKLOAD = "W4 MLP step b512"

WORKER = """
import json, resource, sys
sys.path.insert(0, {here!r})
lib = __import__({lib!r})
if {lib!r} == "torch":
    lib.set_num_threads({threads})
from workloads import WORKLOADS

def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])

step, _ = WORKLOADS[{name!r}](lib)
start = status_kib("VmRSS")
try:
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM to the current RSS
    reset = True
except OSError:
    reset = False
for _ in range({steps}):
    step()
peak = status_kib("VmHWM") if reset else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(dict(start=start, peak=peak, reset=reset)))
"""


def measure(lib: str, steps: int, threads: int) -> dict:
    """Start and peak RSS (KiB) of ``steps`` steps of the workload, in a fresh process."""
    code = WORKER.format(here=str(HERE), lib=lib, name=WORKLOAD, steps=steps, threads=threads)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{lib}: {out.stderr.strip().splitlines()[-1]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--threads", type=int, default=2, help="torch's thread count")
    args = parser.parse_args()
    print(f"peak memory growth over {args.steps} steps of {WORKLOAD} "
          "(peak RSS minus RSS after import and set-up)")
    growth = {}
    for lib in ("torch", "ember"):
        m = measure(lib, args.steps, args.threads)
        growth[lib] = (m["peak"] - m["start"]) / 1024
        note = "" if m["reset"] else "  (high-water mark not reset: a lower bound)"
        print(f"{lib:6} {growth[lib]:8.1f} MiB   (start {m['start'] / 1024:.1f} MiB){note}")
    ratio = growth["ember"] / max(growth["torch"], 1e-9)
    mark = "" if growth["ember"] <= growth["torch"] else "  (over target)"
    print(f"ratio  {ratio:8.2f}       ember/torch, target <= 1.00{mark}")


if __name__ == "__main__":
    main()
