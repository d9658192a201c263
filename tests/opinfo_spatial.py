"""OpInfo rows for the spatial layers (ember/ops/nn.py): convolution, unfold/fold,
pooling, padding, interpolation, pixel shuffle and normalisation. See opinfo.py.

Rows named ``nn.functional.<name>`` call ``lib.nn.functional.<name>``; the others are
the ``torch.<name>`` spellings. Settings (stride, padding, running statistics, ...) are
fixed inside each row's call, so every row is checked against torch for values,
gradients of every input, second derivatives and a float64 gradcheck.
"""

from opinfo import OpInfo


def F(name, variant="", call=None, samples=(), **kw):
    """A row for ``nn.functional.<name>``; ``call(F, *xs)`` defaults to ``F.<name>(*xs)``."""
    call = call or (lambda f, *xs: getattr(f, name)(*xs))
    return OpInfo(f"nn.functional.{name}", variant,
                  lambda lib, *xs: call(lib.nn.functional, *xs), list(samples), **kw)


def Top(name, variant, call, samples, **kw):
    """A row for the ``torch.<name>`` spelling: ``call(lib, *xs)``."""
    return OpInfo(name, variant, call, list(samples), **kw)


CONV1 = [((2, 3, 7), (4, 3, 3), (4,)), ((3, 7), (4, 3, 3), (4,)), ((0, 3, 5), (2, 3, 3), (2,))]
CONV2 = [((2, 3, 6, 5), (4, 3, 3, 2), (4,)), ((3, 5, 5), (2, 3, 3, 3), (2,)),
         ((0, 3, 4, 4), (2, 3, 3, 3), (2,))]
CONVT2 = [((2, 3, 4, 3), (3, 2, 3, 2), (2,)), ((3, 3, 3), (3, 2, 2, 2), (2,))]
IMG = [(2, 3, 6, 5), (3, 5, 6)]  # batched and unbatched images
SEQ = [(2, 3, 7), (3, 8)]  # batched and unbatched sequences
VOL = [(1, 2, 4, 5, 4)]  # a volume
NORM = [((4, 3, 5), (3,), (3,)), ((3, 2, 3, 2), (2,), (2,)), ((5, 2), (2,), (2,))]


def _running(lib, x):
    """Running statistics for ``x``'s channels (moved off torch's initial 0 and 1)."""
    c = lib.arange(x.shape[1], dtype=x.dtype)
    return c * 0.1, c * 0.2 + 0.5


def _bn_train(lib, x, w, b):
    rm, rv = _running(lib, x)
    return lib.nn.functional.batch_norm(x, rm, rv, w, b, training=True, momentum=0.3)


def _bn_eval(lib, x, w, b):
    rm, rv = _running(lib, x)
    return lib.nn.functional.batch_norm(x, rm, rv, w, b, training=False)


ROWS = [
    # ---- convolution
    Top("conv1d", "", lambda lib, x, w, b: lib.conv1d(x, w, b), CONV1),
    Top("conv1d", "stride_pad_dil", lambda lib, x, w, b: lib.conv1d(x, w, b, 2, 2, 2),
        [((2, 3, 9), (4, 3, 3), (4,))]),
    Top("conv1d", "same_even", lambda lib, x, w: lib.conv1d(x, w, padding="same"),
        [((2, 3, 6), (2, 3, 4))]),
    Top("conv2d", "", lambda lib, x, w, b: lib.conv2d(x, w, b), CONV2),
    Top("conv2d", "nobias", lambda lib, x, w: lib.conv2d(x, w), [((2, 3, 5, 5), (2, 3, 2, 2))]),
    Top("conv2d", "stride_pad", lambda lib, x, w, b: lib.conv2d(x, w, b, 2, 1),
        [((2, 3, 6, 5), (4, 3, 3, 3), (4,))]),
    Top("conv2d", "asym", lambda lib, x, w, b: lib.conv2d(x, w, b, (2, 1), (0, 2), (1, 2)),
        [((1, 2, 7, 6), (3, 2, 3, 2), (3,))]),
    Top("conv2d", "dilation", lambda lib, x, w: lib.conv2d(x, w, dilation=2, padding=1),
        [((1, 2, 7, 7), (2, 2, 3, 3))]),
    Top("conv2d", "groups", lambda lib, x, w, b: lib.conv2d(x, w, b, groups=2),
        [((2, 4, 5, 5), (6, 2, 3, 3), (6,))]),
    Top("conv2d", "depthwise", lambda lib, x, w: lib.conv2d(x, w, padding=1, groups=3),
        [((2, 3, 4, 4), (3, 1, 3, 3))]),
    Top("conv2d", "same", lambda lib, x, w: lib.conv2d(x, w, padding="same"),
        [((1, 2, 5, 6), (2, 2, 3, 3)), ((1, 2, 5, 6), (2, 2, 2, 3))]),
    Top("conv2d", "valid", lambda lib, x, w: lib.conv2d(x, w, padding="valid"),
        [((1, 2, 5, 6), (2, 2, 3, 3))]),
    Top("conv2d", "t", lambda lib, x, w: lib.conv2d(x.transpose(2, 3), w),
        [((2, 2, 5, 4), (3, 2, 2, 2))]),
    Top("conv3d", "", lambda lib, x, w, b: lib.conv3d(x, w, b, padding=1, stride=(1, 2, 1)),
        [((1, 2, 3, 4, 3), (2, 2, 2, 2, 2), (2,))]),
    Top("conv_transpose1d", "", lambda lib, x, w, b: lib.conv_transpose1d(x, w, b, 2, 1, 1),
        [((2, 3, 4), (3, 2, 3), (2,)), ((3, 4), (3, 2, 3), (2,))]),
    Top("conv_transpose2d", "", lambda lib, x, w, b: lib.conv_transpose2d(x, w, b), CONVT2),
    Top("conv_transpose2d", "stride_pad_out",
        lambda lib, x, w, b: lib.conv_transpose2d(x, w, b, 2, 1, 1),
        [((2, 3, 3, 4), (3, 2, 3, 3), (2,))]),
    Top("conv_transpose2d", "groups_dil",
        lambda lib, x, w: lib.conv_transpose2d(x, w, stride=1, output_padding=1, groups=2,
                                               dilation=2),
        [((1, 4, 3, 3), (4, 3, 2, 2))]),
    Top("conv_transpose3d", "", lambda lib, x, w: lib.conv_transpose3d(x, w, stride=2),
        [((1, 2, 2, 3, 2), (2, 1, 2, 2, 2))]),
    F("unfold", "", lambda f, x: f.unfold(x, (2, 3)), [(2, 3, 4, 5), (2, 4, 4)]),
    F("unfold", "settings", lambda f, x: f.unfold(x, 2, dilation=2, padding=1, stride=2),
      [(2, 2, 5, 6)]),
    F("fold", "", lambda f, x: f.fold(x, (4, 5), (2, 3)), [(2, 12, 9), (6, 9)]),
    F("fold", "settings", lambda f, x: f.fold(x, (5, 6), 2, dilation=2, padding=1, stride=2),
      [(2, 8, 9)]),
    # ---- pooling
    Top("max_pool2d", "", lambda lib, x: lib.max_pool2d(x, 2), IMG),
    F("max_pool2d", "overlap", lambda f, x: f.max_pool2d(x, 3, 2, 1), IMG),
    F("max_pool2d", "dil_ceil", lambda f, x: f.max_pool2d(x, 2, 2, 1, 2, True), [(2, 2, 7, 6)]),
    F("max_pool2d", "stride1", lambda f, x: f.max_pool2d(x, (2, 3), 1), [(2, 2, 5, 6)]),
    F("max_pool2d", "indices", lambda f, x: f.max_pool2d(x, 3, 2, 1, return_indices=True)[1],
      IMG, grad=False),
    F("max_pool2d", "t", lambda f, x: f.max_pool2d(x.transpose(-1, -2), 2), [(2, 3, 6, 4)]),
    Top("max_pool1d", "", lambda lib, x: lib.max_pool1d(x, 3, 2, 1), SEQ),
    F("max_pool1d", "ceil", lambda f, x: f.max_pool1d(x, 2, ceil_mode=True), SEQ),
    Top("max_pool1d_with_indices", "", lambda lib, x: lib.max_pool1d_with_indices(x, 2)[0],
        SEQ),
    Top("max_pool3d", "", lambda lib, x: lib.max_pool3d(x, 2, 1), VOL),
    Top("avg_pool1d", "", lambda lib, x: lib.avg_pool1d(x, 3, 2, 1), SEQ),
    F("avg_pool1d", "ceil_nopad", lambda f, x: f.avg_pool1d(x, 2, ceil_mode=True,
                                                              count_include_pad=False), SEQ),
    F("avg_pool2d", "", lambda f, x: f.avg_pool2d(x, 2), IMG),
    F("avg_pool2d", "pad", lambda f, x: f.avg_pool2d(x, 3, 2, 1), IMG),
    F("avg_pool2d", "exclude_pad_ceil",
      lambda f, x: f.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False), IMG),
    F("avg_pool2d", "divisor", lambda f, x: f.avg_pool2d(x, (2, 3), 1, divisor_override=4),
      IMG),
    F("avg_pool3d", "", lambda f, x: f.avg_pool3d(x, 2, padding=1), VOL),
    F("adaptive_avg_pool2d", "", lambda f, x: f.adaptive_avg_pool2d(x, (4, 3)), IMG),
    F("adaptive_avg_pool2d", "one", lambda f, x: f.adaptive_avg_pool2d(x, 1), IMG),
    F("adaptive_avg_pool2d", "none", lambda f, x: f.adaptive_avg_pool2d(x, (None, 2)), IMG),
    F("adaptive_avg_pool2d", "grow", lambda f, x: f.adaptive_avg_pool2d(x, 7), [(1, 2, 4, 3)]),
    Top("adaptive_avg_pool1d", "", lambda lib, x: lib.adaptive_avg_pool1d(x, 3), SEQ),
    F("adaptive_avg_pool3d", "", lambda f, x: f.adaptive_avg_pool3d(x, (3, 2, 3)), VOL),
    F("adaptive_max_pool2d", "", lambda f, x: f.adaptive_max_pool2d(x, (4, 3)), IMG),
    F("adaptive_max_pool2d", "indices",
      lambda f, x: f.adaptive_max_pool2d(x, (4, 3), True)[1], IMG, grad=False),
    Top("adaptive_max_pool1d", "", lambda lib, x: lib.adaptive_max_pool1d(x, 3)[0], SEQ),
    F("adaptive_max_pool1d", "", lambda f, x: f.adaptive_max_pool1d(x, 5), SEQ),
    F("adaptive_max_pool3d", "", lambda f, x: f.adaptive_max_pool3d(x, 2), VOL),
    # ---- padding and resampling
    F("pad", "constant", lambda f, x: f.pad(x, (1, 2, 0, 1), value=0.5), IMG),
    F("pad", "negative", lambda f, x: f.pad(x, (-1, 2, 1, -2)), IMG),
    Top("constant_pad_nd", "", lambda lib, x: lib.constant_pad_nd(x, (1, 1), 2.0), SEQ),
    F("pad", "reflect", lambda f, x: f.pad(x, (1, 2, 3, 0), mode="reflect"), IMG),
    F("pad", "reflect1d", lambda f, x: f.pad(x, (2, 1), mode="reflect"), SEQ),
    F("pad", "replicate", lambda f, x: f.pad(x, (1, 2, 3, 0), mode="replicate"), IMG),
    F("pad", "replicate3d", lambda f, x: f.pad(x, (1, 0, 0, 2, 1, 1), mode="replicate"), VOL),
    F("pad", "circular", lambda f, x: f.pad(x, (1, 2, 3, 0), mode="circular"), IMG),
    F("interpolate", "nearest", lambda f, x: f.interpolate(x, scale_factor=2),
      [(2, 3, 4, 3), (2, 3, 5)]),
    F("interpolate", "nearest_size", lambda f, x: f.interpolate(x, size=(5, 7)),
      [(2, 3, 4, 3)]),
    F("interpolate", "nearest_frac", lambda f, x: f.interpolate(x, scale_factor=1.7),
      [(2, 3, 4, 3)]),
    F("interpolate", "nearest_exact",
      lambda f, x: f.interpolate(x, size=(3, 7), mode="nearest-exact"), [(2, 3, 5, 3)]),
    F("interpolate", "bilinear",
      lambda f, x: f.interpolate(x, scale_factor=2, mode="bilinear"), [(2, 3, 4, 3)]),
    F("interpolate", "bilinear_ac",
      lambda f, x: f.interpolate(x, size=(5, 7), mode="bilinear", align_corners=True),
      [(2, 3, 4, 3)]),
    F("interpolate", "bilinear_down",
      lambda f, x: f.interpolate(x, scale_factor=0.6, mode="bilinear"), [(2, 3, 6, 5)]),
    # bicubic weights cancel: float32 results differ from torch's in the last bits
    F("interpolate", "bicubic",
      lambda f, x: f.interpolate(x, size=(5, 7), mode="bicubic"), [(2, 3, 4, 3)],
      atol=1e-5),
    F("interpolate", "bicubic_ac",
      lambda f, x: f.interpolate(x, scale_factor=1.5, mode="bicubic", align_corners=True),
      [(2, 3, 4, 3)], atol=1e-5),
    F("interpolate", "linear", lambda f, x: f.interpolate(x, size=9, mode="linear"),
      [(2, 3, 5)]),
    F("interpolate", "trilinear",
      lambda f, x: f.interpolate(x, scale_factor=1.5, mode="trilinear"), VOL),
    F("interpolate", "area", lambda f, x: f.interpolate(x, size=(3, 2), mode="area"),
      [(2, 3, 5, 4)]),
    Top("pixel_shuffle", "", lambda lib, x: lib.pixel_shuffle(x, 2), [(2, 8, 3, 2), (4, 2, 3)]),
    Top("pixel_unshuffle", "", lambda lib, x: lib.pixel_unshuffle(x, 2),
        [(2, 2, 4, 6), (1, 2, 4)]),
    # ---- normalisation
    OpInfo("nn.functional.batch_norm", "train", _bn_train, NORM, rtol=1e-4, atol=1e-5),
    OpInfo("nn.functional.batch_norm", "eval", _bn_eval, NORM),
    F("batch_norm", "noaffine",
      lambda f, x: f.batch_norm(x, None, None, training=True, eps=1e-3), [(4, 3), (2, 3, 2)]),
    Top("batch_norm", "", lambda lib, x, w, b: lib.batch_norm(x, w, b, None, None, True, 0.1,
                                                               1e-5, False), NORM[:1]),
    F("instance_norm", "", lambda f, x, w, b: f.instance_norm(x, weight=w, bias=b),
      [((2, 3, 4), (3,), (3,)), ((2, 2, 3, 3), (2,), (2,))], rtol=1e-4, atol=1e-5),
    Top("instance_norm", "", lambda lib, x: lib.instance_norm(x, None, None, None, None, True,
                                                              0.1, 1e-5, False),
        [(2, 3, 4)], rtol=1e-4, atol=1e-5),
    F("layer_norm", "", lambda f, x, w, b: f.layer_norm(x, (3,), w, b),
      [((2, 4, 3), (3,), (3,)), ((3,), (3,), (3,)), ((0, 3), (3,), (3,))], rtol=1e-4, atol=1e-5),
    F("layer_norm", "2d", lambda f, x, w: f.layer_norm(x, (2, 3), w), [((4, 2, 3), (2, 3))],
      rtol=1e-4, atol=1e-5),
    F("layer_norm", "noaffine", lambda f, x: f.layer_norm(x, x.shape[-1:], eps=0.1),
      [(2, 5)], rtol=1e-4, atol=1e-5),
    Top("layer_norm", "", lambda lib, x, w: lib.layer_norm(x, [4], w), [((3, 4), (4,))],
        rtol=1e-4, atol=1e-5),
    F("group_norm", "", lambda f, x, w, b: f.group_norm(x, 2, w, b),
      [((2, 4, 3), (4,), (4,)), ((2, 6, 2, 2), (6,), (6,))], rtol=1e-4, atol=1e-5),
    F("group_norm", "noaffine", lambda f, x: f.group_norm(x, 3), [(2, 6, 3)],
      rtol=1e-4, atol=1e-5),
    Top("group_norm", "", lambda lib, x: lib.group_norm(x, 1), [(2, 4, 3)], rtol=1e-4,
        atol=1e-5),
    F("rms_norm", "", lambda f, x, w: f.rms_norm(x, (3,), w), [((2, 4, 3), (3,))]),
    Top("rms_norm", "", lambda lib, x: lib.rms_norm(x, [2, 3], eps=1e-3), [(4, 2, 3)]),
]
