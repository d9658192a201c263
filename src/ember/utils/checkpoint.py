"""ember.utils.checkpoint: trade compute for memory by recomputing in backward.

``checkpoint(fn, *args)`` runs ``fn`` without keeping its intermediate tensors; when
backward reaches it, ``fn`` runs again with grad mode on and the gradient flows
through the recomputed graph, to ``args`` and to any parameters ``fn`` uses.
"""

from __future__ import annotations

from ..autograd.engine import backward as _backward
from ..autograd.function import UserFunction
from ..autograd.grad_mode import enable_grad, no_grad

__all__ = ["checkpoint", "checkpoint_sequential"]


class _Checkpoint(UserFunction):
    name = "CheckpointFunctionBackward"

    @staticmethod
    def forward(ctx, fn, *args):
        ctx.fn = fn
        ctx.save_for_backward(*[a for a in args if _is_tensor(a)])
        ctx.args = args
        with no_grad():
            return fn(*args)

    @staticmethod
    def backward(ctx, *grads):
        saved = iter(ctx.saved_tensors)
        args = []
        for a in ctx.args:
            if _is_tensor(a):
                t = next(saved).detach()
                t.requires_grad = a.requires_grad
                args.append(t)
            else:
                args.append(a)
        with enable_grad():
            out = ctx.fn(*args)
        outs = out if isinstance(out, tuple) else (out,)
        pairs = [(o, g) for o, g in zip(outs, grads)
                 if _is_tensor(o) and o.requires_grad and g is not None]
        if pairs:
            _backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None,) + tuple(a.grad if _is_tensor(a) else None for a in args)


def _is_tensor(x) -> bool:
    from .._tensor import Tensor

    return isinstance(x, Tensor)


def checkpoint(function, *args, use_reentrant=None, preserve_rng_state=True, **kwargs):
    """``function(*args)``, recomputed during backward instead of stored.

    >>> y = ember.utils.checkpoint.checkpoint(lambda x: x.exp().sin(), x,
    ...                                       use_reentrant=False)
    """
    if kwargs:
        return checkpoint(lambda *a: function(*a, **kwargs), *args,
                          use_reentrant=use_reentrant)
    return _Checkpoint.apply(function, *args)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run ``functions`` (a Sequential or a list of modules) in ``segments`` checkpointed
    chunks."""
    functions = list(functions.children()) if hasattr(functions, "children") else \
        list(functions)
    size = max(1, len(functions) // segments)

    def run(start, end):
        def chunk(x):
            for f in functions[start:end]:
                x = f(x)
            return x
        return chunk

    for start in range(0, len(functions), size):
        input = checkpoint(run(start, start + size), input, use_reentrant=use_reentrant)
    return input
