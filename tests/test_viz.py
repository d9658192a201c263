"""ember.viz.make_dot: the drawn graph is the graph torch builds for the same code.

Each test parses the ``.dot`` source that make_dot writes (node labels, edges) and
compares it with a walk over torch's own ``grad_fn.next_functions``.
"""

import re
import sys
from collections import Counter

import numpy as np
import pytest
import torch

import ember
from ember import viz

# --- reading the .dot source ----------------------------------------------------------

_NODE = re.compile(r'^\t(\d+) \[label=("(?:[^"\\]|\\.)*"|[^\s\]]+)(.*?)\]$', re.M | re.S)
_EDGE = re.compile(r"^\t(\d+) -> (\d+)(?: \[(.*?)\])?$", re.M)


def parse_dot(source):
    """``(labels, edges)``: node id -> (label, attribute text); [(tail, head, attrs)]."""
    labels = {}
    for m in _NODE.finditer(source):
        label = m.group(2)
        labels[m.group(1)] = (label[1:-1] if label.startswith('"') else label, m.group(3))
    edges = [(m.group(1), m.group(2), m.group(3) or "") for m in _EDGE.finditer(source)]
    assert len(set(labels)) == len(labels), "each node is declared once"
    return labels, edges


def drawn(source):
    """The drawing as multisets of node labels and of (tail label, head label) edges
    (ids differ between libraries; labels and their connections must not)."""
    labels, edges = parse_dot(source)
    forward = [(labels[t][0], labels[h][0]) for t, h, a in edges if "dir=none" not in a]
    return Counter(label for label, _ in labels.values()), Counter(forward)


def shape_label(t, name=""):
    return f"{name}\n ({', '.join(str(n) for n in t.shape)})"


def torch_walk(out, names):
    """torch's graph for ``out`` drawn by hand: the reference the drawing must equal."""
    nodes, edges = Counter([shape_label(out)]), Counter()
    edges[(type(out.grad_fn).__name__, shape_label(out))] += 1
    stack, seen = [out.grad_fn], set()
    while stack:
        fn = stack.pop()
        if fn in seen:
            continue
        seen.add(fn)
        name = type(fn).__name__
        nodes[name] += 1
        if hasattr(fn, "variable"):
            leaf = shape_label(fn.variable, names.get(id(fn.variable), ""))
            nodes[leaf] += 1
            edges[(leaf, name)] += 1
        for child, _ in fn.next_functions:
            if child is not None:
                edges[(type(child).__name__, name)] += 1
                stack.append(child)
    return nodes, edges


# --- programs run on both libraries: each returns (output, {name: leaf}) ---------------


def seed(lib):
    lib.manual_seed(0)
    x = lib.randn(3, requires_grad=True)
    y = x + 2
    z = (y * y * 2).mean()
    return z, {"x": x}


def mlp(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.ReLU(), lib.nn.Linear(5, 2))
    x = lib.randn(3, 4)
    loss = lib.nn.functional.mse_loss(model(x), lib.zeros(3, 2))
    return loss, dict(model.named_parameters())


def shared_leaf(lib):
    w = lib.ones(2, 3, requires_grad=True)
    b = lib.ones(3, requires_grad=True)
    h = (w * b).exp()  # b broadcast; w used twice below
    return (h.sum(1) + w.sum(0).sum()).sum(), {"w": w, "b": b}


def no_names(lib):
    x = lib.ones(2, 2, requires_grad=True)
    return (x @ x.t()).tanh().sum(), {}


@pytest.mark.parametrize("program", [seed, mlp, shared_leaf, no_names])
def test_graph_matches_torch(program):
    e_out, e_params = program(ember)
    t_out, t_params = program(torch)
    source = viz.make_dot(e_out, params=e_params).source
    t_names = {id(v): k for k, v in t_params.items()}
    assert drawn(source) == torch_walk(t_out, t_names)


def test_seed_graph_names_the_torch_nodes():
    z, params = seed(ember)
    labels, edges = parse_dot(viz.make_dot(z, params=params).source)
    names = Counter(label for label, _ in labels.values())
    assert names["MulBackward0"] == 2 and names["AddBackward0"] == 1
    assert names["MeanBackward0"] == 1 and names["AccumulateGrad"] == 1
    assert names["x\n (3)"] == 1  # the leaf, with its name and shape
    colours = {label: attrs for label, attrs in labels.values()}
    assert "lightblue" in colours["x\n (3)"]
    assert "darkolivegreen1" in colours["\n ()"]  # the output


def test_params_from_named_parameters_iterator():
    model = ember.nn.Linear(4, 2)
    out = model(ember.ones(1, 4)).sum()
    labels, _ = parse_dot(viz.make_dot(out, params=model.named_parameters()).source)
    assert {"weight\n (2, 4)", "bias\n (2)"} <= {label for label, _ in labels.values()}


def torch_saved_shapes(fn):
    """Shapes of the tensors torch keeps for ``fn``'s backward (``_saved_*``)."""
    out = []
    for attr in dir(fn):
        if attr.startswith("_saved_"):
            value = getattr(fn, attr)
            if isinstance(value, torch.Tensor):
                out.append(tuple(value.shape))
    return sorted(out)


def test_show_saved_draws_saved_tensors_with_shapes():
    def program(lib):
        a = lib.ones(2, 3, requires_grad=True)
        b = lib.full((3,), 2.0, requires_grad=True)
        y = a.exp()
        return (y * b).sum(), {"a": a, "b": b}

    e_out, e_params = program(ember)
    t_out, _ = program(torch)
    labels, edges = parse_dot(viz.make_dot(e_out, params=e_params, show_saved=True).source)
    by_name = {label: key for key, (label, _) in labels.items()}
    for fn_name, t_fn in [("MulBackward0", t_out.grad_fn.next_functions[0][0]),
                          ("ExpBackward0", t_out.grad_fn.next_functions[0][0]
                           .next_functions[0][0])]:
        key = by_name[fn_name]
        saved = [labels[h][0] for t, h, a in edges if t == key and "dir=none" in a]
        shapes = sorted(tuple(int(n) for n in re.findall(r"\d+", s.split("\n")[1]))
                        for s in saved)
        assert shapes == torch_saved_shapes(t_fn), fn_name
    # a saved leaf keeps its blue box and its name; a saved intermediate is orange
    assert "lightblue" in labels[by_name["b\n (3)"]][1]
    assert any("orange" in attrs for _, attrs in labels.values())
    # without show_saved nothing saved is drawn
    _, plain = parse_dot(viz.make_dot(e_out, params=e_params).source)
    assert not any("dir=none" in a for _, _, a in plain)


def test_show_saved_after_backward_draws_nothing_saved():
    x = ember.ones(3, requires_grad=True)
    z = (x * x).exp().sum()
    z.backward()  # frees what the nodes saved
    _, edges = parse_dot(viz.make_dot(z, show_saved=True).source)
    assert not any("dir=none" in a for _, _, a in edges)


def test_show_attrs_lists_node_attributes():
    x = ember.ones(4, 5, requires_grad=True)
    z = x.sum(dim=1, keepdim=True).mean()
    labels, _ = parse_dot(viz.make_dot(z, show_attrs=True, max_attr_chars=4).source)
    text = "\n".join(label for label, _ in labels.values())
    assert "SumBackward1\n---" in text and "keepdim" in text
    assert "..." in text  # values longer than max_attr_chars are cut


def test_view_output_shows_its_base():
    x = ember.ones(2, 3, requires_grad=True)
    y = (x * 2).view(6)
    labels, edges = parse_dot(viz.make_dot(y).source)
    dotted = [(labels[t][0], labels[h][0]) for t, h, a in edges if "dotted" in a]
    assert dotted == [("\n (2, 3)", "\n (6)")]
    assert sum("darkolivegreen3" in a for _, a in labels.values()) == 1


def test_several_outputs():
    x = ember.ones(3, requires_grad=True)
    a, b = x.exp(), x.sin()
    names, _ = drawn(viz.make_dot((a, b), params={"x": x}).source)
    assert names["ExpBackward0"] == names["SinBackward0"] == names["AccumulateGrad"] == 1


def test_deep_graph_needs_no_recursion():
    x = ember.ones(1, requires_grad=True)
    y = x
    for _ in range(3 * sys.getrecursionlimit()):
        y = y + 1
    names, _ = drawn(viz.make_dot(y).source)
    assert names["AddBackward0"] == 3 * sys.getrecursionlimit()


# --- rendering --------------------------------------------------------------------------


def test_save_writes_source_svg_and_png(tmp_path):
    assert viz.dot_program() is not None, "the test extra installs graphviz-pure"
    z, params = seed(ember)
    written = viz.save(viz.make_dot(z, params=params), tmp_path / "graph")
    assert [p.name for p in written] == ["graph.dot", "graph.svg", "graph.png"]
    assert "MeanBackward0" in (tmp_path / "graph.svg").read_text()
    assert (tmp_path / "graph.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_digraph_renders_itself(tmp_path):
    # graphviz's own render/pipe (and so Jupyter's display) find a renderer too
    z, params = seed(ember)
    dot = viz.make_dot(z, params=params)
    assert b"AccumulateGrad" in dot.pipe(format="svg")
    assert "<svg" in dot._repr_mimebundle_()["image/svg+xml"]
    out = dot.render(tmp_path / "g", format="png")
    assert open(out, "rb").read(4) == b"\x89PNG"


def test_without_a_renderer_writes_the_source_and_says_how(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(viz, "dot_program", lambda: None)
    z, _ = seed(ember)
    written = viz.save(viz.make_dot(z), tmp_path / "graph")
    assert written == [tmp_path / "graph.dot"]
    assert "MeanBackward0" in written[0].read_text()
    said = capsys.readouterr().out.strip().splitlines()
    assert len(said) == 1 and "graphviz-pure" in said[0] and "graph.dot" in said[0]


def test_without_the_graphviz_package_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)  # import graphviz -> ImportError
    z, _ = seed(ember)
    with pytest.raises(ImportError, match=r"ember\[viz\]"):
        viz.make_dot(z)


def test_labels_match_torchviz_format():
    x = ember.tensor(np.zeros((2, 1, 3)), requires_grad=True)
    labels, _ = parse_dot(viz.make_dot((x * 1).sum(), params={"x": x}).source)
    assert "x\n (2, 1, 3)" in {label for label, _ in labels.values()}
