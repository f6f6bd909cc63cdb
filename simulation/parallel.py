"""One executor for independent model runs: in this process, on local worker processes, or on a
Dask cluster. Ensembles (``run``, ``check``, ``compare``, ``backtest``) and sweeps all use it.

``results(tasks, evaluator, context, …)`` yields ``evaluator(context, task)`` for every task, in
the order the runs finish. The context (a compiled world, parameters…) goes to each worker once,
not with every task. Callers that need an order sort by their task ids, so the results never
depend on the number of workers or the backend. Close the iterator when you stop early
(``contextlib.closing``): runs in flight are then abandoned, never waited for.

The number of workers: as asked; if not asked (``None``), ``ALLIANCE_SIM_WORKERS`` when it is
set, else every core once the work left would take longer here than starting them (``pays``).

Stopping (Ctrl-C, SIGTERM, an error, a closed iterator) abandons what is in flight: local worker
processes are killed (they hold nothing worth keeping: results come back whole or not at all)
and Dask futures cancelled. Workers ignore SIGINT (a terminal sends it to the whole process
group: the main process decides) and end themselves if the main process dies (SIGKILL, the
out-of-memory killer), so that none is ever left running on its own.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator

from . import interrupt, limits, tuning

_WORKER: tuple | None = None
_LIMITS = None  # a worker's BLAS thread limit, held for its lifetime
POOL_START = 2.0  # seconds to start worker processes (an interpreter importing the model; docs/performance.md)
WORKERS_VARIABLE = "ALLIANCE_SIM_WORKERS"


def cores() -> int:
    """The cores this process may use (the default number of workers)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers() -> int | None:
    """``ALLIANCE_SIM_WORKERS`` as a number (None when unset: decide by ``pays``)."""
    value = os.environ.get(WORKERS_VARIABLE, "").strip()
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= limits.MAX_WORKERS:
        raise ValueError(f"{WORKERS_VARIABLE}={value}: must be a whole number from 1 to {limits.MAX_WORKERS}")
    return int(value)


def results(tasks: Iterable, evaluator: Callable, context, workers: int | None = 1, client=None,
            preload: tuple[str, ...] = ()) -> Iterator:
    """``evaluator(context, task)`` for each task, as the runs finish.

    ``client``: a Dask ``distributed.Client`` (then ``workers`` is ignored); ``workers`` > 1:
    that many local processes (forkserver, with the ``preload`` modules imported before forking);
    ``None``: ``ALLIANCE_SIM_WORKERS``, or as many as there are cores when that pays
    (``automatic``); otherwise serially in this process. The evaluator must be a module-level
    function.
    """
    if client is not None:
        return _dask(tasks, evaluator, context, client)
    if workers is None:
        workers = default_workers()
    if workers is None:
        return automatic(list(tasks), evaluator, context, cores(), preload)
    if workers > 1:
        return _pool(tasks, evaluator, context, workers, preload)
    return _here(tasks, evaluator, context)


def _here(tasks: Iterable, evaluator: Callable, context) -> Iterator:
    """The tasks in this process, one after the other."""
    for task in tasks:
        yield evaluator(context, task)


def pays(elapsed: float, done: int, total: int, workers: int, start: float = POOL_START) -> bool:
    """Whether the tasks left would take longer here than on ``workers`` processes started for them:
    R (1 − 1/workers) > ``start``, with R = ``elapsed`` / ``done`` × the tasks left.
    """
    rest = elapsed / max(done, 1) * (total - done)
    return workers > 1 and rest * (1.0 - 1.0 / workers) > start


def automatic(tasks: list, evaluator: Callable, context, workers: int, preload: tuple[str, ...],
              clock: Callable[[], float] = time.perf_counter) -> Iterator:
    """Tasks here, one after the other, until the rest would take longer here than on ``workers``
    processes started for them (``pays``); then the rest on the pool.
    """
    start = clock()
    for done, result in enumerate(_here(tasks, evaluator, context), start=1):
        yield result
        if pays(clock() - start, done, len(tasks), workers):
            yield from _pool(tasks[done:], evaluator, context, workers, preload)
            return


def batches(items: list, size: int, workers: int = 1) -> list[list]:
    """``items`` in order, cut into consecutive batches of at most ``size``, and into at least
    ``workers`` batches when there are that many items (so that every worker has work).
    """
    if not items:
        return []
    count = max(-(-len(items) // max(size, 1)), min(workers, len(items)))
    cuts = [len(items) * i // count for i in range(count + 1)]
    return [items[a:b] for a, b in zip(cuts, cuts[1:])]


# ------------------------------------------------------------------------------- local processes
def _init_worker(evaluator, context, main_pid: int) -> None:
    global _WORKER, _LIMITS
    _WORKER = (evaluator, context)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the main process decides
    _end_with(main_pid)
    tuning.keep_freed_memory()  # a process of our own, for its lifetime
    _LIMITS = tuning.one_blas_thread()


def _end_with(pid: int) -> None:
    """End this worker as soon as process ``pid`` (the main process) has ended, however it ended."""
    try:
        handle = os.pidfd_open(pid)
    except (AttributeError, OSError):  # not Linux >= 5.3: the main process kills its workers itself
        return

    def watch() -> None:
        import select

        select.select([handle], [], [])
        os._exit(1)

    threading.Thread(target=watch, name="end-with-main", daemon=True).start()


def _work(task):
    evaluator, context = _WORKER
    return evaluator(context, task)


def _pool(tasks, evaluator, context, workers: int, preload: tuple[str, ...]) -> Iterator:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(preload))  # workers fork with the model imported
    pool = cf.ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                                  initargs=(evaluator, context, os.getpid()))
    finished = False
    with interrupt.on_force(lambda: _kill(_processes(pool))):
        try:
            pending, queue = set(), iter(tasks)
            for task in _take(queue, 4 * workers):
                pending.add(pool.submit(_work, task))
            while pending:
                done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    yield future.result()
                    for task in _take(queue, 1):
                        pending.add(pool.submit(_work, task))
            finished = True
        finally:
            if finished:
                pool.shutdown(wait=True)
            else:
                _abandon(pool)


def _processes(pool: cf.ProcessPoolExecutor) -> list:
    return list((getattr(pool, "_processes", None) or {}).values())  # Python 3.14: pool.kill_workers()


def _abandon(pool: cf.ProcessPoolExecutor) -> None:
    """Stop a pool now: queued tasks cancelled, workers killed (runs in flight are lost)."""
    processes = _processes(pool)
    pool.shutdown(wait=False, cancel_futures=True)
    _kill(processes)
    for process in processes:
        with contextlib.suppress(Exception):
            process.join()


def _kill(processes: list) -> None:
    for process in processes:
        with contextlib.suppress(Exception):
            process.kill()


# ------------------------------------------------------------------------------- Dask
def _dask(tasks, evaluator, context, client) -> Iterator:
    from distributed import as_completed

    shared = client.scatter(context, broadcast=True)
    queue = iter(tasks)
    window = 4 * max(sum(client.nthreads().values()), 1)
    pending = {client.submit(evaluator, shared, t, pure=False) for t in _take(queue, window)}
    stream = as_completed(pending)
    try:
        for future in stream:
            pending.discard(future)
            yield future.result()
            future.release()
            for task in _take(queue, 1):
                nxt = client.submit(evaluator, shared, task, pure=False)
                pending.add(nxt)
                stream.add(nxt)
    finally:
        if pending:  # stopped early: nothing in flight is waited for (a running task ends on its own)
            with contextlib.suppress(Exception):  # a scheduler that does not answer must not hide why we stopped
                client.cancel(list(pending), force=True)


def _take(iterator, n: int) -> list:
    out = []
    for _ in range(n):
        try:
            out.append(next(iterator))
        except StopIteration:
            break
    return out
