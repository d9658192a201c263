"""Function: one differentiable op, its forward and its derivative side by side.

An op is a subclass with two static methods::

    class Mul(Function):
        name = "MulBackward0"          # what torch calls the node; users read it

        @staticmethod
        def forward(ctx, a, b):        # NumPy arrays (or Python numbers) in, array out
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, grad):       # ember Tensors in and out: one grad per input
            a, b = ctx.saved_tensors
            return grad * b, grad * a

``Mul.apply(x, y)`` runs it. Positional arguments are the op's inputs (tensors, or
numbers standing in for tensors); keyword arguments are settings (``dim=``...).

* ``forward`` sees arrays; whatever it passes to ``save_for_backward`` that *is* one
  of its input arrays, or its output, comes back from ``ctx.saved_tensors`` as that
  input's (output's) Tensor, still connected to the graph. So ``backward``, written in
  ember ops, records a graph of its own under ``create_graph=True``: every op gets
  higher derivatives for free. Other arrays come back as constants.
* ``backward`` may return a gradient with the broadcast shape of the output: the
  engine sums it down to the input's shape (one place for all ops). It returns
  ``None`` for inputs that take no gradient, and may skip the work when
  ``ctx.needs_input_grad[i]`` is False.
* When grad mode is off or no input requires grad, no node is made: ``forward``
  gets a shared do-nothing ctx.
* An op whose backward is NumPy arithmetic may set ``arrays = True`` and read its
  saved values with ``ctx.saved_like(grad)``: a plain backward (no ``create_graph``)
  then calls it with the gradient as an array and takes arrays back, with no Tensor
  made per intermediate; with ``create_graph`` it gets Tensors as above. ``Mul`` is
  written so::

      arrays = True

      @staticmethod
      def backward(ctx, grad):
          a, b = ctx.saved_like(grad)
          ...

The node in the graph (``tensor.grad_fn``) is an instance of a subclass named by
``name``, so ``type(y.grad_fn).__name__ == "MulBackward0"`` as in torch.
"""

from __future__ import annotations

import functools
import itertools
import re
import types
import weakref

import numpy as np

from .._errstate import ALARMS, quietly, restore, silence
from .._tensor import Tensor, _Handle
from . import anomaly_mode
from . import forward_ad as _fw
from . import graph as _graph
from .grad_mode import mode as grad_mode
from .grad_mode import state

__all__ = ["Function", "AccumulateGrad", "register"]

_fw_state = _fw.state  # (forward mode's state: one object, its fields change)
_sequence = itertools.count()  # creation order of nodes; the engine runs newest first
_leaf_sequence = itertools.count(-1, -1)  # AccumulateGrad nodes: distinct, below all

_FREED = (
    "Trying to backward through the graph a second time (or directly access saved "
    "tensors after they have already been freed). Saved intermediate values of the "
    "graph are freed when you call .backward() or autograd.grad(). Specify "
    "retain_graph=True if you need to backward through the graph a second time or if "
    "you need to access saved tensors after calling backward."
)


class _NullCtx:
    """The ctx ops get when nothing is recorded: saving and attributes go nowhere."""

    __slots__ = ()
    needs_input_grad = (False,) * 16  # ops may index it; nothing is wanted

    def save_for_backward(self, *args):
        pass

    def __setattr__(self, name, value):
        pass


_NULL_CTX = _NullCtx()


class Node:
    """What every graph node has: its edges to the nodes of its inputs, and hooks.

    The edges are kept as two tuples, one entry per input: ``_fns``, the node that takes
    that input's gradient (None for an input that takes none), and ``_nrs``, which of its
    outputs the input is (mostly the shared ``_NR0`` or ``_NR00``): one new tuple per
    node, not one per edge as well. ``_fns`` may leave out trailing inputs that take no
    gradient (``x * 0.5``: one edge, which the engine passes on without a loop).
    ``next_functions`` pairs them up, as torch shows. Node classes define no
    ``__init__``: the recording paths make a node by calling its class, which is
    cheaper than ``object.__new__``, and set its slots."""

    __slots__ = ("_fns", "_nrs", "_seq", "__dict__", "__weakref__")
    _pre_hooks = None  # {output_nr: [hook]} (tensor hooks), -1: the node's pre-hooks
    _post_hooks = None
    n_outputs = 1
    # backward takes arrays (Function.arrays) and there are no hooks: the engine calls
    # it directly in a plain backward
    _direct = False
    _materialize_grads = True  # give backward zeros, not None, for unused outputs

    def name(self) -> str:
        return type(self).__name__

    @property
    def next_functions(self) -> tuple:
        """``((node, output_nr), ...)``, one per input: the edges of the graph."""
        return tuple(itertools.zip_longest(self._fns, self._nrs))

    def _add_tensor_hook(self, output_nr: int, hook):
        """A hook on the gradient of this node's output ``output_nr`` (tensor hooks)."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
            self._direct = False
        return _Handle(self._pre_hooks.setdefault(output_nr, []), hook)

    def register_prehook(self, hook):
        """``hook(grad_outputs)`` runs before this node's backward; may replace them."""
        return self._add_tensor_hook(-1, hook)

    def register_hook(self, hook):
        """``hook(grad_inputs, grad_outputs)`` runs after this node's backward."""
        if self._post_hooks is None:
            self._post_hooks = []
            self._direct = False
        return _Handle(self._post_hooks, hook)

    def __call__(self, *grads):
        return self.backward(self, *grads)


class AccumulateGrad(Node):
    """The node at a leaf: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable",)
    _meta = ()
    _direct = True  # (the engine adds an array gradient into .grad itself)

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"  # what torch's name() says


def _accumulator(t: Tensor) -> AccumulateGrad:
    """The leaf's AccumulateGrad node, shared by all its uses while any is alive (as in
    torch, made again for each graph of a training loop)."""
    ref = t._acc
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad()
        node.variable = t
        node._fns = node._nrs = ()
        node._seq = next(_leaf_sequence)  # leaves come last: after every node
        t._acc = weakref.ref(node)  # a weak link back: tensor -> node -> tensor is no cycle
    return node


class Function(Node):
    """Base class of every differentiable op (see the module docstring)."""

    # _saved holds what forward passed to save_for_backward until _record packs it
    # into saved entries, and None once backward has freed them.
    __slots__ = ("needs_input_grad", "_saved", "_meta")

    name = None  # torch's node name, e.g. "AddBackward0"; defaults to f"{cls}Backward"
    view = False  # outputs share memory with input 0 (reshape, transpose, slicing ...)
    # forward is written for NumPy scalars too (a 0-d result is kept as one, see
    # Tensor._array): ufunc arithmetic is. Other ops see 0-d inputs as 0-d arrays.
    scalars = False
    # backward is written for arrays too: in a plain backward (no create_graph) the
    # engine gives it the gradient as an array (or NumPy scalar) and takes arrays (or
    # None) back; ``ctx.saved_like(grad)`` gives it its saved values in the same form.
    # With create_graph it gets Tensors and its ember ops record the graph of the
    # backward. Other ops always get Tensors.
    arrays = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._direct = cls.arrays and cls.n_outputs == 1  # (see engine._run)
        declared = cls.__dict__.get("name")
        if "forward" in cls.__dict__ or isinstance(declared, str):
            node_name = declared if isinstance(declared, str) else f"{cls.__name__}Backward"
            # On the op class ``name`` declares the node's name; on the node, as in
            # torch, ``grad_fn.name()`` is a method returning it.
            cls._Node = type(node_name, (cls,), {"__module__": cls.__module__,
                                                 "name": Node.name})

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    def save_for_backward(self, *arrays) -> None:
        """Keep these for backward; inputs and outputs come back as graph Tensors."""
        self._saved = arrays

    @property
    def saved_tensors(self) -> tuple:
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED)
        return tuple([entry[1] if entry[0] == _VALUE else _unpack(entry, self)
                      for entry in saved])

    def saved_like(self, grad) -> tuple:
        """The saved values in ``grad``'s form: Tensors for a Tensor (``saved_tensors``),
        else arrays, with the same version checks (numbers as they are, or as the 0-d
        array the forward computed with; no Tensor rebuilt for a saved output). For the
        backward of an ``arrays`` op: a plain backward runs it on arrays."""
        if grad.__class__ not in _DATA:  # (a Tensor: create_graph)
            return self.saved_tensors
        saved = self._saved
        if saved.__class__ is _Numbers:  # (nothing to check: made once, see _Numbers)
            return saved.plain
        if saved is None:
            raise RuntimeError(_FREED)
        arrays = []
        for entry in saved:
            kind = entry[0]
            if kind == _INPUT:
                t = entry[1]
                if t._vc is None or t._vc[0] == entry[2]:  # (unchanged since saved)
                    arrays.append(t._data)
                    continue
            elif kind == _VALUE:
                arrays.append(entry[-1])  # (a number's array form, where it has one)
                continue
            elif kind == _OUTPUT and entry[2][0] == entry[3]:
                arrays.append(entry[1])
                continue
            t = _unpack(entry, self)  # (raises torch's error for a changed value)
            arrays.append(t._data if isinstance(t, Tensor) else t)
        return arrays

    def saved_one(self, grad):
        """``saved_like(grad)[0]`` for an op that saves one value (one-input ops): an
        unchanged output or input is read from its entry without the loop."""
        saved = self._saved
        if saved and grad.__class__ in _DATA:
            entry = saved[0]
            kind = entry[0]
            if kind == _OUTPUT:
                if entry[2][0] == entry[3]:
                    return entry[1]
            elif kind == _INPUT:
                t = entry[1]
                if t._vc is None or t._vc[0] == entry[2]:
                    return t._data
        return self.saved_like(grad)[0]

    @classmethod
    def apply(cls, *inputs, **params):
        """Run the op on ``inputs``; record a node when grad mode is on and an input
        requires grad. (The hot path of every op: keep it short.)"""
        if len(inputs) == 1 and inputs[0].__class__ is Tensor and cls.n_outputs == 1 \
                and not cls.view and inputs[0]._rg and grad_mode() == 1 and \
                _fw_state.level < 0 and not anomaly_mode.enabled:
            return _record_one(cls, inputs[0], params)  # (most ops: see _record_one)
        arrays = []
        grad = False
        for x in inputs:
            if isinstance(x, Tensor):
                a = x._data
                if a.__class__ is not _ndarray and not cls.scalars:
                    a = x._array() if cls.view else np.asarray(a)  # a view shares memory
                arrays.append(a)
                if x._rg:
                    grad = True
            else:
                arrays.append(x)
        quiet = silence()  # NumPy's nan/inf warnings off, as torch is silent
        try:
            if grad and state.enabled:
                outs = cls._record(inputs, arrays, params)
            elif cls.n_outputs == 1 and not cls.view:
                outs = plain_result(cls.forward(_NULL_CTX, *arrays, **params))
            else:
                out = cls.forward(_NULL_CTX, *arrays, **params)
                outs = (_result(cls, out, inputs, None) if cls.n_outputs == 1 else
                        tuple(_result(cls, o, inputs, None) for o in out))
        except ValueError as e:
            raise _broadcast_error(e, arrays) from None
        finally:
            restore(quiet)
        if _fw_state.level >= 0:  # forward-mode AD is on: carry tangents along
            _fw.propagate(cls, inputs, params, outs if isinstance(outs, tuple) else (outs,))
        return outs

    @classmethod
    def _record(cls, inputs, arrays, params):
        """Run forward with a new node as ctx, and link inputs, node and outputs."""
        ctx = _new(cls._Node)
        _connect(ctx, inputs)
        raw = cls.forward(ctx, *arrays, **params)
        saved = ctx._saved
        if cls.n_outputs == 1:
            if cls.view:
                out = _result(cls, raw, inputs, ctx)
            else:  # the common case: a new array becomes a new Tensor
                out = _output(raw, ctx)
            if saved and _graph.hooks.stack:  # (an unpack hook may record: not direct)
                ctx._saved = tuple([_pack(obj, inputs, arrays, (raw,), (out,))
                                    for obj in saved])
                ctx._direct = False
            elif saved:
                ctx._saved = _entries(saved, inputs, arrays, raw, out)
            return out
        outs = tuple(_result(cls, o, inputs, ctx, i) for i, o in enumerate(raw))
        ctx._out_meta = [(o._data.shape, o._data.dtype) for o in outs]
        if saved:
            ctx._saved = tuple([_pack(obj, inputs, arrays, raw, outs) for obj in saved])
        return outs


def apply_one(cls, x: Tensor, params: dict) -> Tensor:
    """``cls.apply(x, **params)`` for an op of one input and one output that is not a
    view and whose backward gives the input's shape and dtype, called by a public
    function that knows this (``loss.mean()``): the node ``_record_one`` makes, without
    ``apply``'s argument packing and checks, and with no gradient to fit."""
    if x._rg and grad_mode() == 1 and x.__class__ is Tensor and _fw_state.level < 0 \
            and not anomaly_mode.enabled:
        # A hot path (the loss of every training step): NumPy called as it is, its
        # warnings dropped by ember's filter (see ember._errstate); where the user made
        # them errors, the op runs again with NumPy's error handling off.
        try:
            return _record_one(cls, x, params, _SAME_META, quiet=False)
        except ALARMS:
            return _record_one(cls, x, params, _SAME_META)
    return cls.apply(x, **params)


def _record_one(cls, x: Tensor, params, meta=None, quiet=True) -> Tensor:
    """``_record`` for a one-input, one-output op that is not a view (reductions,
    activations, ...): the same node, output and saved entries, without the loops over
    inputs and outputs. ``apply`` checked that nothing unusual is on (anomaly mode,
    saved-tensor hooks, forward mode). ``meta``: the node's, where the caller knows it
    (``apply_one``); else the input's shape and dtype, for the engine to fit to.
    ``quiet``: NumPy's error handling off around the forward (``apply_one`` leaves it
    to the warnings filter)."""
    a = x._data
    if a.__class__ is not _ndarray and not cls.scalars:
        a = np.asarray(a)
    ctx = cls._Node()
    ctx._seq = next(_sequence)
    ctx._saved = ()
    ctx._fns, ctx._nrs = _edge_of(x)
    ctx.needs_input_grad = _NEEDS_ONE
    ctx._meta = meta or ((a.shape, a.dtype),)
    token = silence() if quiet else None
    try:
        raw = cls.forward(ctx, a, **params)
    except ValueError as e:
        raise _broadcast_error(e, (a,)) from None
    finally:
        if quiet:
            restore(token)
    out = _output(raw, ctx)
    if ctx._saved:
        ctx._saved = _entries(ctx._saved, (x,), (a,), raw, out)
    return out


def _output(raw, ctx: Node) -> Tensor:
    """The new Tensor of a one-output node's result: ``ctx``'s output if it is a float
    (only floats carry gradients), a plain tensor if not."""
    out = _new(Tensor)
    out._output_nr = 0
    out._data = data = raw if raw.__class__ in _DATA else _as_data(raw)
    if data.dtype.kind == "f":
        out._rg = True
        out.grad_fn = ctx
    else:
        out._rg = False
        out.grad_fn = None
    return out


def _connect(ctx: Node, inputs) -> None:
    """Give a new node its place in the graph: an edge per input (``None`` for inputs
    that need no gradient), the inputs' shapes and dtypes, and its creation number."""
    ctx._seq = next(_sequence)
    ctx._saved = ()
    fns, nrs, meta, needs = [], [], [], []
    for x in inputs:
        if isinstance(x, Tensor) and x._rg:
            fns.append(_grad_node(x))
            nrs.append(x._output_nr if x.grad_fn is not None else 0)
            a = x._data
            meta.append((a.shape, a.dtype))
            needs.append(True)
        else:
            fns.append(None)
            nrs.append(0)
            meta.append(None)
            needs.append(False)
    ctx._fns, ctx._nrs = tuple(fns), tuple(nrs)
    ctx.needs_input_grad = tuple(needs)
    ctx._meta = meta
    if anomaly_mode.enabled:
        ctx._trace = anomaly_mode.forward_trace()


def _grad_node(x: Tensor) -> Node:
    """The node that takes ``x``'s gradient: its grad_fn, or a leaf's AccumulateGrad
    (kept alive by the graph alone)."""
    fn = x.grad_fn
    if fn is not None:
        return fn
    ref = x._acc
    fn = ref() if ref is not None else None
    return fn if fn is not None else _accumulator(x)


def _edge_of(x: Tensor) -> tuple:
    """``(_fns, _nrs)`` of a node whose one input is ``x`` (``unary_method`` makes the
    same inline: the one-input float ops' hot path)."""
    fn = x.grad_fn
    if fn is None:
        return (_grad_node(x),), _NR0
    return (fn,), (_NR0 if not x._output_nr else (x._output_nr,))


def record_binary(cls, p, q, a, b) -> Tensor:
    """``cls.apply(p, q)`` when it records and gives a float result of the operands'
    dtype: the arithmetic operators' path. The node, output and saved entries are those
    ``_record`` makes, without its generality (any number of inputs, views, several
    outputs, hooks, anomaly traces), which costs more than the NumPy call on small
    tensors. ``a`` and ``b`` are the operands' arrays; a number operand may come as a
    0-d array of the other's dtype (what NumPy would convert it to). Callers check that
    grad mode's ``mode`` is 1 (no saved-tensor hooks); anomaly mode takes ``apply``."""
    if anomaly_mode.enabled:
        return cls.apply(p, q)
    ctx = cls._Node()
    ctx._seq = next(_sequence)
    ctx._saved = ()
    grad_p = isinstance(p, Tensor) and p._rg
    grad_q = isinstance(q, Tensor) and q._rg
    # (a node is always true: ``or`` calls _grad_node for leaves alone)
    ctx._fns = ((p.grad_fn or _grad_node(p)) if grad_p else None,
                (q.grad_fn or _grad_node(q)) if grad_q else None)
    nr_p = p._output_nr if grad_p and p.grad_fn is not None else 0
    nr_q = q._output_nr if grad_q and q.grad_fn is not None else 0
    ctx._nrs = _NR00 if not (nr_p or nr_q) else (nr_p, nr_q)
    ctx.needs_input_grad = _NEEDS[grad_p][grad_q]
    try:
        raw = cls.forward(ctx, a, b)  # (NumPy's warnings: see ember._errstate)
    except ALARMS:
        raw = quietly(cls.forward, ctx, a, b)
    except ValueError as e:
        raise _broadcast_error(e, (a, b)) from None
    out = _new(Tensor)
    out._output_nr = 0
    out._data = data = raw  # (NumPy arithmetic: an array or a NumPy scalar)
    out._rg = True
    out.grad_fn = ctx
    # An operand of the result's shape gets a gradient of its shape: no meta to check.
    shape = data.shape
    a_same = not grad_p or a.shape == shape
    if a_same and (not grad_q or b.shape == shape):
        ctx._meta = _SAME_META2
    else:
        ctx._meta = (None if a_same else (a.shape, a.dtype),
                     (b.shape, b.dtype) if grad_q and b.shape != shape else None)
    saved = ctx._saved
    if saved:  # (binary arithmetic saves its two operands, or None in place of one)
        if len(saved) == 2 and (saved[0] is a or saved[0] is None) and (
                saved[1] is b or saved[1] is None):
            ctx._saved = (_NONE_ENTRY if saved[0] is None else _operand_entry(p),
                          _NONE_ENTRY if saved[1] is None else _operand_entry(q))
        else:
            ctx._saved = _entries(saved, (p, q), (a, b), raw, out)
    return out


def unary_method(cls, fwd, saves, other_path, param=None):
    """The hot path of a one-input elementwise op on a float tensor, in one function:
    ``method(x)`` computes ``fwd(a)`` of ``x``'s array ``a`` and records the node
    ``cls.apply(x)`` makes, without its generality (any number of inputs, views,
    several outputs, hooks): one edge, the input's shape and dtype, and saved the
    input (``saves="input"``), the output (``"output"``) or nothing (``None``). An op of
    one number (``x ** n``, ``n - x``) names it ``param``, as its forward's keyword:
    ``method(x, n)`` computes ``fwd(a, n)`` and its node keeps ``n`` under that name.
    Anything else (not a float tensor, inference mode, saved-tensor hooks, forward or
    anomaly mode) goes to ``other_path(x)`` (``other_path(x, n)``)."""
    node_class = cls._Node
    output = saves == "output"
    entry = _operand_entry if saves == "input" else None
    if saves not in ("input", "output", None):
        raise ValueError(f"saves: 'input', 'output' or None, not {saves!r}")

    def method(x, number=None):
        try:
            a = x._data
            dtype = a.dtype
        except AttributeError:  # (not a tensor: torch's error, from other_path)
            dtype = None
        if param is not None and number.__class__ is not float and \
                number.__class__ is not int:
            dtype = None  # (a tensor operand, or no number: other_path)
        if (dtype is _FLOAT32 or dtype is not None and dtype.kind == "f") and \
                _fw_state.level < 0:  # (float32 first: one read less)
            mode = grad_mode()  # (1 grad mode on, 0 off, -1 inference: the other path)
            if mode >= 0:
                try:
                    raw = fwd(a) if param is None else fwd(a, number)  # (ember._errstate)
                except ALARMS:
                    raw = quietly(fwd, a) if param is None else quietly(fwd, a, number)
                out = _new(Tensor)
                out._output_nr = 0
                out._data = raw  # (NumPy's result on NumPy data: an array or a scalar)
                if not (mode and x._rg):
                    out._rg = False
                    out.grad_fn = None
                    return out
                if not anomaly_mode.enabled:
                    ctx = node_class()
                    ctx._seq = next(_sequence)
                    fn = x.grad_fn
                    if fn is None:
                        ctx._fns, ctx._nrs = (_grad_node(x),), _NR0
                    else:
                        ctx._fns, ctx._nrs = (fn,), (_NR0 if not x._output_nr else
                                                     (x._output_nr,))
                    ctx.needs_input_grad = _NEEDS_ONE
                    ctx._meta = _SAME_META  # elementwise: the gradient has x's shape
                    if param is not None:
                        setattr(ctx, param, number)  # (what the forward keeps)
                    out._rg = True
                    out.grad_fn = ctx
                    if output:  # (_new_output_entry, inline)
                        out._vc = counter = [0]
                        ctx._saved = ((_OUTPUT, raw, counter, 0, 0),)
                    else:
                        ctx._saved = () if entry is None else (entry(x),)
                    return out
        return other_path(x) if param is None else other_path(x, number)

    return _own_code(method)


def arith_method(cls, ufunc, scalar_fn, other_path):
    """The operator ``x op y`` of ``cls`` (``+ - * /``; ``ufunc`` its NumPy function,
    ``scalar_fn`` Python's operator, for NumPy-scalar data) for what training loops
    run, in one function: ``y`` a float tensor of ``x``'s dtype, or a Python number
    with a float ``x``. Anything else (promotion, inference mode, forward mode, ...)
    goes to ``other_path(x, y)``. Nothing recording (grad mode off, or no operand
    requiring grad: backward passes, optimizer steps), it is the NumPy call and a
    Tensor; two tensors record through ``record_binary``.

    ``x op number`` computes the result as NumPy would (a Python number is given to
    NumPy as a cached 0-d array of the tensor's dtype, see ``_number_operand``: NumPy
    converts a Python operand on every call, which doubles the cost of ``x * 0.5`` on
    small arrays) and records the node ``cls.apply(x, number)`` makes: one edge (a
    number takes no gradient) and the saved entries the forward makes, without running
    it again. What the forward saves when only the tensor's gradient is wanted is
    learnt here, once, from the forward itself: each saved value None or the number (an
    op that saves anything else takes ``record_binary``). A saved number keeps its
    array for a plain backward (``saved_like``).

    The number a loop gives an operator is mostly one object (the constant in
    ``y * 0.5``): the operator keeps the last one with its array and dtype, and
    compares by identity before anything else."""
    probe = cls._Node()
    probe.needs_input_grad = _NEEDS_FIRST
    probe._saved = ()
    three = 3.0
    cls.forward(probe, np.ones(2), three)
    saves = tuple(None if s is None else "number" if s is three else "other"
                  for s in probe._saved)
    node_class = cls._Node
    general = "other" in saves
    sharing = saves == _OTHER
    # (None, number), what Mul and Div save for the gradient of x: shared by the nodes
    # of one number (the entries are never changed), as a loop multiplies by the same
    # few constants.
    shared = (None, (None, None, None))  # (a placeholder that no number matches)
    # The last float operand's number, its array and its dtype, as above: one tuple,
    # replaced whole (threads may share the operator and must never see a mix).
    kept = (None, None, None)

    def method(x, other):
        nonlocal shared, kept
        a = x._data
        number, b, dtype = kept
        if other is number and a.__class__ is _ndarray and a.dtype is dtype:
            f = ufunc
        else:
            c = other.__class__
            if c is Tensor:  # x op y
                b = other._data
                dtype = a.dtype
                if dtype is b.dtype and dtype.kind == "f" and _fw_state.level < 0:
                    mode = grad_mode()
                    if mode > 0 and (x._rg or other._rg):
                        return record_binary(cls, x, other, a, b)
                    if mode >= 0:
                        f = ufunc if a.__class__ is _ndarray else scalar_fn
                        try:
                            raw = f(a, b)  # (NumPy's warnings: see ember._errstate)
                        except ALARMS:
                            raw = quietly(f, a, b)
                        except ValueError:  # shapes that don't broadcast: its error
                            return other_path(x, other)
                        out = _new(Tensor)  # (new_tensor(raw), inline)
                        out._output_nr = 0
                        out._data = raw
                        out._rg = False
                        out.grad_fn = None
                        return out
                return other_path(x, other)
            if c is not float and c is not int:
                return other_path(x, other)
            if a.__class__ is _ndarray:
                dtype = a.dtype
                if dtype.kind != "f":
                    return other_path(x, other)
                b, f = _number_operand(other, dtype), ufunc
                if b is not other:
                    kept = (other, b, dtype)
            elif a.__class__ in _FLOAT_SCALARS:  # (NumPy scalars take Python numbers fast)
                b, f = other, scalar_fn
            else:
                return other_path(x, other)
        mode = grad_mode()  # (1 grad mode on, 0 off, -1 inference: the other path)
        if mode < 0 or _fw_state.level >= 0:
            return other_path(x, other)
        try:
            raw = f(a, b)  # (NumPy's warnings: see ember._errstate)
        except ALARMS:
            raw = quietly(f, a, b)
        out = _new(Tensor)
        out._output_nr = 0
        out._data = raw  # (a NumPy result: an array or a NumPy scalar)
        if not (mode and x._rg):
            out._rg = False
            out.grad_fn = None
            return out
        if general or anomaly_mode.enabled:
            return record_binary(cls, x, other, a, b)
        ctx = node_class()
        ctx._seq = next(_sequence)
        fn = x.grad_fn
        if fn is None or not x._output_nr:  # (output 0, or a leaf's AccumulateGrad)
            ctx._fns, ctx._nrs = (fn if fn is not None else _grad_node(x),), _NR00
        else:
            ctx._fns, ctx._nrs = (fn,), (x._output_nr, 0)
        ctx.needs_input_grad = _NEEDS_FIRST
        ctx._meta = _SAME_META2  # (a number does not change the result's shape)
        if sharing:
            entries = shared
            if entries[1][1] is not other or entries[1][2] is not b:
                entries = _Numbers((_NONE_ENTRY, (_VALUE, other, b)))
                entries.plain = (None, b)
                shared = entries  # (whole: another thread may read it at any time)
            ctx._saved = entries
        elif not saves:
            ctx._saved = ()
        else:
            ctx._saved = tuple([_NONE_ENTRY if s is None else (_VALUE, other, b)
                                for s in saves])
        out._rg = True
        out.grad_fn = ctx
        return out

    return _own_code(method)


def _own_code(fn):
    """``fn`` with a code object of its own. Python specialises each attribute access
    in a code object to the class it meets there; the hot paths made per op
    (``arith_method``, ``unary_method``) would share one code object, and each op's node
    has its own class, so their stores into the node would meet a different class from
    call to call and fall back to the generic lookup (~20 ns each, six per op). With a
    copy per op, each store sees its op's node class alone (W3's recorded chain: -8%)."""
    copy = types.FunctionType(fn.__code__.replace(), fn.__globals__, fn.__name__,
                              fn.__defaults__, fn.__closure__)
    copy.__kwdefaults__ = fn.__kwdefaults__
    return copy


_NUMBER_ARRAYS: dict = {}  # (value, dtype type) -> read-only 0-d array, float dtypes only
_LAST_NUMBER_ARRAYS: dict = {}  # value -> the array last given for it
_FLOAT_SCALARS = frozenset([np.float16, np.float32, np.float64])


def _number_operand(value, dtype):
    """A Python number as a read-only 0-d array of the float ``dtype``, cached: the
    values are what NumPy's own conversion gives. Zero (whose sign a cache keyed by
    value would lose) and nan are left to NumPy: the number comes back as it is."""
    arr = _LAST_NUMBER_ARRAYS.get(value)  # (by value alone: a cheaper key)
    if arr is not None and arr.dtype is dtype:
        return arr
    key = (value, dtype.type)  # (a dtype's own hash is slow to compute)
    arr = _NUMBER_ARRAYS.get(key)
    if arr is None:
        if value == 0 or value != value or (
                value.__class__ is int and abs(value) > 2**24):
            return value
        if len(_NUMBER_ARRAYS) > 1024:
            _NUMBER_ARRAYS.clear()
        arr = _NUMBER_ARRAYS[key] = np.array(value, dtype)
        arr.flags.writeable = False
    if len(_LAST_NUMBER_ARRAYS) > 1024:
        _LAST_NUMBER_ARRAYS.clear()
    _LAST_NUMBER_ARRAYS[value] = arr
    return arr


class _Numbers(tuple):
    """The saved entries ``(None, number)`` of Mul and Div nodes of one number, shared
    by those nodes (see ``arith_method``), with ``plain``, what a plain backward gets
    (None and the number's array form), made once: nothing in them can change."""


_OTHER = (None, "number")


def _operand_entry(x) -> tuple:
    """The saved entry of an operand, no saved-tensor hooks being active: an input
    tensor, or a number (see ``_entries``)."""
    if x.__class__ is Tensor and not x._inference:
        return (_INPUT, x, 0 if x._vc is None else x._vc[0])
    return _save_tensor(x, None) if isinstance(x, Tensor) else (_VALUE, x)


def _entries(saved, inputs, arrays, raw, out: Tensor) -> tuple:
    """The saved entries of a one-output node (no saved_tensors_hooks active): the
    output, inputs and numbers made here, anything else by ``_pack``. An input that is
    a number given to forward as an array comes back as the number."""
    entries = []
    for obj in saved:
        if obj is raw and out._rg:
            entries.append(_new_output_entry(out))
        elif obj is None or obj.__class__ is float or obj.__class__ is int:
            entries.append((_VALUE, obj))
        else:
            for x, a in zip(inputs, arrays):
                if obj is a:
                    entries.append(_operand_entry(x))
                    break
            else:
                entries.append(_pack(obj, inputs, arrays, (raw,), (out,)))
    return tuple(entries)


def _new_output_entry(out: Tensor) -> tuple:
    """The saved entry of a node's new output 0 (see ``_save_tensor``), with the
    output's version counter made here: a new tensor has none yet."""
    out._vc = counter = [0]
    return (_OUTPUT, out._data, counter, 0, 0)


def recording() -> bool:
    """Whether what runs now may be differentiated: grad mode on, or forward mode."""
    return state.enabled or _fw_state.level >= 0


def plain_result(out) -> Tensor:
    """The Tensor of an op's result when nothing records it."""
    t = new_tensor(out)
    if state.inference:
        t._inference = True
    return t


def new_tensor(out) -> Tensor:
    """``plain_result`` for the hot paths, which know inference mode is off."""
    t = _new(Tensor)
    t._output_nr = 0
    t._data = out if out.__class__ in _DATA else _as_data(out)
    t._rg = False
    t.grad_fn = None
    return t


_NR0 = (0,)  # _nrs of a node whose one input is output 0 of its node
_NR00 = (0, 0)
_SAME_META = (None,)
_SAME_META2 = (None, None)
_NEEDS_ONE = (True,)
_NEEDS_FIRST = (True, False)
_NEEDS = (((False, False), (False, True)), ((True, False), (True, True)))


def _broadcast_error(e: ValueError, arrays) -> Exception:
    """NumPy's broadcasting ValueError as torch's RuntimeError, naming the sizes."""
    text = str(e)
    if "broadcast" not in text:
        return e
    # NumPy names every operand's shape, keyword arrays (where's condition) included.
    shapes = [tuple(int(d) for d in m.split(",") if d.strip())
              for m in re.findall(r"\(([\d, ]*)\)", text)] or \
        [a.shape for a in arrays if isinstance(a, np.ndarray)]
    for a, b in itertools.combinations(shapes, 2):
        for i in range(1, min(len(a), len(b)) + 1):
            if a[-i] != b[-i] and a[-i] != 1 and b[-i] != 1:
                return RuntimeError(
                    f"The size of tensor a ({a[-i]}) must match the size of tensor b "
                    f"({b[-i]}) at non-singleton dimension {max(len(a), len(b)) - i}"
                )
    return RuntimeError(text)


_new = object.__new__
_ndarray = np.ndarray
_FLOAT32 = np.dtype(np.float32)  # (the dtype of native float32 arrays, one object)


# What tensor data may be as it comes: an array or a NumPy scalar (see _as_data).
_DATA = frozenset([_ndarray, *np.sctypeDict.values()])


def _as_data(raw):
    """An op's result as tensor data: an array, or a NumPy scalar kept as it is (0-d
    results: see ``Tensor._array``). Python numbers become 0-d arrays."""
    return raw if isinstance(raw, np.generic) else np.asarray(raw)


def _result(cls, raw, inputs, node, output_nr=0) -> Tensor:
    """Wrap one output array as a Tensor; link views to their base's version counter."""
    if raw.__class__ is _ndarray:
        data = raw
    else:  # a view shares memory, so it must be an array
        data = np.asarray(raw) if cls.view else _as_data(raw)
    requires = node is not None and data.dtype.kind == "f"
    t = _new(Tensor)
    t._data = data
    t._rg = requires
    t.grad_fn = node if requires else None
    t._output_nr = output_nr
    if cls.view:
        base = inputs[0]
        t._vc = base._counter()
        t._base = base if base._base is None else base._base
    return t


# What a node keeps for backward, one small tuple per saved value (cheap to make):
#   (_INPUT, tensor, version)                  an input: kept with the version it had
#   (_OUTPUT, array, counter, version, nr)     the node's own output nr: kept without
#                                              the tensor, so no node<->tensor cycle
#   (_VALUE, value[, array])                   a constant, or None or a number; a
#                                              plain backward gets the array form
#                                              where there is one (see saved_like)
#   (_HOOKED, packed, unpack_hook)             what a saved_tensors_hooks pack made
_INPUT, _OUTPUT, _VALUE, _HOOKED = range(4)
_NONE_ENTRY = (_VALUE, None)


def _unpack(entry, node):
    """A saved value back as a Tensor, after checking it was not modified in place."""
    kind = entry[0]
    if kind == _INPUT:
        t = entry[1]
        if t._vc is not None and t._vc[0] != entry[2]:
            raise _modified(t._data, _producer(t), t._vc[0], entry[2])
        return t
    if kind == _OUTPUT:
        _, data, counter, version, nr = entry
        if counter[0] != version:
            raise _modified(data, f"output {nr} of {type(node).__name__}", counter[0],
                            version)
        return Tensor._make(data, True, node, nr)  # rebuilt pointing back at the node
    if kind == _VALUE:
        return entry[1]
    t = entry[2](entry[1])
    if not isinstance(t, Tensor):
        raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but "
                        f"got result of type {type(t).__name__}")
    return t


def peek_saved(node) -> list:
    """What ``node`` keeps for backward (tensors, arrays, numbers), without unpacking or
    version checks: for tools that draw the graph. Empty once backward freed them."""
    return [entry[1] for entry in (getattr(node, "_saved", None) or ())]


def _producer(t: Tensor) -> str:
    if t.grad_fn is None:
        return "a leaf Variable"
    return f"output {t._output_nr} of {type(t.grad_fn).__name__}"


def _modified(data, what: str, now: int, expected: int) -> RuntimeError:
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{_type_name(data)} {list(data.shape)}], which is {what}, is "
        f"at version {now}; expected version {expected} instead. Hint: the backtrace "
        "further above can be found by enabling anomaly detection with "
        "torch.autograd.set_detect_anomaly(True)."
    )


def _type_name(a: np.ndarray) -> str:
    from .._dtype import from_numpy_dtype
    from .._tensor import _TYPE_NAMES

    return _TYPE_NAMES[from_numpy_dtype(a.dtype)]


def _save_tensor(t: Tensor, node, output_nr: int = -1):
    """The saved entry for tensor ``t`` (``output_nr >= 0``: it is ``node``'s own
    output), through the active saved_tensors_hooks if any."""
    if _graph.hooks.stack:
        pack, unpack = _graph.hooks.stack[-1]
        return (_HOOKED, pack(t), unpack)
    if output_nr >= 0:
        counter = t._counter()
        return (_OUTPUT, t._data, counter, counter[0], output_nr)
    if t._inference:
        raise RuntimeError(
            "Inference tensors cannot be saved for backward. Please do not use Tensors "
            "created in inference mode in computation tracked by autograd. To work around "
            "this, you can make a clone to get a normal tensor and use it in autograd, or "
            "use `torch.no_grad()` instead of `torch.inference_mode()`.")
    return (_INPUT, t, 0 if t._vc is None else t._vc[0])


def _pack(obj, inputs, arrays, raws, outs):
    """What forward saved, as saved entries: inputs and outputs stay in the graph."""
    if obj.__class__ is not _ndarray and not isinstance(obj, (np.ndarray, np.generic)):
        return (_VALUE, obj)  # None or a Python number: given back as it is
    for x, a in zip(inputs, arrays):
        if obj is a and isinstance(x, Tensor):
            return _save_tensor(x, None)
    for i, (r, t) in enumerate(zip(raws, outs)):
        if obj is r:
            return _save_tensor(t, t.grad_fn, i if t.requires_grad else -1)
    obj = np.asarray(obj)
    return (_VALUE, Tensor._make(obj), obj)


class UserFunction(Function):
    """torch.autograd.Function: define your own op with ``forward`` and ``backward``.

    Unlike ember's built-in ops, ``forward`` here receives and returns Tensors (it
    runs with grad mode off), as in torch::

        class Cube(ember.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, grad):
                (x,) = ctx.saved_tensors
                return grad * 3 * x ** 2

        y = Cube.apply(x)          # y.grad_fn is a CubeBackward node

    ``ctx`` supports ``save_for_backward``, ``saved_tensors``, ``needs_input_grad``,
    ``mark_dirty``, ``mark_non_differentiable``, ``set_materialize_grads`` and any
    attribute. ``forward(*args)`` plus ``setup_context(ctx, inputs, output)`` is the
    other accepted form.
    """

    _dirty = ()
    _non_differentiable = ()

    def save_for_backward(self, *tensors) -> None:
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{tensors.index(t)} is of type {type(t).__name__}")
        self._saved = tensors

    def mark_dirty(self, *tensors) -> None:
        """Declare inputs that forward modified in place."""
        self._dirty = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        """Declare outputs that carry no gradient (indices, masks...)."""
        self._non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """Whether backward gets zeros (default) or None for outputs without grad."""
        self._materialize_grads = bool(value)

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = cls._Node()
        record = state.enabled and any(isinstance(a, Tensor) and a.requires_grad
                                       for a in args)
        if record:
            _connect(ctx, args)
        else:
            ctx.needs_input_grad = (False,) * len(args)
        prev = state.enabled
        state.set(False, state.inference)
        try:
            if cls.setup_context is not UserFunction.setup_context:
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        finally:
            state.set(prev, state.inference)
        if not record:
            return outputs
        single = not isinstance(outputs, tuple)
        outs = [outputs] if single else list(outputs)
        ctx.n_outputs = len(outs)
        for i, o in enumerate(outs):
            if isinstance(o, Tensor):
                outs[i] = _link_output(ctx, o, i, args)
        ctx._out_meta = [(o._data.shape, o._data.dtype) if isinstance(o, Tensor) else None
                         for o in outs]
        ctx._saved = tuple(_save_user(ctx, t, outs) for t in ctx._saved)
        return outs[0] if single else tuple(outs)


def _link_output(ctx, o: Tensor, i: int, args) -> Tensor:
    """Make output ``i`` of a user Function a result of node ``ctx``."""
    if any(o is d for d in ctx._dirty):
        if o.requires_grad and o.grad_fn is None:
            raise RuntimeError(
                "a leaf Variable that requires grad is being used in an in-place operation."
            )
        o._bump()
    elif any(o is a for a in args):
        o = o.detach()  # an input returned as is: the output is a new alias of it
    if any(o is n for n in ctx._non_differentiable) or o._data.dtype.kind != "f":
        o._rg, o.grad_fn = False, None
        return o
    o._rg, o.grad_fn, o._output_nr = True, ctx, i
    return o


def _save_user(ctx, t, outs):
    """A tensor a user Function saved: outputs are kept without their node (no cycle)."""
    if t is None:
        return (_VALUE, None)
    for i, o in enumerate(outs):
        if t is o and o.grad_fn is ctx:
            return _save_tensor(t, ctx, i)
    return _save_tensor(t, None)


class _OnceDifferentiable(Function):
    """Marks the results of a ``@once_differentiable`` backward: differentiating them
    raises instead of silently giving a wrong answer."""

    name = "DelayedError"

    @staticmethod
    def forward(ctx, a, *graph_inputs):
        return a

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError(
            "trying to differentiate twice a function that was marked with "
            "@once_differentiable"
        )


def once_differentiable(backward):
    """Decorate a user Function's ``backward`` that is not itself differentiable: it
    runs with grad mode off, and a double backward through it raises."""

    @functools.wraps(backward)
    def wrapper(ctx, *grads):
        prev = state.enabled
        state.set(False, state.inference)
        try:
            out = backward(ctx, *grads)
        finally:
            state.set(prev, state.inference)
        graph = [g for g in grads if isinstance(g, Tensor) and g.requires_grad]
        if not (prev and graph):
            return out
        single = not isinstance(out, tuple)
        outs = [_OnceDifferentiable.apply(o, *graph) if isinstance(o, Tensor) else o
                for o in ((out,) if single else out)]
        return outs[0] if single else tuple(outs)

    return wrapper


REGISTRY: dict = {}  # public op name -> function; tests/opinfo.py must have a row for each


def register(*names, method=True, function=True):
    """Publish a public function as ``ember.<name>`` and (``method=True``) as
    ``Tensor.<name>``, under each of ``names`` (default: the function's own name)."""

    def deco(fn):
        import ember

        for n in names or (fn.__name__,):
            REGISTRY[n] = fn
            if function:
                setattr(ember, n, fn)
            if method:
                setattr(Tensor, n, fn)
        return fn

    return deco
