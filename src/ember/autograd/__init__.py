"""ember.autograd: the graph, the backward walk, grad mode and gradient checks."""

from . import anomaly_mode, forward_ad, functional, graph
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .engine import backward, grad
from .function import UserFunction as Function
from .function import once_differentiable
from .grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled
from .gradcheck import gradcheck, gradgradcheck

__all__ = [
    "Function", "once_differentiable", "backward", "grad", "gradcheck", "gradgradcheck",
    "no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "detect_anomaly",
    "set_detect_anomaly", "anomaly_mode", "forward_ad", "functional", "graph",
]
