"""dtypes, the default dtype, and type promotion by torch's rules (not NumPy's).

torch and NumPy disagree on promotion in two places that matter every day:

* a Python float meeting an integer tensor gives the *default* float dtype in torch
  (float32), where NumPy gives float64;
* a 0-d tensor or a Python number never widens a tensor of the same category:
  ``float32 tensor + float64 0-d tensor -> float32``.

``result_type`` below is the one place that knows these rules; every binary op asks it.
"""

from __future__ import annotations

import builtins

import numpy as np

__all__ = [
    "dtype", "float16", "float32", "float64", "int8", "int16", "int32", "int64",
    "uint8", "bool", "half", "float", "double", "short", "int", "long",
    "get_default_dtype", "set_default_dtype", "promote_types", "result_type",
    "can_cast",
]

# This module defines dtypes named bool, float and int, as torch does; the Python
# types stay reachable through ``builtins``.
_builtin_bool, _builtin_int, _builtin_float = builtins.bool, builtins.int, builtins.float


class dtype:
    """A tensor element type, printed as torch prints it (``torch.float32``)."""

    __slots__ = ("name", "np", "is_floating_point", "is_signed", "itemsize")

    def __init__(self, name: str, np_type):
        self.name = name
        self.np = np.dtype(np_type)
        self.is_floating_point = self.np.kind == "f"
        self.is_signed = self.np.kind in "fi"
        self.itemsize = self.np.itemsize

    @property
    def is_complex(self) -> _builtin_bool:
        return False

    def __repr__(self) -> str:
        # torch's spelling, so that scripts print the same text under ember.
        return f"torch.{self.name}"

    def __reduce__(self):
        return self.name

    def to_complex(self):
        raise TypeError(f"ember has no complex dtypes yet (asked for the complex of {self})")


float16 = half = dtype("float16", np.float16)
float32 = float = dtype("float32", np.float32)
float64 = double = dtype("float64", np.float64)
int8 = dtype("int8", np.int8)
int16 = short = dtype("int16", np.int16)
int32 = int = dtype("int32", np.int32)
int64 = long = dtype("int64", np.int64)
uint8 = dtype("uint8", np.uint8)
bool = dtype("bool", np.bool_)

ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, bool)
_FROM_NUMPY = {d.np: d for d in ALL}


def from_numpy_dtype(np_dtype) -> dtype:
    """The ember dtype of a NumPy dtype; TypeError for types torch has no tensor of."""
    try:
        return _FROM_NUMPY[np_dtype]
    except KeyError:
        pass
    try:
        return _FROM_NUMPY[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        raise TypeError(
            f"can't convert np.ndarray of type {np_dtype}. The only supported types are: "
            "float64, float32, float16, int64, int32, int16, int8, uint8, and bool."
        ) from None


def to_dtype(d) -> dtype:
    """Accept an ember dtype, a NumPy dtype or type, or a Python type, as torch's
    ``dtype=`` arguments do."""
    if d.__class__ is dtype:
        return d
    if d is _builtin_bool:
        return bool
    if d is _builtin_float:
        return float64
    if d is _builtin_int:
        return int64
    return from_numpy_dtype(d)


_default = [float32]


def get_default_dtype() -> dtype:
    """The dtype Python floats become (``float32`` unless changed).

    >>> ember.get_default_dtype()
    torch.float32
    """
    return _default[0]


def set_default_dtype(d) -> None:
    """Set the dtype Python floats become; only float32 and float64 are allowed, as torch.

    >>> ember.set_default_dtype(ember.float64)
    >>> ember.tensor([1.2]).dtype
    torch.float64
    """
    d = to_dtype(d)
    if d not in (float32, float64, float16):
        raise TypeError(
            f"only floating-point types are supported as the default type, got {d}"
        )
    _default[0] = d


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype both ``a`` and ``b`` convert to without losing their category.

    Unlike NumPy, a float never widens because of an integer: float16 + int64 -> float16.
    """
    if a is b:
        return a
    if a.is_floating_point != b.is_floating_point:
        return a if a.is_floating_point else b
    return _FROM_NUMPY[np.promote_types(a.np, b.np)]


def _category(d: dtype) -> _builtin_int:
    """0 for bool, 1 for integers, 2 for floats: promotion only ever climbs categories."""
    return 2 if d.is_floating_point else (0 if d is bool else 1)


def _scalar_dtype(x) -> dtype:
    """The dtype a Python number takes part in promotion as."""
    if isinstance(x, _builtin_bool):
        return bool
    if isinstance(x, _builtin_int):
        return int64
    if isinstance(x, _builtin_float):
        return _default[0]
    if isinstance(x, np.generic):
        return from_numpy_dtype(x.dtype)
    raise TypeError(f"unsupported operand type for a tensor op: '{type(x).__name__}'")


def result_type(*operands) -> dtype:
    """torch.result_type for tensors and Python numbers, by torch's three tiers.

    Tensors with dimensions decide first; 0-d tensors, then Python numbers, count only
    when they belong to a higher category (bool < integer < float).

    >>> ember.result_type(ember.tensor([1, 2]), 2.5)
    torch.float32
    """
    tiers: list = [None, None, None]  # dimensioned tensors, 0-d tensors, Python numbers
    for x in operands:
        d = getattr(x, "dtype", None)
        if d is None or d.__class__ is not dtype:
            tier, d = 2, _scalar_dtype(x)
        else:
            tier = 1 if x.ndim == 0 else 0
        tiers[tier] = d if tiers[tier] is None else promote_types(tiers[tier], d)
    result = None
    for d in tiers:
        if d is not None and (result is None or _category(d) > _category(result)):
            result = d
    return result


def can_cast(from_: dtype, to: dtype) -> _builtin_bool:
    """Whether torch allows an in-place op to write ``from_`` results into ``to``."""
    return _category(from_) <= _category(to)
