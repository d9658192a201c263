"""Recurrent layers: RNN (tanh or relu), LSTM, GRU and their one-step cells.

Built from ember ops (``linear``, ``sigmoid``, ``tanh``, ``stack``, ``cat``), so the
gradients of inputs, states and weights come from autograd. The parameters, their names
(``weight_ih_l0``, ``bias_hh_l1_reverse``, ``weight_hr_l0``), their order, their
initialisation (uniform in ``±1/sqrt(hidden_size)``, drawn in parameter order) and the
gate order (LSTM: input, forget, cell, output; GRU: reset, update, new) are torch's, so a
state dict copied from torch gives the same outputs.

As torch does on the CPU, each layer first projects the whole input sequence with one
matrix product, then steps through time with the hidden-to-hidden product only.

>>> lstm = ember.nn.LSTM(4, 8, num_layers=2, batch_first=True)
>>> out, (h, c) = lstm(ember.randn(3, 5, 4))
>>> out.shape, h.shape
(torch.Size([3, 5, 8]), torch.Size([2, 3, 8]))
"""

from __future__ import annotations

import math
import numbers
import warnings

from ... import _creation
from ..._tensor import Tensor
from ...ops.pointwise import relu, sigmoid, tanh
from ...ops.shape import cat, stack
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


# ---------------------------------------------------------------- one time step
# ``xw`` is the step's input already projected (x @ W_ih.T + b_ih); ``w_hh``, ``b_hh`` the
# hidden-to-hidden weights; ``state`` a tuple: (h,) or, for the LSTM, (h, c).


def _rnn_tanh_step(xw, state, w_hh, b_hh, w_hr=None):
    return (tanh(F.linear(state[0], w_hh, b_hh) + xw),)


def _rnn_relu_step(xw, state, w_hh, b_hh, w_hr=None):
    return (relu(F.linear(state[0], w_hh, b_hh) + xw),)


def _lstm_step(xw, state, w_hh, b_hh, w_hr=None):
    h, c = state
    i, f, g, o = (F.linear(h, w_hh, b_hh) + xw).chunk(4, 1)
    c = sigmoid(f) * c + sigmoid(i) * tanh(g)
    h = sigmoid(o) * tanh(c)
    if w_hr is not None:  # projected LSTM: the hidden state is h @ W_hr.T
        h = F.linear(h, w_hr)
    return h, c


def _gru_step(xw, state, w_hh, b_hh, w_hr=None):
    (h,) = state
    x_r, x_z, x_n = xw.chunk(3, 1)
    h_r, h_z, h_n = F.linear(h, w_hh, b_hh).chunk(3, 1)
    r = sigmoid(h_r + x_r)
    z = sigmoid(h_z + x_z)
    n = tanh(x_n + h_n * r)  # torch's n: the reset gate scales W_hn h + b_hn
    return ((h - n) * z + n,)


_STEPS = {"RNN_TANH": _rnn_tanh_step, "RNN_RELU": _rnn_relu_step, "LSTM": _lstm_step,
          "GRU": _gru_step}


def _run(step, weights, xs, state, sizes, reverse):
    """One direction of one layer: ``xs[t]`` is the projected input of step t (only the
    rows of the sequences still running, for packed input with batch ``sizes``);
    ``state`` holds the initial states of all sequences. Returns the hidden state of
    every step and the final state of every sequence."""
    steps = range(len(xs) - 1, -1, -1) if reverse else range(len(xs))
    outs = [None] * len(xs)
    if sizes is None:
        for t in steps:
            state = step(xs[t], state, *weights)
            outs[t] = state[0]
        return outs, state
    full, n = state, (sizes[-1] if reverse else sizes[0])
    state = tuple(s[:n] for s in full)
    ended = []  # forward: the final states of sequences that stopped, latest rows first
    for t in steps:
        b = sizes[t]
        if b > n:  # backward through packed input: longer sequences join
            state = tuple(cat([s, f[n:b]]) for s, f in zip(state, full))
        elif b < n:
            ended.append(tuple(s[b:] for s in state))
            state = tuple(s[:b] for s in state)
        n = b
        state = step(xs[t], state, *weights)
        outs[t] = state[0]
    if ended:
        pieces = [state] + ended[::-1]
        state = tuple(cat([p[i] for p in pieces]) for i in range(len(state)))
    return outs, state


# ---------------------------------------------------------------- modules


class RNNBase(Module):
    """The layers of RNN, LSTM and GRU: parameters, checks and the loop over layers."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device=None,
                 dtype=None) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        _check_options(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                       proj_size)
        gate_size = {"LSTM": 4, "GRU": 3}.get(mode, 1) * hidden_size
        directions = 2 if bidirectional else 1
        real_hidden = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(directions):
                in_size = input_size if layer == 0 else real_hidden * directions
                shapes = [("weight_ih", (gate_size, in_size)),
                          ("weight_hh", (gate_size, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr", (proj_size, hidden_size))]
                suffix = "_reverse" if direction == 1 else ""
                names = [f"{name}_l{layer}{suffix}" for name, _ in shapes]
                for name, (_, shape) in zip(names, shapes):
                    setattr(self, name, Parameter(_creation.empty(shape, dtype=dtype)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list:
        """The parameters of each layer and direction, in torch's order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """Nothing to do: torch packs weights for cuDNN here."""

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ------------------------------------------------------------ forward

    def _hidden_sizes(self) -> list:
        """The size of each state: (h,) or, for the LSTM, (h, c)."""
        h = self.proj_size if self.proj_size > 0 else self.hidden_size
        return [h, self.hidden_size] if self.mode == "LSTM" else [h]

    def forward(self, input, hx=None):
        packed = isinstance(input, PackedSequence)
        is_lstm = self.mode == "LSTM"
        name = {"LSTM": "LSTM", "GRU": "GRU"}.get(self.mode, "RNN")
        states = None if hx is None else (list(hx) if is_lstm else [hx])
        if is_lstm and states is not None and len(states) < 2:
            raise IndexError("tuple index out of range")
        if packed:
            data, batch_sizes, sorted_indices, unsorted_indices = input
            sizes = [int(b) for b in batch_sizes.tolist()]
            batch, batched = sizes[0], True
            if states is not None and sorted_indices is not None:
                states = [s.index_select(1, sorted_indices) for s in states]
        else:
            data, sizes, unsorted_indices = input, None, None
            if input.ndim not in (2, 3):
                shape = "D tensor instead" if self.mode.startswith("RNN") else "D instead"
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got "
                                 f"{input.ndim}{shape}")
            batched = input.ndim == 3
            if not batched:
                data = input.unsqueeze(0 if self.batch_first else 1)
            _check_state_dims(states, batched, is_lstm)
            if states is not None and not batched:
                states = [s.unsqueeze(1) for s in states]
            if self.batch_first:
                data = data.transpose(0, 1)
            batch = data.shape[1]
        directions = 2 if self.bidirectional else 1
        if states is None:
            states = [_creation.zeros((self.num_layers * directions, batch, size),
                                      dtype=data.dtype) for size in self._hidden_sizes()]
        self._check_forward_args(data, states, batch, packed)
        out, finals = self._layers(data, states, sizes)
        finals = [stack(f) for f in finals]
        if packed:
            if unsorted_indices is not None:
                finals = [f.index_select(1, unsorted_indices) for f in finals]
            out = PackedSequence(out, batch_sizes, sorted_indices, unsorted_indices)
        else:
            if self.batch_first:
                out = out.transpose(0, 1)
            if not batched:
                out = out.squeeze(0 if self.batch_first else 1)
                finals = [f.squeeze(1) for f in finals]
        return out, (tuple(finals) if is_lstm else finals[0])

    def _layers(self, x, states, sizes):
        """Run every layer and direction on ``x`` (time-major ``(T, B, I)``, or packed
        rows ``(sum(sizes), I)``); returns the last layer's output and, per state, the
        final values of each layer and direction."""
        step = _STEPS[self.mode]
        directions = 2 if self.bidirectional else 1
        finals = [[] for _ in states]
        for layer in range(self.num_layers):
            outputs = []
            for d in range(directions):
                w = [getattr(self, n) for n in self._all_weights[layer * directions + d]]
                w_ih, w_hh = w[0], w[1]
                b_ih, b_hh = (w[2], w[3]) if self.bias else (None, None)
                w_hr = w[-1] if self.proj_size > 0 else None
                # the input projection of every time step at once
                xw = F.linear(x, w_ih, b_ih)
                xs = xw.unbind(0) if sizes is None else xw.split(sizes)
                k = layer * directions + d
                outs, final = _run(step, (w_hh, b_hh, w_hr), xs,
                                   tuple(s[k] for s in states), sizes, reverse=d == 1)
                outputs.append(stack(outs) if sizes is None else cat(outs))
                for i, f in enumerate(final):
                    finals[i].append(f)
            x = outputs[0] if directions == 1 else cat(outputs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        return x, finals

    def _check_forward_args(self, data, states, batch, packed) -> None:
        weight = self.weight_ih_l0
        if data.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype ({data.dtype}) does not match weight dtype "
                             f"({weight.dtype}). Convert input: input.to({weight.dtype}), "
                             f"or convert model: model.to({data.dtype})")
        if packed and data.ndim != 2:
            raise RuntimeError(f"input must have 2 dimensions, got {data.ndim}")
        if data.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {data.shape[-1]}")
        if not packed and data.shape[0] == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        directions = 2 if self.bidirectional else 1
        lstm = self.mode == "LSTM"
        for i, (s, size) in enumerate(zip(states, self._hidden_sizes())):
            expected = (self.num_layers * directions, batch, size)
            if tuple(s.shape) != expected:
                what = f"hidden[{i}] size" if lstm else "hidden size"
                raise RuntimeError(f"Expected {what} {expected}, got {list(s.shape)}")


def _check_options(input_size, hidden_size, num_layers, bias, batch_first, dropout,
                   proj_size) -> None:
    """torch's checks of the constructor arguments, in torch's order."""
    if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or \
            isinstance(dropout, bool):
        raise ValueError("dropout should be a number in range [0, 1] representing the "
                         "probability of an element being zeroed")
    if dropout > 0 and num_layers == 1:
        warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                      "non-zero dropout expects num_layers greater than 1, but got "
                      f"dropout={dropout} and num_layers={num_layers}", stacklevel=4)
    for name, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool),
                              ("input_size", input_size, int)):
        if not isinstance(value, kind):
            raise TypeError(f"{name} should be of type {kind.__name__}, got: "
                            f"{type(value).__name__}")
    if input_size <= 0:
        raise ValueError("input_size must be greater than zero")
    if not isinstance(hidden_size, int):
        raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable "
                         "projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")


def _check_state_dims(states, batched: bool, is_lstm: bool) -> None:
    if states is None:
        return
    want = 3 if batched else 2
    if all(s.ndim == want for s in states):
        return
    kind = "batched 3-D" if batched else "unbatched 2-D"
    if is_lstm:
        dims = ", ".join(f"{s.ndim}-D" for s in states)
        raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got "
                           f"({dims}) tensors")
    raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got "
                       f"{states[0].ndim}-D tensor")


class RNN(RNNBase):
    """An Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or relu),
    stacked ``num_layers`` deep, optionally in both directions.

    Arguments: ``input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False``. Returns ``(output, h_n)``.
    """

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:  # nonlinearity is the fourth positional argument
            nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            nonlinearity = kwargs.pop("nonlinearity", "tanh")
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if nonlinearity not in modes:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        super().__init__(modes[nonlinearity], *args, **kwargs)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory: gates ``i, f, g, o`` (in that order in the weights),
    ``c_t = f * c_{t-1} + i * g``, ``h_t = o * tanh(c_t)`` (times ``W_hr^T`` with
    ``proj_size``). Returns ``(output, (h_n, c_n))``.

    >>> out, (h, c) = ember.nn.LSTM(3, 5)(ember.randn(7, 2, 3))
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit: ``r, z`` gates and ``n = tanh(W_in x + b_in + r * (W_hn h +
    b_hn))``, ``h_t = (1 - z) * n + z * h_{t-1}``. Returns ``(output, h_n)``."""

    def __init__(self, *args, **kwargs) -> None:
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


# ---------------------------------------------------------------- cells


class RNNCellBase(Module):
    """A single time step: ``weight_ih``, ``weight_hh`` (and biases) for ``num_chunks``
    gates."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device=None, dtype=None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        rows = num_chunks * hidden_size
        self.weight_ih = Parameter(_creation.empty((rows, input_size), dtype=dtype))
        self.weight_hh = Parameter(_creation.empty((rows, hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(_creation.empty(rows, dtype=dtype))
            self.bias_hh = Parameter(_creation.empty(rows, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _step(self, step, input, states, name):
        """Check and batch the arguments, run ``step`` once, unbatch the result."""
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D "
                             "instead")
        batched = input.ndim == 2
        if not batched:
            input = input.unsqueeze(0)
        if states is None:
            zeros = _creation.zeros((input.shape[0], self.hidden_size), dtype=input.dtype)
            states = (zeros,) * (2 if name == "LSTMCell" else 1)
        elif not batched:
            states = tuple(s.unsqueeze(0) for s in states)
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} "
                               f"expected {self.input_size}")
        for i, s in enumerate(states):
            if s.shape[0] != input.shape[0]:
                raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match "
                                   f"hidden{i} batch size {s.shape[0]}")
            if s.shape[-1] != self.hidden_size:
                raise RuntimeError(f"hidden{i} has inconsistent hidden_size: got "
                                   f"{s.shape[-1]}, expected {self.hidden_size}")
        if input.dtype != self.weight_ih.dtype:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                               f"{_word(input)} and {_word(self.weight_ih)}")
        xw = F.linear(input, self.weight_ih, self.bias_ih)
        out = step(xw, states, self.weight_hh, self.bias_hh)
        return out if batched else tuple(o.squeeze(0) for o in out)


def _word(t: Tensor) -> str:
    from ...ops.pointwise import _type_word

    return _type_word(t.dtype)


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if hx is not None and hx.ndim not in (1, 2):
            raise ValueError(f"RNNCell: Expected hidden to be 1D or 2D, got {hx.ndim}D "
                             "instead")
        steps = {"tanh": _rnn_tanh_step, "relu": _rnn_relu_step}
        if self.nonlinearity not in steps and input.ndim in (1, 2):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        step = steps.get(self.nonlinearity, _rnn_tanh_step)
        return self._step(step, input, None if hx is None else (hx,), "RNNCell")[0]


class LSTMCell(RNNCellBase):
    """One step of an LSTM: returns ``(h', c')``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, dtype=dtype)

    def forward(self, input, hx=None):
        if hx is not None:
            for i, value in enumerate(hx):
                if value.ndim not in (1, 2):
                    raise ValueError(f"LSTMCell: Expected hx[{i}] to be 1D or 2D, got "
                                     f"{value.ndim}D instead")
        return self._step(_lstm_step, input, None if hx is None else tuple(hx), "LSTMCell")


class GRUCell(RNNCellBase):
    """One step of a GRU: returns ``h'``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None,
                 dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, dtype=dtype)

    def forward(self, input, hx=None):
        if hx is not None and hx.ndim not in (1, 2):
            raise ValueError(f"GRUCell: Expected hidden to be 1D or 2D, got {hx.ndim}D "
                             "instead")
        return self._step(_gru_step, input, None if hx is None else (hx,), "GRUCell")[0]
