"""Hostile files: ``ember.load`` on truncated, bit-flipped, re-headed and made-up files
gives a value or a clean RuntimeError, for a fixed budget of files, never a hang or a
memory blow-up. A file cannot make the loader allocate more than the file holds.

Short form: a second of fuzzing; ``EMBER_STRESS=full``: a minute.
"""

import faulthandler
import io
import json
import struct
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import ember

sys.path.insert(0, str(Path(__file__).parents[1]))  # conftest, also run as a script
from conftest import STRESS_FULL  # noqa: E402

pytestmark = pytest.mark.stress

BUDGET_S = 60.0 if STRESS_FULL else 1.0
DTYPES = ["F64", "F32", "F16", "BF16", "I64", "I32", "I16", "I8", "U8", "BOOL", "C64", "X"]


def _valid(rng):
    obj = {"w": ember.tensor(rng.standard_normal((3, 4)).astype(np.float32)),
           "ints": ember.arange(int(rng.integers(0, 9))), "flags": ember.tensor([True, False]),
           "meta": [1, 2.5, "s", None, (float("nan"), {"k": ember.zeros(2, dtype=ember.float16)})]}
    buf = io.BytesIO()
    ember.save(obj, buf)
    return buf.getvalue()


def _split(blob):
    (n,) = struct.unpack("<Q", blob[:8])
    return json.loads(blob[8:8 + n]), blob[8 + n:]


def _join(header, data, declared=None):
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text) if declared is None else declared) + text + data


def _pick(rng, options):
    return options[int(rng.integers(0, len(options)))]


def _number(rng):
    return int(_pick(rng, [0, 1, 2, 3, 7, 8, 64, 2**31, 2**32 + 1, 2**40, 2**62, 2**63 + 5,
                           -1, -(2**63)]))


def _mutate_entry(rng, entry):
    entry = dict(entry)
    field = _pick(rng, ["dtype", "shape", "data_offsets", "drop", "junk"])
    if field == "dtype":
        entry["dtype"] = _pick(rng, DTYPES)
    elif field == "shape":
        entry["shape"] = [_number(rng) for _ in range(int(rng.integers(0, 5)))] if \
            rng.random() < 0.8 else _pick(rng, ["3", 3.0, None, [[2]], [1] * 70])
    elif field == "data_offsets":
        entry["data_offsets"] = [_number(rng), _number(rng)] if rng.random() < 0.8 else \
            _pick(rng, [[0], [0, 1, 2], "0,8", None, [0.0, 8.0]])
    elif field == "drop":
        entry.pop(_pick(rng, ["dtype", "shape", "data_offsets"]), None)
    else:
        entry = _pick(rng, [[], "x", 5, None])
    return entry


def _garble(rng, text):
    """The JSON text of the structure with a few characters changed, cut or repeated."""
    chars = list(text)
    for _ in range(int(rng.integers(1, 4))):
        i = int(rng.integers(0, len(chars)))
        chars[i] = _pick(rng, '[]{}",:0123456789abtensorulp ')
    out = "".join(chars)
    if rng.random() < 0.2:
        out = "[" * int(rng.integers(1, 50_000)) + out
    return out


def hostile(rng, blob):
    """One hostile variant of the valid file ``blob``."""
    kind = int(rng.integers(0, 7))
    header, data = _split(blob)
    if kind == 0:  # truncated
        return blob[:int(rng.integers(0, len(blob)))]
    if kind == 1:  # bits flipped anywhere
        b = bytearray(blob)
        for _ in range(int(rng.integers(1, 17))):
            i = int(rng.integers(0, len(b)))
            b[i] ^= 1 << int(rng.integers(0, 8))
        return bytes(b)
    if kind == 2:  # the header size field lies
        return _join(header, data, declared=_number(rng) % 2**64)
    if kind == 3:  # one tensor entry changed
        names = [k for k in header if k != "__metadata__"]
        name = _pick(rng, names)
        header[name] = _mutate_entry(rng, header[name])
        return _join(header, data)
    if kind == 4:  # the structure garbled
        meta = header["__metadata__"]
        meta["ember"] = _garble(rng, meta["ember"])
        return _join(header, data)
    if kind == 5:  # many entries claiming the same bytes, or huge ones
        entry = {"dtype": "U8", "shape": [len(data)], "data_offsets": [0, len(data)]}
        header.update({f"t{i}": entry for i in range(int(rng.integers(2, 2000)))})
        return _join(header, data)
    return bytes(rng.integers(0, 256, int(rng.integers(0, 400)), dtype=np.uint8))


def fuzz(budget_s=BUDGET_S, seed=0):
    """Load hostile files for ``budget_s`` seconds; return (files, slowest s, peak bytes)."""
    rng = np.random.default_rng(seed)
    blob = _valid(rng)
    count, slowest = 0, 0.0
    faulthandler.dump_traceback_later(budget_s + 120, exit=True)  # a hang fails, loudly
    tracemalloc.start()
    try:
        end = time.perf_counter() + budget_s
        while time.perf_counter() < end:
            bad = hostile(rng, blob)
            t0 = time.perf_counter()
            try:
                ember.load(io.BytesIO(bad))
            except RuntimeError as e:
                assert "ember.load" in str(e), (bad[:200], e)
            slowest = max(slowest, time.perf_counter() - t0)
            count += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        faulthandler.cancel_dump_traceback_later()
    return count, slowest, peak


def test_hostile_files_give_clean_errors_quickly_and_in_little_memory():
    count, slowest, peak = fuzz()
    assert count > 20
    assert slowest < 2.0, f"one file took {slowest:.2f}s to refuse"
    assert peak < 64 << 20, f"loading hostile files peaked at {peak >> 20} MiB"


def test_entries_sharing_bytes_cannot_multiply_memory():
    """3,000 entries over the same megabyte would need 3 GB of copies."""
    data = bytes(1 << 20)
    entry = {"dtype": "U8", "shape": [len(data)], "data_offsets": [0, len(data)]}
    blob = _join({f"t{i}": entry for i in range(3000)}, data)
    tracemalloc.start()
    try:
        with pytest.raises(RuntimeError, match="ember.load.*overlap"):
            ember.load(io.BytesIO(blob))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


if __name__ == "__main__":
    n, slowest, peak = fuzz()
    print(f"{n} hostile files in {BUDGET_S:.0f}s: slowest {slowest * 1e3:.1f} ms, "
          f"peak {peak >> 20} MiB")
