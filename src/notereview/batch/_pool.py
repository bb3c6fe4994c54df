"""The local process pool of a batch run: forkserver (or spawn) processes, one Reviewer per
worker built in its initializer; pass 1's short-lived table readers; and the in-process run
with one worker. A dead process becomes a :class:`BatchError` that says what to do."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from notereview.batch._chunks import _WORKER, ChunkDone, WorkerBase, WorkerConfig, score_chunk
from notereview.batch._model import BatchError
from notereview.extract import TEXT_TABLES, ChunkTask, TableMap


def exit_with_parent() -> None:
    """Pool initializer: the worker exits when the process that started it is gone. A run
    killed with SIGKILL leaves its workers waiting for work for ever (each holds the pipeline's
    memory, and the forkserver lives as long as they do); this thread waits on the parent's
    sentinel instead."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()
        os._exit(1)

    threading.Thread(target=watch, name="notereview-parent-watch", daemon=True).start()


#: The collector's thresholds in a pool process (CPython's default: 700, 10, 10). Scoring a
#: chunk leaves no cyclic garbage (a collection after every chunk of the 10,000-child bench
#: found 0 objects), so the default's frequent collections only walk live objects: about 4% of
#: a worker's time. A collection still runs, only less often.
WORKER_GC_THRESHOLDS = (100_000, 50, 100)


def quiet_gc() -> None:
    """After a pool process's set-up: what it has loaded (a worker's pipeline, rubric and
    policy) lives as long as it does, so the collector stops scanning it (``gc.freeze``) and
    runs less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*WORKER_GC_THRESHOLDS)


def init_worker(base: WorkerBase) -> None:
    """Pool initializer: one Reviewer (rubric, policy, spaCy pipeline) per worker, built now."""
    from notereview.review import Reviewer, keep_torch_out

    exit_with_parent()

    if base.block_torch:
        keep_torch_out()

    reviewer = Reviewer(
        rubric_path=base.rubric_path, policy_path=base.policy_path, models=base.models
    )
    reviewer.versions()  # with models: loads them now, not at the first chunk
    embedder = getattr(reviewer.model_set, "embedder", None)
    if embedder is not None:
        embedder.load()  # MiniLM too (the main process only describes it)
    reviewer.annotator  # noqa: B018 - builds the pipeline before the first chunk
    _WORKER.clear()
    _WORKER.update(config=None, config_path=None, reviewer=reviewer, engine=None)
    quiet_gc()


def _score_in_pool(job: tuple[str, ChunkTask]) -> ChunkDone:
    """A pool task: the run's WorkerConfig (written once by the main process after pass 1, read
    once per worker) and one chunk."""
    config_path, task = job
    if _WORKER.get("config_path") != config_path:
        _WORKER["config"] = pickle.loads(Path(config_path).read_bytes())
        _WORKER["config_path"] = config_path
    return score_chunk(task)


#: What the forkserver imports once, for every pool process it starts to inherit: pandas,
#: pyarrow and the batch modules. Never spaCy: a rules-path worker blocks torch before spaCy
#: first imports it, a models-path worker needs it.
FORKSERVER_PRELOAD = ["__main__", "notereview.batch._pool"]


def pool_context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(FORKSERVER_PRELOAD)  # read when the server starts
    return context


def start_forkserver() -> None:
    """Start the forkserver now, without waiting for it: it imports FORKSERVER_PRELOAD while
    this process goes on; the first pool waits for it only if it is not ready by then."""
    context = pool_context()
    if context.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


def reader_init() -> None:
    """Pool initializer of pass 1's table readers."""
    exit_with_parent()
    quiet_gc()  # a reader's index of ids is not cyclic garbage either: 8% of pass 1's time


@contextlib.contextmanager
def table_readers(workers: int) -> Iterator[TableMap | None]:
    """Pass 1's text tables read in parallel by ``workers`` short-lived processes; None: one
    after another here."""
    if workers < 2:
        yield None
        return
    pool = ProcessPoolExecutor(
        min(workers, len(TEXT_TABLES)), mp_context=pool_context(), initializer=reader_init
    )
    try:
        yield lambda fn, jobs: unbroken(pool.map(fn, jobs), "reading the extract's tables")
    finally:
        stop_pool(pool)


def unbroken(results: Iterable[Any], doing: str) -> Iterator[Any]:
    """The pool's results, or a BatchError that says what to do when one of its processes died
    (killed by the out-of-memory killer or a signal, or crashed): a ``multiprocessing.Pool``
    would wait for that process's task for ever."""
    try:
        yield from results
    except BrokenProcessPool:
        raise BatchError(
            f"a worker process {doing} stopped before it finished: it was killed (by the "
            "kernel's out-of-memory killer or a signal) or it crashed. The chunks already "
            "scored are kept: run the same command again to go on from there (with less memory "
            "to spare, use fewer --workers or a smaller --chunk-size)"
        ) from None


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop a pool at once, as ``Pool.terminate`` did: kill the workers still running (no public
    way before Python 3.14's ``terminate_workers``), then shut it down."""
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        if process.is_alive():
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


def run_in_process(
    todo: list[ChunkTask], config: WorkerConfig, workers: int, reviewer: Any
) -> Iterator[ChunkDone]:
    """One worker: this process, with the main Reviewer (its pipeline is built on first use).
    While it scores, the collector runs as in a pool worker (``quiet_gc``: what is loaded so far
    frozen, collections rare; with the default thresholds they took about a seventh of a
    300-child run's time); the process's settings are put back after."""
    if not todo:
        return
    _WORKER.clear()
    _WORKER.update(config=config, reviewer=reviewer, engine=None)
    thresholds = gc.get_threshold()
    quiet_gc()
    try:
        for task in todo:
            yield score_chunk(task)
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
        if _WORKER.get("engine") is not None:
            _WORKER["engine"].dispose()
        _WORKER.clear()


class LocalPool:
    """The local process pool, started after pass 1 when more than one chunk is to be scored;
    each worker builds its Reviewer (pipeline, models) once, in its initializer."""

    def __init__(self, base: WorkerBase, workers: int) -> None:
        self.workers = workers
        self._pool = ProcessPoolExecutor(
            workers, mp_context=pool_context(), initializer=init_worker, initargs=(base,)
        )
        self._closed = False

    def run(
        self, todo: list[ChunkTask], config: WorkerConfig, workers: int, reviewer: Any
    ) -> Iterator[ChunkDone]:
        if not todo:
            return
        config_path = Path(config.parts_dir).parent / "worker-config.pickle"
        config_path.write_bytes(pickle.dumps(config))
        futures = [self._pool.submit(_score_in_pool, (str(config_path), task)) for task in todo]
        yield from unbroken((f.result() for f in as_completed(futures)), "scoring chunks")

    def close(self) -> None:
        """Stop the workers (again: a no-op)."""
        if self._closed:
            return
        self._closed = True
        stop_pool(self._pool)

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
