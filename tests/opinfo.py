"""The one list of ops under test. ``test_ops.py`` generates every test from it.

A row names an op and how to call it on either library; the tests then check, for
each sample, forward values and dtypes against torch (float64 and float32), gradients
against torch, second derivatives against torch, and a float64 finite-difference
gradcheck. Every public op ember registers must have a row (or be an alias in one).

    OpInfo("exp")                                   # calls lib.exp(x) on shape (3,) ...
    OpInfo("sum", "dim", lambda lib, x: lib.sum(x, 1, keepdim=True), [(2, 3)])

``op(lib, *tensors)`` receives the module (``ember`` or ``torch``) and one tensor per
shape in the sample. Rows are grouped by family in ``opinfo_*.py`` files; OPS below
joins them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

# The usual samples: a vector, a 0-d tensor, a matrix, and an empty tensor.
UNARY = [(3,), (), (2, 3), (0, 2)]
# Pairs of shapes: equal, broadcast both ways, a 0-d operand, an empty one.
BINARY = [((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 2)), ((2, 2), ()),
          ((0, 3), (3,))]


@dataclass
class OpInfo:
    name: str  # ember.<name> and torch.<name>
    variant: str = ""  # tells rows of the same op apart in test ids
    op: Callable | None = None  # op(lib, *tensors); default lib.<name>(*tensors)
    samples: list = field(default_factory=lambda: list(UNARY))  # shapes, one per input
    low: float = -2.0  # inputs are drawn uniformly from [low, high]
    high: float = 2.0
    grad: bool = True  # differentiable: compare gradients and run gradcheck
    gradgrad: bool = True  # compare second derivatives too
    dtype: str = "float"  # "float", or "int"/"bool" for ops on integer or bool inputs
    aliases: tuple = ()  # other public names of the same op
    rtol: float | None = None
    atol: float | None = None
    away_from: tuple = ()  # keep inputs this far (abs) from these points: kinks, poles
    avoid_width: float = 0.05

    def __post_init__(self):
        if self.op is None:
            name = self.name
            self.op = lambda lib, *xs: getattr(lib, name)(*xs)

    @property
    def id(self) -> str:
        return self.name + (f"-{self.variant}" if self.variant else "")

    def shapes(self, sample) -> list:
        """The input shapes of one sample (a lone shape means a one-input op)."""
        if sample == () or isinstance(sample[0], int):
            return [sample]
        return list(sample)


import opinfo_core  # noqa: E402
import opinfo_indexing  # noqa: E402
import opinfo_linalg  # noqa: E402
import opinfo_loss  # noqa: E402
import opinfo_nn  # noqa: E402
import opinfo_pointwise  # noqa: E402
import opinfo_reduction  # noqa: E402
import opinfo_shape  # noqa: E402
import opinfo_spatial  # noqa: E402

OPS: list[OpInfo] = [
    *opinfo_core.ROWS, *opinfo_pointwise.ROWS, *opinfo_reduction.ROWS, *opinfo_shape.ROWS,
    *opinfo_indexing.ROWS, *opinfo_linalg.ROWS, *opinfo_nn.ROWS, *opinfo_loss.ROWS,
    *opinfo_spatial.ROWS,
]
