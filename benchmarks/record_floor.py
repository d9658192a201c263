"""The floor of a recorded op in this Python: W3's chain (``((x + 1.0) * 0.5).tanh()
.exp()`` on 10 float32 elements, through the same operator and method calls) recorded
with the least an engine of ember's shape could do per op: a Tensor, a node with its
edge tuple and saved values (a version-counted output entry for tanh and exp), the
NumPy call and one read of a per-thread grad mode. No other check (operand class and
dtype, number cache, forward mode, anomaly mode, output numbers): it records nothing
correct for other inputs, and exists to say how far ember's own record is from this
floor.

    python benchmarks/record_floor.py      # ns per op; compare W3 fwd (per op)
"""

import itertools
import threading
import timeit

import numpy as np

_sequence = itertools.count()


class Node:
    __slots__ = ("_fns", "_nrs", "_seq", "needs", "_meta", "_saved", "__dict__",
                 "__weakref__")


class AddNode(Node):
    pass


class MulNode(Node):
    pass


class TanhNode(Node):
    pass


class ExpNode(Node):
    pass


class _Mode(threading.local):
    mode = 1


_mode = _Mode()
_ONE, _HALF = np.array(1.0, np.float32), np.array(0.5, np.float32)
_NUMBER_SAVED = ((3, None), (3, 0.5, _HALF))


class Tensor:
    __slots__ = ("_data", "_rg", "grad_fn", "__dict__", "__weakref__")

    def __add__(self, other):  # (other: 1.0, given to NumPy as the 0-d array _ONE)
        out = np.add(self._data, _ONE)
        if _mode.mode:
            node = AddNode()
            node._seq = next(_sequence)
            node._fns, node._nrs = (self.grad_fn,), (0, 0)
            node.needs, node._meta, node._saved = (True, False), (None,), ()
            t = Tensor()
            t._data, t._rg, t.grad_fn = out, True, node
            return t

    def __mul__(self, other):  # (other: 0.5)
        out = np.multiply(self._data, _HALF)
        if _mode.mode:
            node = MulNode()
            node._seq = next(_sequence)
            node._fns, node._nrs = (self.grad_fn,), (0, 0)
            node.needs, node._meta, node._saved = (True, False), (None,), _NUMBER_SAVED
            t = Tensor()
            t._data, t._rg, t.grad_fn = out, True, node
            return t

    def _unary(self, fn, node_class):
        out = fn(self._data)
        if _mode.mode:
            node = node_class()
            node._seq = next(_sequence)
            node._fns, node._nrs = (self.grad_fn,), (0,)
            node.needs, node._meta = (True,), (None,)
            t = Tensor()
            t._data, t._rg, t.grad_fn = out, True, node
            t._vc = counter = [0]
            node._saved = ((1, out, counter, 0, 0),)
            return t

    def tanh(self):
        return self._unary(np.tanh, TanhNode)

    def exp(self):
        return self._unary(np.exp, ExpNode)


def chain(x):
    for _ in range(25):
        x = ((x + 1.0) * 0.5).tanh().exp()
    return x


def main():
    x = Tensor()
    x._data, x._rg, x.grad_fn = np.linspace(-1, 1, 10, dtype=np.float32), True, Node()
    best = min(timeit.repeat(lambda: chain(x), number=2000, repeat=7)) / 2000 / 100
    print(f"floor of a recorded op: {best * 1e9:.0f} ns")


if __name__ == "__main__":
    main()
