"""The backward walk: iterative, never recursive, so graphs of any depth work.

1. The roots' nodes get their seed gradients and become pending.
2. The newest pending node runs next (a heap of creation numbers). A node is always
   created after the nodes of its inputs, so by then all of its consumers have passed
   their gradients on: a topological order without dependency counting, and the order
   torch runs nodes in, so gradients are summed in torch's order. A node that becomes
   pending and is newer than all the others runs straight after (a chain of ops).
3. Call the node's backward, sum each result down to its input's shape (the one
   place broadcasting is undone), add it into the input node's pending gradient, and
   free the node's saved tensors unless ``retain_graph``.
4. Leaves (AccumulateGrad nodes) add their gradient into ``.grad``: a copy on the
   first contribution, in place after that.

Without ``create_graph`` the gradients are NumPy arrays throughout (see ``_run``);
with it they are Tensors, and the ops in each backward record the graph of the
backward.
"""

from __future__ import annotations

import gc
import heapq
import threading

import numpy as np

from .._errstate import install, restore, silence
from .._tensor import Tensor
from . import anomaly_mode
from .function import AccumulateGrad, _accumulator
from .grad_mode import state

__all__ = ["backward", "grad"]

_accumulate_lock = threading.Lock()


def _root_edge(t: Tensor):
    if not t._rg:
        raise RuntimeError(
            "element 0 of tensors does not require grad and does not have a grad_fn"
        )
    return (t.grad_fn, t._output_nr) if t.grad_fn is not None else (_accumulator(t), 0)


def _seed(t: Tensor, g, create_graph: bool):
    """The gradient a root starts with: ones for a scalar, else the given vector; a
    Tensor with ``create_graph``, else its array (see ``_run``)."""
    if g is None:
        data = t._data
        one = _ONES.get(data.__class__)  # (a 0-d root held as a NumPy scalar: a loss)
        if one is not None:
            return Tensor._make(one) if create_graph else one
        if data.size != 1:
            raise RuntimeError("grad can be implicitly created only for scalar outputs")
        one = _ONES.get(data.dtype.type)  # a NumPy scalar for a 0-d root (Tensor._array)
        if one is None:
            one = _ONES[data.dtype.type] = data.dtype.type(1)
        one = one if data.ndim == 0 else np.full(data.shape, one)
        return Tensor._make(one) if create_graph else one
    if not isinstance(g, Tensor):
        from .._creation import tensor

        g = tensor(g, dtype=t.dtype)
    if g._data.shape != t._data.shape:
        raise RuntimeError(
            f"Mismatch in shape: grad_output[0] has a shape of {g.shape} and output[0] "
            f"has a shape of {t.shape}."
        )
    return g if create_graph else g._data


_ONES: dict = {}  # NumPy scalar type -> its 1 (immutable, shared)


def _as_tuple(x):
    if x is None:
        return None
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             inputs=None):
    """Accumulate into ``.grad`` of the graph's leaves (or only of ``inputs``) the
    gradient of ``tensors`` weighted by ``grad_tensors`` (torch.autograd.backward)."""
    tensors = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors) or (None,) * len(tensors)
    inputs = _as_tuple(inputs)
    if inputs is not None and len(inputs) == 0:
        raise RuntimeError("'inputs' argument to backward() cannot be empty.")
    keep = create_graph if retain_graph is None else retain_graph
    captured = _run(tensors, grads, keep, create_graph, inputs)
    if inputs is not None:
        for t, g in zip(inputs, captured):
            if g is not None:
                _accumulate(t, g if create_graph else g._data, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=None, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned as a tuple and
    not added into any ``.grad`` (torch.autograd.grad).

    >>> x = ember.tensor(3.0, requires_grad=True)
    >>> (dx,) = ember.autograd.grad(x ** 3, x, create_graph=True)
    >>> ember.autograd.grad(dx, x)
    (tensor(18.),)
    """
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    grads = _as_tuple(grad_outputs) or (None,) * len(outputs)
    for t in inputs:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    keep = create_graph if retain_graph is None else retain_graph
    result = _run(outputs, grads, keep, create_graph, inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    out = []
    for t, g in zip(inputs, result):
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
            if materialize_grads:
                g = Tensor._make(np.zeros_like(t._data))
        out.append(g)
    return tuple(out)


def _run(roots, root_grads, keep_graph, create_graph, inputs):
    """Walk the graph from ``roots``. With ``inputs``, return their gradients instead of
    accumulating into the leaves.

    Without ``create_graph`` nothing in the walk is differentiated, so the gradients
    travel as NumPy arrays (or NumPy scalars): an op whose backward also runs on arrays
    (``Function.arrays``) gets and returns them as they are; any other node, and any
    node with hooks, gets Tensors made around them, and its results are unwrapped."""
    if len(root_grads) != len(roots):
        raise RuntimeError(f"got {len(roots)} tensors and {len(root_grads)} gradients")
    install()  # (cheap: see ember._errstate)
    # pending: creation number -> [node, gradient of output 0, of output 1, ...], for
    # the nodes that received a gradient and have not run yet; heap: their negated
    # creation numbers. A node is created after the nodes of its inputs, so running
    # the newest pending node first runs each node after all of its consumers (they
    # are newer, and each is pending or done): a topological order with no dependency
    # counting, and torch's order (its ready queue is sorted by the same number).
    pending: dict = {}
    heap: list = []
    following = None  # the next node's entry when it is known without the heap
    if len(roots) == 1:  # (t.backward(): the root's node runs first)
        node, nr = _root_edge(roots[0])
        g = _seed(roots[0], root_grads[0], create_graph)
        if node.n_outputs == 1:
            following = [node, g]
        else:
            following = [node] + [None] * node.n_outputs
            following[nr + 1] = g
    else:
        for t, g in zip(roots, root_grads):
            node, nr = _root_edge(t)
            g = _seed(t, g, create_graph)
            entry = pending.get(node._seq)
            if entry is None:
                entry = pending[node._seq] = [node] + [None] * node.n_outputs
                heap.append(-node._seq)
            entry[nr + 1] = g if entry[nr + 1] is None else entry[nr + 1] + g
        heapq.heapify(heap)

    capture = captured = None
    if inputs is not None:
        capture = {}
        for i, t in enumerate(inputs):
            node, nr = _root_edge(t)
            capture.setdefault(node, []).append((i, nr))
        captured = [None] * len(inputs)

    plain = not create_graph  # gradients are arrays
    prev_mode = state.enabled
    # Grad mode is create_graph's while code that may record runs: a node on Tensors,
    # hooks. An op run on arrays records nothing, so a plain backward of such ops
    # leaves grad mode alone (setting and restoring it is a tenth of a small backward).
    switched = create_graph
    if create_graph:
        state.set(True, state.inference)
    checking = anomaly_mode.enabled
    direct = not (checking or capture)  # (else every node takes the checked path)
    quiet = silence()
    # The walk makes and drops many small objects and no cycles: the cyclic garbage
    # collector would only slow it down (by a third on a million-node chain).
    collecting = gc.isenabled()
    gc.disable()
    try:
        get, push = pending.get, heapq.heappush
        while True:
            if following is not None:
                entry = following
                following = None
            elif heap:
                entry = pending.pop(-heapq.heappop(heap))
            else:
                break
            node = entry[0]
            if node._direct and direct:
                # An ember op with one output and no hooks, its backward written for
                # arrays too (Function.arrays), or a leaf.
                if node.__class__ is AccumulateGrad:
                    t = node.variable
                    if not switched and (t._hooks or "_post_acc_hooks" in t.__dict__):
                        state.set(False, state.inference)  # (the leaf's hooks may record)
                        switched = True
                    _accumulate(t, entry[1], create_graph)
                    continue
                results = node.backward(node, entry[1])
                if not keep_graph:
                    node._saved = None
            else:
                if not switched:
                    state.set(False, state.inference)
                    switched = True
                grads = entry[1:]
                if plain:
                    grads = [g if g is None else _wrap(g) for g in grads]
                if node._pre_hooks:
                    grads = _run_pre_hooks(node, grads)
                if capture is not None and node in capture:
                    for i, nr in capture[node]:
                        captured[i] = grads[nr]
                if node.__class__ is AccumulateGrad:
                    if inputs is None:
                        g = grads[0]
                        _accumulate(node.variable, g._data if plain else g, create_graph)
                    continue
                results = _call(node, grads, keep_graph)
                if plain:
                    results = tuple([r if r is None else r._data for r in results])
            # Pass each result on to the node of its input. A node that becomes pending
            # here and is newer than every other pending node runs next, without the
            # heap or the pending dict (a chain of ops is a chain of such hand-overs).
            fns = node._fns
            if len(fns) == 1:  # one input (most ops): no loop
                nxt = fns[0]
                g = results[0] if results.__class__ is tuple else results
                if g is None or nxt is None:
                    continue
                meta = node._meta[0]
                if meta is not None:  # (None: the input has the gradient's shape and dtype)
                    g = _fit(g, meta, plain)
                seq = nxt._seq
                entry = get(seq)
                if entry is None:
                    if nxt.n_outputs == 1:
                        entry = [nxt, g]
                    else:
                        entry = [nxt] + [None] * nxt.n_outputs
                        entry[node._nrs[0] + 1] = g
                    if heap and -heap[0] > seq:
                        pending[seq] = entry
                        push(heap, -seq)
                    else:
                        following = entry
                    continue
                nr = node._nrs[0] + 1
                entry[nr] = g if entry[nr] is None else entry[nr] + g
                continue
            if results.__class__ is not tuple:
                results = (results,)
            fresh = None  # the entry of the last node made pending here, kept aside
            for nxt, nr, g, meta in zip(fns, node._nrs, results, node._meta):
                if nxt is None or g is None:
                    continue
                if meta is not None:
                    g = _fit(g, meta, plain)
                if fresh is not None and nxt is fresh[0]:
                    entry = fresh
                else:
                    entry = get(nxt._seq)
                    if entry is None:
                        if fresh is not None:  # (an older one goes to the heap)
                            seq = fresh[0]._seq
                            pending[seq] = fresh
                            push(heap, -seq)
                        if nxt.n_outputs == 1:
                            fresh = [nxt, g]
                        else:
                            fresh = [nxt] + [None] * nxt.n_outputs
                            fresh[nr + 1] = g
                        continue
                if entry[nr + 1] is None:
                    entry[nr + 1] = g
                else:
                    entry[nr + 1] = entry[nr + 1] + g
            if fresh is not None:
                seq = fresh[0]._seq
                if heap and -heap[0] > seq:
                    pending[seq] = fresh
                    push(heap, -seq)
                else:
                    following = fresh
    finally:
        if switched:
            state.set(prev_mode, state.inference)
        restore(quiet)
        if collecting:
            gc.enable()
    return captured


def _wrap(g) -> Tensor:
    """A gradient array as a Tensor, for code that takes Tensors (hooks, user
    Functions, ops without an array backward)."""
    return Tensor._make(g if g.__class__ is np.ndarray else np.asarray(g))


def reduced_axes(shape: tuple, size: tuple) -> tuple:
    """The axes to sum ``shape`` over to get ``size``, which must broadcast to it."""
    lead = len(shape) - len(size)
    if lead < 0 or any(s != 1 and s != shape[lead + i] for i, s in enumerate(size)):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size "
                           f"{{{list(shape)}}}.")
    return tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1)


def sum_to(a, size: tuple):
    """Array ``a`` summed down to ``size``, which broadcasts to its shape; to a NumPy
    scalar for ``size == ()`` (0-d results: see ``Tensor._array``)."""
    key = (a.shape, size)
    axes = _REDUCED.get(key)
    if axes is None:  # (working the axes out costs twice NumPy's sum of a small array)
        axes = reduced_axes(a.shape, size)
        if len(_REDUCED) > 1024:
            _REDUCED.clear()
        _REDUCED[key] = axes
    if not size:
        return np.add.reduce(a, axis=axes)
    out = np.add.reduce(a, axis=axes, keepdims=True)
    return out.reshape(size) if out.ndim != len(size) else out


_REDUCED: dict = {}  # (shape, size) -> the axes sum_to sums over


def _fit(g, meta: tuple, plain: bool):
    """A gradient summed down to its input's shape and cast to its dtype (``meta``):
    the one place broadcasting is undone."""
    shape, dtype = meta
    if plain:
        if g.shape != shape:
            g = sum_to(g, shape)
        return g if g.dtype == dtype else g.astype(dtype)
    data = g._data
    if data.shape != shape:
        g = g.sum_to_size(shape)
    if data.dtype != dtype:
        g = g.to(_dtype_of(dtype))
    return g




def _call(node, grads, keep_graph) -> tuple:
    """Run one node's backward; free its saved tensors unless the graph is kept."""
    if len(grads) > 1 and node._materialize_grads and any(g is None for g in grads):
        grads = [Tensor._make(np.zeros(*meta)) if g is None and meta is not None else g
                 for g, meta in zip(grads, node._out_meta)]
    results = node.backward(node, *grads)
    if results.__class__ is not tuple:
        results = (results,)
    n = len(node._nrs)  # (the inputs: _fns may leave out trailing ones)
    for r in results:
        if r is not None and not isinstance(r, Tensor):
            raise RuntimeError(f"expected Variable or None (got {type(r).__name__})")
    if len(results) != n:
        if len(results) > n and all(r is None for r in results[n:]):
            results = results[:n]  # extra trailing Nones are allowed, as in torch
        else:
            raise RuntimeError(
                f"function {type(node).__name__} returned an incorrect number of "
                f"gradients (expected {n}, got {len(results)})"
            )
    if not keep_graph:
        node._saved = None
    if node._post_hooks:
        for hook in list(node._post_hooks):
            out = hook(results, tuple(grads))
            if out is not None:
                results = tuple(out)
    if anomaly_mode.enabled:
        anomaly_mode.check(node, results)
    return results


def _hooked(hook, grad: Tensor) -> Tensor:
    """Run a tensor hook; a replacement must keep the gradient's shape and dtype."""
    out = hook(grad)
    if out is None:
        return grad
    name = getattr(hook, "__name__", type(hook).__name__)
    if not isinstance(out, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(out).__name__}'")
    if out._data.shape != grad._data.shape:
        raise RuntimeError(f"hook '{name}' has changed the size of value")
    if out._data.dtype != grad._data.dtype:
        from .._tensor import _TYPE_NAMES

        raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                           f"{_TYPE_NAMES[grad.dtype]} got {_TYPE_NAMES[out.dtype]})")
    return out


def _run_pre_hooks(node, grads: list) -> list:
    """Tensor hooks of the node's outputs, then the node's own pre-hooks."""
    grads = list(grads)
    for nr, hooks in node._pre_hooks.items():
        if nr < 0 or grads[nr] is None:
            continue
        for hook in list(hooks):
            grads[nr] = _hooked(hook, grads[nr])
    for hook in list(node._pre_hooks.get(-1, ())):
        out = hook(tuple(grads))
        if out is not None:
            grads = list(out)
    return grads


def _accumulate(t: Tensor, g, create_graph: bool) -> None:
    """Add a gradient (a Tensor with ``create_graph``, else an array) into a leaf's
    ``.grad``, after the leaf's hooks."""
    if t._hooks:
        g = g if create_graph else _wrap(g)
        for hook in list(t._hooks):
            g = _hooked(hook, g)
        g = g if create_graph else g._data
    _accumulate_lock.acquire()  # threads running backward into one shared leaf
    try:
        old = t._grad
        if create_graph:
            if old is None:
                t._grad = g
            else:
                t._grad = g = old + g
            g._array()  # .grad is written in place later (zero_, optimizers)
        elif old is None:
            if g.__class__ is not np.ndarray:  # a NumPy scalar (0-d): nothing to own
                t._grad = Tensor._make(g)
            else:
                # Own the memory, laid out as the leaf (as torch's .grad): the same
                # gradient may reach several leaves, and may be a transposed or
                # broadcast view.
                owned = np.empty_like(t._data)
                np.copyto(owned, g)
                t._grad = Tensor._make(owned)
        else:
            old._data += g  # (in place; a NumPy scalar is replaced, see Tensor._array)
            old._bump()
    finally:
        _accumulate_lock.release()
    hooks = t.__dict__.get("_post_acc_hooks")
    if hooks:
        for hook in list(hooks):
            hook(t)


def _dtype_of(np_dtype):
    from .._dtype import from_numpy_dtype

    return from_numpy_dtype(np_dtype)
