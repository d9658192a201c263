"""Products of tensors: ``matmul`` (``@``) and its named cases, ``addmm`` and friends,
``einsum``, ``tensordot``, ``kron``, ``cross``.

For ``c = a @ b`` on matrices, ``dL/da = g @ b^T`` and ``dL/db = a^T @ g``. Vectors
are treated as a row (left operand) or a column (right operand) and squeezed back;
batch dimensions broadcast, and the engine sums their gradients back. The
decompositions (``ember.linalg``: det, inv, svd, ...) live in ``ember/linalg.py``.
"""

from __future__ import annotations

import string

import numpy as np

from .._tensor import Tensor, _wrap_dim
from ..autograd.function import Function, _broadcast_error, register

# torch's short names of dtypes in error messages ("Float and Double").
_TYPE_WORDS = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
               "bool": "Bool"}


def _word(t: Tensor) -> str:
    return _TYPE_WORDS.get(t._data.dtype.name, t._data.dtype.name)


# ---------------------------------------------------------------- matmul and its cases


def _needed(ctx, a, b):
    """What the gradients of a product ``f(a, b)`` need: ``b`` for ``a``'s and ``a`` for
    ``b``'s. Keeping only those (as torch does) lets a user change the other operand in
    place between forward and backward without an error."""
    need = ctx.needs_input_grad[-2:] or (False, False)  # () when nothing is recorded
    return (a if need[1] else None), (b if need[0] else None)


def _matmul_grads(grad, a, b, need_a, need_b, ndims):
    """The gradients of ``a @ b`` for ``grad`` of the product (vectors as in matmul);
    ``a`` is only read for ``b``'s gradient and ``b`` for ``a``'s. ``ndims``: theirs.

    ``grad`` may carry extra batch dimensions (addbmm sums over the batch): the result
    then has them too, and the engine sums them back.

    Tensors in, Tensors out; arrays in, arrays out (a plain backward, see
    ``Function.arrays``): NumPy's ``@`` and ``.mT`` are what ember's ops call.
    """
    na, nb = ndims
    unsqueeze = Tensor.unsqueeze if isinstance(grad, Tensor) else np.expand_dims
    g = grad
    if na == 1:
        g = unsqueeze(g, -2)  # a vector on the left is a row
    if nb == 1:
        g = unsqueeze(g, -1)  # ... and on the right a column
    da = db = None
    if need_a:
        da = g @ (unsqueeze(b, -1) if nb == 1 else b).mT
        da = da.squeeze(-2) if na == 1 else da
    if need_b:
        db = (unsqueeze(a, 0) if na == 1 else a).mT @ g
        db = db.squeeze(-1) if nb == 1 else db
    return da, db


class Matmul(Function):
    name = "MmBackward0"
    arrays = True

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(*_needed(ctx, a, b))
        ctx.ndims = (a.ndim, b.ndim)
        return np.matmul(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_like(grad)
        return _matmul_grads(grad, a, b, *ctx.needs_input_grad, ctx.ndims)


class Dot(Matmul):
    name = "DotBackward0"

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_like(grad)
        ga, gb = ctx.needs_input_grad
        return (grad * b if ga else None), (grad * a if gb else None)


class Vdot(Dot):
    name = "VdotBackward0"  # the same as dot for real tensors


class Mv(Matmul):
    name = "MvBackward0"


class Bmm(Matmul):
    name = "BmmBackward0"


def _check(a: Tensor, b: Tensor) -> None:
    """torch's errors for operands of matmul that cannot be multiplied."""
    sa, sb = a._data.shape, b._data.shape
    if not sa or not sb:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {len(sa)}D "
            f"and {len(sb)}D"
        )
    ba, bb = sa[:-2], sb[:-2]
    for i in range(1, min(len(ba), len(bb)) + 1):
        if ba[-i] != bb[-i] and ba[-i] != 1 and bb[-i] != 1:
            raise RuntimeError(
                f"The size of tensor a ({ba[-i]}) must match the size of tensor b "
                f"({bb[-i]}) at non-singleton dimension {max(len(ba), len(bb)) - i}")
    k_a = sa[-1]
    k_b = sb[0] if len(sb) == 1 else sb[-2]
    if k_a != k_b:
        if len(sa) == 1 and len(sb) == 1:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{k_a}] and src [{k_b}] to have "
                f"the same number of elements, but got {k_a} and {k_b} elements respectively")
        rows = int(np.prod(sa[:-1]))
        if len(sb) == 1:
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{k_a}), vec "
                               f"({k_b})")
        if len(sb) == 2:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k_a} and "
                               f"{sb[0]}x{sb[1]})")
        batch = int(np.prod(np.broadcast_shapes(ba, bb)))
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{batch}, {k_a}] but got: [{batch}, {k_b}].")
    if a._data.dtype != b._data.dtype:
        if len(sa) == 2 and len(sb) == 1:
            raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                               f"{_word(b)}, {_word(a)}, and {_word(b)}")
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_C_TYPES.get(a._data.dtype.name)} != "
                           f"{_C_TYPES.get(b._data.dtype.name)}")


# The C type names torch's matmul names in its dtype error.
_C_TYPES = {"float32": "float", "float64": "double", "float16": "c10::Half",
            "int64": "long int", "int32": "int", "int16": "short int",
            "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def _tensor_arg(x, name: str, fn: str, position: int) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be Tensor, "
                        f"not {type(x).__name__}")


@register("matmul")
def matmul(input, other):
    """The matrix product, with torch's rules for vectors and batches.

    >>> ember.ones(2, 3) @ ember.ones(3)
    tensor([3., 3.])
    """
    _tensor_arg(input, "input", "matmul", 1)
    _tensor_arg(other, "other", "matmul", 2)
    _check(input, other)
    na, nb = input._data.ndim, other._data.ndim
    if na == 1 and nb == 1:
        cls = Dot
    elif na == 2 and nb == 2:
        cls = Matmul
    elif na == 2 and nb == 1:
        cls = Mv
    else:
        cls = Bmm
    return cls.apply(input, other)


@register("mm")
def mm(input, mat2):
    """The product of two matrices (2-D only).

    >>> ember.mm(ember.ones(2, 3), ember.ones(3, 4)).shape
    torch.Size([2, 4])
    """
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _check(input, mat2)
    return Matmul.apply(input, mat2)


def _check_bmm(input, mat2) -> None:
    if input.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    (b, _, m), (b2, m2, _) = input.shape, mat2.shape
    if (b, m) != (b2, m2):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to "
                           f"be: [{b}, {m}] but got: [{b2}, {m2}].")
    if input._data.dtype != mat2._data.dtype:
        raise RuntimeError(f"expected scalar type {_word(input)} but found {_word(mat2)}")


@register("bmm")
def bmm(input, mat2):
    """Batched matrix product: ``(b, n, m) @ (b, m, p) -> (b, n, p)``, no broadcasting."""
    _check_bmm(input, mat2)
    return Bmm.apply(input, mat2)


@register("mv")
def mv(input, vec):
    """Matrix times vector: ``(n, m) @ (m,) -> (n,)``."""
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, "
                           f"{vec.ndim}")
    n, m = input.shape
    if m != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({n}), mat ({n}x{m}), vec "
                           f"({vec.shape[0]})")
    if input._data.dtype != vec._data.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                           f"{_word(vec)}, {_word(input)}, and {_word(vec)}")
    return Mv.apply(input, vec)


def _vectors(input, other):
    """torch's checks of dot and vdot: two 1-D tensors of one length and dtype."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D "
                           "tensors")
    n, m = input.shape[0], other.shape[0]
    if n != m:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the "
            f"same number of elements, but got {n} and {m} elements respectively")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found "
                           f"{_word(input)} and {_word(other)}")


@register("dot")
def dot(input, other):
    """The inner product of two 1-D tensors.

    >>> ember.dot(ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0]))
    tensor(11.)
    """
    _vectors(input, other)
    return Dot.apply(input, other)


@register("vdot")
def vdot(input, other):
    """``dot`` with the first argument conjugated: the same as ``dot`` for real tensors."""
    _vectors(input, other)
    return Vdot.apply(input, other)


@register("inner")
def inner(input, other):
    """Sum of products over the last dimension of both: shape ``a[:-1] + b[:-1]``."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors "
                           f"but got shapes {list(input.shape)} and {list(other.shape)}")
    return tensordot(input, other, ([-1], [-1]))


@register("outer", "ger")
def outer(input, vec2):
    """The outer product of two vectors: ``out[i, j] = input[i] * vec2[j]``."""
    for name, v in (("self", input), ("vec2", vec2)):
        if v.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {v.ndim}-D")
    return input.unsqueeze(-1) * vec2


# ---------------------------------------------------------------- beta * input + alpha * product


class Addmm(Function):
    """``beta * input + alpha * (a @ b)``; ``sum_batch`` sums the product over dim 0
    first (addbmm). With ``beta == 0`` the input is ignored, nan and inf included."""

    name = "AddmmBackward0"
    arrays = True

    @staticmethod
    def forward(ctx, input, a, b, *, beta, alpha, sum_batch=False):
        ctx.save_for_backward(*_needed(ctx, a, b))
        ctx.beta, ctx.alpha, ctx.ndims = beta, alpha, (a.ndim, b.ndim)
        out = np.matmul(a, b)
        if sum_batch:
            out = out.sum(0)
        if alpha != 1:
            out = out * alpha
        if beta != 0:
            out = out + (input if beta == 1 else input * beta)
        return out

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_like(grad)
        gi, ga, gb = ctx.needs_input_grad
        g = grad if ctx.alpha == 1 else grad * ctx.alpha
        da, db = _matmul_grads(g, a, b, ga, gb, ctx.ndims)
        gin = None if not gi else grad if ctx.beta == 1 else grad * ctx.beta
        return gin, da, db


class Addmv(Addmm):
    name = "AddmvBackward0"


class Baddbmm(Addmm):
    name = "BaddbmmBackward0"


class Addbmm(Addmm):
    name = "AddbmmBackward0"


def _add_product(cls, input, a, b, beta, alpha, out_shape, **kw):
    """Check that ``input`` broadcasts to the product's shape, then run."""
    shape = input._data.shape
    if not _broadcasts(shape, out_shape) or np.broadcast_shapes(shape, out_shape) != out_shape:
        input.expand(out_shape)  # raises torch's "The expanded size ..." message
    return cls.apply(input, a, b, beta=beta, alpha=alpha, **kw)


def _broadcasts(shape, target) -> bool:
    try:
        np.broadcast_shapes(shape, target)
        return True
    except ValueError:
        return False


def _same_dtypes(input, mat1, mat2) -> None:
    """addmm's dtype checks, in torch's order."""
    if input._data.dtype != mat2._data.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_word(input)} "
                           f"and {_word(mat2)}")
    if mat1._data.dtype != mat2._data.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_word(mat1)} "
                           f"and {_word(mat2)}")


@register("addmm")
def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat1 @ mat2)``, the affine map of ``nn.Linear``.

    >>> ember.addmm(ember.zeros(2), ember.ones(1, 3), ember.ones(3, 2), beta=0.5, alpha=2)
    tensor([[6., 6.]])
    """
    for name, m in (("mat1", mat1), ("mat2", mat2)):
        if m.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {m.ndim}-D tensor")
    _same_dtypes(input, mat1, mat2)
    _check(mat1, mat2)
    out_shape = (mat1.shape[0], mat2.shape[1])
    return _add_product(Addmm, input, mat1, mat2, beta, alpha, out_shape)


@register("addmv")
def addmv(input, mat, vec, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat @ vec)``."""
    if mat.ndim != 2 or vec.ndim != 1 or input.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, "
                           f"{mat.ndim}, {vec.ndim}")
    n, m = mat.shape
    if m != vec.shape[0] or not _broadcasts(input.shape, (n,)):
        raise RuntimeError(f"size mismatch, got input ({'x'.join(map(str, input.shape))})"
                           f", mat ({n}x{m}), vec ({vec.shape[0]})")
    if not input._data.dtype == mat._data.dtype == vec._data.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                           f"{_word(input)}, {_word(mat)}, and {_word(vec)}")
    return _add_product(Addmv, input, mat, vec, beta, alpha, (n,))


def _batches(b1, b2) -> None:
    for name, t in (("batch1", b1), ("batch2", b2)):
        if t.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor")
    if b1.shape[0] != b2.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got "
                           f"{b1.shape[0]} and {b2.shape[0]}")


@register("baddbmm")
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    _batches(batch1, batch2)
    if batch1._data.dtype == batch2._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"Input dtypes must be the same, got: input {_C_TYPES[input._data.dtype.name]}, "
            f"batch1: {_C_TYPES[batch1._data.dtype.name]}, "
            f"batch2: {_C_TYPES[batch2._data.dtype.name]}")
    _check_bmm(batch1, batch2)
    out_shape = (batch1.shape[0], batch1.shape[1], batch2.shape[2])
    return _add_product(Baddbmm, input, batch1, batch2, beta, alpha, out_shape)


@register("addbmm")
def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * bmm(batch1, batch2).sum(0)``."""
    _batches(batch1, batch2)
    (_, n, m), (_, m2, p) = batch1.shape, batch2.shape
    if m != m2:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({n}x{m} and {m2}x{p})")
    _same_dtypes(input, batch1, batch2)
    return _add_product(Addbmm, input, batch1, batch2, beta, alpha, (n, p), sum_batch=True)


# ---------------------------------------------------------------- einsum


class Einsum(Function):
    """``np.einsum`` on explicit subscripts (``"ij,jk->ik"``, ellipses already spelled
    out as letters). The gradient of each operand is again an einsum: of the output
    gradient with the other operands, giving that operand's subscripts."""

    name = "EinsumBackward0"  # torch's einsum is a composite; its node depends on the case

    @staticmethod
    def forward(ctx, *arrays, subs, out, sizes):
        # An operand is read only by the gradients of the others: keep it for those.
        need = ctx.needs_input_grad
        ctx.save_for_backward(*[a if any(n for i, n in enumerate(need) if i != k) else None
                                for k, a in enumerate(arrays)])
        ctx.subs, ctx.out, ctx.sizes = subs, out, sizes
        return _contract(subs, out, arrays)

    @staticmethod
    def backward(ctx, grad):
        ops = ctx.saved_tensors
        subs, sizes = ctx.subs, ctx.sizes
        grads = []
        for k, need in enumerate(ctx.needs_input_grad):
            if not need:
                grads.append(None)
                continue
            others = [(s, t) for i, (s, t) in enumerate(zip(subs, ops)) if i != k]
            grads.append(_einsum_grad(grad, ctx.out, others, subs[k], sizes))
        return tuple(grads)


def _contract(subs, out, arrays):
    """``np.einsum``, with the common case of two operands done as one batched matmul
    (BLAS, 5-20x faster than einsum's loops), as torch does it."""
    if len(arrays) != 2 or any(len(set(s)) != len(s) for s in subs):
        return np.einsum(",".join(subs) + "->" + out, *arrays, optimize=len(arrays) > 2)
    (sa, sb), (a, b) = subs, arrays
    # A letter in one operand only, and not in the output, is summed out first.
    lone = [i for i, c in enumerate(sa) if c not in sb and c not in out]
    if lone:
        a, sa = a.sum(axis=tuple(lone)), "".join(c for c in sa if c in sb or c in out)
    lone = [i for i, c in enumerate(sb) if c not in sa and c not in out]
    if lone:
        b, sb = b.sum(axis=tuple(lone)), "".join(c for c in sb if c in sa or c in out)
    batch = [c for c in out if c in sa and c in sb]
    summed = [c for c in sa if c in sb and c not in out]
    only_a = [c for c in sa if c not in sb]
    only_b = [c for c in sb if c not in sa]
    size_a, size_b = dict(zip(sa, a.shape)), dict(zip(sb, b.shape))
    if any(size_a[c] != size_b[c] for c in summed):  # a summed dim broadcast from 1
        return np.einsum(f"{sa},{sb}->{out}", a, b)

    def prod(sizes, letters):
        return int(np.prod([sizes[c] for c in letters]))

    # a as (batch..., rows, summed), b as (batch..., summed, cols): one matmul.
    a = a.transpose([sa.index(c) for c in batch + only_a + summed])
    a = a.reshape(a.shape[:len(batch)] + (prod(size_a, only_a), prod(size_a, summed)))
    b = b.transpose([sb.index(c) for c in batch + summed + only_b])
    b = b.reshape(b.shape[:len(batch)] + (prod(size_b, summed), prod(size_b, only_b)))
    c = np.matmul(a, b)
    c = c.reshape(c.shape[:len(batch)] + tuple(size_a[x] for x in only_a) +
                  tuple(size_b[x] for x in only_b))
    order = batch + only_a + only_b
    return c.transpose([order.index(x) for x in out])


def _einsum_grad(grad, out, others, target, sizes):
    """The einsum ``out, others... -> target`` where ``target`` may repeat a letter (the
    gradient lives on the diagonal: an identity operand puts it there) or hold letters
    seen nowhere else (the gradient is constant along them: a ones operand)."""
    seen = set(out).union(*(s for s, _ in others))
    free = [c for c in _LETTERS if c not in seen and c not in target]
    extra, letters = [], []
    for c in target:
        if c in letters:  # a repeated letter: a fresh one, tied to it by an identity
            f = free.pop()
            extra.append((c + f, Tensor._make(np.eye(sizes[c], dtype=grad._data.dtype))))
            letters.append(f)
        else:
            letters.append(c)
            if c not in seen:
                extra.append((c, Tensor._make(np.ones(sizes[c], dtype=grad._data.dtype))))
    subs = [out] + [s for s, _ in others] + [s for s, _ in extra]
    tensors = [grad] + [t for _, t in others] + [t for _, t in extra]
    return _einsum(subs, "".join(letters), tensors)


_LETTERS = string.ascii_uppercase + string.ascii_lowercase  # implicit output sorts so


def _einsum(subs, out, tensors):
    """einsum on parsed subscripts (one string of letters per operand)."""
    sizes = {}
    for s, t in zip(subs, tensors):
        for c, n in zip(s, t._data.shape):
            if sizes.get(c, 1) == 1:
                sizes[c] = n
    return Einsum.apply(*tensors, subs=tuple(subs), out=out, sizes=sizes)


def _parse(equation: str, tensors) -> tuple:
    """Subscripts per operand and of the output, with each ellipsis spelled out as
    letters not in ``equation``, checked as torch checks them."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    for i, c in enumerate(eq):
        arrow_part = (c == "-" and eq[i + 1:i + 2] == ">") or (c == ">" and eq[i - 1] == "-")
        if not (c in _LETTERS or c in ".," or arrow_part):
            raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the "
                               "equation string, subscripts must be in [a-zA-Z]")
    terms = lhs.split(",")
    if len(terms) > len(tensors):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the "
                           "equation")
    if len(terms) < len(tensors):
        raise RuntimeError("einsum(): more operands were provided than specified in the "
                           "equation")
    spare = [c for c in _LETTERS if c not in eq]
    ell_dims = []
    for i, (term, t) in enumerate(zip(terms, tensors)):
        labels = term.replace("...", "")
        if "." in labels:
            raise RuntimeError(f"einsum(): found '.' for operand {i} that is not part of "
                               "any ellipsis")
        if "..." in term:
            if len(labels) > t.ndim:
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({len(labels)}) is "
                    f"more than the number of dimensions ({t.ndim}) for operand {i}")
            ell_dims.append(t.ndim - len(labels))
        elif len(labels) != t.ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({len(labels)}) does "
                f"not match the number of dimensions ({t.ndim}) for operand {i} and no "
                "ellipsis was given")
    n_ell = max(ell_dims, default=0)
    ell = "".join(spare[:n_ell])
    subs, e = [], iter(ell_dims)
    for term in terms:
        subs.append(term.replace("...", ell[n_ell - next(e):]) if "..." in term else term)
    if arrow:
        if "." in rhs.replace("...", ""):
            raise RuntimeError("einsum(): found '.' for output but an ellipsis (...) was "
                               "already found")
        out = rhs.replace("...", ell)
        for c in rhs.replace("...", ""):
            if rhs.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once "
                                   "in the output")
            if c not in lhs:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the "
                                   "equation for any input operand")
    else:
        once = sorted(c for c in set(lhs) if c in _LETTERS and lhs.count(c) == 1)
        out = ell + "".join(once)
    _check_sizes(subs, tensors, ell)
    return subs, out


def _check_sizes(subs, tensors, ell) -> None:
    """Each letter has one size across the operands, up to broadcasting of size 1."""
    sizes = {}
    for i, (s, t) in enumerate(zip(subs, tensors)):
        mine = {}
        for c, n in zip(s, t._data.shape):
            if c in mine and mine[c] != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {i} "
                                   f"but the sizes don't match, {n} != {mine[c]}")
            mine[c] = n
            seen = sizes.get(c, 1)
            if n != 1 and seen != 1 and n != seen:
                if c in ell:
                    d = ell.index(c)
                    raise RuntimeError(
                        f"einsum(): dimension {d} covered by ellipsis in operand {i}has size "
                        f"{n} which does not broadcast with previously seen ellipsis with "
                        f"size {seen} for the respective dimension")
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {i} "
                                   f"which does not broadcast with previously seen size "
                                   f"{seen}")
            sizes[c] = n if seen == 1 else seen


@register("einsum", method=False)
def einsum(equation, *operands):
    """Sums of products named by subscripts, as NumPy's and torch's einsum.

    >>> a, b = ember.ones(2, 3), ember.ones(3, 4)
    >>> ember.einsum("ij,jk->ik", a, b).shape
    torch.Size([2, 4])

    Operands may also come as one list, or in the sublist form
    ``einsum(a, [0, 1], b, [1, 2], [0, 2])``.
    """
    if not isinstance(equation, str):  # sublist form: operand, its dims, operand, ...
        args = (equation,) + operands
        out = args[-1] if len(args) % 2 else None
        args = args[:-1] if len(args) % 2 else args

        def word(dims):
            return "".join("..." if d is Ellipsis else _LETTERS[d] for d in dims)

        equation = ",".join(word(d) for d in args[1::2])
        equation += "" if out is None else "->" + word(out)
        operands = args[0::2]
    elif len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    dt = operands[0]._data.dtype if operands else None
    for t in operands[1:]:
        if t._data.dtype != dt:
            raise RuntimeError(f"expected scalar type {_word(operands[0])} but found "
                               f"{_word(t)}")
    subs, out = _parse(equation, operands)
    return _einsum(subs, out, list(operands))


# ---------------------------------------------------------------- tensordot, kron, cross


@register("tensordot", method=False)
def tensordot(a, b, dims=2, out=None):
    """Contract ``dims`` dimensions: the last ``dims`` of ``a`` with the first of ``b``,
    or the pairs of dimension lists ``dims = ([a dims], [b dims])``.

    >>> ember.tensordot(ember.ones(2, 3, 4), ember.ones(3, 4, 5), 2).shape
    torch.Size([2, 5])
    """
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = ([d] if isinstance(d, int) else list(d) for d in dims)
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    if isinstance(dims, int):  # torch names these dims from the end of ``a``
        da = [d - a.ndim for d in da]
    for x, y in zip(da, db):
        if a.shape[x] != b.shape[y]:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {a.shape[x]} in "
                f"dim {x} and second has size {b.shape[y]} in dim {y}")
    da = [_wrap_dim(d, a.ndim) for d in da]
    db = [_wrap_dim(d, b.ndim) for d in db]
    free_a = [d for d in range(a.ndim) if d not in da]
    free_b = [d for d in range(b.ndim) if d not in db]
    def size(t, ds):
        return int(np.prod([t.shape[d] for d in ds]))

    # Move the contracted dims together, then one matrix product does the sum.
    a2 = a.permute(free_a + da).reshape(size(a, free_a), size(a, da))
    b2 = b.permute(db + free_b).reshape(size(b, db), size(b, free_b))
    shape = [a.shape[d] for d in free_a] + [b.shape[d] for d in free_b]
    return mm(a2, b2).reshape(shape)


@register("kron")
def kron(input, other):
    """The Kronecker product: every element of ``input`` times the whole ``other``.

    >>> ember.kron(ember.eye(2), ember.ones(2, 2)).shape
    torch.Size([4, 4])
    """
    for pos, (name, t) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(t, Tensor):
            raise TypeError(f"kron(): argument '{name}' (position {pos}) must be Tensor, "
                            f"not {type(t).__name__}")
    n = max(input.ndim, other.ndim)
    sa = (1,) * (n - input.ndim) + tuple(input.shape)
    sb = (1,) * (n - other.ndim) + tuple(other.shape)
    # Interleave: a as (a0, 1, a1, 1, ...) times b as (1, b0, 1, b1, ...).
    a = input.reshape([s for d in sa for s in (d, 1)])
    b = other.reshape([s for d in sb for s in (1, d)])
    return (a * b).reshape([x * y for x, y in zip(sa, sb)])


class Cross(Function):
    name = "LinalgCrossBackward0"

    @staticmethod
    def forward(ctx, a, b, *, dim):
        ctx.save_for_backward(*_needed(ctx, a, b))
        ctx.dim = dim
        return np.cross(a, b, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_tensors
        ga, gb = ctx.needs_input_grad
        # d(a x b) = da x b + a x db, and <g, da x b> = <b x g, da>.
        return (_cross(b, grad, ctx.dim) if ga else None), \
            (_cross(grad, a, ctx.dim) if gb else None)


def _cross(a, b, dim, name="linalg.cross"):
    if a.ndim != b.ndim:
        raise RuntimeError(f"{name}: inputs must have the same number of dimensions.")
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected scalar type {_word(a)} but found {_word(b)}")
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError as e:
        raise _broadcast_error(e, (a._data, b._data)) from None
    d = _wrap_dim(dim, len(shape))
    a = a.expand(shape) if a.shape != shape else a
    b = b.expand(shape) if b.shape != shape else b
    if shape[d] != 3:
        raise RuntimeError(f"{name}: inputs dimension {dim} must have length 3. Got "
                           f"{a.shape[d]} and {b.shape[d]}")
    return Cross.apply(a, b, dim=d)


@register("cross")
def cross(input, other, dim=None):
    """The cross product of 3-vectors along ``dim`` (default: the first dim of size 3;
    ``ember.linalg.cross`` defaults to the last).

    >>> ember.cross(ember.tensor([1.0, 0, 0]), ember.tensor([0.0, 1, 0]))
    tensor([0., 0., 1.])
    """
    if dim is None:
        shape = np.broadcast_shapes(input.shape, other.shape)
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    else:
        _wrap_dim(dim, max(input.ndim, other.ndim))
    return _cross(input, other, dim)


def _rmatmul(self, other):
    return matmul(other, self)


Tensor.__matmul__ = matmul
Tensor.__rmatmul__ = _rmatmul

from .. import linalg as _linalg  # noqa: E402,F401  (makes ember.linalg importable)
