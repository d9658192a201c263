"""RAdam: Adam with the variance of the adaptive step rectified in early steps."""

from __future__ import annotations

from ._arith import add_, s, sqrt
from .adam import _moments
from .optimizer import Optimizer, _check_hyperparameters

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam, as ``torch.optim.RAdam``: plain momentum SGD while the variance estimate is
    unreliable (``rho_t <= 5``), rectified Adam after.

    >>> opt = ember.optim.RAdam(model.parameters(), lr=1e-3)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False) -> None:
        _check_hyperparameters(lr, eps, betas, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p, grad, state, group):
        param, exp_avg, exp_avg_sq, step = _moments(p, grad, state, group)
        lr = float(group["lr"])
        beta1, beta2 = group["betas"]
        bias_correction1 = 1 - beta1**step
        bias_correction2 = 1 - beta2**step
        update = exp_avg / s(bias_correction1, param)
        update *= s(lr, param)
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
            root = add_(sqrt(exp_avg_sq), s(group["eps"], param))
            update *= s(bias_correction2**0.5, param) / root
            update *= s(rect, param)
        add_(param, update, -1.0)
