"""Run a PyTorch script on ember, unchanged: ``python -m ember.run SCRIPT.py [ARGS]``.

Every ``import torch`` in the script (``import torch.nn as nn``, ``from torch.utils.data
import DataLoader``, ...) imports ember instead; the script runs as ``__main__`` with
``sys.argv`` set to ``[SCRIPT.py, ARGS...]``, as ``python SCRIPT.py ARGS`` would run it.
``python -m ember.run -m package.module [ARGS]`` runs a module the same way.

A part of torch that ember lacks stops the script with an error that names it::

    AttributeError: torch.fft is not in ember yet (ember runs this script in place of PyTorch)
"""

from __future__ import annotations

import os
import runpy
import sys

from .compat import install_torch_alias

_USAGE = ("usage: python -m ember.run SCRIPT.py [ARGS...]\n"
          "       python -m ember.run -m MODULE [ARGS...]")


def main(argv=None) -> None:
    """Run the script (or ``-m module``) named by ``argv`` with torch aliased to ember."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_USAGE)
        raise SystemExit(0 if argv else 2)
    install_torch_alias()
    if argv[0] == "-m":
        if len(argv) < 2:
            raise SystemExit(_USAGE)
        sys.argv = argv[1:]  # sys.path[0] is already the current folder, as `-m` wants
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return
    script = argv[0]
    if not os.path.isfile(script):
        raise SystemExit(f"ember.run: can't open file {script!r}: no such file")
    sys.argv = argv
    # `python SCRIPT.py` has the script's folder first on sys.path, not the current one
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
