"""Adamax: Adam with the infinity norm in place of the running squared average."""

from __future__ import annotations

import numpy as np

from ._arith import addcdiv_, added, lerp_, mul_, neg, s
from .optimizer import Optimizer, _check_hyperparameters, _step_tensor, _zeros_like

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax, as ``torch.optim.Adamax``: ``u = max(beta2 * u, |g| + eps)``,
    ``p -= lr / (1 - beta1**t) * m / u``.

    >>> opt = ember.optim.Adamax(model.parameters(), lr=2e-3)
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False,
                 capturable=False) -> None:
        _check_hyperparameters(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)
        super().__init__(params, defaults)

    def _update(self, p, grad, state, group):
        if len(state) == 0:
            state["step"] = _step_tensor()
            state["exp_avg"] = _zeros_like(p)
            state["exp_inf"] = _zeros_like(p)
        beta1, beta2 = group["betas"]
        param, exp_avg, exp_inf = p._data, state["exp_avg"]._data, state["exp_inf"]._data
        if group["maximize"]:
            grad = neg(grad)
        state["step"]._data += 1
        if group["weight_decay"] != 0:
            grad = added(grad, param, group["weight_decay"])
        lerp_(exp_avg, grad, 1 - beta1)
        np.maximum(mul_(exp_inf, beta2), np.abs(grad) + s(group["eps"], param), out=exp_inf)
        clr = float(group["lr"]) / (1 - beta1 ** float(state["step"]._data))
        addcdiv_(param, exp_avg, exp_inf, -clr)
