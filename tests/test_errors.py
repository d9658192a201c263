"""The misuse catalogue: every mistake a user makes raises torch's exception type, with a
message naming the offending shapes or values, and changes nothing.

Each case is a function ``case(lib)`` that builds some state with ``lib`` (ember or
torch) and returns ``(misuse, state)``: a call that must raise, and the objects it must
leave as they were. The test runs the case on both libraries: ember raises torch's
exception type, ember's message holds the case's key fragments (which torch's message
holds too, unless the case says otherwise), and a snapshot of every tensor (values,
dtype, version, ``requires_grad``, ``grad``, ``grad_fn``), module (parameters, buffers,
mode), optimizer (groups, state) and data loader in ``state`` is the same afterwards.

tests/test_tensor.py (MISUSES), tests/test_autograd.py and the family test files check
the exception types of many more single calls; this catalogue adds the state checks and
the misuses that span several parts (autograd + in-place, modules, optimizers, loaders).
"""

import io
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as td

import ember
import ember.utils.data as ed

from conftest import raises_like

CASES = {}


def misuse(*fragments, torch_too=True):
    """Register ``fn(lib) -> (misuse, state)``; ``fragments`` must be in ember's message
    (and in torch's, when ``torch_too``)."""

    def deco(fn):
        assert fn.__name__ not in CASES
        CASES[fn.__name__] = (fn, fragments, torch_too)
        return fn

    return deco


def data_of(lib):
    return ed if lib is ember else td


# ---------------------------------------------------------------- snapshots


def snapshot(obj, lib, seen=None):
    """Everything observable about ``obj`` that a failed call must not change."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return ("seen", id(obj))
    if isinstance(obj, lib.Tensor):
        a = obj.detach().numpy()
        grad = None if obj.grad is None else snapshot(obj.grad, lib, seen)
        return ("tensor", id(obj), str(obj.dtype), a.shape, a.tobytes(), obj._version,
                obj.requires_grad, grad, id(obj.grad_fn), obj.is_leaf)
    seen.add(id(obj))
    if isinstance(obj, lib.nn.Module):
        return ("module", obj.training, list(obj._modules),
                [(k, snapshot(v, lib, seen)) for k, v in obj.named_parameters()],
                [(k, snapshot(v, lib, seen)) for k, v in obj.named_buffers()])
    if isinstance(obj, lib.optim.Optimizer):
        groups = [{k: snapshot(v, lib, seen) for k, v in g.items()} for g in obj.param_groups]
        state = [(id(p), snapshot(s, lib, seen)) for p, s in obj.state.items()]
        return ("optimizer", groups, state)
    if isinstance(obj, data_of(lib).DataLoader):
        return ("loader", obj.batch_size, obj.drop_last, snapshot(obj.dataset, lib, seen))
    if isinstance(obj, data_of(lib).TensorDataset):
        return ("dataset", snapshot(obj.tensors, lib, seen))
    if isinstance(obj, dict):
        return ("dict", [(k, snapshot(v, lib, seen)) for k, v in obj.items()])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [snapshot(v, lib, seen) for v in obj])
    if isinstance(obj, (int, float, str, bool, type(None))):
        return ("value", obj)
    raise TypeError(f"no snapshot for {type(obj)}")


def check(name):
    fn, fragments, torch_too = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_call, t_state = fn(torch)
        e_call, e_state = fn(ember)
        before = snapshot(e_state, ember)
        err = raises_like(e_call, t_call)
        with pytest.raises(Exception) as t_info:
            fn(torch)[0]()
    message, t_message = str(err), str(t_info.value)
    for f in fragments:
        assert f in message, f"{f!r} not in ember's message {message!r}"
        if torch_too:
            assert f in t_message, f"{f!r} not in torch's message {t_message!r}"
    assert snapshot(e_state, ember) == before, "the failed call changed the state"


# ---------------------------------------------------------------- binary ops: shapes


@misuse("(3)", "(4)", "dimension 1")
def add_shapes(lib):
    x, y = lib.ones(2, 3, requires_grad=True), lib.ones(4)
    return lambda: x + y, [x, y]


@misuse("(3)", "(2)", "dimension 1")
def sub_shapes(lib):
    x, y = lib.ones(2, 3), lib.ones(2, 2, requires_grad=True)
    return lambda: x - y, [x, y]


@misuse("(3)", "(4)")
def truediv_broadcast_shapes(lib):
    x, y = lib.ones(5, 1, 3), lib.ones(2, 4)
    return lambda: x / y, [x, y]


@misuse("(2)", "(3)")
def pow_shapes(lib):
    x, y = lib.ones(2, requires_grad=True), lib.ones(3)
    return lambda: x ** y, [x, y]


@misuse("(2)", "(3)")
def lt_shapes(lib):
    x, y = lib.ones(2), lib.ones(3)
    return lambda: x < y, [x, y]


@misuse("(4)", "(5)")
def maximum_shapes(lib):
    x, y = lib.ones(4, requires_grad=True), lib.ones(2, 5)
    return lambda: lib.maximum(x, y), [x, y]


@misuse("(2)", "(3)")
def logical_or_shapes(lib):
    x, y = lib.ones(2, dtype=lib.bool), lib.ones(3, dtype=lib.bool)
    return lambda: lib.logical_or(x, y), [x, y]


@misuse("(2)", "(3)")
def bitwise_xor_shapes(lib):
    x, y = lib.ones(2, dtype=lib.int64), lib.ones(3, dtype=lib.int64)
    return lambda: x ^ y, [x, y]


@misuse("(3)", "(4)")
def atan2_shapes(lib):
    x, y = lib.ones(3, requires_grad=True), lib.ones(4, requires_grad=True)
    return lambda: lib.atan2(x, y), [x, y]


@misuse("(2)", "(3)")
def where_shapes(lib):
    c, x, y = lib.ones(2, dtype=lib.bool), lib.ones(3), lib.zeros(3)
    return lambda: lib.where(c, x, y), [c, x, y]


@misuse("(3)", "(2)")
def addcmul_shapes(lib):
    x, a, b = lib.ones(3), lib.ones(3), lib.ones(2)
    return lambda: lib.addcmul(x, a, b), [x, a, b]


@misuse("(4)", "(3)")
def lerp_shapes(lib):
    x, y = lib.ones(4, requires_grad=True), lib.ones(3)
    return lambda: lib.lerp(x, y, 0.5), [x, y]


@misuse("(3)", "(4)")
def mul_inplace_shapes(lib):
    x = lib.ones(3, requires_grad=True) * 2  # a non-leaf: in-place is allowed
    y = lib.ones(4)
    return lambda: x.mul_(y), [x, y]


@misuse("[1, 3]", "[2, 3]")
def sub_inplace_broadcast_grows_output(lib):
    x, y = lib.ones(1, 3), lib.ones(2, 3)
    return lambda: x.sub_(y), [x, y]


@misuse("(3)", "(4)")
def copy_shapes(lib):
    x, y = lib.ones(3), lib.arange(4.0)
    return lambda: x.copy_(y), [x, y]


# ---------------------------------------------------------------- products, layers


@misuse("2x5", "3x4")
def linear_module_wrong_features(lib):
    m, x = lib.nn.Linear(3, 4), lib.ones(2, 5)
    return lambda: m(x), [m, x]


@misuse("Double", "Float")
def linear_module_wrong_dtype(lib):
    m, x = lib.nn.Linear(3, 4), lib.ones(2, 3, dtype=lib.float64)
    return lambda: m(x), [m, x]


@misuse("(4)", "(5)")
def linear_bias_shape(lib):
    x, w, b = lib.ones(2, 3), lib.ones(4, 3, requires_grad=True), lib.ones(5)
    return lambda: lib.nn.functional.linear(x, w, b), [x, w, b]


@misuse("[3]", "[4]")
def dot_sizes(lib):
    x, y = lib.ones(3, requires_grad=True), lib.ones(4)
    return lambda: lib.dot(x, y), [x, y]


@misuse("3", "4")
def einsum_sizes(lib):
    x, y = lib.ones(2, 3), lib.ones(4, 5)
    return lambda: lib.einsum("ij,jk->ik", x, y), [x, y]


@misuse("[1, 3, 5, 5]", "2 channels", "3 channels")
def conv2d_channels(lib):
    x, w = lib.ones(1, 3, 5, 5), lib.ones(4, 2, 3, 3, requires_grad=True)
    return lambda: lib.nn.functional.conv2d(x, w), [x, w]


@misuse("(3 x 3)", "(2 x 2)")
def conv2d_kernel_larger_than_input(lib):
    x, w = lib.ones(1, 1, 2, 2), lib.ones(1, 1, 3, 3, requires_grad=True)
    return lambda: lib.nn.functional.conv2d(x, w), [x, w]


@misuse("size 3", "size 4", "tensor number 1")
def cat_sizes_with_grad(lib):
    x, y = lib.ones(2, 3, requires_grad=True), lib.ones(2, 4, requires_grad=True)
    return lambda: lib.cat([x, y]), [x, y]


@misuse("[2, 3]", "[3, 2]", "entry 1")
def stack_sizes_with_grad(lib):
    x, y = lib.ones(2, 3, requires_grad=True), lib.ones(3, 2)
    return lambda: lib.stack([x, y]), [x, y]


@misuse("[-2, 1]", "got 2")
def cat_dim_out_of_range(lib):
    x = lib.ones(2, 3, requires_grad=True)
    return lambda: lib.cat([x, x], dim=2), [x]


# ---------------------------------------------------------------- dims and indices


@misuse("[-3, 2]", "got 3")
def unsqueeze_dim(lib):
    x = lib.ones(2, 3)
    return lambda: x.unsqueeze(3), [x]


@misuse("[-2, 1]", "got -3")
def log_softmax_dim(lib):
    x = lib.ones(2, 3, requires_grad=True)
    return lambda: x.log_softmax(-3), [x]


@misuse("[-2, 1]", "got 2")
def cumsum_dim(lib):
    x = lib.ones(2, 3)
    return lambda: x.cumsum(2), [x]


@misuse("[-1, 0]", "got 1")
def argmax_dim(lib):
    x = lib.ones(3)
    return lambda: x.argmax(1), [x]


@misuse("index 5", "dimension 1", "size 3")
def gather_index_out_of_range(lib):
    x, i = lib.ones(2, 3, requires_grad=True), lib.tensor([[0, 5]])
    return lambda: lib.gather(x, 1, i), [x, i]


@misuse("id=3", "axis_dim=3")
def index_select_out_of_range(lib):
    x, i = lib.ones(2, 3), lib.tensor([0, 3])
    return lambda: x.index_select(1, i), [x, i]


@misuse("index 3", "dimension 0", "size 3")
def tensor_index_out_of_range(lib):
    x, i = lib.ones(3, requires_grad=True), lib.tensor([0, 3])
    return lambda: x[i], [x, i]


@misuse("index 5", "dimension 1", "size 3")
def slice_then_int_out_of_range(lib):
    x = lib.ones(2, 3)
    return lambda: x[:, 5], [x]


@misuse("too many indices", "dimension 2")
def too_many_indices(lib):
    x = lib.ones(2, 3)
    return lambda: x[0, 0, 0], [x]


@misuse("index 5", "size 3")
def setitem_out_of_range(lib):
    x = lib.arange(3.0)

    def go():
        x[5] = 1.0
    return go, [x]


@misuse("index 5", "size 3")
def setitem_tensor_index_partly_out_of_range(lib):
    x, i = lib.arange(3.0), lib.tensor([0, 5])

    def go():
        x[i] = 7.0
    return go, [x, i]


@misuse("index 5", "size 3")
def scatter_inplace_out_of_range(lib):
    x, i, src = lib.zeros(3), lib.tensor([0, 5]), lib.ones(2)
    return lambda: x.scatter_(0, i, src), [x, i, src]


@misuse("index out of range")
def index_add_inplace_out_of_range(lib):
    x, i, src = lib.zeros(3), lib.tensor([1, 3]), lib.ones(2)
    return lambda: x.index_add_(0, i, src), [x, i, src]


@misuse("start (2)", "length (3)", "(3)")
def narrow_past_end(lib):
    x = lib.ones(3, requires_grad=True)
    return lambda: x.narrow(0, 2, 3), [x]


@misuse("selected index k out of range")
def topk_k_too_large(lib):
    x = lib.ones(3, requires_grad=True)
    return lambda: x.topk(4), [x]


@misuse("Class values must be smaller than num_classes")
def one_hot_class_too_large(lib):
    i = lib.tensor([0, 3])
    return lambda: lib.nn.functional.one_hot(i, 3), [i]


@misuse("shape of the mask [2]", "[3]")
def boolean_mask_shape(lib):
    x, m = lib.ones(3), lib.tensor([True, False])
    return lambda: x[m], [x, m]


@misuse("the number of sizes provided (1)", "(2)")
def expand_fewer_sizes(lib):
    x = lib.ones(2, 3)
    return lambda: x.expand(3), [x]


@misuse("[-1, 4]", "size 6")
def reshape_unfit_with_minus_one(lib):
    x = lib.ones(2, 3, requires_grad=True)
    return lambda: x.reshape(-1, 4), [x]


@misuse("Number of dimensions of repeat dims")
def repeat_fewer_dims(lib):
    x = lib.ones(2, 3)
    return lambda: x.repeat(2), [x]


# ---------------------------------------------------------------- dtypes


@misuse("tensors used as indices must be long, int, byte or bool tensors")
def float_index_tensor(lib):
    x, i = lib.ones(3), lib.tensor([0.0])
    return lambda: x[i], [x, i]


@misuse("Tensors of floating point and complex dtype can require gradients")
def factory_requires_grad_on_int(lib):
    return lambda: lib.zeros(2, dtype=lib.int64, requires_grad=True), []


@misuse("only Tensors of floating point")
def requires_grad_attribute_on_int(lib):
    x = lib.tensor([1, 2])

    def go():
        x.requires_grad = True
    return go, [x]


@misuse("Float", "Long")
def inplace_mul_narrows_int(lib):
    x = lib.tensor([1, 2])
    return lambda: x.mul_(1.5), [x]


@misuse("Long", "Bool")
def inplace_add_narrows_bool(lib):
    x = lib.tensor([True, False])
    return lambda: x.add_(lib.tensor([1, 1])), [x]


@misuse("Long", "Float")
def index_add_source_dtype(lib):
    x, i, src = lib.zeros(3, dtype=lib.int64), lib.tensor([0]), lib.ones(1)
    return lambda: x.index_add_(0, i, src), [x, i, src]


@misuse("Long", "Float", torch_too=False)
def nll_loss_float_target(lib):
    x, y = lib.zeros(2, 3, requires_grad=True), lib.tensor([0.0, 1.0])
    return lambda: lib.nn.functional.nll_loss(x, y), [x, y]


@misuse("attempting to assign a gradient with dtype 'double'")
def grad_assigned_wrong_dtype(lib):
    x = lib.ones(3, requires_grad=True)

    def go():
        x.grad = lib.ones(3, dtype=lib.float64)
    return go, [x]


@misuse("attempting to assign a gradient of size '[4]'")
def grad_assigned_wrong_shape(lib):
    x = lib.ones(3, requires_grad=True)

    def go():
        x.grad = lib.ones(4)
    return go, [x]


@misuse("list")
def data_assigned_a_list(lib):
    x = lib.ones(3)

    def go():
        x.data = [1.0, 2.0, 3.0]
    return go, [x]


# ---------------------------------------------------------------- autograd


@misuse("retain_graph=True")
def autograd_grad_twice(lib):
    x = lib.ones(3, requires_grad=True)
    y = (x.exp() * x).sum()
    lib.autograd.grad(y, x)
    return lambda: lib.autograd.grad(y, x), [x, y]


@misuse("only change requires_grad flags of leaf variables")
def requires_grad_attribute_off_on_non_leaf(lib):
    x = lib.ones(3, requires_grad=True)
    y = x * 2

    def go():
        y.requires_grad = False
    return go, [x, y]


@misuse("requires_grad=False")
def retain_grad_without_grad(lib):
    x = lib.ones(3)
    return lambda: x.retain_grad(), [x]


@misuse("doesn't require gradient")
def register_hook_without_grad(lib):
    x = lib.ones(3)
    return lambda: x.register_hook(lambda g: g), [x]


@misuse("does not require grad")
def grad_wrt_input_without_grad(lib):
    x, w = lib.ones(3), lib.ones(3, requires_grad=True)
    y = (x * w).sum()
    return lambda: lib.autograd.grad(y, [w, x]), [x, w, y]


@misuse("leaf Variable that requires grad", "in-place")
def inplace_on_module_parameter(lib):
    m = lib.nn.Linear(2, 2)
    return lambda: m.weight.mul_(2), [m]


@misuse("leaf Variable that requires grad", "in-place")
def augmented_assignment_on_leaf(lib):
    x = lib.ones(3, requires_grad=True)
    return lambda: x.__iadd__(1), [x]


@misuse("modified by an inplace operation", "version 1", "version 0")
def saved_tensor_modified_through_a_view(lib):
    x = lib.ones(3, requires_grad=True)
    y = x * 1
    z = (y * y).sum()
    with lib.no_grad():
        y[0].mul_(2)
    return lambda: z.backward(), [x, y]


@misuse("modified by an inplace operation", "[torch.FloatTensor [2, 3]]")
def matmul_input_modified(lib):
    a = lib.ones(2, 3, requires_grad=True) * 1
    w = lib.ones(3, 4, requires_grad=True)
    out = (a @ w).sum()
    a.add_(1)
    return lambda: out.backward(), [a, w]


@misuse("grad can be implicitly created only for scalar outputs")
def autograd_grad_non_scalar(lib):
    x = lib.ones(3, requires_grad=True)
    y = x * 2
    return lambda: lib.autograd.grad(y, x), [x, y]


@misuse("Mismatch in shape", "[3]", "[2, 3]", torch_too=False)
def backward_gradient_shape(lib):
    x = lib.ones(2, 3, requires_grad=True)
    y = x * 2
    return lambda: y.backward(lib.ones(3)), [x, y]


@misuse("numpy()", "detach")
def numpy_array_of_a_parameter(lib):
    m = lib.nn.Linear(2, 2)
    return lambda: np.asarray(m.weight), [m]


@misuse("3 elements")
def int_of_many_elements(lib):
    x = lib.ones(3)
    return lambda: x.int().item(), [x]


@misuse("only integer tensors of a single element")
def range_of_a_float_tensor(lib):
    x = lib.tensor(2.5)
    return lambda: range(x), [x]


# ---------------------------------------------------------------- bad views


@misuse("[-1, 4]", "size 6")
def view_unfit(lib):
    x = lib.ones(2, 3, requires_grad=True) * 1
    return lambda: x.view(-1, 4), [x]


@misuse("view size is not compatible")
def view_of_a_transposed_slice(lib):
    x = lib.ones(4, 3)
    return lambda: x[::2].t().view(-1), [x]


# ---------------------------------------------------------------- reductions


@misuse("dim 0 appears multiple times")
def sum_repeated_dims(lib):
    x = lib.ones(2, 3, requires_grad=True)
    return lambda: x.sum((0, 0)), [x]


@misuse("numel() == 0", "dim")
def max_of_empty(lib):
    x = lib.ones(0)
    return lambda: x.max(), [x]


@misuse("reduction dim 1", "non-zero size")
def amax_over_empty_dim(lib):
    x = lib.ones(2, 0)
    return lambda: x.amax(1), [x]


@misuse("std and var only support floating point")
def var_of_int(lib):
    x = lib.tensor([1, 2, 3])
    return lambda: x.var(), [x]


@misuse("[-1, 0]", "got 1")
def logsumexp_dim(lib):
    x = lib.ones(3, requires_grad=True)
    return lambda: lib.logsumexp(x, 1), [x]


# ---------------------------------------------------------------- losses


@misuse("Target 5 is out of bounds")
def cross_entropy_class_out_of_range(lib):
    x, y = lib.zeros(2, 3, requires_grad=True), lib.tensor([0, 5])
    return lambda: lib.nn.functional.cross_entropy(x, y), [x, y]


@misuse("input batch_size (3)", "target batch_size (2)")
def cross_entropy_batch_sizes(lib):
    x, y = lib.zeros(3, 4, requires_grad=True), lib.tensor([0, 1])
    return lambda: lib.nn.functional.cross_entropy(x, y), [x, y]


@misuse("between 0 and 1")
def binary_cross_entropy_input_outside_0_1(lib):
    x, y = lib.tensor([0.5, 1.5], requires_grad=True), lib.tensor([0.0, 1.0])
    return lambda: lib.nn.functional.binary_cross_entropy(x, y), [x, y]


@misuse("torch.Size([3])", "torch.Size([3, 1])")
def bce_with_logits_target_shape(lib):
    x, y = lib.zeros(3, 1, requires_grad=True), lib.zeros(3)
    return lambda: lib.nn.functional.binary_cross_entropy_with_logits(x, y), [x, y]


@misuse("(3)", "(4)")
def mse_loss_unbroadcastable(lib):
    x, y = lib.zeros(3, requires_grad=True), lib.zeros(4)
    return lambda: lib.nn.functional.mse_loss(x, y), [x, y]


@misuse("mean_of_squares is not a valid value for reduction")
def loss_bad_reduction(lib):
    x, y = lib.zeros(3, requires_grad=True), lib.zeros(3)
    return lambda: lib.nn.functional.l1_loss(x, y, reduction="mean_of_squares"), [x, y]


@misuse("weight tensor should be defined either for all 3 classes", "[2]")
def nll_loss_weight_size(lib):
    x, y, w = lib.zeros(2, 3, requires_grad=True), lib.tensor([0, 1]), lib.ones(2)
    return lambda: lib.nn.functional.nll_loss(x, y, weight=w), [x, y, w]


@misuse("Using a target size", "torch.Size([3])", "torch.Size([3, 1])")
def bce_loss_module_target_shape(lib):
    loss = lib.nn.BCELoss()
    x, y = lib.full((3, 1), 0.5, requires_grad=True), lib.zeros(3)
    return lambda: loss(x, y), [loss, x, y]


# ---------------------------------------------------------------- modules


def _two_linears(lib):
    lib.manual_seed(0)
    m, other = lib.nn.Linear(2, 3), lib.nn.Linear(2, 3)
    return m, {k: v.detach() for k, v in other.state_dict().items()}


@misuse('Missing key(s) in state_dict: "bias"')
def load_state_dict_missing_key(lib):
    m, sd = _two_linears(lib)
    del sd["bias"]
    return lambda: m.load_state_dict(sd), [m, sd]


@misuse('Unexpected key(s) in state_dict: "scale"')
def load_state_dict_unexpected_key(lib):
    m, sd = _two_linears(lib)
    sd["scale"] = lib.ones(1)
    return lambda: m.load_state_dict(sd), [m, sd]


@misuse("size mismatch for bias", "torch.Size([4])", "torch.Size([3])")
def load_state_dict_size_mismatch(lib):
    m, sd = _two_linears(lib)
    sd["bias"] = lib.zeros(4)
    return lambda: m.load_state_dict(sd), [m, sd]


@misuse('Missing key(s) in state_dict: "1.weight"')
def load_state_dict_missing_key_in_a_submodule(lib):
    lib.manual_seed(0)
    m = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Linear(2, 1))
    sd = {k: v.detach() + 1 for k, v in m.state_dict().items()}
    del sd["1.weight"]
    return lambda: m.load_state_dict(sd), [m, sd]


@misuse('Missing key(s) in state_dict: "bias"')
def load_state_dict_assign_missing_key(lib):
    m, sd = _two_linears(lib)
    del sd["bias"]
    return lambda: m.load_state_dict(sd, assign=True), [m, sd]


@misuse("size mismatch for 0.bias")
def load_state_dict_failing_after_a_hook_ran(lib):
    m = lib.nn.Sequential(lib.nn.Linear(2, 2))
    sd = {k: v.detach() + 1 for k, v in m.state_dict().items()}
    sd["0.bias"] = lib.zeros(3)
    m[0].register_load_state_dict_post_hook(lambda module, keys: None)
    return lambda: m.load_state_dict(sd), [m, sd]


@misuse("cannot assign", "parameter 'weight'")
def assign_plain_tensor_to_parameter(lib):
    m, w = lib.nn.Linear(2, 2), lib.zeros(2, 2)

    def go():
        m.weight = w
    return go, [m, w]


@misuse("cannot assign 'int' object to buffer 'b'")
def register_buffer_not_a_tensor(lib):
    m = lib.nn.Linear(2, 2)
    return lambda: m.register_buffer("b", 3), [m]


@misuse("attribute 'weight' already exists")
def add_module_over_a_parameter(lib):
    m = lib.nn.Linear(2, 2)
    return lambda: m.add_module("weight", lib.nn.ReLU()), [m]


@misuse("index 5 is out of range")
def sequential_index_out_of_range(lib):
    m = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.ReLU())
    return lambda: m[5], [m]


@misuse("dropout probability has to be between 0 and 1", "1.5")
def dropout_probability(lib):
    x = lib.ones(3, requires_grad=True)
    return lambda: lib.nn.functional.dropout(x, 1.5), [x]


# ---------------------------------------------------------------- optimizers


@misuse("can't optimize a non-leaf Tensor")
def optimizer_group_with_a_non_leaf(lib):
    m = lib.nn.Linear(2, 2)
    y = m.weight * 2
    return lambda: lib.optim.SGD([{"params": [m.bias, y]}], lr=0.1), [m, y]


@misuse("some parameters appear in more than one parameter group")
def add_param_group_repeats_a_parameter(lib):
    m = lib.nn.Linear(2, 2)
    opt = lib.optim.Adam(m.parameters(), lr=0.1)
    m(lib.ones(1, 2)).sum().backward()
    opt.step()
    return lambda: opt.add_param_group({"params": [m.bias]}), [m, opt]


@misuse("Invalid learning rate: -0.1")
def negative_learning_rate(lib):
    m = lib.nn.Linear(2, 2)
    return lambda: lib.optim.SGD(m.parameters(), lr=-0.1), [m]


@misuse("Invalid beta parameter at index 0: 1.5")
def adam_beta_out_of_range(lib):
    m = lib.nn.Linear(2, 2)
    return lambda: lib.optim.Adam(m.parameters(), betas=(1.5, 0.9)), [m]


@misuse("Invalid epsilon value: -1.0")
def adam_negative_eps(lib):
    m = lib.nn.Linear(2, 2)
    return lambda: lib.optim.AdamW(m.parameters(), eps=-1.0), [m]


@misuse("Expected 2 lr_lambdas", "got 1")
def lambda_lr_count(lib):
    a, b = lib.ones(1, requires_grad=True), lib.ones(1, requires_grad=True)
    opt = lib.optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    return lambda: lib.optim.lr_scheduler.LambdaLR(opt, [lambda e: 1.0]), [opt]


@misuse("is not an Optimizer")
def scheduler_without_optimizer(lib):
    m = lib.nn.Linear(2, 2)
    return lambda: lib.optim.lr_scheduler.StepLR(m, 1), [m]


@misuse("different number of parameter groups")
def optimizer_load_state_dict_groups(lib):
    a, b = lib.ones(1, requires_grad=True), lib.ones(1, requires_grad=True)
    one = lib.optim.SGD([a, b], lr=0.1, momentum=0.9)
    two = lib.optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.2)
    (a * b).sum().backward()
    one.step()
    return lambda: one.load_state_dict(two.state_dict()), [one, a, b]


# ---------------------------------------------------------------- data


@misuse("batch_size should be a positive integer value", "batch_size=0")
def loader_batch_size_zero(lib):
    ds = data_of(lib).TensorDataset(lib.arange(4.0))
    return lambda: data_of(lib).DataLoader(ds, batch_size=0), [ds]


@misuse("batch_size should be a positive integer value", "batch_size=2.5")
def loader_batch_size_float(lib):
    ds = data_of(lib).TensorDataset(lib.arange(4.0))
    return lambda: data_of(lib).DataLoader(ds, batch_size=2.5), [ds]


@misuse("stack expects each tensor to be equal size", "[2]", "[3]")
def loader_samples_of_different_sizes(lib):
    ds = [lib.ones(2), lib.ones(3)]
    loader = data_of(lib).DataLoader(ds, batch_size=2)
    return lambda: next(iter(loader)), [loader, ds]


@misuse("Sum of input lengths does not equal the length of the input dataset")
def random_split_lengths(lib):
    ds = data_of(lib).TensorDataset(lib.arange(5.0))
    return lambda: data_of(lib).random_split(ds, [2, 2]), [ds]


# ---------------------------------------------------------------- creation, random, files


@misuse("-1")
def eye_negative(lib):
    return lambda: lib.eye(-1), []


@misuse("number of steps must be non-negative")
def linspace_negative_steps(lib):
    return lambda: lib.linspace(0, 1, -1), []


@misuse("from=5", "to=2")
def randint_empty_range(lib):
    return lambda: lib.randint(5, 2, (3,)), []


@misuse("probability tensor contains either `inf`, `nan` or element < 0")
def multinomial_negative_probability(lib):
    p = lib.tensor([0.5, -0.1, 0.6])
    return lambda: lib.multinomial(p, 1), [p]


@misuse("fill_ only supports 0-dimension value tensor", "1 dimensions")
def fill_with_a_vector(lib):
    x = lib.zeros(3)
    return lambda: x.fill_(lib.ones(3)), [x]


@misuse("no_such_file.pt")
def load_missing_file(lib):
    return lambda: lib.load("/nonexistent/no_such_file.pt"), []


@misuse("not a valid", torch_too=False)
def load_garbage_bytes(lib):
    buf = io.BytesIO(b"<html>not a checkpoint</html>")
    return lambda: lib.load(buf, weights_only=True), []


# ---------------------------------------------------------------- more in-place misuses


@misuse("expanded size of the tensor (2)", "existing size (3)")
def setitem_value_shape(lib):
    x, v = lib.arange(3.0), lib.ones(3)

    def go():
        x[0:2] = v
    return go, [x, v]


@misuse("value tensor of shape [3]", "indexing result of shape [2]")
def setitem_mask_value_count(lib):
    x, m, v = lib.arange(3.0), lib.tensor([True, False, True]), lib.ones(3)

    def go():
        x[m] = v
    return go, [x, m, v]


@misuse("Number of elements of source < number of ones in mask")
def masked_scatter_source_too_small(lib):
    x, m, v = lib.arange(3.0), lib.tensor([True, False, True]), lib.ones(1)
    return lambda: x.masked_scatter_(m, v), [x, m, v]


@misuse("index 5", "size 3")
def index_put_accumulate_out_of_range(lib):
    x, i, v = lib.arange(3.0), lib.tensor([0, 5]), lib.ones(2)
    return lambda: x.index_put_((i,), v, accumulate=True), [x, i, v]


@misuse("from=2 > to=1")
def uniform_inplace_empty_range(lib):
    x = lib.arange(3.0)
    return lambda: x.uniform_(2, 1), [x]


@misuse("std >= 0.0", "-1")
def normal_inplace_negative_std(lib):
    x = lib.arange(3.0)
    return lambda: x.normal_(0, -1), [x]


@misuse("p to be in [0, 1]", "p=2")
def bernoulli_inplace_probability(lib):
    x = lib.arange(3.0)
    return lambda: x.bernoulli_(2.0), [x]


@misuse("Can't detach views in-place")
def detach_inplace_on_a_view(lib):
    x = lib.ones(3, requires_grad=True) * 1
    v = x[:2]
    return lambda: v.detach_(), [x, v]


@misuse("Inplace update to inference tensor outside InferenceMode")
def inplace_on_an_inference_tensor(lib):
    with lib.inference_mode():
        x = lib.ones(3)
    return lambda: x.add_(1), [x]


# ---------------------------------------------------------------- custom Functions, hooks


def _scale(lib, grads):
    """A custom Function whose backward returns ``grads(g)``: a user's bug."""

    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, g):
            return grads(g)

    a, b = lib.ones(3, requires_grad=True), lib.ones(3, requires_grad=True)
    y = Scale.apply(a, b).sum()
    return lambda: y.backward(), [a, b]


@misuse("returned an incorrect number of gradients (expected 2, got 1)")
def function_returns_too_few_gradients(lib):
    return _scale(lib, lambda g: g)


@misuse("[2]", "[3]", torch_too=False)
def function_returns_a_wrong_shape(lib):
    return _scale(lib, lambda g: (g[:2], g))


@misuse("expected Variable or None (got float)")
def function_returns_a_number(lib):
    return _scale(lib, lambda g: (1.0, g))


@misuse("hook '<lambda>' has changed the size of value")
def leaf_hook_changes_the_shape(lib):
    x = lib.ones(3, requires_grad=True)
    x.register_hook(lambda g: g[:2])
    y = (x * 2).sum()
    return lambda: y.backward(), [x]


@misuse("hook '<lambda>' has changed the type of value", "DoubleTensor")
def hook_changes_the_dtype(lib):
    x = lib.ones(3, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g.double())
    z = y.sum()
    return lambda: z.backward(), [x]


@misuse("expected Variable, but hook returned 'float'")
def hook_returns_a_number(lib):
    x = lib.ones(3, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: 1.0)
    z = y.sum()
    return lambda: z.backward(), [x]


@misuse("cannot be empty")
def grad_with_no_inputs(lib):
    x = lib.ones(3, requires_grad=True)
    y = (x * 2).sum()
    return lambda: lib.autograd.grad(y, []), [x, y]


@misuse("got 2 tensors and 1 gradients")
def backward_gradient_count(lib):
    x = lib.ones(2, requires_grad=True)
    y, z = x * 2, x * 3
    return lambda: lib.autograd.backward([y, z], [lib.ones(2)]), [x, y, z]


# ---------------------------------------------------------------- more nn, optim, data


@misuse("total norm of order 2.0", "non-finite")
def clip_grad_norm_non_finite(lib):
    m = lib.nn.Linear(2, 2)
    m(lib.tensor([[float("inf"), 1.0]])).sum().backward()
    return lambda: lib.nn.utils.clip_grad_norm_(m.parameters(), 1.0,
                                                error_if_nonfinite=True), [m]


@misuse("shape '[2]' is invalid for input of size 1")
def vector_to_parameters_too_short(lib):
    m = lib.nn.Linear(2, 2)
    v = lib.zeros(5)
    return lambda: lib.nn.utils.vector_to_parameters(v, m.parameters()), [m, v]


@misuse("normalized_shape=[4]", "size[2, 3]")
def layer_norm_shape(lib):
    x, w = lib.ones(2, 3, requires_grad=True), lib.ones(4, requires_grad=True)
    return lambda: lib.nn.functional.layer_norm(x, (4,), w), [x, w]


@misuse("running_mean should contain 3 elements not 4")
def batch_norm_running_stats_size(lib):
    x, mean, var = lib.randn(2, 3), lib.zeros(4), lib.ones(4)
    return lambda: lib.nn.functional.batch_norm(x, mean, var, training=True), [x, mean, var]


@misuse("(3)", "(4)")
def cosine_similarity_shapes(lib):
    x, y = lib.ones(2, 3, requires_grad=True), lib.ones(2, 4)
    return lambda: lib.nn.functional.cosine_similarity(x, y), [x, y]


@misuse("0D or 1D target tensor expected")
def cross_entropy_float_target_of_the_wrong_shape(lib):
    x, y = lib.ones(2, 3, requires_grad=True), lib.ones(2, 4)
    return lambda: lib.nn.functional.cross_entropy(x, y), [x, y]


@misuse("Padding length must be divisible by 2")
def pad_odd_length(lib):
    x = lib.ones(2, 3, requires_grad=True)
    return lambda: lib.nn.functional.pad(x, (1, 1, 1)), [x]


@misuse("cannot assign 'torch.FloatTensor' object to parameter 'w'")
def register_parameter_plain_tensor(lib):
    m = lib.nn.Linear(2, 2)
    return lambda: m.register_parameter("w", lib.ones(2)), [m]


@misuse("Invalid momentum value: -1")
def sgd_negative_momentum(lib):
    m = lib.nn.Linear(2, 2)
    return lambda: lib.optim.SGD(m.parameters(), lr=0.1, momentum=-1), [m]


@misuse("'initial_lr' is not specified in param_groups[0]")
def scheduler_resumed_without_initial_lr(lib):
    m = lib.nn.Linear(2, 2)
    opt = lib.optim.SGD(m.parameters(), lr=0.1)
    return lambda: lib.optim.lr_scheduler.StepLR(opt, 1, last_epoch=5), [m, opt]


@misuse("index 5 is out of bounds for dimension 0 with size 4")
def dataset_index_out_of_range(lib):
    ds = data_of(lib).TensorDataset(lib.arange(4.0))
    return lambda: ds[5], [ds]


@misuse("num_samples should be a positive integer value, but got num_samples=0")
def random_sampler_zero_samples(lib):
    return lambda: data_of(lib).RandomSampler(range(3), num_samples=0), []


@misuse("(3x3 and 2x1)")
def linalg_solve_shapes(lib):
    a, b = lib.eye(3, requires_grad=True), lib.ones(2, 1)
    return lambda: lib.linalg.solve(a, b), [a, b]


@misuse("not positive-definite", "order 1")
def cholesky_not_positive_definite(lib):
    a = -lib.eye(2)
    return lambda: lib.linalg.cholesky(a), [a]


@misuse("argument 'other' (position 2) must be Tensor, not int")
def kron_with_a_number(lib):
    x = lib.ones(2, requires_grad=True)
    return lambda: lib.kron(x, 3), [x]


@misuse("Order bogus not supported")
def norm_of_an_unknown_order(lib):
    x = lib.ones(3, requires_grad=True)
    return lambda: x.norm(p="bogus"), [x]


@misuse("'weight' must be 2-D")
def embedding_with_a_vector_of_weights(lib):
    i, w = lib.tensor([0]), lib.ones(3, requires_grad=True)
    return lambda: lib.nn.functional.embedding(i, w), [i, w]


# ---------------------------------------------------------------- sizes and types


@misuse("4611686018427387904", torch_too=False)
def zeros_of_an_impossible_size(lib):
    return lambda: lib.zeros(2 ** 62), []


@misuse("unsupported range", "inf")
def arange_to_infinity(lib):
    return lambda: lib.arange(0, float("inf")), []


@misuse("invalid type: 'torch.FooTensor'")
def type_of_an_unknown_name(lib):
    x = lib.ones(2)
    return lambda: x.type("torch.FooTensor"), [x]


@misuse("must be int, not float")
def size_of_a_float_dim(lib):
    x = lib.ones(2)
    return lambda: x.size(1.5), [x]


@misuse("Parent directory", "does not exist")
def save_into_a_missing_directory(lib):
    x = lib.ones(2)
    return lambda: lib.save({"x": x}, "/nonexistent/dir/x.pt"), [x]


@pytest.mark.parametrize("name", list(CASES))
def test_misuse(name):
    check(name)


def test_catalogue_has_sixty_distinct_misuses():
    assert len(CASES) >= 60
