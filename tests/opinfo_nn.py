"""OpInfo rows for ember.nn.functional (activations, linear layers, embeddings,
distances) and ember.softmax / log_softmax. See opinfo.py for what a row means.

Rows of functions that live only in ``nn.functional`` are named ``nn.functional.<name>``;
their ``op`` calls ``lib.nn.functional.<name>`` on either library.
"""

from opinfo import UNARY, OpInfo


def F(name, variant="", call=None, samples=None, **kw):
    """A row for ``nn.functional.<name>``; ``call(F, *xs)`` defaults to ``F.<name>(*xs)``."""
    call = call or (lambda f, *xs: getattr(f, name)(*xs))
    return OpInfo(f"nn.functional.{name}", variant,
                  lambda lib, *xs: call(lib.nn.functional, *xs),
                  samples if samples is not None else list(UNARY), **kw)


# a 3-d sample and a non-contiguous one (the transpose is taken inside the call)
MORE = [(2, 3, 4)]
T = (lambda f, x: f(x.t()))

ROWS = [
    OpInfo("softmax", "", lambda lib, x: lib.softmax(x, -1), UNARY + MORE),
    OpInfo("softmax", "dim0", lambda lib, x: x.softmax(0), UNARY + MORE),
    OpInfo("softmax", "t", lambda lib, x: lib.softmax(x.t(), 1), [(3, 4)]),
    OpInfo("log_softmax", "", lambda lib, x: lib.log_softmax(x, -1), UNARY + MORE),
    OpInfo("log_softmax", "dim1", lambda lib, x: x.log_softmax(1), [(2, 3), (2, 3, 4)]),
    OpInfo("log_softmax", "t", lambda lib, x: lib.log_softmax(x.t(), 0), [(3, 4)]),
    F("softmax", "", lambda f, x: f.softmax(x, dim=-1), UNARY + MORE),
    F("log_softmax", "", lambda f, x: f.log_softmax(x, dim=1), [(2, 3), (2, 3, 4)]),
    F("softmin", "", lambda f, x: f.softmin(x, dim=0), UNARY + MORE),
    F("relu", away_from=(0,)),
    F("relu6", samples=UNARY + MORE, low=-1, high=7, away_from=(0, 6)),
    F("leaky_relu", "", lambda f, x: f.leaky_relu(x, 0.2), away_from=(0,)),
    F("hardtanh", "", lambda f, x: f.hardtanh(x), away_from=(-1, 1)),
    F("hardtanh", "bounds", lambda f, x: f.hardtanh(x, -0.5, 1.5), away_from=(-0.5, 1.5)),
    F("threshold", "", lambda f, x: f.threshold(x, 0.5, -2.0), away_from=(0.5,)),
    F("elu", samples=UNARY + MORE, away_from=(0,)),
    F("elu", "alpha", lambda f, x: f.elu(x, 0.5), away_from=(0,)),
    F("selu", away_from=(0,)),
    F("celu", "", lambda f, x: f.celu(x, 2.0), away_from=(0,)),
    F("gelu", samples=UNARY + MORE, low=-4, high=4),
    F("gelu", "tanh", lambda f, x: f.gelu(x, approximate="tanh"), low=-4, high=4),
    F("gelu", "t", lambda f, x: f.gelu(x.t()), [(3, 4)]),
    F("silu", low=-6, high=6),
    F("mish", low=-6, high=6),
    F("softplus", low=-6, high=6),
    F("softplus", "beta_threshold", lambda f, x: f.softplus(x, 2.0, 2.0), away_from=(1,)),
    F("softsign"),
    F("sigmoid"),
    F("tanh"),
    F("hardsigmoid", low=-4, high=4, away_from=(-3, 3), gradgrad=False),  # torch: no 2nd
    F("hardswish", low=-4, high=4, away_from=(-3, 3)),
    F("prelu", "", None, [((2, 3), (1,)), ((2, 3, 4), (3,)), ((3,), (1,)), ((2, 3), (3,))],
      away_from=(0,)),
    F("linear", "", None, [((2, 3), (4, 3), (4,)), ((3,), (4, 3), (4,)),
                           ((2, 5, 3), (4, 3), (4,)), ((0, 3), (4, 3), (4,))]),
    F("linear", "nobias", None, [((2, 3), (4, 3)), ((3,), (4, 3)), ((2, 5, 3), (4, 3))]),
    F("linear", "t", lambda f, x, w, b: f.linear(x.t(), w, b), [((3, 2), (4, 3), (4,))]),
    F("bilinear", "", None, [((2, 3), (2, 4), (5, 3, 4), (5,)),
                             ((2, 6, 3), (2, 6, 4), (5, 3, 4), (5,))]),
    F("bilinear", "nobias", None, [((2, 3), (2, 4), (5, 3, 4))]),
    F("normalize", "", None, [(2, 3), (3, 4, 2)], low=0.2),
    F("normalize", "p1_dim0", lambda f, x: f.normalize(x, p=1.0, dim=0), [(2, 3)],
      away_from=(0,)),
    F("cosine_similarity", "", None, [((2, 3), (2, 3)), ((4, 2, 3), (4, 2, 3))]),
    F("cosine_similarity", "dim_broadcast", lambda f, a, b: f.cosine_similarity(a, b, dim=-1),
      [((2, 3), (3,)), ((4, 1, 3), (1, 5, 3))]),
    F("pairwise_distance", "", None, [((2, 3), (2, 3)), ((3,), (3,)), ((2, 3), (3,))]),
    F("pairwise_distance", "p1", lambda f, a, b: f.pairwise_distance(a, b, p=1.0),
      [((2, 3), (2, 3))], gradgrad=False),
    F("embedding", "", lambda f, w: f.embedding(_idx(w, [[0, 2], [1, 0]]), w), [(3, 4)]),
    F("embedding", "padding_idx", lambda f, w: f.embedding(_idx(w, [3, 0, 3, 1]), w,
                                                             padding_idx=3), [(5, 2)],
      grad=False),  # torch's chosen gradient is not the derivative: tested in test_nn_*
    F("embedding", "freq", lambda f, w: f.embedding(_idx(w, [2, 2, 0, 2]), w,
                                                      scale_grad_by_freq=True), [(4, 3)],
      grad=False),
    F("embedding_bag", "sum", lambda f, w: f.embedding_bag(
        _idx(w, [0, 2, 1, 1, 3]), w, _idx(w, [0, 2, 2]), mode="sum"), [(4, 3)]),
    F("embedding_bag", "mean_2d", lambda f, w: f.embedding_bag(
        _idx(w, [[0, 2], [1, 3], [3, 3]]), w, mode="mean", padding_idx=3), [(4, 3)]),
    F("embedding_bag", "weights", lambda f, w, p: f.embedding_bag(
        _idx(w, [0, 2, 1, 1]), w, _idx(w, [0, 1]), mode="sum", per_sample_weights=p),
      [((4, 3), (4,))], gradgrad=False),  # torch has no second derivative here
    F("embedding_bag", "last_offset", lambda f, w: f.embedding_bag(
        _idx(w, [0, 2, 1, 1]), w, _idx(w, [0, 1, 4]), include_last_offset=True), [(4, 3)]),
]


def _idx(like, values):
    """An int64 index tensor of ``like``'s library (ember or torch)."""
    lib = __import__(type(like).__module__.split(".")[0])
    return lib.tensor(values)
