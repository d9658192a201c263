"""SGD: stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ._arith import add_, added, fma, mul_, neg, s
from .optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD``.

    With momentum ``m`` the step follows ``buf = m * buf + (1 - dampening) * g`` and
    ``p -= lr * buf`` (``g + m * buf`` for Nesterov); the first step starts ``buf = g``.

    >>> opt = ember.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _update(self, p, grad, state, group):
        lr, wd, momentum = float(group["lr"]), group["weight_decay"], group["momentum"]
        if group["maximize"]:
            grad = neg(grad)
        if wd != 0:
            grad = added(grad, p._data, wd)
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = Tensor._make(grad.copy())
            else:
                add_(mul_(buf._data, momentum), grad, 1 - group["dampening"])
            if group["nesterov"]:
                grad = fma(buf._data, s(momentum, grad), grad, out=np.empty_like(grad))
            else:
                grad = buf._data
        add_(p._data, grad, -lr)
