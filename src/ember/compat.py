"""Let ``import torch`` mean ember: run PyTorch scripts and notebooks unchanged.

>>> from ember.compat import install_torch_alias
>>> install_torch_alias()
>>> import torch, torch.nn as nn           # ember, and ember.nn
>>> from torch.utils.data import DataLoader

``python -m ember.run script.py`` does the same for a whole script. A finder at the
front of ``sys.meta_path`` maps ``torch`` and every ``torch.<sub>`` to an alias module
of ``ember`` / ``ember.<sub>``. An alias hands out ember's objects themselves (so
``torch.Tensor is ember.Tensor``); only a name ember lacks behaves differently: it
raises an AttributeError (or ImportError) saying that it is not in ember yet, where a
plain alias would give a confusing error far from the cause.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types

__all__ = ["install_torch_alias", "uninstall_torch_alias"]

_WHY = "(ember runs this script in place of PyTorch)"


class _Alias(types.ModuleType):
    """``torch.<sub>``: looks each name up in ``ember.<sub>`` on first use, then keeps it."""

    def __getattr__(self, name):
        if name.startswith("__") and name not in ("__all__", "__version__"):
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        target = sys.modules[_ember_name(self.__name__)]
        try:
            value = getattr(target, name)
        except AttributeError:
            if name == "__all__":
                return [n for n in dir(target) if not n.startswith("_")]
            value = _submodule(target, name)  # torch imports some submodules lazily
            if value is None:
                raise AttributeError(f"{self.__name__}.{name} is not in ember yet "
                                     f"{_WHY}", name=name, obj=self) from None
        if isinstance(value, types.ModuleType) and value.__name__.startswith("ember."):
            value = importlib.import_module(_torch_name(value.__name__))
        setattr(self, name, value)  # later uses are plain attribute reads: no overhead
        return value

    def __dir__(self):
        return dir(sys.modules[_ember_name(self.__name__)])


def _ember_name(torch_name: str) -> str:
    return "ember" + torch_name[len("torch"):]


def _torch_name(ember_name: str) -> str:
    return "torch" + ember_name[len("ember"):]


def _submodule(module, name):
    """``module.name`` if it is a not-yet-imported submodule of ember, else None."""
    if not hasattr(module, "__path__"):
        return None
    full = f"{module.__name__}.{name}"
    if importlib.util.find_spec(full) is None:
        return None
    return importlib.import_module(full)


class _TorchFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``torch`` and ``torch.*`` as aliases of ``ember`` and ``ember.*``."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        ember_name = _ember_name(fullname)
        try:
            module = importlib.import_module(ember_name)
        except ModuleNotFoundError as e:
            if e.name != ember_name:  # ember.<sub> itself failed to import something
                raise
            # Never fall through to other finders: a real torch must not load half-way.
            # No ``name=``: `from torch import fft` would then swallow this error and
            # raise its vaguer "cannot import name 'fft'" instead.
            raise ModuleNotFoundError(f"{fullname} is not in ember yet {_WHY}") from None
        spec = importlib.machinery.ModuleSpec(fullname, self, origin=module.__file__,
                                              is_package=hasattr(module, "__path__"))
        spec.has_location = True  # __file__ names ember's file: errors point at ember
        return spec

    def create_module(self, spec):
        return _Alias(spec.name, sys.modules[_ember_name(spec.name)].__doc__)

    def exec_module(self, module):
        pass  # an alias holds nothing of its own: names are looked up on use


def install_torch_alias() -> None:
    """Make ``import torch`` (and ``torch.nn``, ``torch.optim``, ...) import ember.

    Call it before the first ``import torch`` of the process (in a notebook: first
    cell, fresh kernel). Calling it again does nothing.
    """
    if any(isinstance(f, _TorchFinder) for f in sys.meta_path):
        return
    loaded = sys.modules.get("torch")
    if loaded is not None and not isinstance(loaded, _Alias):
        raise RuntimeError("PyTorch is already imported in this process; call "
                           "install_torch_alias() before the first `import torch` "
                           "(in a notebook: restart the kernel)")
    sys.meta_path.insert(0, _TorchFinder())


def uninstall_torch_alias() -> None:
    """Undo ``install_torch_alias``: forget the finder and the ``torch`` aliases."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _TorchFinder)]
    for name, module in list(sys.modules.items()):
        if isinstance(module, _Alias):
            del sys.modules[name]
