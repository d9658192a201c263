"""The spatial layers of ``ember.nn.functional``: convolution, pooling, padding,
resampling and normalisation, each one Function with torch's node name.

The layout is torch's, channels first: ``(N, C, *spatial)``; most ops also take an
unbatched ``(C, *spatial)`` input. Four array routines carry all the convolution work:

* ``_columns`` (im2col): every receptive field of the padded input, one column each,
  through ``sliding_window_view`` and one copy;
* ``_conv``: weights times columns, one batched matmul;
* ``_conv_input`` / ``_conv_weight``: the adjoints of ``_conv`` in its input (col2im:
  one strided add per kernel offset) and in its weight (one matmul).

A convolution is bilinear in (input, weight), so its derivatives are convolutions
again: the input gradient is a transposed convolution of the output gradient and the
weight gradient is ``_conv_weight`` of input and output gradient. Every backward here
is written with these Functions (and other ember ops), so second derivatives work.

Pooling uses the same window slices; resampling (interpolate, the reflect / replicate
/ circular pads, adaptive average pooling) is a separable linear map, one small table
of taps per spatial axis (``_Resample``).
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections import namedtuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._tensor import Tensor
from ..autograd.function import Function, register
from ..autograd.grad_mode import state

__all__ = [
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "unfold", "fold", "max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
    "max_pool2d_with_indices", "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
    "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices", "pad", "interpolate", "upsample", "upsample_nearest",
    "upsample_bilinear", "pixel_shuffle", "pixel_unshuffle", "batch_norm", "instance_norm",
    "layer_norm", "group_norm", "rms_norm",
]

_TYPE = {np.dtype(np.float64): "Double", np.dtype(np.float32): "Float",
         np.dtype(np.float16): "Half", np.dtype(np.int64): "Long", np.dtype(np.int32): "Int",
         np.dtype(np.int16): "Short", np.dtype(np.int8): "Char", np.dtype(np.uint8): "Byte",
         np.dtype(np.bool_): "Bool"}


def _ntuple(value, n: int) -> tuple:
    """An int repeated ``n`` times, or a sequence as a tuple (torch's ``_pair`` etc.)."""
    if isinstance(value, numbers.Integral):
        return (int(value),) * n
    return tuple(int(v) for v in value)


def _x(sizes) -> str:
    """``(2 x 3)`` as torch's convolution messages write sizes."""
    return "(" + " x ".join(str(s) for s in sizes) + ")"


def _one_dim_as_two(fn, input, *args, **kwargs):
    """torch's 1-d pooling: ``fn`` on ``input.unsqueeze(-2)``, squeezed back (so the
    graph is torch's: UnsqueezeBackward0, the 2-d node, SqueezeBackward1)."""
    out = fn(input.unsqueeze(-2), *args, **kwargs)
    if isinstance(out, tuple):
        return tuple(o.squeeze(-2) for o in out)
    return out.squeeze(-2)


_NAMED: dict = {}


def _named(base, name: str):
    """``base`` under torch's node name ``name``: one subclass per name, made once (torch
    names the same kernel per dimension, e.g. MaxPool2DWithIndicesBackward0)."""
    op = _NAMED.get((base, name))
    if op is None:
        op = _NAMED[base, name] = type(name.replace("Backward0", ""), (base,), {"name": name})
    return op


# ---------------------------------------------------------------- window geometry

# stride, dilation: per spatial dim; pads: ((lo, hi), ...) per spatial dim
_Geom = namedtuple("_Geom", "stride pads dilation groups")


def _window_slices(ksize, geom, out):
    """For each kernel offset ``k``: ``k`` and the slices of the padded input that the
    offset meets across all output positions."""
    for k in np.ndindex(*ksize):
        yield k, tuple(slice(i * d, i * d + s * (o - 1) + 1, s)
                       for i, d, s, o in zip(k, geom.dilation, geom.stride, out))


def _pad_array(x, pads, value=0):
    """``x`` padded on its last ``len(pads)`` dims by ``(lo, hi)`` each (no copy if 0)."""
    if not any(lo or hi for lo, hi in pads):
        return x
    return np.pad(x, ((0, 0),) * (x.ndim - len(pads)) + tuple(pads), constant_values=value)


def _columns(x, ksize, geom, out):
    """im2col: the receptive fields of ``x`` (N, C, *L) as columns, shaped
    ``(N, groups, C / groups * prod(ksize), prod(out))``."""
    nd = len(ksize)
    n, c = x.shape[:2]
    xp = _pad_array(x, geom.pads)
    span = tuple(d * (k - 1) + 1 for k, d in zip(ksize, geom.dilation))
    win = sliding_window_view(xp, span, axis=tuple(range(2, 2 + nd)))
    key = ((slice(None), slice(None))
           + tuple(slice(0, s * (o - 1) + 1 if o else 0, s) for s, o in zip(geom.stride, out))
           + tuple(slice(None, None, d) for d in geom.dilation))
    # (N, C, *out, *K) -> (N, C, *K, *out): a column per output position, one copy
    win = win[key].transpose((0, 1) + tuple(range(2 + nd, 2 + 2 * nd)) + tuple(range(2, 2 + nd)))
    g = geom.groups
    return win.reshape(n, g, c // g * math.prod(ksize), math.prod(out))


def _col2im(cols, geom, size):
    """The adjoint of ``_columns``: each column ``(N, C, *K, *out)`` added back onto the
    receptive field it came from, then the padding cut off: ``(N, C, *size)``."""
    nd = len(size)
    n, c = cols.shape[:2]
    ksize, out = cols.shape[2:2 + nd], cols.shape[2 + nd:]
    full = tuple(max(length + lo + hi, s * (o - 1) + d * (k - 1) + 1)
                 for length, (lo, hi), s, o, d, k in zip(size, geom.pads, geom.stride, out,
                                                          geom.dilation, ksize))
    buf = np.zeros((n, c) + full, dtype=cols.dtype)
    if all(out):
        for k, sl in _window_slices(ksize, geom, out):
            buf[(Ellipsis,) + sl] += cols[(slice(None), slice(None)) + k]
    crop = tuple(slice(lo, lo + length) for (lo, _), length in zip(geom.pads, size))
    return np.ascontiguousarray(buf[(Ellipsis,) + crop])


def _conv(x, w, geom, out):
    """Cross-correlation of ``x`` (N, C, *L) with ``w`` (O, C/g, *K): (N, O, *out)."""
    g = geom.groups
    o = w.shape[0]
    cols = _columns(x, w.shape[2:], geom, out)
    y = np.matmul(w.reshape(g, o // g, cols.shape[2]), cols)  # (N, g, O/g, prod(out))
    return y.reshape((x.shape[0], o) + tuple(out))


def _conv_input(gy, w, geom, size):
    """The adjoint of ``_conv`` in its input (a transposed convolution): (N, C, *size)."""
    g = geom.groups
    n, o = gy.shape[:2]
    out, ksize = gy.shape[2:], w.shape[2:]
    wt = w.reshape(g, o // g, w.shape[1] * math.prod(ksize)).transpose(0, 2, 1)
    cols = np.matmul(wt, gy.reshape(n, g, o // g, math.prod(out)))
    return _col2im(cols.reshape((n, g * w.shape[1]) + tuple(ksize) + tuple(out)), geom, size)


def _conv_weight(x, gy, geom, ksize):
    """The adjoint of ``_conv`` in its weight: (O, C/g, *ksize)."""
    g = geom.groups
    n, o = gy.shape[:2]
    cols = _columns(x, ksize, geom, gy.shape[2:])
    gw = np.matmul(gy.reshape(n, g, o // g, cols.shape[3]), cols.transpose(0, 1, 3, 2))
    return gw.sum(0).reshape((o, x.shape[1] // g) + tuple(ksize))


# ---------------------------------------------------------------- convolution


class Convolution(Function):
    """``conv(x, w) + b``, or with ``transposed`` its adjoint in ``x`` (a transposed
    convolution); ``size`` is the output's spatial size."""

    name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, *, geom, transposed, size):
        ctx.save_for_backward(x, w)
        ctx.geom, ctx.transposed = geom, transposed
        y = _conv_input(x, w, geom, size) if transposed else _conv(x, w, geom, size)
        if b is not None:
            y += b.reshape((-1,) + (1,) * len(size))
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        geom = ctx.geom
        need_x, need_w, need_b = ctx.needs_input_grad
        gx = gw = gb = None
        if ctx.transposed:  # y = conv^T(x, w): its derivatives are conv and conv_weight
            if need_x:
                gx = Convolution.apply(grad, w, None, geom=geom, transposed=False,
                                       size=tuple(x.shape[2:]))
            if need_w:
                gw = ConvolutionWeight.apply(grad, x, geom=geom, ksize=tuple(w.shape[2:]))
        else:
            if need_x:
                gx = Convolution.apply(grad, w, None, geom=geom, transposed=True,
                                       size=tuple(x.shape[2:]))
            if need_w:
                gw = ConvolutionWeight.apply(x, grad, geom=geom, ksize=tuple(w.shape[2:]))
        if need_b:
            gb = grad.sum((0,) + tuple(range(2, grad.ndim)))
        return gx, gw, gb


class ConvolutionWeight(Function):
    """The weight gradient of a convolution, ``conv_weight(x, grad)``: bilinear, so its
    own derivatives are convolutions of the incoming gradient ``v`` of the weight."""

    name = "ConvolutionBackwardBackward0"

    @staticmethod
    def forward(ctx, x, gy, *, geom, ksize):
        ctx.save_for_backward(x, gy)
        ctx.geom = geom
        return _conv_weight(x, gy, geom, ksize)

    @staticmethod
    def backward(ctx, v):
        x, gy = ctx.saved_tensors
        need_x, need_gy = ctx.needs_input_grad
        gx = ggy = None
        if need_x:  # <gy, conv(x, v)> = <conv^T(gy, v), x>
            gx = Convolution.apply(gy, v, None, geom=ctx.geom, transposed=True,
                                   size=tuple(x.shape[2:]))
        if need_gy:
            ggy = Convolution.apply(x, v, None, geom=ctx.geom, transposed=False,
                                    size=tuple(gy.shape[2:]))
        return gx, ggy


def _check_conv_dtypes(input, weight, bias) -> None:
    if bias is not None and bias.dtype != input.dtype:
        raise RuntimeError(f"Input type ({_TYPE[input._data.dtype].lower()}) and bias type "
                           f"({_TYPE[bias._data.dtype].lower()}) should be the same")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"expected scalar type {_TYPE[input._data.dtype]} but found "
                           f"{_TYPE[weight._data.dtype]}")


def _conv_settings(nd, weight, stride, padding, dilation, groups, extra=()):
    """Checks shared by convolutions and transposed convolutions (torch's order)."""
    k = weight.ndim - 2
    for name, value in (("stride", stride), ("padding", padding), ("dilation", dilation),
                        *extra):
        if not isinstance(value, str) and len(value) != k:
            raise RuntimeError(f"expected {name} to be a single integer value or a list of "
                               f"{k} values to match the convolution dimensions, but got "
                               f"{name}={list(value)}")
    if not isinstance(padding, str) and any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")


def _check_batched(name, input, nd):
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{name}, but got input of size: {list(input.shape)}")
    return input.ndim == nd + 2


def _convnd(nd, name, input, weight, bias, stride, padding, dilation, groups):
    batched = _check_batched(name, input, nd)
    _check_conv_dtypes(input, weight, bias)
    stride, dilation = _ntuple(stride, nd), _ntuple(dilation, nd)
    if not isinstance(padding, str):
        padding = _ntuple(padding, nd)
    _conv_settings(nd, weight, stride, padding, dilation, groups)
    x = input if batched else input.unsqueeze(0)
    ws = list(weight.shape)
    if ws[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at "
                           f"dimension 0, but got weight of size {ws} instead")
    if ws[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{ws}] instead")
    if x.shape[1] != ws[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {ws}, expected "
                           f"input{list(x.shape)} to have {ws[1] * groups} channels, but got "
                           f"{x.shape[1]} channels instead")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != ws[0]):
        raise RuntimeError(f"Given weight of size {ws}, expected bias to be 1-dimensional "
                           f"with {ws[0]} elements, but got bias of size {list(bias.shape)} "
                           "instead")
    ksize = ws[2:]
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [d * (k - 1) for d, k in zip(dilation, ksize)]
            pads = tuple((t // 2, t - t // 2) for t in total)
            if any(t % 2 for t in total):
                warnings.warn("Using padding='same' with even kernel lengths and odd dilation "
                              "may require a zero-padded copy of the input be created",
                              stacklevel=3)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        pads = tuple((p, p) for p in padding)
    padded = [length + lo + hi for length, (lo, hi) in zip(x.shape[2:], pads)]
    span = [d * (k - 1) + 1 for d, k in zip(dilation, ksize)]
    if any(p < s for p, s in zip(padded, span)):
        raise RuntimeError(f"Calculated padded input size per channel: {_x(padded)}. Kernel "
                           f"size: {_x(span)}. Kernel size can't be greater than actual input "
                           "size")
    out = tuple((p - s) // st + 1 for p, s, st in zip(padded, span, stride))
    y = Convolution.apply(x, weight, bias, geom=_Geom(stride, pads, dilation, groups),
                          transposed=False, size=out)
    return y if batched else y.squeeze(0)


def _conv_transposend(nd, name, input, weight, bias, stride, padding, output_padding, groups,
                      dilation):
    batched = _check_batched(name, input, nd)
    if isinstance(padding, str):
        raise TypeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    _check_conv_dtypes(input, weight, bias)
    stride, padding, dilation = (_ntuple(v, nd) for v in (stride, padding, dilation))
    output_padding = _ntuple(output_padding, nd)
    _conv_settings(nd, weight, stride, padding, dilation, groups,
                   (("output_padding", output_padding),))
    x = input if batched else input.unsqueeze(0)
    ws = list(weight.shape)
    if ws[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{ws}] instead")
    if x.shape[1] != ws[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {ws}, expected "
                           f"input{list(x.shape)} to have {ws[0]} channels, but got "
                           f"{x.shape[1]} channels instead")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != ws[1] * groups):
        raise RuntimeError(f"Given transposed=1, weight of size {ws}, expected bias to be "
                           f"1-dimensional with {ws[1] * groups} elements, but got bias of "
                           f"size {list(bias.shape)} instead")
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        names = ["depth", "height", "width"][3 - nd:]
        parts = ([f"output_padding_{n}: {v}" for n, v in zip(names, output_padding)]
                 + [f"stride_{n}: {v}" for n, v in zip(names, stride)]
                 + [f"dilation_{n}: {v}" for n, v in zip(names, dilation)])
        raise RuntimeError("output padding must be smaller than either stride or dilation, "
                           "but got " + " ".join(parts))
    size = tuple((length - 1) * s - 2 * p + d * (k - 1) + op + 1
                 for length, s, p, d, k, op in zip(x.shape[2:], stride, padding, dilation,
                                                   ws[2:], output_padding))
    if any(s <= 0 for s in size):
        raise RuntimeError(f"Given input size per channel: {_x(x.shape[2:])}. Calculated "
                           f"output size per channel: {_x(size)}. Output size is too small")
    geom = _Geom(stride, tuple((p, p) for p in padding), dilation, groups)
    y = Convolution.apply(x, weight, bias, geom=geom, transposed=True, size=size)
    return y if batched else y.squeeze(0)


@register(method=False)
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-d cross-correlation of ``input`` (N, C, L) with ``weight`` (O, C/groups, K).
    ``padding`` may be an int or ``'valid'`` / ``'same'``."""
    return _convnd(1, "conv1d", input, weight, bias, stride, padding, dilation, groups)


@register(method=False)
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-d cross-correlation of ``input`` (N, C, H, W) with ``weight`` (O, C/groups, kH, kW).

    >>> F.conv2d(ember.ones(1, 1, 3, 3), ember.ones(1, 1, 2, 2))
    tensor([[[[4., 4.],
              [4., 4.]]]])
    """
    return _convnd(2, "conv2d", input, weight, bias, stride, padding, dilation, groups)


@register(method=False)
def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-d cross-correlation of ``input`` (N, C, D, H, W) with ``weight``."""
    return _convnd(3, "conv3d", input, weight, bias, stride, padding, dilation, groups)


@register(method=False)
def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """The transpose (gradient) of conv1d: ``weight`` is (C_in, C_out/groups, K)."""
    return _conv_transposend(1, "conv_transpose1d", input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


@register(method=False)
def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """The transpose (gradient) of conv2d, sometimes called deconvolution: ``weight`` is
    (C_in, C_out/groups, kH, kW).

    >>> F.conv_transpose2d(ember.ones(1, 1, 2, 2), ember.ones(1, 1, 2, 2), stride=2).shape
    torch.Size([1, 1, 4, 4])
    """
    return _conv_transposend(2, "conv_transpose2d", input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


@register(method=False)
def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """The transpose (gradient) of conv3d."""
    return _conv_transposend(3, "conv_transpose3d", input, weight, bias, stride, padding,
                             output_padding, groups, dilation)


# ---------------------------------------------------------------- unfold / fold


class Im2Col(Function):
    """unfold: (N, C, H, W) -> (N, C * kH * kW, L), a column per sliding block."""

    name = "Im2ColBackward0"

    @staticmethod
    def forward(ctx, x, *, ksize, geom, out):
        ctx.params = ksize, geom, x.shape[2:]
        cols = _columns(x, ksize, geom, out)
        return cols.reshape(x.shape[0], -1, cols.shape[3])

    @staticmethod
    def backward(ctx, grad):
        ksize, geom, size = ctx.params
        return Col2Im.apply(grad, ksize=ksize, geom=geom, size=size)


class Col2Im(Function):
    """fold: the adjoint of unfold, overlapping values summed."""

    name = "Col2ImBackward0"

    @staticmethod
    def forward(ctx, cols, *, ksize, geom, size):
        ctx.params = ksize, geom
        n, ck, count = cols.shape
        out = _block_counts(size, ksize, geom)
        c = ck // math.prod(ksize)
        return _col2im(cols.reshape((n, c) + tuple(ksize) + out), geom, size)

    @staticmethod
    def backward(ctx, grad):
        ksize, geom = ctx.params
        return Im2Col.apply(grad, ksize=ksize, geom=geom,
                            out=_block_counts(grad.shape[2:], ksize, geom))


def _block_counts(size, ksize, geom):
    return tuple((length + lo + hi - d * (k - 1) - 1) // s + 1
                 for length, (lo, hi), d, k, s in zip(size, geom.pads, geom.dilation, ksize,
                                                       geom.stride))


def _fold_settings(kernel_size, dilation, padding, stride):
    ksize, dilation, padding, stride = (_ntuple(v, 2) for v in (kernel_size, dilation,
                                                                 padding, stride))
    for what, name, values in (("kernel size", "kernel", ksize), ("stride", "stride", stride),
                               ("dilation", "dilation", dilation)):
        if any(v <= 0 for v in values):
            raise RuntimeError(f"{what} should be greater than zero, but got {name}_height: "
                               f"{values[0]} {name}_width: {values[1]}")
    if any(v < 0 for v in padding):
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {padding[0]} "
                           f"pad_width: {padding[1]}")
    return ksize, _Geom(stride, tuple((p, p) for p in padding), dilation, 1)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Sliding blocks of a (N, C, H, W) input as columns: (N, C * prod(kernel_size), L).

    >>> F.unfold(ember.arange(4.0).reshape(1, 1, 2, 2), 1).shape
    torch.Size([1, 1, 4])
    """
    if input.ndim < 3:
        from .._tensor import _wrap_dim

        _wrap_dim(2, input.ndim)  # torch's IndexError
    if input.ndim > 4 or any(n == 0 for n in input.shape[input.ndim - 3:]):
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size "
                           f"and other non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    ksize, geom = _fold_settings(kernel_size, dilation, padding, stride)
    x = input if input.ndim == 4 else input.unsqueeze(0)
    out = _block_counts(x.shape[2:], ksize, geom)
    if any(o <= 0 for o in out):
        raise RuntimeError(f"Given input with spatial size {tuple(x.shape[2:])}, "
                           f"kernel_size={ksize}, dilation={geom.dilation}, padding="
                           f"{tuple(p for p, _ in geom.pads)}, calculated shape of the array of "
                           f"sliding blocks as {out}, but its components must be at least one.")
    y = Im2Col.apply(x, ksize=ksize, geom=geom, out=out)
    return y if input.ndim == 4 else y.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sums sliding blocks (N, C * prod(kernel_size), L) back into (N, C, *output_size)."""
    if input.ndim not in (2, 3) or any(n == 0 for n in input.shape[input.ndim - 2:]):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           f"batch size and non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    ksize, geom = _fold_settings(kernel_size, dilation, padding, stride)
    size = _ntuple(output_size, 2)
    x = input if input.ndim == 3 else input.unsqueeze(0)
    k = math.prod(ksize)
    if x.shape[1] % k:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the "
                           f"product of kernel_size, but got input.size(1)={x.shape[1]} and "
                           f"kernel_size={ksize}.")
    blocks = _block_counts(size, ksize, geom)
    if math.prod(blocks) != x.shape[2]:
        raise RuntimeError(f"Given output_size={size}, kernel_size={ksize}, dilation="
                           f"{geom.dilation}, padding={tuple(p for p, _ in geom.pads)}, stride="
                           f"{geom.stride}, expected size of input's dimension 2 to match the "
                           f"calculated number of sliding blocks {blocks[0]} * {blocks[1]} = "
                           f"{math.prod(blocks)}, but got input.size(2)={x.shape[2]}.")
    y = Col2Im.apply(x, ksize=ksize, geom=geom, size=size)
    return y if input.ndim == 3 else y.squeeze(0)


# ---------------------------------------------------------------- pooling

# kernel, geometry (stride, pads, dilation) and output size of a pooling window
_Pool = namedtuple("_Pool", "kernel geom out")


def _pool_out(length, k, s, p, d, ceil_mode) -> int:
    """torch's pooling output size; with ``ceil_mode`` the last window must start
    inside the input or its left padding."""
    span = d * (k - 1) + 1
    o = (length + 2 * p - span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (o - 1) * s >= length + p:
        o -= 1
    return o


def _pool_settings(input, nd, kernel_size, stride, padding, dilation, ceil_mode):
    """Check a pooling call as torch does; the ``_Pool`` for its last ``nd`` dims."""
    k = _ntuple(kernel_size, nd)
    s = k if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else _ntuple(stride, nd)
    p, d = _ntuple(padding, nd), _ntuple(dilation, nd)
    if any(v == 0 for v in s):
        raise RuntimeError("stride should not be zero")
    for what, prefix, values in (("kernel size", "k", k), ("stride", "d", s),
                                 ("dilation", "dilation", d)):
        if any(v <= 0 for v in values):
            raise RuntimeError(f"{what} should be greater than zero, but got "
                               f"{_hw(prefix, values)}")
    for pi, ki, di in zip(p, k, d):
        if pi > (di * (ki - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={pi}, kernel_size={ki} and dilation={di}")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for "
                           "input")
    if any(v == 0 for v in input.shape[-nd - 1:]):
        raise RuntimeError(f"Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:{list(input.shape)}")
    size = input.shape[-nd:]
    out = tuple(_pool_out(*a, ceil_mode) for a in zip(size, k, s, p, d))
    if any(o <= 0 for o in out):
        shown = tuple(input.shape[-nd - 1:])
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, shown))}). Calculated output "
                           f"size: ({'x'.join(map(str, (shown[0],) + out))}). Output size is "
                           "too small")
    # pad the far end enough for the last window (ceil_mode can reach past the padding)
    pads = tuple((pi, max(0, (o - 1) * si + di * (ki - 1) + 1 - length - pi))
                 for pi, o, si, di, ki, length in zip(p, out, s, d, k, size))
    return _Pool(k, _Geom(s, pads, d, 1), out)


def _hw(prefix, values) -> str:
    """``kH: 2 kW: 3`` as torch's pooling messages write per-dim values."""
    names = ["T", "H", "W"][3 - len(values):]
    return " ".join(f"{prefix}{n}: {v}" for n, v in zip(names, values))


def _max_pool(x, pool):
    """Max of each window over the last dims, and where it is (flat index in the plane),
    as torch's kernel scans: the first maximum wins, and a NaN wins (the last NaN)."""
    nd = len(pool.kernel)
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xp = _pad_array(x, pool.geom.pads, fill)
    views = [xp[(Ellipsis,) + sl] for _, sl in _window_slices(pool.kernel, pool.geom, pool.out)]
    # the window offset of the maximum; -1 where nothing beats -inf (torch's start value)
    which = np.full(views[0].shape, len(views) - 1,
                    dtype=np.int8 if len(views) < 128 else np.int64)
    if x.dtype.kind == "f" and x.size and np.isnan(x.min()):
        best = np.full(views[0].shape, fill, dtype=x.dtype)
        which[...] = -1
        for j, v in enumerate(views):  # torch's scan, NaN included
            better = (v > best) | np.isnan(v)
            np.copyto(best, v, where=better)
            np.copyto(which, j, where=better)
        return best, _window_to_input(which, x.shape[-nd:], pool)
    best = views[0].copy()
    for v in views[1:]:
        np.maximum(best, v, out=best)
    for j in range(len(views) - 2, -1, -1):  # the first offset holding the maximum
        np.copyto(which, j, where=views[j] == best)
    np.copyto(which, -1, where=best == fill)
    return best, _window_to_input(which, x.shape[-nd:], pool)


def _window_to_input(which, size, pool):
    """Window offsets (per output position) as flat indices into the input plane:
    ``base`` (where each window starts) + ``offset[which]``. An offset of -1 (no value
    beat -inf) becomes the window's first position inside the input, as in torch."""
    nd = len(size)
    geom = pool.geom
    strides = [math.prod(size[i + 1:]) for i in range(nd)]
    base, first = 0, 0
    for i in range(nd):
        o = np.arange(pool.out[i]).reshape((-1,) + (1,) * (nd - 1 - i))
        start = o * geom.stride[i] - geom.pads[i][0]
        base = base + start * strides[i]
        first = first - (np.minimum(start, 0) // geom.dilation[i]) * geom.dilation[i] * strides[i]
    offset = np.array([sum(k * d * st for k, d, st in zip(ks, geom.dilation, strides))
                       for ks in np.ndindex(*pool.kernel)], dtype=np.int64)
    flat = offset[which]
    flat += base
    unset = which < 0
    if unset.any():
        flat = np.where(unset, base + first, flat)
    return flat


class _MaxPoolBase(Function):
    """Max pooling with the argmax kept: its gradient goes to that one input."""

    n_outputs = 2

    @staticmethod
    def forward(ctx, x, *, pool):
        y, idx = _max_pool(x, pool)
        ctx.indices, ctx.shape, ctx.pool = idx, x.shape, pool
        return y, idx

    @staticmethod
    def backward(ctx, grad, _):
        return MaxPoolBackward.apply(grad, indices=ctx.indices, shape=ctx.shape,
                                     nd=len(ctx.pool.kernel), overlap=_overlaps(ctx.pool))


def _overlaps(pool) -> bool:
    """Whether an input position can fall in two windows (then gradients must add)."""
    return any(s < d * (k - 1) + 1 for s, d, k in zip(pool.geom.stride, pool.geom.dilation,
                                                      pool.kernel))


class MaxPoolBackward(Function):
    """Output gradients sent back to the argmax positions (summed where they meet)."""

    name = "MaxPoolWithIndicesBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, *, indices, shape, nd, overlap):
        ctx.indices, ctx.nd = indices, nd
        lead = tuple(shape[:-nd])
        lead_n = math.prod(lead)
        plane = math.prod(shape[len(lead):])
        per = math.prod(indices.shape[len(lead):])
        flat = (indices.reshape(lead_n, per) + (np.arange(lead_n) * plane)[:, None]).ravel()
        if overlap:
            out = np.bincount(flat, weights=grad.ravel(), minlength=math.prod(shape))
            out = out.astype(grad.dtype)
        else:  # each input position is in one window at most: plain assignment
            out = np.zeros(math.prod(shape), dtype=grad.dtype)
            out[flat] = grad.ravel()
        return out.reshape(shape)

    @staticmethod
    def backward(ctx, gg):
        idx = ctx.indices
        lead = tuple(idx.shape[:idx.ndim - ctx.nd])
        per = math.prod(idx.shape[len(lead):])
        flat = Tensor._make(idx.reshape(lead + (per,)))
        return gg.reshape(lead + (-1,)).gather(-1, flat).reshape(idx.shape)


def _max_poolnd(nd, name, input, kernel_size, stride, padding, dilation, ceil_mode,
                return_indices):
    pool = _pool_settings(input, nd, kernel_size, stride, padding, dilation, ceil_mode)
    y, idx = _named(_MaxPoolBase, f"MaxPool{nd}DWithIndicesBackward0").apply(input, pool=pool)
    return (y, idx) if return_indices else y


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """The maximum of each ``kernel_size`` window (padding counts as -inf); with
    ``return_indices`` also where it is, as a flat index into each input plane.

    >>> F.max_pool2d(ember.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    return _max_poolnd(2, "max_pool2d", input, kernel_size, stride, padding, dilation,
                       ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """3-d max pooling (see max_pool2d)."""
    return _max_poolnd(3, "max_pool3d", input, kernel_size, stride, padding, dilation,
                       ceil_mode, return_indices)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """1-d max pooling over the last dim (computed as torch does, by max_pool2d)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:{list(input.shape)}")
    s = None if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else (1,) + _ntuple(stride, 1)
    return _one_dim_as_two(max_pool2d, input, (1,) + _ntuple(kernel_size, 1), s,
                           (0,) + _ntuple(padding, 1), (1,) + _ntuple(dilation, 1), ceil_mode,
                           return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    """max_pool1d returning (values, indices)."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    """max_pool2d returning (values, indices)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):
    """max_pool3d returning (values, indices)."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def _avg_divisor(pool, size, count_include_pad, divisor_override, dtype):
    """What each window's sum is divided by, as torch counts it: the window clipped to
    the padded input, or (``count_include_pad=False``) to the input itself."""
    if divisor_override is not None:
        return np.asarray(divisor_override, dtype=dtype)
    nd = len(size)
    div = np.ones((1,) * nd, dtype=np.int64)
    for i in range(nd):
        p, s, k = pool.geom.pads[i][0], pool.geom.stride[i], pool.kernel[i]
        start = np.arange(pool.out[i]) * s - p
        end = np.minimum(start + k, size[i] + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, size[i])
        div = div * (end - start).reshape((-1,) + (1,) * (nd - 1 - i))
    return div.astype(dtype)


class _AvgPoolBase(Function):
    """Each window's sum divided by ``div`` (an array broadcasting over the output)."""

    @staticmethod
    def forward(ctx, x, *, pool, div):
        ctx.params = pool, div, x.shape
        xp = _pad_array(x, pool.geom.pads)
        acc = None
        for _, sl in _window_slices(pool.kernel, pool.geom, pool.out):
            v = xp[(Ellipsis,) + sl]
            acc = v.copy() if acc is None else acc.__iadd__(v)
        return acc / div

    @staticmethod
    def backward(ctx, grad):
        pool, div, shape = ctx.params
        return AvgPoolBackward.apply(grad, pool=pool, div=div, shape=shape)


class AvgPoolBackward(Function):
    """The adjoint of average pooling: each output gradient / div spread over its window."""

    name = "AvgPoolBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, *, pool, div, shape):
        ctx.params = pool, div
        nd = len(pool.kernel)
        g = grad / div
        lead = grad.shape[:-nd]
        full = tuple(length + lo + hi for length, (lo, hi) in zip(shape[-nd:], pool.geom.pads))
        buf = np.zeros(lead + full, dtype=grad.dtype)
        for _, sl in _window_slices(pool.kernel, pool.geom, pool.out):
            buf[(Ellipsis,) + sl] += g
        crop = tuple(slice(lo, lo + length) for (lo, _), length in zip(pool.geom.pads,
                                                                        shape[-nd:]))
        return np.ascontiguousarray(buf[(Ellipsis,) + crop])

    @staticmethod
    def backward(ctx, gg):
        pool, div = ctx.params
        return _avgpool_op(len(pool.kernel)).apply(gg, pool=pool, div=div)


def _avgpool_op(nd: int):
    return _named(_AvgPoolBase, f"AvgPool{nd}DBackward0")


def _avg_poolnd(nd, name, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override):
    if input.ndim < nd + 1:
        from .._tensor import _wrap_dim

        _wrap_dim(-nd - 1, input.ndim)  # torch's IndexError for too few dims
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"\"{name}\" not implemented for '{_TYPE[input._data.dtype]}'")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    pool = _pool_settings(input, nd, kernel_size, stride, padding, 1, ceil_mode)
    div = _avg_divisor(pool, input.shape[-nd:], count_include_pad, divisor_override,
                       input._data.dtype)
    return _avgpool_op(nd).apply(input, pool=pool, div=div)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """The mean of each ``kernel_size`` window (zero padding counted unless
    ``count_include_pad=False``; ``divisor_override`` replaces the count).

    >>> F.avg_pool2d(ember.arange(16.0).reshape(1, 1, 4, 4), 2)
    tensor([[[[ 2.5000,  4.5000],
              [10.5000, 12.5000]]]])
    """
    return _avg_poolnd(2, "avg_pool2d", input, kernel_size, stride, padding, ceil_mode,
                       count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """3-d average pooling (see avg_pool2d)."""
    return _avg_poolnd(3, "avg_pool3d", input, kernel_size, stride, padding, ceil_mode,
                       count_include_pad, divisor_override)


@register(method=False)
def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """1-d average pooling over the last dim (computed as torch does, by avg_pool2d)."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional "
                           "tensor for argument #1 'self' (while checking arguments for "
                           "avg_pool1d)")
    s = None if stride is None or (not isinstance(stride, int) and len(stride) == 0) \
        else (1,) + _ntuple(stride, 1)
    return _one_dim_as_two(avg_pool2d, input, (1,) + _ntuple(kernel_size, 1), s,
                           (0,) + _ntuple(padding, 1), ceil_mode, count_include_pad)


# ---------------------------------------------------------------- separable linear maps

# One spatial axis of a separable linear map: out[o] = sum_t wts[o, t] * in[idx[o, t]]
# (wts None: a plain gather, idx[:, 0]); n_in is the axis' input length.
_Taps = namedtuple("_Taps", "axis idx wts n_in")


def _apply_taps(x, taps):
    axis, idx, wts, _ = taps
    if wts is None:
        return np.take(x, idx[:, 0], axis=axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    out = None
    for t in range(idx.shape[1]):  # a few taps: one gather-multiply-add each
        term = np.take(x, idx[:, t], axis=axis) * wts[:, t].reshape(shape)
        out = term if out is None else out.__iadd__(term)
    return out


def _apply_taps_t(g, taps):
    """The transpose along one axis: each output gradient added back to its taps."""
    axis, idx, wts, n_in = taps
    m = np.zeros((idx.shape[0], n_in), dtype=g.dtype)
    rows = np.broadcast_to(np.arange(idx.shape[0])[:, None], idx.shape)
    np.add.at(m, (rows, idx), 1 if wts is None else wts)
    return np.moveaxis(np.tensordot(g, m, axes=([axis], [0])), -1, axis)


class _Resample(Function):
    """A separable linear map of the spatial axes (interpolation, reflect / replicate /
    circular padding, adaptive average pooling): one ``_Taps`` per axis."""

    @staticmethod
    def forward(ctx, x, *, maps):
        ctx.maps = maps
        for taps in maps:
            x = _apply_taps(x, taps)
        return x

    @staticmethod
    def backward(ctx, grad):
        return ResampleBackward.apply(grad, maps=ctx.maps)


class ResampleBackward(Function):
    """The transpose of a ``_Resample``; its own derivative is the map again."""

    @staticmethod
    def forward(ctx, grad, *, maps):
        ctx.maps = maps
        for taps in reversed(maps):
            grad = _apply_taps_t(grad, taps)
        return np.ascontiguousarray(grad)

    @staticmethod
    def backward(ctx, gg):
        return _Resample.apply(gg, maps=ctx.maps)


def _resample(name: str, x, maps):
    """``_Resample`` under torch's node name ``name`` for this use."""
    return _named(_Resample, name).apply(x, maps=maps)


def _gather_taps(axis, idx, n_in):
    return _Taps(axis, np.asarray(idx, dtype=np.int64)[:, None], None, n_in)


# ---------------------------------------------------------------- adaptive pooling


def _adaptive_windows(n_in: int, n_out: int):
    """torch's adaptive windows: [floor(o * n_in / n_out), ceil((o + 1) * n_in / n_out))."""
    o = np.arange(n_out)
    return (o * n_in) // n_out, -((-(o + 1) * n_in) // n_out)


def _adaptive_size(name, input, nd, output_size):
    """The output size (None keeps the input's size), after torch's checks."""
    if isinstance(output_size, numbers.Integral):
        size = (int(output_size),) * nd
    else:
        size = tuple(output_size)
        if input.ndim <= len(size):
            raise ValueError(f"Input dimension should be at least {len(size) + 1}")
        size = tuple(int(input.shape[-nd + i]) if v is None else int(v)
                     for i, v in enumerate(size))
    if len(size) != nd:
        raise RuntimeError(f"{name}: output_size must be {nd}")
    if input.ndim not in (nd + 1, nd + 2):
        got = "got" if name.startswith("adaptive_avg") else "got:"  # torch's two spellings
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but {got} "
                           f"{list(input.shape)}")
    # torch's adaptive max pooling also rejects zero channels, its average pooling not
    first = input.ndim - nd - (name.startswith("adaptive_max") or input.ndim == nd + 1)
    for i in range(max(first, 0), input.ndim):
        if input.shape[i] == 0:
            raise RuntimeError(f"{name}(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(input.shape)} with "
                               f"dimension {i} being empty")
    return size


def _adaptive_avg_poolnd(nd, input, output_size):
    name = f"adaptive_avg_pool{nd}d"
    size = _adaptive_size(name, input, nd, output_size)
    if all(s == 1 for s in size):  # torch takes the mean here (MeanBackward1)
        return input.mean(tuple(range(-nd, 0)), keepdim=True)
    maps = []
    dtype = input._data.dtype
    for i in range(nd):
        n_in = input.shape[-nd + i]
        start, end = _adaptive_windows(n_in, size[i])
        width = int((end - start).max()) if size[i] else 1
        idx = start[:, None] + np.arange(width)
        inside = idx < end[:, None]
        wts = np.where(inside, 1 / (end - start)[:, None], 0).astype(dtype)
        maps.append(_Taps(input.ndim - nd + i, np.where(inside, idx, start[:, None]), wts,
                          n_in))
    return _resample(f"AdaptiveAvgPool{nd}DBackward0", input, tuple(maps[::-1]))


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size (``None`` keeps that input size).

    >>> F.adaptive_avg_pool2d(ember.ones(1, 3, 7, 5), (2, 2)).shape
    torch.Size([1, 3, 2, 2])
    """
    return _adaptive_avg_poolnd(2, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    """3-d adaptive average pooling."""
    return _adaptive_avg_poolnd(3, input, output_size)


@register(method=False)
def adaptive_avg_pool1d(input, output_size):
    """1-d adaptive average pooling (computed as torch does, by the 2-d one)."""
    size = _ntuple(output_size, 1)
    if len(size) != 1:
        raise RuntimeError(f"adaptive_avg_pool1d() argument 'output_size' should contain one "
                           f"int (got {len(size)})")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional "
                           "tensor for argument #1 'self' (while checking arguments for "
                           "adaptive_avg_pool1d)")
    return _one_dim_as_two(adaptive_avg_pool2d, input, (1,) + size)


class _AdaptiveMaxPoolBase(Function):
    """Max over adaptive windows (gathered, padded with -inf to the widest one)."""

    n_outputs = 2

    @staticmethod
    def forward(ctx, x, *, size):
        nd = len(size)
        lead, plane = x.shape[:-nd], x.shape[-nd:]
        index, inside, flat = [], None, 0
        for i in range(nd):
            start, end = _adaptive_windows(plane[i], size[i])
            width = int((end - start).max()) if size[i] else 1
            idx = start[:, None] + np.arange(width)
            ok = idx < end[:, None]
            idx = np.minimum(idx, plane[i] - 1)
            shape = [1] * (2 * nd)
            shape[2 * i], shape[2 * i + 1] = size[i], width
            index.append(idx.reshape(shape))
            inside = ok.reshape(shape) if inside is None else inside & ok.reshape(shape)
            flat = flat * plane[i] + idx.reshape(shape)
        vals = x[(Ellipsis,) + tuple(index)]  # (..., o1, k1, o2, k2, ...)
        fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        vals = np.where(inside, vals, fill)
        order = tuple(range(0, 2 * nd, 2)) + tuple(range(1, 2 * nd, 2))
        lo = len(lead)
        vals = vals.transpose(tuple(range(lo)) + tuple(lo + a for a in order))
        vals = vals.reshape(lead + size + (-1,))
        flat = np.broadcast_to(flat, inside.shape).transpose(order).reshape(size + (-1,))
        if x.dtype.kind == "f":  # torch's scan lets a NaN win
            nan = np.isnan(vals)
            best = np.where(nan.any(-1), nan.argmax(-1), vals.argmax(-1))
        else:
            best = vals.argmax(-1)
        y = np.take_along_axis(vals, best[..., None], -1)[..., 0]
        idx = np.take_along_axis(np.broadcast_to(flat, vals.shape), best[..., None], -1)[..., 0]
        ctx.indices, ctx.shape, ctx.nd = idx, x.shape, nd
        return y, np.ascontiguousarray(idx)

    @staticmethod
    def backward(ctx, grad, _):
        return MaxPoolBackward.apply(grad, indices=ctx.indices, shape=ctx.shape,
                                     nd=ctx.nd, overlap=True)


def _adaptive_max_poolnd(nd, input, output_size, return_indices):
    size = _adaptive_size(f"adaptive_max_pool{nd}d", input, nd, output_size)
    op = _named(_AdaptiveMaxPoolBase, f"AdaptiveMaxPool{nd}DBackward0")
    y, idx = op.apply(input, size=size)
    return (y, idx) if return_indices else y


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed output size, windows as adaptive_avg_pool2d's."""
    return _adaptive_max_poolnd(2, input, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """3-d adaptive max pooling."""
    return _adaptive_max_poolnd(3, input, output_size, return_indices)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """1-d adaptive max pooling (computed as torch does, by the 2-d one)."""
    size = _ntuple(output_size, 1)
    if len(size) != 1:
        raise RuntimeError(f"adaptive_max_pool1d() argument 'output_size' should contain one "
                           f"int (got {len(size)})")
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional "
                           "tensor for argument #1 'self' (while checking arguments for "
                           "adaptive_max_pool1d)")
    return _one_dim_as_two(adaptive_max_pool2d, input, (1,) + size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    """adaptive_max_pool1d returning (values, indices)."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    """adaptive_max_pool2d returning (values, indices)."""
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    """adaptive_max_pool3d returning (values, indices)."""
    return adaptive_max_pool3d(input, output_size, True)


# ---------------------------------------------------------------- padding


class ConstantPadNd(Function):
    """Pad the last dims with ``value``; negative pads crop."""

    name = "ConstantPadNdBackward0"

    @staticmethod
    def forward(ctx, x, *, pads, value):
        ctx.pads = pads
        lead = x.ndim - len(pads)
        crop = tuple(slice(-lo if lo < 0 else 0, length + hi if hi < 0 else length)
                     for (lo, hi), length in zip(pads, x.shape[lead:]))
        x = x[(Ellipsis,) + crop]
        grow = tuple((max(lo, 0), max(hi, 0)) for lo, hi in pads)
        if not any(lo or hi for lo, hi in grow):
            return x.copy()
        return np.pad(x, ((0, 0),) * lead + grow, constant_values=np.asarray(value, x.dtype))

    @staticmethod
    def backward(ctx, grad):  # cut the padding off again (and zero-pad what was cropped)
        return ConstantPadNd.apply(grad, pads=tuple((-lo, -hi) for lo, hi in ctx.pads), value=0)


def _pad_index(mode: str, n_in: int, lo: int, hi: int) -> np.ndarray:
    """Which input position each padded position reads along one axis."""
    i = np.arange(-lo, n_in + hi)
    if mode == "reflect":
        i = np.abs(i)
        return np.where(i >= n_in, 2 * (n_in - 1) - i, i)
    if mode == "replicate":
        return np.clip(i, 0, n_in - 1)
    return i % n_in  # circular


_PAD_NODE = {"reflect": "ReflectionPad{}DBackward0", "replicate": "ReplicationPad{}DBackward0",
             "circular": "CopySlices"}  # torch writes circular padding as slice copies


def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims: ``pad = (last_lo, last_hi, second_last_lo, ...)``.
    ``mode``: ``'constant'`` (with ``value``; negative pads crop), ``'reflect'``,
    ``'replicate'`` or ``'circular'``.

    >>> F.pad(ember.tensor([[1.0, 2.0, 3.0]]), (2, 1), mode="reflect")
    tensor([[3., 2., 1., 2., 3., 2.]])
    """
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    pads = tuple((int(pad[2 * i]), int(pad[2 * i + 1])) for i in reversed(range(k)))
    if mode == "constant":
        if k > input.ndim:
            raise RuntimeError(f"Padding length should be less than or equal to two times the "
                               f"input dimension but got padding length {len(pad)} and input of "
                               f"dimension {input.ndim}")
        for (lo, hi), length in zip(pads, input.shape[input.ndim - k:]):
            if length + lo + hi < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
        return ConstantPadNd.apply(input, pads=pads, value=0 if value is None else value)
    if mode not in _PAD_NODE:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    if k not in (1, 2, 3) or input.ndim not in (k + 1, k + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {input.ndim}D "
                                  "input tensor.")
    lead = input.ndim - k
    if any(n == 0 for n in input.shape[1 if input.ndim == k + 2 else 0:]):
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 "
                           "batch size and other non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    maps = []
    for d, ((lo, hi), n_in) in enumerate(zip(pads, input.shape[lead:])):
        if mode == "reflect" and (lo >= n_in or hi >= n_in):
            raise RuntimeError(f"Argument #4: Padding size should be less than the "
                               f"corresponding input dimension, but got: padding ({lo}, {hi}) "
                               f"at dimension {lead + d} of input {list(input.shape)}")
        if mode == "circular" and (lo > n_in or hi > n_in):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if n_in + lo + hi < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        maps.append(_gather_taps(lead + d, _pad_index(mode, n_in, lo, hi), n_in))
    return _resample(_PAD_NODE[mode].format(k), input, tuple(maps[::-1]))


# ---------------------------------------------------------------- interpolation


def _nearest_index(n_in, n_out, scale, exact):
    """torch's nearest neighbours, in float32 as its kernel computes them."""
    if n_out == n_in and not exact:
        return np.arange(n_out)
    if n_out == 2 * n_in and not exact:
        return np.arange(n_out) >> 1
    s = np.float32(1.0 / scale) if scale else np.float32(n_in) / np.float32(n_out)
    o = np.arange(n_out, dtype=np.float32)
    src = np.floor(((o + np.float32(0.5)) if exact else o) * s).astype(np.int64)
    return np.minimum(src, n_in - 1)


def _linear_taps(axis, n_in, n_out, scale, align_corners, dtype):
    """torch's linear interpolation weights along one axis, in the input's precision."""
    ft = np.dtype(dtype).type
    if align_corners:
        s = ft((n_in - 1) / (n_out - 1)) if n_out > 1 else ft(0)
        src = np.arange(n_out, dtype=dtype) * s
    else:
        s = ft(1.0 / scale) if scale else ft(n_in) / ft(n_out)
        src = np.maximum((np.arange(n_out, dtype=dtype) + ft(0.5)) * s - ft(0.5), ft(0))
    i0 = src.astype(np.int64)
    i1 = i0 + (i0 < n_in - 1)
    l1 = np.clip(src - i0.astype(dtype), 0, 1).astype(dtype)
    l0 = (ft(1) - l1).astype(dtype)
    return _Taps(axis, np.stack([i0, i1], 1), np.stack([l0, l1], 1), n_in)


def _cubic_taps(axis, n_in, n_out, scale, align_corners, dtype):
    """torch's bicubic weights (Keys' cubic convolution, A = -0.75) along one axis: four
    taps around the source position, clamped to the edges."""
    ft = np.dtype(dtype).type
    o = np.arange(n_out, dtype=dtype)
    if align_corners:
        s = ft((n_in - 1) / (n_out - 1)) if n_out > 1 else ft(0)
        src = o * s
    else:  # unlike linear, the source position is not clamped at 0
        s = ft(1.0 / scale) if scale else ft(n_in) / ft(n_out)
        src = (o + ft(0.5)) * s - ft(0.5)
    i0 = np.floor(src).astype(np.int64)
    t = (src - i0.astype(dtype)).astype(dtype)
    a = ft(-0.75)

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    u = 1 - t
    wts = np.stack([far(t + 1), near(t), near(u), far(u + 1)], 1).astype(dtype)
    idx = np.clip(i0[:, None] + np.arange(-1, 3), 0, n_in - 1)
    return _Taps(axis, idx, wts, n_in)


_INTERP_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize the spatial dims to ``size`` or by ``scale_factor``. Modes: ``'nearest'``,
    ``'nearest-exact'``, ``'linear'`` / ``'bilinear'`` / ``'bicubic'`` / ``'trilinear'``
    (with ``align_corners``) and ``'area'`` (adaptive average pooling).

    >>> F.interpolate(ember.tensor([[[1.0, 2.0]]]), scale_factor=2)
    tensor([[[1., 1., 2., 2.]]])
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    nd = input.ndim - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != nd:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {list(input.shape[2:])} and output size "
                    f"of {size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                    "and output size in (o1, o2, ...,oK) format.")
            out = tuple(int(v) for v in size)
        else:
            out = (int(size),) * nd
        scales = (None,) * nd
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != nd:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, "
                    f"but got input with spatial dimensions of {list(input.shape[2:])} and "
                    f"scale_factor of shape {scale_factor}. Please provide input tensor in "
                    "(N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format.")
            scales = tuple(float(v) for v in scale_factor)
        else:
            scales = (float(scale_factor),) * nd
        out = tuple(int(math.floor(n * s)) for n, s in zip(input.shape[2:], scales))
        if recompute_scale_factor or mode == "area":
            scales = (None,) * nd
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not in ember")
    known = ("nearest", "nearest-exact", "area", "linear", "bilinear", "bicubic", "trilinear")
    if mode not in known or nd not in (1, 2, 3):
        modes = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
        if mode == "lanczos" and nd in (1, 2, 3):
            raise NotImplementedError("interpolate: mode 'lanczos' is not in ember")
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got "
                                  f"{input.ndim}D) for the modes: {modes} (got {mode})")
    if mode in _INTERP_DIMS and _INTERP_DIMS[mode] != nd:
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs "
                                  f"{_INTERP_DIMS[mode] + 2}D input")
    if mode == "area":
        return _adaptive_avg_poolnd(nd, input, out)
    if any(o <= 0 for o in out) or any(n <= 0 for n in input.shape[2:]):
        names = ["D", "H", "W"][3 - nd:]
        ins = ", ".join(f"{n}: {v}" for n, v in zip(names, input.shape[2:]))
        outs = ", ".join(f"{n}: {v}" for n, v in zip(names, out))
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input "
                           f"({ins}) output ({outs})")
    maps = []
    for i in reversed(range(nd)):  # the last axis first, as torch's kernel nests them
        n_in = input.shape[2 + i]
        if mode == "nearest" or mode == "nearest-exact":
            idx = _nearest_index(n_in, out[i], scales[i], mode == "nearest-exact")
            maps.append(_gather_taps(2 + i, idx, n_in))
        else:
            taps = _cubic_taps if mode == "bicubic" else _linear_taps
            maps.append(taps(2 + i, n_in, out[i], scales[i], align_corners, input._data.dtype))
    node = {"nearest": "UpsampleNearest{}DBackward0",
            "nearest-exact": "UpsampleNearestExact{}DBackward0"}.get(mode)
    if mode == "bicubic":
        node = "UpsampleBicubic2DBackward0"
    elif node is None:
        node = {1: "UpsampleLinear1DBackward0", 2: "UpsampleBilinear2DBackward0",
                3: "UpsampleTrilinear3DBackward0"}[nd]
    return _resample(node.format(nd), input, tuple(maps))


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of interpolate (warns, as torch)."""
    warnings.warn("nn.functional.upsample is deprecated. Use nn.functional.interpolate "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: interpolate(..., mode='nearest')."""
    warnings.warn("nn.functional.upsample_nearest is deprecated. Use "
                  "nn.functional.interpolate instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: interpolate(..., mode='bilinear', align_corners=True)."""
    warnings.warn("nn.functional.upsample_bilinear is deprecated. Use "
                  "nn.functional.interpolate instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---------------------------------------------------------------- pixel shuffle


def _shuffle(x, r):
    """(..., C*r*r, H, W) -> (..., C, H*r, W*r)."""
    *lead, c, h, w = x.shape
    y = x.reshape(*lead, c // (r * r), r, r, h, w)
    n = len(lead)
    y = y.transpose(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return y.reshape(*lead, c // (r * r), h * r, w * r)


def _unshuffle(x, r):
    """(..., C, H*r, W*r) -> (..., C*r*r, H, W)."""
    *lead, c, h, w = x.shape
    y = x.reshape(*lead, c, h // r, r, w // r, r)
    n = len(lead)
    y = y.transpose(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return y.reshape(*lead, c * r * r, h // r, w // r)


class PixelShuffle(Function):
    name = "PixelShuffleBackward0"

    @staticmethod
    def forward(ctx, x, *, r):
        ctx.r = r
        return _shuffle(x, r)

    @staticmethod
    def backward(ctx, grad):
        return PixelUnshuffle.apply(grad, r=ctx.r)


class PixelUnshuffle(Function):
    name = "PixelUnshuffleBackward0"

    @staticmethod
    def forward(ctx, x, *, r):
        ctx.r = r
        return _unshuffle(x, r)

    @staticmethod
    def backward(ctx, grad):
        return PixelShuffle.apply(grad, r=ctx.r)


@register(method=False)
def pixel_shuffle(input, upscale_factor):
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r): channels become sub-pixels.

    >>> F.pixel_shuffle(ember.ones(1, 4, 2, 3), 2).shape
    torch.Size([1, 1, 4, 6])
    """
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got "
                           f"input with {input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    if input.shape[-3] % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be "
                           f"divisible by the square of upscale_factor, but input.size(-3)="
                           f"{input.shape[-3]} is not divisible by {r * r}")
    return PixelShuffle.apply(input, r=r)


@register(method=False)
def pixel_unshuffle(input, downscale_factor):
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W), the inverse of pixel_shuffle."""
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but "
                           f"got input with {input.ndim} dimension(s)")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    for what, d in (("height", -2), ("width", -1)):
        if input.shape[d] % r:
            raise RuntimeError(f"pixel_unshuffle expects {what} to be divisible by "
                               f"downscale_factor, but input.size({d})={input.shape[d]} is not "
                               f"divisible by {r}")
    return PixelUnshuffle.apply(input, r=r)


# ---------------------------------------------------------------- normalisation


def _moments(x, axes):
    """Mean and biased variance over ``axes`` (kept), accumulated in float64 as torch's
    CPU kernels accumulate float32 statistics (without a float64 copy of ``x``)."""
    if x.size == 0:
        shape = [1 if i in axes else n for i, n in enumerate(x.shape)]
        return np.full(shape, np.nan), np.full(shape, np.nan)
    mean = np.mean(x, axes, dtype=np.float64, keepdims=True)
    var = np.mean(np.square(x - mean.astype(x.dtype)), axes, dtype=np.float64, keepdims=True)
    return mean, var


def _invstd(var, eps, dtype):
    with np.errstate(divide="ignore", invalid="ignore"):
        return (1 / np.sqrt(var + eps)).astype(dtype)


def _stats(x, axes, eps, saved):
    """Mean and 1/std over ``axes`` as Tensors: the arrays forward saved or, when this
    backward is itself recorded (``create_graph=True``), recomputed from ``x`` with ember
    ops so that they carry their own derivatives."""
    if not state.enabled:
        return Tensor._make(saved[0]), Tensor._make(saved[1])
    mean = x.mean(axes, keepdim=True)
    xc = x - mean
    return mean, ((xc * xc).mean(axes, keepdim=True) + eps).rsqrt()


def _normalize_grad(gxhat, xhat, invstd, axes):
    """The input gradient of ``xhat = (x - mean) * invstd``, the statistics taken over
    ``axes``, given the gradient ``gxhat`` of ``xhat``."""
    return (gxhat - gxhat.mean(axes, keepdim=True)
            - xhat * (gxhat * xhat).mean(axes, keepdim=True)) * invstd


def _sum_over(t, axes):
    return t.sum(axes) if axes else t  # sum(()) would sum everything


class NativeBatchNorm(Function):
    """Batch norm over every dim but the channels (dim 1): batch statistics when
    ``training`` (and the running ones updated in place), else the running ones."""

    name = "NativeBatchNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, *, running_mean, running_var, training, momentum, eps):
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)
        if training:
            mean, var = _moments(x, axes)
            n = x.size // x.shape[1] if x.shape[1] else 0
            if running_mean is not None:
                running_mean[...] = momentum * mean.ravel() + (1 - momentum) * running_mean
            if running_var is not None:
                unbiased = var.ravel() * (n / (n - 1))  # torch stores the unbiased variance
                running_var[...] = momentum * unbiased + (1 - momentum) * running_var
        else:
            mean, var = running_mean.reshape(shape), running_var.reshape(shape)
        mean, invstd = mean.astype(x.dtype), _invstd(var, eps, x.dtype)
        ctx.save_for_backward(x, w)
        ctx.stats, ctx.params = (mean, invstd), (training, eps)
        # as torch's kernel: y = x * alpha + beta, alpha = invstd * w, beta = b - mean * alpha
        alpha = invstd if w is None else invstd * w.reshape(shape)
        beta = -mean * alpha if b is None else b.reshape(shape) - mean * alpha
        return x * alpha + beta

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        training, eps = ctx.params
        need_x, need_w, need_b = ctx.needs_input_grad
        axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)
        if training:
            mean, invstd = _stats(x, axes, eps, ctx.stats)
        else:  # the running statistics are constants
            mean, invstd = (Tensor._make(a) for a in ctx.stats)
        xhat = (x - mean) * invstd
        gx = gw = gb = None
        if need_x:
            gxhat = grad if w is None else grad * w.reshape(shape)
            gx = _normalize_grad(gxhat, xhat, invstd, axes) if training else gxhat * invstd
        if need_w:
            gw = (grad * xhat).sum(axes)
        if need_b:
            gb = grad.sum(axes)
        return gx, gw, gb


class NativeLayerNorm(Function):
    """Normalise over the last ``nd`` dims; ``w`` and ``b`` have their shape."""

    name = "NativeLayerNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, *, nd, eps):
        axes = tuple(range(x.ndim - nd, x.ndim))
        mean, var = _moments(x, axes)
        mean, invstd = mean.astype(x.dtype), _invstd(var, eps, x.dtype)
        ctx.save_for_backward(x, w)
        ctx.stats, ctx.params = (mean, invstd), (axes, eps)
        y = (x - mean) * invstd
        if w is not None:
            y *= w
        if b is not None:
            y += b
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        axes, eps = ctx.params
        need_x, need_w, need_b = ctx.needs_input_grad
        lead = tuple(range(x.ndim - len(axes)))
        mean, invstd = _stats(x, axes, eps, ctx.stats)
        xhat = (x - mean) * invstd
        gx = gw = gb = None
        if need_x:
            gx = _normalize_grad(grad if w is None else grad * w, xhat, invstd, axes)
        if need_w:
            gw = _sum_over(grad * xhat, lead)
        if need_b:
            gb = _sum_over(grad, lead)
        return gx, gw, gb


class NativeGroupNorm(Function):
    """Normalise each group of ``C / groups`` channels (with all positions) per sample;
    ``w`` and ``b`` are per channel."""

    name = "NativeGroupNormBackward0"

    @staticmethod
    def forward(ctx, x, w, b, *, groups, eps):
        grouped = (x.shape[0], groups, x.size // max(x.shape[0] * groups, 1))
        xr = x.reshape(grouped)
        mean, var = _moments(xr, (2,))
        mean, invstd = mean.astype(x.dtype), _invstd(var, eps, x.dtype)
        ctx.save_for_backward(x, w)
        ctx.stats, ctx.params = (mean, invstd), (grouped, eps)
        y = ((xr - mean) * invstd).reshape(x.shape)
        shape = (1, -1) + (1,) * (x.ndim - 2)
        if w is not None:
            y *= w.reshape(shape)
        if b is not None:
            y += b.reshape(shape)
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_tensors
        grouped, eps = ctx.params
        need_x, need_w, need_b = ctx.needs_input_grad
        shape = (1, -1) + (1,) * (x.ndim - 2)
        axes = (0,) + tuple(range(2, x.ndim))
        xr = x.reshape(grouped)
        mean, invstd = _stats(xr, (2,), eps, ctx.stats)
        xhat = (xr - mean) * invstd
        gx = gw = gb = None
        if need_x:
            gxhat = (grad if w is None else grad * w.reshape(shape)).reshape(grouped)
            gx = _normalize_grad(gxhat, xhat, invstd, (2,)).reshape(x.shape)
        if need_w:
            gw = (grad * xhat.reshape(x.shape)).sum(axes)
        if need_b:
            gb = grad.sum(axes)
        return gx, gw, gb


def _check_vector(name, t, n):
    if t is not None and t.numel() != n:
        raise RuntimeError(f"{name} should contain {n} elements not {t.numel()}")


def _verify_batch_size(size) -> None:
    """Training statistics need more than one value per channel (torch's check)."""
    if size[0] * math.prod(size[2:]) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                         f"{size}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise each channel (dim 1) by batch statistics (``training``) or by the
    running ones. In training the running statistics, when given, are updated in place:
    ``running = (1 - momentum) * running + momentum * batch`` (unbiased variance).

    >>> x = ember.tensor([[1.0], [3.0]])
    >>> F.batch_norm(x, None, None, training=True)
    tensor([[-1.0000],
            [ 1.0000]])
    """
    if training:
        _verify_batch_size(input.shape)
    c = input.shape[1] if input.ndim > 1 else 0
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError(f"running_{'mean' if running_mean is None else 'var'} must be "
                           "defined in evaluation mode")
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        _check_vector(name, t, c)
    rm = None if running_mean is None else running_mean._data
    rv = None if running_var is None else running_var._data
    out = NativeBatchNorm.apply(input, weight, bias, running_mean=rm, running_var=rv,
                                training=training, momentum=momentum, eps=eps)
    if training:
        for t in (running_mean, running_var):
            if t is not None:
                t._bump()
    return out


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Normalise each (sample, channel) plane by its own statistics (computed, as in
    torch, by batch_norm on a ``(1, N * C, ...)`` view)."""
    if use_input_stats:
        if math.prod(input.shape[2:]) == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input "
                             f"size {input.shape}")
    n, c = input.shape[:2]
    x = input.reshape(1, n * c, *input.shape[2:])
    rm = None if running_mean is None else running_mean.repeat(n)
    rv = None if running_var is None else running_var.repeat(n)
    w = None if weight is None else weight.repeat(n)
    b = None if bias is None else bias.repeat(n)
    out = batch_norm(x, rm, rv, w, b, use_input_stats, momentum, eps)
    if use_input_stats:  # fold the per-sample running statistics back, averaged
        for run, rep in ((running_mean, rm), (running_var, rv)):
            if run is not None:
                run._data[...] = rep._data.reshape(n, c).mean(0)
                run._bump()
    return out.view(input.shape)


def _normalized_shape(normalized_shape):
    if isinstance(normalized_shape, numbers.Integral):
        return (int(normalized_shape),)
    return tuple(int(s) for s in normalized_shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the last ``len(normalized_shape)`` dims, then scale and shift.

    >>> F.layer_norm(ember.tensor([[1.0, 3.0]]), (2,))
    tensor([[-1.0000,  1.0000]])
    """
    shape = _normalized_shape(normalized_shape)
    nd = len(shape)
    if input.ndim < nd or tuple(input.shape[input.ndim - nd:]) != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size"
                           f"{list(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but "
                               f"got {name} of shape {list(t.shape)} and normalized_shape = "
                               f"{list(shape)}")
    return NativeLayerNorm.apply(input, weight, bias, nd=nd, eps=eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise each group of ``C / num_groups`` channels per sample, then scale and
    shift per channel."""
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received "
                           f"{input.ndim}")
    n, c = input.shape[:2]
    _verify_batch_size([n * c // num_groups, num_groups] + list(input.shape[2:]))
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(input.shape)} and "
                           f"num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.numel() != c):
            # torch's message shows the weight's shape in both cases
            shown = [0] if weight is None else list(weight.shape)
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape {shown} "
                               f"and input of shape {list(input.shape)}")
    return NativeGroupNorm.apply(input, weight, bias, groups=num_groups, eps=eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``x / sqrt(mean(x^2) + eps) * weight`` over the last dims (``eps`` defaults to the
    dtype's machine epsilon), composed of ember ops as torch composes it."""
    shape = _normalized_shape(normalized_shape)
    nd = len(shape)
    if input.ndim < nd or tuple(input.shape[input.ndim - nd:]) != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*{', '.join(map(str, shape))}], but got input of size"
                           f"{list(input.shape)}")
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = tuple(range(-nd, 0))
    out = input * (input.pow(2).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


# ---------------------------------------------------------------- torch.* spellings

@register("batch_norm", method=False)
def _batch_norm_aten(input, weight, bias, running_mean, running_var, training, momentum, eps,
                     cudnn_enabled=True):
    """``torch.batch_norm``: batch_norm with its arguments in aten's order."""
    return batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


@register("instance_norm", method=False)
def _instance_norm_aten(input, weight, bias, running_mean, running_var, use_input_stats,
                        momentum, eps, cudnn_enabled=True):
    """``torch.instance_norm``: instance_norm with its arguments in aten's order."""
    return instance_norm(input, running_mean, running_var, weight, bias, use_input_stats,
                         momentum, eps)


@register("layer_norm", method=False)
def _layer_norm_aten(input, normalized_shape, weight=None, bias=None, eps=1e-5,
                     cudnn_enable=True):
    """``torch.layer_norm``."""
    return layer_norm(input, normalized_shape, weight, bias, eps)


@register("group_norm", method=False)
def _group_norm_aten(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    """``torch.group_norm``."""
    return group_norm(input, num_groups, weight, bias, eps)


@register("adaptive_max_pool1d", method=False)
def _adaptive_max_pool1d_aten(input, output_size):
    """``torch.adaptive_max_pool1d``: returns (values, indices)."""
    return adaptive_max_pool1d(input, output_size, True)


@register("constant_pad_nd", method=False)
def constant_pad_nd(input, pad, value=0):
    """``torch.constant_pad_nd``: pad(input, pad, 'constant', value)."""
    return _pad(input, pad, "constant", value)


_pad = pad
register("rms_norm", method=False)(rms_norm)
register("max_pool1d", method=False)(max_pool1d)
register("max_pool2d", method=False)(max_pool2d)
register("max_pool3d", method=False)(max_pool3d)
register("max_pool1d_with_indices", method=False)(max_pool1d_with_indices)
