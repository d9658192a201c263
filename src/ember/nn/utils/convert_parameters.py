"""All parameters as one flat vector, and back."""

from __future__ import annotations

from ..._tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters) -> Tensor:
    """The parameters flattened and joined into one vector (differentiable).

    >>> ember.nn.utils.parameters_to_vector(ember.nn.Linear(2, 3).parameters()).shape
    torch.Size([9])
    """
    import ember

    return ember.cat([p.view(-1) for p in parameters])


def vector_to_parameters(vec, parameters) -> None:
    """Copy consecutive slices of ``vec`` into the parameters (their ``.data`` becomes
    a view of ``vec``)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    params = list(parameters)
    slices, pointer = [], 0
    for param in params:  # every slice first: a vector too short changes no parameter
        n = param.numel()
        slices.append(vec[pointer:pointer + n].view_as(param).data)
        pointer += n
    for param, value in zip(params, slices):
        param.data = value
