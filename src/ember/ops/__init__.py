"""Every differentiable op, grouped by family; importing a module registers its ops as
``ember.<name>`` and ``Tensor.<name>``."""

from . import indexing, linalg, loss, nn, pointwise, reduction, shape  # noqa: F401
