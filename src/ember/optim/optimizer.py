"""``Optimizer``: parameter groups, per-parameter state, and torch's state_dict format.

A subclass gives its defaults and one method, ``_update(p, grad, state, group)``, that
changes one parameter in place from its gradient array. The base class does the rest:
groups, ``zero_grad``, ``step`` (skipping parameters without a gradient), and state
dicts in torch's layout, so a state dict moves between ember and torch unchanged in
shape (``{'state': {0: {...}}, 'param_groups': [{'lr': ..., 'params': [0, 1]}]}``).
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from copy import deepcopy
from itertools import chain

import numpy as np

from .._dtype import float32
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad, no_grad

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """The default of an option that every parameter group must give (SGD's old ``lr``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def _zeros_like(p: Tensor) -> Tensor:
    return Tensor._make(np.zeros_like(p._data))


def _step_tensor(value=0.0) -> Tensor:
    """The ``step`` count: a float32 0-d tensor, as torch keeps it."""
    return Tensor._make(np.array(value, dtype=float32.np))


def _typename(obj) -> str:
    return "torch.Tensor" if isinstance(obj, Tensor) else type(obj).__qualname__


def _check_hyperparameters(lr=0.0, eps=0.0, betas=(0.0, 0.0), weight_decay=0.0) -> None:
    """torch's ValueError for a negative learning rate, epsilon or weight decay, or a
    beta outside [0, 1): the checks every Adam-family constructor makes, in its order."""
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    for i, beta in enumerate(betas):
        if not 0.0 <= beta < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


class Optimizer:
    """Base class of all optimizers.

    ``params`` is an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts
    (parameter groups) holding ``'params'`` and any option to override for that group.

    >>> w = ember.zeros(3, requires_grad=True)
    >>> opt = ember.optim.SGD([w], lr=0.1)
    >>> (w - 1).pow(2).sum().backward()
    >>> opt.step(); opt.zero_grad()
    """

    def __init__(self, params, defaults: dict) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors "
                "or dicts, but got " + _typename(params)
            )
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    def __getstate__(self) -> dict:
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)

    # ---- groups ----

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters, with options that default to the optimizer's."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list "
                "instead."
            )
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = params
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some "
                                 "param names are missing")
            param_group["param_names"] = names

        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params "
                                "is " + _typename(p))
            if not self.defaults.get("differentiable", None) and not (
                    p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)

        ids = [id(p) for p in params]
        if len(ids) != len(set(ids)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, "
                "this will cause an error; see github.com/pytorch/pytorch/issues/40967 for "
                "more information", stacklevel=3)

        seen: set[int] = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ---- the step ----

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: set them to None (default) or fill them with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad = False
                    g._data.fill(0)
                    g._bump()

    def step(self, closure=None):
        """Update every parameter that has a gradient; ``closure`` recomputes the loss.

        Updates run on the arrays in place (each parameter's version counter moves on,
        as torch's in-place ops move it), outside the graph.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                self._step_group(group)
        return loss

    def _step_group(self, group: dict) -> None:
        for p in group["params"]:
            if p.grad is not None:
                state = self.state[p]
                # (backward lays .grad out as its parameter, so the step's elementwise
                # ops walk matching strides)
                self._update(p, p.grad._array(), state, group)
                p._bump()
                if not state:  # torch keeps no entry for a stateless step (plain SGD)
                    del self.state[p]

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        """Change ``p._data`` in place from ``grad``; ``state`` is p's own dict."""
        raise NotImplementedError

    # ---- state dicts ----

    def state_dict(self) -> dict:
        """The optimizer's state: ``{'state': {index: {...}}, 'param_groups': [...]}``.

        Parameters appear as their index in the order of the groups, as in torch; the
        state tensors are the optimizer's own (not copies).
        """
        index: dict[int, int] = {}
        groups = []
        start = 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v
                 for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Take the state of ``state_dict`` (as ``state_dict()`` returns it).

        Floating state tensors take their parameter's dtype; ``step`` stays as it is.
        """
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast(param, v)
            else:
                state[k] = v
        for group, new in zip(groups, saved_groups):
            new["params"] = group["params"]
            if "param_names" in group and "param_names" not in new:
                new["param_names"] = group["param_names"]
        self.__setstate__({"state": state, "param_groups": saved_groups})


def _cast(param: Tensor, value, key=None):
    """A copy of the container ``value`` whose tensors suit ``param`` (torch's rules)."""
    if isinstance(value, Tensor):
        if key == "step":
            return value
        value = value.to(param.dtype) if param.is_floating_point() else value
        value._array()  # state is updated in place
        return value
    if isinstance(value, dict):
        out = {k: _cast(param, v, k) for k, v in value.items()}
        if key is None and "step" in out and not isinstance(out["step"], Tensor):
            out["step"] = _step_tensor(float(out["step"]))  # old state dicts: a number
        return out
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(param, v) for v in value)
    return value
