"""Compiled JSON Schemas for one planned thing, and jsonschema errors turned into Violations.

Every plan format ends up here: each planned event (and identify traits, group traits, the
common schema) is one JSON Schema, checked by the ``jsonschema`` library's validator for the
schema's draft (Draft 7 when the schema does not say), compiled once when the plan is loaded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import SchemaError, ValidationError, best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from jsonschema_specifications import REGISTRY as METASCHEMAS
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT7, specification_with

from inspector.model import Severity, Violation

#: Rule id -> (severity, summary). The plan's rules are not in the global registry (they exist
#: only when a plan is loaded); this table is what docs and the UI can list.
PLAN_RULES: dict[str, tuple[Severity, str]] = {
    "plan/unplanned-event": ("warning", "A track event whose name is not in the tracking plan."),
    "plan/missing-required": ("error", "A property or trait the plan marks required is missing."),
    "plan/wrong-type": (
        "error",
        "A value's JSON type (or date-time format) differs from the plan.",
    ),
    "plan/not-in-enum": ("error", "A value is not one of the plan's permitted values."),
    "plan/pattern-mismatch": ("error", "A string does not match the plan's regular expression."),
    "plan/unplanned-property": (
        "warning",
        "A property or trait the plan does not list, where the plan forbids extra ones.",
    ),
    "plan/invalid-value": (
        "error",
        "A value fails another JSON Schema keyword of the plan (minimum, maxLength, ...).",
    ),
}

#: Top-level fields of a Segment message; a schema whose `properties` are only these
#: describes the whole message (Protocols style) rather than the event's properties.
MESSAGE_FIELDS = frozenset(
    {
        "type",
        "event",
        "name",
        "properties",
        "traits",
        "context",
        "integrations",
        "userId",
        "anonymousId",
        "groupId",
        "previousId",
        "timestamp",
        "sentAt",
        "receivedAt",
        "originalTimestamp",
        "messageId",
        "channel",
        "version",
        "category",
        "writeKey",
    }
)

_IDENT = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if len(value) < 11 or value[10] not in "Tt ":
        return False
    try:
        datetime.fromisoformat(value[:-1] + "+00:00" if value[-1:] in "Zz" else value)
    except ValueError:
        return False
    return True


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


#: The format checker the plans use: jsonschema's own, with date-time and date always on
#: (jsonschema only checks date-time when an optional package is installed).
FORMATS = FormatChecker()
FORMATS.checks("date-time")(_is_datetime)
FORMATS.checks("date")(_is_date)


def compile_schema(schema: Any, where: str) -> Validator:
    """A validator for ``schema``, checked against its metaschema; ValueError when invalid."""
    if isinstance(schema, bool):
        schema = {} if schema else {"not": {}}
    if not isinstance(schema, dict):
        raise ValueError(f"{where}: a JSON Schema must be an object, not {type_name(schema)}")
    # Protocols exports carry `"required": []` under draft-04, whose metaschema forbids it;
    # an empty list requires nothing, so drop it rather than reject real exports.
    schema = _drop_empty_required(schema)
    cls = validator_for(schema, default=Draft7Validator)
    try:
        cls.check_schema(schema)
    except SchemaError as exc:
        loc = "/".join(str(p) for p in exc.absolute_path)
        raise ValueError(
            f"{where}: invalid JSON Schema{' at ' + loc if loc else ''}: {one_line(exc.message)}"
        ) from None
    for pattern in _patterns(schema):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{where}: invalid pattern {pattern!r}: {exc}") from None
    _check_refs(schema, where)
    validator: Validator = cls(schema, format_checker=FORMATS)
    return validator


def _check_refs(schema: dict[str, Any], where: str) -> None:
    """Every ``$ref`` must resolve inside the plan: nothing is fetched, and a reference that
    points nowhere would otherwise fail on every message instead of at load time."""
    try:
        spec = specification_with(str(schema.get("$schema", "")), default=DRAFT7)
    except Exception:
        spec = DRAFT7
    root = spec.create_resource(schema)
    uri = root.id() or "urn:inspector:plan"
    # The metaschemas (jsonschema_specifications) are the only documents besides the plan.
    registry: Registry[Any] = METASCHEMAS.with_resource(uri, root)
    resolver = registry.resolver(base_uri=uri)
    stack: list[tuple[Any, Any, int]] = [(schema, resolver, 0)]
    while stack:
        node, res, depth = stack.pop()
        if depth > 200:
            continue
        if isinstance(node, dict):
            sub = node.get("$id")
            if node is not schema and isinstance(sub, str) and sub:
                res = res.in_subresource(spec.create_resource(node))
            for key in ("$ref", "$dynamicRef", "$recursiveRef"):
                ref = node.get(key)
                if isinstance(ref, str):
                    try:
                        res.lookup(ref)
                    except Unresolvable as exc:
                        raise ValueError(
                            f"{where}: {key} {ref!r} does not resolve ({type(exc).__name__}); "
                            "a plan's references must point inside the plan (nothing is fetched)"
                        ) from None
            for k, v in node.items():
                if k not in _VALUES:
                    stack.append((v, res, depth + 1))
        elif isinstance(node, list):
            stack.extend((v, res, depth + 1) for v in node)


_VALUES = frozenset({"enum", "const", "default", "examples"})


def _drop_empty_required(schema: Any, depth: int = 0) -> Any:
    if depth > 100:
        return schema
    if isinstance(schema, dict):
        return {
            k: v if k in _VALUES else _drop_empty_required(v, depth + 1)
            for k, v in schema.items()
            if not (k == "required" and v == [])
        }
    if isinstance(schema, list):
        return [_drop_empty_required(v, depth + 1) for v in schema]
    return schema


def _patterns(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        for k, v in schema.items():
            if k == "pattern" and isinstance(v, str):
                yield v
            elif k == "patternProperties" and isinstance(v, dict):
                yield from (p for p in v if isinstance(p, str))
                for sub in v.values():
                    yield from _patterns(sub)
            elif k not in ("enum", "const", "examples", "default"):
                yield from _patterns(v)
    elif isinstance(schema, list):
        for v in schema:
            yield from _patterns(v)


def one_line(text: str) -> str:
    return " ".join(str(text).split())


# --------------------------------------------------------------------------------------
# Paths and value descriptions
# --------------------------------------------------------------------------------------


def join_path(prefix: str, parts: Iterable[str | int]) -> str:
    """``properties`` + (products, 0, price) -> ``properties.products[0].price``."""
    out = prefix
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif p == "[]":
            out += "[]"
        elif _IDENT.match(p):
            out = f"{out}.{p}" if out else p
        else:
            out += f"[{json.dumps(p, ensure_ascii=False)}]"
    return out


def type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def a_type(value: object) -> str:
    """'a string', 'an integer', 'null'."""
    t = type_name(value)
    if t == "null":
        return "null"
    return f"{'an' if t[0] in 'aeiou' else 'a'} {t}"


def show(value: object, limit: int = 40) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def expected_types(types: object) -> str:
    if isinstance(types, list):
        names = [str(t) for t in types]
        return " or ".join(names) if names else "nothing"
    return str(types)


# --------------------------------------------------------------------------------------
# One planned thing
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One schema of the plan: a track event (one version), identify, group or common."""

    kind: str  # "track" | "identify" | "group" | "common"
    name: str  # event name; "identify", "group", "common" for the others
    schema: dict[str, Any]
    validator: Validator
    #: The message field the schema describes ("properties", "traits"), or "" for the
    #: whole message (Protocols style).
    field: str = ""
    version: int | None = None
    #: Required paths (display form, e.g. ``properties.products[].product_id``) and their
    #: segment tuples for presence checks, for coverage.
    required: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Where it came from (file, or file + event), for messages and coverage.
    source: str = ""

    @property
    def label(self) -> str:
        if self.kind == "track":
            return f'"{self.name}"'
        if self.kind == "common":
            return "the common schema"
        return f"{self.kind} traits"

    def instance(self, message: dict[str, Any]) -> Any:
        """What the schema validates: the whole message, or one field of it ({} when absent)."""
        if not self.field:
            return message
        return message.get(self.field, {})

    def check(self, message: dict[str, Any]) -> list[Violation]:
        instance = self.instance(message)
        out: list[Violation] = []
        seen: set[tuple[str, str]] = set()
        for error in self.validator.iter_errors(instance):
            for v in map_error(error, self.field, self):
                key = (v.rule, v.path)
                if key not in seen:
                    seen.add(key)
                    out.append(v)
        return out


def make_target(
    kind: str,
    name: str,
    schema: Any,
    *,
    field: str,
    where: str,
    version: int | None = None,
) -> Target:
    validator = compile_schema(schema, where)
    if isinstance(schema, bool):
        schema = {}
    return Target(
        kind=kind,
        name=name,
        schema=schema,
        validator=validator,
        field=field,
        version=version,
        required=tuple(required_paths(schema, field)),
        source=where,
    )


def required_paths(schema: dict[str, Any], field: str) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Every required property the schema names, as (display path, segments)."""
    base: tuple[str, ...] = (field,) if field else ()
    seen: set[tuple[str, ...]] = set()
    for segs in _required(schema, base, 0):
        if not field and len(segs) == 1 and segs[0] in MESSAGE_FIELDS:
            continue  # "properties" required at the top of a whole-message schema
        if segs not in seen:
            seen.add(segs)
            yield join_path("", segs), segs


def _required(schema: Any, segs: tuple[str, ...], depth: int) -> Iterator[tuple[str, ...]]:
    if not isinstance(schema, dict) or depth > 20:
        return
    req = schema.get("required")
    if isinstance(req, list):
        for r in req:
            if isinstance(r, str):
                yield (*segs, r)
    props = schema.get("properties")
    if isinstance(props, dict):
        for k, sub in props.items():
            yield from _required(sub, (*segs, k), depth + 1)
    items = schema.get("items")
    if isinstance(items, dict):
        yield from _required(items, (*segs, "[]"), depth + 1)
    for key in ("allOf",):
        subs = schema.get(key)
        if isinstance(subs, list):
            for sub in subs:
                yield from _required(sub, segs, depth + 1)


def present(value: Any, segs: Sequence[str]) -> bool:
    """Whether ``segs`` leads to a value in ``value``; ``[]`` means "in any item"."""
    if not segs:
        return True
    head, rest = segs[0], segs[1:]
    if head == "[]":
        return isinstance(value, list) and any(present(x, rest) for x in value)
    return isinstance(value, dict) and head in value and present(value[head], rest)


# --------------------------------------------------------------------------------------
# jsonschema errors -> Violations
# --------------------------------------------------------------------------------------


def _subject(path: str) -> str:
    return path or "the message"


def map_error(error: ValidationError, field: str, target: Target) -> list[Violation]:
    """One jsonschema error as plan violations (several for `required` and extra properties)."""
    path = join_path(field, error.absolute_path)
    kind = error.validator
    value = error.validator_value
    inst = error.instance
    where = f"for {target.label}" if target.kind != "common" else "in the common schema"

    if kind == "required":
        if not isinstance(inst, dict) or not isinstance(value, list):
            return []
        out = []
        props = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        for name in value:
            if not isinstance(name, str) or name in inst:
                continue
            sub = props.get(name) if isinstance(props, dict) else None
            t = sub.get("type") if isinstance(sub, dict) else None
            expect = f" ({expected_types(t)})" if t else ""
            p = join_path(path, [name])
            out.append(
                Violation(
                    "plan/missing-required",
                    "error",
                    p,
                    f"{p} is missing; the plan requires it{expect} {where}.",
                )
            )
        return out

    if kind == "type":
        return [
            Violation(
                "plan/wrong-type",
                "error",
                path,
                f"{_subject(path)} is {a_type(inst)}; the plan expects {expected_types(value)}.",
            )
        ]

    if kind == "format" and value in ("date-time", "date"):
        what = "an ISO-8601 date-time" if value == "date-time" else "an ISO-8601 date"
        return [
            Violation(
                "plan/wrong-type",
                "error",
                path,
                f"{_subject(path)} is {show(inst)}, not {what}; the plan expects {value}.",
            )
        ]

    if kind in ("enum", "const"):
        allowed = value if kind == "enum" and isinstance(value, list) else [value]
        listed = ", ".join(show(a, 30) for a in allowed[:10])
        if len(allowed) > 10:
            listed += f", … ({len(allowed)} values)"
        return [
            Violation(
                "plan/not-in-enum",
                "error",
                path,
                f"{_subject(path)} is {show(inst)}; the plan expects one of {listed}.",
            )
        ]

    if kind == "pattern":
        return [
            Violation(
                "plan/pattern-mismatch",
                "error",
                path,
                f"{_subject(path)} is {show(inst)}; the plan expects a match for /{value}/.",
            )
        ]

    if kind in ("additionalProperties", "unevaluatedProperties") and value is False:
        if not isinstance(inst, dict):
            return []
        schema = error.schema if isinstance(error.schema, dict) else {}
        props = schema.get("properties", {})
        planned = list(props) if isinstance(props, dict) else []
        pats = schema.get("patternProperties", {})
        regexes = [re.compile(p) for p in pats] if isinstance(pats, dict) else []
        listed = ", ".join(planned[:8]) + (", …" if len(planned) > 8 else "")
        expect = f"the plan lists only {listed}" if planned else "the plan lists none"
        out = []
        for key in inst:
            if key in planned or any(r.search(key) for r in regexes):
                continue
            p = join_path(path, [key])
            out.append(
                Violation(
                    "plan/unplanned-property",
                    "warning",
                    p,
                    f"{p} is not in the plan {where}; {expect}.",
                )
            )
        return out

    if kind in ("anyOf", "oneOf") and error.context:
        subs = list(error.context)
        if all(e.validator == "type" and not e.relative_path for e in subs):
            types: list[str] = []
            for e in subs:
                vv = e.validator_value
                for t in vv if isinstance(vv, list) else [vv]:
                    if str(t) not in types:
                        types.append(str(t))
            return [
                Violation(
                    "plan/wrong-type",
                    "error",
                    path,
                    f"{_subject(path)} is {a_type(inst)}; the plan expects {' or '.join(types)}.",
                )
            ]
        best = best_match(subs)
        if best is not None and best is not error:
            return map_error(best, field, target)

    wording = _EXPECT.get(str(kind))
    expect = wording.format(show(value, 60)) if wording else f"{kind} {show(value, 60)}"
    return [
        Violation(
            "plan/invalid-value",
            "error",
            path,
            f"{_subject(path)} is {show(inst)}; the plan expects {expect} {where}.",
        )
    ]


_EXPECT = {
    "minimum": "a value >= {}",
    "maximum": "a value <= {}",
    "exclusiveMinimum": "a value > {}",
    "exclusiveMaximum": "a value < {}",
    "multipleOf": "a multiple of {}",
    "minLength": "at least {} characters",
    "maxLength": "at most {} characters",
    "minItems": "at least {} items",
    "maxItems": "at most {} items",
    "uniqueItems": "unique items",
    "format": "format {}",
    "not": "a value that does not match {}",
}
