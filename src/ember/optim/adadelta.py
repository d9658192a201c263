"""Adadelta: steps sized by running averages of squared gradients and squared steps."""

from __future__ import annotations

from ._arith import add_, addcmul_, added, mul_, neg, s, sqrt
from .optimizer import Optimizer, _step_tensor, _zeros_like

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta, as ``torch.optim.Adadelta``: ``delta = sqrt(acc + eps) / sqrt(v + eps) * g``
    with running averages ``v`` of ``g**2`` and ``acc`` of ``delta**2``; ``p -= lr * delta``.

    >>> opt = ember.optim.Adadelta(model.parameters(), lr=1.0, rho=0.9)
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p, grad, state, group):
        if len(state) == 0:
            state["step"] = _step_tensor()
            state["square_avg"] = _zeros_like(p)
            state["acc_delta"] = _zeros_like(p)
        rho, param = group["rho"], p._data
        square_avg, acc_delta = state["square_avg"]._data, state["acc_delta"]._data
        eps = s(group["eps"], param)
        state["step"]._data += 1
        if group["maximize"]:
            grad = neg(grad)
        if group["weight_decay"] != 0:
            grad = added(grad, param, group["weight_decay"])
        addcmul_(mul_(square_avg, rho), grad, grad, 1 - rho)
        std = sqrt(square_avg + eps)
        delta = sqrt(acc_delta + eps)
        delta /= std
        delta *= grad
        addcmul_(mul_(acc_delta, rho), delta, delta, 1 - rho)
        add_(param, delta, -float(group["lr"]))
