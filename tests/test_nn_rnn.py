"""Recurrent layers against torch.nn from the same weights: RNN/LSTM/GRU (layers,
directions, batch_first, projections, initial states, unbatched input, packed sequences,
dropout between layers) and the cells; outputs, final states, gradients of inputs, states
and every parameter; reprs, parameter names, seeded initialisation, errors, and an LSTM
training run following torch's loss curve."""

import numpy as np
import pytest
import torch
import torch.nn.utils.rnn as t_rnn

import ember
import ember.nn.utils.rnn as e_rnn

from conftest import assert_same, raises_like

RNG = np.random.default_rng(0)


def copy_weights(e_model, t_model):
    e_model.load_state_dict({k: ember.tensor(v.detach().numpy())
                             for k, v in t_model.state_dict().items()})


def build(cls, *args, dtype=np.float64, **kwargs):
    """The same layer in both libraries, with torch's weights copied into ember's."""
    e, t = getattr(ember.nn, cls)(*args, **kwargs), getattr(torch.nn, cls)(*args, **kwargs)
    if dtype == np.float64:
        e, t = e.double(), t.double()
    copy_weights(e, t)
    return e, t


def both(array, requires_grad=True):
    return ember.tensor(array, requires_grad=requires_grad), \
        torch.tensor(array, requires_grad=requires_grad)


def _flat(result):
    """(output, h) or (output, (h, c)) as a flat list of tensors."""
    out, state = result
    return [out] + (list(state) if isinstance(state, tuple) else [state])


def _backward_and_compare(e_outs, t_outs, e_leaves, t_leaves, e_model, t_model, **tol):
    for e, t in zip(e_outs, t_outs):
        assert_same(e, t, **tol)
    e_loss = t_loss = 0
    for e, t in zip(e_outs, t_outs):
        w = RNG.standard_normal(tuple(t.shape)).astype(t.detach().numpy().dtype)
        e_loss = e_loss + (e * ember.tensor(w)).sum()
        t_loss = t_loss + (t * torch.tensor(w)).sum()
    e_loss.backward()
    t_loss.backward()
    for e, t in zip(e_leaves, t_leaves):
        assert_same(e.grad, t.grad, **tol)
    for (n1, p1), (n2, p2) in zip(e_model.named_parameters(), t_model.named_parameters()):
        assert n1 == n2
        assert_same(p1.grad, p2.grad, **tol)


# ---------------------------------------------------------------- full layers

CONFIGS = {
    "rnn": ("RNN", {}),
    "rnn_relu_2layers_bi": ("RNN", {"nonlinearity": "relu", "num_layers": 2,
                                    "bidirectional": True}),
    "rnn_nobias": ("RNN", {"bias": False}),
    "lstm": ("LSTM", {}),
    "lstm_2layers_bi": ("LSTM", {"num_layers": 2, "bidirectional": True}),
    "lstm_proj": ("LSTM", {"proj_size": 2, "num_layers": 2}),
    "lstm_proj_bi_nobias": ("LSTM", {"proj_size": 3, "bidirectional": True, "bias": False}),
    "gru": ("GRU", {}),
    "gru_3layers": ("GRU", {"num_layers": 3}),
    "gru_bi_nobias": ("GRU", {"bidirectional": True, "bias": False, "num_layers": 2}),
}


def _initial_state(cls, kwargs, batch, hidden=5, batched=True):
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    lead = (layers, batch) if batched else (layers,)
    h = RNG.standard_normal(lead + (kwargs.get("proj_size") or hidden,))
    if cls == "LSTM":
        return [h, RNG.standard_normal(lead + (hidden,))]
    return [h]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("name", CONFIGS)
def test_layer_matches_torch(name, with_state, batch_first):
    cls, kwargs = CONFIGS[name]
    e_model, t_model = build(cls, 4, 5, batch_first=batch_first, **kwargs)
    assert repr(e_model) == repr(t_model)
    x = RNG.standard_normal((3, 6, 4) if batch_first else (6, 3, 4))
    (ex, tx) = both(x)
    e_leaves, t_leaves = [ex], [tx]
    e_args, t_args = [ex], [tx]
    if with_state:
        pairs = [both(s) for s in _initial_state(cls, kwargs, 3)]
        e_state, t_state = [p[0] for p in pairs], [p[1] for p in pairs]
        e_leaves += e_state
        t_leaves += t_state
        e_args.append(tuple(e_state) if cls == "LSTM" else e_state[0])
        t_args.append(tuple(t_state) if cls == "LSTM" else t_state[0])
    e_outs, t_outs = _flat(e_model(*e_args)), _flat(t_model(*t_args))
    _backward_and_compare(e_outs, t_outs, e_leaves, t_leaves, e_model, t_model)


@pytest.mark.parametrize("name", ["rnn_relu_2layers_bi", "lstm_proj", "gru_bi_nobias"])
def test_unbatched_input_matches_torch(name):
    cls, kwargs = CONFIGS[name]
    e_model, t_model = build(cls, 4, 5, **kwargs)
    ex, tx = both(RNG.standard_normal((6, 4)))
    pairs = [both(s) for s in _initial_state(cls, kwargs, 1, batched=False)]
    e_state = tuple(p[0] for p in pairs) if cls == "LSTM" else pairs[0][0]
    t_state = tuple(p[1] for p in pairs) if cls == "LSTM" else pairs[0][1]
    e_outs, t_outs = _flat(e_model(ex, e_state)), _flat(t_model(tx, t_state))
    _backward_and_compare(e_outs, t_outs, [ex] + [p[0] for p in pairs],
                          [tx] + [p[1] for p in pairs], e_model, t_model)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_float32_layer_matches_torch(cls):
    e_model, t_model = build(cls, 4, 6, num_layers=2, bidirectional=True, dtype=np.float32)
    ex, tx = both(RNG.standard_normal((7, 2, 4)).astype(np.float32))
    e_outs, t_outs = _flat(e_model(ex)), _flat(t_model(tx))
    assert e_outs[0].dtype == ember.float32
    _backward_and_compare(e_outs, t_outs, [ex], [tx], e_model, t_model, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_dropout_between_layers_draws_as_torch(cls):
    ember.manual_seed(3)
    torch.manual_seed(3)
    e_model = getattr(ember.nn, cls)(4, 5, num_layers=3, dropout=0.4).double()
    t_model = getattr(torch.nn, cls)(4, 5, num_layers=3, dropout=0.4).double()
    for p1, p2 in zip(e_model.parameters(), t_model.parameters()):
        np.testing.assert_array_equal(p1.detach().numpy(), p2.detach().numpy())
    ex, tx = both(RNG.standard_normal((5, 2, 4)))
    e_outs, t_outs = _flat(e_model(ex)), _flat(t_model(tx))
    _backward_and_compare(e_outs, t_outs, [ex], [tx], e_model, t_model)
    e_model.eval()
    t_model.eval()
    assert_same(e_model(ex)[0], t_model(tx)[0])  # no dropout in evaluation


# ---------------------------------------------------------------- construction


@pytest.mark.parametrize("args,kwargs", [
    (("RNN", 4, 8), {}), (("RNN", 4, 8, 2, "relu"), {}), (("RNN", 4, 8), {"nonlinearity": "relu"}),
    (("LSTM", 4, 8), {"num_layers": 2, "bias": False, "batch_first": True, "dropout": 0.5,
                      "bidirectional": True}),
    (("LSTM", 4, 8), {"proj_size": 3}), (("GRU", 3, 2), {"num_layers": 4}),
    (("RNNCell", 4, 8), {"nonlinearity": "relu"}), (("RNNCell", 4, 8), {"bias": False}),
    (("LSTMCell", 4, 8), {}), (("GRUCell", 4, 8), {"bias": False}),
])
def test_repr_names_and_seeded_init_match_torch(args, kwargs):
    cls, *rest = args
    ember.manual_seed(7)
    torch.manual_seed(7)
    e = getattr(ember.nn, cls)(*rest, **kwargs)
    t = getattr(torch.nn, cls)(*rest, **kwargs)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    for (n1, p1), (n2, p2) in zip(e.named_parameters(), t.named_parameters()):
        assert n1 == n2 and tuple(p1.shape) == tuple(p2.shape)
        np.testing.assert_array_equal(p1.detach().numpy(), p2.detach().numpy())


def test_all_weights_and_attributes_as_torch():
    e = ember.nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
    t = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
    assert [[tuple(p.shape) for p in ws] for ws in e.all_weights] == \
        [[tuple(p.shape) for p in ws] for ws in t.all_weights]
    assert e._flat_weights_names == t._flat_weights_names
    for name in ("mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first",
                 "dropout", "bidirectional", "proj_size"):
        assert getattr(e, name) == getattr(t, name)
    assert ember.nn.RNN(2, 3, nonlinearity="relu").nonlinearity == "relu"


def test_double_and_state_dict_round_trip():
    e = ember.nn.GRU(3, 4).double()
    assert all(p.dtype == ember.float64 for p in e.parameters())
    t = torch.nn.GRU(3, 4).double()
    copy_weights(e, t)
    x = RNG.standard_normal((2, 1, 3))
    assert_same(e(ember.tensor(x))[0], t(torch.tensor(x))[0])


# ---------------------------------------------------------------- cells


@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("cls,kwargs", [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}),
                                        ("LSTMCell", {}), ("GRUCell", {}),
                                        ("GRUCell", {"bias": False}),
                                        ("LSTMCell", {"bias": False})])
def test_cell_matches_torch(cls, kwargs, with_state, batched):
    e_model, t_model = build(cls, 4, 5, **kwargs)
    lead = (3,) if batched else ()
    ex, tx = both(RNG.standard_normal(lead + (4,)))
    e_args, t_args, e_leaves, t_leaves = [ex], [tx], [ex], [tx]
    if with_state:
        n = 2 if cls == "LSTMCell" else 1
        pairs = [both(RNG.standard_normal(lead + (5,))) for _ in range(n)]
        e_leaves += [p[0] for p in pairs]
        t_leaves += [p[1] for p in pairs]
        e_args.append(tuple(p[0] for p in pairs) if n == 2 else pairs[0][0])
        t_args.append(tuple(p[1] for p in pairs) if n == 2 else pairs[0][1])
    e_out, t_out = e_model(*e_args), t_model(*t_args)
    e_outs = list(e_out) if isinstance(e_out, tuple) else [e_out]
    t_outs = list(t_out) if isinstance(t_out, tuple) else [t_out]
    _backward_and_compare(e_outs, t_outs, e_leaves, t_leaves, e_model, t_model)


def test_cells_unrolled_equal_the_layer():
    """An LSTMCell stepped by hand gives the LSTM's output (same weights)."""
    layer = ember.nn.LSTM(3, 4).double()
    cell = ember.nn.LSTMCell(3, 4).double()
    cell.load_state_dict({k[:-3]: v for k, v in layer.state_dict().items()})
    x = ember.tensor(RNG.standard_normal((5, 2, 3)))
    out, (h, c) = layer(x)
    state = None
    for t in range(5):
        state = cell(x[t], state)
    assert_same(state[0], h[0])
    assert_same(state[1], c[0])


# ---------------------------------------------------------------- packed sequences


@pytest.mark.parametrize("cls,kwargs", [("LSTM", {"num_layers": 2, "bidirectional": True}),
                                        ("GRU", {"bidirectional": True}),
                                        ("RNN", {"num_layers": 2}),
                                        ("LSTM", {"proj_size": 2, "batch_first": True})])
@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_packed_sequence_through_layer_matches_torch(cls, kwargs, enforce_sorted):
    batch_first = kwargs.get("batch_first", False)
    e_model, t_model = build(cls, 3, 4, **kwargs)
    lengths = [6, 4, 4, 1] if enforce_sorted else [4, 6, 1, 4]
    x = RNG.standard_normal((4, 6, 3) if batch_first else (6, 4, 3))
    ex, tx = both(x)
    e_args, t_args, e_leaves, t_leaves = [], [], [ex], [tx]
    pairs = [both(s) for s in _initial_state(cls, kwargs, 4, hidden=4)]
    e_leaves += [p[0] for p in pairs]
    t_leaves += [p[1] for p in pairs]
    e_args.append(tuple(p[0] for p in pairs) if cls == "LSTM" else pairs[0][0])
    t_args.append(tuple(p[1] for p in pairs) if cls == "LSTM" else pairs[0][1])
    e_packed = e_rnn.pack_padded_sequence(ex, lengths, batch_first, enforce_sorted)
    t_packed = t_rnn.pack_padded_sequence(tx, lengths, batch_first, enforce_sorted)
    assert_same(e_packed.data, t_packed.data)
    assert_same(e_packed.batch_sizes, t_packed.batch_sizes)
    e_out, e_state = e_model(e_packed, *e_args)
    t_out, t_state = t_model(t_packed, *t_args)
    assert isinstance(e_out, e_rnn.PackedSequence)
    e_pad, e_len = e_rnn.pad_packed_sequence(e_out, batch_first)
    t_pad, t_len = t_rnn.pad_packed_sequence(t_out, batch_first)
    assert_same(e_len, t_len)
    e_states = list(e_state) if isinstance(e_state, tuple) else [e_state]
    t_states = list(t_state) if isinstance(t_state, tuple) else [t_state]
    _backward_and_compare([e_pad] + e_states, [t_pad] + t_states, e_leaves, t_leaves,
                          e_model, t_model)


def test_pack_utilities_match_torch():
    seqs = [RNG.standard_normal((n, 2)) for n in (2, 5, 3)]
    e_seqs = [ember.tensor(s) for s in seqs]
    t_seqs = [torch.tensor(s) for s in seqs]
    e_p = e_rnn.pack_sequence(e_seqs, enforce_sorted=False)
    t_p = t_rnn.pack_sequence(t_seqs, enforce_sorted=False)
    for field in ("data", "batch_sizes", "sorted_indices", "unsorted_indices"):
        assert_same(getattr(e_p, field), getattr(t_p, field))
    for e, t in zip(e_rnn.unpack_sequence(e_p), t_rnn.unpack_sequence(t_p)):
        assert_same(e, t)
    e_pad, e_len = e_rnn.pad_packed_sequence(e_p, batch_first=True, padding_value=-1.0,
                                             total_length=7)
    t_pad, t_len = t_rnn.pad_packed_sequence(t_p, batch_first=True, padding_value=-1.0,
                                             total_length=7)
    assert_same(e_pad, t_pad)
    assert_same(e_len, t_len)
    ints = [[1, 2, 3], [4]]
    assert repr(e_rnn.pack_sequence([ember.tensor(s) for s in ints])) == \
        repr(t_rnn.pack_sequence([torch.tensor(s) for s in ints]))


PACK_ERRORS = {
    "unsorted": lambda r, lib: r.pack_padded_sequence(lib.zeros(4, 3, 2), [2, 4, 1]),
    "batch": lambda r, lib: r.pack_padded_sequence(lib.zeros(4, 3, 2), [4, 2]),
    "lengths_2d": lambda r, lib: r.pack_padded_sequence(lib.zeros(4, 3, 2),
                                                       lib.tensor([[4, 2, 1]])),
    "zero_length": lambda r, lib: r.pack_padded_sequence(lib.zeros(4, 3, 2), [4, 2, 0]),
    "total_length": lambda r, lib: r.pad_packed_sequence(
        r.pack_padded_sequence(lib.zeros(4, 3, 2), [4, 2, 1]), total_length=3),
}


@pytest.mark.parametrize("name", PACK_ERRORS)
def test_pack_errors_match_torch(name):
    call = PACK_ERRORS[name]
    err = raises_like(lambda: call(e_rnn, ember), lambda: call(t_rnn, torch))
    with pytest.raises(Exception) as t_info:
        call(t_rnn, torch)
    assert str(err) == str(t_info.value)


# ---------------------------------------------------------------- errors

ERRORS = {
    "input_size": lambda nn, lib: nn.LSTM(4, 3)(lib.zeros(5, 2, 5)),
    "input_dim": lambda nn, lib: nn.RNN(4, 3)(lib.zeros(5, 2, 4, 1)),
    "lstm_input_dim": lambda nn, lib: nn.LSTM(4, 3)(lib.zeros(5, 2, 4, 1)),
    "gru_input_dim": lambda nn, lib: nn.GRU(4, 3)(lib.zeros(4)),
    "dtype": lambda nn, lib: nn.GRU(4, 3)(lib.zeros(5, 2, 4, dtype=lib.float64)),
    "hidden_size": lambda nn, lib: nn.RNN(4, 3, 2)(lib.zeros(5, 2, 4), lib.zeros(2, 3, 3)),
    "hidden_dims": lambda nn, lib: nn.RNN(4, 3, 2)(lib.zeros(5, 2, 4), lib.zeros(2, 3)),
    "unbatched_hidden_dims": lambda nn, lib: nn.GRU(4, 3)(lib.zeros(5, 4), lib.zeros(1, 1, 3)),
    "lstm_cell_size": lambda nn, lib: nn.LSTM(4, 3)(lib.zeros(5, 2, 4), (lib.zeros(1, 2, 3),
                                                                         lib.zeros(1, 2, 4))),
    "lstm_state_dims": lambda nn, lib: nn.LSTM(4, 3)(lib.zeros(5, 2, 4), (lib.zeros(1, 2, 3),
                                                                          lib.zeros(2, 3))),
    "lstm_one_state": lambda nn, lib: nn.LSTM(4, 3)(lib.zeros(5, 2, 4), (lib.zeros(1, 2, 3),)),
    "empty_sequence": lambda nn, lib: nn.LSTM(4, 3)(lib.zeros(0, 2, 4)),
    "nonlinearity": lambda nn, lib: nn.RNN(4, 3, nonlinearity="sigmoid"),
    "proj_size_gru": lambda nn, lib: nn.GRU(4, 3, proj_size=2),
    "proj_size_big": lambda nn, lib: nn.LSTM(4, 3, proj_size=3),
    "dropout": lambda nn, lib: nn.LSTM(4, 3, dropout=1.5),
    "hidden_zero": lambda nn, lib: nn.LSTM(4, 0),
    "layers_zero": lambda nn, lib: nn.GRU(4, 3, num_layers=0),
    "input_float": lambda nn, lib: nn.LSTM(4.0, 3),
    "bias_type": lambda nn, lib: nn.LSTM(4, 3, bias=1),
    "cell_input_size": lambda nn, lib: nn.RNNCell(4, 3)(lib.zeros(2, 5)),
    "cell_batch": lambda nn, lib: nn.LSTMCell(4, 3)(lib.zeros(2, 4), (lib.zeros(2, 3),
                                                                      lib.zeros(3, 3))),
    "cell_hidden": lambda nn, lib: nn.GRUCell(4, 3)(lib.zeros(2, 4), lib.zeros(2, 5)),
    "cell_input_dim": lambda nn, lib: nn.RNNCell(4, 3)(lib.zeros(2, 4, 1)),
    "cell_hidden_dim": lambda nn, lib: nn.GRUCell(4, 3)(lib.zeros(2, 4), lib.zeros(1, 2, 3)),
    "lstm_cell_hidden_dim": lambda nn, lib: nn.LSTMCell(4, 3)(lib.zeros(2, 4),
                                                              (lib.zeros(2, 3),
                                                               lib.zeros(1, 2, 3))),
    "cell_nonlinearity": lambda nn, lib: nn.RNNCell(4, 3, nonlinearity="sigmoid")(
        lib.zeros(2, 4)),
    "cell_dtype": lambda nn, lib: nn.RNNCell(4, 3)(lib.zeros(2, 4, dtype=lib.float64)),
}


@pytest.mark.parametrize("name", ERRORS)
def test_error_matches_torch(name):
    call = ERRORS[name]
    err = raises_like(lambda: call(ember.nn, ember), lambda: call(torch.nn, torch))
    with pytest.raises(Exception) as t_info:
        call(torch.nn, torch)
    assert str(err) == str(t_info.value)


def test_dropout_with_one_layer_warns_as_torch():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        ember.nn.GRU(3, 4, dropout=0.2)


# ---------------------------------------------------------------- training


class _Tagger:
    """An LSTM sequence tagger, written once for either library."""

    def __init__(self, lib):
        self.lstm = lib.nn.LSTM(3, 8, num_layers=2, batch_first=True)
        self.head = lib.nn.Linear(8, 4)

    def params(self):
        return list(self.lstm.parameters()) + list(self.head.parameters())

    def __call__(self, x):
        return self.head(self.lstm(x)[0])


def test_lstm_training_follows_torch_loss_curve():
    models = {lib: _Tagger(lib) for lib in (ember, torch)}
    copy_weights(models[ember].lstm, models[torch].lstm)
    copy_weights(models[ember].head, models[torch].head)
    x = RNG.standard_normal((6, 5, 3)).astype(np.float32)
    y = RNG.integers(0, 4, (6, 5))
    curves = {}
    for lib, model in models.items():
        opt = lib.optim.Adam(model.params(), lr=0.01)
        xs, ys = lib.tensor(x), lib.tensor(y)
        losses = []
        for _ in range(15):
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(xs).reshape(-1, 4), ys.reshape(-1))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        curves[lib] = losses
    np.testing.assert_allclose(curves[ember], curves[torch], rtol=1e-4)
    assert curves[ember][-1] < curves[ember][0]


def _second_derivative(lib, model, x_array):
    """d/dx of <d sum(w * out) / dx, u>: second derivatives through the recurrence."""
    x = lib.tensor(x_array, requires_grad=True)
    out = model(x)[0]
    w = lib.tensor(np.random.default_rng(1).standard_normal(tuple(out.shape)))
    (g,) = lib.autograd.grad((out * w).sum(), x, create_graph=True)
    u = lib.tensor(np.random.default_rng(2).standard_normal(tuple(x.shape)))
    params = list(model.parameters())
    return lib.autograd.grad((g * u).sum(), [x] + params)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_second_derivatives_match_torch(cls):
    e_model, t_model = build(cls, 3, 4, num_layers=2, bidirectional=True)
    x = RNG.standard_normal((4, 2, 3))
    for e, t in zip(_second_derivative(ember, e_model, x), _second_derivative(torch, t_model, x)):
        assert_same(e, t, atol=1e-10)
