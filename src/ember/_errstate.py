"""NumPy's floating-point warnings, kept out of ember's ops.

torch computes with nan and inf without a word; NumPy warns ("invalid value
encountered in multiply"). ember keeps its ops silent in two ways, neither of which
touches how the user's own NumPy code warns:

* The hot paths (operators, their in-place forms, one-input float ops, ``x ** n``,
  ``x.sum()`` and ``x.mean()`` of a whole tensor that requires grad)
  call NumPy as they are. A warnings filter, added at import, drops NumPy's
  floating-point RuntimeWarnings raised from ember's own modules (a warning names the
  module that made the NumPy call). Where the user turned such warnings into errors
  (``simplefilter("error")``, ``np.seterr(all="raise")``), the call raises, and
  ``quietly`` computes it again silenced (an in-place call has written its result
  before NumPy raises: it is kept). This costs nothing unless a warning is raised:
  switching NumPy's error state around every call (below) costs ~190 ns, more than
  half a small op's NumPy time.
* Everything else (``Function.apply``, the backward walk) runs between ``silence()``
  and ``restore(token)``, which switch NumPy's error handling to "ignore" for that call
  alone: NumPy's own Python functions (``np.nansum``, ``np.linalg``) warn from their
  modules, which the filter does not cover.

The one difference: a user who shows every warning (``simplefilter("always")``, which
goes before ember's filter) sees NumPy's warnings from the hot paths.
"""

from __future__ import annotations

import functools
import warnings

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


# What a NumPy call raises where the user made its floating-point warnings errors.
ALARMS = (RuntimeWarning, FloatingPointError)

_FILTER = dict(message="(overflow|invalid value|divide by zero|underflow) encountered",
               category=RuntimeWarning, module=r"ember(\.|$)")
_filters = None  # the list of warnings filters ember's filter was last put in


def install() -> None:
    """Put ember's filter in the warnings filters, unless it is there. At import, and
    again where a program starts its work (``tensor()``, ``backward()``): leaving a
    ``catch_warnings`` block restores the filters from before it, so an ember imported
    inside one (pytest imports during collection) would lose its filter."""
    global _filters
    if warnings.filters is not _filters:
        warnings.filterwarnings("ignore", **_FILTER)  # (first: moves a copy already in)
        _filters = warnings.filters


install()


def quietly(fn, *args):
    """``fn(*args)`` with NumPy's error handling off: a hot path's call again, after it
    raised one of ``ALARMS``."""
    token = silence()
    try:
        return fn(*args)
    finally:
        restore(token)
