"""Adagrad: per-coordinate steps scaled by the root of the summed squared gradients."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._arith import add_, addcdiv_, addcmul_, added, neg, s, sqrt
from .optimizer import Optimizer, _step_tensor

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad, as ``torch.optim.Adagrad``: ``sum += g**2``,
    ``p -= clr * g / (sqrt(sum) + eps)`` with ``clr = lr / (1 + (step - 1) * lr_decay)``.

    >>> opt = ember.optim.Adagrad(model.parameters(), lr=1e-2)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0,
                 initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False,
                 differentiable=False, fused=None) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        # torch makes Adagrad's state up front, from the optimizer-wide initial value.
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _step_tensor()
                state["sum"] = Tensor._make(np.full_like(p._data, initial_accumulator_value))

    def _update(self, p, grad, state, group):
        state["step"]._data += 1
        step = float(state["step"]._data)
        param, state_sum = p._data, state["sum"]._data
        if group["maximize"]:
            grad = neg(grad)
        if group["weight_decay"] != 0:
            grad = added(grad, param, group["weight_decay"])
        clr = float(group["lr"]) / (1 + (step - 1) * group["lr_decay"])
        addcmul_(state_sum, grad, grad)
        std = add_(sqrt(state_sum), s(group["eps"], state_sum))
        addcdiv_(param, grad, std, -clr)
