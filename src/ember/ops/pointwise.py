"""Pointwise ops: arithmetic, the elementary functions, comparisons, logic, dtype casts.

Each op is a Function: ``forward`` on arrays next to ``backward`` in ember ops, so
every derivative can itself be differentiated. Conventions of ``backward``:
``grad`` is the gradient of the output, ``ctx.saved_tensors`` what forward saved,
and the result is one gradient per input (``None`` where there is none). Broadcast
inputs get the broadcast gradient; the engine sums it back to their shape.

The derivative formulas are torch's (``derivatives.yaml``), including the choices at
kinks: ``maximum`` splits the gradient of a tie in half, ``clamp`` passes it at the
bounds, ``abs`` and ``relu`` give 0 at 0. Integer inputs to the float functions
(``exp``, ``atan2``, ...) compute in the default float dtype, as torch; input out of a
function's domain gives nan or inf, silently.

NumPy ufuncs are used directly on the arrays (``np.exp(a)``): array libraries that
implement ``__array_ufunc__`` (CuPy) receive the call, so op code is backend-free.
"""

from __future__ import annotations

import builtins
import math
import numbers
import operator

import numpy as np

from .._dtype import can_cast, float64, get_default_dtype, result_type, to_dtype
from .._errstate import ALARMS
from .._tensor import Tensor
from ..autograd.forward_ad import state as fw
from ..autograd.function import (
    _DATA,
    Function,
    _broadcast_error,
    _number_operand,
    arith_method,
    register,
    unary_method,
)
from ..autograd.grad_mode import state as _grad_state

# ---------------------------------------------------------------- operands and errors


# Python's own number types, checked by identity first: isinstance against the
# numbers.Number ABC costs ~10x more, and this runs for every arithmetic op.
_PLAIN_NUMBERS = (float, int)


def _is_number(x) -> bool:
    return x.__class__ in _PLAIN_NUMBERS or isinstance(x, numbers.Number)


def _operands(a, b):
    """Bring a binary op's operands to their common dtype by torch's promotion rules
    (casting a tensor records ``ToCopyBackward0`` when it requires grad)."""
    if b.__class__ in _PLAIN_NUMBERS and a.__class__ is Tensor and \
            a._data.dtype.kind == "f":
        return a, b  # the everyday case: a float tensor and a Python number
    if isinstance(b, Tensor):
        if isinstance(a, Tensor):
            if a._data.dtype == b._data.dtype:
                return a, b
        elif not _is_number(a):
            raise TypeError(f"unsupported operand type: '{type(a).__name__}'")
        elif b._data.dtype.kind == "f":
            return a, b
    elif isinstance(a, Tensor):
        if not _is_number(b):
            raise TypeError(f"unsupported operand type: '{type(b).__name__}'")
        if a._data.dtype.kind == "f":
            return a, b  # a Python number never widens a float tensor
    else:
        raise TypeError("a binary op needs at least one tensor operand")
    dt = result_type(a, b)
    return _cast(a, dt), _cast(b, dt)


def _common(*xs):
    """Cast tensors and numbers (``None`` passes) to their common dtype, as torch's
    ops of three operands (``clamp``, ``where``, ``addcmul``...) do."""
    dt = result_type(*[x for x in xs if x is not None])
    return [None if x is None else _cast(x, dt) for x in xs]


def _cast(x, dt):
    """A tensor or a number in dtype ``dt`` (numbers become NumPy scalars of it)."""
    if isinstance(x, Tensor):
        return x if x._data.dtype == dt.np else x.to(dt)
    try:
        return dt.np.type(x)
    except OverflowError:  # -1 as uint8: wraps around, as torch's casts do
        return np.array(x).astype(dt.np)[()]


def _float_operands(a, b):
    """Operands of true division and friends: integers compute in the default float."""
    a, b = _operands(a, b)
    t = a if isinstance(a, Tensor) else b
    if t._data.dtype.kind != "f":
        dt = get_default_dtype()
        a, b = _cast(a, dt), _cast(b, dt)
    return a, b


def _floats(x: Tensor) -> Tensor:
    """``x`` itself when it is floating point, else its values in the default float."""
    if x._data.dtype.kind == "f":
        return x
    return Tensor._make(x._data.astype(get_default_dtype().np))


def _type_error(fn: str, x, arg="input", pos=1) -> TypeError:
    return TypeError(f"{fn}(): argument '{arg}' (position {pos}) must be Tensor, not "
                     f"{type(x).__name__}")


def _need_tensor(fn: str, x, arg="input", pos=1) -> None:
    """torch's TypeError where an argument must be a tensor (a number won't do)."""
    if not isinstance(x, Tensor):
        raise _type_error(fn, x, arg, pos)


def _not_implemented(kernel: str, x: Tensor) -> NotImplementedError:
    """torch's error for a kernel that has no version for this dtype."""
    return NotImplementedError(f'"{kernel}" not implemented for \'{_type_word(x.dtype)}\'')


def _no_bool(kernel: str, x: Tensor) -> None:
    """Arithmetic that torch does not define on bool tensors (``%``, ``<<``...)."""
    if x._data.dtype == np.bool_:
        raise _not_implemented(kernel, x)


def _type_word(d) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}[d.name]


def _elementwise(ufunc, a, b) -> np.ndarray:
    """``ufunc`` on two operands (tensors or numbers) outside autograd, with torch's
    error for shapes that do not broadcast."""
    a = a._data if isinstance(a, Tensor) else a
    b = b._data if isinstance(b, Tensor) else b
    try:
        return np.asarray(ufunc(a, b))
    except ValueError as e:
        raise _broadcast_error(e, (a, b)) from None


def _zeros_like(t: Tensor) -> Tensor:
    """A constant zero gradient (torch's ``zeros_like(grad)``: no second-order graph)."""
    return Tensor._make(np.zeros_like(t._data))


# ---------------------------------------------------------------- arithmetic


class Add(Function):
    name = "AddBackward0"
    scalars = arrays = True

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    name = "SubBackward0"
    scalars = arrays = True

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, (-grad if ctx.needs_input_grad[1] else None)


class Rsub(Function):
    """``number - tensor``: one input, as torch's ``RsubBackward1``."""

    name = "RsubBackward1"
    scalars = arrays = True

    @staticmethod
    def forward(ctx, a, *, other):
        return other - a

    @staticmethod
    def backward(ctx, grad):
        return -grad


class Mul(Function):
    name = "MulBackward0"
    scalars = arrays = True

    @staticmethod
    def forward(ctx, a, b):
        # Each gradient reads the other operand: keep only those wanted, as torch.
        need = ctx.needs_input_grad
        ctx.save_for_backward(a if need[1] else None, b if need[0] else None)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_like(grad)  # (kept where the other's gradient is wanted)
        ga = None if b is None else grad * b
        if a is b and grad.__class__ is not Tensor:  # x * x on arrays: one product
            return ga, ga
        return ga, (None if a is None else grad * a)


class Div(Function):
    name = "DivBackward0"
    scalars = arrays = True

    @staticmethod
    def forward(ctx, a, b):
        # Keep only what the wanted gradients read, as torch: dividing by a constant
        # saves nothing of ``a``, so ``a`` may change in place before backward.
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_like(grad)
        ga, gb = ctx.needs_input_grad
        return (grad / b if ga else None), (-grad * a / (b * b) if gb else None)


class Neg(Function):
    name = "NegBackward0"
    scalars = arrays = True

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


class PowScalar(Function):
    """``tensor ** number``."""

    name = "PowBackward0"
    scalars = arrays = True

    @staticmethod
    def forward(ctx, a, *, exponent):
        ctx.save_for_backward(a)
        ctx.exponent = exponent
        return a**exponent  # (apply has NumPy's warnings off)

    @staticmethod
    def backward(ctx, grad):
        e = ctx.exponent
        if e == 0:
            return _zeros_like(grad) if isinstance(grad, Tensor) else np.zeros_like(grad)
        a = ctx.saved_one(grad)
        if e == 2:  # (x ** 2, squared errors: the same numbers, 2 * a ** 1 being a + a)
            return grad * (a + a)
        return grad * (e * a ** (e - 1))


class Pow(Function):
    """``tensor ** tensor``."""

    name = "PowBackward1"

    @staticmethod
    def forward(ctx, a, b):
        out = a**b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        da = db = None
        if ga:  # 0 where the exponent is 0, even at a == 0
            da = where(b == 0, 0.0, grad * (b * a ** (b - 1)))
        if gb:  # 0 at a == 0 with a non-negative exponent, as torch
            db = grad * where((a == 0) & (b >= 0), 0.0, out * log(a))
        return da, db


class RPow(Function):
    """``number ** tensor``."""

    name = "PowBackward2"

    @staticmethod
    def forward(ctx, a, b):
        out = np.power(a, b)
        ctx.save_for_backward(out, b)
        ctx.base = a
        return out

    @staticmethod
    def backward(ctx, grad):
        out, b = ctx.saved_tensors
        if ctx.base == 0:  # 0 ** b: no gradient where b >= 0, as torch; inf * log 0 below
            return None, grad * where(b >= 0, 0.0, -math.inf)
        return None, grad * (out * math.log(ctx.base))


@register("add")
def add(input, other, *, alpha=1):
    """``input + alpha * other``, broadcasting, with torch's type promotion.

    >>> ember.add(ember.tensor([1, 2]), 0.5)
    tensor([1.5000, 2.5000])
    """
    if alpha != 1:
        other = mul(other, alpha)
    return Add.apply(*_operands(input, other))


@register("sub", "subtract")
def sub(input, other, *, alpha=1):
    """``input - alpha * other``."""
    if _is_bool(input) or _is_bool(other):
        raise _bool_subtraction(_is_bool(input) and _is_bool(other))
    if alpha != 1:
        other = mul(other, alpha)
    a, b = _operands(input, other)
    return Sub.apply(a, b) if isinstance(a, Tensor) else Rsub.apply(b, other=a)


def _is_bool(x) -> bool:
    return x.__class__ is builtins.bool or (isinstance(x, Tensor) and x._data.dtype == np.bool_)


def _bool_subtraction(both: bool) -> RuntimeError:
    if both:
        return RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                            "supported. Use the `^` or `logical_xor()` operator instead.")
    return RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                        "If you are trying to invert a mask, use the `~` or `logical_not()` "
                        "operator instead.")


@register("mul", "multiply")
def mul(input, other):
    """``input * other``, elementwise with broadcasting."""
    return Mul.apply(*_operands(input, other))


@register("div", "divide", "true_divide")
def div(input, other, *, rounding_mode=None):
    """``input / other``; integers divide as floats unless ``rounding_mode`` is given
    (``'trunc'`` or ``'floor'``).

    >>> ember.div(ember.tensor([-3, 3]), 2, rounding_mode="floor")
    tensor([-2,  1])
    """
    if rounding_mode is None:
        if not isinstance(input, Tensor):  # number / tensor = number * (1 / tensor)
            return mul(reciprocal(_float_operands(input, other)[1]), input)
        return Div.apply(*_float_operands(input, other))
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or "
                           f"'floor' but found '{rounding_mode}'")
    a, b = _operands(input, other)
    t = a if isinstance(a, Tensor) else b
    if t._data.dtype.kind != "f":  # integers: exact, in integer arithmetic
        _no_bool(f"div_{rounding_mode}_cpu", t)
        _check_int_divisor(b)
        q = _elementwise(np.floor_divide if rounding_mode == "floor" else _trunc_divide, a, b)
        return Tensor._make(q.astype(t._data.dtype, copy=False))
    q = div(a, b)
    return floor(q) if rounding_mode == "floor" else trunc(q)


def _trunc_divide(a, b):
    """Integer division rounded toward zero: ``a - fmod(a, b)`` is a multiple of ``b``."""
    return (a - np.fmod(a, b)) // b


def _check_int_divisor(b) -> None:
    data = b._data if isinstance(b, Tensor) else b
    if np.any(data == 0):
        raise RuntimeError("ZeroDivisionError")


@register("neg", "negative")
def neg(input):
    """``-input``."""
    if input._data.dtype == np.bool_:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return Neg.apply(input)


@register("pow")
def pow(input, exponent):
    """``input ** exponent``, elementwise; a number may stand for either.

    >>> ember.pow(ember.tensor([1.0, 2.0]), 3)
    tensor([1., 8.])
    """
    if isinstance(exponent, Tensor):
        a, b = _operands(input, exponent)
        _no_bool("pow", b)
        return (Pow if isinstance(a, Tensor) else RPow).apply(a, b)
    a, e = _operands(input, exponent)
    if a._data.dtype.kind in "iub":
        if a._data.dtype == np.bool_:  # bool ** True is a copy, bool ** False all True
            return Tensor._make(a._data.copy() if e else np.ones_like(a._data))
        if isinstance(e, numbers.Integral) and e < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
    return PowScalar.apply(a, exponent=e)


@register("float_power")
def float_power(input, exponent):
    """``input ** exponent`` computed in float64, whatever the input dtypes."""
    input = input.to(float64) if isinstance(input, Tensor) else builtins.float(input)
    if isinstance(exponent, Tensor):
        return pow(input, exponent.to(float64))
    return pow(input, builtins.float(exponent))


@register("floor_divide")
def floor_divide(input, other):
    """``input // other``, rounding toward minus infinity as Python does."""
    return div(input, other, rounding_mode="floor")


class Remainder(Function):
    """Python's ``%``; the derivative in the divisor is ``-floor(a / b)``."""

    name = "RemainderBackward1"
    ufunc = staticmethod(np.remainder)
    rounding = "floor"

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return cls.ufunc(a, b)

    @classmethod
    def backward(cls, ctx, grad):
        a, b = ctx.saved_tensors
        gb = ctx.needs_input_grad[1]
        return grad, (-grad * div(a, b, rounding_mode=cls.rounding) if gb else None)


class RemainderScalar(Remainder):
    name = "RemainderBackward0"


class Fmod(Remainder):
    """C's ``fmod``: the remainder of division rounded toward zero."""

    name = "FmodBackward1"
    ufunc = staticmethod(np.fmod)
    rounding = "trunc"


class FmodScalar(Fmod):
    name = "FmodBackward0"


def _modulo(tensor_cls, scalar_cls, input, other):
    a, b = _operands(input, other)
    t = a if isinstance(a, Tensor) else b
    if t._data.dtype.kind != "f":
        _no_bool(f"{tensor_cls.ufunc.__name__}_cpu", t)
        _check_int_divisor(b)
    return (tensor_cls if isinstance(b, Tensor) else scalar_cls).apply(a, b)


@register("remainder")
def remainder(input, other):
    """Python's ``%``: the result has the sign of the divisor.

    >>> ember.remainder(ember.tensor([-3.0, 3.0]), 2)
    tensor([1., 1.])
    """
    return _modulo(Remainder, RemainderScalar, input, other)


@register("fmod")
def fmod(input, other):
    """C's ``fmod``: the result has the sign of the dividend.

    >>> ember.fmod(ember.tensor([-3.0, 3.0]), 2)
    tensor([-1.,  1.])
    """
    _need_tensor("fmod", input)
    return _modulo(Fmod, FmodScalar, input, other)


class Addcmul(Function):
    name = "AddcmulBackward0"

    @staticmethod
    def forward(ctx, a, t1, t2, *, value):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        return a + value * t1 * t2

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_tensors
        _, g1, g2 = ctx.needs_input_grad
        v = ctx.value
        return grad, (grad * (t2 * v) if g1 else None), (grad * (t1 * v) if g2 else None)


class Addcdiv(Function):
    name = "AddcdivBackward0"

    @staticmethod
    def forward(ctx, a, t1, t2, *, value):
        ctx.save_for_backward(t1, t2)
        ctx.value = value
        return a + value * t1 / t2

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_tensors
        _, g1, g2 = ctx.needs_input_grad
        v = ctx.value
        return (grad, (grad * (v / t2) if g1 else None),
                (-grad * (v * t1 / (t2 * t2)) if g2 else None))


def _scaled(value, dtype):
    """The ``value=`` of addcmul/addcdiv in the result's type (0.5 is 0 for integers)."""
    return builtins.int(value) if dtype.kind in "iu" else value


@register("addcmul")
def addcmul(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 * tensor2``."""
    _need_tensor("addcmul", input)
    _need_tensor("addcmul", tensor1, "tensor1", 2)
    _need_tensor("addcmul", tensor2, "tensor2", 3)
    a, t1, t2 = _common(input, tensor1, tensor2)
    _no_bool("addcmul_cpu_out", a)
    return Addcmul.apply(a, t1, t2, value=_scaled(value, a._data.dtype))


@register("addcdiv")
def addcdiv(input, tensor1, tensor2, *, value=1):
    """``input + value * tensor1 / tensor2``."""
    _need_tensor("addcdiv", input)
    _need_tensor("addcdiv", tensor1, "tensor1", 2)
    _need_tensor("addcdiv", tensor2, "tensor2", 3)
    if tensor1._data.dtype.kind in "iub" and tensor2._data.dtype.kind in "iub":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic "
            "addcdiv behavior can be implemented as (input + value * torch.trunc(tensor1 / "
            "tensor2)).to(input.dtype) for integer inputs and as (input + value * tensor1 / "
            "tensor2) for float inputs. The future addcdiv behavior is just the latter "
            "implementation: (input + value * tensor1 / tensor2), for all dtypes."
        )
    a, t1, t2 = _common(input, tensor1, tensor2)
    return Addcdiv.apply(a, t1, t2, value=value)


def _lerp(a, b, w):
    # torch's two-sided formula: exact at both ends (w = 0 gives a, w = 1 gives b).
    with np.errstate(invalid="ignore", over="ignore"):
        d = b - a
        if isinstance(w, numbers.Number):
            return a + w * d if math.fabs(w) < 0.5 else b - d * (1 - w)
        return np.where(np.abs(w) < 0.5, a + w * d, b - d * (1 - w))


class Lerp(Function):
    """``lerp`` with a number as the weight."""

    name = "LerpBackward0"

    @staticmethod
    def forward(ctx, a, b, *, weight):
        ctx.weight = weight
        return _lerp(a, b, weight)

    @staticmethod
    def backward(ctx, grad):
        w = ctx.weight
        ga, gb = ctx.needs_input_grad
        return (grad * (1 - w) if ga else None), (grad * w if gb else None)


class LerpTensor(Function):
    name = "LerpBackward1"

    @staticmethod
    def forward(ctx, a, b, w):
        ctx.save_for_backward(a, b, w)
        return _lerp(a, b, w)

    @staticmethod
    def backward(ctx, grad):
        a, b, w = ctx.saved_tensors
        ga, gb, gw = ctx.needs_input_grad
        return ((grad * (1 - w) if ga else None), (grad * w if gb else None),
                (grad * (b - a) if gw else None))


def _lerp_dtype_error(what, input, t):
    return RuntimeError(f"expected dtype {_c_type(input._data.dtype)} for `{what}` but got "
                        f"dtype {_c_type(t._data.dtype)}")


@register("lerp")
def lerp(input, end, weight):
    """``input + weight * (end - input)``: the straight line from input to end.

    >>> ember.lerp(ember.tensor([0.0, 1.0]), ember.tensor([10.0, 3.0]), 0.5)
    tensor([5., 2.])
    """
    _need_tensor("lerp", input)
    _need_tensor("lerp", end, "end", 2)
    if end._data.dtype != input._data.dtype:
        raise _lerp_dtype_error("end", input, end)
    if isinstance(weight, Tensor):
        if weight._data.ndim and weight._data.dtype != input._data.dtype:
            raise _lerp_dtype_error("weight", input, weight)
        input, end, weight = _common(input, end, weight)  # a 0-d weight is promoted too
    if input._data.dtype.kind != "f":
        raise _not_implemented("lerp_kernel_scalar", input)
    if isinstance(weight, Tensor):
        return LerpTensor.apply(input, end, weight)
    return Lerp.apply(input, end, weight=weight)


# ---------------------------------------------------------------- elementary functions


def _unary(name, node, fwd, bwd, *, saves="input", doc="", aliases=()):
    """Define a one-input float op from its forward ufunc and its derivative rule.

    ``node`` is torch's node name (``"Log1PBackward0"``); ``bwd(grad, x)`` receives the
    saved input (or output, with ``saves="output"``) as an ember Tensor and returns the
    input's gradient; the numbers it uses are its keyword defaults (``one=1``).
    Integer and bool inputs compute in the default float dtype.
    """

    def forward(ctx, a):
        out = fwd(a)  # (apply has NumPy's warnings off)
        ctx.save_for_backward(a if saves == "input" else out)
        return out

    # A rule that names no function is arithmetic: it runs on arrays as on Tensors,
    # with the same numbers (ember's arithmetic is NumPy's).
    arithmetic = not bwd.__code__.co_names
    # Its number constants are its defaults (``one=1``): a plain backward gives them as
    # 0-d arrays of the gradient's dtype, the values NumPy would convert them to on
    # every call (a third of ``g * (1 - y * y)`` on small arrays).
    numbers = bwd.__defaults__ if arithmetic else None
    forms = {}  # the gradient's dtype -> the numbers as 0-d arrays of it

    def backward(ctx, grad):
        saved = ctx.saved_one(grad)
        if numbers is None or grad.__class__ not in _DATA:
            return bwd(grad, saved)
        arrays = forms.get(grad.dtype)
        if arrays is None:
            arrays = forms[grad.dtype] = tuple([np.array(n, grad.dtype) for n in numbers])
        return bwd(grad, saved, *arrays)

    cls = type(node[: -len("Backward0")], (Function,), {
        "name": node,
        "scalars": True,
        "arrays": arithmetic,
        "forward": staticmethod(forward),
        "backward": staticmethod(backward),
        "__doc__": doc,
        "__module__": __name__,
    })

    def general(input):  # integers compute as floats, as torch; not a tensor: its error
        if not isinstance(input, Tensor):
            raise _type_error(name, input)
        return cls.apply(_floats(input))

    public = unary_method(cls, fwd, saves, general)
    public.__name__ = public.__qualname__ = name
    public.__doc__ = doc
    register(name, *aliases)(public)
    return cls, public


_LN2, _LN10 = math.log(2.0), math.log(10.0)
_2_OVER_SQRTPI = 2 / math.sqrt(math.pi)
_SQRTPI_OVER_2 = math.sqrt(math.pi) / 2

Exp, exp = _unary("exp", "ExpBackward0", np.exp, lambda g, y: g * y, saves="output",
                  doc="e to the power of each element.\n\n"
                      "    >>> ember.exp(ember.tensor([0.0, 1.0]))\n"
                      "    tensor([1.0000, 2.7183])\n")
Exp2, exp2 = _unary("exp2", "Exp2Backward0", np.exp2, lambda g, y, ln2=_LN2: g * y * ln2,
                    saves="output", doc="2 to the power of each element.")
Expm1, expm1 = _unary("expm1", "Expm1Backward0", np.expm1, lambda g, y, one=1: g * (y + one),
                      saves="output", doc="``exp(x) - 1``, accurate for small ``x``.")
Log, log = _unary("log", "LogBackward0", np.log, lambda g, x: g / x,
                  doc="Natural logarithm; nan below 0 and -inf at 0, as torch.\n\n"
                      "    >>> ember.log(ember.tensor([1.0, -1.0]))\n"
                      "    tensor([0., nan])\n")
Log2, log2 = _unary("log2", "Log2Backward0", np.log2, lambda g, x, ln2=_LN2: g / (x * ln2),
                    doc="Base-2 logarithm.")
Log10, log10 = _unary("log10", "Log10Backward0", np.log10, lambda g, x, ln10=_LN10: g / (x * ln10),
                      doc="Base-10 logarithm.")
Log1p, log1p = _unary("log1p", "Log1PBackward0", np.log1p, lambda g, x, one=1: g / (x + one),
                      doc="``log(1 + x)``, accurate for small ``x``.")
Sqrt, sqrt = _unary("sqrt", "SqrtBackward0", np.sqrt, lambda g, y, two=2: g / (two * y),
                    saves="output", doc="Square root; nan below 0.")
Rsqrt, rsqrt = _unary("rsqrt", "RsqrtBackward0", lambda a: 1 / np.sqrt(a),
                      lambda g, y, c=-0.5: c * g * y ** 3, saves="output",
                      doc="``1 / sqrt(x)``.")
Reciprocal, reciprocal = _unary("reciprocal", "ReciprocalBackward0", np.reciprocal,
                                lambda g, y: -g * (y * y), saves="output",
                                doc="``1 / input``.")
Sin, sin = _unary("sin", "SinBackward0", np.sin, lambda g, x: g * cos(x), doc="Sine.")
Cos, cos = _unary("cos", "CosBackward0", np.cos, lambda g, x: g * -sin(x), doc="Cosine.")
Tan, tan = _unary("tan", "TanBackward0", np.tan, lambda g, y, one=1: g * (one + y * y),
                  saves="output", doc="Tangent.")
Asin, asin = _unary("asin", "AsinBackward0", np.arcsin, lambda g, x: g * rsqrt(1 - x * x),
                    doc="Inverse sine; nan outside [-1, 1].", aliases=("arcsin",))
Acos, acos = _unary("acos", "AcosBackward0", np.arccos,
                    lambda g, x: g * -rsqrt(1 - x * x),
                    doc="Inverse cosine; nan outside [-1, 1].", aliases=("arccos",))
Atan, atan = _unary("atan", "AtanBackward0", np.arctan, lambda g, x, one=1: g / (x * x + one),
                    doc="Inverse tangent.", aliases=("arctan",))
Sinh, sinh = _unary("sinh", "SinhBackward0", np.sinh, lambda g, x: g * cosh(x),
                    doc="Hyperbolic sine.")
Cosh, cosh = _unary("cosh", "CoshBackward0", np.cosh, lambda g, x: g * sinh(x),
                    doc="Hyperbolic cosine.")
Tanh, tanh = _unary("tanh", "TanhBackward0", np.tanh, lambda g, y, one=1: g * (one - y * y),
                    saves="output", doc="Hyperbolic tangent.")
Asinh, asinh = _unary("asinh", "AsinhBackward0", np.arcsinh,
                      lambda g, x: g * rsqrt(x * x + 1),
                      doc="Inverse hyperbolic sine.", aliases=("arcsinh",))
Acosh, acosh = _unary("acosh", "AcoshBackward0", np.arccosh,
                      lambda g, x: g * rsqrt(x * x - 1),
                      doc="Inverse hyperbolic cosine; nan below 1.", aliases=("arccosh",))
Atanh, atanh = _unary("atanh", "AtanhBackward0", np.arctanh, lambda g, x, one=1: g / (one - x * x),
                      doc="Inverse hyperbolic tangent; nan outside [-1, 1].",
                      aliases=("arctanh",))


def _sigmoid(a):
    # 1 / (1 + e^-a) overflows e^-a for large negative a; the result is still right
    # (0), and errors are silenced in _unary.
    return 1 / (1 + np.exp(-a))


Sigmoid, sigmoid = _unary("sigmoid", "SigmoidBackward0", _sigmoid,
                          lambda g, y, one=1: g * (one - y) * y, saves="output",
                          doc="The logistic function ``1 / (1 + e^-x)``.")


# NumPy has no erf. W. J. Cody's rational Chebyshev approximations (Math. Comp. 23,
# 1969; the coefficients of his CALERF routine) give erf and erfc to float64 accuracy
# in three ranges of |x|: x * A(x^2)/B(x^2) up to 0.5, e^-x^2 * C(x)/D(x) up to 4, and
# e^-x^2 / x * (1/sqrt(pi) - P(1/x^2)/Q(1/x^2) / x^2) beyond.
_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
          3.20937758913846947e03, 1.85777706184603153e-1)
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
          2.84423683343917062e03)
_ERF_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
          2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
          2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_ERF_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
          1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
          3.43936767414372164e03, 1.23033935480374942e03)
_ERF_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
          1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_ERF_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
          6.05183413124413191e-2, 2.33520497626869185e-3)


def _rational(num, den, z, n):
    """Cody's evaluation of ``num(z) / den(z)`` (degree n; ``num[n]`` leads), in place
    on two work arrays."""
    xnum, xden = num[n] * z, z.copy()
    for i in range(n - 1):
        xnum += num[i]
        xnum *= z
        xden += den[i]
        xden *= z
    xnum += num[n - 1]
    xden += den[n - 1]
    xnum /= xden
    return xnum


def _erfc_tail(y):
    """erfc(y) for y > 0.5 (float64 array)."""
    out = np.empty_like(y)
    mid = y <= 4.0
    out[mid] = _rational(_ERF_C, _ERF_D, y[mid], 8)
    far = y[~mid]
    z = 1.0 / (far * far)
    out[~mid] = (1 / math.sqrt(math.pi) - z * _rational(_ERF_P, _ERF_Q, z, 5)) / far
    # e^-y^2 as e^-s^2 * e^-(y-s)(y+s), s = y cut to 1/16: y^2 is never rounded whole.
    s = np.trunc(y * 16.0) / 16.0
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        out *= np.exp(-s * s) * np.exp(-(y - s) * (y + s))
    out[y == np.inf] = 0.0
    return out


def _erf(x: np.ndarray, complement: bool = False) -> np.ndarray:
    """erf (or erfc) of a float array, in float64 to ~1e-16 relative, back in x's dtype.

    >>> _erf(np.array([0.5]))
    array([0.52049988])
    """
    x64 = np.asarray(x, dtype=np.float64)
    y = np.abs(x64)
    out = np.empty_like(x64)
    small = y <= 0.5  # nan goes to the other branch, where it stays nan
    xs = x64[small]
    e = xs * _rational(_ERF_A, _ERF_B, xs * xs, 4)
    out[small] = 1.0 - e if complement else e
    big = ~small
    tail, xb = _erfc_tail(y[big]), x64[big]
    if complement:
        out[big] = np.where(xb < 0, 2.0 - tail, tail)
    else:
        out[big] = np.where(xb < 0, tail - 1.0, 1.0 - tail)
    return out.astype(x.dtype, copy=False)


# M. Giles, "Approximating the erfinv function" (GPU Computing Gems, 2011): a
# single-precision polynomial in w = -log(1 - x^2), one for w < 5 and one beyond.
_GILES = ((2.81022636e-08, -0.000200214257), (3.43273939e-07, 0.000100950558),
          (-3.5233877e-06, 0.00134934322), (-4.39150654e-06, -0.00367342844),
          (0.00021858087, 0.00573950773), (-0.00125372503, -0.0076224613),
          (-0.00417768164, 0.00943887047), (0.246640727, 1.00167406),
          (1.50140941, 2.83297682))


def _erfinv(y: np.ndarray) -> np.ndarray:
    """The inverse of erf: Giles' approximation refined by Newton steps on erf."""
    y64 = np.asarray(y, dtype=np.float64).ravel()  # 1-d: 0-d math would give scalars
    a = np.abs(y64)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        w = -np.log((1.0 - a) * (1.0 + a))
        central = w < 5.0
        u = np.where(central, w - 2.5, np.sqrt(w) - 3.0)
        p = np.where(central, *_GILES[0])
        for lo, hi in _GILES[1:]:
            p = np.where(central, lo, hi) + p * u
        x = p * a
        # Newton steps on erf(x) = a up to a = 0.5 (Giles' start is good there: two steps
        # reach float64 accuracy), and beyond on log erfc(x) = log(1 - a), where 1 - a is
        # exact and log erfc is nearly a parabola (four steps from the cruder start).
        for part, steps in ((a <= 0.5, 2), (a > 0.5, 4)):
            xp, ap = x[part], a[part]
            for _ in range(steps):
                if steps == 2:
                    r = ap - _erf(xp)
                else:
                    c = _erf(xp, complement=True)
                    r = (np.log(c) - np.log1p(-ap)) * c
                xp += r / (_2_OVER_SQRTPI * np.exp(-xp * xp))
            x[part] = xp
    x = np.where(a >= 1.0, np.where(a == 1.0, np.inf, np.nan), x)
    return np.copysign(x, y64).reshape(y.shape).astype(y.dtype, copy=False)


Erf, erf = _unary("erf", "ErfBackward0", _erf,
                  lambda g, x: _2_OVER_SQRTPI * exp(-(x * x)) * g,
                  doc="The error function ``2/sqrt(pi) * integral_0^x e^(-t^2) dt``.\n\n"
                      "    >>> ember.erf(ember.tensor([0.0, 1.0]))\n"
                      "    tensor([0.0000, 0.8427])\n")
Erfc, erfc = _unary("erfc", "ErfcBackward0", lambda a: _erf(a, complement=True),
                    lambda g, x: -_2_OVER_SQRTPI * exp(-(x * x)) * g,
                    doc="``1 - erf(x)``, accurate where erf is close to 1.")
Erfinv, erfinv = _unary("erfinv", "ErfinvBackward0", _erfinv,
                        lambda g, y: _SQRTPI_OVER_2 * exp(y * y) * g, saves="output",
                        doc="The inverse of ``erf``: inf at 1, nan outside [-1, 1].")


class Frac(Function):
    """``x - trunc(x)``: its derivative is 1 (the jumps are ignored, as torch)."""

    name = "FracBackward0"

    @staticmethod
    def forward(ctx, a):
        return a - np.trunc(a)

    @staticmethod
    def backward(ctx, grad):
        return grad


@register("frac")
def frac(input):
    """The fractional part, with the sign of the input: ``frac(-1.5) = -0.5``."""
    if input._data.dtype.kind != "f":
        raise _not_implemented("frac_cpu", input)
    return Frac.apply(input)


class Logit(Function):
    name = "LogitBackward0"

    @staticmethod
    def forward(ctx, a, *, eps):
        ctx.save_for_backward(a)
        ctx.eps = eps
        if eps is not None:
            a = np.clip(a, eps, 1 - eps)
        return np.log(a / (1 - a))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        eps = ctx.eps
        lo, hi = (0.0, 1.0) if eps is None else (eps, 1 - eps)
        # Outside the range: 0 where eps clamps the input, nan where logit is undefined.
        return where((x >= lo) & (x <= hi), grad / (x * (1 - x)),
                     math.nan if eps is None else 0.0)


@register("logit")
def logit(input, eps=None):
    """``log(p / (1 - p))``, the inverse of sigmoid; ``eps`` first clamps ``p`` into
    ``[eps, 1 - eps]``."""
    return Logit.apply(_floats(input), eps=eps)


class NanToNum(Function):
    name = "NanToNumBackward0"

    @staticmethod
    def forward(ctx, a, *, nan, posinf, neginf):
        ctx.save_for_backward(a)
        return np.nan_to_num(a, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return where(isfinite(x), grad, 0.0)


@register("nan_to_num")
def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    """Replace nan, +inf and -inf (by default: 0 and the dtype's largest and smallest
    finite values)."""
    if input._data.dtype.kind != "f":
        return Tensor._make(input._data.copy())
    return NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf)


# ---------------------------------------------------------------- sign, abs, rounding


class Abs(Function):
    name = "AbsBackward0"

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        return grad * sign(a)  # subgradient 0 at 0, as torch


class Sign(Function):
    """The sign (-1, 0 or 1); its derivative is 0 everywhere it exists."""

    name = "SignBackward0"

    @staticmethod
    def forward(ctx, a):
        # (a > 0) - (a < 0), as torch: nan has sign 0 (np.sign would give nan).
        return np.subtract(a > 0, a < 0, dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        return _zeros_like(grad)


class Relu(Function):
    name = "ReluBackward0"
    arrays = True

    @staticmethod
    def forward(ctx, a):
        out = np.maximum(a, 0, dtype=a.dtype)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        # subgradient 0 at 0; nan passes grad, as torch
        y = ctx.saved_one(grad)
        if isinstance(grad, Tensor):
            return where(y <= 0, 0.0, grad)
        return _zero_where(y <= 0, grad)


@register("abs", "absolute")
def abs(input):
    """Absolute value; its gradient at 0 is 0.

    >>> ember.abs(ember.tensor([-1.5, 2.0]))
    tensor([1.5000, 2.0000])
    """
    if input._data.dtype == np.bool_:
        raise _not_implemented("abs_cpu", input)
    return Abs.apply(input)


@register("sign")
def sign(input):
    """-1, 0 or 1 by the sign of each element (0 for nan, as torch)."""
    if input._data.dtype == np.bool_:
        return Tensor._make(input._data.copy())
    return Sign.apply(input)


@register("relu")
def relu(input):
    """``max(input, 0)``; its gradient at 0 is 0."""
    if input._data.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    return Relu.apply(input)


@register("square")
def square(input):
    """``input ** 2`` (bool and integer inputs give int64, as torch)."""
    return pow(input, 2)


def _zero_grad_op(node, fwd, doc=""):
    """A piecewise-constant op (floor, round...): its gradient is 0, as torch's."""

    def forward(ctx, a, **kw):
        return fwd(a, **kw)

    def backward(ctx, grad):
        return _zeros_like(grad)

    return type(node[: -len("Backward0")], (Function,), {
        "name": node, "forward": staticmethod(forward), "backward": staticmethod(backward),
        "__doc__": doc, "__module__": __name__,
    })


Floor = _zero_grad_op("FloorBackward0", np.floor)
Ceil = _zero_grad_op("CeilBackward0", np.ceil)
Trunc = _zero_grad_op("TruncBackward0", np.trunc)
Round = _zero_grad_op("RoundBackward0", np.rint)  # halves to even, as torch


def _round_decimals(a, decimals):
    # torch's order of operations: scale by 10^|decimals| in the input's dtype, round,
    # scale back.
    f = a.dtype.type(10.0 ** builtins.abs(decimals))
    with np.errstate(over="ignore", invalid="ignore"):
        return np.rint(a * f) / f if decimals > 0 else np.rint(a / f) * f


RoundDecimals = _zero_grad_op("RoundBackward1", _round_decimals)


def _rounding(name, cls):
    def public(input):
        kind = input._data.dtype.kind
        if kind == "f":
            return cls.apply(input)
        if kind == "b":
            raise _not_implemented(f"{name}_cpu", input)
        return Tensor._make(input._data.copy())  # integers are already whole

    public.__name__ = public.__qualname__ = name
    public.__doc__ = f"{name} of each element; its gradient is 0, as torch's."
    return public


floor = register("floor")(_rounding("floor", Floor))
ceil = register("ceil")(_rounding("ceil", Ceil))
trunc = register("trunc", "fix")(_rounding("trunc", Trunc))
_round0 = _rounding("round", Round)


@register("round")
def round(input, *, decimals=0):
    """Round half to even; ``decimals`` rounds to that many decimal places (negative:
    to tens, hundreds...).

    >>> ember.round(ember.tensor([0.5, 1.5, 1.2345]), decimals=0)
    tensor([0., 2., 1.])
    """
    if decimals == 0:
        return _round0(input)
    if input._data.dtype.kind != "f":
        raise _not_implemented("round_cpu", input)
    return RoundDecimals.apply(input, decimals=decimals)


# ---------------------------------------------------------------- clamp


def _clip(a, lo, hi):
    # min(max(a, lo), hi), as torch: nan stays nan, and lo > hi gives hi. (np.clip says
    # the same but costs a few microseconds more.)
    out = a if lo is None else np.maximum(a, lo)
    return out if hi is None else np.minimum(out, hi)


class Clamp(Function):
    """``clamp`` with numbers as bounds; the gradient passes inside, bounds included."""

    name = "ClampBackward1"

    @staticmethod
    def forward(ctx, a, *, min, max):
        ctx.save_for_backward(a)
        ctx.min, ctx.max = min, max
        return _clip(a, min, max)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        lo, hi = ctx.min, ctx.max
        if lo is None:
            inside = a <= hi
        elif hi is None:
            inside = a >= lo
        else:
            inside = (a >= lo) & (a <= hi)
        return where(inside, grad, 0.0)


class ClampMin(Clamp):
    name = "ClampMinBackward0"


class ClampMax(Clamp):
    name = "ClampMaxBackward0"


class ClampTensor(Function):
    """``clamp`` with tensors as bounds (either may be None); a bound takes the
    gradient where it is the result. If ``min > max`` the result is ``max``."""

    name = "ClampBackward0"

    @staticmethod
    def forward(ctx, a, lo, hi):
        ctx.save_for_backward(a, lo, hi)
        return _clip(a, lo, hi)

    @staticmethod
    def backward(ctx, grad):
        a, lo, hi = ctx.saved_tensors
        _, glo, ghi = ctx.needs_input_grad
        if lo is None:
            inside = a <= hi
        elif hi is None:
            inside = a >= lo
        else:
            inside = (a >= lo) & (a <= hi)
        d_lo = d_hi = None
        if glo:
            d_lo = where((a < lo) if hi is None else (a < lo) & (lo < hi), grad, 0.0)
        if ghi:
            d_hi = where((a > hi) if lo is None else (a > hi) | (hi < lo), grad, 0.0)
        return where(inside, grad, 0.0), d_lo, d_hi


class ClampMinTensor(ClampTensor):
    name = "ClampMinBackward1"


class ClampMaxTensor(ClampTensor):
    name = "ClampMaxBackward1"


def _clamp(name, input, min, max, scalar_cls, tensor_cls):
    _need_tensor(name, input)
    if input._data.dtype.kind == "f" and not (isinstance(min, Tensor) or isinstance(max, Tensor)):
        return scalar_cls.apply(input, min=min, max=max)  # numbers never widen a float tensor
    a, lo, hi = _common(input, min, max)
    if isinstance(lo, Tensor) or isinstance(hi, Tensor):
        # A number beside a tensor bound becomes a 0-d tensor of the same dtype.
        lo, hi = (x if x is None or isinstance(x, Tensor) else Tensor._make(np.asarray(x))
                  for x in (lo, hi))
        return tensor_cls.apply(a, lo, hi)
    _no_bool(f"{name}_scalar_cpu", a)
    return scalar_cls.apply(a, min=lo, max=hi)


@register("clamp", "clip")
def clamp(input, min=None, max=None):
    """Limit each element to ``[min, max]`` (numbers or tensors); the gradient passes
    where the input is inside the range, ends included.

    >>> ember.clamp(ember.tensor([-2.0, 0.5, 3.0]), min=0.0, max=1.0)
    tensor([0.0000, 0.5000, 1.0000])
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return _clamp("clamp", input, min, max, Clamp, ClampTensor)


@register("clamp_min")
def clamp_min(input, min):
    """``max(input, min)``: ``clamp`` with a lower bound only."""
    if min is None:
        raise TypeError("clamp_min(): argument 'min' must be Number or Tensor, not None")
    return _clamp("clamp_min", input, min, None, ClampMin, ClampMinTensor)


@register("clamp_max")
def clamp_max(input, max):
    """``min(input, max)``: ``clamp`` with an upper bound only."""
    if max is None:
        raise TypeError("clamp_max(): argument 'max' must be Number or Tensor, not None")
    return _clamp("clamp_max", input, None, max, ClampMax, ClampMaxTensor)


# ---------------------------------------------------------------- functions of two tensors


def _two_tensors(fn: str, input, other, floats_only=False):
    """The operands of an op that takes tensors only (``atan2``, ``maximum``...),
    promoted; ``floats_only`` ops have no integer kernel in torch."""
    _need_tensor(fn, input)
    _need_tensor(fn, other, "other", 2)
    a, b = _operands(input, other)
    if floats_only and a._data.dtype.kind != "f":
        raise _not_implemented(f"{fn}_cpu", a)
    return a, b


class Atan2(Function):
    name = "Atan2Backward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.arctan2(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        r = reciprocal(a * a + b * b)
        r = where(isinf(r), 0.0, r)  # at the origin: 0, as torch (not 0 * inf = nan)
        return (grad * b * r if ga else None), (grad * -a * r if gb else None)


@register("atan2", "arctan2")
def atan2(input, other):
    """The angle of the point ``(other, input)``: ``atan(input / other)`` in the right
    quadrant, in ``[-pi, pi]``.

    >>> ember.atan2(ember.tensor([1.0]), ember.tensor([-1.0]))
    tensor([2.3562])
    """
    a, b = _two_tensors("atan2", input, other)
    if a._data.dtype.kind != "f":
        a, b = _floats(a), _floats(b)
    return Atan2.apply(a, b)


class Hypot(Function):
    name = "HypotBackward0"

    @staticmethod
    def forward(ctx, a, b):
        out = np.hypot(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        return (grad * a / out if ga else None), (grad * b / out if gb else None)


@register("hypot")
def hypot(input, other):
    """``sqrt(input^2 + other^2)``, without overflow in the squares."""
    return Hypot.apply(*_two_tensors("hypot", input, other, floats_only=True))


class Maximum(Function):
    """Elementwise max; a tie gives each input half of the gradient, as torch."""

    name = "MaximumBackward0"
    ufunc = staticmethod(np.maximum)
    is_max = True

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return cls.ufunc(a, b)

    @classmethod
    def backward(cls, ctx, grad):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        # Where one input is nan, both get the whole gradient (torch's formula).
        shared = where(a == b, grad / 2, grad)
        a_loses, b_loses = (a < b, a > b) if cls.is_max else (a > b, a < b)
        return (where(a_loses, 0.0, shared) if ga else None), (
            where(b_loses, 0.0, shared) if gb else None)


class Minimum(Maximum):
    name = "MinimumBackward0"
    ufunc = staticmethod(np.minimum)
    is_max = False


class Fmax(Maximum):
    """Elementwise max ignoring nan; the first input wins ties (no split), as torch."""

    name = "FmaxBackward0"
    ufunc = staticmethod(np.fmax)
    is_max = True

    @classmethod
    def backward(cls, ctx, grad):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        first = ((a >= b) if cls.is_max else (a <= b)) | isnan(b)
        return (where(first, grad, 0.0) if ga else None), (
            where(first, 0.0, grad) if gb else None)


class Fmin(Fmax):
    name = "FminBackward0"
    ufunc = staticmethod(np.fmin)
    is_max = False


@register("maximum")
def maximum(input, other):
    """Elementwise maximum (nan if either is nan); ties split the gradient in half.

    >>> ember.maximum(ember.tensor([1.0, 4.0]), ember.tensor([3.0, 2.0]))
    tensor([3., 4.])
    """
    return Maximum.apply(*_two_tensors("maximum", input, other))


@register("minimum")
def minimum(input, other):
    """Elementwise minimum (nan if either is nan); ties split the gradient in half."""
    return Minimum.apply(*_two_tensors("minimum", input, other))


@register("fmax")
def fmax(input, other):
    """Elementwise maximum that ignores nan (nan only where both are)."""
    return Fmax.apply(*_two_tensors("fmax", input, other))


@register("fmin")
def fmin(input, other):
    """Elementwise minimum that ignores nan (nan only where both are)."""
    return Fmin.apply(*_two_tensors("fmin", input, other))


class Logaddexp(Function):
    name = "LogaddexpBackward0"
    ufunc = staticmethod(np.logaddexp)
    base = math.e

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        # inf - inf inside, for inf + inf
        return cls.ufunc(a, b)

    @classmethod
    def backward(cls, ctx, grad):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        return (grad / (1 + pow(cls.base, b - a)) if ga else None), (
            grad / (1 + pow(cls.base, a - b)) if gb else None)


class Logaddexp2(Logaddexp):
    name = "Logaddexp2Backward0"
    ufunc = staticmethod(np.logaddexp2)
    base = 2.0


@register("logaddexp")
def logaddexp(input, other):
    """``log(exp(input) + exp(other))`` without overflow."""
    return Logaddexp.apply(*_two_tensors("logaddexp", input, other, floats_only=True))


@register("logaddexp2")
def logaddexp2(input, other):
    """``log2(2^input + 2^other)`` without overflow."""
    return Logaddexp2.apply(*_two_tensors("logaddexp2", input, other, floats_only=True))


class Xlogy(Function):
    """``x * log(y)``, 0 where x is 0 (unless y is nan)."""

    name = "XlogyBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        out = np.where(a == 0, 0.0, a * np.log(b))
        return np.where(np.isnan(b), np.nan, out).astype(out.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        da = db = None
        if ga:  # no gradient at x = 0 where y <= 0: log(y) is undefined there
            da = xlogy(grad, b)
            da = where((a == 0) & (b <= 0), 0.0, da)
        if gb:
            db = grad * a / b
        return da, db


class XlogyScalarSelf(Xlogy):
    name = "XlogyBackward1"


class XlogyScalarOther(Xlogy):
    name = "XlogyBackward2"


@register("xlogy")
def xlogy(input, other):
    """``input * log(other)``, with 0 where ``input`` is 0: the term of an entropy."""
    a, b = _float_operands(input, other)
    dt = (a if isinstance(a, Tensor) else b).dtype
    a, b = _cast(a, dt), _cast(b, dt)  # np.log(3.0) would be a float64 that widens a
    if not isinstance(a, Tensor):
        return XlogyScalarSelf.apply(a, b)
    if not isinstance(b, Tensor):
        return XlogyScalarOther.apply(a, b)
    return Xlogy.apply(a, b)


class Copysign(Function):
    name = "CopysignBackward0"

    @staticmethod
    def forward(ctx, a, b):
        out = np.copysign(a, b)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, out = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        da = None
        if ga:  # out / a: +1 where the sign was kept, -1 where flipped; 0 at a = 0
            da = grad * where(a == 0, 0.0, out / a)
        return da, (_zeros_like(grad) if gb else None)


class CopysignScalar(Copysign):
    name = "CopysignBackward1"


@register("copysign")
def copysign(input, other):
    """The magnitude of ``input`` with the sign of ``other`` (-0.0 counts as negative)."""
    _need_tensor("copysign", input)
    a, b = _float_operands(input, other)
    return (Copysign if isinstance(b, Tensor) else CopysignScalar).apply(a, b)


# ---------------------------------------------------------------- selection


class Where(Function):
    name = "WhereBackward0"
    arrays = True

    @staticmethod
    def forward(ctx, a, b, *, condition):
        ctx.condition = condition
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        ga, gb = ctx.needs_input_grad
        if not isinstance(grad, Tensor):
            c = ctx.condition
            return (_zero_where(~c, grad) if ga else None), \
                (_zero_where(c, grad) if gb else None)
        cond = Tensor._make(ctx.condition)
        return (where(cond, grad, 0.0) if ga else None), (where(cond, 0.0, grad) if gb
                                                         else None)


_SAME_SIZE_INT = {np.dtype(np.float16): np.int16, np.dtype(np.float32): np.int32,
                  np.dtype(np.float64): np.int64}


def _zero_where(drop, g):
    """``np.where(drop, 0, g)`` for a float array ``g``, by bit masks: NumPy's where
    branches on every element, so a mask without pattern (a ReLU's) makes it ten times
    slower than this. Dropped places are +0.0 whatever ``g`` holds there (inf, nan), as
    torch's masked gradients."""
    ints = _SAME_SIZE_INT[g.dtype]
    keep = drop.astype(ints)
    keep -= 1  # all bits set where g is kept, none where it is dropped
    return (np.asarray(g).view(ints) & keep).view(g.dtype)


@register("where", method=False)
def where(condition, input=None, other=None):
    """``input`` where ``condition`` holds, else ``other`` (broadcasting all three; a
    number may stand for either). ``where(condition)`` alone is
    ``nonzero(condition, as_tuple=True)``.

    >>> ember.where(ember.tensor([True, False]), ember.tensor([1.0, 2.0]), 0.0)
    tensor([1., 0.])
    """
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if input is None and other is None:
        return tuple(Tensor._make(i.astype(np.int64)) for i in np.nonzero(cond))
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                           f"tensor with dtype {Tensor._make(cond).dtype}")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        input = Tensor._make(np.asarray(input, dtype=get_default_dtype().np
                                        if isinstance(input, float) else None))
    a, b = _operands(input, other)
    return Where.apply(a, b, condition=cond)


def _where_method(self, condition, other):
    return where(condition, self, other)


Tensor.where = _where_method


class MaskedFill(Function):
    """``masked_fill`` with a number."""

    name = "MaskedFillBackward0"

    @staticmethod
    def forward(ctx, a, *, mask, value):
        ctx.mask = mask
        return np.where(mask, a.dtype.type(value), a)

    @staticmethod
    def backward(ctx, grad):
        return where(Tensor._make(ctx.mask), 0.0, grad)


class MaskedFillTensor(Function):
    """``masked_fill`` with a 0-d tensor: the value takes the sum of the gradient
    where it was written."""

    name = "MaskedFillBackward1"

    @staticmethod
    def forward(ctx, a, v, *, mask):
        ctx.mask = mask
        return np.where(mask, v.astype(a.dtype), a)

    @staticmethod
    def backward(ctx, grad):
        ga, gv = ctx.needs_input_grad
        mask = Tensor._make(ctx.mask)
        return (where(mask, 0.0, grad) if ga else None), (
            where(mask, grad, 0.0).sum() if gv else None)


@register("masked_fill")
def masked_fill(input, mask, value):
    """``input`` with ``value`` written where the bool ``mask`` is True.

    >>> x = ember.tensor([1.0, -2.0, 3.0])
    >>> x.masked_fill(x < 0, 0.0)
    tensor([1., 0., 3.])
    """
    _need_tensor("masked_fill", input)
    _need_tensor("masked_fill", mask, "mask", 2)
    m = mask._data
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with "
                           f"dtype {_c_type(m.dtype)}")
    try:
        np.broadcast_shapes(input._data.shape, m.shape)
    except ValueError as e:
        raise _broadcast_error(e, (input._data, m)) from None
    if isinstance(value, Tensor):
        if value._data.ndim != 0:
            raise RuntimeError(
                f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor "
                f"with {value._data.ndim} dimension(s).")
        return MaskedFillTensor.apply(input, value, mask=m)
    return MaskedFill.apply(input, mask=m, value=value)


def _c_type(d) -> str:
    return {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "float32": "float", "float64": "double",
            "float16": "c10::Half"}.get(d.name, d.name)


# ---------------------------------------------------------------- comparisons (no grad)


def _compare(name, ufunc, doc):
    def op(input, other):
        _need_tensor(name, input)
        return Tensor._make(_elementwise(ufunc, *_operands(input, other)))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


eq = register("eq")(_compare("eq", np.equal, "Elementwise ``==``, a bool tensor.\n\n"
                                             "    >>> ember.eq(ember.tensor([1, 2]), 2)\n"
                                             "    tensor([False,  True])\n"))
ne = register("ne", "not_equal")(_compare("ne", np.not_equal, "Elementwise ``!=``."))
lt = register("lt", "less")(_compare("lt", np.less, "Elementwise ``<``."))
le = register("le", "less_equal")(_compare("le", np.less_equal, "Elementwise ``<=``."))
gt = register("gt", "greater")(_compare("gt", np.greater, "Elementwise ``>``."))
ge = register("ge", "greater_equal")(_compare("ge", np.greater_equal, "Elementwise ``>=``."))


def _predicate(name, ufunc, doc):
    def op(input):
        return Tensor._make(np.asarray(ufunc(input._data)))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return register(name)(op)


isnan = _predicate("isnan", np.isnan, "True where the element is nan.")
isinf = _predicate("isinf", np.isinf, "True where the element is +inf or -inf.")
isfinite = _predicate("isfinite", np.isfinite, "True where the element is neither inf "
                                               "nor nan.")
isposinf = _predicate("isposinf", np.isposinf, "True where the element is +inf.")
isneginf = _predicate("isneginf", np.isneginf, "True where the element is -inf.")
signbit = _predicate("signbit", np.signbit, "True where the sign bit is set (-0.0 too).")


@register("isclose")
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """``|input - other| <= atol + rtol * |other|``, elementwise (infinities equal to
    themselves; nan equal to nan only with ``equal_nan``)."""
    _need_tensor("isclose", input)
    _need_tensor("isclose", other, "other", 2)
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"{_type_word(input.dtype)} did not match "
                           f"{_type_word(other.dtype)}")
    if input._data.dtype == np.bool_:
        return eq(input, other)
    return Tensor._make(_elementwise(
        lambda a, b: np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan),
        input, other))


@register("allclose")
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """True when ``isclose`` holds everywhere."""
    return builtins.bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


@register("equal")
def equal(input, other) -> bool:
    """True when both have the same shape and the same values."""
    _need_tensor("equal", input)
    _need_tensor("equal", other, "other", 2)
    a, b = _operands(input, other)
    return a._data.shape == b._data.shape and builtins.bool(np.array_equal(a._data, b._data))


# ---------------------------------------------------------------- logic and bits (no grad)


def _logical(name, ufunc, doc):
    def op(input, other):
        _need_tensor(name, input)
        _need_tensor(name, other, "other", 2)
        return Tensor._make(_elementwise(ufunc, input, other))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return register(name)(op)


logical_and = _logical("logical_and", np.logical_and, "True where both are nonzero.")
logical_or = _logical("logical_or", np.logical_or, "True where either is nonzero.")
logical_xor = _logical("logical_xor", np.logical_xor, "True where exactly one is nonzero.")


@register("logical_not")
def logical_not(input):
    """True where ``input`` is zero."""
    return Tensor._make(np.logical_not(input._data))


def _bitwise(name, ufunc, kernel, doc):
    def op(input, other):
        a, b = _operands(input, other)
        t = a if isinstance(a, Tensor) else b
        if t._data.dtype.kind == "f" or (kernel.endswith("shift") and t._data.dtype == np.bool_):
            raise _not_implemented(f"{kernel}_cpu", t)
        return Tensor._make(_elementwise(ufunc, a, b))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return register(name)(op)


bitwise_and = _bitwise("bitwise_and", np.bitwise_and, "bitwise_and", "``input & other``.")
bitwise_or = _bitwise("bitwise_or", np.bitwise_or, "bitwise_or", "``input | other``.")
bitwise_xor = _bitwise("bitwise_xor", np.bitwise_xor, "bitwise_xor", "``input ^ other``.")
bitwise_left_shift = _bitwise("bitwise_left_shift", np.left_shift, "lshift",
                              "``input << other``.")
bitwise_right_shift = _bitwise("bitwise_right_shift", np.right_shift, "rshift",
                               "``input >> other``.")


@register("bitwise_not")
def bitwise_not(input):
    """``~input``: logical not for bool tensors, bitwise for integers."""
    if input._data.dtype.kind not in "biu":
        raise _not_implemented("bitwise_not_cpu", input)
    return Tensor._make(np.invert(input._data))


def _invert(self):
    if self._data.dtype.kind not in "biu":  # the operator's error is a TypeError
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return Tensor._make(np.invert(self._data))


# ---------------------------------------------------------------- dtype casts


class ToCopy(Function):
    name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, a, *, dtype):
        ctx.dtype = a.dtype
        return a.astype(dtype.np)

    @staticmethod
    def backward(ctx, grad):
        return grad.to(to_dtype(ctx.dtype)) if ctx.dtype.kind == "f" else None


class Clone(Function):
    name = "CloneBackward0"

    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad


@register("clone")
def clone(input, *, memory_format=None):
    """A copy with its own memory; gradients flow back to ``input``."""
    return Clone.apply(input)


def _contiguous(self, memory_format=None):
    return self if self._data.flags.c_contiguous else clone(self)


Tensor.contiguous = _contiguous


# ---------------------------------------------------------------- in-place ops


def _inplace(self: Tensor, op, *args, **kwargs) -> Tensor:
    """Run ``op(self, *args)`` and write the result into ``self``.

    Outside grad mode (an optimizer step, ``with no_grad(): w -= lr * w.grad``) this is
    a plain write. Recording, ``self`` takes over the result's graph node, and the op
    sees a snapshot of ``self``'s old value, so nothing it saved for backward changes.
    Every write bumps the version counter, so graphs that saved ``self`` earlier raise
    at backward instead of using the new values.
    """
    from ..autograd.grad_mode import state

    if self._inference and not state.inference:
        raise RuntimeError(
            "Inplace update to inference tensor outside InferenceMode is not allowed.You "
            "can make a clone to get a normal tensor before doing inplace update.See "
            "https://github.com/pytorch/rfcs/pull/17 for more details.")
    recording = state.enabled and (
        self.requires_grad
        or any(isinstance(a, Tensor) and a.requires_grad for a in args)
    )
    if recording and self.requires_grad and self.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    if not recording:
        old = self.detach()
        _carry_tangent(self, old)
        out = op(old, *args, **kwargs)
        _write(self, out)
        _carry_tangent(out, self)
        return self
    if self._base is not None:
        return _inplace_on_view(self, self._base, op, args, kwargs)
    old = Tensor._make(self._data.copy(), self.requires_grad, self.grad_fn,
                       self._output_nr)
    _carry_tangent(self, old)
    out = op(old, *args, **kwargs)
    _write(self, out)
    _carry_tangent(out, self)
    self.grad_fn, self._output_nr = out.grad_fn, out._output_nr
    self._rg = out._rg
    return self


def _carry_tangent(src: Tensor, dst: Tensor) -> None:
    """Forward-mode AD: ``dst`` takes ``src``'s tangent (or drops its own stale one)."""
    tangent = src.__dict__.get("_fw_grad")
    if tangent is None:
        dst.__dict__.pop("_fw_grad", None)
    elif "_fw_grad" in dst.__dict__:  # already a dual: registered with its level
        dst._fw_grad = tangent
    else:
        from ..autograd.forward_ad import _set_tangent

        _set_tangent(dst, tangent)


def _write(self: Tensor, out: Tensor) -> None:
    """Copy an op's result into ``self``'s memory, with torch's dtype and shape checks."""
    if not can_cast(out.dtype, self.dtype):
        raise RuntimeError(
            f"result type {_type_word(out.dtype)} can't be cast to the desired output "
            f"type {_type_word(self.dtype)}"
        )
    if out._data.shape != self._data.shape:
        raise RuntimeError(
            f"output with shape {list(self._data.shape)} doesn't match the broadcast "
            f"shape {list(out._data.shape)}"
        )
    if not self._array().flags.writeable:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor "
            "refers to a single memory location. Please clone() the tensor before "
            "performing the operation."
        )
    np.copyto(self._data, out._data, casting="unsafe")
    self._bump()


def _inplace_on_view(view: Tensor, base: Tensor, op, args, kwargs) -> Tensor:
    """An in-place op on a view while recording: write ``op(view)`` into the tensor the
    view was taken from (``parent[key] = ...``, which records on the parent), then take
    the view again, so gradients flow through the parent as in torch."""
    if base.requires_grad and base.grad_fn is None:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place "
            "operation."
        )
    view_of = view.__dict__.get("_view_of")
    if view_of is None:
        raise RuntimeError(
            "ember supports in-place ops on views in a recorded graph only for views made "
            "by indexing (x[...]); use an out-of-place op here"
        )
    parent, key = view_of
    old_view = Tensor._make(view._data.copy(), view.requires_grad, view.grad_fn,
                            view._output_nr)
    parent[key] = op(old_view, *args, **kwargs)
    fresh = parent[key]
    view.grad_fn, view._output_nr = fresh.grad_fn, fresh._output_nr
    view._rg = fresh._rg
    return view


class Fill(Function):
    name = "FillBackward0"

    @staticmethod
    def forward(ctx, a, value):
        return np.full_like(a, value)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, (grad.sum() if ctx.needs_input_grad[1] else None)


class CopyFrom(Function):
    name = "CopyBackwards"

    @staticmethod
    def forward(ctx, a, src):
        return np.broadcast_to(src, a.shape).astype(a.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, grad


def _fill(a, value):
    if isinstance(value, Tensor) and value._data.ndim != 0:
        raise RuntimeError(
            f"fill_ only supports 0-dimension value tensor but got tensor with "
            f"{value._data.ndim} dimensions."
        )
    return Fill.apply(a, value)


def _float_power_inplace(a, exponent):
    if a._data.dtype != np.float64:
        raise RuntimeError(f"the base given to float_power_ has dtype "
                           f"{_type_word(a.dtype)} but the operation's result requires "
                           f"dtype Double")
    return float_power(a, exponent)


def _method(name, fn):
    fn.__name__ = fn.__qualname__ = name
    setattr(Tensor, name, fn)


def _inplace_method(name, fn):
    """``Tensor.<name>_``: ``fn`` written into ``self``, with ``fn``'s arguments."""
    _method(name + "_", lambda self, *args, **kwargs: _inplace(self, fn, *args, **kwargs))


def _fill_(self, value):
    """Fill in place; with nothing to record (``x.grad.zero_()``), NumPy's own fill."""
    if (value.__class__ in _PLAIN_NUMBERS and not (self._rg and _grad_state.enabled)
            and fw.level < 0 and not self._inference):
        data = self._data
        if data.__class__ is not np.ndarray:  # a NumPy scalar is replaced (Tensor._array)
            self._data = data.__class__(value)
            self._bump()
            return self
        try:
            data.fill(value)
        except ValueError:
            pass  # read-only memory: the general path words torch's error
        else:
            self._bump()
            return self
    return _inplace(self, _fill, value)


_method("fill_", _fill_)
_method("zero_", lambda self: _fill_(self, 0))
_method("copy_", lambda self, src, non_blocking=False: _inplace(
    self, lambda a, s: CopyFrom.apply(a, s), src))
_method("float_power_", lambda self, exponent: _inplace(self, _float_power_inplace,
                                                        exponent))
_INPLACE = {
    "add": add, "sub": sub, "subtract": sub, "mul": mul, "multiply": mul, "div": div,
    "divide": div, "true_divide": div, "floor_divide": floor_divide, "neg": neg,
    "negative": neg, "pow": pow, "remainder": remainder, "fmod": fmod, "lerp": lerp,
    "addcmul": addcmul, "addcdiv": addcdiv, "abs": abs, "absolute": abs, "sign": sign,
    "square": square, "relu": relu, "floor": floor, "ceil": ceil, "trunc": trunc,
    "fix": trunc, "round": round, "frac": frac, "clamp": clamp, "clip": clamp,
    "clamp_min": clamp_min, "clamp_max": clamp_max, "nan_to_num": nan_to_num,
    "logit": logit, "atan2": atan2, "arctan2": atan2, "hypot": hypot, "xlogy": xlogy,
    "copysign": copysign, "masked_fill": masked_fill,
    "eq": eq, "ne": ne, "lt": lt, "le": le, "gt": gt, "ge": ge, "not_equal": ne,
    "less": lt, "less_equal": le, "greater": gt, "greater_equal": ge,
    "logical_and": logical_and, "logical_or": logical_or, "logical_xor": logical_xor,
    "logical_not": logical_not, "bitwise_and": bitwise_and, "bitwise_or": bitwise_or,
    "bitwise_xor": bitwise_xor, "bitwise_not": bitwise_not,
    "bitwise_left_shift": bitwise_left_shift, "bitwise_right_shift": bitwise_right_shift,
}
_INPLACE.update((f.__name__, f) for f in (
    exp, exp2, expm1, log, log2, log10, log1p, sqrt, rsqrt, reciprocal, sin, cos, tan, asin,
    acos, atan, sinh, cosh, tanh, asinh, acosh, atanh, sigmoid, erf, erfc, erfinv))
_INPLACE.update((n, getattr(Tensor, n))
                for n in ("arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh"))
for _name, _fn in _INPLACE.items():
    _inplace_method(_name, _fn)


def _arith_inplace(name, ufunc):
    """``x.add_(y)`` and friends write straight into ``x`` with NumPy when nothing
    records (an optimizer step: ``w -= lr * w.grad`` under ``no_grad``): no temporary
    and no copy. Anything else takes the general in-place path."""
    general = getattr(Tensor, name)

    def method(self, other, **kwargs):
        a = self._array()  # (written in place: a 0-d result becomes an array)
        if (not kwargs and a.dtype.kind == "f" and fw.level < 0 and not self._inference
                and not ((self._rg or (other.__class__ is Tensor and other._rg))
                         and _grad_state.enabled)):
            cls = other.__class__
            b = other._data if cls is Tensor else other if cls in _PLAIN_NUMBERS else None
            if b is not None and (cls is not Tensor or b.dtype is a.dtype):
                try:
                    ufunc(a, b, out=a)  # (NumPy's warnings: see ember._errstate)
                except ALARMS:
                    pass  # raised after the loop, by the user's settings: a is written
                except ValueError:  # b doesn't broadcast to a, or a is read-only:
                    return general(self, other, **kwargs)  # the general path's error
                self._bump()
                return self
        return general(self, other, **kwargs)

    method.__name__ = method.__qualname__ = name
    setattr(Tensor, name, method)


for _name, _ufunc in (("add_", np.add), ("sub_", np.subtract), ("mul_", np.multiply),
                      ("div_", np.true_divide)):
    _arith_inplace(_name, _ufunc)


# ---------------------------------------------------------------- Python operators


def _reflected(fn):
    def op(self, other):
        return fn(other, self)

    return op


def _binary_method(fn):
    def op(self, other):
        if other.__class__ in _PLAIN_NUMBERS or isinstance(other, Tensor) or \
                isinstance(other, numbers.Number):
            return fn(self, other)
        return NotImplemented

    return op


def _arith_method(fn, ufunc, op):
    """The operator of ``fn`` (``+ - * /``): ``arith_method``'s hot paths (float tensors
    of one dtype, or a float tensor and a Python number); everything else takes the
    full path through ``fn`` (promotion, torch's errors)."""
    # On arrays the ufunc is cheapest (Python's operator first looks for overrides); on
    # NumPy scalars (0-d results, see Tensor._array) Python's operator, ten times cheaper
    # than a ufunc call. The same NumPy loop either way.
    scalar_fn = {np.add: operator.add, np.subtract: operator.sub,
                 np.multiply: operator.mul, np.true_divide: operator.truediv}[ufunc]
    method = arith_method(op, ufunc, scalar_fn, _binary_method(fn))
    method.__name__ = method.__qualname__ = fn.__name__
    return method


_slow_pow = _binary_method(pow)
# ``x ** number`` on a float tensor straight to its op; anything else takes ``pow``.
_pow_method = unary_method(PowScalar, operator.pow, "input", _slow_pow, param="exponent")
_pow_method.__name__ = _pow_method.__qualname__ = "pow"


def _rsub_forward(a, other):
    """``other - a`` (Rsub's forward) as the operators compute it: a number with an
    array as a cached 0-d array of its dtype (``_number_operand``)."""
    if a.__class__ is np.ndarray:
        return np.subtract(_number_operand(other, a.dtype), a)
    return other - a  # (a NumPy scalar takes a Python number fast)


_rsub_method = unary_method(Rsub, _rsub_forward, None, _binary_method(_reflected(sub)),
                            param="other")
_rsub_method.__name__ = _rsub_method.__qualname__ = "sub"


def _operator_table():
    return {
        "__add__": _arith_method(add, np.add, Add),
        "__radd__": _arith_method(add, np.add, Add),  # x + n: torch's node for n + x
        "__sub__": _arith_method(sub, np.subtract, Sub),
        "__rsub__": _rsub_method,  # number - x: one input, as torch's node
        "__mul__": _arith_method(mul, np.multiply, Mul),
        "__rmul__": _arith_method(mul, np.multiply, Mul),
        "__truediv__": _arith_method(div, np.true_divide, Div),
        "__rtruediv__": _binary_method(_reflected(div)),
        "__floordiv__": _binary_method(floor_divide),
        "__rfloordiv__": _binary_method(_reflected(floor_divide)),
        "__mod__": _binary_method(remainder),
        "__rmod__": _binary_method(_reflected(remainder)),
        "__pow__": _pow_method, "__rpow__": _binary_method(_reflected(pow)),
        "__eq__": _binary_method(eq), "__ne__": _binary_method(ne),
        "__lt__": _binary_method(lt), "__le__": _binary_method(le),
        "__gt__": _binary_method(gt), "__ge__": _binary_method(ge),
        "__and__": _binary_method(bitwise_and), "__or__": _binary_method(bitwise_or),
        "__xor__": _binary_method(bitwise_xor),
        "__rand__": _binary_method(_reflected(bitwise_and)),
        "__ror__": _binary_method(_reflected(bitwise_or)),
        "__rxor__": _binary_method(_reflected(bitwise_xor)),
        "__lshift__": _binary_method(bitwise_left_shift),
        "__rshift__": _binary_method(bitwise_right_shift),
        "__rlshift__": _binary_method(_reflected(bitwise_left_shift)),
        "__rrshift__": _binary_method(_reflected(bitwise_right_shift)),
        "__iadd__": Tensor.add_, "__isub__": Tensor.sub_, "__imul__": Tensor.mul_,
        "__itruediv__": Tensor.div_, "__ifloordiv__": Tensor.floor_divide_,
        "__imod__": Tensor.remainder_, "__ipow__": Tensor.pow_,
        "__iand__": Tensor.bitwise_and_, "__ior__": Tensor.bitwise_or_,
        "__ixor__": Tensor.bitwise_xor_, "__ilshift__": Tensor.bitwise_left_shift_,
        "__irshift__": Tensor.bitwise_right_shift_,
        "__neg__": neg, "__abs__": abs, "__invert__": _invert,
        "__pos__": lambda self: self,
    }


for _name, _fn in _operator_table().items():
    setattr(Tensor, _name, _fn)
