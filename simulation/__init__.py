"""alliance-sim: an agent-based model of alliance dynamics between states (Mesa).

Python API::

    from simulation import load_scenario, run
    result = run(load_scenario("korea_russia_2024"), seed=1, replicates=10)
    result.states  # pandas DataFrame: one row per replicate × step × state

Names are imported on first use, so that ``import simulation.params`` stays light.
"""

import os
import sys
from importlib import import_module

# The model's matrices are small (N ≤ 250 states): one BLAS thread is 2–4× faster than several on
# a busy machine, and worker processes do not oversubscribe the cores (docs/performance.md). This
# takes effect when NumPy is first imported after it; a value already set in the environment wins.
for _var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def _keep_freed_memory() -> None:
    """Ask glibc's allocator to keep freed memory for reuse instead of returning it at once.

    By default glibc maps large blocks afresh and trims the top of its heap as soon as 2 × 128 KB
    or so is free, so the model's N × N temporaries (300 KB each at 195 states) and each new
    model's records keep landing on new pages, each faulted in by the kernel on first touch: at
    195 states ~40 MB of new pages per run, a third of a run's time in the first runs of a
    process (docs/performance.md §4). Kept memory is reused without faults. glibc only (Linux);
    ``ALLIANCE_SIM_MALLOC=default`` leaves the allocator alone.
    """
    if os.environ.get("ALLIANCE_SIM_MALLOC", "") == "default" or not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl, …): nothing to tune
        return
    m_trim_threshold, m_top_pad, m_mmap_threshold = -1, -2, -3  # <malloc.h>
    mallopt(m_mmap_threshold, 256 << 20)  # blocks up to 256 MB from the heap, not fresh maps
    mallopt(m_trim_threshold, 1 << 30)  # give memory back once 1 GB of it is free, not 256 KB
    mallopt(m_top_pad, 64 << 20)  # grow the heap 64 MB at a time


_keep_freed_memory()

__all__ = ["RunResult", "ScenarioError", "load_scenario", "run"]
_WHERE = {"RunResult": "runner", "run": "runner", "ScenarioError": "scenario", "load_scenario": "scenario"}


def __getattr__(name: str):
    if name in _WHERE:
        return getattr(import_module(f".{_WHERE[name]}", __name__), name)
    raise AttributeError(f"module 'simulation' has no attribute {name!r}")
