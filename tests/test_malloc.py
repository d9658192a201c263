"""ember tunes glibc's malloc at import unless EMBER_MALLOC_TUNING=0 says not to.

Each case runs in a fresh interpreter: the tuning happens once, at import, for the whole
process. No timings here; the effect is checked on resident memory, which does not depend on
how busy the machine is.
"""

import json
import os
import platform
import subprocess
import sys

GLIBC = platform.libc_ver()[0] == "glibc"

# Make a 20 MiB array and free it: the resident memory (RSS) given back on free tells
# whether the block stays in the process for the next one (tuned) or goes back to the OS.
# RSS, not page faults: with transparent huge pages one fault can map 2 MiB.
PROBE = """
import json, os
import numpy as np
import ember, ember._malloc

def rss_mib():
    if not os.path.exists("/proc/self/status"):
        return 0.0
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:")) / 1024

a = np.ones(5 * 2**20, dtype=np.float32)
total, held = float(a.sum()), rss_mib()
del a
print(json.dumps(dict(tuned=ember._malloc.tuned, released=held - rss_mib(), sum=total)))
"""


def _probe(setting):
    env = dict(os.environ)
    env.pop("EMBER_MALLOC_TUNING", None)
    if setting is not None:
        env["EMBER_MALLOC_TUNING"] = setting
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_tuned_by_default_where_glibc_has_mallopt():
    result = _probe(None)
    assert result["tuned"] is GLIBC
    assert result["sum"] == 5 * 2**20


def test_environment_variable_turns_it_off():
    for setting in ("0", "off", "false"):
        result = _probe(setting)
        assert result["tuned"] is False, setting
        assert result["sum"] == 5 * 2**20


def test_other_values_leave_it_on():
    assert _probe("1")["tuned"] is GLIBC


def test_tuning_keeps_freed_memory_for_reuse():
    on, off = _probe(None), _probe("0")
    if GLIBC:
        assert on["released"] < 2 and off["released"] > 15, (on, off)
    else:  # nothing was tuned: the two runs behave alike
        assert on["tuned"] is off["tuned"] is False


def test_tune_again_is_harmless():
    import ember._malloc as m

    before = m.tuned
    assert m.tune() is before
