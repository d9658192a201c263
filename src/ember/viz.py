"""Pictures of the autograd graph, as torchviz draws them for PyTorch.

>>> from ember.viz import make_dot, save
>>> x = ember.randn(3, requires_grad=True)
>>> z = ((x + 2) ** 2).mean()
>>> dot = make_dot(z, params={"x": x})   # a graphviz.Digraph; Jupyter shows it inline
>>> save(dot, "graph")                    # graph.dot, graph.svg, graph.png

The colours are torchviz's: grey boxes are backward nodes (``grad_fn``), named by
their class (``MeanBackward0``, ``AccumulateGrad``, ...); blue boxes are the leaf tensors
whose ``.grad`` backward fills; orange boxes are tensors saved for backward; green is
the output (dark green: the tensor an output is a view of). Edges point the way the
data flowed forward: from a tensor's node to the node that used it.

Needs the ``graphviz`` package (``pip install 'ember[viz]'``). Rendering pictures
needs a ``dot`` program: Graphviz's where it is installed, else the ``graphviz-pure``
wheel (same command line; SVG and PNG, no PDF), which the ``viz`` extra brings.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np

from ._tensor import Tensor

__all__ = ["make_dot", "save", "dot_program"]

_NO_RENDERER = ("ember.viz: wrote {src}; to get pictures install Graphviz (its `dot` "
                "command) or `pip install graphviz-pure`")


def dot_program() -> str | None:
    """The ``dot`` program that renders pictures: Graphviz's if it is on PATH, else
    ``graphviz-pure`` (also looked for next to this Python, for unactivated venvs)."""
    found = shutil.which("dot") or shutil.which("graphviz-pure")
    if found:
        return found
    for folder in {sysconfig.get_path("scripts"), os.path.dirname(sys.executable)}:
        candidate = shutil.which("graphviz-pure", path=folder)
        if candidate:
            return candidate
    return None


def _graphviz():
    """The ``graphviz`` package, told to render with graphviz-pure when there is no dot."""
    try:
        import graphviz
    except ImportError:
        raise ImportError("ember.viz needs the graphviz package: pip install 'ember[viz]' "
                          "(or: pip install graphviz graphviz-pure)") from None
    program = dot_program()
    command = getattr(getattr(graphviz, "backend", None), "dot_command", None)
    # graphviz runs the program named by this module constant for render(), pipe() and
    # Jupyter's display. We only point it elsewhere when there is no `dot` to run, so a
    # real Graphviz, or a value the user set, always wins.
    if (program and Path(program).name != "dot" and command is not None
            and getattr(command, "DOT_BINARY", None) == Path("dot")):
        command.DOT_BINARY = Path(program)
    return graphviz


def make_dot(var, params=None, show_attrs=False, show_saved=False, max_attr_chars=50):
    """The autograd graph that produced ``var`` as a ``graphviz.Digraph`` (torchviz's API).

    Args:
        var: the output tensor (or a tuple of them).
        params: ``{name: tensor}`` (or ``model.named_parameters()``) naming the leaves.
        show_attrs: list each backward node's non-tensor attributes (dims, shapes...).
        show_saved: draw the tensors each node saved for backward (orange), with shapes.
            Saved tensors of custom ``autograd.Function`` nodes are always drawn.
        max_attr_chars: longest attribute value shown before it is cut with ``...``.

    >>> dot = make_dot(loss, params=dict(model.named_parameters()))
    >>> dot.render("graph", format="svg")     # or ember.viz.save(dot, "graph")
    """
    graphviz = _graphviz()
    names = {id(t): name for name, t in dict(params or {}).items()}
    g = _Builder(names, show_attrs, show_saved, max_attr_chars)
    outputs = var if isinstance(var, (tuple, list)) else (var,)
    for v in outputs:
        g.output(v, "darkolivegreen1")
    g.walk([v.grad_fn for v in outputs if v.grad_fn is not None])

    node_attr = dict(style="filled", shape="box", align="left", fontsize="10",
                     ranksep="0.1", height="0.2", fontname="Courier")
    # torchviz grows the drawing with its content: 0.15 inch per statement, 12 at least
    size = max(12.0, 0.15 * (len(g.nodes) + len(g.edges)))
    dot = graphviz.Digraph(node_attr=node_attr, graph_attr=dict(size=f"{size},{size}"))
    for key, (label, attrs) in g.nodes.items():
        dot.node(key, label, **attrs)
    for tail, head, attrs in g.edges:
        dot.edge(tail, head, **attrs)
    return dot


class _Builder:
    """Collects the nodes (one statement each, in visiting order) and edges of a graph."""

    def __init__(self, names, show_attrs, show_saved, max_attr_chars):
        self.names, self.show_attrs, self.show_saved = names, show_attrs, show_saved
        self.max_attr_chars = max(max_attr_chars, 3)
        self.nodes = {}  # id -> (label, attrs); a later statement for the same id wins
        self.edges = []  # (tail id, head id, attrs); x * x gives two edges, as in torch

    def tensor_label(self, t, name=None) -> str:
        name = name or self.names.get(id(t), "")
        return f"{name}\n ({', '.join(str(n) for n in t.shape)})"

    def output(self, t, color) -> None:
        """The output tensor, fed by its grad_fn; a view also shows its base (dotted)."""
        while t is not None and str(id(t)) not in self.nodes:
            self.nodes[str(id(t))] = (self.tensor_label(t), {"fillcolor": color})
            if t.grad_fn is not None:
                self.edges.append((str(id(t.grad_fn)), str(id(t)), {}))
            base = getattr(t, "_base", None)
            if base is not None:
                self.edges.append((str(id(base)), str(id(t)), {"style": "dotted"}))
                self.walk([base.grad_fn] if base.grad_fn is not None else [])
            t, color = base, "darkolivegreen3"

    def walk(self, roots) -> None:
        """Every node reachable through ``next_functions``, depth first, without recursion
        (graphs can be far deeper than Python's recursion limit)."""
        stack = list(reversed(roots))
        while stack:
            fn = stack.pop()
            key = str(id(fn))
            if key in self.nodes:
                continue
            saved = _saved(fn) if self.show_saved or _is_custom(fn) else ()
            for label, t in saved:
                if str(id(t)) not in self.nodes:  # a leaf keeps its blue box and its name
                    self.nodes[str(id(t))] = (self.tensor_label(t, label),
                                              {"fillcolor": "orange"})
                self.edges.append((key, str(id(t)), {"dir": "none"}))
            variable = getattr(fn, "variable", None)
            if variable is not None:  # AccumulateGrad: the leaf it fills
                self.nodes[str(id(variable))] = (self.tensor_label(variable),
                                                  {"fillcolor": "lightblue"})
                self.edges.append((str(id(variable)), key, {}))
            self.nodes[key] = (self.node_label(fn), {})
            inputs = [u for u, _ in getattr(fn, "next_functions", ()) if u is not None]
            for u in inputs:
                self.edges.append((str(id(u)), key, {}))
            stack.extend(reversed(inputs))

    def node_label(self, fn) -> str:
        """The node's class name, with a table of its attributes under show_attrs."""
        name = type(fn).__name__
        if not self.show_attrs:
            return name
        from .autograd.function import Function, peek_saved

        # What the op's forward kept on its node: its __dict__, and the slots an op
        # class declares for it (Sum, Mean).
        kept = dict(getattr(fn, "__dict__", {}))
        mro = type(fn).__mro__
        for cls in mro[:mro.index(Function)] if Function in mro else ():
            for k in cls.__dict__.get("__slots__", ()):
                if hasattr(fn, k):
                    kept[k] = getattr(fn, k)
        attrs = {k: _attr_str(v) for k, v in kept.items() if not k.startswith("_")}

        for i, value in enumerate(peek_saved(fn)):
            attrs[f"saved[{i}]"] = _attr_str(value)
        if not attrs:
            return name
        width = min(max(len(v) for v in attrs.values()), self.max_attr_chars)
        key_width = max(len(k) for k in attrs)
        cut = lambda s: s if len(s) <= width else s[:width - 3] + "..."
        rows = [f"{k:<{key_width}}: {cut(v):>{width}}" for k, v in attrs.items()]
        return "\n".join([name, "-" * max(key_width + width + 2, len(name)), *rows])


def _is_custom(fn) -> bool:
    """A node of a user's autograd.Function, whose saved tensors torchviz always draws."""
    from .autograd.function import UserFunction

    return isinstance(fn, UserFunction)


def _saved(fn) -> list:
    """``[(label, tensor-like), ...]`` for what ``fn`` saved for backward (nothing once
    backward has freed it). Saved Python numbers are attributes, not tensors."""
    from .autograd.function import peek_saved

    saved = peek_saved(fn)
    return [(f"saved[{i}]", t) for i, t in enumerate(saved)
            if isinstance(t, (Tensor, np.ndarray))]


def _attr_str(value) -> str:
    if isinstance(value, (Tensor, np.ndarray)):
        return "[saved tensor]"
    return str(value)


def save(dot, filename, formats=("svg", "png")) -> list:
    """Write ``filename.dot`` and, where a ``dot`` program is found, ``filename.svg``,
    ``filename.png``... (one per format). Returns the paths written.

    Without a ``dot`` program it writes the ``.dot`` source only and says, in one line,
    how to get pictures.
    """
    base = Path(filename)
    base.parent.mkdir(parents=True, exist_ok=True)
    source = base.parent / f"{base.name}.dot"
    source.write_text(dot.source if hasattr(dot, "source") else str(dot))
    program = dot_program()
    if program is None:
        print(_NO_RENDERER.format(src=source))
        return [source]
    written = [source]
    for fmt in formats:
        out = base.parent / f"{base.name}.{fmt}"
        run = subprocess.run([program, "-Kdot", f"-T{fmt}", str(source), "-o", str(out)],
                             capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError(f"{Path(program).name} could not write {out}: "
                               f"{run.stderr.strip()}")
        written.append(out)
    return written
