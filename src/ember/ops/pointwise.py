"""Pointwise ops: arithmetic, the elementary functions, comparisons, dtype casts.

Each op is a Function: ``forward`` on arrays next to ``backward`` in ember ops, so
every derivative can itself be differentiated. Conventions of ``backward``:
``grad`` is the gradient of the output, ``ctx.saved_tensors`` what forward saved,
and the result is one gradient per input (``None`` where there is none). Broadcast
inputs get the broadcast gradient; the engine sums it back to their shape.

NumPy ufuncs are used directly on the arrays (``np.exp(a)``): array libraries that
implement ``__array_ufunc__`` (CuPy) receive the call, so op code is backend-free.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._dtype import bool as _bool
from .._dtype import can_cast, get_default_dtype, result_type, to_dtype
from .._tensor import Tensor
from ..autograd.function import Function, register


def _operands(a, b):
    """Bring a binary op's operands to their common dtype by torch's promotion rules
    (casting a tensor records ``ToCopyBackward0`` when it requires grad)."""
    if isinstance(b, Tensor):
        if isinstance(a, Tensor):
            if a._data.dtype == b._data.dtype:
                return a, b
        elif not isinstance(a, numbers.Number):
            raise TypeError(f"unsupported operand type: '{type(a).__name__}'")
        elif b._data.dtype.kind == "f":
            return a, b
    elif isinstance(a, Tensor):
        if not isinstance(b, numbers.Number):
            raise TypeError(f"unsupported operand type: '{type(b).__name__}'")
        if a._data.dtype.kind == "f":
            return a, b  # a Python number never widens a float tensor
    else:
        raise TypeError("a binary op needs at least one tensor operand")
    dt = result_type(a, b)
    return _cast(a, dt), _cast(b, dt)


def _cast(x, dt):
    if isinstance(x, Tensor):
        return x if x._data.dtype == dt.np else x.to(dt)
    return dt.np.type(x)


def _float_operands(a, b):
    """Operands of true division and friends: integers compute in the default float."""
    a, b = _operands(a, b)
    t = a if isinstance(a, Tensor) else b
    if t._data.dtype.kind != "f":
        dt = get_default_dtype()
        a, b = _cast(a, dt), _cast(b, dt)
    return a, b


# ---------------------------------------------------------------- arithmetic


class Add(Function):
    name = "AddBackward0"

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad):
        return grad, grad


class Sub(Function):
    name = "SubBackward0"

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, grad):
        return grad, -grad


class Rsub(Sub):
    """``number - tensor``: torch names this node ``RsubBackward1``."""

    name = "RsubBackward1"

    @staticmethod
    def forward(ctx, a, b):
        return a - b


class Mul(Function):
    name = "MulBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        return (grad * b if ga else None), (grad * a if gb else None)


class Div(Function):
    name = "DivBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return a / b

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        return (grad / b if ga else None), (-grad * a / (b * b) if gb else None)


class Neg(Function):
    name = "NegBackward0"

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, grad):
        return -grad


class PowScalar(Function):
    """``tensor ** number``."""

    name = "PowBackward0"

    @staticmethod
    def forward(ctx, a, *, exponent):
        ctx.save_for_backward(a)
        ctx.exponent = exponent
        with np.errstate(divide="ignore", invalid="ignore"):
            return a**exponent

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        e = ctx.exponent
        if e == 0:
            return grad * 0
        return grad * (e * a ** (e - 1))


class Pow(Function):
    """``tensor ** tensor``."""

    name = "PowBackward1"

    @staticmethod
    def forward(ctx, a, b):
        with np.errstate(divide="ignore", invalid="ignore"):
            out = a**b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b, out = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        da = db = None
        if ga:  # 0 where the exponent is 0, even at a == 0
            da = where(b == 0, 0.0, grad * b * a ** (b - 1))
        if gb:  # 0 at a == 0 with a non-negative exponent, as torch
            db = where((a == 0) & (b >= 0), 0.0, grad * out * log(a))
        return da, db


class RPow(Function):
    """``number ** tensor``."""

    name = "PowBackward2"

    @staticmethod
    def forward(ctx, a, b):
        out = np.power(a, b)
        ctx.save_for_backward(out)
        ctx.base = a
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        if ctx.base == 0:
            return None, where(out == 0, 0.0, grad * out * float(np.log(ctx.base)))
        return None, grad * out * float(np.log(ctx.base))


@register("add")
def add(input, other, *, alpha=1):
    """``input + alpha * other``, broadcasting, with torch's type promotion."""
    if alpha != 1:
        other = mul(other, alpha)
    return Add.apply(*_operands(input, other))


@register("sub", "subtract")
def sub(input, other, *, alpha=1):
    """``input - alpha * other``."""
    if alpha != 1:
        other = mul(other, alpha)
    a, b = _operands(input, other)
    return (Sub if isinstance(a, Tensor) else Rsub).apply(a, b)


@register("mul", "multiply")
def mul(input, other):
    """``input * other``, elementwise with broadcasting."""
    return Mul.apply(*_operands(input, other))


@register("div", "divide", "true_divide")
def div(input, other, *, rounding_mode=None):
    """``input / other``; integers divide as floats unless ``rounding_mode`` is given
    (``'trunc'`` or ``'floor'``)."""
    if rounding_mode is None:
        if not isinstance(input, Tensor):  # number / tensor = number * (1 / tensor)
            return mul(reciprocal(_float_operands(input, other)[1]), input)
        return Div.apply(*_float_operands(input, other))
    a, b = _operands(input, other)
    q = div(a, b)
    q = floor(q) if rounding_mode == "floor" else (
        trunc(q) if rounding_mode == "trunc" else _bad_rounding(rounding_mode))
    t = a if isinstance(a, Tensor) else b
    return q if t._data.dtype.kind == "f" else q.to(t.dtype)


def _bad_rounding(mode):
    raise RuntimeError(
        f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{mode}'"
    )


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
    """``input ** exponent``, elementwise."""
    if isinstance(exponent, Tensor):
        if not isinstance(input, Tensor):
            a, b = _operands(input, exponent)
            return RPow.apply(a, b)
        return Pow.apply(*_operands(input, exponent))
    a, e = _operands(input, exponent)
    if a._data.dtype.kind in "iu" and isinstance(e, numbers.Integral) and e < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return PowScalar.apply(a, exponent=e)


@register("floor_divide")
def floor_divide(input, other):
    """``input // other``, rounding toward minus infinity as Python does."""
    return div(input, other, rounding_mode="floor")


@register("remainder")
def remainder(input, other):
    """Python's ``%``: the result has the sign of the divisor."""
    return sub(input, mul(floor_divide(input, other), other))


# ---------------------------------------------------------------- elementary functions


def _unary(name, fwd, bwd, *, saves="input", doc=""):
    """Define a one-input op from its forward ufunc and its derivative rule.

    ``bwd(grad, x)`` receives the saved input (or output, with ``saves="output"``) as an
    ember Tensor and returns the input's gradient.
    """

    def forward(ctx, a):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            out = fwd(a)
        ctx.save_for_backward(a if saves == "input" else out)
        return out

    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return bwd(grad, x)

    cls = type(name.capitalize(), (Function,), {
        "name": f"{name.capitalize()}Backward0",
        "forward": staticmethod(forward),
        "backward": staticmethod(backward),
        "__doc__": doc,
        "__module__": __name__,
    })

    def public(input):
        if input._data.dtype.kind != "f":
            input = input.to(get_default_dtype())  # integers compute as floats, as torch
        return cls.apply(input)

    public.__name__ = public.__qualname__ = name
    public.__doc__ = doc
    register(name)(public)
    return cls, public


Exp, exp = _unary("exp", np.exp, lambda g, y: g * y, saves="output",
                  doc="e to the power of each element.")
Log, log = _unary("log", np.log, lambda g, x: g / x,
                  doc="Natural logarithm; nan below 0 and -inf at 0, as torch.")
Sqrt, sqrt = _unary("sqrt", np.sqrt, lambda g, y: g / (2 * y), saves="output",
                    doc="Square root; nan below 0.")
Sin, sin = _unary("sin", np.sin, lambda g, x: g * cos(x), doc="Sine.")
Cos, cos = _unary("cos", np.cos, lambda g, x: g * -sin(x), doc="Cosine.")
Tanh, tanh = _unary("tanh", np.tanh, lambda g, y: g * (1 - y * y), saves="output",
                    doc="Hyperbolic tangent.")
Reciprocal, reciprocal = _unary("reciprocal", np.reciprocal,
                                lambda g, y: g * -(y * y), saves="output",
                                doc="``1 / input``.")


def _sigmoid(a):
    # 1 / (1 + e^-a) overflows e^-a for large negative a; the result is still right
    # (0), and errors are silenced in _unary.
    return 1 / (1 + np.exp(-a))


Sigmoid, sigmoid = _unary("sigmoid", _sigmoid, lambda g, y: g * (1 - y) * y,
                          saves="output", doc="The logistic function ``1 / (1 + e^-x)``.")


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
        return np.sign(a)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0


class Relu(Function):
    name = "ReluBackward0"

    @staticmethod
    def forward(ctx, a):
        out = np.maximum(a, 0, dtype=a.dtype)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_tensors
        return where(y > 0, grad, 0.0)  # subgradient 0 at 0, as torch


@register("abs", "absolute")
def abs(input):
    """Absolute value."""
    return Abs.apply(input)


@register("sign")
def sign(input):
    """-1, 0 or 1 by the sign of each element."""
    return Sign.apply(input)


@register("relu")
def relu(input):
    """``max(input, 0)``; its gradient at 0 is 0."""
    return Relu.apply(input)


@register("square")
def square(input):
    """``input ** 2``."""
    return pow(input, 2)


class Clamp(Function):
    name = "ClampBackward1"

    @staticmethod
    def forward(ctx, a, *, min, max):
        ctx.save_for_backward(a)
        ctx.min, ctx.max = min, max
        return np.clip(a, min, max)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        inside = None
        if ctx.min is not None:
            inside = a >= ctx.min
        if ctx.max is not None:
            inside = a <= ctx.max if inside is None else inside & (a <= ctx.max)
        return where(inside, grad, 0.0)


@register("clamp", "clip")
def clamp(input, min=None, max=None):
    """Limit each element to ``[min, max]``; the gradient passes where the input is
    inside the range, ends included."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return Clamp.apply(input, min=min, max=max)


# ---------------------------------------------------------------- selection


class Where(Function):
    name = "WhereBackward0"

    @staticmethod
    def forward(ctx, a, b, *, condition):
        ctx.condition = condition
        return np.where(condition, a, b)

    @staticmethod
    def backward(ctx, grad):
        ga, gb = ctx.needs_input_grad
        cond = Tensor._make(ctx.condition)
        return (where(cond, grad, 0.0) if ga else None), (where(cond, 0.0, grad) if gb
                                                         else None)


@register("where", method=False)
def where(condition, input, other):
    """``input`` where ``condition`` holds, else ``other`` (broadcasting all three)."""
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
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


# ---------------------------------------------------------------- comparisons (no grad)


def _compare(name, ufunc, doc):
    def op(input, other):
        a, b = _operands(input, other)
        a = a._data if isinstance(a, Tensor) else a
        b = b._data if isinstance(b, Tensor) else b
        return Tensor._make(np.asarray(ufunc(a, b)))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


eq = register("eq")(_compare("eq", np.equal, "Elementwise ``==``, a bool tensor."))
ne = register("ne", "not_equal")(_compare("ne", np.not_equal, "Elementwise ``!=``."))
lt = register("lt", "less")(_compare("lt", np.less, "Elementwise ``<``."))
le = register("le", "less_equal")(_compare("le", np.less_equal, "Elementwise ``<=``."))
gt = register("gt", "greater")(_compare("gt", np.greater, "Elementwise ``>``."))
ge = register("ge", "greater_equal")(_compare("ge", np.greater_equal, "Elementwise ``>=``."))


def _logical(name, ufunc, symbol):
    def op(input, other):
        if input._data.dtype.kind not in "biu" or (
            isinstance(other, Tensor) and other._data.dtype.kind not in "biu"
        ):
            raise TypeError(f"unsupported operand type(s) for {symbol}: "
                            f"bitwise ops need integer or bool tensors")
        a, b = _operands(input, other)
        b = b._data if isinstance(b, Tensor) else b
        return Tensor._make(np.asarray(ufunc(a._data, b)))

    op.__name__ = op.__qualname__ = name
    return op


bitwise_and = register("bitwise_and")(_logical("bitwise_and", np.bitwise_and, "&"))
bitwise_or = register("bitwise_or")(_logical("bitwise_or", np.bitwise_or, "|"))
bitwise_xor = register("bitwise_xor")(_logical("bitwise_xor", np.bitwise_xor, "^"))


@register("bitwise_not")
def bitwise_not(input):
    """``~input``: logical not for bool tensors, bitwise for integers."""
    if input._data.dtype.kind not in "biu":
        raise TypeError("~ (bitwise_not) is only supported for integer and bool tensors")
    return Tensor._make(np.invert(input._data))


@register("logical_not")
def logical_not(input):
    """True where ``input`` is zero."""
    return Tensor._make(np.logical_not(input._data))


# ---------------------------------------------------------------- rounding (zero grad)


def _rounding(name, ufunc):
    def forward(ctx, a):
        return ufunc(a)

    def backward(ctx, grad):
        return grad * 0

    cls = type(name.capitalize(), (Function,), {
        "name": f"{name.capitalize()}Backward0", "forward": staticmethod(forward),
        "backward": staticmethod(backward), "__module__": __name__,
    })

    def public(input):
        if input._data.dtype.kind != "f":
            return input.clone()
        return cls.apply(input)

    public.__name__ = public.__qualname__ = name
    public.__doc__ = f"{name} of each element; its gradient is 0, as torch's."
    register(name)(public)
    return public


floor = _rounding("floor", np.floor)
ceil = _rounding("ceil", np.ceil)
trunc = _rounding("trunc", np.trunc)


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

    recording = state.enabled and (
        self.requires_grad
        or any(isinstance(a, Tensor) and a.requires_grad for a in args)
    )
    if recording and self.requires_grad and self.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    if not recording:
        out = op(self.detach(), *args, **kwargs)
        _write(self, out)
        return self
    if self._base is not None:
        return _inplace_on_view(self, self._base, op, args, kwargs)
    old = Tensor._make(self._data.copy(), self.requires_grad, self.grad_fn,
                       self._output_nr)
    out = op(old, *args, **kwargs)
    _write(self, out)
    self.grad_fn, self._output_nr = out.grad_fn, out._output_nr
    self.requires_grad = out.requires_grad
    return self


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
    if not self._data.flags.writeable:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor "
            "refers to a single memory location. Please clone() the tensor before "
            "performing the operation."
        )
    np.copyto(self._data, out._data, casting="unsafe")
    self._bump()


def _type_word(d) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}[d.name]


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
    view.requires_grad = fresh.requires_grad
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


def _method(name, fn):
    fn.__name__ = fn.__qualname__ = name
    setattr(Tensor, name, fn)


_method("add_", lambda self, other, *, alpha=1: _inplace(self, add, other, alpha=alpha))
_method("sub_", lambda self, other, *, alpha=1: _inplace(self, sub, other, alpha=alpha))
_method("mul_", lambda self, other: _inplace(self, mul, other))
_method("div_", lambda self, other, *, rounding_mode=None: _inplace(
    self, div, other, rounding_mode=rounding_mode))
_method("pow_", lambda self, exponent: _inplace(self, pow, exponent))
_method("clamp_", lambda self, min=None, max=None: _inplace(self, clamp, min, max))
_method("fill_", lambda self, value: _inplace(self, _fill, value))
_method("zero_", lambda self: _inplace(self, _fill, 0))
_method("copy_", lambda self, src, non_blocking=False: _inplace(
    self, lambda a, s: CopyFrom.apply(a, s), src))
for _name, _fn in [("neg_", neg), ("exp_", exp), ("log_", log), ("sqrt_", sqrt),
                   ("abs_", abs), ("sin_", sin), ("cos_", cos), ("tanh_", tanh),
                   ("sigmoid_", sigmoid), ("relu_", relu), ("floor_", floor),
                   ("ceil_", ceil), ("trunc_", trunc), ("reciprocal_", reciprocal),
                   ("sign_", sign), ("square_", square)]:
    _method(_name, lambda self, _fn=_fn: _inplace(self, _fn))


# ---------------------------------------------------------------- Python operators


def _reflected(fn):
    def op(self, other):
        return fn(other, self)

    return op


def _binary_method(fn):
    def op(self, other):
        if not isinstance(other, (Tensor, numbers.Number)):
            return NotImplemented
        return fn(self, other)

    return op


def _operator_table():
    return {
        "__add__": _binary_method(add), "__radd__": _binary_method(_reflected(add)),
        "__sub__": _binary_method(sub), "__rsub__": _binary_method(_reflected(sub)),
        "__mul__": _binary_method(mul), "__rmul__": _binary_method(_reflected(mul)),
        "__truediv__": _binary_method(div),
        "__rtruediv__": _binary_method(_reflected(div)),
        "__floordiv__": _binary_method(floor_divide),
        "__rfloordiv__": _binary_method(_reflected(floor_divide)),
        "__mod__": _binary_method(remainder),
        "__rmod__": _binary_method(_reflected(remainder)),
        "__pow__": _binary_method(pow), "__rpow__": _binary_method(_reflected(pow)),
        "__eq__": _binary_method(eq), "__ne__": _binary_method(ne),
        "__lt__": _binary_method(lt), "__le__": _binary_method(le),
        "__gt__": _binary_method(gt), "__ge__": _binary_method(ge),
        "__and__": _binary_method(bitwise_and), "__or__": _binary_method(bitwise_or),
        "__xor__": _binary_method(bitwise_xor),
        "__rand__": _binary_method(_reflected(bitwise_and)),
        "__ror__": _binary_method(_reflected(bitwise_or)),
        "__rxor__": _binary_method(_reflected(bitwise_xor)),
        "__iadd__": Tensor.add_, "__isub__": Tensor.sub_, "__imul__": Tensor.mul_,
        "__itruediv__": Tensor.div_,
        "__neg__": neg, "__abs__": abs, "__invert__": bitwise_not,
        "__pos__": lambda self: self,
    }


for _name, _fn in _operator_table().items():
    setattr(Tensor, _name, _fn)
