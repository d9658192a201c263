"""The recording hot paths of the operators and one-input ops (``arith_method``,
``unary_method``) against torch where their shortcuts could go wrong: the number an
operator keeps from its last call, ``number - x`` and ``x ** n`` as one-input nodes,
each op's own copy of the hot path's code, and grad mode kept per context."""

import asyncio
import contextvars
import threading

import numpy as np
import pytest
import torch

import ember
from ember.autograd.function import _own_code, unary_method
from ember.ops import pointwise

from conftest import assert_same


def _operands(lib):
    return [lib.tensor([0.3, -1.7, 2.5], dtype=lib.float32, requires_grad=True),
            lib.tensor([0.3, -1.7, 2.5], dtype=lib.float64, requires_grad=True),
            lib.tensor(1.3, dtype=lib.float32, requires_grad=True) * 1.0,  # a 0-d result
            lib.tensor([3, -2, 7]),
            lib.tensor([0.3, -1.7], dtype=lib.float16)]


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
def test_one_number_object_across_dtypes_and_kinds(op):
    """An operator keeps the last number it was given with its array and dtype, and
    recognises the number by identity: the same number object with tensors of other
    dtypes, a 0-d result, an integer tensor, or again after them, must still give
    torch's values, dtypes and gradients."""
    number = 0.1  # one object for every call below
    fn = {"add": lambda a: a + number, "sub": lambda a: a - number,
          "mul": lambda a: a * number, "div": lambda a: a / number}[op]

    def run(lib):
        xs = _operands(lib)
        outs = [fn(x) for x in xs + xs[:2]]  # (float32 and float64 again, after the others)
        grads = []
        for x, y in zip(xs[:2], outs[:2]):
            y.sum().backward()
            grads.append(x.grad)
        return outs, grads

    (e_outs, e_grads), (t_outs, t_grads) = run(ember), run(torch)
    for e, t in zip(e_outs, t_outs):
        assert_same(e, t, exact=e.dtype != ember.float16)
    assert_same(e_grads, t_grads, exact=True)


def test_numbers_left_to_numpy_are_not_kept():
    """Zero (its sign), nan and large integers go to NumPy as they are: an operator
    must not reuse another number's array for them (-0.0 == 0.0 as a key)."""
    numbers = [0.5, 0.0, -0.0, 0.0, float("nan"), 2**25, 2**25 + 1, 3, -0.0]

    def run(lib):
        x = lib.tensor([0.5, -2.0], requires_grad=True)
        outs = []
        for n in numbers:
            outs += [x * n, x + n, n - x]
        outs[4].sum().backward()
        return outs + [x.grad]

    for e, t in zip(run(ember), run(torch)):
        assert_same(e, t, exact=True)
        np.testing.assert_array_equal(np.signbit(e.detach().numpy()),
                                      np.signbit(t.detach().numpy()))


@pytest.mark.parametrize("make", [lambda x: 1 - x, lambda x: 2.5 - x, lambda x: x ** 3,
                                  lambda x: x ** 0.5, lambda x: 1 - (1 - x)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_number_minus_x_and_powers_as_torch(make, dtype):
    """``n - x`` (RsubBackward1, one edge) and ``x ** n`` (PowBackward0) recorded by
    unary_method: values, node names, edges and gradients as torch's, on float and
    integer tensors and 0-d results."""
    def run(lib):
        base = lib.tensor([0.25, 1.5, 4.0] if dtype != "int64" else [1, 2, 4],
                          dtype=getattr(lib, dtype))
        if dtype == "int64":
            return [make(base), make(base[0])], None, None
        x = base.clone().requires_grad_()
        y = make(x)
        y.backward(lib.ones_like(y))
        s = make((x * 1.0)[1])  # a 0-d result of a recorded op
        fn = y.grad_fn
        return [y, s], x.grad, (fn.name(), [None if f is None else f.name()
                                            for f, _ in fn.next_functions])

    (e, eg, enode), (t, tg, tnode) = run(ember), run(torch)
    assert_same(e, t)
    assert_same(eg, tg)
    assert enode == tnode


def test_rsub_and_pow_nodes_match_apply_under_anomaly_mode():
    """With anomaly mode on, the hot paths hand over to Function.apply: the same node
    and gradient as without it."""
    x = ember.tensor([0.5, 2.0], requires_grad=True)
    plain = [1 - x, x ** 2, x.tanh()]
    with ember.autograd.detect_anomaly():
        watched = [1 - x, x ** 2, x.tanh()]
    for p, w in zip(plain, watched):
        assert type(p.grad_fn) is type(w.grad_fn)
        assert p.grad_fn.next_functions == w.grad_fn.next_functions
        gp = ember.autograd.grad(p.sum(), x)[0]
        gw = ember.autograd.grad(w.sum(), x)[0]
        np.testing.assert_array_equal(gp.numpy(), gw.numpy())
    assert watched[1].grad_fn.exponent == plain[1].grad_fn.exponent == 2


def test_each_op_has_its_own_hot_path_code():
    """The hot paths are made per op with their own code object (see _own_code); a
    copy behaves as the function it copies: defaults, keyword defaults, closure."""
    ops = [ember.Tensor.__add__, ember.Tensor.__mul__, ember.Tensor.tanh, ember.Tensor.exp,
           ember.Tensor.__pow__, ember.Tensor.__rsub__]
    assert len({id(f.__code__) for f in ops}) == len(ops)

    k = 10

    def f(a, b=2, *, c=3):
        return a * b + c + k

    g = _own_code(f)
    assert g.__code__ is not f.__code__
    assert g(1) == f(1) == 15 and g(1, 5, c=0) == f(1, 5, c=0) == 15
    assert g.__kwdefaults__ == {"c": 3} and g.__defaults__ == (2,)


def test_unary_method_refuses_an_unknown_saves():
    with pytest.raises(ValueError, match="saves"):
        unary_method(pointwise.Exp, np.exp, "outputs", None)


def test_grad_mode_is_per_thread_and_per_context():
    """Grad mode lives in context variables: a new thread starts with it on (as
    torch's); a no_grad inside one asyncio task (or copied context) does not reach
    another, which keeps recording."""
    x = ember.ones(2, requires_grad=True)
    seen = {}

    def worker():
        seen["thread"] = (x * 2).requires_grad

    with ember.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        seen["inside"] = (x * 2).requires_grad
    assert seen == {"thread": True, "inside": False}

    async def quiet(started, release):
        with ember.no_grad():
            started.set()
            await release.wait()
            return (x * 2).requires_grad, ember.is_grad_enabled()

    async def loud(started, release):
        await started.wait()
        result = (x * 2).requires_grad, ember.is_grad_enabled()
        release.set()
        return result

    async def main():
        started, release = asyncio.Event(), asyncio.Event()
        return await asyncio.gather(quiet(started, release), loud(started, release))

    assert asyncio.run(main()) == [(False, False), (True, True)]
    assert ember.is_grad_enabled()

    def off():
        ember.set_grad_enabled(False)
        return (x * 2).requires_grad

    assert contextvars.copy_context().run(off) is False
    assert (x * 2).requires_grad and ember.is_grad_enabled()


def test_nested_saved_tensor_hooks_as_torch():
    """The hooks' stack (a tuple in a context variable): the innermost pair packs,
    the outer one again after it exits, the same object may be entered twice."""
    def run(lib):
        calls = []
        outer = lib.autograd.graph.saved_tensors_hooks(
            lambda t: calls.append("outer") or t, lambda t: t)
        inner = lib.autograd.graph.saved_tensors_hooks(
            lambda t: calls.append("inner") or t, lambda t: t)
        x = lib.tensor([0.5, 1.5], requires_grad=True)
        with outer:
            a = x.exp()
            with inner:
                b = x.exp()
                with outer:
                    c = x.exp()
                d = x.exp()
            e = x.exp()
        f = x.exp()
        (a + b + c + d + e + f).sum().backward()
        return calls, x.grad

    (e_calls, e_grad), (t_calls, t_grad) = run(ember), run(torch)
    assert e_calls == t_calls
    assert_same(e_grad, t_grad)
