"""One executor for independent model runs: in this process, on local worker processes, or on a
Dask cluster. Ensembles (``run``, ``check``, ``compare``) and sweeps both use it. Asked for no
particular number of workers (``workers=None``), it starts worker processes only when the work
left would take longer here than starting them costs (``POOL_START``).

``results(tasks, evaluator, context, …)`` yields ``evaluator(context, task)`` for every task, in
the order the runs finish. The context (a compiled world, parameters…) goes to each worker once,
not with every task. Callers that need an order sort by their task ids, so the results never
depend on the number of workers or the backend.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator

_WORKER: tuple | None = None
POOL_START = 2.0  # seconds to start worker processes (an interpreter importing the model; docs/performance.md)


def cores() -> int:
    """The cores this process may use (the default number of workers)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def results(tasks: Iterable, evaluator: Callable, context, workers: int | None = 1, client=None,
            preload: tuple[str, ...] = ()) -> Iterator:
    """``evaluator(context, task)`` for each task, as the runs finish.

    ``client``: a Dask ``distributed.Client`` (then ``workers`` is ignored); ``workers`` > 1:
    that many local processes (forkserver, with the ``preload`` modules imported before forking);
    ``None``: as many as there are cores, when that pays (``automatic``); otherwise serially in
    this process. The evaluator must be a module-level function.
    """
    if client is not None:
        return _dask(tasks, evaluator, context, client)
    if workers is None:
        return automatic(list(tasks), evaluator, context, cores(), preload)
    if workers > 1:
        return _pool(tasks, evaluator, context, workers, preload)
    return (evaluator(context, task) for task in tasks)


def automatic(tasks: list, evaluator: Callable, context, workers: int, preload: tuple[str, ...]) -> Iterator:
    """Tasks here, one after the other, until the rest would take longer here than on ``workers``
    processes started for them: R > POOL_START + R / workers, with R the time the tasks done so far
    say the rest takes here; then the rest on the pool.
    """
    start = time.perf_counter()
    for done, task in enumerate(tasks, start=1):
        yield evaluator(context, task)
        rest = (time.perf_counter() - start) / done * (len(tasks) - done)
        if workers > 1 and rest * (1.0 - 1.0 / workers) > POOL_START:
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


def _init_worker(evaluator, context) -> None:
    global _WORKER
    _WORKER = (evaluator, context)


def _work(task):
    evaluator, context = _WORKER
    return evaluator(context, task)


def _pool(tasks, evaluator, context, workers: int, preload: tuple[str, ...]) -> Iterator:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(list(preload))  # workers fork with the model imported
    with cf.ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker,
                                initargs=(evaluator, context)) as pool:
        pending, queue = set(), iter(tasks)
        try:
            for task in _take(queue, 4 * workers):
                pending.add(pool.submit(_work, task))
            while pending:
                done, pending = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    yield future.result()
                    for task in _take(queue, 1):
                        pending.add(pool.submit(_work, task))
        finally:
            for future in pending:
                future.cancel()


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
        client.cancel(list(pending))


def _take(iterator, n: int) -> list:
    out = []
    for _ in range(n):
        try:
            out.append(next(iterator))
        except StopIteration:
            break
    return out
