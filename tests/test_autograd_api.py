"""The rest of torch.autograd against torch: custom Functions, autograd.grad,
the functional API, forward mode, anomaly detection, hooks, saved-tensor hooks,
checkpointing."""

import importlib

import numpy as np
import pytest
import torch
import torch.utils.checkpoint

import ember
import ember.utils.checkpoint

from conftest import assert_same, raises_like
from opinfo import OPS


def both(fn):
    return fn(ember), fn(torch)


# ---------------------------------------------------------------- custom Function


def _legendre(lib):
    class LegendrePolynomial3(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input ** 3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input ** 2 - 1)

    return LegendrePolynomial3


def test_custom_function_forward_backward_and_name():
    def run(lib):
        x = lib.tensor([0.5, -0.3, 1.2], requires_grad=True)
        y = _legendre(lib).apply(x)
        y.sum().backward()
        return y, x.grad, repr(y), y.grad_fn.name(), (x * 1).grad_fn.next_functions[0][0].name()

    (ey, eg, er, en, ea), (ty, tg, tr, tn, ta) = both(run)
    assert_same(ey, ty) and assert_same(eg, tg)
    assert (er, en, ea) == (tr, tn, ta)


def test_custom_function_higher_order_through_backward():
    def run(lib):
        x = lib.tensor([0.5, -0.3], dtype=lib.float64, requires_grad=True)
        y = _legendre(lib).apply(x).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        return g, h

    assert_same(*both(run))


def test_setup_context_and_non_differentiable_outputs():
    def run(lib):
        class Sq(lib.autograd.Function):
            @staticmethod
            def forward(x):
                return x * x, x > 0

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(inputs[0])
                ctx.mark_non_differentiable(output[1])

            @staticmethod
            def backward(ctx, g, g_mask):
                (x,) = ctx.saved_tensors
                return 2 * x * g

        x = lib.tensor([1.0, -2.0], requires_grad=True)
        a, m = Sq.apply(x)
        a.sum().backward()
        return a, m, m.requires_grad, x.grad

    (ea, em, er, eg), (ta, tm, tr, tg) = both(run)
    assert_same(ea, ta) and assert_same(em, tm) and assert_same(eg, tg)
    assert er == tr


def test_needs_input_grad_and_ctx_attributes():
    def run(lib):
        seen = []

        class Scale(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y, k):
                ctx.k = k
                seen.append(ctx.needs_input_grad)
                ctx.save_for_backward(x, y)
                return x * y * k

            @staticmethod
            def backward(ctx, g):
                x, y = ctx.saved_tensors
                return (g * y * ctx.k if ctx.needs_input_grad[0] else None,
                        g * x * ctx.k if ctx.needs_input_grad[1] else None, None)

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = lib.tensor([3.0, 4.0])
        Scale.apply(x, y, 2.0).sum().backward()
        return seen, x.grad

    (es, eg), (ts, tg) = both(run)
    assert es == ts
    assert_same(eg, tg)


def test_mark_dirty_in_place_function():
    def run(lib):
        class AddOne(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.add_(1)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        z = x * 2
        w = AddOne.apply(z)
        (w * w).sum().backward()
        return w is z, z, x.grad

    (e_same, ez, eg), (t_same, tz, tg) = both(run)
    assert e_same == t_same
    assert_same(ez, tz) and assert_same(eg, tg)


def test_wrong_number_of_gradients_raises():
    def run(lib):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, y):
                return x + y

            @staticmethod
            def backward(ctx, g):
                return g

        x = lib.ones(2, requires_grad=True)
        Bad.apply(x, x).sum().backward()

    err = raises_like(lambda: run(ember), lambda: run(torch))
    assert "incorrect number of gradients" in str(err)


def test_once_differentiable_refuses_double_backward():
    def run(lib):
        class Exp(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                r = x.exp()
                ctx.save_for_backward(r)
                return r

            @staticmethod
            @lib.autograd.function.once_differentiable
            def backward(ctx, g):
                (r,) = ctx.saved_tensors
                return g * r

        x = lib.tensor([0.5, 1.0], requires_grad=True)
        y = Exp.apply(x) * x  # the incoming gradient depends on x: grad of grad exists
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        g.sum().backward()

    raises_like(lambda: run(ember), lambda: run(torch))


# ---------------------------------------------------------------- higher order


def test_third_derivative_of_sin():
    def run(lib):
        x = lib.tensor([0.3, 1.1, -2.0], dtype=lib.float64, requires_grad=True)
        y = x.sin().sum()
        out = []
        for _ in range(3):
            (y,) = lib.autograd.grad(y, x, create_graph=True)
            out.append(y)
            y = y.sum()
        return out

    assert_same(*both(run))


def test_hessian_of_a_small_network():
    rng = np.random.default_rng(0)
    w1, w2, data = rng.standard_normal((4, 3)), rng.standard_normal(4), rng.standard_normal(3)

    def run(lib):
        a, b, d = (lib.tensor(v) for v in (w1, w2, data))

        def net(x):
            return ((a @ x).tanh() * b).sum().sigmoid()

        return lib.autograd.functional.hessian(net, d)

    assert_same(*both(run))


# ---------------------------------------------------------------- functional API

FUNCS = {
    "single": (lambda lib: lambda a: a ** 2 * 3, "x"),
    "tuple_in": (lambda lib: lambda a, b: (a * b.sum()).exp(), "xy"),
    "tuple_out": (lambda lib: lambda a: (a.sin(), a.sum()), "x"),
    "scalar": (lambda lib: lambda a: (a.exp() * a).sum(), "x"),
    "scalar_tuple_in": (lambda lib: lambda a, b: (a * a).sum() * (b * b).sum(), "xy"),
}


def _inputs(lib, which):
    x = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64)
    y = lib.tensor([[1.0, 2.0], [0.5, 0.1]], dtype=lib.float64)
    return x if which == "x" else (x, y)


def _compare_nested(e, t):
    if isinstance(t, tuple):
        assert isinstance(e, tuple) and len(e) == len(t)
        for a, b in zip(e, t):
            _compare_nested(a, b)
    else:
        assert_same(e, t)


@pytest.mark.parametrize("name", sorted(FUNCS))
def test_jacobian_matches_torch(name):
    make, which = FUNCS[name]
    e, t = both(lambda lib: lib.autograd.functional.jacobian(make(lib), _inputs(lib, which)))
    _compare_nested(e, t)


@pytest.mark.parametrize("name", ["scalar", "scalar_tuple_in"])
def test_hessian_matches_torch(name):
    make, which = FUNCS[name]
    e, t = both(lambda lib: lib.autograd.functional.hessian(make(lib), _inputs(lib, which)))
    _compare_nested(e, t)


@pytest.mark.parametrize("api", ["vjp", "jvp", "vhp", "hvp"])
def test_vector_products_match_torch(api):
    for name, (make, which) in FUNCS.items():
        if api in ("vhp", "hvp") and not name.startswith("scalar"):
            continue

        def run(lib):
            inputs = _inputs(lib, which)
            fn = make(lib)
            if api == "vjp":
                out = fn(*inputs) if isinstance(inputs, tuple) else fn(inputs)
                v = tuple(lib.ones_like(o) for o in out) if isinstance(out, tuple) else \
                    lib.ones_like(out)
            else:
                v = tuple(lib.ones_like(i) * 0.5 for i in inputs) if isinstance(
                    inputs, tuple) else lib.ones_like(inputs) * 0.5
            return getattr(lib.autograd.functional, api)(fn, inputs, v)

        e, t = both(run)
        _compare_nested(e, t)


def test_functional_misuse_raises_like_torch():
    raises_like(lambda: ember.autograd.functional.vjp(lambda a: a * 2, ember.ones(3)),
                lambda: torch.autograd.functional.vjp(lambda a: a * 2, torch.ones(3)))
    raises_like(lambda: ember.autograd.functional.jacobian(lambda a: a, [1.0]),
                lambda: torch.autograd.functional.jacobian(lambda a: a, [1.0]))


# ---------------------------------------------------------------- forward mode

# One sample per differentiable op; rows whose only sample is empty are left out, as
# a tangent through an empty reduction to -inf is a 0-over-nothing torch itself answers
# differently in its two modes (nan forward, 0 reverse).
# Forward mode derives each op's JVP from its double backward, so it covers exactly the
# rows with second derivatives.
FW_CASES = [(op, op.samples[0]) for op in OPS if op.grad and op.gradgrad
            and op.dtype == "float" and all(0 not in s for s in op.shapes(op.samples[0]))]


@pytest.mark.parametrize("op,sample", FW_CASES, ids=[op.id for op, _ in FW_CASES])
def test_forward_mode_jvp_equals_reverse_mode(op, sample):
    """J @ v from forward mode equals the reverse-mode Jacobian times v."""
    fwAD = importlib.import_module("ember.autograd.forward_ad")
    rng = np.random.default_rng(7)
    shapes = op.shapes(sample)
    arrays = [rng.uniform(op.low, op.high, size=s) for s in shapes]
    for p in op.away_from:
        arrays = [np.where(np.abs(a - p) < op.avoid_width, p + 2 * op.avoid_width, a)
                  for a in arrays]
    tangents = [rng.standard_normal(s) for s in shapes]
    xs = [ember.tensor(a) for a in arrays]
    with fwAD.dual_level():
        duals = [fwAD.make_dual(x, ember.tensor(t)) for x, t in zip(xs, tangents)]
        out = op.op(ember, *duals)
        jvp_fw = fwAD.unpack_dual(out).tangent
    jvp_rev = ember.autograd.functional.jvp(lambda *a: op.op(ember, *a), tuple(xs),
                                            tuple(ember.tensor(t) for t in tangents))[1]
    assert jvp_fw is not None
    np.testing.assert_allclose(jvp_fw.numpy(), jvp_rev.numpy(), rtol=1e-8, atol=1e-10)
    # and torch's forward mode agrees
    tfw = importlib.import_module("torch.autograd.forward_ad")
    with tfw.dual_level():
        tduals = [tfw.make_dual(torch.tensor(a), torch.tensor(t))
                  for a, t in zip(arrays, tangents)]
        try:
            t_tangent = tfw.unpack_dual(op.op(torch, *tduals)).tangent
        except (NotImplementedError, RuntimeError):
            t_tangent = None  # an op torch has no forward-mode formula for
    if t_tangent is not None:
        np.testing.assert_allclose(jvp_fw.numpy(), t_tangent.numpy(), rtol=1e-8,
                                   atol=1e-10)


def test_dual_level_clears_tangents_and_prints_them():
    fwAD = importlib.import_module("ember.autograd.forward_ad")
    tfw = importlib.import_module("torch.autograd.forward_ad")
    reprs = []
    for fw, lib in ((fwAD, ember), (tfw, torch)):
        with fw.dual_level():
            d = fw.make_dual(lib.tensor([1.0, 2.0]), lib.tensor([0.5, 0.5]))
            reprs.append(repr(d * 2))
        reprs.append(fw.unpack_dual(d).tangent)
    assert reprs[0] == reprs[2] and reprs[1] is None and reprs[3] is None


# ---------------------------------------------------------------- anomaly detection


def test_detect_anomaly_names_the_backward_function():
    def run(lib):
        with lib.autograd.detect_anomaly():
            x = lib.tensor([0.0, 1.0], requires_grad=True)
            (x.sqrt() * 0).sum().backward()

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        err = raises_like(lambda: run(ember), lambda: run(torch))
    assert "SqrtBackward0" in str(err) and "nan" in str(err)


def test_detect_anomaly_covers_the_arithmetic_operators():
    def run(lib):
        with lib.autograd.detect_anomaly():
            x = lib.tensor([0.0, 1.0], requires_grad=True)
            ((x * float("inf")) * 0).sum().backward()  # MulBackward0 makes 0 * inf

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        err = raises_like(lambda: run(ember), lambda: run(torch))
    assert "MulBackward0" in str(err) and "nan" in str(err)


@pytest.mark.parametrize("make", [
    lambda x: x * x, lambda x: x * 2.0, lambda x: 2.0 * x, lambda x: x + 1, lambda x: 1 - x,
    lambda x: x / (x + 1), lambda x: x.tanh(), lambda x: x.exp(), lambda x: x.sin(),
    lambda x: x.sum(), lambda x: x.reshape(2, 1) @ x.reshape(1, 2),
    lambda x: x ** 2, lambda x: x.mean(), lambda x: (x * 3).relu(), lambda x: x * 0.0,
])
def test_saved_tensor_hooks_see_what_torch_saves(make):
    # the operators' and unary ops' direct recording falls back to the general path
    counts = []
    for lib in (ember, torch):
        x = lib.tensor([0.5, 1.5], requires_grad=True)
        packed = []
        with lib.autograd.graph.saved_tensors_hooks(lambda t: packed.append(t) or t,
                                                    lambda t: t * 1):
            y = make(x)
        y.sum().backward()
        counts.append((len(packed), type(y.grad_fn).__name__, x.grad))
    assert counts[0][:2] == counts[1][:2]
    assert_same(counts[0][2], counts[1][2])


def test_set_detect_anomaly_is_a_switch():
    with ember.autograd.set_detect_anomaly(True):
        assert ember.autograd.anomaly_mode.is_anomaly_enabled()
    assert not ember.autograd.anomaly_mode.is_anomaly_enabled()


# ---------------------------------------------------------------- hooks


def test_node_prehooks_and_hooks():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        seen = []
        y.grad_fn.register_prehook(lambda gout: (gout[0] * 2,))
        h = y.grad_fn.register_hook(lambda gin, gout: seen.append((gin[0].clone(),
                                                                  gout[0].clone())))
        y.sum().backward()
        h.remove()
        return x.grad, seen[0]

    assert_same(*both(run))


def test_post_accumulate_grad_hook():
    def run(lib):
        p = lib.tensor([1.0, 2.0], requires_grad=True)
        seen = []
        p.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.clone()))
        (p * p).sum().backward()
        (p * 3).sum().backward()
        return seen

    assert_same(*both(run))
    raises_like(lambda: (ember.ones(1, requires_grad=True) * 2)
                .register_post_accumulate_grad_hook(print),
                lambda: (torch.ones(1, requires_grad=True) * 2)
                .register_post_accumulate_grad_hook(print))


def test_saved_tensors_hooks_pack_and_unpack():
    def run(lib):
        packed = []

        def pack(t):
            packed.append(tuple(t.shape))
            return t.detach().clone() * 1  # e.g. an offloaded copy

        def unpack(t):
            return t

        x = lib.tensor([0.5, 1.5], requires_grad=True)
        with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
            y = (x.exp() * x).sum()
        y.backward()
        return x.grad, len(packed) > 0

    (eg, ep), (tg, tp) = both(run)
    assert_same(eg, tg)
    assert ep and tp


def test_checkpoint_gives_the_same_gradients():
    def run(lib, ck):
        x = lib.tensor([0.5, 1.0, -2.0], requires_grad=True)
        w = lib.tensor([1.5, -0.5, 2.0], requires_grad=True)
        y = ck(lambda a: (a * w).exp().sin() * a, x, use_reentrant=False)
        y.sum().backward()
        return y, x.grad, w.grad

    e = run(ember, ember.utils.checkpoint.checkpoint)
    t = run(torch, torch.utils.checkpoint.checkpoint)
    assert_same(e, t)


@pytest.mark.parametrize("make", [
    lambda x: x * x, lambda x: x * 2.0, lambda x: 2.0 * x, lambda x: x + 1, lambda x: 1 - x,
    lambda x: x - x.detach(), lambda x: x / 2, lambda x: x ** 2, lambda x: x ** 0.5,
    lambda x: x.tanh(), lambda x: x.exp(), lambda x: x.relu(), lambda x: x.sum(),
    lambda x: x.mean(), lambda x: (x * 1).sum() * 3.0,
])
def test_next_functions_have_torch_shape(make):
    # the direct recording paths make the same edges as torch's nodes
    shapes = []
    for lib in (ember, torch):
        x = lib.tensor([0.5, 1.5], requires_grad=True)
        fn = make(x).grad_fn
        shapes.append((type(fn).__name__,
                       [None if f is None else type(f).__name__ for f, _ in fn.next_functions]))
    assert shapes[0] == shapes[1]


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
@pytest.mark.parametrize("number", [2.5, 3, -0.0])
def test_operator_fast_paths_record_what_apply_records(op, number):
    """``x op number`` is recorded by its operator's ``arith_method`` (forward not
    run again), ``x op y`` by record_binary: the same node, edges, needs and saved
    values as Function.apply, and the gradient torch gives (the saved number is what
    backward reads)."""
    from ember.autograd.function import peek_saved
    from ember.ops import pointwise

    cls = {"add": pointwise.Add, "sub": pointwise.Sub, "mul": pointwise.Mul,
           "div": pointwise.Div}[op]
    x = ember.tensor([0.5, -1.5], requires_grad=True)
    y = ember.tensor([2.0, 4.0], requires_grad=True)
    for other in (number, y):
        fast = getattr(x, f"__{'truediv' if op == 'div' else op}__")(other)
        general = cls.apply(x, other)
        for attr in ("next_functions", "needs_input_grad"):
            assert getattr(fast.grad_fn, attr) == getattr(general.grad_fn, attr)
        saved = [[s._data if isinstance(s, ember.Tensor) else s for s in peek_saved(n)]
                 for n in (fast.grad_fn, general.grad_fn)]
        assert len(saved[0]) == len(saved[1])
        for a, b in zip(*saved):
            np.testing.assert_array_equal(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
        assert type(fast.grad_fn) is type(general.grad_fn)

    def grads(lib):
        a = lib.tensor([0.5, -1.5], requires_grad=True)
        fn = {"add": lambda: a + number, "sub": lambda: a - number,
              "mul": lambda: a * number, "div": lambda: a / number}[op]
        fn().backward(lib.tensor([1.0, -2.0]))
        return a.grad

    assert_same(grads(ember), grads(torch))


@pytest.mark.parametrize("exponent", [2, 2.0, 3, 0.5, 0, -1])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pow_fast_path_records_what_apply_records(exponent, dtype):
    """``x ** number`` is recorded directly: the node PowScalar.apply makes (exponent,
    saved input, edges), and torch's first and second derivatives (``x ** 2`` has its
    own backward, ``grad * (a + a)``)."""
    from ember.autograd.function import peek_saved
    from ember.ops import pointwise

    x = ember.tensor([0.5, -1.5, 2.0], dtype=getattr(ember, dtype), requires_grad=True)
    fast, general = x ** exponent, pointwise.PowScalar.apply(x, exponent=exponent)
    assert type(fast.grad_fn) is type(general.grad_fn)
    assert fast.grad_fn.exponent == general.grad_fn.exponent == exponent
    assert fast.grad_fn.next_functions == general.grad_fn.next_functions
    assert [s is x for s in peek_saved(fast.grad_fn)] == \
        [s is x for s in peek_saved(general.grad_fn)] == [True]

    def grads(lib):
        a = lib.tensor([0.5, -1.5, 2.0], dtype=getattr(lib, dtype), requires_grad=True)
        y = a ** exponent
        (g,) = lib.autograd.grad(y, a, lib.tensor([1.0, -2.0, 0.25], dtype=a.dtype),
                                 create_graph=True)
        # (x ** 0: torch's gradient is a zeros tensor with no graph)
        gg = lib.autograd.grad(g.sum(), a)[0] if g.requires_grad else None
        b = lib.tensor([0.5, -1.5, 2.0], dtype=getattr(lib, dtype), requires_grad=True)
        (b ** exponent).sum().backward()
        return (y, g, gg, b.grad), g.requires_grad

    (e, e_graph), (t, t_graph) = grads(ember), grads(torch)
    assert e_graph == t_graph
    assert_same(e, t, exact=exponent == 2)  # (x ** 2: bit for bit)


def test_nodes_of_one_number_share_saved_entries_safely():
    """Mul and Div by a number share their saved entries between nodes of the same
    number (arith_method): freeing one node's leaves the others', and a new number
    or dtype gets its own."""
    from ember.autograd.function import peek_saved

    def run(lib):
        x = lib.tensor([0.5, -1.5], requires_grad=True)
        d = lib.tensor([0.5, -1.5], dtype=lib.float64, requires_grad=True)
        a, b = x * 0.5, x * 0.5
        c, e, f = d * 0.5, x / 0.25, x * 0.25
        a.sum().backward()  # frees a's saved values, not b's
        grads = [x.grad.clone()]
        for y, t in ((b, x), (c, d), (e, x), (f, x)):
            t.grad = None
            y.backward(lib.tensor([1.0, -3.0], dtype=y.dtype))
            grads.append(t.grad)
        return grads

    assert_same(run(ember), run(torch), exact=True)
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    assert peek_saved((x * 0.5).grad_fn)[1] == 0.5
    assert peek_saved((x * 3.0).grad_fn)[1] == 3.0
    y = x * 0.5
    y.sum().backward()
    assert peek_saved(y.grad_fn) == [] and peek_saved((x * 0.5).grad_fn)[1] == 0.5


@pytest.mark.parametrize("make", [
    lambda a, b: b * 2.0, lambda a, b: b.tanh(), lambda a, b: a * b, lambda a, b: b - a,
    lambda a, b: b.sum(), lambda a, b: 1 - b, lambda a, b: b ** 2, lambda a, b: (b * a).mean(),
    lambda a, b: b.detach() + b,
])
def test_edges_name_the_output_number_as_torch(make):
    # edges to output 1 of a multi-output node (unbind) through every recording path
    edges = []
    for lib in (ember, torch):
        x = lib.tensor([[0.5, 1.5], [2.0, -1.0]], requires_grad=True)
        a, b = x.unbind(0)
        fn = make(a, b).grad_fn
        edges.append([None if f is None else (type(f).__name__, nr)
                      for f, nr in fn.next_functions])
    assert edges[0] == edges[1]
