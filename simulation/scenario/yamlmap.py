"""YAML with line numbers: ``safe_load`` semantics, plus where every value was written.

PyYAML's ``safe_load`` forgets positions; errors must name the file and line. We compose the
node tree once, construct plain Python data from it with the safe constructor (no tags, no
expressions) and record the line of every mapping key and sequence item by path.

Hostile input is refused before it costs memory or time (limits in ``simulation.limits``): the
file's size before it is read; control characters; then one pass over the parser's events —
which holds no document in memory — counts nesting depth, alias uses and the number of values
the aliases would expand to, and finds recursive aliases ("billion laughs" is refused at the
line where it passes the limit, having allocated nothing). Keys must be plain values, and only
the standard tags of plain data (strings, numbers, booleans, null, dates, lists, mappings).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .. import limits

Path_ = tuple  # a path into the data: ("events", 3, "troops")


@dataclass
class Located:
    """Parsed data plus, for every path, the (file, 1-based line) it was written on."""

    data: object
    lines: dict[Path_, tuple[Path, int]]
    # a merged variant's events, by their index in the merged list → as written in their own file
    written: dict[Path_, Path_] = field(default_factory=dict)


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # libyaml when PyYAML has it: ~7x faster
    """``SafeLoader`` whose bad values (a date 2024-02-30, ``!!float x``) raise positioned errors."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, TypeError, AttributeError) as exc:  # AttributeError: !!timestamp on a non-date
            reason = f" ({exc})" if isinstance(exc, ValueError) else ""
            raise yaml.constructor.ConstructorError(
                None, None, f"{str(node.value)[:40]!r} is not a valid date{reason}", node.start_mark) from None

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError) as exc:  # e.g. !!float on text that is no number
            raise yaml.constructor.ConstructorError(
                None, None, f"{str(getattr(node, 'value', ''))[:40]!r} cannot be read as "
                            f"{node.tag.replace('tag:yaml.org,2002:', '!!')} ({type(exc).__name__})",
                node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
# Booleans as in YAML 1.2: true and false only. YAML 1.1 (PyYAML's default) also reads yes/no/on/off
# as booleans, so `happened: yes` or a state named NO (Norway's ISO code) would change meaning
# silently; as strings they are refused, or taken, where they belong.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                              list("tTfF"))


class YamlError(ValueError):
    """A YAML problem at a known place."""

    def __init__(self, file: Path, line: int, message: str):
        super().__init__(message)
        self.file, self.line, self.message = file, line, message


PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map",
                                                 "merge")}  # merge: `<<: *defaults` in a mapping
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


def _read(file: Path) -> str:
    """The file's text: size-capped before reading, UTF-8, no control characters."""
    size = file.stat().st_size
    if size > limits.MAX_FILE_BYTES:
        raise YamlError(file, 1, f"the file is {size / 2**20:.1f} MiB: files are limited to "
                                 f"{limits.MAX_FILE_BYTES // 2**20} MiB")
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(file, raw.count(b"\n", 0, exc.start) + 1,
                        f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    bad = CONTROL.search(text)
    if bad:
        char = bad.group()
        name = unicodedata.name(char, "") or {"\x00": "NUL"}.get(char, "control character")
        raise YamlError(file, text.count("\n", 0, bad.start()) + 1,
                        f"control character U+{ord(char):04X} ({name}) is not allowed in a text file")
    return text


def _check_structure(text: str, file: Path) -> None:
    """Depth, alias uses and expanded size, from the parser's events (nothing is built)."""
    stack: list[list] = []  # [anchor, expanded size] of each open mapping or list
    sizes: dict[str, int] = {}  # expanded size of each finished anchored value
    aliases = 0

    def add(n: int, mark) -> None:
        if stack:
            stack[-1][1] += n
            if stack[-1][1] > limits.MAX_YAML_VALUES:
                raise YamlError(file, mark.line + 1, f"the document expands to more than {limits.MAX_YAML_VALUES:,} "
                                                     "values (YAML aliases used to multiply content?)")

    try:
        for event in yaml.parse(text, Loader=_Loader):
            mark = event.start_mark
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                stack.append([event.anchor, 1])
                if len(stack) > limits.MAX_YAML_DEPTH:
                    raise YamlError(file, mark.line + 1, f"nested more than {limits.MAX_YAML_DEPTH} levels deep")
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                anchor, size = stack.pop()
                if anchor is not None:
                    sizes[anchor] = size
                add(size, mark)
            elif isinstance(event, yaml.ScalarEvent):
                if event.anchor is not None:
                    sizes[event.anchor] = 1
                add(1, mark)
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > limits.MAX_YAML_ALIASES:
                    raise YamlError(file, mark.line + 1, f"more than {limits.MAX_YAML_ALIASES:,} aliases")
                if any(frame[0] == event.anchor for frame in stack):
                    raise YamlError(file, mark.line + 1, f"alias *{event.anchor} refers to a value that contains it "
                                                         "(a recursive alias)")
                add(sizes.get(event.anchor, 1), mark)  # an undefined alias: the composer says so
    except yaml.MarkedYAMLError:
        return  # a syntax error: compose reports it with its line
    except yaml.YAMLError as exc:  # a reader error without a mark
        raise YamlError(file, 1, f"YAML syntax error: {exc}") from None


def _walk(node: yaml.Node, path: Path_, file: Path, out: dict) -> None:
    out[path] = (file, node.start_mark.line + 1)
    if node.tag not in PLAIN_TAGS:
        raise YamlError(file, node.start_mark.line + 1, f"YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')} "
                                                        "is not allowed: plain values, lists and mappings only")
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlError(file, key_node.start_mark.line + 1, "a mapping or a list cannot be a key")
            key = key_node.value
            if key in seen:
                raise YamlError(file, key_node.start_mark.line + 1, f"{key}: duplicate key")
            seen.add(key)
            _walk(value_node, path + (key,), file, out)
            out[path + (key,)] = (file, key_node.start_mark.line + 1)  # the key's line, not the value's
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, path + (i,), file, out)


def load(file: Path) -> Located:
    """Parse ``file`` safely; raise :class:`YamlError` (with line) on any YAML problem or limit."""
    text = _read(file)
    _check_structure(text, file)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(file, line, f"YAML syntax error: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise YamlError(file, 1, f"YAML syntax error: {exc}") from None
    if node is None:
        raise YamlError(file, 1, "the file is empty")
    lines: dict[Path_, tuple[Path, int]] = {}
    _walk(node, (), file, lines)
    loader = _Loader("")
    try:
        data = loader.construct_document(node)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise YamlError(file, mark.line + 1 if mark else 1, f"YAML: {exc.problem}") from None
    finally:
        loader.dispose()
    return Located(data, lines)


def line_of(lines: dict[Path_, tuple[Path, int]], path: Path_) -> tuple[Path, int] | None:
    """The place of ``path``, or of its closest written ancestor."""
    for n in range(len(path), -1, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return None
