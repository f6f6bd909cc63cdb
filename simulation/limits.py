"""Limits on what the tool accepts, in one place (docs/reliability.md).

Every input file — a scenario, a variant, a sweep spec, a blocs edge list, a dashboard upload —
is checked against these before anything is allocated or written, and a breach is a one-line
error naming the file, the line and the limit (exit 2), never a crash. The limits are far above
any real use: the default scenario has 22 events, the largest shipped sweep 13,312 runs.
"""

from __future__ import annotations

MAX_FILE_BYTES = 16 * 1024 * 1024  # a scenario, spec or edge list (the dashboard upload too)
MAX_YAML_VALUES = 2_000_000  # values of a YAML document once its aliases are expanded
MAX_YAML_ALIASES = 100_000  # alias uses (*name) in one document
MAX_YAML_DEPTH = 64  # nesting of mappings and lists
MAX_EXTENDS = 16  # files in an `extends:` chain
MAX_STATES = 250  # states in one scenario (COW has fewer than 200)
MAX_EVENTS = 100_000  # events in one scenario, after merging a variant
MAX_AMOUNT = 1e12  # troops, shells, missiles … of one event or one year of support
MAX_USD_BN = 1e6  # US$ bn in one event or one year of support (world GDP is ~1e5)
MAX_CALENDAR_YEARS = 200  # from start to end
MAX_REPLICATES = 10_000  # replicates of one `run`/`check`/`compare` (all held in memory: use a sweep beyond)
MAX_WORKERS = 512  # worker processes of one run, check, compare or sweep
MAX_SWEEP_RUNS = 10_000_000  # runs of one sweep (streamed to disk)
MAX_SWEEP_REPLICATES = 100_000  # replicates per sample of one sweep
MAX_BLOCS_NODES = 2_000  # nodes of a signed network given to `alliance-sim blocs`
MAX_BLOCS_EDGES = 200_000
