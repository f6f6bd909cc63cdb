"""Load a scenario: YAML → ``extends`` resolution → pydantic → semantic checks.

Every problem becomes one line ``file:line: field: what was expected (got …)`` in a
:class:`ScenarioError`; nothing is run on bad input. ``extends:`` names a base file relative to
the variant (it must stay inside the scenario root, the folder of the file given by the user)
or a shipped scenario by name. A variant overrides mappings key by key, replaces lists, adds or
replaces events by ``id`` and drops base events listed in ``remove_events``.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

from pydantic import ValidationError

from .. import limits
from . import checks
from .schema import EVENT_TYPES, Scenario
from .yamlmap import Located, YamlError, line_of, load

VARIANT_KEYS = ("extends", "remove_events")


class ScenarioError(ValueError):
    """Bad scenario input: one formatted line per problem (``problems``; the message shows the first
    ``SHOWN`` of them, so that a file with 50,000 bad events does not flood the terminal).
    """

    SHOWN = 25

    def __init__(self, problems: list[str]):
        shown = problems[: self.SHOWN]
        if len(problems) > self.SHOWN:
            first = problems[0].split(":", 1)[0]
            shown = shown + [f"{first}: … and {len(problems) - self.SHOWN:,} more problems (the first "
                             f"{self.SHOWN} are shown)"]
        super().__init__("\n".join(shown))
        self.problems = problems


@dataclass
class LoadedScenario:
    """A validated scenario and where it came from."""

    scenario: Scenario
    path: Path
    files: list[Path]
    sha256: str
    file_hashes: dict[str, str] = field(default_factory=dict)
    base: Path | None = None  # the file this variant extends


SCENARIO_KEYS = {"calendar", "states", "events", "extends", "system", "relations"}  # what only scenarios have
SWEEP_KEYS = {"design", "factors", "outputs", "samples"}  # what only sweep specs have


def shipped_root() -> Path:
    """The folder of the scenarios shipped with the package."""
    return Path(str(files("scenarios")))


def shipped_names() -> list[str]:
    return sorted(p.stem for p in shipped_root().glob("*.yaml"))


def find(reference: str | Path) -> Path:
    """A scenario path from a path or a shipped scenario name."""
    path = Path(reference)
    if path.is_file():
        return path
    if path.is_dir():
        held = " (it holds an alliance-sim output)" if (path / "manifest.json").is_file() else ""
        raise ScenarioError([f"{reference}: is a folder{held}: expected a scenario file (YAML) or the name of a "
                             "shipped scenario"])
    name = str(reference).removesuffix(".yaml")
    if name in shipped_names():  # a shipped scenario by its exact name, nothing else
        return shipped_root() / f"{name}.yaml"
    hint = difflib.get_close_matches(str(reference), shipped_names(), n=3)
    more = f" (did you mean {', '.join(hint)}?)" if hint else f" (shipped: {', '.join(shipped_names())})"
    raise ScenarioError([f"{reference}: no such scenario file or shipped scenario{more}"])


def display(path: Path) -> str:
    """``path`` relative to the working directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _place(lines: dict, path: tuple) -> str:
    where = line_of(lines, path)
    return f"{display(where[0])}:{where[1]}" if where else "?"


def dotted(path: tuple) -> str:
    """("events", 3, "troops") → "events[3].troops"."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


# --------------------------------------------------------------------------- extends / merge
class _Lines:
    """A file's lines by path, indexed by every prefix, so that merging a variant is linear."""

    def __init__(self, lines: dict):
        self.lines = lines
        self.under: dict[tuple, list[tuple]] = {}
        for key in lines:
            for n in range(len(key) + 1):
                self.under.setdefault(key[:n], []).append(key)

    def get(self, path: tuple, default=None):
        return self.lines.get(path, default)

    def sub(self, prefix: tuple, new_prefix: tuple | None = None) -> dict:
        """Entries under ``prefix``, re-keyed under ``new_prefix``."""
        new_prefix = prefix if new_prefix is None else new_prefix
        n = len(prefix)
        return {new_prefix + k[n:]: self.lines[k] for k in self.under.get(prefix, ())}


def _merge(base: object, over: object, path: tuple, bl: _Lines, ol: _Lines, out: dict) -> object:
    if isinstance(base, dict) and isinstance(over, dict):
        merged = {}
        for key in list(base) + [k for k in over if k not in base]:  # base order, then new keys
            if key in base and key in over:
                merged[key] = _merge(base[key], over[key], path + (key,), bl, ol, out)
            elif key in base:
                merged[key] = base[key]
                out.update(bl.sub(path + (key,)))
            else:
                merged[key] = over[key]
                out.update(ol.sub(path + (key,)))
        out[path] = ol.get(path, bl.get(path))
        return merged
    out.update(ol.sub(path))
    return over


def _event_ids(events: object) -> list:
    return [e.get("id") if isinstance(e, dict) else None for e in (events or [])] if isinstance(events, list) else []


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _merge_events(base: Located, over: Located, bl: _Lines, ol: _Lines, out: dict, written: dict) -> list:
    """Base events (minus removed, replaced by id) followed by the variant's new events; ``written``
    gets, for each merged event, its path as written in its own file (``events[0]`` of a one-event
    variant, not its index in the merged list).
    """
    b_events = base.data.get("events") or []
    o_events = over.data.get("events") or []
    if not isinstance(b_events, list) or not isinstance(o_events, list):
        return o_events if "events" in over.data else b_events
    removed = {r for r in (over.data.get("remove_events") or []) if _hashable(r)}
    first: dict = {}  # id → index of its first event in the variant
    for i, eid in enumerate(_event_ids(o_events)):
        if eid is not None and _hashable(eid):
            first.setdefault(eid, i)
    merged: list = []
    used: set[int] = set()
    for j, event in enumerate(b_events):
        eid = event.get("id") if isinstance(event, dict) else None
        if not _hashable(eid):
            eid = None
        if eid in removed:
            continue
        if eid is not None and eid in first:
            i = first[eid]
            used.add(i)
            out.update(ol.sub(("events", i), ("events", len(merged))))
            written[("events", len(merged))] = ("events", i)
            merged.append(o_events[i])
        else:
            out.update(bl.sub(("events", j), ("events", len(merged))))
            written[("events", len(merged))] = base.written.get(("events", j), ("events", j))
            merged.append(event)
    for i, event in enumerate(o_events):
        if i not in used:
            out.update(ol.sub(("events", i), ("events", len(merged))))
            written[("events", len(merged))] = ("events", i)
            merged.append(event)
    out[("events",)] = over.lines.get(("events",), base.lines.get(("events",)))
    return merged


def _check_variant(base: Located, over: Located) -> list[str]:
    problems = []
    removed = over.data.get("remove_events") or []
    if not isinstance(removed, list):
        return [f"{_place(over.lines, ('remove_events',))}: remove_events: must be a list of event ids"]
    base_ids = {b for b in _event_ids(base.data.get("events")) if _hashable(b)}
    for i, eid in enumerate(removed):
        if not isinstance(eid, str) or eid not in base_ids:
            hint = difflib.get_close_matches(str(eid)[:100], [str(b) for b in base_ids], n=1)
            more = f" (did you mean {hint[0]}?)" if hint else ""
            problems.append(f"{_place(over.lines, ('remove_events', i))}: remove_events[{i}]: "
                            f"no event {str(eid)[:100]!r} in the base scenario{more}")
    first: dict = {}
    for i, eid in enumerate(_event_ids(over.data.get("events"))):
        if eid is None or not _hashable(eid):
            continue
        if eid in first:
            problems.append(f"{_place(over.lines, ('events', i, 'id'))}: events[{i}].id: "
                            f"duplicate event id {eid!r}")
        first.setdefault(eid, i)
    return problems


def _resolve_extends(file: Path, value: object, root: Path, lines: dict) -> Path:
    """The base of ``file``: a file inside ``root`` (the user's folder; for a shipped scenario, the
    shipped folder), or a shipped scenario by its exact name. Nothing else, symlinks included.
    """
    where = _place(lines, ("extends",))
    if not isinstance(value, str) or not value.strip() or len(value) > 255:
        raise ScenarioError([f"{where}: extends: must be a file name or a shipped scenario name"])
    for candidate in (file.parent / value, file.parent / f"{value}.yaml"):
        if candidate.is_file():
            resolved = candidate.resolve()
            if not resolved.is_relative_to(root.resolve()):
                raise ScenarioError([f"{where}: extends: {value!r} is outside the scenario folder {display(root)} "
                                     "(a base must be next to its variant, below it, or a shipped scenario by name)"])
            return resolved
    name = value.removesuffix(".yaml")
    if name in shipped_names():
        return (shipped_root() / f"{name}.yaml").resolve()
    raise ScenarioError([f"{where}: extends: no file {value!r} in the scenario folder next to {display(file)} "
                         f"and no shipped scenario of that name"])


def _root_of(file: Path, root: Path) -> Path:
    """The folder a file's own ``extends:`` must stay in: the shipped folder for a shipped scenario."""
    shipped = shipped_root().resolve()
    return shipped if file.resolve().is_relative_to(shipped) else root


def resolve(file: Path, root: Path, chain: tuple[Path, ...] = ()) -> tuple[Located, list[Path]]:
    """The merged data of ``file`` and its bases, with lines, and the files involved."""
    try:
        here = load(file)
    except YamlError as exc:
        raise ScenarioError([f"{display(exc.file)}:{exc.line}: {exc.message}"]) from None
    if not isinstance(here.data, dict):
        raise ScenarioError([f"{display(file)}:1: the scenario must be a mapping of fields (name, calendar, ...)"])
    if not chain and SWEEP_KEYS & set(here.data) and not SCENARIO_KEYS & set(here.data):
        raise ScenarioError([f"{display(file)}:1: is a sweep spec ({', '.join(sorted(SWEEP_KEYS & set(here.data)))}), "
                             f"not a scenario: run it with `alliance-sim sweep {display(file)} --out FOLDER`"])
    if "extends" not in here.data:
        for key in VARIANT_KEYS[1:]:
            if key in here.data:
                raise ScenarioError([f"{_place(here.lines, (key,))}: {key}: only allowed with extends:"])
        return here, [file]
    if len(chain) + 1 >= limits.MAX_EXTENDS:
        raise ScenarioError([f"{_place(here.lines, ('extends',))}: extends: a chain of more than "
                             f"{limits.MAX_EXTENDS} files"])
    base_file = _resolve_extends(file, here.data["extends"], _root_of(file, root), here.lines)
    if base_file in chain or base_file == file.resolve():
        raise ScenarioError([f"{_place(here.lines, ('extends',))}: extends: circular ({display(base_file)})"])
    base, base_files = resolve(base_file, root, chain + (file.resolve(),))
    problems = _check_variant(base, here)
    if problems:
        raise ScenarioError(problems)
    out: dict = {}
    body = {k: v for k, v in here.data.items() if k not in VARIANT_KEYS + ("events",)}
    base_body = {k: v for k, v in base.data.items() if k != "events"}
    bl, ol = _Lines(base.lines), _Lines(here.lines)
    merged = _merge(base_body, body, (), bl, ol, out)
    written: dict = {}
    merged["events"] = _merge_events(base, here, bl, ol, out, written)
    return Located(merged, out, written), [file] + base_files


# --------------------------------------------------------------------------- validation errors
@lru_cache(maxsize=1)
def _all_field_names() -> list[str]:
    """Every field name of every model of the format (for 'did you mean' hints)."""
    from pydantic import BaseModel

    names: set[str] = set()
    stack = [Scenario]
    seen: set = set()
    while stack:
        model = stack.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, info in model.model_fields.items():
            names.add(info.alias or name)
            for arg in _types_in(info.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    stack.append(arg)
    return sorted(names)


def _types_in(annotation: object) -> list:
    out = [annotation]
    for arg in getattr(annotation, "__args__", None) or ():
        out.extend(_types_in(arg))
    return out


def _shown(value: object) -> object:
    """Input values as the user wrote them (dates as YYYY-MM-DD, not datetime.date(...))."""
    if isinstance(value, (list, tuple)):
        return [_shown(v) for v in value]
    return value.isoformat() if hasattr(value, "isoformat") else value


class _Short:
    """An input value as shown in a message: its repr, cut at 60 characters."""

    def __init__(self, value: object):
        text = repr(value)
        self.text = text if len(text) <= 60 else text[:57] + "..."

    def __repr__(self) -> str:
        return self.text


def _message(err: dict) -> str:
    kind, ctx, raw = err["type"], err.get("ctx") or {}, _shown(err.get("input"))
    got = _Short(raw)
    if kind == "value_error":  # our own validators: their message says what was expected
        text = str(ctx.get("error", err["msg"]))
        return text if "(got" in text or isinstance(raw, (dict, list)) else f"{text} (got {got!r})"
    bounds = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}
    if kind in bounds:
        limit = next(iter(ctx.values()))
        return f"must be {bounds[kind]} {limit} (got {got!r})"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        field = str(err["loc"][-1])
        hint = difflib.get_close_matches(field, _all_field_names(), n=1, cutoff=0.75)
        if hint and hint[0] == field:
            return "not a field of this entry (another kind of entry has it)"
        return "unknown field" + (f" (did you mean {hint[0]!r}?)" if hint else "")
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')} (got {got!r})"
    if kind == "union_tag_invalid":
        return f"unknown event type {ctx.get('tag')!r} (expected one of: {', '.join(EVENT_TYPES)})"
    if kind == "union_tag_not_found":
        return f"missing 'type' (one of: {', '.join(EVENT_TYPES)})"
    if kind.startswith("date"):
        return f"must be a date YYYY-MM-DD (got {got!r})"
    if kind.startswith(("int_", "float_")):
        what = "an integer" if kind.startswith("int_") else "a number"
        return f"must be {what} (got {got!r})"
    if kind == "string_pattern_mismatch":
        return f"must match {ctx.get('pattern')} (got {got!r})"
    if kind in ("too_short", "too_long"):
        return err["msg"].replace("List", "list").replace("Dictionary", "mapping").lower() + f" (got {got!r})"
    if isinstance(raw, dict):
        return err["msg"].rstrip(".").lower()
    return f"{err['msg'].rstrip('.').lower()} (got {got!r})"


@lru_cache(maxsize=1)
def _model_names() -> frozenset[str]:
    """Names of the format's pydantic models (pydantic puts them in union error locations)."""
    from pydantic import BaseModel

    names, stack = set(), [Scenario]
    while stack:
        model = stack.pop()
        if model.__name__ in names:
            continue
        names.add(model.__name__)
        for info in model.model_fields.values():
            stack += [t for t in _types_in(info.annotation) if isinstance(t, type) and issubclass(t, BaseModel)]
    return frozenset(names)


def _clean_loc(loc: tuple) -> tuple:
    """Drop pydantic's union branch names (event types, model names) from an error location."""
    out = []
    for part in loc:
        if isinstance(part, str) and (part in EVENT_TYPES or part in _model_names()):
            continue
        if isinstance(part, str) and part.endswith("]"):  # e.g. 'function-before[...]'
            continue
        out.append("from" if part == "from_" else "with" if part == "with_" else part)
    return tuple(out)


def validation_problems(exc: ValidationError, lines: dict) -> list[tuple[tuple, str]]:
    return [(_clean_loc(tuple(err["loc"])), _message(err)) for err in exc.errors()]


def format_problems(problems: list[tuple[tuple, str]], lines: dict, written: dict | None = None) -> list[str]:
    """Sort by file position and render as ``file:line: field: message``; a merged variant's event
    is named as written in its own file (``written``: merged path → path in its file).
    """
    placed = []
    for path, message in problems:
        where = line_of(lines, path)
        key = (display(where[0]), where[1]) if where else ("?", 0)
        shown = (written or {}).get(path[:2], path[:2]) + path[2:] if path[:1] == ("events",) else path
        placed.append((key, f"{key[0]}:{key[1]}: {dotted(shown)}: {message}"))
    return list(dict.fromkeys(text for _, text in sorted(placed, key=lambda p: p[0])))  # one line per problem


def load_scenario(reference: str | Path, root: Path | None = None) -> LoadedScenario:
    """Load, resolve and validate a scenario; raise :class:`ScenarioError` on bad input."""
    path = find(reference)
    root = root or path.parent
    located, chain = resolve(path, root)
    try:
        scenario = Scenario.model_validate(located.data)
    except ValidationError as exc:
        raise ScenarioError(format_problems(validation_problems(exc, located.lines), located.lines,
                                            located.written)) from None
    problems = checks.semantic_problems(scenario, is_variant=len(chain) > 1)
    if problems:
        raise ScenarioError(format_problems(problems, located.lines, located.written))
    hashes = {display(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in chain}
    digest = (hashlib.sha256("".join(hashes.values()).encode()).hexdigest() if len(chain) > 1
              else next(iter(hashes.values())))
    return LoadedScenario(scenario, path, chain, digest, hashes, chain[1] if len(chain) > 1 else None)
