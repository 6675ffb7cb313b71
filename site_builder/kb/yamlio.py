"""Safe YAML reading that keeps every node's position and refuses what would lose or hide data.

PyYAML's own constructors keep the last of two duplicate keys (silently losing the first) and expand aliases
without limit (the "billion laughs" bomb). This module builds plain Python values directly from the parser's event
stream instead: one pass, no recursion (the C composer crashes on deep nesting), duplicate keys and expansion
budgets checked as it goes, and a map from each value's path to its line and column so that schema errors can
name the exact place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from site_builder.kb.problems import Problem
from site_builder.safe.files import read_file

#: Fast C-accelerated loader when PyYAML was built with libyaml.
_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 32
MAX_NODES = 50_000

Loc = tuple[str | int, ...]


@dataclass
class Positions:
    """1-based (line, col) of every value, and of every mapping key, by path from the document root.

    A path that does not exist (a missing field) resolves to the key line of its nearest existing ancestor.
    """

    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def find(self, loc: Loc, *, key: bool = False) -> tuple[int, int] | None:
        """Position of ``loc``; for keys (or unknown paths) fall back to the nearest known ancestor."""
        loc = tuple(loc)
        if key and loc in self.keys:
            return self.keys[loc]
        if loc in self.values:
            return self.values[loc]
        while loc:
            loc = loc[:-1]
            if loc in self.keys:
                return self.keys[loc]
            if loc in self.values:
                return self.values[loc]
        return None


@dataclass
class YamlDocument:
    """A parsed file: its data (``None`` when it could not be read) and the positions of its nodes."""

    data: Any
    positions: Positions
    problems: list[Problem]


class _Fail(Exception):
    def __init__(self, line: int | None, col: int | None, code: str, message: str) -> None:
        super().__init__(message)
        self.line, self.col, self.code, self.message = line, col, code, message


def _mark(event: Any) -> tuple[int, int]:
    m = event.start_mark
    return (m.line + 1, m.column + 1)


class _Frame:
    __slots__ = ("anchor", "container", "key", "key_pos", "loc", "weight")

    def __init__(self, container: Any, loc: Loc, anchor: str | None) -> None:
        self.container = container
        self.loc = loc
        self.anchor = anchor
        self.key: Any = _NO_KEY
        self.key_pos: tuple[int, int] = (0, 0)
        self.weight = 1


_NO_KEY = object()


#: Characters refused in any text however they are spelled: raw (the YAML reader refuses what is not printable)
#: or written as an escape (``"\x0b"``, ``"\e"``, ``"\0"``, ``"\r"``): C0 and C1 controls but tab and newline,
#: DEL, lone surrogates, the non-characters U+FFFE/U+FFFF and the line breaks editors do not show.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u2028\u2029]")


def control_message(char: str | int) -> str:
    """The one message for a control character, raw or escaped."""
    code = char if isinstance(char, int) else ord(char)
    return (f"character U+{code:04X} is a control character, which is not allowed in records "
            "(raw or written as an escape); remove it")


def _scalar_value(loader: Any, event: Any) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == "tag:yaml.org,2002:merge":
        line, col = _mark(event)
        raise _Fail(line, col, "yaml-merge-key", "merge keys ('<<') are not supported in records; write the keys out")
    constructor = loader.yaml_constructors.get(tag)
    if constructor is None:
        line, col = _mark(event)
        raise _Fail(line, col, "yaml-tag", f"tag {tag!r} is not allowed (only plain YAML values are)")
    if event.style == '"':  # only a double-quoted scalar has escapes; raw characters were checked by the reader
        bad = _CONTROL.search(event.value)
        if bad is not None:
            line, col = _mark(event)
            raise _Fail(line, col, "yaml-control-character", control_message(bad.group(0)))
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    try:
        return constructor(loader, node)
    except (ValueError, yaml.YAMLError) as exc:
        line, col = _mark(event)
        raise _Fail(line, col, "yaml-value", f"cannot read value {event.value!r}: {exc}") from None


def _build(text: str, soft: list[_Fail]) -> tuple[Any, Positions]:
    """Turn YAML text into Python values, recording positions; raise ``_Fail`` or ``yaml.YAMLError``.

    Problems after which the data is still well defined (a duplicate key: the later value wins, as in YAML) are
    appended to ``soft`` instead, so that the file's other problems can still be found."""
    loader = _Loader(text)
    positions = Positions()
    anchors: dict[str, tuple[Any, int]] = {}
    stack: list[_Frame] = []
    result: Any = None
    documents = 0
    total = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    line, col = _mark(event)
                    raise _Fail(line, col, "yaml-multiple-documents", "a record file holds exactly one YAML document")
                continue
            if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
                continue
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                frame = stack.pop()
                if frame.anchor is not None:
                    anchors[frame.anchor] = (frame.container, frame.weight)
                value, weight, increment = frame.container, frame.weight, 1
                start = positions.values.get(frame.loc, (1, 1))
            else:
                if isinstance(event, yaml.AliasEvent):
                    if event.anchor not in anchors:
                        line, col = _mark(event)
                        raise _Fail(line, col, "yaml-syntax", f"alias *{event.anchor} refers to no finished anchor")
                    value, weight = anchors[event.anchor]
                    increment = weight
                elif isinstance(event, yaml.ScalarEvent):
                    value, weight = _scalar_value(loader, event), 1
                    increment = 1
                    if event.anchor is not None:
                        anchors[event.anchor] = (value, 1)
                elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                    if len(stack) >= MAX_DEPTH:
                        line, col = _mark(event)
                        raise _Fail(line, col, "yaml-too-deep", f"nesting deeper than {MAX_DEPTH} levels")
                    tag = event.tag
                    if tag is not None and tag not in ("!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
                        line, col = _mark(event)
                        raise _Fail(line, col, "yaml-tag", f"tag {tag!r} is not allowed (only plain YAML values are)")
                    parent = stack[-1] if stack else None
                    loc = _child_loc(parent)
                    positions.values[loc] = _mark(event)
                    container: Any = {} if isinstance(event, yaml.MappingStartEvent) else []
                    stack.append(_Frame(container, loc, event.anchor))
                    continue
                else:  # pragma: no cover - the parser emits no other event kinds
                    continue
                start = _mark(event)
            total += increment
            if total > MAX_NODES:
                if anchors:
                    raise _Fail(start[0], start[1], "yaml-alias-bomb", f"the document expands to more than "
                                f"{MAX_NODES:,} values (aliases repeated too often)")
                raise _Fail(start[0], start[1], "yaml-too-many-values",
                            f"the document holds more than {MAX_NODES:,} values; records are limited to that")
            if not stack:
                result = value
                if not isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                    positions.values[()] = start
                continue
            parent = stack[-1]
            parent.weight += weight
            if isinstance(parent.container, list):
                loc = (*parent.loc, len(parent.container))
                if not isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                    positions.values[loc] = start
                parent.container.append(value)
            elif parent.key is _NO_KEY:
                if isinstance(value, (dict, list)):
                    raise _Fail(start[0], start[1], "yaml-complex-key", "mapping keys must be plain values")
                if value in parent.container:
                    first = positions.keys.get((*parent.loc, value))
                    where = f" (first at line {first[0]})" if first else ""
                    soft.append(_Fail(start[0], start[1], "duplicate-key",
                                      f"duplicate key {value!r}{where}: YAML would silently keep only the last one"))
                parent.key, parent.key_pos = value, start
            else:
                loc = (*parent.loc, parent.key)
                positions.keys[loc] = parent.key_pos
                if not isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                    positions.values[loc] = start
                parent.container[parent.key] = value
                parent.key = _NO_KEY
    finally:
        loader.dispose()
    return result, positions


def _child_loc(parent: _Frame | None) -> Loc:
    if parent is None:
        return ()
    if isinstance(parent.container, list):
        return (*parent.loc, len(parent.container))
    if parent.key is _NO_KEY:
        return (*parent.loc, "<key>")
    return (*parent.loc, parent.key)


def _line_col(data: str | bytes, index: int) -> tuple[int, int]:
    """1-based line and column of ``data[index]``, counting lines by newline characters."""
    if isinstance(data, str):
        return data.count("\n", 0, index) + 1, index - data.rfind("\n", 0, index)
    return data.count(b"\n", 0, index) + 1, index - data.rfind(b"\n", 0, index)


def _decode(raw: bytes, rel: str) -> tuple[str | None, list[Problem]]:
    def fail(line: int | None, col: int | None, code: str, msg: str) -> tuple[None, list[Problem]]:
        return None, [Problem(rel, line, col, "error", code, msg)]

    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return fail(1, 1, "encoding", "file is UTF-16; save it as UTF-8 without a byte order mark")
    if raw.startswith(b"\xef\xbb\xbf"):
        return fail(1, 1, "encoding-bom", "file starts with a byte order mark; save it as UTF-8 without BOM")
    nul = raw.find(b"\x00")
    if nul >= 0:
        return fail(*_line_col(raw, nul), "binary-file",
                    "file contains NUL bytes: it is binary or UTF-16/32, not UTF-8 text")
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        return fail(*_line_col(raw, exc.start), "encoding",
                    f"byte 0x{raw[exc.start]:02x} is not valid UTF-8 (Latin-1 or another legacy encoding?); "
                    "save the file as UTF-8")


def _char_at(text: str, line: int, col: int) -> str:
    lines = text.split("\n", line)
    if len(lines) < line:
        return ""
    row = lines[line - 1]
    return row[col - 1] if 0 < col <= len(row) else ""


#: Characters YAML reads as line breaks although editors, git and GitHub do not: positions would disagree.
_ODD_BREAK = re.compile("[\u2028\u2029\x85]|\r(?!\n)")


def parse_text(text: str, rel: str) -> YamlDocument:
    """Parse YAML text that claims to be one record; problems are reported against ``rel``."""
    odd = _ODD_BREAK.search(text)
    if odd:
        at = _line_col(text, odd.start())
        return YamlDocument(None, Positions(), [Problem(
            rel, at[0], at[1], "error", "yaml-line-break",
            f"character U+{ord(odd.group(0)):04X} is a line break for YAML but not for editors; "
            "use plain newlines")])
    soft: list[_Fail] = []
    try:
        data, positions = _build(text, soft)
    except _Fail as exc:
        return YamlDocument(None, Positions(), [Problem(rel, exc.line, exc.col, "error", exc.code, exc.message)])
    except yaml.MarkedYAMLError as exc:
        # The context mark is where the construct that went wrong opens (the quote or bracket never closed); the
        # problem mark may be the end of the file. Point at the opening, and say where the parser gave up when
        # that is elsewhere. A block mapping's opening is only the top of the record, though: there the problem
        # mark is the line to fix.
        problem_mark, context_mark = exc.problem_mark, exc.context_mark
        block = (exc.context or "").startswith("while parsing a block")
        mark = problem_mark if block and problem_mark is not None else context_mark or problem_mark
        other = context_mark if mark is problem_mark else problem_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        problem = exc.problem or "invalid YAML"
        if other is not None and mark is not None and other.line != mark.line:
            where = "the block opens" if block else "the parser stopped"
            problem += f" ({where} at line {other.line + 1}, column {other.column + 1})"
        code, message = "yaml-syntax", f"{exc.context}: {problem}" if exc.context else problem
        tab = problem_mark is not None and _char_at(text, problem_mark.line + 1, problem_mark.column + 1) == "\t"
        if tab and problem_mark is not None:
            line, col = problem_mark.line + 1, problem_mark.column + 1
            code, message = "yaml-tab", "tab character where YAML allows only spaces for indentation"
        elif "nesting depth" in problem:  # newer libyaml stops runaway nesting itself, before our own limit
            code, message = "yaml-too-deep", f"nesting deeper than {MAX_DEPTH} levels"
        return YamlDocument(None, Positions(), [Problem(rel, line, col, "error", code, message)])
    except yaml.reader.ReaderError as exc:
        at = _line_col(text, exc.position)
        return YamlDocument(None, Positions(), [Problem(
            rel, at[0], at[1], "error", "yaml-control-character",
            control_message(exc.character))])
    except yaml.YAMLError as exc:
        return YamlDocument(None, Positions(), [Problem(rel, None, None, "error", "yaml-syntax", str(exc))])
    except RecursionError:
        return YamlDocument(None, Positions(), [Problem(rel, 1, 1, "error", "yaml-too-deep", "nesting too deep")])
    if data is None:
        return YamlDocument(None, positions, [Problem(rel, 1, 1, "error", "empty-file", "file holds no data")])
    return YamlDocument(data, positions, [Problem(rel, f.line, f.col, "error", f.code, f.message) for f in soft])


def read_bytes(path: str | Path, rel: str, *, max_bytes: int = MAX_BYTES,
               root: str | Path | None = None) -> tuple[bytes | None, list[Problem]]:
    """A record file's bytes through the safe file layer (inside the checkout ``root``, by default the one ``rel``
    is relative to; a plain file; at most ``max_bytes``)."""
    return read_file(path, rel, max_bytes=max_bytes, root=root, what="records")


def parse_bytes(raw: bytes, rel: str) -> YamlDocument:
    """Strict UTF-8 decoding, then :func:`parse_text`."""
    text, problems = _decode(raw, rel)
    if text is None:
        return YamlDocument(None, Positions(), problems)
    return parse_text(text, rel)


def read_yaml(path: Path, rel: str, *, max_bytes: int = MAX_BYTES) -> YamlDocument:
    """Read one YAML file safely: size limit before reading, strict UTF-8, then :func:`parse_text`."""
    raw, problems = read_bytes(path, rel, max_bytes=max_bytes)
    if raw is None:
        return YamlDocument(None, Positions(), problems)
    return parse_bytes(raw, rel)
