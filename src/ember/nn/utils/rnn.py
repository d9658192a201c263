"""Sequence utilities for recurrent models: ``pad_sequence``, and packed sequences
(``pack_padded_sequence``, ``pad_packed_sequence``, ``pack_sequence``...)."""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from ..._creation import full
from ..._dtype import float32, float64
from ..._tensor import Tensor
from ...ops.shape import cat, stack

__all__ = ["pad_sequence", "PackedSequence", "pack_padded_sequence", "pad_packed_sequence",
           "pack_sequence", "unpack_sequence", "unpad_sequence", "invert_permutation"]


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Stack variable-length sequences ``(L_i, *)`` into ``(T, B, *)`` (``(B, T, *)``
    with ``batch_first``), padding with ``padding_value``; differentiable.

    >>> pad_sequence([ember.tensor([1, 2, 3]), ember.tensor([4])], batch_first=True)
    tensor([[1, 2, 3],
            [4, 0, 0]])
    """
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.shape[0] for s in sequences)
    trailing = tuple(sequences[0].shape[1:])
    out = full((len(sequences), longest) + trailing, padding_value, dtype=sequences[0].dtype)
    for i, s in enumerate(sequences):
        n = s.shape[0]
        if padding_side == "right":
            out[i, :n] = s
        else:
            out[i, longest - n:] = s
    return out if batch_first else out.transpose(0, 1)


# ---------------------------------------------------------------- packed sequences


class PackedSequence(namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices",
                                                    "unsorted_indices"])):
    """Variable-length sequences stored time step by time step: ``data`` holds, for each
    step t, the rows of the ``batch_sizes[t]`` sequences still running (sequences sorted
    by decreasing length; ``sorted_indices`` maps back to the caller's order). Made by
    ``pack_padded_sequence`` / ``pack_sequence``; the recurrent layers accept it."""

    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence((data, batch_sizes))
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> PackedSequence:
        """The same sequences with ``data`` converted (``batch_sizes`` stays int64)."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(
            data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def float(self) -> PackedSequence:
        return self.to(dtype=float32)

    def double(self) -> PackedSequence:
        return self.to(dtype=float64)

    @property
    def is_cuda(self) -> bool:
        return False


def invert_permutation(permutation):
    """The inverse of a permutation tensor (None stays None)."""
    if permutation is None:
        return None
    inverse = np.empty_like(permutation._data)
    inverse[permutation._data] = np.arange(permutation._data.size)
    return Tensor._make(inverse)


def _lengths_array(lengths) -> np.ndarray:
    if isinstance(lengths, Tensor):
        if lengths.ndim != 1:
            raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got "
                               f"{lengths.ndim}D cpu {lengths.type()[6:-6]} tensor")
        return lengths._data.astype(np.int64)
    return np.asarray(lengths, dtype=np.int64)


def pack_padded_sequence(input, lengths, batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``) of sequences
    of the given ``lengths``; with ``enforce_sorted=False`` they need not be sorted by
    decreasing length.

    >>> x = ember.tensor([[1, 2, 3], [4, 5, 0]])
    >>> pack_padded_sequence(x, [3, 2], batch_first=True).data
    tensor([1, 4, 2, 5, 3])
    """
    lengths = _lengths_array(lengths)
    sorted_indices = None
    if not enforce_sorted:
        order = Tensor._make(lengths).sort(descending=True)
        lengths, sorted_indices = order.values._data, order.indices
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if batch_first:
        input = input.transpose(0, 1)
    if len(lengths) != input.shape[1]:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{len(lengths)} (batch_size={input.shape[1]})")
    if np.any(lengths[1:] > lengths[:-1]):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                           "`enforce_sorted` is True. You can pass `enforce_sorted=False` to "
                           "pack_padded_sequence and/or pack_sequence to sidestep this "
                           "requirement if you do not need ONNX exportability.")
    if lengths.size and lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    sizes = (lengths[None, :] > np.arange(lengths[0])[:, None]).sum(1)
    data = cat([input[t, :b] for t, b in enumerate(sizes.tolist())])
    return PackedSequence(data, Tensor._make(sizes.astype(np.int64)), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length=None):
    """Undo ``pack_padded_sequence``: the padded batch and the lengths (int64), in the
    order the sequences were given."""
    sizes = sequence.batch_sizes._data.tolist()
    steps = len(sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
        steps = total_length
    data = sequence.data
    batch, trailing = sizes[0], tuple(data.shape[1:])
    rows = list(data.split(sizes))
    pad = [full((batch - b,) + trailing, padding_value, dtype=data.dtype) for b in sizes]
    blank = full((batch,) + trailing, padding_value, dtype=data.dtype)
    out = stack([cat([r, p]) if p.shape[0] else r for r, p in zip(rows, pad)] +
                [blank] * (steps - len(sizes)))
    lengths = (np.asarray(sizes)[None, :] > np.arange(batch)[:, None]).sum(1)
    if batch_first:
        out = out.transpose(0, 1)
    unsorted = sequence.unsorted_indices
    if unsorted is not None:
        out = out.index_select(0 if batch_first else 1, unsorted)
        lengths = lengths[unsorted._data]
    return out, Tensor._make(lengths.astype(np.int64))


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences ``(L_i, *)``: ``pad_sequence`` then
    ``pack_padded_sequence``."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths,
                                enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first: bool = False) -> list:
    """The sequences of a padded batch, each cut to its length."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:n] for seq, n in zip(padded_sequences, _lengths_array(lengths).tolist())]


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """The sequences of a PackedSequence, as a list of tensors ``(L_i, *)``."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
