"""ember.nn: modules, layers, functional forms and initialisation, as torch.nn.

>>> import ember.nn as nn
>>> import ember.nn.functional as F
>>> model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
"""

from . import functional, init, utils
from .modules import *  # noqa: F403
from .modules import __all__ as _modules_all
from .parameter import Buffer, Parameter

__all__ = ["Parameter", "Buffer", "functional", "init", "utils", *_modules_all]

# Losses (modules/loss.py).
from .modules import loss as _loss  # noqa: E402
from .modules.loss import *  # noqa: E402,F403

__all__ += _loss.__all__

# Convolution, pooling, normalisation and resampling layers.
from .modules import batchnorm, conv, normalization, pixelshuffle, pooling, upsampling  # noqa: E402
from .modules.batchnorm import *  # noqa: E402,F403
from .modules.conv import *  # noqa: E402,F403
from .modules.normalization import *  # noqa: E402,F403
from .modules.pixelshuffle import *  # noqa: E402,F403
from .modules.pooling import *  # noqa: E402,F403
from .modules.upsampling import *  # noqa: E402,F403

__all__ += [n for m in (batchnorm, conv, normalization, pixelshuffle, pooling, upsampling)
            for n in m.__all__]

# Recurrent layers (modules/rnn.py).
from .modules import rnn as _rnn  # noqa: E402
from .modules.rnn import *  # noqa: E402,F403

__all__ += _rnn.__all__

# Attention and transformers (modules/attention.py, modules/transformer.py).
from .modules import attention as _attention_modules  # noqa: E402
from .modules import transformer as _transformer  # noqa: E402
from .modules.attention import *  # noqa: E402,F403
from .modules.transformer import *  # noqa: E402,F403

__all__ += _attention_modules.__all__ + _transformer.__all__
