"""NAdam: Adam with Nesterov momentum and a momentum-decay schedule."""

from __future__ import annotations

import numpy as np

from ._arith import add_, addcdiv_, addcmul_, added, lerp_, mul_, neg, s, sqrt
from .optimizer import Optimizer, _check_hyperparameters, _step_tensor, _zeros_like

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam, as ``torch.optim.NAdam``: Adam whose step mixes the current gradient and
    the next momentum, with ``mu_t = beta1 * (1 - 0.5 * 0.96**(t * momentum_decay))``.

    >>> opt = ember.optim.NAdam(model.parameters(), lr=2e-3)
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False) -> None:
        _check_hyperparameters(lr, eps, betas, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _update(self, p, grad, state, group):
        if len(state) == 0:
            state["step"] = _step_tensor()
            state["mu_product"] = _step_tensor(1.0)
            state["exp_avg"] = _zeros_like(p)
            state["exp_avg_sq"] = _zeros_like(p)
        lr, wd, decay = float(group["lr"]), group["weight_decay"], group["momentum_decay"]
        beta1, beta2 = group["betas"]
        param, exp_avg, exp_avg_sq = p._data, state["exp_avg"]._data, state["exp_avg_sq"]._data
        if group["maximize"]:
            grad = neg(grad)
        state["step"]._data += 1
        step = float(state["step"]._data)
        bias_correction2 = 1 - beta2**step
        if wd != 0:
            if group["decoupled_weight_decay"]:
                mul_(param, 1 - lr * wd)
            else:
                grad = added(grad, param, wd)
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * decay)))
        # mu_product is a float32 tensor in torch: it rounds at every step.
        mu_product = state["mu_product"]._data
        mu_product *= np.float32(mu)
        lerp_(exp_avg, grad, 1 - beta1)
        addcmul_(mul_(exp_avg_sq, beta2), grad, grad, 1 - beta2)
        denom = sqrt(exp_avg_sq / s(bias_correction2, param))
        add_(denom, s(group["eps"], param))
        mu_product = float(mu_product)
        mu_product_next = mu_product * mu_next
        addcdiv_(param, grad, denom, -lr * (1.0 - mu) / (1.0 - mu_product))
        addcdiv_(param, exp_avg, denom, (-lr * mu_next) / (1.0 - mu_product_next))
