"""Anomaly detection: find the forward op behind a NaN in backward.

While it is on, every node remembers the stack of the forward call that made it, and
the engine checks each backward result for NaN. A NaN raises a RuntimeError naming the
backward function, after printing the forward traceback, as torch does.
"""

from __future__ import annotations

import sys
import traceback

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"]

enabled = False  # read by every recorded op, so a plain module global


def forward_trace() -> str:
    """The stack of the forward call being recorded, without ember's own frames."""
    frames = [f for f in traceback.extract_stack()[:-1] if "/ember/" not in f.filename]
    return "".join(traceback.format_list(frames))


def check(node, results) -> None:
    """Raise if a backward result of ``node`` holds NaN (called by the engine)."""
    import numpy as np

    for i, g in enumerate(results):
        if g is not None and g._data.dtype.kind == "f" and np.isnan(g._data).any():
            trace = node.__dict__.get("_trace")
            if trace:
                print(f"Traceback of forward call that caused the error:\n{trace}",
                      file=sys.stderr)
            raise RuntimeError(
                f"Function '{type(node).__name__}' returned nan values in its {i}th output."
            )


def is_anomaly_enabled() -> bool:
    return enabled


class set_detect_anomaly:
    """Turn anomaly detection on or off; as a context manager, restore on exit."""

    def __init__(self, mode: bool, check_nan: bool = True):
        global enabled
        self._prev = enabled
        enabled = bool(mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        global enabled
        enabled = self._prev
        return False


class detect_anomaly(set_detect_anomaly):
    """Context manager (and decorator) turning anomaly detection on.

    >>> with ember.autograd.detect_anomaly():
    ...     x = ember.zeros(1, requires_grad=True)
    ...     (x.sqrt() * 0).sum().backward()  # raises: SqrtBackward0 returned nan
    Traceback (most recent call last):
    RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output.
    """

    def __init__(self, check_nan: bool = True):
        self._check_nan = check_nan

    def __enter__(self):
        super().__init__(True, self._check_nan)
        return self

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self._check_nan):
                return fn(*args, **kwargs)

        return wrapper
