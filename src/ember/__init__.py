"""ember: reverse-mode automatic differentiation on NumPy, with PyTorch's API.

>>> import ember as torch
>>> x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> y = (x * x).sum()
>>> y.backward()
>>> x.grad
tensor([2., 4., 6.])

The ops are registered by ``ember.ops`` as ``ember.<name>`` and ``Tensor.<name>``.
"""

from . import _malloc  # glibc malloc keeps NumPy temporaries (EMBER_MALLOC_TUNING=0: off)
from . import _dtype
from ._creation import (
    arange, as_tensor, empty, empty_like, eye, from_numpy, full, full_like, linspace,
    ones, ones_like, rand, rand_like, randint, randint_like, randn, randn_like, tensor,
    zeros, zeros_like,
)
from ._dtype import (
    bool, double, dtype, float, float16, float32, float64, get_default_dtype, half, int,
    int8, int16, int32, int64, long, promote_types, result_type, set_default_dtype,
    short, uint8,
)
from ._printing import get_printoptions, set_printoptions
from ._tensor import Size, Tensor, is_tensor
from .autograd.grad_mode import (
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
    set_grad_enabled,
)
from .device import device
from .random import Generator, initial_seed, manual_seed, seed, get_rng_state, set_rng_state
from .random import default_generator
from .ops.random_ops import bernoulli, multinomial, normal, randperm
from . import autograd, ops, random  # noqa: E402  (ops register themselves here)
from . import nn, optim, utils  # noqa: E402
from .serialization import *  # noqa: E402,F403

__version__ = "0.1.0"


def is_floating_point(input) -> _dtype.builtins.bool:
    """True for tensors of a floating dtype."""
    return input.is_floating_point()


def numel(input) -> _dtype.builtins.int:
    """The number of elements of ``input``."""
    return input.numel()


def can_cast(from_, to) -> _dtype.builtins.bool:
    """Whether torch's casting rules allow ``from_`` to become ``to`` in an in-place op."""
    return _dtype.can_cast(from_, to)
