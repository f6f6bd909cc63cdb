"""YAML with line numbers: ``safe_load`` semantics, plus where every value was written.

PyYAML's ``safe_load`` forgets positions; errors must name the file and line. We compose the
node tree once, construct plain Python data from it with the safe constructor (no tags, no
expressions) and record the line of every mapping key and sequence item by path.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

Path_ = tuple  # a path into the data: ("events", 3, "troops")


@dataclass
class Located:
    """Parsed data plus, for every path, the (file, 1-based line) it was written on."""

    data: object
    lines: dict[Path_, tuple[Path, int]]


class _Loader(yaml.SafeLoader):
    """``SafeLoader`` whose bad timestamps (2024-02-30) raise a positioned error, not ValueError."""

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a valid date ({exc})", node.start_mark) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


class YamlError(ValueError):
    """A YAML problem at a known place."""

    def __init__(self, file: Path, line: int, message: str):
        super().__init__(message)
        self.file, self.line, self.message = file, line, message


def _walk(node: yaml.Node, path: Path_, file: Path, out: dict) -> None:
    out[path] = (file, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set = set()
        for key_node, value_node in node.value:
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
    """Parse ``file`` safely; raise :class:`YamlError` (with line) on any YAML problem."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError(file, 1, f"not UTF-8 text ({exc.reason})") from None
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(file, line, f"YAML syntax error: {exc.problem or exc.context}") from None
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
