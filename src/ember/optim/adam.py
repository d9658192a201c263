"""Adam and AdamW: adaptive moment estimation (AMSGrad optional)."""

from __future__ import annotations

import numpy as np

from ._arith import addcdiv_, addcmul_, added, lerp_, mul_, neg, s, sqrt
from .optimizer import Optimizer, _check_hyperparameters, _step_tensor, _zeros_like

__all__ = ["Adam", "AdamW"]


def _moments(p, grad, state, group, extra=()):
    """What Adam's family shares, in torch's order: the state made on first use (``step``,
    ``exp_avg``, ``exp_avg_sq``, then ``extra``), maximize, weight decay (added to the
    gradient, or decoupled), and the running averages of the gradient and its square.
    Returns the parameter's and the averages' arrays and the step number."""
    if len(state) == 0:
        state["step"] = _step_tensor()
        for name in ("exp_avg", "exp_avg_sq", *extra):
            state[name] = _zeros_like(p)
    lr, wd = float(group["lr"]), group["weight_decay"]
    beta1, beta2 = group["betas"]
    param, exp_avg, exp_avg_sq = p._data, state["exp_avg"]._data, state["exp_avg_sq"]._data
    if group["maximize"]:
        grad = neg(grad)
    state["step"]._data += 1
    if wd != 0:
        if group["decoupled_weight_decay"]:
            mul_(param, 1 - lr * wd)
        else:
            grad = added(grad, param, wd)
    lerp_(exp_avg, grad, 1 - beta1)
    addcmul_(mul_(exp_avg_sq, beta2), grad, grad, 1 - beta2)
    return param, exp_avg, exp_avg_sq, float(state["step"]._data)


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam``: running averages of the gradient and its square,
    bias-corrected, step ``lr * m_hat / (sqrt(v_hat) + eps)``.

    >>> opt = ember.optim.Adam(model.parameters(), lr=1e-3, betas=(0.9, 0.999))
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False) -> None:
        _check_hyperparameters(lr, eps, betas, weight_decay)
        if not (isinstance(betas[0], float) and isinstance(betas[1], float)):
            raise ValueError("betas must be either both floats or both Tensors")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps,
                        weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _update(self, p, grad, state, group):
        extra = ("max_exp_avg_sq",) if group["amsgrad"] else ()
        param, exp_avg, exp_avg_sq, step = _moments(p, grad, state, group, extra)
        lr, eps = float(group["lr"]), group["eps"]
        beta1, beta2 = group["betas"]
        step_size = lr / (1 - beta1**step)
        bias_correction2_sqrt = (1 - beta2**step) ** 0.5
        if group["amsgrad"]:
            top = state["max_exp_avg_sq"]._data
            np.maximum(top, exp_avg_sq, out=top)
        else:
            top = exp_avg_sq
        denom = sqrt(top)
        denom /= s(bias_correction2_sqrt, top)
        denom += s(eps, top)
        addcdiv_(param, exp_avg, denom, -step_size)


class AdamW(Adam):
    """AdamW, as ``torch.optim.AdamW``: Adam whose weight decay shrinks the parameter
    directly (``p *= 1 - lr * weight_decay``) instead of adding to the gradient."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
