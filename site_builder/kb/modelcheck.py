"""Validate parsed YAML against a pydantic model and turn every error into a located :class:`Problem`."""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, ValidationError

from site_builder.kb.problems import Problem
from site_builder.kb.report import plural
from site_builder.kb.suggest import did_you_mean
from site_builder.kb.yamlio import Loc, Positions

M = TypeVar("M", bound=BaseModel)

_TYPE_NAMES = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date (YYYY-MM-DD)",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"boolean {value}"
    if isinstance(value, (int, float)):
        return f"number {value!r}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dt.datetime):  # before date: a datetime is a date too
        return f"a date and time ({value.isoformat(sep=' ')})"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if not isinstance(value, str):
        return f"a value of another kind ({type(value).__name__})"
    text = repr(value)
    return f"text {text[:60]}{'…' if len(text) > 60 else ''}"


def _unwrap(annotation: Any) -> Any:
    """Strip Optional / list / dict / Annotated wrappers down to a model class, if there is one."""
    while True:
        origin = get_origin(annotation)
        if origin is typing.Annotated or origin in (list, tuple, set, frozenset):
            annotation = get_args(annotation)[0]
        elif origin is dict:
            annotation = get_args(annotation)[1]
        elif origin in (typing.Union, types.UnionType):
            models = [a for a in get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
            return models[0] if models else None
        else:
            return annotation


def field_model(model: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The model class of the value at ``loc`` (a path of keys and indexes), or ``None`` when it is not a model."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(part)
        if field is None:
            return None
        current = _unwrap(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def allowed_keys(model: type[BaseModel], loc: Loc) -> list[str]:
    """Field names accepted at ``loc`` (a path of keys and indexes), for did-you-mean hints on unknown keys."""
    found = field_model(model, loc)
    return list(found.model_fields) if found is not None else []


def _value_at(data: Any, loc: Loc) -> Any:
    for part in loc:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _name(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "record"


def check_model(model: type[M], data: Any, positions: Positions, rel: str) -> tuple[M | None, list[Problem]]:
    """Validate ``data`` with ``model``; return the instance (or ``None``) and one problem per error."""
    if not isinstance(data, dict):
        pos = positions.find(()) or (1, 1)
        return None, [Problem(rel, pos[0], pos[1], "error", "not-a-mapping",
                              f"a record must be a mapping of keys to values, not {_describe(data)}")]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = [_problem(model, data, positions, rel, err) for err in exc.errors(include_url=False)]
        return None, problems


def _problem(model: type[BaseModel], data: Any, positions: Positions, rel: str, err: Any) -> Problem:
    raw_loc: Loc = tuple(err["loc"])
    is_key = bool(raw_loc) and raw_loc[-1] == "[key]"
    loc = raw_loc[:-1] if is_key else raw_loc
    kind: str = err["type"]
    where = _name(loc)
    value = _value_at(data, loc)
    if kind == "extra_forbidden":
        code = "unknown-key"
        key = str(loc[-1])
        message = f"unknown key {key!r} in {_name(loc[:-1])}" + did_you_mean(key, allowed_keys(model, loc[:-1]))
        is_key = True
    elif kind == "missing":
        code = "missing-field"
        message = f"missing required field {where!r}"
    elif kind in _TYPE_NAMES:
        code = "wrong-type"
        message = f"{where}: expected {_TYPE_NAMES[kind]}, got {_describe(value)}"
        if isinstance(value, dt.datetime) and kind.startswith("date"):
            message = (f"{where}: expected a date, not a date and time ({value.isoformat(sep=' ')}); "
                       "write only YYYY-MM-DD")
        if kind == "string_type" and isinstance(value, (int, float)) and not isinstance(value, bool):
            message += " (put the value in quotes)"
    elif kind == "literal_error":
        code = "bad-value"
        expected = str(err.get("ctx", {}).get("expected", ""))
        options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",") if o.strip()]
        message = f"{where}: {_describe(value)} is not one of {expected}" + did_you_mean(str(value), options)
    elif kind in ("string_too_long", "too_long"):
        code = "too-long"
        limit = err.get("ctx", {}).get("max_length")
        message = f"{where}: longer than the limit of {limit} {'characters' if kind == 'string_too_long' else 'items'}"
    elif kind == "string_pattern_mismatch":
        code = "bad-value"
        message = f"{where}: {_describe(value)} does not have the expected form"
    elif kind == "too_short":
        code = "empty-list"
        message = f"{where}: needs at least {plural(int(err.get('ctx', {}).get('min_length', 1)), 'item')}"
    elif kind.startswith(("bad-", "empty-")):
        code = kind
        message = f"{where}: {err['msg']}"
    else:
        code = "invalid-value"
        message = f"{where}: {err['msg']}"
    pos = positions.find(loc, key=is_key) or (None, None)
    return Problem(rel, pos[0], pos[1], "error", code, message)
