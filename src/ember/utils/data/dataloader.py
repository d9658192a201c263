"""``DataLoader``: batches from a dataset, in the main process or in worker processes.

One pass (``iter(loader)``) runs as torch's does, so seeded runs see the same batches:

1. a base seed is drawn from ``generator`` (or the default generator);
2. the sampler (``RandomSampler`` when ``shuffle=True``) yields indices, which a
   ``BatchSampler`` groups into lists of ``batch_size``;
3. each list is fetched (``dataset[i]`` for each index, or ``dataset.__getitems__``)
   and collated by ``collate_fn`` (``default_collate``).

With ``num_workers > 0`` step 3 runs in worker processes (``multiprocessing``): batch
``k`` goes to worker ``k % num_workers`` (skipping finished ones), at most
``prefetch_factor`` batches ahead per worker, and results come back in order. Worker
``i`` seeds Python's ``random`` and ember with ``base_seed + i`` and NumPy from
``(i, base_seed)``, as torch's workers do; ``get_worker_info()`` tells a dataset which
worker it is running in.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import queue
import random
import traceback
import warnings

import numpy as np

from ._collate import default_collate, default_convert
from .dataset import IterableDataset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, _draw_seed

__all__ = ["DataLoader", "get_worker_info", "WorkerInfo"]

_POLL_SECONDS = 5.0  # how often a waiting loader checks that its workers are alive


class _InfiniteConstantSampler(Sampler):
    """The sampler of an iterable dataset: ``None`` forever (the data decides the end)."""

    def __iter__(self):
        while True:
            yield None


class DataLoader:
    """Iterate over a dataset in batches, as ``torch.utils.data.DataLoader``.

    >>> ds = TensorDataset(ember.randn(10, 3), ember.arange(10))
    >>> loader = DataLoader(ds, batch_size=4, shuffle=True,
    ...                     generator=ember.Generator().manual_seed(0))
    >>> for x, y in loader:
    ...     print(x.shape, y.shape)
    """

    _initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 "
                             "to disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in "
                             "multiprocessing.let num_workers > 0 to enable multiprocessing, "
                             "otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None:
            if num_workers == 0:
                raise ValueError(
                    "multiprocessing_context can only be used with multi-process loading "
                    f"(num_workers > 0), but got num_workers={num_workers}")
            if isinstance(multiprocessing_context, str):
                multiprocessing_context = multiprocessing.get_context(multiprocessing_context)

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order
        self.generator = generator

        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in {False, None}:
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None:
            if self._iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._iterator = None
        self._initialized = True
        _check_worker_count(num_workers)

    def __setattr__(self, name, value) -> None:
        if self._initialized and name in ("batch_size", "batch_sampler", "sampler", "drop_last",
                                          "dataset", "persistent_workers"):
            raise ValueError(f"{name} attribute should not be set after "
                             f"{self.__class__.__name__} is initialized")
        super().__setattr__(name, value)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __iter__(self):
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        _check_worker_count(self.num_workers)
        if not self.persistent_workers:
            return _MultiProcessIter(self)
        if self._iterator is None:
            self._iterator = _MultiProcessIter(self)
        else:
            self._iterator._reset(self)
        return self._iterator

    def __len__(self) -> int:
        if self._iterable:
            length = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else math.ceil(
                    length / self.batch_size)
            return length
        return len(self._index_sampler)


def _check_worker_count(num_workers: int) -> None:
    """torch's warning when there are more workers than CPUs to run them."""
    if not num_workers:
        return
    note = ""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # no cpuset on this platform
        cpus, note = os.cpu_count(), " (`cpuset` is not taken into account)"
    if cpus is None or num_workers > cpus:
        suggestion = ("DataLoader is not able to compute a suggested max number of worker in "
                      "current system." if cpus is None else
                      f"Our suggested max number of worker in current system is {cpus}{note}, "
                      "which is smaller than what this DataLoader is going to create.")
        warnings.warn(
            f"This DataLoader will create {num_workers} worker processes in total. {suggestion} "
            "Please be aware that excessive worker creation might get DataLoader running slow "
            "or even freeze, lower the worker number to avoid potential slowness/freeze if "
            "necessary.", stacklevel=3)


# ---- fetching: indices in, a collated batch out (the same code in a worker) ----

class _MapFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset, self.auto_collation, self.collate_fn = dataset, auto_collation, collate_fn
        # A TensorDataset batched by default_collate: one gather per tensor makes the same
        # batch as a row per sample stacked, without a Python call per sample.
        self.gather = (type(dataset) is TensorDataset and auto_collation
                       and collate_fn is default_collate)

    def fetch(self, index):
        if self.gather:
            batch = self.dataset._rows(index)
            if batch is not None:
                return batch
        if self.auto_collation:
            getitems = getattr(self.dataset, "__getitems__", None)
            data = getitems(index) if getitems else [self.dataset[i] for i in index]
        else:
            data = self.dataset[index]
        return self.collate_fn(data)


class _IterableFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.auto_collation, self.collate_fn, self.drop_last = auto_collation, collate_fn, drop_last
        self.it = iter(dataset)
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if not self.auto_collation:
            return self.collate_fn(next(self.it))
        data = list(itertools.islice(self.it, len(index)))
        if len(data) < len(index):
            self.ended = True
        if not data or (self.drop_last and len(data) < len(index)):
            raise StopIteration
        return self.collate_fn(data)


def _fetcher(loader_kind_iterable, dataset, auto_collation, collate_fn, drop_last):
    kind = _IterableFetcher if loader_kind_iterable else _MapFetcher
    return kind(dataset, auto_collation, collate_fn, drop_last)


class _BaseIter:
    """One pass over a loader: the sampler's iterator and the base seed of the pass."""

    def __init__(self, loader: DataLoader) -> None:
        self._dataset = loader.dataset
        self._iterable = loader._iterable
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._collate_fn = loader.collate_fn
        self._timeout = loader.timeout
        self._persistent = loader.persistent_workers
        if loader.pin_memory:
            warnings.warn("'pin_memory' argument is set as true but no accelerator is found, "
                          "then device pinned memory won't be used.", stacklevel=3)
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = _draw_seed(loader.generator)  # after iter(sampler), as torch
        self._num_yielded = 0

    def __iter__(self):
        return self

    def __len__(self) -> int:
        return len(self._index_sampler)

    def _reset(self, loader) -> None:
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0

    def _next_index(self):
        return next(self._sampler_iter)

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        return data


class _SingleProcessIter(_BaseIter):
    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        self._fetcher = _fetcher(self._iterable, self._dataset, self._auto_collation,
                                 self._collate_fn, self._drop_last)

    def _next_data(self):
        return self._fetcher.fetch(self._next_index())


# ---- worker processes ----

class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker: ``id``, ``num_workers``,
    ``seed`` and ``dataset`` (this worker's copy)."""

    def __init__(self, **kwargs) -> None:
        self.__dict__.update(kwargs)

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v}" for k, v in self.__dict__.items())
        return f"{self.__class__.__name__}({fields})"


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """The ``WorkerInfo`` of the worker process this runs in; None in the main process.

    >>> class Shards(IterableDataset):
    ...     def __iter__(self):
    ...         info = get_worker_info()
    ...         start = 0 if info is None else info.id
    ...         step = 1 if info is None else info.num_workers
    ...         return iter(range(start, 100, step))
    """
    return _worker_info


class _ExceptionWrapper:
    """An exception raised in a worker, carried to the main process and raised there."""

    def __init__(self, exc: BaseException, worker_id: int) -> None:
        self.exc_type = type(exc)
        self.msg = (f"Caught {self.exc_type.__name__} in DataLoader worker process "
                    f"{worker_id}.\nOriginal {traceback.format_exc()}")

    def reraise(self):
        try:
            exc = self.exc_type(self.msg)
        except Exception:  # an exception type that takes other arguments
            raise RuntimeError(self.msg) from None
        raise exc


class _IterableEnd:
    """A worker's answer once its copy of an iterable dataset is exhausted."""

    def __init__(self, worker_id: int) -> None:
        self.worker_id = worker_id


class _Resume:
    """Start a new pass (persistent workers); the worker echoes it back."""


def _numpy_seed(base_seed: int, worker_id: int) -> list:
    # torch hashes (worker_id, base_seed) with the SeedSequence algorithm; NumPy's own
    # SeedSequence gives the same four words.
    entropy = [worker_id, base_seed & 0xFFFF_FFFF, base_seed >> 32, 0]
    return np.random.SeedSequence(entropy).generate_state(4).tolist()


def _worker_loop(iterable, dataset, index_queue, data_queue, done, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers):
    """The body of a worker process: fetch each batch of indices it is sent."""
    global _worker_info
    import ember

    seed = base_seed + worker_id
    random.seed(seed)
    ember.manual_seed(seed)
    np.random.seed(_numpy_seed(base_seed, worker_id))
    _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                              dataset=dataset)
    init_error = None
    try:
        if init_fn is not None:
            init_fn(worker_id)
        fetcher = _fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
    except Exception as e:
        init_error = _ExceptionWrapper(e, worker_id)
    exhausted = False
    while True:
        try:
            task = index_queue.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            if done.is_set():
                break
            continue
        if task is None:
            break
        if isinstance(task, _Resume):
            data_queue.put((task, None))
            exhausted = False
            if init_error is None:
                fetcher = _fetcher(iterable, dataset, auto_collation, collate_fn, drop_last)
            continue
        if done.is_set() or exhausted:
            continue  # finishing: drop the remaining tasks
        idx, index = task
        if init_error is not None:
            data, init_error = init_error, None
        else:
            try:
                data = fetcher.fetch(index)
            except StopIteration as e:
                if iterable:
                    data, exhausted = _IterableEnd(worker_id), True
                else:
                    data = _ExceptionWrapper(e, worker_id)
            except Exception as e:
                data = _ExceptionWrapper(e, worker_id)
        data_queue.put((idx, data))
        del data, idx, index  # free the batch before waiting for the next task
    if done.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()


class _MultiProcessIter(_BaseIter):
    """A pass served by worker processes; results are returned in sampler order."""

    def __init__(self, loader: DataLoader) -> None:
        super().__init__(loader)
        self._prefetch = loader.prefetch_factor
        if self._prefetch <= 0:
            raise ValueError("prefetch_factor must be greater than 0 for "
                             "MultiProcessingDataLoaderIter")
        ctx = loader.multiprocessing_context or multiprocessing.get_context()
        self._done = ctx.Event()
        self._data_queue = ctx.Queue()
        self._index_queues, self._workers = [], []
        for wid in range(self._num_workers):
            index_queue = ctx.Queue()
            index_queue.cancel_join_thread()
            w = ctx.Process(target=_worker_loop, daemon=True, args=(
                self._iterable, self._dataset, index_queue, self._data_queue, self._done,
                self._auto_collation, self._collate_fn, self._drop_last, self._base_seed,
                loader.worker_init_fn, wid, self._num_workers))
            w.start()
            self._index_queues.append(index_queue)
            self._workers.append(w)
        self._shutdown = False
        self._start_pass(first=True)

    def _reset(self, loader) -> None:
        super()._reset(loader)
        self._start_pass(first=False)

    def _start_pass(self, first: bool) -> None:
        self._send_idx = 0  # next task to send
        self._rcvd_idx = 0  # next task to return
        self._task_info: dict = {}  # idx -> (worker,) while out, (worker, data) when back
        self._outstanding = 0
        self._active = [True] * self._num_workers
        self._cycle = itertools.cycle(range(self._num_workers))
        if not first:
            for q in self._index_queues:
                q.put(_Resume())
            waiting = self._num_workers
            while waiting > 0:  # drop what the last pass left, until every worker restarted
                idx, _ = self._get_data()
                if isinstance(idx, _Resume):
                    waiting -= 1
        for _ in range(self._prefetch * self._num_workers):
            self._try_put_index()

    def _try_put_index(self) -> None:
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):
            wid = next(self._cycle)
            if self._active[wid]:
                break
        else:
            return
        self._index_queues[wid].put((self._send_idx, index))
        self._task_info[self._send_idx] = (wid,)
        self._outstanding += 1
        self._send_idx += 1

    def _get_data(self):
        """The next (idx, data) from any worker; errors if a worker died or time ran out."""
        wait = self._timeout if self._timeout > 0 else _POLL_SECONDS
        while True:
            try:
                return self._data_queue.get(timeout=wait)
            except queue.Empty:
                dead = [w for w, on in zip(self._workers, self._active)
                        if on and not w.is_alive()]
                if dead:
                    pids = ", ".join(str(w.pid) for w in dead)
                    self._shutdown_workers()
                    raise RuntimeError(
                        f"DataLoader worker (pid(s) {pids}) exited unexpectedly") from None
                if self._timeout > 0:
                    self._shutdown_workers()
                    raise RuntimeError(
                        f"DataLoader timed out after {self._timeout} seconds") from None

    def _next_data(self):
        while True:
            # Skip tasks of workers that finished (their iterable data ran out).
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info is not None and (len(info) == 2 or self._active[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent:
                    self._shutdown_workers()
                raise StopIteration
            info = self._task_info[self._rcvd_idx]
            if len(info) == 2:
                del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
                return self._process(info[1])
            idx, data = self._get_data()
            if isinstance(idx, _Resume):
                continue
            self._outstanding -= 1
            if isinstance(data, _IterableEnd):
                self._active[data.worker_id] = False
                if not self._persistent:
                    self._index_queues[data.worker_id].put(None)
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                self._task_info[idx] += (data,)  # early: keep it until its turn
                continue
            del self._task_info[idx]
            self._rcvd_idx += 1
            return self._process(data)

    def _process(self, data):
        self._try_put_index()
        if isinstance(data, _ExceptionWrapper):
            data.reraise()
        return data

    def _shutdown_workers(self) -> None:
        if self._shutdown:
            return
        self._shutdown = True
        self._done.set()
        for q in self._index_queues:
            try:
                q.put(None)
            except (OSError, ValueError):
                pass
        for w in self._workers:
            w.join(timeout=_POLL_SECONDS)
            if w.is_alive():
                w.terminate()
        for q in self._index_queues:
            q.cancel_join_thread()
            q.close()
        self._data_queue.cancel_join_thread()
        self._data_queue.close()

    def __del__(self):
        if getattr(self, "_workers", None) is not None:
            self._shutdown_workers()
