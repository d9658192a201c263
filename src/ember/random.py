"""Random numbers: the default generator, ``manual_seed``, and ``Generator``.

Every random function draws from a ``Generator`` (the default one unless
``generator=`` is given). A Generator wraps NumPy's 32-bit Mersenne Twister, the same
bit generator torch's CPU generator is.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Generator", "manual_seed", "seed", "initial_seed", "default_generator",
           "get_rng_state", "set_rng_state"]

_DEFAULT_SEED = 67280421310721  # torch's default CPU seed: unseeded runs repeat, as torch's


class Generator:
    """A source of random numbers with its own state.

    >>> g = ember.Generator().manual_seed(0)
    >>> a = ember.rand(2, generator=g)
    """

    def __init__(self, device="cpu"):
        self.manual_seed(_DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Reset the state from ``seed``; returns the generator, as torch."""
        seed = int(seed)
        self._seed = seed
        self._np = np.random.Generator(np.random.MT19937(seed & 0xFFFF_FFFF_FFFF_FFFF))
        return self

    def initial_seed(self) -> int:
        return self._seed

    def seed(self) -> int:
        """Seed from a non-deterministic source and return the seed used."""
        s = int(np.random.SeedSequence().entropy) & 0xFFFF_FFFF_FFFF_FFFF
        self.manual_seed(s)
        return s

    def get_state(self):
        from ._tensor import Tensor

        state = self._np.bit_generator.state
        key = np.asarray(state["state"]["key"], dtype=np.uint32).view(np.uint8)
        pos = np.asarray([state["state"]["pos"]], dtype=np.int64).view(np.uint8)
        return Tensor._make(np.concatenate([key, pos]))

    def set_state(self, new_state) -> Generator:
        raw = new_state._data
        key = raw[:-8].view(np.uint32)
        pos = int(raw[-8:].view(np.int64)[0])
        bg = np.random.MT19937()
        bg.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        self._np = np.random.Generator(bg)
        return self

    # -- the draws used by the creation functions (arrays of the requested dtype) --

    def _uniform(self, shape, dtype) -> np.ndarray:
        return self._np.random(shape, dtype=np.float64).astype(dtype)

    def _normal(self, shape, dtype) -> np.ndarray:
        return self._np.standard_normal(shape, dtype=np.float64).astype(dtype)

    def _integers(self, low, high, shape, dtype) -> np.ndarray:
        return self._np.integers(low, high, size=shape, dtype=np.int64).astype(dtype)


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the default generator, so random draws repeat from run to run.

    >>> _ = ember.manual_seed(0)
    """
    return default_generator.manual_seed(seed)


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)
