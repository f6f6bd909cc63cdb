"""Generators of hostile input for the command line (tests/test_hostile.py).

Each strategy starts from a valid file — the minimal scenario, a variant, a sweep spec, a blocs
edge list — and damages it the ways colleagues' files and attackers do: wrong types and
magnitudes, missing and unknown keys, YAML tags, anchors and aliases, deep and huge documents,
junk bytes and bad encodings, `extends` tricks. ``invoke`` runs the CLI in this process and
returns its exit code and what it printed.
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import yaml
from hypothesis import strategies as st

from helpers import MINIMAL, cli

BASE_SCENARIO = yaml.safe_load(MINIMAL)
BASE_SPEC = {"name": "h", "scenario": "mini.yaml", "seed": 1, "design": "lhs", "samples": 2, "replicates": 1,
             "until": dt.date(2024, 3, 31), "factors": {"balance_rate": {"low": 0.5, "high": 2.0}},
             "outputs": [{"name": "rus_prk", "metric": "affinity", "pair": ["RUS", "PRK"], "at": dt.date(2024, 3, 31)}]}
BASE_EDGES = "source,target,sign\nA,B,1\nB,C,-1\nA,C,-1\nC,D,1\n"
# The minimal scenario with what a hindcast adds: an expectation with its reality, and observed
# outcomes of every reference kind (persistence, coin, a base rate with its source).
HINDCAST = """\
expectations:
  - id: closer
    claim: "Russia and the DPRK draw closer"
    metric: affinity
    pair: [RUS, PRK]
    test: rises
    from: 2024-02-01
    to: 2024-06-30
    source: "test claim"
    reality: {verdict: came_true, note: "they did", source: "test record"}
observed:
  - id: closer
    what: "Russia and the DPRK drew closer"
    metric: affinity
    pair: [RUS, PRK]
    relative_to: {pair: [RUS, ROK]}
    test: rises
    from: 2024-02-01
    to: 2024-06-30
    value: 0.1
    happened: true
    reference: persistence
    source: "test fact"
  - id: apart
    what: "the two Koreas stayed in different camps"
    metric: coalition
    pair: [PRK, ROK]
    test: different
    window: [2024-03-01, 2024-09-30]
    reference: 0.8
    reference_source: "test base rate"
    source: "test fact"
  - id: stock
    what: "the DPRK's stock fell below 20"
    metric: munitions
    state: PRK
    test: below
    at: 2024-12-31
    value: 20
    happened: false
    reference: coin
    source: "test fact"
"""
BASE_HINDCAST = yaml.safe_load(MINIMAL + HINDCAST)
HINDCAST_KEYS = ["happened", "reference", "reference_source", "reality", "verdict", "what", "at", "window",
                 "relative_to", "versus_base"]  # keys a damaged observed entry may gain

WEIRD_VALUES = st.one_of(
    st.booleans(), st.none(), st.integers(min_value=-10**30, max_value=10**30),
    st.sampled_from([10**400, -1, 0, 2**63, float("inf"), float("-inf"), float("nan"), 1e308, -1e308, 1e-308]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.sampled_from(["", "RUS", "KOR", "XXX", "2024-02-30", "1717200000", "yes", "null", "~", "!!binary", "..",
                     "../../etc/passwd", "a" * 500]),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)

TEXT_DAMAGE = [
    "\x00", "\x07", "\x1b[31m", "\ufffe", "\ud800", "\x85", "\t\t", ": : :", "- -", "[", "{", "&a", "*a", "*nope",
    "!!binary aGVsbG8=", "!!omap [{a: 1}]", "!!python/object/apply:os.system ['true']", "!!timestamp x",
    "!!float x", "!!set {a, b}", "? [a, b]\n: 1", "<<: *a", "---\n", "...\n", "%YAML 1.1\n", "\ufeff",
]


def _paths(doc: object, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += _paths(v, prefix + (i,))
    return out


def _set(doc: object, path: tuple, value: object) -> object:
    if not path:
        return value
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    return doc


def _delete(doc: object, path: tuple) -> object:
    if not path:
        return doc
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    del parent[path[-1]]
    return doc


@st.composite
def damaged_document(draw, base: dict, within: tuple[str, ...] = (), keys: tuple[str, ...] = ()) -> str:
    """A YAML document: ``base`` with one to three values replaced, keys removed or added; with
    ``within``, only under those top-level keys (``observed``…), and ``keys`` among those added.
    """
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if not within or (p and p[0] in within)] or [()]
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if action == "replace":
            doc = _set(doc, path, draw(WEIRD_VALUES))
        elif action == "delete" and path:
            doc = _delete(doc, path)
        elif action == "add" and isinstance(_get(doc, path), dict):
            _get(doc, path)[draw(st.sampled_from(["extra", "troop", "Events", "from", "type", "states", *keys]))] = \
                draw(WEIRD_VALUES)
    try:
        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    except (yaml.YAMLError, ValueError, OverflowError):
        return yaml.safe_dump(base, sort_keys=False)


def _get(doc: object, path: tuple) -> object:
    for part in path:
        doc = doc[part]
    return doc


@st.composite
def damaged_text(draw, text: str) -> str:
    """``text`` with junk inserted, a tail cut off, or lines shuffled."""
    kind = draw(st.sampled_from(["insert", "insert", "truncate", "swap", "repeat"]))
    if kind == "insert":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(st.sampled_from(TEXT_DAMAGE) | st.text(max_size=8)) + text[at:]
    if kind == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    lines = text.splitlines(keepends=True)
    if kind == "swap" and len(lines) > 2:
        i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
        return "".join(lines)
    i = draw(st.integers(0, len(lines) - 1))
    return "".join(lines[:i] + [lines[i]] * draw(st.integers(2, 50)) + lines[i:])


def bomb(fan: int, levels: int) -> str:
    """A billion-laughs document: ``levels`` anchors, each a list of ``fan`` aliases of the one before."""
    return MINIMAL + "a0: &a0 [" + ", ".join(["x"] * fan) + "]\n" + "".join(
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fan) + "]\n" for i in range(1, levels))


def deep(depth: int) -> str:
    return MINIMAL + "x: " + "[" * depth + "]" * depth + "\n"


def wide(events: int) -> str:
    return MINIMAL.replace("events:\n", "events:\n" + "  - 1\n" * events)


def long(characters: int) -> str:
    return MINIMAL.replace("Minimal test scenario", "x" * characters)


LARGEST = {"bomb": bomb(12, 10), "deep": deep(3000), "wide": wide(5000), "long": long(200_000)}  # of huge_or_deep


@st.composite
def huge_or_deep(draw, kinds=("bomb", "deep", "recursive", "wide", "long")) -> str:
    """Documents that grow: alias bombs, deep nesting, long lists (all refused), long strings (legal)."""
    kind = draw(st.sampled_from(kinds))
    if kind == "bomb":
        return bomb(draw(st.integers(5, 12)), draw(st.integers(5, 10)))
    if kind == "deep":
        return deep(draw(st.integers(60, 3000)))
    if kind == "recursive":
        return MINIMAL + "x: &r [1, {a: *r}]\n"
    if kind == "wide":
        return wide(draw(st.integers(1000, 5000)))
    return long(draw(st.integers(10_000, 200_000)))


@st.composite
def plausible_spec(draw) -> dict:
    """A sweep spec of the default scenario built from its own names: parameters and event knobs,
    metrics with their subjects, dates — mostly right, each sometimes wrong in the ways a user
    gets them wrong (out of range, the wrong subject, one state twice, an event moved past its
    end). It may or may not validate (for: what validates must also run)."""
    from simulation.params import PARAMETERS
    from simulation.scenario import load_scenario
    from simulation.scenario.checks import known_metrics, metric_kind

    sc = load_scenario("korea_russia_2024").scenario
    start, end = sc.calendar.start, sc.calendar.end
    right = st.integers(0, 5).map(bool)  # right five times in six

    def day(low=start, high=end):
        return draw(st.dates(min_value=low, max_value=high) if draw(right) else
                    st.dates(min_value=low - dt.timedelta(days=60), max_value=high + dt.timedelta(days=60)))

    knobs = {f"events.{e.id}.{f}": e for e in sc.events for f in ("date", "until", "troops", "shells", "missiles",
                                                                   "value_usd_bn")
             if isinstance(getattr(e, f, None), (int, float, dt.date)) and not isinstance(getattr(e, f), bool)}
    factors = {}
    for name in draw(st.lists(st.sampled_from(sorted(PARAMETERS) + sorted(knobs)), min_size=1, max_size=3,
                              unique=True)):
        if name in PARAMETERS:
            p = PARAMETERS[name]
            lo, hi = (p.low, p.high) if draw(right) else (p.low - 1, p.high + 1)
            a, b = sorted(draw(st.floats(lo, hi, allow_nan=False)) for _ in range(2))
            factors[name] = {"low": a, "high": b + 0.01}
        elif name.endswith((".date", ".until")):
            event = knobs[name]
            a = day(start, getattr(event, "until", None) or end) if name.endswith(".date") else day(event.date, end)
            factors[name] = {"low": a, "high": a + dt.timedelta(days=draw(st.integers(1, 120)))}
        else:
            value = getattr(knobs[name], name.rsplit(".", 1)[1])
            a = draw(st.integers(0, int(2 * value) + 1) if draw(right) else st.integers(-5, 10**13))
            factors[name] = {"low": a, "high": a + draw(st.integers(1, int(value) + 2))}
    states = list(sc.states)
    outputs = []
    for i in range(draw(st.integers(1, 3))):
        metric = draw(st.sampled_from(known_metrics(sc)))
        output = {"name": f"o{i}", "metric": metric}
        kind = metric_kind(metric, sc) if draw(right) else draw(st.sampled_from(["state", "pair", "model"]))
        if kind == "state":
            output["state"] = draw(st.sampled_from(states if draw(right) else states + ["KOR", "XXX"]))
        elif kind in ("pair", "membership"):
            pair = draw(st.lists(st.sampled_from(states), min_size=2, max_size=2, unique=draw(right)))
            output["pair"] = pair if draw(right) else [pair[0], "KOR" if pair[0] == "ROK" else pair[0]]
        timing = draw(st.sampled_from(["at", "window", "change", "summary", "none"]))
        if timing == "at":
            output["at"] = day()
        elif timing in ("window", "change"):
            first = day()
            output["window"] = [first, first + dt.timedelta(days=draw(st.integers(-30 * (not draw(right)), 300)))]
            output["summary"] = "change" if timing == "change" else draw(st.sampled_from(["max", "min", "mean"]))
        elif timing == "summary":
            output["summary"] = draw(st.sampled_from(["final", "max", "min", "mean"]))
        outputs.append(output)
    return {"name": "plausible", "scenario": "korea_russia_2024", "seed": 1, "design": "lhs", "samples": 2,
            "factors": factors, "outputs": outputs, "until": draw(st.sampled_from([None, dt.date(2025, 6, 30)]))}


@st.composite
def extends_trick(draw) -> tuple[str, str]:
    """A variant (in a sub-folder) whose ``extends`` tries to leave the user's folder."""
    target = draw(st.sampled_from(["../secret.yaml", "../../secret", "/etc/passwd", "../" * 20 + "etc/passwd",
                                   "secret_link.yaml", "v.yaml", "", " ", "korea_russia_2024", "no_deployment",
                                   "scenarios/../../x", "~/x.yaml", "C:\\x.yaml", "x" * 300, "\x00"]))
    return target, f"extends: {yaml.safe_dump(target).strip().removesuffix('...').strip()}\nname: v\n"


def invoke(*args: str) -> tuple[int, str, str]:
    """Run ``alliance-sim ARGS`` in this process: (exit code, stdout, stderr)."""
    done = cli(*args)
    return done.returncode, done.stdout, done.stderr


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
    return path
