"""Random numbers identical to torch's CPU generator: same seed, same calls, same values.

torch's CPU generator is a 32-bit Mersenne Twister (mt19937) seeded the standard way;
NumPy's ``MT19937`` bit generator with its legacy integer seeding produces the same
stream of 32-bit words, so a ``Generator`` here is that bit generator plus what torch
keeps beside it (the seed, a cached normal sample). The functions at the bottom turn
words into samples exactly as torch's kernels do, on whole arrays at a time:

* a float32 uniform is the low 24 bits of one word times 2**-24; a float64 uniform
  the low 53 bits of two words (the first is the high half) times 2**-53;
* ``normal_`` on 16 or more contiguous elements runs Box-Muller on blocks of 16
  uniforms; fewer elements, or a strided tensor, take one Box-Muller pair per two
  elements in float64 and cache the second value for the next call;
* the other distributions transform one float64 uniform per element.

Where torch's result depends on the CPU, so does ember's, and the same way: torch on an
x86 CPU with AVX2 (or ``ATEN_CPU_CAPABILITY=avx2/avx512``) runs a vectorised float32
``randn`` built on Cephes polynomials and fuses ``a * b + c`` into one rounding; the
plain build (``ATEN_CPU_CAPABILITY=default``) calls the C library's ``logf``/``sinf``/
``cosf`` and rounds twice. ember reads the same setting and follows it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import math
import os
import platform

import numpy as np

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "default_generator",
           "get_rng_state", "set_rng_state", "fork_rng"]

_U64 = 0xFFFF_FFFF_FFFF_FFFF
_N = 624  # words in the Mersenne Twister state

# The layout of torch's state tensor (CPUGeneratorImplState, 5056 bytes): the legacy
# TH generator fields, the state words widened to 64 bits, the cached float64 normal
# in ``normal_y``, then the cached float32 normal.
_STATE = np.dtype([
    ("seed", "<u8"), ("left", "<i4"), ("seeded", "<i4"), ("next", "<u8"),
    ("state", "<u8", _N), ("normal_x", "<f8"), ("normal_y", "<f8"), ("normal_rho", "<f8"),
    ("normal_is_valid", "<i4"), ("_pad0", "V4"), ("next_float_normal", "<f4"),
    ("float_normal_is_valid", "u1"), ("_pad1", "V3"),
])


def _check_seed(seed) -> int:
    seed = int(seed)
    if not -(1 << 63) <= seed <= _U64:
        raise ValueError("Overflow when unpacking long long")
    return seed & _U64


class Generator:
    """A source of random numbers with its own state, as ``torch.Generator``.

    >>> g = ember.Generator().manual_seed(0)
    >>> a = ember.rand(2, generator=g)
    """

    def __init__(self, device="cpu"):
        from .device import device as _device

        self._device = _device(device)
        self.manual_seed(67280421310721)  # torch's seed for a new Generator

    @property
    def device(self):
        return self._device

    def manual_seed(self, seed) -> Generator:
        """Reset the state from ``seed``; returns the generator, as torch."""
        self._seed = _check_seed(seed)
        self._bg = np.random.MT19937(0)
        # mt19937's standard seeding from the low 32 bits: torch's and NumPy's legacy one.
        self._bg._legacy_seeding(self._seed & 0xFFFF_FFFF)
        self._fresh = True  # torch's state says next=0 until the first draw
        self._normal = None  # torch's cached second Box-Muller value (float64)
        self._normal32 = None  # and its float32 twin, kept for get_state/set_state
        return self

    def initial_seed(self) -> int:
        """The seed this generator was last seeded with."""
        return self._seed

    def seed(self) -> int:
        """Seed from a non-deterministic source and return the seed used."""
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def get_state(self):
        """The state as torch's 5056-byte ``uint8`` tensor (``set_state`` takes it back,
        and so does torch's)."""
        from ._tensor import Tensor

        mt = self._bg.state["state"]
        s = np.zeros((), _STATE)
        pos = int(mt["pos"])
        s["seed"], s["seeded"], s["state"] = self._seed, 1, mt["key"]
        if pos == _N:  # the next draw regenerates the block
            s["left"], s["next"] = 1, 0 if self._fresh else _N
        else:
            s["left"], s["next"] = _N + 1 - pos, pos
        if self._normal is not None:
            s["normal_is_valid"], s["normal_y"] = 1, self._normal
        if self._normal32 is not None:
            s["float_normal_is_valid"], s["next_float_normal"] = 1, self._normal32
        return Tensor._make(np.frombuffer(s.tobytes(), np.uint8).copy())

    def set_state(self, new_state) -> Generator:
        """Restore a state from ``get_state`` (ember's or torch's)."""
        raw = getattr(new_state, "_data", None)
        if raw is None or raw.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if raw.size != _STATE.itemsize:
            raise RuntimeError(
                f"Expected a CPUGeneratorImplState of size {_STATE.itemsize} but found the "
                f"input RNG state size to be {raw.size}"
            )
        s = np.frombuffer(np.ascontiguousarray(raw).tobytes(), _STATE)[0]
        left, nxt = int(s["left"]), int(s["next"])
        if not (s["seeded"] and 0 < left <= _N and nxt <= _N):
            raise RuntimeError("Invalid mt19937 state")
        bg = np.random.MT19937(0)
        key = (s["state"] & 0xFFFF_FFFF).astype(np.uint32)
        bg.state = {"bit_generator": "MT19937",
                    "state": {"key": key, "pos": _N if left == 1 else nxt}}
        self._bg, self._seed, self._fresh = bg, int(s["seed"]), left == 1 and nxt == 0
        self._normal = float(s["normal_y"]) if s["normal_is_valid"] else None
        self._normal32 = (float(s["next_float_normal"]) if s["float_normal_is_valid"]
                          else None)
        return self

    def clone_state(self) -> Generator:
        """A new generator in the same state."""
        return Generator(self._device).set_state(self.get_state())

    # -- raw draws: torch's random() and random64() ------------------------------------

    def _words(self, n: int) -> np.ndarray:
        """``n`` 32-bit draws (as uint64)."""
        if n:
            self._fresh = False
        return self._bg.random_raw(n)

    def _words64(self, n: int) -> np.ndarray:
        """``n`` 64-bit draws, each made of two words, the first one high."""
        w = self._words(2 * n)
        return (w[0::2] << np.uint64(32)) | w[1::2]

    def _uniform(self, n: int, dtype) -> np.ndarray:
        """``n`` uniforms in [0, 1): 24 bits in float32, 53 bits in float64."""
        if dtype == np.float64:
            bits = self._words64(n) & np.uint64((1 << 53) - 1)
            return bits.astype(np.float64) * 2.0**-53
        return (self._words(n) & np.uint64(0xFF_FFFF)).astype(np.float32) * np.float32(2**-24)


default_generator = Generator()
default_generator.seed()  # torch seeds its default generator non-deterministically


def manual_seed(seed) -> Generator:
    """Seed the default generator, so random draws repeat from run to run.

    >>> _ = ember.manual_seed(0)
    """
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed of the default generator."""
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state, as a ``uint8`` tensor."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    """Restore the default generator's state from ``get_rng_state()``."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cuda"):
    """Restore the default generator's state when the block ends.

    >>> with ember.random.fork_rng():
    ...     _ = ember.rand(3)  # the stream outside the block is unaffected
    """
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


def _generator(generator) -> Generator:
    """The generator to draw from: the one given, else the default one."""
    return default_generator if generator is None else generator


# ======================================================================================
# Where torch's arithmetic depends on the CPU
# ======================================================================================


def _capability() -> tuple:
    """(vectorised float32 normal, fused multiply-add), as torch picks its kernels."""
    machine = platform.machine().lower()
    if machine not in ("x86_64", "amd64", "i386", "i686", "x86"):
        return False, True  # compilers fuse a * b + c wherever FMA is baseline (arm64)
    setting = os.environ.get("ATEN_CPU_CAPABILITY", "").lower()
    if setting in ("default", "avx2", "avx512"):
        vector = setting != "default"
    else:
        try:
            from numpy._core._multiarray_umath import __cpu_features__ as cpu
        except ImportError:  # NumPy 1.x
            from numpy.core._multiarray_umath import __cpu_features__ as cpu
        vector = bool(cpu.get("AVX2") and cpu.get("FMA3"))
    return vector, vector  # the AVX2/AVX512 kernels are built with FMA; the plain one not


_VECTOR_NORMAL, _FUSED = _capability()


# Exact fused multiply-add on arrays: the product split exactly into two doubles
# (Dekker), the three-term sum made exact with TwoSum, and the small part rounded to
# odd before the final add, which makes the last rounding the only one (Boldo and
# Melquiond, "Emulation of FMA and correctly rounded sums", 2008).


def _two_sum(a, b):
    """``a + b`` as the rounded sum and its exact error (Knuth's TwoSum)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(x):
    """``x`` as two halves of 26 bits, whose products with another half are exact."""
    t = x * 134217729.0  # 2**27 + 1
    hi = t - (t - x)
    return hi, x - hi


def _round_odd(s, e):
    """``s + e`` rounded to odd, for ``s`` the rounded sum and ``e`` its exact error."""
    fix = (e != 0) & ((s.view(np.int64) & 1) == 0)
    return np.where(fix, np.nextafter(s, np.where(e > 0, np.inf, -np.inf)), s)


def _fma(a, b, c, dtype):
    """``a * b + c`` rounded once to ``dtype`` (float32 or float64), elementwise."""
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    if dtype == np.float32:
        return _fma32(a, b, c)
    p = a * b
    (ah, al), (bh, bl) = _split(a), _split(b)
    pl = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    uh, ul = _two_sum(c, pl)
    th, tl = _two_sum(p, uh)
    return th + _round_odd(*_two_sum(tl, ul))


def _fma32(a, b, c):
    """The float32 case: the float64 product of two float32s is exact and the float64 sum
    rounds once; rounding that to float32 rounds twice only when it lands exactly half
    way between two float32s, and there the sign of the sum's error decides."""
    s = np.multiply(a, b)
    s += c
    out = s.astype(np.float32)
    low = s.view(np.int64)  # the 29 bits float32 drops (normal numbers), reused in place
    low &= 0x1FFF_FFFF
    tie = low == 0x1000_0000
    if tie.any():
        a, b, c = (v[tie] for v in np.broadcast_arrays(a, b, c))
        out[tie] = _round_odd(*_two_sum(a * b, c)).astype(np.float32)
    return out


def _mul_add(a, b, c, dtype):
    """``a * b + c`` in ``dtype`` as torch's compiled kernel computes it."""
    if _FUSED:
        return _fma(a, b, c, dtype)
    t = dtype.type
    return np.asarray(a, dtype) * t(b) + t(c)


# The C library's functions, which torch's scalar kernels call: NumPy's own versions
# differ in the last bit for some inputs on some builds (SIMD code), so each is checked
# once against Python's ``math`` (the C library) on 16384 points of the range torch
# uses it on; where they differ, ember calls ``math`` element by element.

_LIBM: dict = {}
_PROBE = {"log": (1e-300, 1.0), "log1p": (-1.0 + 1e-16, 0.0), "exp": (-700.0, 700.0),
          "sin": (0.0, 7.0), "cos": (0.0, 7.0), "tan": (-1.6, 1.6)}
# Where ``math`` raises instead of returning C's special value, NumPy gives that value.
_DOMAIN = {"log": lambda x: x > 0, "log1p": lambda x: x > -1,
           "exp": lambda x: x < 709.78}


def _libm(name: str):
    """The C library's float64 ``name`` as a function on arrays."""
    fn = _LIBM.get(name)
    if fn is None:
        vec, scalar = getattr(np, name), getattr(math, name)
        lo, hi = _PROBE[name]
        probe = np.linspace(lo, hi, 1 << 14)
        if np.array_equal(vec(probe), [scalar(v) for v in probe.tolist()]):
            def fn(x, vec=vec):
                with np.errstate(all="ignore"):  # log(0) = -inf, as C's, without a warning
                    return vec(x)
        else:
            ok = _DOMAIN.get(name)

            def fn(x, vec=vec, scalar=scalar, ok=ok):
                x = np.asarray(x, np.float64)
                with np.errstate(all="ignore"):
                    out = vec(x)
                sel = ok(x) if ok is not None else np.isfinite(x)
                v = x[sel]
                out[sel] = np.fromiter(map(scalar, v.tolist()), np.float64, v.size)
                return out

        _LIBM[name] = fn
    return fn


def _libmf(name: str):
    """The C library's float32 ``name`` (``logf``, ...) as a function on arrays."""
    fn = _LIBM.get(name + "f")
    if fn is None:
        try:
            c_fn = getattr(ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6"),
                           name + "f")
            c_fn.restype, c_fn.argtypes = ctypes.c_float, [ctypes.c_float]

            def fn(x):
                return np.fromiter(map(c_fn, x.ravel().tolist()), np.float32,
                                   x.size).reshape(x.shape)
        except (OSError, AttributeError):  # no C library to ask: round the float64 one
            def fn(x):
                return _libm(name)(x).astype(np.float32)

        _LIBM[name + "f"] = fn
    return fn


# ======================================================================================
# torch's vectorised float32 log and sincos (Cephes polynomials, as in avx_mathfun.h),
# replayed operation by operation in float32; ``_f`` marks the multiply-adds the
# compiler fuses into one rounding.
# ======================================================================================

_F = np.float32
_LOG_P = [_F(c) for c in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1,
                          -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
                          2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)]
_LOG_Q1, _LOG_Q2 = _F(-2.12194440e-4), _F(0.693359375)
_DP = [_F(-0.78515625), _F(-2.4187564849853515625e-4), _F(-3.77489497744594108e-8)]
_SIN_P = [_F(-1.9515295891e-4), _F(8.3321608736e-3), _F(-1.6666654611e-1)]
_COS_P = [_F(2.443315711809948e-5), _F(-1.388731625493765e-3), _F(4.166664568298827e-2)]


def _f(a, b, c):
    return _fma(a, b, c, np.float32)


def _log_ps(x):
    """Natural log of positive normal float32s, as torch's ``log256_ps``."""
    bits = x.view(np.int32)
    e = ((bits >> 23) - 127).astype(np.float32) + _F(1)  # exponent, mantissa in [.5, 1)
    m = ((bits & ~0x7F800000) | 0x3F000000).view(np.float32)
    small = m < _F(0.707106781186547524)  # m < sqrt(1/2): use 2m - 1, one less exponent
    x = (m - _F(1)) + np.where(small, m, _F(0))
    e = e - np.where(small, _F(1), _F(0))
    z = x * x
    x64 = x.astype(np.float64)  # converted once for the eight multiply-adds below
    y = np.full_like(x, _LOG_P[0])
    for p in _LOG_P[1:]:
        y = _f(y, x64, p)
    y = _f(y * x, z, e * _LOG_Q1)
    y = _f(-z, _F(0.5), y)
    return _f(e, _LOG_Q2, x + y)


def _sincos_ps(x):
    """(sin, cos) of non-negative float32s, as torch's ``sincos256_ps``."""
    j = (x * _F(1.27323954473516)).astype(np.int32)  # octant of x, 4/pi * x truncated
    j = (j + 1) & ~1
    y = j.astype(np.float64)  # exact: small integers
    for dp in _DP:  # x - j * pi/4 in three pieces ("extended precision modular")
        x = _f(y, dp, x)
    z = x * x
    z64 = z.astype(np.float64)
    c = np.full_like(x, _COS_P[0])
    for p in _COS_P[1:]:
        c = _f(c, z64, p)
    c = _f(c * z, z64, -(z * _F(0.5))) + _F(1)
    s = np.full_like(x, _SIN_P[0])
    for p in _SIN_P[1:]:
        s = _f(s, z64, p)
    s = _f(s * z, x, x)
    poly = (j & 2) == 0  # which polynomial is the sine in this octant
    sin, cos = np.where(poly, s, c), np.where(poly, c, s)
    return (np.where((j & 4) != 0, -sin, sin),
            np.where(((j - 2) & 4) == 0, -cos, cos))


# ======================================================================================
# Samplers: arrays of n values in the order torch's kernel fills them
# ======================================================================================

_TWO_PI = 2.0 * math.pi


def uniform(gen: Generator, n: int, dtype, low=0.0, high=1.0) -> np.ndarray:
    """torch's ``uniform_``: ``u * (high - low) + low``, never ``high`` itself."""
    dtype = np.dtype(dtype)
    op = np.dtype(np.float64 if dtype == np.float64 else np.float32)  # torch's opmath
    lo, hi = op.type(low), op.type(high)
    u = gen._uniform(n, op)
    if lo == 0 and hi == 1 and dtype == op:  # u < 1 already: nothing to scale or clamp
        return u
    u = _mul_add(u, hi - lo, lo, op).astype(dtype, copy=False)
    return np.where(u == dtype.type(high), dtype.type(low), u)


def _box_muller16(u: np.ndarray, dtype, mean, std) -> np.ndarray:
    """torch's ``normal_fill_16`` on rows of 16 uniforms: the first 8 give the radii,
    the last 8 the angles; cosines fill the first half of the row, sines the second."""
    u1, u2 = 1 - u[:, :8], u[:, 8:]
    if dtype == np.float64:
        radius = np.sqrt(-2 * _libm("log")(u1))
        theta = _TWO_PI * u2
        n1, n2 = radius * _libm("cos")(theta), radius * _libm("sin")(theta)
    elif _VECTOR_NORMAL:
        radius = np.sqrt(_F(-2) * _log_ps(u1))
        sin, cos = _sincos_ps(_F(_TWO_PI) * u2)
        n1, n2 = radius * cos, radius * sin
    else:
        radius = np.sqrt(_F(-2) * _libmf("log")(u1))
        theta = (_TWO_PI * u2.astype(np.float64)).astype(np.float32)
        n1, n2 = radius * _libmf("cos")(theta), radius * _libmf("sin")(theta)
    out = np.concatenate([n1, n2], axis=1)
    if mean != 0 or std != 1:
        out = _fma(out, dtype.type(std), dtype.type(mean), dtype)  # an explicit fma
    return out


def _normal_fill(gen: Generator, n: int, dtype, mean, std) -> np.ndarray:
    """torch's ``normal_fill``: Box-Muller on blocks of 16; when 16 does not divide n,
    the last 16 elements are made again from 16 fresh uniforms."""
    op = np.dtype(np.float64 if dtype == np.float64 else np.float32)
    full, tail = divmod(n, 16)
    if dtype == op:  # all n uniforms are drawn first, then the tail's 16
        u = gen._uniform(n + 16 * (tail > 0), op)
        body, last = u[:16 * full], u[n:]
    else:  # float16 works 16 at a time through a buffer: the tail's come right after
        u = gen._uniform(16 * (full + (tail > 0)), op)
        body, last = u[:16 * full], u[16 * full:]
    out = np.empty(n, op)
    out[:16 * full] = _box_muller16(body.reshape(-1, 16), op, mean, std).ravel()
    if tail:
        out[n - 16:] = _box_muller16(last.reshape(1, 16), op, mean, std).ravel()
    return out.astype(dtype, copy=False)


def _standard_normal_pairs(gen: Generator, n: int) -> np.ndarray:
    """n float64 standard normals from torch's scalar Box-Muller: each pair of uniforms
    gives r*cos then r*sin, the sine cached on the generator for the next draw."""
    out = np.empty(n)
    start = 0
    if n and gen._normal is not None:
        out[0], gen._normal, start = gen._normal, None, 1
    pairs = (n - start + 1) // 2
    u = gen._uniform(2 * pairs, np.float64)
    r = np.sqrt(-2.0 * _libm("log1p")(-u[1::2]))
    theta = _TWO_PI * u[0::2]
    both = np.empty(2 * pairs)
    both[0::2], both[1::2] = r * _libm("cos")(theta), r * _libm("sin")(theta)
    out[start:] = both[:n - start]
    if len(both) > n - start:
        gen._normal = float(both[-1])
    return out


def normal(gen: Generator, n: int, dtype, mean=0.0, std=1.0, dense=True) -> np.ndarray:
    """torch's ``normal_``: the blocked path for 16 or more contiguous elements, the
    scalar one (float64 pairs, with the cache) otherwise."""
    dtype = np.dtype(dtype)
    if n >= 16 and dense:
        return _normal_fill(gen, n, dtype, mean, std)
    x = _standard_normal_pairs(gen, n)
    if mean != 0 or std != 1:
        x = _mul_add(x, float(std), float(mean), np.dtype(np.float64))
    return x.astype(dtype, copy=False)


def log_normal(gen: Generator, n: int, dtype, mean=1.0, std=2.0) -> np.ndarray:
    """torch's ``log_normal_``: exp of the scalar normal path."""
    x = _mul_add(_standard_normal_pairs(gen, n), float(std), float(mean), np.dtype(np.float64))
    with np.errstate(over="ignore"):
        return _libm("exp")(x).astype(dtype)


def exponential(gen: Generator, n: int, dtype, lambd=1.0) -> np.ndarray:
    """torch's ``exponential_``: ``-1/lambda * log1p(-u)`` in float64."""
    return ((-1.0 / lambd) * _libm("log1p")(-gen._uniform(n, np.float64))).astype(dtype)


def cauchy(gen: Generator, n: int, dtype, median=0.0, sigma=1.0) -> np.ndarray:
    """torch's ``cauchy_``: ``median + sigma * tan(pi * (u - 0.5))`` in float64."""
    t = _libm("tan")(math.pi * (gen._uniform(n, np.float64) - 0.5))
    if median != 0 or sigma != 1:
        t = _mul_add(t, float(sigma), float(median), np.dtype(np.float64))
    return t.astype(dtype)


def geometric(gen: Generator, n: int, dtype, p) -> np.ndarray:
    """torch's ``geometric_``: ``ceil(log(u) / log1p(-p))`` in float64."""
    with np.errstate(divide="ignore", invalid="ignore"):
        x = np.ceil(_libm("log")(gen._uniform(n, np.float64)) / math.log1p(-p))
        return x.astype(dtype)


def bernoulli(gen: Generator, n: int, dtype, p) -> np.ndarray:
    """torch's ``bernoulli_(p)`` for a number ``p``: one float64 uniform ``< p`` each."""
    return (gen._uniform(n, np.float64) < p).astype(dtype)


def bernoulli_tensor(gen: Generator, p: np.ndarray, dtype) -> np.ndarray:
    """torch's ``bernoulli_(p)`` for an array ``p`` (flat, in fill order): float64
    uniforms against a float64 ``p``, float32 ones against any other."""
    op = np.float64 if p.dtype == np.float64 else np.float32
    return (gen._uniform(p.size, op) < p.astype(op, copy=False)).astype(dtype)


def _random_from_to(gen: Generator, n: int, dtype, low: int, span: int) -> np.ndarray:
    """``low + word % span``, from a 64-bit draw when the span reaches 2**28 and a 32-bit
    one below (torch's compromise on skew)."""
    if span < 1 << 28:  # small enough for int64 arithmetic (faster than uint64's)
        return (gen._words(n).view(np.int64) % span + low).astype(dtype)
    v = (gen._words64(n) % np.uint64(span)) + np.uint64(low & _U64)  # wraps as torch's
    return v.view(np.int64).astype(dtype)


def _random_default(gen: Generator, n: int, dtype) -> np.ndarray:
    """torch's ``random_()``: ``word % (max + 1)`` with the dtype's max (2**mantissa for
    floats), from a 64-bit draw for int64 and float64, a 32-bit one otherwise."""
    if dtype == np.bool_:
        return (gen._words(n) & np.uint64(1)).astype(np.bool_)
    if dtype.kind == "f":
        top = (1 << np.finfo(dtype).nmant + 1) + 1
    else:
        top = int(np.iinfo(dtype).max) + 1
    if dtype in (np.int64, np.float64):
        return (gen._words64(n) % np.uint64(top)).astype(dtype)
    return (gen._words(n).view(np.int64) % top).astype(dtype)


# torch names C++ types in these messages.
_C_NAMES = {"int8": "signed char", "uint8": "unsigned char", "int16": "short int",
            "int32": "int", "int64": "long int", "bool": "bool", "float16": "c10::Half",
            "float32": "float", "float64": "double"}


def _int64(v) -> int:
    v = int(v)
    if not -(1 << 63) <= v < 1 << 63:
        raise ValueError("Overflow when unpacking long long")
    return v


def _as_float_int(v: int, dtype) -> int:
    """``int64(dtype(v))``: an integer as the dtype rounds it (C's direct conversion;
    an overflow to inf comes back as the x86 conversion's "indefinite" -2**63)."""
    with np.errstate(over="ignore"):
        x = np.array(v, np.int64).astype(dtype)
    return int(x) if np.isfinite(x) else -(1 << 63)


def _shift(bound: int, step: int, dtype, digits: int) -> int:
    """torch's update_from (step +1) / update_to (step -1): move a bound the float dtype
    cannot tell from its neighbour inwards, by one unit of the dtype at that size."""
    moved = _as_float_int(bound + step, dtype)
    if (moved < bound) if step > 0 else (moved >= bound):
        n = max(abs(bound + step).bit_length() - 1, 0)
        bound = moved + step * (1 << (n - digits + 1))
    return bound


def _check_bounds(low: int, high_inc: int, dtype) -> None:
    name = _C_NAMES[dtype.name]
    if dtype.kind == "f":
        top = float(np.finfo(dtype).max)
        lo, hi, digits = -top, top, np.finfo(dtype).nmant + 1
    else:
        info = np.iinfo(np.uint8 if dtype == np.bool_ else dtype)
        lo, hi, digits = int(info.min), 1 if dtype == np.bool_ else int(info.max), None
    for v, what in ((low, "from"), (high_inc, "to - 1")):
        if not lo <= v <= hi:
            raise RuntimeError(f"{what} is out of bounds for {name}")
    if digits is not None:
        import warnings

        for v, what in ((low, "from"), (high_inc, "to - 1")):
            if not -(1 << digits) <= v <= 1 << digits:
                warnings.warn(
                    f"{what} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision "
                    f"limitations {name} can support discrete uniform distribution only "
                    "within this range. This warning will become an error in version 1.7 "
                    "release, please fix the code in advance", UserWarning, stacklevel=4)


def integers(gen: Generator, n: int, dtype, low=None, high=None) -> np.ndarray:
    """torch's ``random_``: uniform integers in [low, high) (``high=None``: up to the
    dtype's largest integer; ``low=None``: torch's ``random_()`` without bounds)."""
    dtype = np.dtype(dtype)
    if low is None:
        return _random_default(gen, n, dtype)
    low = _int64(low)
    digits = np.finfo(dtype).nmant + 1 if dtype.kind == "f" else None
    if high is not None:
        high = _int64(high)
        if low >= high:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={low} >= to={high}")
        if digits:
            low, high = _shift(low, 1, dtype, digits), _shift(high, -1, dtype, digits)
            if low >= high:
                raise RuntimeError(
                    "random_ expects 'from' casted to dtype to be less than 'to' casted "
                    f"to dtype, but got from={low} >= to={high}")
        _check_bounds(low, high - 1, dtype)
        return _random_from_to(gen, n, dtype, low, high - low)
    if low == -(1 << 63):  # the whole 64-bit range
        if dtype not in (np.int64, np.float32, np.float64):
            raise RuntimeError("random_full_64_bits_range_kernel_cpu handles only int64, "
                               "double, float and bfloat16")
        return gen._words64(n).view(np.int64).astype(dtype)
    if digits:
        top = min(1 << digits, (1 << 63) - 1)
        low = _shift(low, 1, dtype, digits)
        if low >= top:
            raise RuntimeError(
                "random_ expects 'from' casted to dtype to be less than or equal to "
                f"'to_inc' casted to dtype, but got from={low} > to_inc={top}")
    else:
        top = 1 if dtype == np.bool_ else int(np.iinfo(dtype).max)
    _check_bounds(low, top, dtype)
    return _random_from_to(gen, n, dtype, low, top - low + 1)


def randperm(gen: Generator, n: int) -> np.ndarray:
    """torch's ``randperm``: Fisher-Yates from the front, position i swapped with
    ``i + word % (n - i)``. The swaps are replayed at once, without a loop over them."""
    if n >= 0xFFFF_FFFF // 20:  # torch switches to 64-bit draws, one at a time
        return _randperm_inside_out(gen, n)
    if n < 2:
        return np.arange(n, dtype=np.int64)
    i = np.arange(n - 1, dtype=np.int64)
    return _replay_swaps(i + gen._words(n - 1).view(np.int64) % (n - i))


def _replay_swaps(target: np.ndarray) -> np.ndarray:
    """The array ``arange(n)`` after swapping position i with ``target[i] >= i`` for
    i = 0, 1, ..., n - 2 in turn.

    Position j is final once step j has run, so only what it holds at that moment
    matters: call it ``held[j]``. Before step j, j changes only when an earlier step
    t sends its own held value there (``target[t] == j``); so ``held[j]`` is
    ``held[t]`` for the last such t, or j if there is none, and following these links
    back to a position nobody wrote gives its value (pointer jumping, log n rounds).
    Step i then takes what its target held after the previous step aimed there.
    """
    n = len(target) + 1
    steps = np.flatnonzero(target != np.arange(n - 1))
    if not steps.size:
        return np.arange(n)
    key = np.sort(target[steps] * n + steps)  # grouped by target, in step order
    dest, t = np.divmod(key, n)
    first = np.r_[True, dest[1:] != dest[:-1]]
    last = np.r_[dest[1:] != dest[:-1], True]
    link = np.arange(n)
    link[dest[last]] = t[last]
    while True:
        jumped = link[link]
        if np.array_equal(jumped, link):
            break
        link = jumped
    out = link.copy()  # held values; a step that swapped takes from its target instead
    prev = np.r_[-1, t[:-1]]
    out[t] = np.where(first, dest, link[np.where(first, 0, prev)])
    return out


def _randperm_inside_out(gen: Generator, n: int) -> np.ndarray:
    """torch's randperm for huge n: the inside-out shuffle with 64-bit draws."""
    out = np.empty(n, dtype=np.int64)
    z = (gen._words64(n) % np.arange(1, n + 1, dtype=np.uint64)).astype(np.int64)
    for i in range(n):  # about 2**28 elements and more: torch's own loop, step by step
        out[i] = out[z[i]]
        out[z[i]] = i
    return out
