"""``ember.save`` / ``ember.load``: tensors and containers of them, without pickle.

A file is a `safetensors <https://github.com/huggingface/safetensors>`_ file:

* 8 bytes: the header length ``N`` (unsigned, little-endian);
* ``N`` bytes: a JSON header, padded with spaces: for each tensor,
  ``"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}``, plus
  ``"__metadata__": {"format": "pt", "ember": "<structure>"}``;
* the tensors' bytes, little-endian and C-ordered, one after the other.

``<structure>`` is the saved object as JSON, each tensor replaced by a reference to
its entry. JSON's own values stand for themselves (None, bools, ints, floats, strings,
lists); everything else is an object with one tag:

========================================  =========================================
``{"tensor": name}``                      a tensor (``"requires_grad": true`` and
                                          ``"parameter": true`` when they apply)
``{"tuple": [...]}``                      a tuple
``{"dict": [[key, value], ...]}``         a dict (keys may be ints, tuples, ...)
``{"odict": [[key, value], ...]}``        an OrderedDict
``{"float": "nan" | "inf" | "-inf"}``     a float JSON cannot write
========================================  =========================================

Tensors are named by their path in the object (``state.0.exp_avg``), so a module's
``state_dict()`` saved by ember reads in other tools as the flat dict it is. A tensor
saved twice (the same object) is stored once and loads as one object again.

Loading runs no code: it parses JSON and copies bytes. A file that is truncated,
corrupted or crafted raises ``RuntimeError`` naming the problem, after checking every
size against the bytes actually present (so nothing absurd is ever allocated). A
plain ``.safetensors`` file from another tool loads as a dict ``{name: tensor}``;
its ``BF16`` tensors become float32 (exactly: bfloat16 is the top half of float32),
as NumPy has no bfloat16.
"""

from __future__ import annotations

import json
import math
import os
import struct
from collections import OrderedDict

import numpy as np

from ._tensor import Tensor

__all__ = ["save", "load"]

_DTYPES = {  # safetensors name -> NumPy dtype (little-endian)
    "F16": "<f2", "F32": "<f4", "F64": "<f8", "I8": "i1", "I16": "<i2", "I32": "<i4",
    "I64": "<i8", "U8": "u1", "BOOL": "?", "BF16": "<u2",
}
_NAMES = {np.dtype(v).newbyteorder("=").name: k for k, v in _DTYPES.items() if k != "BF16"}
_MAX_HEADER = 100_000_000  # the limit the safetensors reference reader sets
_MAX_DIMS = 64  # NumPy's limit on the number of dimensions
_MAX_ELEMENTS = 2**62


# ---- save ----

def save(obj, f, pickle_module=None, pickle_protocol=None,
         _use_new_zipfile_serialization=True, _disable_byteorder_record=False) -> None:
    """Save a tensor, or dicts/lists/tuples of tensors and Python values, to ``f`` (a
    path or a binary file object). The pickle arguments are accepted and ignored.

    >>> ember.save({"w": ember.ones(2), "step": 3}, "ckpt.safetensors")
    >>> ember.load("ckpt.safetensors")
    {'w': tensor([1., 1.]), 'step': 3}
    """
    tensors: dict[str, Tensor] = {}
    names: dict[int, str] = {}
    structure = _encode(obj, [], tensors, names)
    order = sorted(tensors, key=lambda n: -tensors[n]._data.itemsize)  # keeps data aligned
    header: dict = {"__metadata__": {"format": "pt", "ember": json.dumps(structure)}}
    chunks, offset = [], 0
    for name in order:
        a = tensors[name]._data
        raw = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": _NAMES[a.dtype.name], "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    blob = b"".join([struct.pack("<Q", len(text)), text, *chunks])
    if isinstance(f, (str, os.PathLike)):
        parent = os.path.dirname(os.fspath(f))
        if parent and not os.path.isdir(parent):  # torch's error, as torch words it
            raise RuntimeError(f"Parent directory {parent} does not exist.")
        with open(f, "wb") as fh:
            fh.write(blob)
    else:
        f.write(blob)


def _encode(obj, path: list, tensors: dict, names: dict):
    """The JSON structure of ``obj``; tensors go to ``tensors`` under a path name."""
    if isinstance(obj, Tensor):
        name = names.get(id(obj))
        if name is None:
            name = ".".join(path) or "tensor"
            if name in tensors or name == "__metadata__":
                name = f"{name}#{len(tensors)}"
            if obj._data.dtype.name not in _NAMES:
                raise TypeError(f"ember.save: tensors of dtype {obj.dtype} cannot be saved")
            names[id(obj)] = name
            tensors[name] = obj
        out = {"tensor": name}
        if obj.requires_grad:
            out["requires_grad"] = True
        if type(obj).__name__ == "Parameter":
            out["parameter"] = True
        return out
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        if obj != obj or obj in (float("inf"), float("-inf")):
            return {"float": repr(obj)}
        return obj
    if isinstance(obj, (np.generic,)) and obj.dtype.kind in "biuf":
        return _encode(obj.item(), path, tensors, names)
    if isinstance(obj, dict):
        items = [[_encode(k, path, tensors, names), _encode(v, [*path, str(k)], tensors, names)]
                 for k, v in obj.items()]
        return {"odict" if isinstance(obj, OrderedDict) else "dict": items}
    if isinstance(obj, tuple):
        return {"tuple": [_encode(v, [*path, str(i)], tensors, names) for i, v in enumerate(obj)]}
    if isinstance(obj, list):
        return [_encode(v, [*path, str(i)], tensors, names) for i, v in enumerate(obj)]
    raise TypeError(f"ember.save cannot store objects of type {type(obj).__name__} (tensors, "
                    "numbers, strings, None, and dicts/lists/tuples of them can be saved)")


# ---- load ----

def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None,
         **pickle_load_args):
    """Load what ``save`` wrote (or any ``.safetensors`` file) from a path or binary file.

    Nothing in the file is executed, so ``weights_only`` makes no difference; tensors
    load on the CPU whatever ``map_location`` says.
    """
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            data = fh.read()
    else:
        data = f.read()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"ember.load: expected a binary file, but read {type(data).__name__}")
    try:
        header, buffer = _split(bytes(data))
        layouts = {name: _layout(name, entry, len(buffer))
                   for name, entry in header.items() if name != "__metadata__"}
        _check_disjoint(layouts)
        arrays = {name: _array(buffer, *layout) for name, layout in layouts.items()}
        meta = header.get("__metadata__")
        if meta is not None and not (isinstance(meta, dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in meta.items())):
            raise ValueError("__metadata__ must map strings to strings")
        if not meta or "ember" not in meta:
            return {name: Tensor._make(a) for name, a in arrays.items()}
        structure = json.loads(meta["ember"])
        return _decode(structure, arrays, {})
    except (ValueError, TypeError, KeyError, RecursionError, OverflowError) as e:
        raise RuntimeError(f"ember.load: not a valid ember/safetensors file: {e}") from None


def _split(data: bytes) -> tuple[dict, memoryview]:
    """The header (parsed) and the data buffer, with the header's length checked."""
    if len(data) < 8:
        raise ValueError(f"the file has {len(data)} bytes, fewer than the 8 of the header size")
    (n,) = struct.unpack("<Q", data[:8])
    if n > _MAX_HEADER or n > len(data) - 8:
        raise ValueError(f"the header claims {n} bytes but the file has {len(data) - 8} after "
                         "the size field")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"))
    except UnicodeDecodeError as e:
        raise ValueError(f"the header is not UTF-8 ({e})") from None
    if not isinstance(header, dict):
        raise ValueError("the header is not a JSON object")
    return header, memoryview(data)[8 + n:]


def _layout(name: str, entry, size: int) -> tuple:
    """One tensor's (dtype, shape, begin, end) in a ``size``-byte buffer, checked."""
    if not isinstance(entry, dict):
        raise ValueError(f"tensor {name!r}: entry is not an object")
    dtype, shape, offsets = entry.get("dtype"), entry.get("shape"), entry.get("data_offsets")
    if dtype not in _DTYPES:
        raise ValueError(f"tensor {name!r}: unsupported dtype {dtype!r}")
    if (not isinstance(shape, list) or len(shape) > _MAX_DIMS
            or not all(type(d) is int and d >= 0 for d in shape)):
        raise ValueError(f"tensor {name!r}: bad shape {shape!r}")
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(type(o) is int for o in offsets)
            or not 0 <= offsets[0] <= offsets[1] <= size):
        raise ValueError(f"tensor {name!r}: data_offsets {offsets!r} outside the "
                         f"{size}-byte data")
    if math.prod(d for d in shape if d) > _MAX_ELEMENTS:  # zeros left out: (0, 2**80) too
        raise ValueError(f"tensor {name!r}: shape {shape} is too large")
    count = math.prod(shape)
    begin, end = offsets
    itemsize = np.dtype(_DTYPES[dtype]).itemsize
    if end - begin != count * itemsize:
        raise ValueError(f"tensor {name!r}: shape {shape} of {dtype} needs "
                         f"{count * itemsize} bytes, data_offsets give {end - begin}")
    return dtype, shape, begin, end


def _check_disjoint(layouts: dict) -> None:
    """No two tensors share bytes: loading then never copies more than the file holds
    (entries all naming the same megabyte would otherwise cost a megabyte each)."""
    spans = sorted((begin, end, name) for name, (_, _, begin, end) in layouts.items()
                   if end > begin)
    for (_, end, a), (begin, _, b) in zip(spans, spans[1:]):
        if begin < end:
            raise ValueError(f"tensors {a!r} and {b!r} overlap in the data")


def _array(buffer: memoryview, dtype: str, shape: list, begin: int, end: int) -> np.ndarray:
    """One tensor's array, copied out of ``buffer`` (its layout checked by ``_layout``)."""
    np_dtype = np.dtype(_DTYPES[dtype])
    a = np.frombuffer(buffer[begin:end], dtype=np_dtype).reshape(shape)
    if dtype == "BF16":
        return (a.astype(np.uint32) << 16).view(np.float32)
    if dtype == "BOOL":
        return a.view(np.uint8) != 0  # any nonzero byte is True (and no invalid bools)
    return a.astype(np_dtype.newbyteorder("="))  # a native, writable copy


def _decode(node, arrays: dict, made: dict):
    """The object a structure node stands for."""
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_decode(v, arrays, made) for v in node]
    if not isinstance(node, dict) or not node:
        raise ValueError(f"unexpected structure node {node!r:.80}")
    tag = next(iter(node))
    value = node[tag]
    if tag == "tensor":
        if value not in arrays:
            raise ValueError(f"the structure names a tensor {value!r:.80} the file lacks")
        if value not in made:
            t = Tensor._make(arrays[value])
            if node.get("parameter"):
                from .nn.parameter import Parameter

                t = Parameter(t, requires_grad=bool(node.get("requires_grad")))
            elif node.get("requires_grad"):
                t.requires_grad_(True)
            made[value] = t
        return made[value]
    if tag == "float":
        if value not in ("nan", "inf", "-inf"):
            raise ValueError(f"bad float {value!r:.80}")
        return float(value)
    if not isinstance(value, list):
        raise ValueError(f"the {tag!r:.80} node holds no list")
    if tag == "tuple":
        return tuple(_decode(v, arrays, made) for v in value)
    if tag in ("dict", "odict"):
        out = OrderedDict() if tag == "odict" else {}
        for pair in value:
            if not isinstance(pair, list) or len(pair) != 2:
                raise ValueError(f"a dict item is not a [key, value] pair: {pair!r:.80}")
            out[_decode(pair[0], arrays, made)] = _decode(pair[1], arrays, made)
        return out
    raise ValueError(f"unknown structure tag {tag!r:.80}")
