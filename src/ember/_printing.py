"""repr/str of tensors, character for character as torch prints them.

The rules torch follows (and so we do):

* One format for all elements of a tensor, chosen from its finite non-zero values:
  integer-valued floats print as ``1.``; scientific notation when the largest is over
  1e8, the smallest under 1e-4, or their ratio over 1000; else fixed with
  ``precision`` (4) decimals. Every element is right-aligned to the widest.
* Rows wrap at ``linewidth`` (80); more than ``threshold`` (1000) elements are
  summarized with ``edgeitems`` (3) per side and ``...``.
* Suffixes after the values: ``dtype=`` unless the dtype is the default float, int64
  or bool; ``grad_fn=<...>`` for non-leaves, else ``requires_grad=True``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from ._dtype import bool as bool_
from ._dtype import from_numpy_dtype, get_default_dtype, int64


@dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


OPTIONS = _PrintOptions()
_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set how tensors print, as torch.set_printoptions.

    >>> ember.set_printoptions(precision=2)
    >>> ember.tensor([1.12345])
    tensor([1.12])
    >>> ember.set_printoptions(profile="default")
    """
    if profile is not None:
        for k, v in _PROFILES[profile].items():
            setattr(OPTIONS, k, v)
    for k, v in dict(precision=precision, threshold=threshold, edgeitems=edgeitems,
                     linewidth=linewidth).items():
        if v is not None:
            setattr(OPTIONS, k, v)
    OPTIONS.sci_mode = sci_mode


def get_printoptions() -> dict:
    return asdict(OPTIONS)


class _Formatter:
    """The one number format shared by every element of a tensor."""

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        if not self.floating:
            for v in values.ravel().tolist():
                self.width = max(self.width, len(str(v)))
            return
        finite = values[np.isfinite(values) & (values != 0)].astype(np.float64)
        if finite.size == 0:
            return
        mags = np.abs(finite)
        lo, hi = mags.min(), mags.max()
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        self.sci_mode = (hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
                         if OPTIONS.sci_mode is None else OPTIONS.sci_mode)
        p = OPTIONS.precision
        if self.sci_mode:
            fmt, extra = f"{{:.{p}e}}", 0
        elif self.int_mode:
            fmt, extra = "{:.0f}", 1  # room for the "." that marks a float
        else:
            fmt, extra = f"{{:.{p}f}}", 0
        for v in finite.tolist():
            self.width = max(self.width, len(fmt.format(v)) + extra)

    def format(self, value) -> str:
        if not self.floating:
            s = str(value)
        elif self.sci_mode:
            s = f"{value:{self.width}.{OPTIONS.precision}e}"
        elif self.int_mode:
            s = f"{value:.0f}"
            if math.isfinite(value):
                s += "."
        else:
            s = f"{value:.{OPTIONS.precision}f}"
        return " " * (self.width - len(s)) + s


def _summarized(a: np.ndarray) -> np.ndarray:
    """Only the elements that will be shown, for choosing the format."""
    if a.ndim == 0:
        return a
    e = OPTIONS.edgeitems
    if a.shape[0] > 2 * e:
        a = np.concatenate([a[:e], a[-e:]]) if e else a[:0]
    if a.ndim == 1:
        return a
    return np.stack([_summarized(x) for x in a]) if len(a) else a


def _vector(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    per_line = max(1, math.floor((OPTIONS.linewidth - indent) / (fmt.width + 2)))
    e = OPTIONS.edgeitems
    if summarize and not e:
        items = ["..."]
    elif summarize and a.shape[0] > 2 * e:
        items = ([fmt.format(v) for v in a[:e].tolist()] + [" ..."]
                 + [fmt.format(v) for v in a[-e:].tolist()])
    else:
        items = [fmt.format(v) for v in a.tolist()]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _body(a: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if a.ndim == 0:
        return fmt.format(a.item())
    if a.ndim == 1:
        return _vector(a, indent, summarize, fmt)
    e = OPTIONS.edgeitems
    rows = range(a.shape[0])
    if summarize and a.shape[0] > 2 * e:
        parts = ([_body(a[i], indent + 1, summarize, fmt) for i in range(e)] + ["..."]
                 + [_body(a[i], indent + 1, summarize, fmt)
                    for i in range(a.shape[0] - e, a.shape[0])])
    else:
        parts = [_body(a[i], indent + 1, summarize, fmt) for i in rows]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _with_suffixes(text: str, suffixes: list, indent: int) -> str:
    out = [text]
    last = len(text) - text.rfind("\n") + 1
    for s in suffixes:
        if last + len(s) + 2 > OPTIONS.linewidth:
            out.append(",\n" + " " * indent + s)
            last = indent + len(s)
        else:
            out.append(", " + s)
            last += len(s) + 2
    out.append(")")
    return "".join(out)


def array_str(a: np.ndarray, indent: int) -> str:
    """The bracketed values of an array, as torch lays them out."""
    if a.size == 0:
        return "[]"
    summarize = a.size > OPTIONS.threshold
    return _body(a, indent, summarize, _Formatter(_summarized(a) if summarize else a))


def tensor_repr(t) -> str:
    """``repr(t)`` for an ember Tensor."""
    prefix = "tensor("
    indent = len(prefix)
    a = t._data
    dtype = from_numpy_dtype(a.dtype)
    suffixes = []
    if a.size == 0:
        if a.ndim != 1:
            suffixes.append(f"size={tuple(a.shape)}")
        if dtype is not get_default_dtype():
            suffixes.append(f"dtype={dtype}")
    else:
        if not OPTIONS.edgeitems:
            suffixes.append(f"size={tuple(a.shape)}")
        if dtype not in (get_default_dtype(), int64, bool_):
            suffixes.append(f"dtype={dtype}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{type(t.grad_fn).__name__}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    tangent = t.__dict__.get("_fw_grad")
    if tangent is not None:
        suffixes.append(f"tangent={tangent}")
    return _with_suffixes(prefix + array_str(a, indent), suffixes, indent)

