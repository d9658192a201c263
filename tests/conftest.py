"""Shared test set-up: hypothesis profiles, and helpers that compare ember with torch.

torch is the oracle: each test runs the same code on both libraries and compares
values, dtypes, shapes, gradients and printed text.
"""

import os
import threading

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, settings

import ember

settings.register_profile("ci", max_examples=25, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

STRESS_FULL = os.environ.get("EMBER_STRESS") == "full"

if os.environ.get("EMBER_TEST_SCALARS"):
    # `make test` runs the suite a second time this way: every 0-d tensor a creation
    # function makes holds a NumPy scalar, as ember's own 0-d op results do (see
    # Tensor._array), so every test also checks the code paths that receive one.
    import ember._creation as _creation

    _make_tensor = _creation._finish

    def _scalar_finish(data, requires_grad):
        if data.ndim == 0 and not requires_grad:
            data = data[()]
        return _make_tensor(data, requires_grad)

    _creation._finish = _scalar_finish


def to_numpy(t):
    """The values of an ember or torch tensor (or a number) as a NumPy array."""
    if isinstance(t, ember.Tensor):
        return t.detach().numpy()
    if isinstance(t, torch.Tensor):
        return t.detach().numpy(force=True)  # force: torch's ZeroTensor results
    return np.asarray(t)


def assert_same(e, t, *, rtol=None, atol=None, exact=False):
    """ember result ``e`` equals torch result ``t``: dtype, shape and values."""
    if isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)) and len(e) == len(t)
        for a, b in zip(e, t):
            assert_same(a, b, rtol=rtol, atol=atol, exact=exact)
        return
    if t is None:
        assert e is None
        return
    assert isinstance(e, ember.Tensor), f"expected an ember Tensor, got {type(e)}"
    assert str(e.dtype) == str(t.dtype), f"dtype {e.dtype} != torch's {t.dtype}"
    assert tuple(e.shape) == tuple(t.shape), f"shape {e.shape} != torch's {t.shape}"
    a, b = to_numpy(e), to_numpy(t)
    if exact or a.dtype.kind in "biu":
        np.testing.assert_array_equal(a, b)
        return
    if rtol is None:
        rtol = {np.float16: 1e-2, np.float32: 1e-5}.get(a.dtype.type, 1e-10)
    if atol is None:
        atol = {np.float16: 1e-2, np.float32: 1e-6}.get(a.dtype.type, 1e-12)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def pair(array, requires_grad=False):
    """The same values as an ember tensor and a torch tensor."""
    array = np.array(array)
    e = ember.tensor(array, requires_grad=requires_grad)
    t = torch.tensor(array, requires_grad=requires_grad)
    return e, t


def raises_like(fn_ember, fn_torch):
    """Both calls raise, and ember raises torch's exception type. Returns ember's."""
    with pytest.raises(Exception) as t_info:
        fn_torch()
    expected = type(t_info.value)
    with pytest.raises(Exception) as e_info:
        fn_ember()
    got = type(e_info.value)
    # torch raises subclasses of the builtin types (torch.OutOfMemoryError, ...);
    # what users catch is the builtin one.
    base = next(c for c in expected.__mro__ if c.__module__ == "builtins")
    assert issubclass(got, base), f"ember raised {got.__name__}, torch {expected.__name__}"
    return e_info.value


def run_threads(*fns):
    """Run ``fns`` at once (released together by a barrier); re-raise their errors.
    Returns their results in order."""
    barrier, errors, results = threading.Barrier(len(fns)), [], [None] * len(fns)

    def target(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except BaseException as e:  # noqa: B036 - handed to the main thread
            errors.append(e)

    threads = [threading.Thread(target=target, args=(i, f)) for i, f in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results
