"""ember.autograd: the graph, the backward walk, grad mode and gradient checks."""

from .engine import backward, grad
from . import anomaly_mode, forward_ad, functional, graph
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .function import UserFunction as Function
from .function import once_differentiable
from .gradcheck import gradcheck, gradgradcheck
from .grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled

__all__ = ["Function", "once_differentiable", "detect_anomaly", "set_detect_anomaly", "graph", "backward", "grad", "gradcheck", "gradgradcheck", "no_grad",
           "enable_grad", "set_grad_enabled", "inference_mode"]
