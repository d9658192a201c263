"""NumPy's floating-point warnings, silenced inside ember's ops only.

torch computes with nan and inf without a word; NumPy warns ("invalid value
encountered in multiply"). Every op runs between ``silence()`` and ``restore(token)``,
which switch NumPy's error handling to "ignore" for that call alone (a context
variable: ~30 ns), so the user's own NumPy code keeps its warnings.
"""

from __future__ import annotations

import functools

import numpy as np

try:  # NumPy 2: error handling lives in a context variable; set it directly.
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj

    # set(_QUIET) and reset(token), bound once: C calls, no Python frame per op
    silence = functools.partial(_extobj_contextvar.set, _make_extobj(all="ignore"))
    restore = _extobj_contextvar.reset
except ImportError:  # older NumPy: the public (slower) context manager
    def silence():
        state = np.errstate(all="ignore")
        state.__enter__()
        return state

    def restore(state) -> None:
        state.__exit__(None, None, None)
