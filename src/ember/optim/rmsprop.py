"""RMSprop: divide the gradient by a running root mean square (centered optional)."""

from __future__ import annotations

from ._arith import add_, addcdiv_, addcmul_, added, lerp_, mul_, neg, s, sqrt
from .optimizer import Optimizer, _step_tensor, _zeros_like

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop, as ``torch.optim.RMSprop``: ``v = alpha * v + (1 - alpha) * g**2``,
    ``p -= lr * g / (sqrt(v) + eps)``; ``centered`` subtracts the squared running mean
    of ``g`` from ``v``; ``momentum`` keeps a buffer of those steps.

    >>> opt = ember.optim.RMSprop(model.parameters(), lr=1e-2, alpha=0.99)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p, grad, state, group):
        if len(state) == 0:
            state["step"] = _step_tensor()
            state["square_avg"] = _zeros_like(p)
            if group["momentum"] > 0:
                state["momentum_buffer"] = _zeros_like(p)
            if group["centered"]:
                state["grad_avg"] = _zeros_like(p)
        lr, alpha, momentum = float(group["lr"]), group["alpha"], group["momentum"]
        param, square_avg = p._data, state["square_avg"]._data
        if group["maximize"]:
            grad = neg(grad)
        state["step"]._data += 1
        if group["weight_decay"] != 0:
            grad = added(grad, param, group["weight_decay"])
        addcmul_(mul_(square_avg, alpha), grad, grad, 1 - alpha)
        if group["centered"]:
            grad_avg = state["grad_avg"]._data
            lerp_(grad_avg, grad, 1 - alpha)
            avg = sqrt(addcmul_(square_avg.copy(), grad_avg, grad_avg, -1))
        else:
            avg = sqrt(square_avg)
        add_(avg, s(group["eps"], avg))
        if momentum > 0:
            buf = state["momentum_buffer"]._data
            addcdiv_(mul_(buf, momentum), grad, avg)
            add_(param, buf, -lr)
        else:
            addcdiv_(param, grad, avg, -lr)
