"""The autograd core against torch: backward, accumulation, retain_graph, hooks, grad
mode, in-place ops and version counters, higher derivatives, deep graphs."""

import threading

import numpy as np
import pytest
import torch

import ember

from conftest import STRESS_FULL, assert_same, raises_like


def both(fn):
    """Run ``fn(lib)`` on ember and on torch."""
    return fn(ember), fn(torch)


# ---------------------------------------------------------------- backward basics


def test_seed_cells_gradients_and_names():
    def run(lib):
        x = lib.tensor([-0.6297, 1.8933, -0.7387], requires_grad=True)
        y = x + 2
        z = (y * y * 2).mean()
        z.backward()
        return x, y, z

    (ex, ey, ez), (tx, ty, tz) = both(run)
    assert repr(ey) == repr(ty) and repr(ez) == repr(tz)
    assert_same(ex.grad, tx.grad, exact=True)
    assert type(ey.grad_fn).__name__ == "AddBackward0" == ey.grad_fn.name()
    assert ex.is_leaf and not ey.is_leaf and ey.requires_grad


def test_next_functions_mirror_torch():
    def names(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        c = lib.tensor([3.0, 4.0])
        z = ((x + 2) * c).sum()
        fn = z.grad_fn
        out = []
        stack = [fn]
        while stack:
            f = stack.pop()
            out.append(type(f).__name__)
            for nxt, nr in f.next_functions:
                out.append(None if nxt is None else (type(nxt).__name__, nr))
                if nxt is not None:
                    stack.append(nxt)
        return out

    assert names(ember) == names(torch)
    x = ember.tensor([1.0], requires_grad=True)
    acc = (x * 2).grad_fn.next_functions[0][0]
    assert type(acc).__name__ == "AccumulateGrad" and acc.variable is x


def test_gradients_accumulate_and_reset():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        (x * x).sum().backward()
        first = x.grad.clone()
        (x * 3).sum().backward()
        second = x.grad.clone()
        x.grad.zero_()
        (x ** 3).sum().backward()
        third = x.grad.clone()
        x.grad = None
        x.sum().backward()
        return first, second, third, x.grad

    e, t = both(run)
    assert_same(e, t)


def test_backward_with_gradient_is_a_vector_jacobian_product():
    def run(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = x * x + x
        y.backward(lib.tensor([[1.0, 0.5], [-1.0, 2.0]]))
        return x.grad

    assert_same(*both(run))


def test_non_scalar_backward_needs_gradient():
    err = raises_like(lambda: (ember.ones(3, requires_grad=True) * 2).backward(),
                      lambda: (torch.ones(3, requires_grad=True) * 2).backward())
    assert "grad can be implicitly created only for scalar outputs" in str(err)
    raises_like(lambda: ember.ones(3).sum().backward(), lambda: torch.ones(3).sum().backward())
    raises_like(lambda: (ember.ones(3, requires_grad=True) * 2).backward(ember.ones(2)),
                lambda: (torch.ones(3, requires_grad=True) * 2).backward(torch.ones(2)))


def test_second_backward_through_freed_graph_raises():
    def build(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        return (x * x).sum()

    ez, tz = both(build)
    ez.backward()
    tz.backward()
    err = raises_like(ez.backward, tz.backward)
    assert "retain_graph=True" in str(err)


def test_retain_graph_allows_a_second_backward():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        z = (x * x).sum()
        z.backward(retain_graph=True)
        z.backward()
        return x.grad

    assert_same(*both(run))


def test_broadcast_gradients_sum_to_each_input_shape():
    def run(lib):
        a = lib.tensor([[1.0], [2.0]], requires_grad=True)  # (2, 1)
        b = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)  # (3,)
        c = lib.tensor(2.0, requires_grad=True)  # ()
        ((a * b + c) ** 2).sum().backward()
        return a.grad, b.grad, c.grad

    assert_same(*both(run))


def test_diamond_and_reuse():
    def run(lib):
        x = lib.tensor([0.5, -1.0], requires_grad=True)
        a = x.exp()
        b = a * x
        c = a + b
        d = (c * a).sum() + b.sum()
        d.backward()
        return x.grad

    assert_same(*both(run))


def test_create_graph_gives_higher_derivatives():
    def run(lib):
        x = lib.tensor([0.3, 1.2], requires_grad=True)
        y = (x.sin() * x ** 3).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x, create_graph=True)
        (k,) = lib.autograd.grad(h.sum(), x)
        return g, h, k

    e, t = both(run)
    assert_same(e, t)


def test_backward_create_graph_puts_a_graph_in_grad():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (x ** 3).sum().backward(create_graph=True)
        g = x.grad
        assert g.requires_grad
        x.grad = None
        g.sum().backward()
        return x.grad

    assert_same(*both(run))


def test_backward_inputs_only_accumulates_into_them():
    def run(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0], requires_grad=True)
        (a * b).sum().backward(inputs=[a])
        return a.grad, b.grad

    assert_same(*both(run))


def test_autograd_grad_unused_input():
    def unused(lib):
        a = lib.tensor([1.0], requires_grad=True)
        b = lib.tensor([1.0], requires_grad=True)
        return lib.autograd.grad((a * 2).sum(), [a, b])

    raises_like(lambda: unused(ember), lambda: unused(torch))

    def allowed(lib):
        a = lib.tensor([1.0], requires_grad=True)
        b = lib.tensor([1.0], requires_grad=True)
        return lib.autograd.grad((a * 2).sum(), [a, b], allow_unused=True)

    e, t = both(allowed)
    assert_same(e[0], t[0]) and e[1] is None and t[1] is None


def test_backward_from_a_leaf():
    def run(lib):
        x = lib.tensor(2.0, requires_grad=True)
        x.backward()
        return x.grad

    assert_same(*both(run))


def test_branch_that_gets_no_gradient_does_not_block_others():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a = x * 2
        b = x * 3
        out = (a.sum() + b.sum() * 0) if lib is None else b.sum()  # a unused by the root
        out.backward()
        return x.grad

    assert_same(*both(run))


# ---------------------------------------------------------------- detach, requires_grad_


def test_detach_and_requires_grad_():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        d = x.detach()
        y = x * 2
        y.detach_()
        w = lib.tensor([1.0, 2.0]).requires_grad_()
        return (d.requires_grad, d.is_leaf, y.requires_grad, y.grad_fn is None,
                w.requires_grad, (x * 2).requires_grad)

    assert both(run)[0] == both(run)[1]
    raises_like(lambda: (ember.ones(2, requires_grad=True) * 2).requires_grad_(False),
                lambda: (torch.ones(2, requires_grad=True) * 2).requires_grad_(False))


def test_retain_grad_on_non_leaf():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.retain_grad()
        z = y * y
        z.sum().backward()
        return y.grad, x.grad, y.retains_grad

    (eg, ex, er), (tg, tx, tr) = both(run)
    assert_same(eg, tg) and assert_same(ex, tx)
    assert er == tr


def test_register_hook_on_leaf_and_non_leaf():
    def run(lib):
        seen = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.register_hook(lambda g: seen.append(g.clone()))
        h = x.register_hook(lambda g: g * 10)
        (y * y).sum().backward()
        first = x.grad.clone()
        h.remove()
        x.grad = None
        (x * 1).sum().backward()
        return seen[0], first, x.grad

    assert_same(*both(run))


# ---------------------------------------------------------------- grad mode


def test_no_grad_enable_grad_set_grad_enabled():
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        with lib.no_grad():
            a = x * 2
            with lib.enable_grad():
                b = x * 2
        with lib.set_grad_enabled(False):
            c = x * 2
        lib.set_grad_enabled(False)
        d = x * 2
        lib.set_grad_enabled(True)
        with lib.inference_mode():
            e = x * 2
        with lib.inference_mode(False):
            f = x * 2
        return [t.requires_grad for t in (a, b, c, d, e, f)] + [lib.is_grad_enabled()]

    assert both(run)[0] == both(run)[1]


def test_grad_modes_as_decorators():
    def run(lib):
        @lib.no_grad()
        def f(x):
            return x * 2

        @lib.no_grad
        def g(x):
            return x * 2

        @lib.enable_grad()
        def h(x):
            return x * 2

        @lib.inference_mode()
        def k(x):
            return x * 2

        x = lib.ones(1, requires_grad=True)
        with lib.no_grad():
            inner = h(x).requires_grad
        return f(x).requires_grad, g(x).requires_grad, inner, k(x).requires_grad

    assert both(run)[0] == both(run)[1]


def test_grad_mode_is_per_thread():
    seen = {}

    def worker():
        seen["enabled"] = ember.is_grad_enabled()
        seen["result"] = (ember.ones(1, requires_grad=True) * 2).requires_grad

    with ember.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert not ember.is_grad_enabled()
    assert seen == {"enabled": True, "result": True}


# ---------------------------------------------------------------- in-place


def test_in_place_on_leaf_requiring_grad_raises():
    err = raises_like(lambda: ember.ones(2, requires_grad=True).add_(1),
                      lambda: torch.ones(2, requires_grad=True).add_(1))
    assert "leaf Variable that requires grad" in str(err)

    def under_no_grad(lib):
        w = lib.ones(2, requires_grad=True)
        with lib.no_grad():
            w -= 0.5
            w *= 3
        return w, w.requires_grad, w.is_leaf

    e, t = both(under_no_grad)
    assert_same(e[0], t[0]) and e[1:] == t[1:]


def test_in_place_on_non_leaf_records_the_op():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x * 2
        y.add_(1)
        y.mul_(x)
        name = type(y.grad_fn).__name__
        y.sum().backward()
        return x.grad, name, y._version

    (eg, en, ev), (tg, tn, tv) = both(run)
    assert_same(eg, tg)
    assert en == tn and ev == tv


def test_modifying_a_saved_tensor_raises_at_backward():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        z = (y * y).sum()  # saves y
        y.add_(1)
        return z

    ez, tz = both(run)
    err = raises_like(ez.backward, tz.backward)
    assert "modified by an inplace operation" in str(err)
    assert "is at version 1; expected version 0" in str(err)


def test_modifying_a_saved_output_raises_at_backward():
    ex, tx = [lib.tensor([1.0, 2.0], requires_grad=True) for lib in (ember, torch)]
    ey, ty = ex.exp(), tx.exp()  # exp saves its output
    with ember.no_grad():
        ey.mul_(2)
    with torch.no_grad():
        ty.mul_(2)
    raises_like(lambda: ey.sum().backward(), lambda: ty.sum().backward())


def test_in_place_through_a_view_updates_the_base_graph():
    def run(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = x * 1
        y[:, 0] *= 3
        y[1].add_(x[0])
        y.sum().backward()
        return y, x.grad

    e, t = both(run)
    assert_same(e, t)


def test_view_of_leaf_in_place_raises():
    def run(lib):
        x = lib.ones(2, 2, requires_grad=True)
        x[0].add_(1)

    raises_like(lambda: run(ember), lambda: run(torch))


def test_views_share_memory_and_version():
    x = ember.zeros(2, 3)
    v = x[0]
    w = x.view(6)
    v[1] = 5.0
    w.add_(1)
    assert x.tolist() == [[1.0, 6.0, 1.0], [1.0, 1.0, 1.0]]
    assert x._version == v._version == w._version == 2


def test_setitem_gradients_reach_tensor_and_value():
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        v = lib.tensor(5.0, requires_grad=True)
        y = x * 2
        y[1] = v * v
        (y * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        return x.grad, v.grad

    assert_same(*both(run))


# ---------------------------------------------------------------- depth


def test_deep_chain_has_no_recursion_limit():
    n = 1_000_000 if STRESS_FULL else 100_000
    x = ember.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.0000001 + 1e-7
    y.backward()
    # The gradient is the product of the n float32 multipliers, taken in order.
    expected = np.cumprod(np.full(n, 1.0000001, dtype=np.float32))[-1]
    assert abs(x.grad.item() - expected) / expected < 1e-5


def test_graph_is_freed_after_backward():
    import gc
    import weakref

    x = ember.ones(3, requires_grad=True)
    y = x.exp()
    ref = weakref.ref(y.grad_fn)
    y.sum().backward()
    del y
    gc.collect()
    assert ref() is None


def test_seed_training_loop_matches_torch_bit_for_bit():
    def run(lib):
        x = lib.tensor([1, 2, 3, 4], dtype=lib.float32)
        y = lib.tensor([2, 4, 6, 8], dtype=lib.float32)
        w = lib.tensor(0.0, dtype=lib.float32, requires_grad=True)
        out = []
        for _ in range(50):
            loss = ((y - w * x) ** 2).mean()
            loss.backward()
            with lib.no_grad():
                w -= 0.01 * w.grad
            w.grad.zero_()
            out.append((w.item(), loss.item()))
        return out

    assert both(run)[0] == both(run)[1]


def test_float64_and_float16_keep_their_dtype_through_backward():
    for dt in ("float64", "float16"):
        def run(lib):
            x = lib.tensor([0.5, 1.5], dtype=getattr(lib, dt), requires_grad=True)
            y = (x.exp() * x + x / 3).sum()
            y.backward()
            return y, x.grad

        e, t = both(run)
        assert_same(e, t)


def test_gradcheck_catches_a_wrong_derivative():
    class BadExp(ember.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a.exp()

        @staticmethod
        def backward(ctx, grad):
            return grad  # wrong: should be grad * exp(a)

    x = ember.tensor([0.5, 1.0], dtype=ember.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        ember.autograd.gradcheck(BadExp.apply, (x,))
    assert not ember.autograd.gradcheck(BadExp.apply, (x,), raise_exception=False)


@pytest.mark.parametrize("op", ["relu", "exp", "tanh", "sigmoid", "sqrt"])
def test_plain_backward_on_arrays_still_checks_saved_outputs(op):
    # these ops' plain backward reads the saved output as an array: the version check
    # must still catch an in-place change, as torch does
    for lib in (ember, torch):
        x = lib.tensor([0.5, 1.5], requires_grad=True)
        y = getattr(x * 1, op)()
        y.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_hot_paths_follow_every_grad_mode():
    """The operators, one-input ops and ``x ** n`` read one summary of grad and inference
    mode: their results carry torch's requires_grad, grad_fn and inference flag in every
    mode, nested and restored, and in a thread started inside no_grad."""
    def results(lib, x):
        ops = [x * 2.0, x + x, 1.0 - x, x.tanh(), x ** 2, x / 4, -x]
        return [(t.requires_grad, type(t.grad_fn).__name__, t.is_inference()) for t in ops]

    def run(lib):
        x = lib.tensor([0.5, -1.0], requires_grad=True)
        out = [results(lib, x)]
        with lib.no_grad():
            out.append(results(lib, x))
            with lib.enable_grad():
                out.append(results(lib, x))
            with lib.inference_mode():
                out.append(results(lib, x))
            out.append(results(lib, x))
        with lib.inference_mode():
            out.append(results(lib, x))
            with lib.inference_mode(False):
                out.append(results(lib, x))
        with lib.no_grad(), lib.inference_mode(False):
            out.append(results(lib, x))
        lib.set_grad_enabled(False)
        out.append(results(lib, x))
        lib.set_grad_enabled(True)
        out.append(results(lib, x))
        seen = []
        with lib.no_grad():
            thread = threading.Thread(target=lambda: seen.append(results(lib, x)))
            thread.start()
            thread.join()
        return out + seen

    e, t = run(ember), run(torch)
    assert e == t


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("outer", ["enabled", "no_grad"])
@pytest.mark.parametrize("code", ["function", "leaf hook", "post accumulate", "unpack",
                                  "tensor hook", "pre-hook"])
def test_grad_mode_seen_by_code_run_in_backward(code, create_graph, outer):
    """Each kind of user code run by backward, alone in its graph (the engine sets grad
    mode only when such code runs), sees grad mode = create_graph, as in torch; the
    mode is restored after."""
    def run(lib):
        seen = []
        mode = lambda *args: seen.append(lib.is_grad_enabled())

        class Square(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, g):
                mode()
                (x,) = ctx.saved_tensors
                return 2 * x * g

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        if code == "leaf hook":
            x.register_hook(mode)
        if code == "post accumulate":
            x.register_post_accumulate_grad_hook(mode)
        if code == "unpack":
            with lib.autograd.graph.saved_tensors_hooks(lambda t: t,
                                                        lambda t: (mode(), t)[1]):
                y = (x * 3.0).exp()
        else:
            y = (x * 3.0).exp()
        if code == "tensor hook":
            y.register_hook(mode)
        if code == "pre-hook":
            y.grad_fn.register_prehook(mode)
        z = (Square.apply(y) if code == "function" else y * 2.0).sum()
        with lib.no_grad() if outer == "no_grad" else lib.enable_grad():
            z.backward(create_graph=create_graph)
            seen.append(("after", lib.is_grad_enabled()))
        return seen

    seen = run(ember)
    assert len(seen) >= 2 and seen == run(torch)


def test_plain_backward_of_array_ops_leaves_grad_mode_alone():
    # (nothing runs that could record: the engine does not switch the mode at all)
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    ((x * 2.0 + 1.0).tanh().sum()).backward()
    assert ember.is_grad_enabled() and x.grad is not None
    with ember.no_grad():
        y = x * 1.0
    assert not y.requires_grad


def test_zero_d_gradients_accumulate_and_zero_as_torch():
    """A 0-d leaf's .grad may hold a NumPy scalar (no memory to own): accumulating,
    zero_, fill_, in-place updates and a NumPy view of it behave as torch's."""
    def run(lib):
        w = lib.tensor(1.5, requires_grad=True)
        out = []
        for _ in range(2):
            (w * 3.0).backward()
            out.append(w.grad.clone())
        g = w.grad
        g.zero_()
        out.append(g.clone())
        (w * w).backward()
        out.append(w.grad.clone())
        view = w.grad.numpy()
        w.grad.fill_(2.0)
        out.append(lib.tensor(float(view)))  # the view sees the fill
        w.grad.mul_(3)
        (w * 1.0).backward()
        out.append(w.grad.clone())
        with lib.no_grad():
            w -= 0.1 * w.grad
        out.append(w.detach().clone())
        return out, g is w.grad, w.grad._version if hasattr(w.grad, "_version") else None

    e, t = run(ember), run(torch)
    assert_same(e[0], t[0], exact=True)
    assert e[1] and t[1]
    assert e[2] == t[2]


@pytest.mark.parametrize("op", [
    lambda t: t.sin(), lambda t: t.log(), lambda t: t.tanh(), lambda t: t.sigmoid(),
    lambda t: t.relu(), lambda t: t ** 2, lambda t: t ** 3, lambda t: t * 3.0,
    lambda t: t / 4.0,
], ids=["sin", "log", "tanh", "sigmoid", "relu", "pow2", "pow3", "mul_number",
        "div_number"])
@pytest.mark.parametrize("change", ["input", "output", "view_of_input", "none"])
def test_one_value_ops_check_what_they_saved(op, change):
    # A plain backward reads a one-input op's saved value straight from its entry
    # (saved_one) and a number node's from its shared form: a value changed in place
    # since must still raise torch's error, an unchanged one give torch's gradient.
    def run(lib):
        x = lib.tensor([0.5, 1.5, 2.5], requires_grad=True)
        h = x * 1  # (a non-leaf input, which may change in place)
        y = op(h)
        with lib.no_grad():
            if change == "input":
                h.add_(1)
            elif change == "output":
                y.mul_(2)
            elif change == "view_of_input":
                h[1:].mul_(2)
        return x, y

    (ex, ey), (tx, ty) = run(ember), run(torch)
    try:
        ty.sum().backward()
    except RuntimeError:
        raises_like(lambda: ey.sum().backward(), lambda: run(torch)[1].sum().backward())
        return
    ey.sum().backward()
    assert_same(ex.grad, tx.grad)


def test_product_of_a_tensor_with_itself_gives_torch_gradients():
    # x * x's plain backward makes one product for both gradients (the same numbers):
    # the sum into one node, and two leaves that share memory, get torch's values.
    def run(lib):
        x = lib.tensor([0.3, -1.7, 2.9, 1e-3], requires_grad=True)
        y = x * 1.5
        (y * y).sum().backward()
        a = lib.tensor([0.25, -3.5, 7.0])
        a.requires_grad_()
        b = a.detach().requires_grad_()  # (shares a's memory)
        (a * b * lib.tensor([1.0, 2.0, 3.0])).sum().backward()
        c = lib.tensor([1.5, -0.5], requires_grad=True)
        (g,) = lib.autograd.grad((c * c).sum(), c, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), c)
        return x.grad, a.grad, b.grad, g, gg

    assert_same(run(ember), run(torch), exact=True)


@pytest.mark.parametrize("make", [
    lambda x: x.unbind(0)[1] * 2.0, lambda x: x.unbind(0)[1].tanh(),
    lambda x: x.unbind(0)[0].exp() + x.unbind(0)[1] * 3.0, lambda x: x.max(1)[0].sigmoid(),
    lambda x: x.split(1, 0)[1].mean(), lambda x: x.chunk(2, 1)[1] ** 2,
    lambda x: 1.0 - x.unbind(1)[1],
])
def test_one_edge_hand_over_to_any_output_of_a_node(make):
    # a node with one edge hands its gradient to the next node without the edge loop,
    # also when its input is output 1 of a multi-output node
    def run(lib):
        x = lib.tensor([[0.5, 1.5], [2.0, -1.0]], requires_grad=True)
        make(x).sum().backward()
        return x.grad

    assert_same(run(ember), run(torch))
