"""Keep NumPy's large temporaries inside the process instead of handing them back to the OS.

What: at import, ember calls glibc's ``mallopt`` (through ctypes) to set two thresholds:

- ``M_MMAP_THRESHOLD``: blocks at least this large get their own ``mmap`` and are
  ``munmap``-ed when freed. glibc starts at 128 KiB and raises it to the size of each
  mapped block that is freed, up to 32 MiB.
- ``M_TRIM_THRESHOLD``: when this much free memory sits at the top of the heap, ``free``
  gives it back to the OS.

Why: a training step makes and frees the same large temporaries every step
(activations, gradients, im2col buffers: 0.1-4 MiB each). If ``free`` hands them back to
the OS, the next step page-faults the same memory in again and the kernel zeroes it
again. glibc's dynamic thresholds settle well for some steps and not for others: the
1024x1024 matmul step (W5 in ``benchmarks/``) frees three 4 MiB arrays, more than the
dynamic trim threshold (twice the largest block freed so far), so it faults about 3,500
pages back in on every step; the conv2d step (W7) 11-26 (many of them 2 MiB huge pages).
With the values below both fault nothing after the first step, and W5 runs about 10%
faster, W7 about 4%; the MLP step (W4), already fault-free, is unchanged.
``benchmarks/README.md`` has the numbers, and the peak memory, which does not grow.

Both thresholds are set because setting either one turns off glibc's dynamic adjustment
of both: the mmap threshold alone leaves the trim threshold at 128 KiB (the MLP step then
faults ~200 pages a step), the trim threshold alone maps every block over 128 KiB
afresh. The cost: up to ``TRIM_THRESHOLD`` of freed memory may stay resident in the
process after a burst of large temporaries, as glibc's own dynamic setting allows.

``EMBER_MALLOC_TUNING=0`` in the environment turns this off. Where the C library has no
``mallopt`` (macOS, Windows) or ignores it (musl), nothing happens; this never makes the
import fail. ``tuned`` tells whether the thresholds were set.
"""

from __future__ import annotations

import ctypes
import os

# glibc's parameter numbers, from <malloc.h>.
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3

# 32 MiB is the most glibc accepts for the mmap threshold on 64-bit (half its 64 MiB heap
# size); arrays larger than that are still mapped and unmapped on their own.
MMAP_THRESHOLD = 32 * 2**20
# Up to this much free memory may stay at the top of the heap between steps: the most
# glibc's dynamic setting reaches (twice the largest mmap threshold). 256 MiB measured the
# same on every workload of benchmarks/ and would only keep more memory.
TRIM_THRESHOLD = 64 * 2**20

tuned = False


def _enabled() -> bool:
    return os.environ.get("EMBER_MALLOC_TUNING", "1").strip().lower() not in (
        "0", "false", "off", "no")


def tune() -> bool:
    """Set glibc's malloc thresholds once, unless turned off; returns whether they were set."""
    global tuned
    if tuned or not _enabled():
        return tuned
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this process already runs on
        mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
        mallopt.restype = ctypes.c_int
        # mallopt returns 1 on success; musl's stub returns 0.
        tuned = (mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
                 and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1)
    except Exception:  # no mallopt (macOS, Windows) or no C library to load: leave it
        tuned = False
    return tuned


tune()  # once, when ember is imported
