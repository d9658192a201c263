"""ember.save / ember.load: round trips, the safetensors layout, and hostile files.

The file format is checked against an independent writer and reader of the
safetensors layout written here from the specification (8-byte length, JSON header,
raw little-endian bytes), with torch producing the reference bytes.
"""

import io
import json
import struct
from collections import OrderedDict, namedtuple

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import ember

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool"]


def _roundtrip(obj):
    buf = io.BytesIO()
    ember.save(obj, buf)
    return ember.load(io.BytesIO(buf.getvalue()))


def _same(a, b):
    """Equal structure, types and tensor contents (dtype, shape, bits)."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, ember.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, float) and a != a:
        assert b != b
    else:
        assert a == b


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (3,), (2, 0, 4), (4, 5), (2, 3, 4)])
def test_every_dtype_and_shape_round_trips(dtype, shape):
    rng = np.random.default_rng(0)
    a = np.asarray(rng.standard_normal(shape) * 100).astype(
        getattr(np, dtype) if dtype != "bool" else np.bool_)
    t = ember.from_numpy(a)
    _same(_roundtrip(t), t)


def test_special_floats_and_non_contiguous_tensors_round_trip():
    x = ember.tensor([np.nan, np.inf, -np.inf, -0.0, 1e-45, 65504.0])
    _same(_roundtrip(x), x)
    m = ember.arange(12.0).reshape(3, 4)
    loaded = _roundtrip(m.t())
    np.testing.assert_array_equal(loaded.numpy(), m.t().numpy())


def test_nested_containers_round_trip():
    w = ember.randn(3, 2, requires_grad=True)
    Point = namedtuple("Point", "x y")
    obj = {
        "w": w, "same": w, "list": [1, -2**70, 2.5, float("nan"), float("inf"), None, True,
                                    "text", ("a", (ember.zeros(0),))],
        3: OrderedDict([("z", ember.tensor(5)), ("y", {})]),
        (1, "k"): [], "empty": (), "point": Point(1, 2),
    }
    out = _roundtrip(obj)
    obj["point"] = (1, 2)  # a namedtuple is stored as a plain tuple
    _same(out, obj)
    assert out["w"] is out["same"]  # one tensor saved twice loads as one object


def test_paths_and_file_objects(tmp_path):
    sd = {"weight": ember.randn(4, 3), "bias": ember.zeros(4)}
    ember.save(sd, tmp_path / "model.pt")
    ember.save(sd, str(tmp_path / "model2.pt"))
    with open(tmp_path / "model3.pt", "wb") as f:
        ember.save(sd, f)
    for name in ("model.pt", "model2.pt", "model3.pt"):
        _same(ember.load(tmp_path / name), sd)
        with open(tmp_path / name, "rb") as f:
            _same(ember.load(f, map_location="cpu", weights_only=True), sd)


def test_optimizer_state_dict_round_trips_and_resumes():
    params = [ember.randn(3, requires_grad=True), ember.randn(2, 2, requires_grad=True)]
    opt = ember.optim.Adam(params, lr=0.01, amsgrad=True)
    for _ in range(3):
        for p in params:
            p.grad = ember.randn(*p.shape)
        opt.step()
    sd = _roundtrip(opt.state_dict())
    _same(sd, opt.state_dict())
    other = [p.detach().clone().requires_grad_() for p in params]
    opt2 = ember.optim.Adam(other, lr=0.5)
    opt2.load_state_dict(sd)
    for p, q in zip(params, other):
        p.grad = q.grad = ember.ones(*p.shape)
    opt.step()
    opt2.step()
    for p, q in zip(params, other):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())


def test_parameters_stay_parameters():
    p = ember.nn.Parameter(ember.randn(2))
    out = _roundtrip({"p": p})["p"]
    assert type(out) is type(p) and out.requires_grad
    np.testing.assert_array_equal(out.detach().numpy(), p.detach().numpy())


def test_unsupported_objects_raise_type_error():
    with pytest.raises(TypeError, match="cannot store objects of type object"):
        ember.save({"x": object()}, io.BytesIO())


# ---- the file is safetensors ----

_ST_NAMES = {torch.float16: "F16", torch.float32: "F32", torch.float64: "F64",
             torch.int8: "I8", torch.int16: "I16", torch.int32: "I32", torch.int64: "I64",
             torch.uint8: "U8", torch.bool: "BOOL", torch.bfloat16: "BF16"}


def _write_safetensors(tensors: dict, metadata=None) -> bytes:
    """A .safetensors file, written from the specification with torch's bytes."""
    header, chunks, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        raw = t.reshape(-1).contiguous().view(torch.uint8).numpy().tobytes()
        header[name] = {"dtype": _ST_NAMES[t.dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def _read_safetensors(blob: bytes) -> tuple:
    """The tensors of a .safetensors file as torch tensors, read from the specification."""
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    by_name = {v: k for k, v in _ST_NAMES.items()}
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        raw = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.uint8) if end > begin \
            else torch.zeros(0, dtype=torch.uint8)
        out[name] = raw.view(by_name[e["dtype"]]).reshape(e["shape"])
    return header, out


def test_files_follow_the_safetensors_layout():
    sd = OrderedDict([("layer.weight", ember.randn(3, 2)), ("layer.bias", ember.zeros(3)),
                      ("steps", ember.tensor(7)), ("mask", ember.tensor([True, False])),
                      ("half", ember.ones(2, dtype=ember.float16))])
    buf = io.BytesIO()
    ember.save(sd, buf)
    blob = buf.getvalue()
    header, tensors = _read_safetensors(blob)
    assert (8 + struct.unpack("<Q", blob[:8])[0]) % 8 == 0  # the data starts aligned
    assert set(tensors) == set(sd)  # a state dict keeps its keys as tensor names
    for name, t in sd.items():
        assert str(tensors[name].dtype) == str(t.dtype)
        np.testing.assert_array_equal(tensors[name].numpy(), t.numpy())
    ends = sorted(tuple(e["data_offsets"]) for k, e in header.items() if k != "__metadata__")
    assert ends[0][0] == 0 and all(a[1] == b[0] for a, b in zip(ends, ends[1:]))
    assert ends[-1][1] == len(blob) - 8 - struct.unpack("<Q", blob[:8])[0]


def test_reads_safetensors_files_written_by_other_tools():
    g = torch.Generator().manual_seed(0)
    tensors = {"w": torch.randn(4, 3, generator=g), "i": torch.arange(6).reshape(2, 3),
               "h": torch.randn(5, generator=g).half(), "b": torch.tensor([True, False]),
               "u": torch.tensor([0, 255], dtype=torch.uint8), "e": torch.zeros(0, 2),
               "s": torch.tensor(2.5, dtype=torch.float64)}
    out = ember.load(io.BytesIO(_write_safetensors(tensors, {"framework": "other"})))
    assert list(out) == list(tensors)
    for name, t in tensors.items():
        assert str(out[name].dtype) == str(t.dtype) and tuple(out[name].shape) == t.shape
        np.testing.assert_array_equal(out[name].numpy(), t.numpy())
    out = ember.load(io.BytesIO(_write_safetensors({"x": tensors["w"]})))  # no metadata
    np.testing.assert_array_equal(out["x"].numpy(), tensors["w"].numpy())


def test_bfloat16_loads_as_exact_float32():
    x = torch.randn(7, generator=torch.Generator().manual_seed(1)).bfloat16()
    out = ember.load(io.BytesIO(_write_safetensors({"x": x})))["x"]
    assert out.dtype == ember.float32
    np.testing.assert_array_equal(out.numpy(), x.float().numpy())


# ---- broken and hostile files ----

def _valid_blob():
    buf = io.BytesIO()
    ember.save({"a": ember.randn(3, 4), "n": [1, 2.5, "s"], "b": ember.arange(5)}, buf)
    return buf.getvalue()


def _header_file(header, data=b"", declared=None):
    text = json.dumps(header).encode() if not isinstance(header, bytes) else header
    n = len(text) if declared is None else declared
    return struct.pack("<Q", n) + text + data


@pytest.mark.parametrize("blob", [
    b"", b"\x00" * 7, struct.pack("<Q", 2**63) + b"{}", struct.pack("<Q", 10) + b"{}",
    _header_file(b"\xff\xfe{}"), _header_file(b"[1, 2]"), _header_file(b"{not json"),
    _header_file({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 4),
    _header_file({"x": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, b"\0" * 8),
    _header_file({"x": {"dtype": "F32", "shape": [2], "data_offsets": [4, 0]}}, b"\0" * 8),
    _header_file({"x": {"dtype": "F32", "shape": [2], "data_offsets": [-8, 0]}}, b"\0" * 8),
    _header_file({"x": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, b"\0" * 8),
    _header_file({"x": {"dtype": "F32", "shape": [2.0], "data_offsets": [0, 8]}}, b"\0" * 8),
    _header_file({"x": {"dtype": "F32", "shape": [2**40, 2**40, 2**40],
                        "data_offsets": [0, 8]}}, b"\0" * 8),
    _header_file({"x": {"dtype": "F32", "shape": [0, 2**70], "data_offsets": [0, 0]}}),
    _header_file({"x": {"dtype": "F32", "shape": [1] * 65, "data_offsets": [0, 4]}}, b"\0" * 4),
    _header_file({"x": {"dtype": "C64", "shape": [1], "data_offsets": [0, 8]}}, b"\0" * 8),
    _header_file({"x": {"dtype": "U32", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 4),
    _header_file({"x": {"dtype": "F32", "shape": [1]}}, b"\0" * 4),
    _header_file({"x": [1, 2]}),
    _header_file({"__metadata__": {"ember": 5}}),
    _header_file({"__metadata__": {"ember": "{\"tensor\": \"nope\"}"}}),
    _header_file({"__metadata__": {"ember": "{\"pickle\": []}"}}),
    _header_file({"__metadata__": {"ember": "{\"dict\": [[[1], 2]]}"}}),
    _header_file({"__metadata__": {"ember": "{\"dict\": [[1]]}"}}),
    _header_file({"__metadata__": {"ember": "{\"float\": \"1e5\"}"}}),
    _header_file({"__metadata__": {"ember": "{}"}}),
    _header_file({"__metadata__": {"ember": "[" * 100_000 + "]" * 100_000}}),
    _header_file({"__metadata__": {"ember": "{\"tuple\": " * 50_000 + "[]" + "}" * 50_000}}),
    _header_file({"__metadata__": {"ember": "nan garbage"}}),
])
def test_broken_files_raise_runtime_error(blob):
    with pytest.raises(RuntimeError, match="ember.load"):
        ember.load(io.BytesIO(blob))


def test_every_truncation_raises():
    blob = _valid_blob()
    for n in range(len(blob)):
        with pytest.raises(RuntimeError, match="ember.load"):
            ember.load(io.BytesIO(blob[:n]))


@given(st.data())
def test_corrupted_files_load_or_raise_runtime_error(data):
    blob = bytearray(_valid_blob())
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(blob) - 1))
        blob[i] = data.draw(st.integers(0, 255))
    try:
        ember.load(io.BytesIO(bytes(blob)))
    except RuntimeError as e:
        assert "ember.load" in str(e)


@given(st.binary(max_size=300))
def test_random_bytes_raise_runtime_error(blob):
    with pytest.raises(RuntimeError, match="ember.load"):
        ember.load(io.BytesIO(blob))


@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner)
    | st.dictionaries(st.integers() | st.text(max_size=3), inner, max_size=3),
    max_leaves=12))
def test_python_values_round_trip(obj):
    _same(_roundtrip(obj), obj)
