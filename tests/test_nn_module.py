"""nn.Module and its containers against torch.nn: registration, iteration, state_dict
keys and load errors, train/eval, zero_grad, to(dtype), hooks and repr."""

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
import torch

import ember

from conftest import assert_same, raises_like


def both(build):
    """The same architecture built with torch.nn and ember.nn: ``build(nn)``."""
    return build(ember.nn), build(torch.nn)


def copy_weights(e_model, t_model):
    """Load torch's state_dict into the ember model (same values)."""
    e_model.load_state_dict({k: ember.tensor(v.detach().numpy())
                             for k, v in t_model.state_dict().items()})


class Block:
    """A user-defined module, written once for both libraries."""

    def __new__(cls, nn):
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                self.act = nn.ReLU()
                self.heads = nn.ModuleList([nn.Linear(4, 2), nn.Linear(4, 2)])
                self.register_buffer("count", ember_or_torch(nn).zeros(2))
                self.register_buffer("scratch", ember_or_torch(nn).ones(1), persistent=False)
                self.scale = nn.Parameter(ember_or_torch(nn).ones(1))

            def forward(self, x):
                h = self.act(self.fc(x))
                return sum(head(h) for head in self.heads) * self.scale

        return Net()


def ember_or_torch(nn):
    return ember if nn is ember.nn else torch


ARCHS = {
    "linear": lambda nn: nn.Linear(3, 2),
    "linear_nobias": lambda nn: nn.Linear(3, 2, bias=False),
    "mlp": lambda nn: nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.1),
                                    nn.Linear(8, 2), nn.LogSoftmax(dim=1)),
    "nested": lambda nn: nn.Sequential(
        nn.Flatten(), nn.Sequential(nn.Linear(6, 6), nn.GELU(approximate="tanh")),
        nn.ModuleList([nn.Tanh(), nn.Tanh(), nn.Tanh(), nn.ReLU(), nn.Tanh()]),
        nn.ModuleDict({"b": nn.Identity(), "a": nn.Softplus(beta=2)}),
        nn.ModuleList(), nn.Sequential()),
    "deep": lambda nn: nn.Sequential(
        nn.Flatten(), nn.Sequential(nn.Linear(6, 6), nn.GELU(approximate="tanh")),
        nn.Softplus(beta=2), nn.Linear(6, 3), nn.Softmax(dim=-1)),
    "ordered": lambda nn: nn.Sequential(OrderedDict([("conv", nn.Linear(2, 2)),
                                                     ("act", nn.LeakyReLU(0.2))])),
    "user": Block,
    "embeddings": lambda nn: nn.Sequential(nn.Embedding(10, 3, padding_idx=0),
                                           nn.EmbeddingBag(5, 2, mode="sum"),
                                           nn.Bilinear(2, 3, 4), nn.PReLU(3)),
}


@pytest.mark.parametrize("arch", ARCHS)
def test_repr_matches_torch(arch):
    e, t = both(ARCHS[arch])
    assert repr(e) == repr(t)
    assert str(e) == str(t)


@pytest.mark.parametrize("arch", ARCHS)
def test_names_match_torch(arch):
    e, t = both(ARCHS[arch])
    assert list(e.state_dict()) == list(t.state_dict())
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in e.named_children()] == [n for n, _ in t.named_children()]
    assert [n for n, _ in e.named_parameters(prefix="m", recurse=False)] == \
        [n for n, _ in t.named_parameters(prefix="m", recurse=False)]
    assert len(list(e.parameters())) == len(list(t.parameters()))
    assert len(list(e.modules())) == len(list(t.modules()))
    assert len(list(e.children())) == len(list(t.children()))
    assert len(list(e.buffers())) == len(list(t.buffers()))


@pytest.mark.parametrize("arch", ["mlp", "user", "deep"])
def test_forward_and_grads_match_torch_from_same_weights(arch):
    e, t = both(ARCHS[arch])
    copy_weights(e, t)
    e.eval(), t.eval()
    shape = {"mlp": (5, 4), "user": (5, 3), "deep": (5, 2, 3)}[arch]
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    ex, tx = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    eo, to = e(ex), t(tx)
    assert_same(eo, to)
    eo.sum().backward()
    to.sum().backward()
    assert_same(ex.grad, tx.grad)
    for (n1, p1), (n2, p2) in zip(e.named_parameters(), t.named_parameters()):
        assert n1 == n2
        assert_same(p1.grad, p2.grad)


def test_shared_modules_and_parameters_are_listed_once():
    def build(nn):
        lin = nn.Linear(2, 2)
        seq = nn.Sequential(lin, nn.ReLU(), lin)
        return seq

    e, t = both(build)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in e.named_modules(remove_duplicate=False)] == \
        [n for n, _ in t.named_modules(remove_duplicate=False)]
    assert [n for n, _ in e.named_parameters(remove_duplicate=False)] == \
        [n for n, _ in t.named_parameters(remove_duplicate=False)]
    assert list(e.state_dict()) == list(t.state_dict())


# ---------------------------------------------------------------- registration


def test_attribute_registration_as_torch():
    for nn, lib in ((ember.nn, ember), (torch.nn, torch)):
        m = nn.Module()
        m.w = nn.Parameter(lib.ones(2))
        m.sub = nn.Linear(1, 1)
        m.register_buffer("buf", lib.zeros(1))
        m.plain = lib.zeros(3)  # a plain tensor attribute is not registered
        m.buf = lib.ones(1)  # reassigning a buffer name keeps it a buffer
        assert list(m._parameters) == ["w"]
        assert list(m._modules) == ["sub"]
        assert list(m._buffers) == ["buf"]
        assert m.buf.tolist() == [1.0]
        m.w = None  # a parameter may be set to None
        assert m.w is None and "w" in m._parameters
        m.b2 = nn.Buffer(lib.ones(2), persistent=False)
        assert "b2" in m._buffers and list(m.state_dict()) == ["buf", "sub.weight", "sub.bias"]
        del m.sub
        assert "sub" not in m._modules
        m.w = nn.Parameter(lib.ones(1))
        m.sub = nn.Identity()
        m.sub = None
        assert m._modules["sub"] is None
        del m.w
        assert not hasattr(m, "w")


@pytest.mark.parametrize("case", [
    "param_wrong_type", "module_wrong_type", "buffer_wrong_type", "dotted_param_name",
    "empty_buffer_name", "existing_attr", "non_leaf_param", "before_init", "missing_attr",
    "add_module_not_module", "bad_train_mode", "forward_missing",
])
def test_registration_errors_match_torch(case):
    def run(nn, lib):
        m = nn.Linear(2, 2)
        if case == "param_wrong_type":
            m.weight = lib.zeros(2, 2)
        elif case == "module_wrong_type":
            s = nn.Sequential(nn.ReLU())
            setattr(s, "0", 3)
        elif case == "buffer_wrong_type":
            m.register_buffer("b", lib.zeros(1))
            m.b = [1, 2]
        elif case == "dotted_param_name":
            m.register_parameter("a.b", None)
        elif case == "empty_buffer_name":
            m.register_buffer("", None)
        elif case == "existing_attr":
            m.foo = 3
            m.register_buffer("foo", lib.zeros(1))
        elif case == "non_leaf_param":
            p = nn.Parameter(lib.ones(2))
            m.register_parameter("q", p * 2)
        elif case == "before_init":
            class Bad(nn.Module):
                def __init__(self):
                    self.w = nn.Parameter(lib.ones(1))
            Bad()
        elif case == "missing_attr":
            _ = m.nope
        elif case == "add_module_not_module":
            m.add_module("x", 3)
        elif case == "bad_train_mode":
            m.train("yes")
        elif case == "forward_missing":
            nn.Module()(lib.ones(1))

    err = raises_like(lambda: run(ember.nn, ember), lambda: run(torch.nn, torch))
    try:
        run(torch.nn, torch)
    except Exception as t_err:
        if case not in ("non_leaf_param",):
            assert str(err) == str(t_err)


def test_get_submodule_parameter_buffer():
    e, t = both(ARCHS["user"])
    for m in (e, t):
        assert m.get_submodule("heads.1") is m.heads[1]
        assert m.get_parameter("heads.0.bias") is m.heads[0].bias
        assert m.get_buffer("count") is m.count
        assert m.get_submodule("") is m
    for name in ("heads.5", "fc.weight", "nope"):
        err = raises_like(lambda n=name: e.get_submodule(n),
                          lambda n=name: t.get_submodule(n))
        with pytest.raises(AttributeError) as t_info:
            t.get_submodule(name)
        assert str(err) == str(t_info.value)
    raises_like(lambda: e.get_parameter("count"), lambda: t.get_parameter("count"))
    raises_like(lambda: e.get_buffer("scale"), lambda: t.get_buffer("scale"))


# ---------------------------------------------------------------- state_dict


def test_state_dict_values_are_detached_and_shared():
    m = ember.nn.Linear(2, 3)
    sd = m.state_dict()
    assert isinstance(sd, OrderedDict)
    assert not sd["weight"].requires_grad and sd["weight"].grad_fn is None
    assert type(sd["weight"]) is ember.Tensor
    with ember.no_grad():
        m.weight.fill_(2.0)
    assert sd["weight"].tolist() == [[2.0, 2.0]] * 3  # shares memory, as torch
    kv = m.state_dict(keep_vars=True)
    assert kv["weight"] is m.weight
    assert list(m.state_dict(prefix="enc.")) == ["enc.weight", "enc.bias"]


@pytest.mark.parametrize("case", ["missing", "unexpected", "both", "size", "nested", "not_dict",
                                  "not_tensor"])
def test_load_state_dict_errors_match_torch(case):
    def run(nn, lib):
        m = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
        sd = dict(m.state_dict())
        if case == "missing":
            del sd["2.bias"]
        elif case == "unexpected":
            sd["2.extra"] = lib.zeros(1)
            sd["5.weight"] = lib.zeros(1)
        elif case == "both":
            del sd["0.weight"]
            sd["foo"] = lib.zeros(1)
        elif case == "size":
            sd["0.weight"] = lib.zeros(3, 3)
            sd["2.bias"] = lib.zeros(2)
        elif case == "nested":
            del sd["0.bias"]
            sd["1.weight"] = lib.zeros(1)
            sd["0.weight"] = lib.zeros(1, 1)
        elif case == "not_dict":
            sd = [1, 2]
        elif case == "not_tensor":
            sd["0.bias"] = [0.0, 1.0, 2.0]
        return m.load_state_dict(sd)

    err = raises_like(lambda: run(ember.nn, ember), lambda: run(torch.nn, torch))
    with pytest.raises(Exception) as t_info:
        run(torch.nn, torch)
    assert str(err) == str(t_info.value)


def test_load_state_dict_non_strict_returns_the_keys_as_torch():
    results = []
    for nn, lib in ((ember.nn, ember), (torch.nn, torch)):
        m = nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1))
        sd = dict(m.state_dict())
        del sd["1.bias"]
        sd["1.gamma"] = lib.zeros(1)
        results.append(m.load_state_dict(sd, strict=False))
        results.append(m.load_state_dict(m.state_dict()))
    e1, e2, t1, t2 = results
    assert repr(e1) == repr(t1) and repr(e2) == repr(t2)
    assert e1.missing_keys == t1.missing_keys and e1.unexpected_keys == t1.unexpected_keys


def test_load_state_dict_copies_values_in_place():
    t = torch.nn.Linear(3, 2)
    e = ember.nn.Linear(3, 2)
    w = e.weight
    copy_weights(e, t)
    assert e.weight is w  # the Parameter object is kept (optimizers hold it)
    assert_same(e.weight.detach(), t.weight.detach())
    assert e.weight.requires_grad
    # a scalar parameter accepts a one-element vector, as torch's
    m = ember.nn.Module()
    m.s = ember.nn.Parameter(ember.tensor(1.0))
    m.load_state_dict({"s": ember.tensor([3.0])})
    assert m.s.item() == 3.0


def test_load_state_dict_assign():
    e = ember.nn.Linear(2, 2)
    new = ember.ones(2, 2, dtype=ember.float64)
    e.load_state_dict({"weight": new, "bias": ember.zeros(2, dtype=ember.float64)},
                      assign=True)
    assert e.weight.dtype == ember.float64 and isinstance(e.weight, ember.nn.Parameter)
    assert e.weight.requires_grad


def test_non_persistent_buffer_and_none_entries_are_not_saved():
    for nn, lib in ((ember.nn, ember), (torch.nn, torch)):
        m = nn.Linear(2, 2, bias=False)
        m.register_buffer("keep", lib.zeros(1))
        m.register_buffer("temp", lib.zeros(1), persistent=False)
        m.register_buffer("nothing", None)
        assert list(m.state_dict()) == ["weight", "keep"]
        assert [n for n, _ in m.named_buffers()] == ["keep", "temp"]


# ---------------------------------------------------------------- modes, grads, dtype


def test_train_eval_propagates():
    e, t = both(ARCHS["mlp"])
    for m in (e, t):
        assert m.training and m[2].training
        assert m.eval() is m
        assert not m.training and not m[2].training
        m.train()
        assert m[2].training
        m[2].train(False)
        assert m.training and not m[2].training


def test_zero_grad_and_requires_grad_():
    m = ember.nn.Linear(2, 2)
    m(ember.ones(1, 2)).sum().backward()
    assert m.weight.grad is not None
    m.zero_grad(set_to_none=False)
    assert m.weight.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    m.zero_grad()
    assert m.weight.grad is None and m.bias.grad is None
    assert m.requires_grad_(False) is m
    assert not m.weight.requires_grad
    out = m(ember.ones(1, 2))
    assert not out.requires_grad
    m.requires_grad_()
    assert m.weight.requires_grad


def test_apply_visits_children_first():
    for nn in (ember.nn, torch.nn):
        seen = []
        net = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU()))
        assert net.apply(lambda m, seen=seen: seen.append(type(m).__name__)) is net
        assert seen == ["Linear", "ReLU", "Sequential", "Sequential"]


@pytest.mark.parametrize("how", ["double", "float", "half", "to_dtype", "to_tensor",
                                 "to_kwarg"])
def test_dtype_conversion_matches_torch(how):
    def run(nn, lib):
        m = nn.Linear(2, 2)
        m.register_buffer("steps", lib.zeros(1, dtype=lib.int64))
        m.register_buffer("mean", lib.zeros(2))
        m(lib.ones(1, 2)).sum().backward()
        w = m.weight
        if how == "double":
            r = m.double()
        elif how == "float":
            r = m.double().float()
        elif how == "half":
            r = m.half()
        elif how == "to_dtype":
            r = m.to(lib.float64)
        elif how == "to_tensor":
            r = m.to(lib.zeros(1, dtype=lib.float64))
        else:
            r = m.to(device="cpu", dtype=lib.float64)
        assert r is m and m.weight is w  # converted in place, the same Parameter
        return [str(m.weight.dtype), str(m.weight.grad.dtype), str(m.bias.dtype),
                str(m.steps.dtype), str(m.mean.dtype), m.weight.requires_grad,
                type(m.weight).__name__]

    assert run(ember.nn, ember) == run(torch.nn, torch)


def test_to_rejects_integer_dtype():
    err = raises_like(lambda: ember.nn.Linear(1, 1).to(ember.int64),
                      lambda: torch.nn.Linear(1, 1).to(torch.int64))
    assert "only accepts floating point" in str(err)


def test_double_module_computes_in_float64():
    e, t = both(ARCHS["mlp"])
    copy_weights(e, t)
    e.double().eval(), t.double().eval()
    x = np.random.default_rng(1).standard_normal((3, 4))
    assert_same(e(ember.tensor(x)), t(torch.tensor(x)))


def test_deepcopy_and_pickle_keep_parameters():
    m = ember.nn.Sequential(ember.nn.Linear(2, 2), ember.nn.ReLU())
    for clone in (copy.deepcopy(m), pickle.loads(pickle.dumps(m))):
        assert isinstance(clone[0].weight, ember.nn.Parameter)
        assert clone[0].weight is not m[0].weight
        assert_same(clone[0].weight, m[0].weight.detach())
        assert list(clone.state_dict()) == list(m.state_dict())
        assert repr(clone) == repr(m)


# ---------------------------------------------------------------- hooks


def test_forward_pre_hook_and_forward_hook_as_torch():
    results = []
    for nn, lib in ((ember.nn, ember), (torch.nn, torch)):
        calls = []
        m = nn.Linear(2, 2)
        with torch.no_grad(), ember.no_grad():
            m.weight.fill_(1.0)
            m.bias.fill_(0.0)
        h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        h2 = m.register_forward_hook(lambda mod, args, out, calls=calls: calls.append(
            ("fwd", args[0].tolist())) or out + 1)
        h3 = m.register_forward_hook(lambda mod, args, out, calls=calls: calls.append("first"),
                                     prepend=True)
        h4 = m.register_forward_pre_hook(lambda mod, args, kwargs: (args, kwargs),
                                         with_kwargs=True)
        out1 = m(lib.ones(1, 2)).tolist()
        for h in (h1, h2, h3, h4):
            h.remove()
        out2 = m(lib.ones(1, 2)).tolist()
        results.append((calls, out1, out2))
    assert results[0] == results[1]


def test_always_call_forward_hook_runs_when_forward_raises():
    logs = []
    for nn, lib in ((ember.nn, ember), (torch.nn, torch)):
        log = []
        m = nn.Linear(2, 2)
        m.register_forward_hook(lambda mod, args, out, log=log: log.append("always"),
                                always_call=True)
        m.register_forward_hook(lambda mod, args, out, log=log: log.append("normal"))
        with pytest.raises(RuntimeError):
            m(lib.ones(3, 3))
        m(lib.ones(1, 2))
        logs.append(log)
    assert logs[0] == logs[1] == ["always", "always", "normal"]


def test_forward_pre_hook_may_return_a_single_value():
    m = ember.nn.Identity()
    m.register_forward_pre_hook(lambda mod, args: args[0] + 1)
    assert m(ember.zeros(1)).tolist() == [1.0]


def _backward_hook_run(nn, lib, replace):
    log = []
    m = nn.Linear(3, 2)
    with lib.no_grad():
        m.weight.copy_(lib.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]))
        m.bias.zero_()

    def hook(mod, grad_input, grad_output):
        log.append(("in", [None if g is None else g.tolist() for g in grad_input]))
        log.append(("out", [g.tolist() for g in grad_output]))
        if replace:
            return tuple(None if g is None else g * 10 for g in grad_input)

    h = m.register_full_backward_hook(hook)
    x = lib.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    (m(x) * lib.tensor([[1.0, 3.0]])).sum().backward()
    h.remove()
    log.append(("x.grad", x.grad.tolist()))
    log.append(("w.grad", m.weight.grad.tolist()))
    (m(x)).sum().backward()  # removed: no more calls
    return log


@pytest.mark.parametrize("replace", [False, True])
def test_full_backward_hook_matches_torch(replace):
    assert _backward_hook_run(ember.nn, ember, replace) == \
        _backward_hook_run(torch.nn, torch, replace)


def test_full_backward_hook_without_input_grad_fires_with_none():
    import warnings

    logs = []
    for nn, lib in ((ember.nn, ember), (torch.nn, torch)):
        log = []
        m = nn.Linear(2, 1)
        m.register_full_backward_hook(lambda mod, gi, go, log=log: log.append(
            (gi, [tuple(g.shape) for g in go])))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m(lib.ones(1, 2)).sum().backward()
        logs.append(log)
    assert logs[0] == logs[1]


def test_full_backward_hook_multiple_inputs_and_outputs():
    def build(nn, lib):
        class Two(nn.Module):
            def forward(self, a, b, k):
                return a * b * k, a + b

        return Two()

    logs = []
    for nn, lib in ((ember.nn, ember), (torch.nn, torch)):
        log = []
        m = build(nn, lib)
        m.register_full_backward_hook(lambda mod, gi, go, log=log: log.append(
            ([None if g is None else g.tolist() for g in gi],
             [None if g is None else g.tolist() for g in go])))
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0])
        p, s = m(a, b, 2.0)
        (p.sum() + (s * 2).sum()).backward()
        log.append(a.grad.tolist())
        logs.append(log)
    assert logs[0] == logs[1]


# ---------------------------------------------------------------- containers


def test_sequential_indexing_slicing_and_editing():
    e, t = both(lambda nn: nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 3),
                                         nn.Tanh()))
    for m, nn in ((e, ember.nn), (t, torch.nn)):
        assert isinstance(m[1:3], nn.Sequential) and len(m[1:3]) == 2
        assert isinstance(m[-1], nn.Tanh)
        m.append(nn.Sigmoid())
        m.insert(0, nn.Identity())
        m[1] = nn.Linear(1, 2)
        del m[2]
        m.extend([nn.ReLU()])
    assert repr(e) == repr(t)
    assert repr(e[::-2]) == repr(t[::-2])
    assert repr(e + e[:1]) == repr(t + t[:1])
    assert repr(e[:2] * 2) == repr(t[:2] * 2)
    assert repr(e.pop(0)) == repr(t.pop(0)) and repr(e) == repr(t)
    raises_like(lambda: e[10], lambda: t[10])


def test_modulelist_and_moduledict():
    e, t = both(lambda nn: nn.ModuleList([nn.Linear(1, 1), nn.ReLU()]))
    for m, nn in ((e, ember.nn), (t, torch.nn)):
        m.append(nn.ReLU())
        m.extend([nn.ReLU(), nn.Tanh()])
        m.insert(1, nn.Sigmoid())
        m += [nn.Tanh()]
        del m[0]
        m[0] = nn.ReLU()
    assert repr(e) == repr(t) and len(e) == len(t)
    assert repr(e[1:3]) == repr(t[1:3])
    raises_like(lambda: e[20], lambda: t[20])
    raises_like(lambda: e.extend(3), lambda: t.extend(3))

    e, t = both(lambda nn: nn.ModuleDict({"z": nn.ReLU(), "a": nn.Linear(1, 1)}))
    for m, nn in ((e, ember.nn), (t, torch.nn)):
        m["m"] = nn.Tanh()
        m.update([("q", nn.Sigmoid())])
        del m["z"]
        assert "a" in m and "z" not in m
        assert m.pop("q") is not None
    assert repr(e) == repr(t) and list(e.keys()) == list(t.keys())
    assert list(e.state_dict()) == list(t.state_dict())


def test_parameterlist_and_parameterdict():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal(4).astype(np.float32)
    out = []
    for nn, lib in ((ember.nn, ember), (torch.nn, torch)):
        pl = nn.ParameterList([nn.Parameter(lib.tensor(a)), lib.tensor(b)])
        pl.append(3)
        pl.extend([lib.zeros(2)])
        pd = nn.ParameterDict({"w": lib.tensor(b), "a": nn.Parameter(lib.tensor(a))})
        pd["z"] = lib.ones(1)
        pd.update([("y", lib.zeros(2))])
        pd2 = pd | nn.ParameterDict({"extra": lib.ones(3)})
        m = nn.Module()
        m.pl, m.pd = pl, pd
        out.append((repr(pl), repr(pd), repr(pd2), len(pl), len(pd), list(pd.keys()),
                    list(m.state_dict()), type(pl[1]).__name__, pl[1].requires_grad,
                    repr(pl[1:3]), pd.get("nope", 5), "z" in pd, pd.pop("z").shape,
                    list(pd), [n for n, _ in m.named_parameters()]))
        with pytest.raises(RuntimeError):
            pl()
    assert out[0] == out[1]


def test_parameter_is_a_tensor_in_every_op():
    for nn, lib in ((ember.nn, ember), (torch.nn, torch)):
        p = nn.Parameter(lib.tensor([1.0, -2.0, 3.0]))
        q = (p * 2 + p.exp() - lib.relu(p)).sum() + p @ p
        q.backward()
        assert type(q).__name__ == "Tensor" and type(p.detach()).__name__ == "Tensor"
    e = ember.nn.Parameter(ember.tensor([1.0, -2.0, 3.0]))
    ((e * 2 + e.exp() - ember.relu(e)).sum() + e @ e).backward()
    t = torch.nn.Parameter(torch.tensor([1.0, -2.0, 3.0]))
    ((t * 2 + t.exp() - torch.relu(t)).sum() + t @ t).backward()
    assert_same(e.grad, t.grad)


def test_parameter_repr_and_defaults_match_torch():
    for args in [([1.0, 2.0],), ([[1.5, -2.0]],)]:
        for rg in (True, False):
            e = ember.nn.Parameter(ember.tensor(*args), requires_grad=rg)
            t = torch.nn.Parameter(torch.tensor(*args), requires_grad=rg)
            assert repr(e) == repr(t) and str(e) == str(t)
            assert e.requires_grad == t.requires_grad and e.is_leaf
    assert repr(ember.nn.Parameter()) == repr(torch.nn.Parameter())
    assert repr(ember.nn.Parameter(ember.ones(2, dtype=ember.float64))) == \
        repr(torch.nn.Parameter(torch.ones(2, dtype=torch.float64)))
    raises_like(lambda: ember.nn.Parameter(ember.tensor([1, 2])),
                lambda: torch.nn.Parameter(torch.tensor([1, 2])))
    # shares memory with the tensor it was made from
    base = ember.zeros(2)
    p = ember.nn.Parameter(base)
    with ember.no_grad():
        p.add_(1.0)
    assert base.tolist() == [1.0, 1.0]


def test_buffer_marker():
    for nn, lib in ((ember.nn, ember), (torch.nn, torch)):
        b = nn.Buffer(lib.ones(2), persistent=False)
        assert isinstance(b, nn.Buffer) and isinstance(b, lib.Tensor)
        assert not isinstance(lib.ones(2), nn.Buffer)
        assert type(b) is lib.Tensor
