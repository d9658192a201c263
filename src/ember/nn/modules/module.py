"""Module: the base class of every layer and model, as torch.nn.Module.

A module keeps three ordered registries, filled by plain attribute assignment:

* ``_parameters``  name -> Parameter (or None), what ``parameters()`` yields;
* ``_buffers``     name -> Tensor (or None), state that is not trained (running means);
* ``_modules``     name -> Module (or None), the children.

``__setattr__`` routes a Parameter, a Module or a Buffer to its registry and
``__getattr__`` finds it there again, so ``self.fc = nn.Linear(2, 3)`` in ``__init__`` is
all it takes. Names, ``state_dict`` keys (``"0.weight"``, ``"encoder.fc.bias"``), error
messages and ``repr`` are torch's, so printed models and saved keys look the same.
"""

from __future__ import annotations

import itertools
import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from ... import _dtype
from ..._tensor import Tensor
from ...autograd.function import Function
from ...autograd.grad_mode import no_grad, state
from ..parameter import Buffer, Parameter

__all__ = ["Module", "RemovableHandle"]


class RemovableHandle:
    """What the ``register_*_hook`` methods return: ``remove()`` unregisters the hook."""

    next_id = 0

    def __init__(self, hooks: dict, *, extra_dict=None):
        self._dicts = [hooks] + ([extra_dict] if isinstance(extra_dict, dict)
                                 else list(extra_dict or ()))
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1

    def remove(self) -> None:
        for d in self._dicts:
            d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _addindent(text: str, spaces: int) -> str:
    """Indent every line but the first (blank lines stay empty), as torch's repr does."""
    first, *rest = text.split("\n")
    if not rest:
        return text
    return "\n".join([first] + [" " * spaces + line if line.strip() else "" for line in rest])


def _typename(obj) -> str:
    """torch.typename: the dotted class name of a non-tensor, ``torch.FloatTensor``-style
    for a tensor."""
    if isinstance(obj, Tensor):
        return obj.type()
    cls = obj if isinstance(obj, type) else type(obj)
    module = cls.__module__
    return cls.__qualname__ if module in ("builtins", None) else f"{module}.{cls.__qualname__}"


def _forward_unimplemented(self, *input):
    raise NotImplementedError(
        f'Module [{type(self).__name__}] is missing the required "forward" function'
    )


class Module:
    """Base class for all neural network modules; subclass it and define ``forward``.

    >>> class Net(ember.nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.fc = ember.nn.Linear(2, 1)
    ...     def forward(self, x):
    ...         return self.fc(x).relu()
    >>> Net()
    Net(
      (fc): Linear(in_features=2, out_features=1, bias=True)
    )
    """

    training: bool
    _version = 1  # state_dict metadata version, as torch
    call_super_init = False
    forward = _forward_unimplemented

    def __init__(self, *args, **kwargs) -> None:
        if kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword "
                            f"argument '{next(iter(kwargs))}'")
        if args:
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument "
                            f"but {len(args) + 1} were given")
        # object.__setattr__: these are plain attributes, not registrations
        setattr_ = super().__setattr__
        setattr_("training", True)
        setattr_("_parameters", {})
        setattr_("_buffers", {})
        setattr_("_non_persistent_buffers_set", set())
        setattr_("_modules", {})
        setattr_("_forward_pre_hooks", OrderedDict())
        setattr_("_forward_pre_hooks_with_kwargs", {})
        setattr_("_forward_hooks", OrderedDict())
        setattr_("_forward_hooks_with_kwargs", {})
        setattr_("_forward_hooks_always_called", {})
        setattr_("_backward_hooks", OrderedDict())
        setattr_("_backward_pre_hooks", OrderedDict())
        setattr_("_state_dict_hooks", OrderedDict())
        setattr_("_state_dict_pre_hooks", OrderedDict())
        setattr_("_load_state_dict_pre_hooks", OrderedDict())
        setattr_("_load_state_dict_post_hooks", OrderedDict())

    # ---------------------------------------------------------------- calling

    def __call__(self, *args, **kwargs):
        if self._forward_pre_hooks or self._forward_hooks or self._backward_hooks or \
                self._backward_pre_hooks:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    def _call_with_hooks(self, args, kwargs):
        """``forward`` with the hooks around it, in torch's order: forward pre-hooks,
        input side of the backward hooks, forward, forward hooks, output side. If
        anything raises, the ``always_call`` forward hooks still run."""
        called = set()
        result = None
        try:
            for hook_id, hook in list(self._forward_pre_hooks.items()):
                if hook_id in self._forward_pre_hooks_with_kwargs:
                    out = hook(self, args, kwargs)
                    if out is not None:
                        if not (isinstance(out, tuple) and len(out) == 2):
                            raise RuntimeError("forward pre-hook must return None or a tuple "
                                               f"of (new_args, new_kwargs), but got {out}.")
                        args, kwargs = out
                else:
                    out = hook(self, args)
                    if out is not None:
                        args = out if isinstance(out, tuple) else (out,)
            bw = None
            if self._backward_hooks or self._backward_pre_hooks:
                bw = _BackwardHook(self)
                args = bw.setup_inputs(args)
            result = self.forward(*args, **kwargs)
            for hook_id, hook in list(self._forward_hooks.items()):
                called.add(hook_id)
                result = self._run_forward_hook(hook_id, hook, args, kwargs, result)
            if bw is not None:
                result = bw.setup_outputs(result)
            return result
        except Exception:
            for hook_id, hook in list(self._forward_hooks.items()):
                if hook_id in self._forward_hooks_always_called and hook_id not in called:
                    try:
                        result = self._run_forward_hook(hook_id, hook, args, kwargs, result)
                    except Exception as e:
                        warnings.warn("module forward hook with ``always_call=True`` raised an "
                                      "exception that was silenced as another error was "
                                      f"raised in forward: {e}", stacklevel=2)
            raise

    def _run_forward_hook(self, hook_id, hook, args, kwargs, result):
        if hook_id in self._forward_hooks_with_kwargs:
            out = hook(self, args, kwargs, result)
        else:
            out = hook(self, args, result)
        return result if out is None else out

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Call ``hook(module, args)`` before each ``forward``; a returned value replaces
        the positional arguments (``hook(module, args, kwargs)`` with ``with_kwargs``)."""
        handle = RemovableHandle(self._forward_pre_hooks,
                                 extra_dict=self._forward_pre_hooks_with_kwargs)
        self._forward_pre_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._forward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False,
                              always_call=False):
        """Call ``hook(module, args, output)`` after each ``forward``; a returned value
        replaces the output.

        >>> m = ember.nn.Linear(2, 2)
        >>> h = m.register_forward_hook(lambda mod, args, out: out * 0)
        >>> m(ember.ones(2)).tolist()
        [0.0, 0.0]
        >>> h.remove()
        """
        handle = RemovableHandle(self._forward_hooks, extra_dict=[
            self._forward_hooks_with_kwargs, self._forward_hooks_always_called])
        self._forward_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        if prepend:
            self._forward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_input, grad_output)`` when the gradients with respect
        to the module's positional tensor inputs are computed; a returned tuple replaces
        ``grad_input``. With no input requiring grad it fires with ``grad_input`` all None
        once the output gradients are known."""
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        if prepend:
            self._backward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_output)`` when the gradients with respect to the
        module's outputs are computed; a returned tuple replaces ``grad_output``."""
        handle = RemovableHandle(self._backward_pre_hooks)
        self._backward_pre_hooks[handle.id] = hook
        if prepend:
            self._backward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    # ---------------------------------------------------------------- registration

    def register_buffer(self, name: str, tensor, persistent: bool = True) -> None:
        """Add a buffer: state saved in ``state_dict`` (unless ``persistent=False``) and
        converted by ``to()``, but not a parameter (BatchNorm's ``running_mean``)."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_name(self, name, "buffer", self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name: str, param) -> None:
        """Add a parameter (or None, which ``state_dict`` skips) under ``name``."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_name(self, name, "parameter", self._parameters)
        if param is None:
            self._parameters[name] = None
        elif not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        elif param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must "
                f"be created explicitly. To express '{name}' as a function of another Tensor, "
                "compute the value in the forward() method.")
        else:
            self._parameters[name] = param

    def add_module(self, name: str, module) -> None:
        """Add a child module under ``name`` (as ``setattr(self, name, module)``)."""
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f'module name can\'t contain ".", got: {name}')
        if name == "":
            raise KeyError('module name can\'t be empty string ""')
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> Module:
        """The submodule at the dotted path ``target`` (``"encoder.layers.0"``)."""
        mod = self
        if target == "":
            return mod
        for item in target.split("."):
            if not hasattr(mod, item):
                raise AttributeError(mod._get_name() + " has no attribute `" + item + "`")
            mod = getattr(mod, item)
            if not isinstance(mod, Module):
                raise AttributeError("`" + item + "` is not an nn.Module")
        return mod

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target`` (``"fc.weight"``)."""
        path, _, name = target.rpartition(".")
        mod = self.get_submodule(path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + " has no attribute `" + name + "`")
        param = getattr(mod, name)
        if not isinstance(param, Parameter):
            raise AttributeError("`" + name + "` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at the dotted path ``target``."""
        path, _, name = target.rpartition(".")
        mod = self.get_submodule(path)
        if not hasattr(mod, name):
            raise AttributeError(mod._get_name() + " has no attribute `" + name + "`")
        if name not in mod._buffers:
            raise AttributeError("`" + name + "` is not a buffer")
        return getattr(mod, name)

    def __getattr__(self, name: str):
        # Only reached when normal lookup fails: look in the three registries.
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry in d and name in d[registry]:
                return d[registry][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            _remove_from(name, d, self._buffers, self._modules,
                         self._non_persistent_buffers_set)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
        else:
            modules = d.get("_modules")
            if isinstance(value, Module):
                if modules is None:
                    raise AttributeError("cannot assign module before Module.__init__() call")
                _remove_from(name, d, self._parameters, self._buffers,
                             self._non_persistent_buffers_set)
                modules[name] = value
            elif modules is not None and name in modules:
                if value is not None:
                    raise TypeError(f"cannot assign '{_typename(value)}' as child module "
                                    f"'{name}' (torch.nn.Module or None expected)")
                modules[name] = value
            else:
                buffers = d.get("_buffers")
                if isinstance(value, Buffer) or (buffers is not None and name in buffers):
                    if value is not None and not isinstance(value, Tensor):
                        raise TypeError(f"cannot assign '{_typename(value)}' as buffer "
                                        f"'{name}' (torch.nn.Buffer, torch.Tensor or None "
                                        "expected)")
                    persistent = (value.persistent if isinstance(value, Buffer)
                                  else name not in self._non_persistent_buffers_set)
                    self.register_buffer(name, value, persistent)
                else:
                    object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self):
        keys = (dir(type(self)) + list(self.__dict__) + list(self._parameters)
                + list(self._modules) + list(self._buffers))
        return sorted(k for k in keys if not k[0].isdigit())

    def __setstate__(self, state):
        self.__dict__.update(state)

    # ---------------------------------------------------------------- iteration

    def _named_members(self, get_members, prefix="", recurse=True, remove_duplicate=True):
        memo = set()
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        for module_prefix, module in modules:
            for k, v in get_members(module):
                if v is None or v in memo:
                    continue
                if remove_duplicate:
                    memo.add(v)
                yield module_prefix + ("." if module_prefix else "") + k, v

    def parameters(self, recurse: bool = True):
        """The parameters of this module and (``recurse``) its descendants, each once.

        >>> [p.shape for p in ember.nn.Linear(3, 2).parameters()]
        [torch.Size([2, 3]), torch.Size([2])]
        """
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True):
        """``(name, parameter)`` pairs with dotted names (``"fc.weight"``)."""
        yield from self._named_members(lambda m: m._parameters.items(), prefix=prefix,
                                       recurse=recurse, remove_duplicate=remove_duplicate)

    def buffers(self, recurse: bool = True):
        """The buffers of this module and (``recurse``) its descendants."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True):
        """``(name, buffer)`` pairs with dotted names."""
        yield from self._named_members(lambda m: m._buffers.items(), prefix=prefix,
                                       recurse=recurse, remove_duplicate=remove_duplicate)

    def children(self):
        """The direct submodules, each once."""
        for _, m in self.named_children():
            yield m

    def named_children(self):
        """``(name, module)`` pairs of the direct submodules, each once."""
        memo = set()
        for name, module in self._modules.items():
            if module is not None and module not in memo:
                memo.add(module)
                yield name, module

    def modules(self, remove_duplicate: bool = True):
        """This module and all its descendants, depth first."""
        for _, m in self.named_modules(remove_duplicate=remove_duplicate):
            yield m

    def named_modules(self, memo=None, prefix: str = "", remove_duplicate: bool = True):
        """``(name, module)`` for this module (name ``prefix``) and all descendants."""
        if memo is None:
            memo = set()
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    # ---------------------------------------------------------------- modes and grads

    def train(self, mode: bool = True) -> Module:
        """Set training mode (Dropout drops, BatchNorm updates its statistics)."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> Module:
        """Set evaluation mode: ``train(False)``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` on every parameter (freeze with ``False``)."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the parameters' gradients: to None (default) or to zeros."""
        for p in self.parameters():
            if p.grad is not None:
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad_(False)
                    p.grad.zero_()

    def apply(self, fn) -> Module:
        """Call ``fn(m)`` on every submodule (children first) and then on this module;
        the usual way to initialise weights.

        >>> net = ember.nn.Sequential(ember.nn.Linear(2, 2))
        >>> _ = net.apply(lambda m: print(type(m).__name__))
        Linear
        Sequential
        """
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ---------------------------------------------------------------- conversion

    def _apply(self, fn, recurse=True) -> Module:
        """Replace the values of every parameter, gradient and buffer by ``fn`` of
        them. Parameters keep their identity (optimizers hold them): their ``.data`` is
        swapped, as torch does."""
        if recurse:
            for module in self.children():
                module._apply(fn)
        for param in self._parameters.values():
            if param is None:
                continue
            with no_grad():
                param.data = fn(param)
            if param.grad is not None:
                with no_grad():
                    param.grad.data = fn(param.grad)
        for key, buf in self._buffers.items():
            if buf is not None:
                self._buffers[key] = fn(buf)
        return self

    def to(self, *args, **kwargs) -> Module:
        """Cast the floating-point parameters and buffers to a dtype (``to(ember.float64)``,
        ``to(tensor)``); integer buffers keep theirs. Devices other than the CPU are not
        in ember."""
        dtype = kwargs.pop("dtype", None)
        device = kwargs.pop("device", None)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() received an invalid combination of arguments: "
                            f"{sorted(kwargs)}")
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif isinstance(a, _dtype.dtype):
                dtype = a
            elif not isinstance(a, bool):
                device = a
        if device is not None:
            from ...device import device as _device

            _device(device)  # raises for devices ember does not have
        if dtype is None:
            return self
        dtype = _dtype.to_dtype(dtype)
        if not dtype.is_floating_point:
            raise TypeError("nn.Module.to only accepts floating point or complex dtypes, "
                            f"but got desired dtype={dtype}")
        return self._apply(lambda t: t.to(dtype) if t.is_floating_point() else t)

    def _cast(self, dtype) -> Module:
        return self._apply(lambda t: t.to(dtype) if t.is_floating_point() else t)

    def float(self) -> Module:
        """Cast floating-point parameters and buffers to float32."""
        return self._cast(_dtype.float32)

    def double(self) -> Module:
        """Cast floating-point parameters and buffers to float64."""
        return self._cast(_dtype.float64)

    def half(self) -> Module:
        """Cast floating-point parameters and buffers to float16."""
        return self._cast(_dtype.float16)

    def type(self, dst_type) -> Module:
        """Cast all parameters and buffers to ``dst_type``."""
        return self._apply(lambda t: t.type(dst_type))

    def cpu(self) -> Module:
        return self

    def cuda(self, device=None) -> Module:
        from ...device import device as _device

        _device("cuda" if device is None else f"cuda:{device}")  # raises: CPU only
        return self

    # ---------------------------------------------------------------- state_dict

    def _save_to_state_dict(self, destination, prefix, keep_vars) -> None:
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if keep_vars else buf.detach()

    def state_dict(self, *, destination=None, prefix: str = "", keep_vars: bool = False):
        """The parameters and persistent buffers, by dotted name, in registration order
        (detached tensors sharing memory with the module's).

        >>> list(ember.nn.Linear(2, 1).state_dict())
        ['weight', 'bias']
        """
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()
        if hasattr(destination, "_metadata"):
            destination._metadata[prefix[:-1]] = {"version": self._version}
        for hook in self._state_dict_pre_hooks.values():
            hook(self, prefix, keep_vars)
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        return destination

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                              missing_keys, unexpected_keys, error_msgs) -> None:
        """Copy this module's own entries of ``state_dict``; note what is missing, what
        is unexpected and what does not fit."""
        local_state = {k: v for k, v in itertools.chain(
            self._parameters.items(),
            ((k, v) for k, v in self._buffers.items()
             if k not in self._non_persistent_buffers_set)) if v is not None}
        assign = local_metadata.get("assign_to_params_buffers", False)
        for name, param in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            value = state_dict[key]
            if not isinstance(value, Tensor):
                error_msgs.append(f'While copying the parameter named "{key}", expected '
                                  "torch.Tensor or Tensor-like object from checkpoint but "
                                  f"received {type(value)}")
                continue
            if param.ndim == 0 and value.shape == (1,):
                value = value[0]  # torch accepts a one-element vector for a scalar
            if value.shape != param.shape:
                error_msgs.append(f"size mismatch for {key}: copying a param with shape "
                                  f"{value.shape} from checkpoint, the shape in current "
                                  f"model is {param.shape}.")
                continue
            try:
                with no_grad():
                    if assign:
                        if isinstance(param, Parameter) and not isinstance(value, Parameter):
                            value = Parameter(value, requires_grad=param.requires_grad)
                        setattr(self, name, value)
                    else:
                        param.copy_(value)
            except Exception as ex:
                error_msgs.append(
                    f'While copying the parameter named "{key}", whose dimensions in the '
                    f"model are {param.size()} and whose dimensions in the checkpoint are "
                    f"{value.size()}, an exception occurred : {ex.args}.")
        if strict:
            for key in state_dict:
                if key.startswith(prefix):
                    head, *rest = key[len(prefix):].split(".", 1)
                    if (rest and head not in self._modules) or \
                            (not rest and head not in local_state):
                        unexpected_keys.append(key)

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False):
        """Copy parameters and buffers from ``state_dict`` into this module and its
        descendants. With ``strict`` (default) missing and unexpected keys raise
        torch's RuntimeError listing them; shapes must always match. Returns the
        ``(missing_keys, unexpected_keys)`` named tuple."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing, unexpected, errors = [], [], []
        metadata = getattr(state_dict, "_metadata", None)
        state_dict = OrderedDict(state_dict)

        def load(module, local, prefix=""):
            meta = {} if metadata is None else dict(metadata.get(prefix[:-1], {}))
            if assign:
                meta["assign_to_params_buffers"] = True
            module._load_from_state_dict(local, prefix, meta, True, missing, unexpected,
                                         errors)
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + "."
                    load(child, {k: v for k, v in local.items()
                                 if k.startswith(child_prefix)}, child_prefix)
            keys = _IncompatibleKeys(missing, unexpected)
            for hook in module._load_state_dict_post_hooks.values():
                hook(module, keys)

        # A load that fails leaves the module as it was (torch keeps whatever it copied
        # before the error): every load starts from a backup of what it may change.
        backup = _Backup(self)
        try:
            load(self, state_dict)
            if strict:
                if unexpected:
                    errors.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                        ", ".join(f'"{k}"' for k in unexpected)))
                if missing:
                    errors.insert(0, "Missing key(s) in state_dict: {}. ".format(
                        ", ".join(f'"{k}"' for k in missing)))
            if errors:
                raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                    type(self).__name__, "\n\t".join(errors)))
        except BaseException:
            backup.restore()
            raise
        return _IncompatibleKeys(missing, unexpected)

    def register_load_state_dict_post_hook(self, hook):
        """Call ``hook(module, incompatible_keys)`` after ``load_state_dict`` loads this
        module."""
        handle = RemovableHandle(self._load_state_dict_post_hooks)
        self._load_state_dict_post_hooks[handle.id] = hook
        return handle

    def register_state_dict_pre_hook(self, hook):
        """Call ``hook(module, prefix, keep_vars)`` before ``state_dict`` saves this
        module."""
        handle = RemovableHandle(self._state_dict_pre_hooks)
        self._state_dict_pre_hooks[handle.id] = hook
        return handle

    # ---------------------------------------------------------------- printing

    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text inside the parentheses of this module's repr (its settings); layers
        override it, e.g. ``in_features=2, out_features=3, bias=True``."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _addindent(repr(module), 2)
                       for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"


class _Backup:
    """The parameters and buffers of a module tree as they are now (objects, values and
    versions), to put back if a ``load_state_dict`` fails half-way."""

    def __init__(self, module: Module):
        self.slots = [(m._parameters, dict(m._parameters), m._buffers, dict(m._buffers))
                      for m in module.modules()]
        tensors = {id(t): t for _, ps, _, bs in self.slots
                   for t in itertools.chain(ps.values(), bs.values()) if t is not None}
        self.values = [(t, t._array(), t._data.copy(), t._version) for t in tensors.values()]

    def restore(self) -> None:
        for params, old_params, buffers, old_buffers in self.slots:
            params.clear()
            params.update(old_params)
            buffers.clear()
            buffers.update(old_buffers)
        for t, array, copy, version in self.values:
            if t._version != version or t._data is not array:
                t._data = array
                np.copyto(array, copy)  # in place: views of the tensor see it too
                if t._vc is not None:
                    t._vc[0] = version  # the values a graph saved are back, so is its version


def _check_name(module: Module, name, kind: str, registry: dict) -> None:
    """torch's checks on a parameter or buffer name."""
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {_typename(name)}")
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain "."')
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if hasattr(module, name) and name not in registry:
        raise KeyError(f"attribute '{name}' already exists")


def _remove_from(name: str, *dicts_or_sets) -> None:
    for d in dicts_or_sets:
        if name in d:
            if isinstance(d, dict):
                del d[name]
            else:
                d.discard(name)


# ---------------------------------------------------------------- backward hooks


class _BackwardHookFunction(Function):
    """Identity on a module's input or output tensors: its node is where the gradients
    with respect to them can be seen (and replaced) during backward."""

    name = "BackwardHookFunctionBackward"

    @staticmethod
    def forward(ctx, *arrays):
        return arrays if len(arrays) > 1 else arrays[0]

    @staticmethod
    def backward(ctx, *grads):
        return grads


_IDENTITY_BY_COUNT: dict = {}


def _identity(n: int):
    """The identity Function with ``n`` outputs (``n_outputs`` is a class attribute)."""
    cls = _IDENTITY_BY_COUNT.get(n)
    if cls is None:
        cls = type("_BackwardHookFunction", (_BackwardHookFunction,),
                   {"n_outputs": n, "name": "BackwardHookFunctionBackward"})
        _IDENTITY_BY_COUNT[n] = cls
    return cls


class _BackwardHook:
    """Runs one call's full backward hooks: captures the output gradients, then calls
    ``hook(module, grad_input, grad_output)`` when the input gradients arrive.

    The tensors that require grad go through one identity node each side; the node's
    pre-hook sees (and may replace) their gradients. Tensors that take no gradient show
    zeros, non-tensors None, as in torch."""

    def __init__(self, module: Module):
        self.module = module
        self.grad_outputs = None
        self.inputs = self.outputs = None  # (values, positions of grad tensors) per side

    def _wrap(self, values: tuple, on_grads):
        """Pass the tensors among ``values`` that require grad through one identity
        node whose pre-hook is ``on_grads``; returns the new values and the positions."""
        index = [i for i, v in enumerate(values) if isinstance(v, Tensor) and v.requires_grad]
        if not index or not state.enabled:
            return values, None
        outs = _identity(len(index)).apply(*(values[i] for i in index))
        outs = outs if isinstance(outs, tuple) else (outs,)
        outs[0].grad_fn.register_prehook(on_grads)
        new = list(values)
        for i, t in zip(index, outs):
            new[i] = t
        return tuple(new), index

    @staticmethod
    def _pack(values, index, grads) -> tuple:
        """One gradient per value: the node's where it has one, zeros for other tensors."""
        out = [Tensor._make(np.zeros_like(v._data)) if isinstance(v, Tensor) else None
               for v in values]
        for i, g in zip(index, grads):
            out[i] = g
        return tuple(out)

    def setup_inputs(self, args: tuple) -> tuple:
        args, index = self._wrap(args, self._on_input_grads)
        self.inputs = args, index
        return args

    def setup_outputs(self, result):
        is_tuple = isinstance(result, tuple)
        values, index = self._wrap(result if is_tuple else (result,), self._on_output_grads)
        self.outputs = values, index
        return values if is_tuple else values[0]

    def _on_output_grads(self, grads):
        values, index = self.outputs
        self.grad_outputs = self._pack(values, index, grads)
        for hook in self.module._backward_pre_hooks.values():
            out = hook(self.module, self.grad_outputs)
            if out is not None:
                self.grad_outputs = tuple(out)
        result = tuple(self.grad_outputs[i] for i in index)
        if self.inputs[1] is None:  # no input takes a gradient: fire now, with Nones
            none = (None,) * len(self.inputs[0])
            for hook in self.module._backward_hooks.values():
                hook(self.module, none, self.grad_outputs)
            self.grad_outputs = None
        return result

    def _on_input_grads(self, grads):
        if self.grad_outputs is None:
            return None  # gradient reached the inputs without passing the outputs
        values, index = self.inputs
        res = self._pack(values, index, grads)
        for hook in self.module._backward_hooks.values():
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                   f"got {len(out)}, but expected {len(res)}")
            res = tuple(out)
        self.grad_outputs = None
        return tuple(res[i] for i in index)
