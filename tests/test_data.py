"""ember.utils.data against torch.utils.data: datasets, samplers, collation, DataLoader.

Every random order is compared with torch's from the same seed: the samplers draw
from ember's generators with torch's calls, so shuffled batches, random splits and the
seeds of worker processes are torch's.
"""

import collections
import random
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as td

import ember
import ember.utils.data as ed

from conftest import raises_like

LIBS = [(ember, ed), (torch, td)]


def _plain(x):
    """Tensors to (dtype name, nested lists), recursively: comparable across libraries."""
    if isinstance(x, (ember.Tensor, torch.Tensor)):
        return ("tensor", str(x.dtype), tuple(x.shape), x.tolist())
    if isinstance(x, dict):
        return (type(x).__name__, [(k, _plain(v)) for k, v in x.items()])
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return (type(x).__name__, [_plain(v) for v in x])
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_plain(v) for v in x])
    return x


def _both(make):
    """``make(lib, data)`` for ember and for torch, made plain."""
    return [_plain(make(lib, data)) for lib, data in LIBS]


def _same(make):
    e, t = _both(make)
    assert e == t


# ---- datasets ----

def test_tensor_dataset_indexing_and_length():
    _same(lambda lib, D: [D.TensorDataset(lib.arange(6).reshape(3, 2), lib.arange(3))[i]
                          for i in (0, 2, -1, slice(0, 2))])
    _same(lambda lib, D: len(D.TensorDataset(lib.zeros(5, 2))))
    raises_like(lambda: ed.TensorDataset(ember.zeros(3), ember.zeros(4)),
                lambda: td.TensorDataset(torch.zeros(3), torch.zeros(4)))


def test_concat_subset_stack_and_chain_datasets():
    def make(lib, D):
        a = D.TensorDataset(lib.arange(3))
        b = D.TensorDataset(lib.arange(10, 15))
        cat = a + b
        sub = D.Subset(cat, [7, 0, 3])
        stack = D.StackDataset(x=a, y=D.TensorDataset(lib.arange(3) * 2))
        return ([cat[i] for i in range(-8, 8)], len(cat), cat.cumulative_sizes,
                [sub[i] for i in range(3)], len(sub), sub.__getitems__([2, 0]),
                [stack[i] for i in range(3)], len(stack))
    _same(make)
    raises_like(lambda: ed.ConcatDataset([]), lambda: td.ConcatDataset([]))
    cat_e = ed.ConcatDataset([ed.TensorDataset(ember.arange(3))])
    cat_t = td.ConcatDataset([td.TensorDataset(torch.arange(3))])
    raises_like(lambda: cat_e[-4], lambda: cat_t[-4])

    class Numbers(ed.IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n))

        def __len__(self):
            return self.n

    chain = Numbers(2) + Numbers(3)
    assert isinstance(chain, ed.ChainDataset)
    assert list(chain) == [0, 1, 0, 1, 2] and len(chain) == 5


@pytest.mark.parametrize("lengths", [[3, 7], [5, 0, 5], [0.5, 0.5], [0.3, 0.3, 0.4],
                                     [0.33, 0.33, 0.34], [1.0]])
def test_random_split_matches_torch(lengths):
    def make(lib, D):
        g = lib.Generator().manual_seed(7)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [list(s.indices) for s in D.random_split(range(10), lengths, generator=g)]
    _same(make)


def test_random_split_default_generator_and_errors_match_torch():
    ember.manual_seed(3)
    torch.manual_seed(3)
    assert ([list(s) for s in ed.random_split(range(9), [4, 5])]
            == [list(s) for s in td.random_split(range(9), [4, 5])])
    raises_like(lambda: ed.random_split(range(9), [4, 4]),
                lambda: td.random_split(range(9), [4, 4]))
    raises_like(lambda: ed.random_split(range(9), [1.5, -0.5]),
                lambda: td.random_split(range(9), [1.5, -0.5]))
    with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
        ed.random_split(range(1), [0.5, 0.5])


# ---- samplers ----

@pytest.mark.parametrize("kw", [{}, {"replacement": True}, {"num_samples": 25},
                                {"num_samples": 4}, {"replacement": True, "num_samples": 70}])
def test_random_sampler_matches_torch(kw):
    def make(lib, D):
        sampler = D.RandomSampler(range(10), generator=lib.Generator().manual_seed(1), **kw)
        return [list(sampler), list(sampler), len(sampler)]
    _same(make)


def test_random_sampler_without_generator_follows_the_global_seed():
    def make(lib, D):
        lib.manual_seed(11)
        sampler = D.RandomSampler(range(20))
        return [list(sampler), list(sampler), lib.rand(3)]  # and draws as much as torch
    _same(make)


def test_other_samplers_match_torch():
    def make(lib, D):
        g = lib.Generator().manual_seed(4)
        return [list(D.SequentialSampler(range(5))), len(D.SequentialSampler(range(5))),
                list(D.SubsetRandomSampler([10, 20, 30, 40], generator=g)),
                list(D.WeightedRandomSampler([0.1, 0.5, 2.0, 0.0], 30, generator=g)),
                list(D.WeightedRandomSampler([0.1, 0.5, 2.0], 3, replacement=False,
                                             generator=g)),
                list(D.BatchSampler(D.SequentialSampler(range(10)), 3, drop_last=False)),
                list(D.BatchSampler(range(10), 3, drop_last=True)),
                len(D.BatchSampler(range(10), 3, drop_last=False)),
                len(D.BatchSampler(range(10), 3, drop_last=True))]
    _same(make)


@pytest.mark.parametrize("make", [
    lambda D: D.RandomSampler(range(3), num_samples=0),
    lambda D: D.RandomSampler(range(3), replacement=1),
    lambda D: D.BatchSampler(range(3), 0, False),
    lambda D: D.BatchSampler(range(3), 2, drop_last=None),
    lambda D: D.WeightedRandomSampler([1.0], num_samples=True),
    lambda D: D.WeightedRandomSampler([[1.0]], num_samples=1),
])
def test_sampler_errors_match_torch(make):
    err = raises_like(lambda: make(ed), lambda: make(td))
    with pytest.raises(Exception) as t:
        make(td)
    assert str(err) == str(t.value)


# ---- collation ----

Pair = collections.namedtuple("Pair", "a b")

BATCHES = {
    "tensors": lambda lib: [lib.tensor([1.0, 2.0]), lib.tensor([3.0, 4.0])],
    "0-d tensors": lambda lib: [lib.tensor(1), lib.tensor(2)],
    "mixed dtypes": lambda lib: [lib.zeros(2), lib.ones(2, dtype=lib.int64)],
    "floats": lambda lib: [1.5, 2.0, -3.25],
    "ints": lambda lib: [1, 2, 3],
    "bools": lambda lib: [True, False],
    "int then bool": lambda lib: [1, True],
    "strings": lambda lib: ["a", "bc"],
    "bytes": lambda lib: [b"a", b"bc"],
    "numpy arrays": lambda lib: [np.arange(3, dtype=np.int32), np.ones(3, dtype=np.int32)],
    "numpy scalars": lambda lib: [np.float32(1.5), np.float32(2.5)],
    "numpy float64": lambda lib: [np.float64(1.5), np.float64(2.5)],
    "tuples": lambda lib: [(lib.zeros(2), 1, "x"), (lib.ones(2), 2, "y")],
    "lists": lambda lib: [[1, 2.5], [3, 4.5]],
    "dicts": lambda lib: [{"x": lib.zeros(1), "y": [1, 2]}, {"x": lib.ones(1), "y": [3, 4]}],
    "ordered dicts": lambda lib: [collections.OrderedDict(b=1, a=2.0)] * 2,
    "namedtuples": lambda lib: [Pair(lib.zeros(2), 1), Pair(lib.ones(2), 2)],
    "nested": lambda lib: [{"k": [(1, {"z": np.zeros(2)})]}] * 3,
}


@pytest.mark.parametrize("name", list(BATCHES))
def test_default_collate_matches_torch(name):
    _same(lambda lib, D: D.default_collate(BATCHES[name](lib)))


@pytest.mark.parametrize("name", ["tensors", "numpy arrays", "numpy scalars", "tuples",
                                  "lists", "dicts", "namedtuples", "nested", "strings"])
def test_default_convert_matches_torch(name):
    _same(lambda lib, D: [D.default_convert(sample) for sample in BATCHES[name](lib)])


@pytest.mark.parametrize("batch", [
    lambda lib: [lib.zeros(3), lib.zeros(2)],
    lambda lib: [[1, 2], [1]],
    lambda lib: [object()],
    lambda lib: [np.array(["a"])],
    lambda lib: [None],
])
def test_default_collate_errors_match_torch(batch):
    err = raises_like(lambda: ed.default_collate(batch(ember)),
                      lambda: td.default_collate(batch(torch)))
    with pytest.raises(Exception) as t:
        td.default_collate(batch(torch))
    assert str(err) == str(t.value)


# ---- DataLoader ----

class Squares:
    """A map-style dataset that is not a Dataset subclass (any __getitem__ will do)."""

    def __len__(self):
        return 11

    def __getitem__(self, i):
        return {"i": i, "x": np.full(2, i * i, dtype=np.float32), "name": f"s{i}"}


class Counter(td.IterableDataset, ed.IterableDataset):
    """An iterable dataset that splits its range between workers."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = ed.get_worker_info() or td.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))

    def __len__(self):
        return self.n


def _tensor_ds(lib, D):
    return D.TensorDataset(lib.arange(23).reshape(23, 1).float(), lib.arange(23))


LOADERS = {
    "defaults": lambda lib, D: D.DataLoader(_tensor_ds(lib, D)),
    "batch_size": lambda lib, D: D.DataLoader(_tensor_ds(lib, D), batch_size=5),
    "drop_last": lambda lib, D: D.DataLoader(_tensor_ds(lib, D), batch_size=5, drop_last=True),
    "shuffle": lambda lib, D: D.DataLoader(_tensor_ds(lib, D), batch_size=4, shuffle=True,
                                           generator=lib.Generator().manual_seed(0)),
    "sampler": lambda lib, D: D.DataLoader(_tensor_ds(lib, D), batch_size=3, sampler=D.
                                           RandomSampler(range(23), replacement=True,
                                                         generator=lib.Generator().manual_seed(2))),
    "batch_sampler": lambda lib, D: D.DataLoader(
        _tensor_ds(lib, D), batch_sampler=[[0, 5], [22, 1, 2], [7]]),
    "no batching": lambda lib, D: D.DataLoader(Squares(), batch_size=None),
    "dict samples": lambda lib, D: D.DataLoader(Squares(), batch_size=4),
    "collate_fn": lambda lib, D: D.DataLoader(Squares(), batch_size=3,
                                              collate_fn=lambda b: [s["i"] for s in b]),
    "iterable": lambda lib, D: D.DataLoader(Counter(10), batch_size=3),
    "iterable drop_last": lambda lib, D: D.DataLoader(Counter(10), batch_size=3,
                                                      drop_last=True),
    "iterable unbatched": lambda lib, D: D.DataLoader(Counter(4), batch_size=None),
    "plain list": lambda lib, D: D.DataLoader([(1, 2.0), (3, 4.0), (5, 6.0)], batch_size=2),
}


@pytest.mark.parametrize("name", list(LOADERS))
def test_dataloader_batches_match_torch(name):
    def make(lib, D):
        loader = LOADERS[name](lib, D)
        return [list(loader), list(loader), len(loader)]  # two epochs, and the length
    _same(make)


def _rows_ds(lib, D):
    """A TensorDataset with a permuted (non-contiguous) tensor and a 1-d int one."""
    return D.TensorDataset(lib.arange(48.0).reshape(2, 8, 3).permute(1, 2, 0), lib.arange(8) * 3)


@pytest.mark.parametrize("batches", [[[0, 5], [7, 1, 2]], [[-1, -8, 3]], [[np.int64(4), 6]]])
def test_tensor_dataset_batches_match_torch(batches):
    def make(lib, D):
        batch = list(D.DataLoader(_rows_ds(lib, D), batch_sampler=batches))
        return [batch, [[t.is_contiguous() for t in b] for b in batch]]
    _same(make)


def test_tensor_dataset_batches_keep_the_graph_as_torch():
    def make(lib, D):
        x = lib.arange(6.0).reshape(3, 2).requires_grad_()
        (xb,) = next(iter(D.DataLoader(D.TensorDataset(x), batch_size=2)))
        return [xb, xb.requires_grad, xb.grad_fn.name()]
    _same(make)


def test_tensor_dataset_index_errors_match_torch():
    raises_like(lambda: list(ed.DataLoader(_rows_ds(ember, ed), batch_sampler=[[1, 8]])),
                lambda: list(td.DataLoader(_rows_ds(torch, td), batch_sampler=[[1, 8]])))


def test_shuffle_without_generator_follows_the_global_seed():
    def make(lib, D):
        lib.manual_seed(123)
        loader = D.DataLoader(_tensor_ds(lib, D), batch_size=6, shuffle=True)
        return [list(loader), list(loader), lib.rand(2)]
    _same(make)


@pytest.mark.parametrize("name", ["shuffle", "dict samples", "iterable", "drop_last"])
def test_worker_processes_give_torchs_batches(name):
    def make(lib, D):
        loader = LOADERS[name](lib, D)
        kw = dict(batch_size=loader.batch_size, drop_last=loader.drop_last,
                  collate_fn=loader.collate_fn)
        if not isinstance(loader.dataset, td.IterableDataset):
            kw["sampler"] = loader.sampler
        loader = D.DataLoader(loader.dataset, num_workers=2, **kw)
        return [list(loader), len(loader)]
    _same(make)


class Seeds(ed.Dataset):
    """Samples that show the seeds a worker was given."""

    def __init__(self, lib, D):
        self.lib, self.D = lib, D

    def __len__(self):
        return 6

    def __getitem__(self, i):
        info = self.D.get_worker_info()
        return (i, info.id, info.num_workers, info.seed, self.lib.initial_seed(),
                float(self.lib.rand(1)), random.random(), int(np.random.randint(1 << 30)))


def test_workers_are_seeded_as_torch():
    def make(lib, D):
        calls = []
        with warnings.catch_warnings(record=True) as caught:  # more workers than CPUs?
            warnings.simplefilter("always")
            loader = D.DataLoader(Seeds(lib, D), batch_size=2, num_workers=3,
                                  worker_init_fn=calls.append,
                                  generator=lib.Generator().manual_seed(9))
            batches = [list(loader), list(loader)]
        return [batches, [str(w.message) for w in caught]]
    _same(make)


def test_worker_init_fn_runs_in_each_worker():
    def init(worker_id):
        np.random.seed(1000 + worker_id)

    def make(lib, D):
        loader = D.DataLoader(Seeds(lib, D), batch_size=1, num_workers=2, worker_init_fn=init,
                              generator=lib.Generator().manual_seed(0))
        return [b[-1] for b in loader]
    _same(make)


def test_persistent_workers_match_torch():
    def make(lib, D):
        loader = D.DataLoader(Seeds(lib, D), batch_size=2, num_workers=2,
                              persistent_workers=True,
                              generator=lib.Generator().manual_seed(5))
        return [list(loader), list(loader)]
    _same(make)


class Failing(ed.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 2:
            raise ValueError("bad sample 2")
        return i


@pytest.mark.parametrize("workers", [0, 2])
def test_errors_in_samples_reach_the_caller_as_torch(workers):
    err = raises_like(lambda: list(ed.DataLoader(Failing(), num_workers=workers)),
                      lambda: list(td.DataLoader(Failing(), num_workers=workers)))
    assert "bad sample 2" in str(err)
    if workers:
        assert str(err).startswith("Caught ValueError in DataLoader worker process 0.")


def test_worker_info_is_none_in_the_main_process():
    assert ed.get_worker_info() is None


@pytest.mark.parametrize("kw", [
    dict(num_workers=-1), dict(timeout=-1), dict(prefetch_factor=2),
    dict(persistent_workers=True), dict(shuffle=True, sampler=[0, 1]),
    dict(batch_sampler=[[0]], batch_size=2), dict(batch_sampler=[[0]], drop_last=True),
    dict(batch_size=None, drop_last=True), dict(num_workers=1, prefetch_factor=-1),
    dict(multiprocessing_context="fork"),
])
def test_option_errors_match_torch(kw):
    ds = [1, 2, 3]
    err = raises_like(lambda: ed.DataLoader(ds, **kw), lambda: td.DataLoader(ds, **kw))
    with pytest.raises(Exception) as t:
        td.DataLoader(ds, **kw)
    assert str(err) == str(t.value)


@pytest.mark.parametrize("kw", [dict(shuffle=True), dict(sampler=[0]),
                                dict(batch_sampler=[[0]])])
def test_iterable_dataset_option_errors_match_torch(kw):
    err = raises_like(lambda: ed.DataLoader(Counter(3), **kw),
                      lambda: td.DataLoader(Counter(3), **kw))
    assert "IterableDataset" in str(err)


def test_loader_settings_are_frozen_as_torch():
    le, lt = ed.DataLoader([1, 2]), td.DataLoader([1, 2])

    def set_batch_size(loader):
        loader.batch_size = 3

    err = raises_like(lambda: set_batch_size(le), lambda: set_batch_size(lt))
    assert str(err) == "batch_size attribute should not be set after DataLoader is initialized"
