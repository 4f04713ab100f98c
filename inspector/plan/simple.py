"""The inspector's own plan format (YAML or JSON), translated into JSON Schema.

See docs/plans.md. In short::

    strict: false                    # default for every event: flag unplanned properties?
    events:
      Order Completed:
        strict: true
        properties:
          order_id: {type: string, required: true}
          revenue: number            # shorthand for {type: number}
          currency: {type: string, enum: [USD, EUR]}
          products:
            type: array
            items:
              properties:
                sku: {type: string, pattern: "^[A-Z0-9-]+$"}
    identify:
      traits:
        email: {type: string, required: true}
    group:
      traits:
        name: string
"""

from __future__ import annotations

import re
from typing import Any

from inspector.plan.formats import CompiledPlan, build
from inspector.plan.schema import Target, make_target, type_name

TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null", "any"})
DATE_TIME = frozenset({"date-time", "datetime", "date"})

#: Keys of a property, passed to JSON Schema as they are.
PASSTHROUGH = frozenset(
    {
        "description",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "uniqueItems",
        "multipleOf",
        "const",
        "examples",
        "default",
    }
)
PROPERTY_KEYS = PASSTHROUGH | {
    "type",
    "required",
    "enum",
    "pattern",
    "properties",
    "items",
    "strict",
}
EVENT_KEYS = frozenset({"description", "properties", "required", "strict"})
TRAITS_KEYS = frozenset({"description", "traits", "required", "strict"})
TOP_KEYS = frozenset({"version", "name", "description", "strict", "events", "identify", "group"})


def _unknown(keys: Any, allowed: frozenset[str], where: str) -> None:
    extra = [k for k in keys if k not in allowed]
    if extra:
        raise ValueError(
            f"{where}: unknown key {extra[0]!r} (expected one of {', '.join(sorted(allowed))})"
        )


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{where}: must be true or false, not {value!r}")
    return value


def _types(spec: Any, where: str) -> tuple[list[str], str | None]:
    """Type names -> JSON Schema types and an optional format."""
    if isinstance(spec, str):
        names = [t.strip() for t in spec.split("|")]
    elif isinstance(spec, list) and all(isinstance(t, str) for t in spec):
        names = [t.strip() for t in spec]
    else:
        raise ValueError(f"{where}: type must be a name or a list of names, not {spec!r}")
    out: list[str] = []
    fmt = None
    for n in names:
        low = n.lower()
        if low in DATE_TIME:
            fmt = "date" if low == "date" else "date-time"
            low = "string"
        elif low not in TYPES:
            raise ValueError(
                f"{where}: unknown type {n!r} (expected one of "
                "string, number, integer, boolean, object, array, null, any, date-time, date)"
            )
        if low == "any":
            return [], None
        if low not in out:
            out.append(low)
    return out, fmt


def property_schema(spec: Any, where: str, strict: bool) -> dict[str, Any]:
    """One property's plan -> a JSON Schema (``required`` is handled by the parent)."""
    if spec is None:
        return {}
    if isinstance(spec, str | list):
        spec = {"type": spec}
    if not isinstance(spec, dict):
        raise ValueError(f"{where}: expected a type name or a mapping, not {type_name(spec)}")
    _unknown(spec, PROPERTY_KEYS, where)
    schema: dict[str, Any] = {k: v for k, v in spec.items() if k in PASSTHROUGH}
    types: list[str] = []
    if "type" in spec:
        types, fmt = _types(spec["type"], f"{where}.type")
        if fmt and "format" not in schema:
            schema["format"] = fmt
    if "enum" in spec:
        if not isinstance(spec["enum"], list) or not spec["enum"]:
            raise ValueError(f"{where}.enum: must be a non-empty list")
        schema["enum"] = spec["enum"]
    if "pattern" in spec:
        if not isinstance(spec["pattern"], str):
            raise ValueError(f"{where}.pattern: must be a string")
        try:
            re.compile(spec["pattern"])
        except re.error as exc:
            raise ValueError(f"{where}.pattern: invalid regular expression: {exc}") from None
        schema["pattern"] = spec["pattern"]
    child_strict = _bool(spec["strict"], f"{where}.strict") if "strict" in spec else strict
    if "properties" in spec:
        schema.update(object_schema(spec["properties"], spec.get("required"), where, child_strict))
        if not types:
            types = ["object"]
    elif "strict" in spec and child_strict:
        schema["additionalProperties"] = False
    if "items" in spec:
        schema["items"] = property_schema(spec["items"], f"{where}.items", child_strict)
        if not types:
            types = ["array"]
    if types:
        schema["type"] = types[0] if len(types) == 1 else types
    return schema


def object_schema(props: Any, required: Any, where: str, strict: bool) -> dict[str, Any]:
    """A mapping of property plans -> ``properties``/``required``/``additionalProperties``."""
    if props is None:
        props = {}
    if not isinstance(props, dict):
        raise ValueError(f"{where}.properties: must be a mapping of name to plan")
    schema: dict[str, Any] = {"properties": {}}
    req: list[str] = []
    for name, spec in props.items():
        name = str(name)
        pwhere = f"{where}.{name}"
        schema["properties"][name] = property_schema(spec, pwhere, strict)
        if isinstance(spec, dict) and "required" in spec:
            if isinstance(spec["required"], bool):
                if spec["required"]:
                    req.append(name)
            elif not ("properties" in spec and isinstance(spec["required"], list)):
                raise ValueError(f"{pwhere}.required: must be true or false")
    if isinstance(required, list):
        for r in required:
            if not isinstance(r, str):
                raise ValueError(f"{where}.required: must be a list of names")
            if r not in req:
                req.append(r)
    elif required is not None and not isinstance(required, bool):
        raise ValueError(f"{where}.required: must be a list of names")
    if req:
        schema["required"] = req
    if strict:
        schema["additionalProperties"] = False
    return schema


def _event_spec(spec: Any, where: str, strict: bool, inner: str, keys: frozenset[str]) -> dict:
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        raise ValueError(f"{where}: expected a mapping, not {type_name(spec)}")
    _unknown(spec, keys, where)
    own_strict = _bool(spec["strict"], f"{where}.strict") if "strict" in spec else strict
    schema = {"type": "object"}
    schema.update(object_schema(spec.get(inner), spec.get("required"), where, own_strict))
    return schema


def simple_plan(doc: dict[str, Any], source: str) -> CompiledPlan:
    _unknown(doc, TOP_KEYS, source)
    strict = _bool(doc["strict"], f"{source}: strict") if "strict" in doc else False
    raw = doc.get("events") or {}
    items: list[tuple[str, Any]]
    if isinstance(raw, dict):
        items = [(str(k), v) for k, v in raw.items()]
    elif isinstance(raw, list):
        items = []
        for i, e in enumerate(raw):
            if not isinstance(e, dict) or not isinstance(e.get("name"), str):
                raise ValueError(f"{source}: events[{i}] needs a name")
            items.append((e["name"], {k: v for k, v in e.items() if k != "name"}))
    else:
        raise ValueError(f"{source}: events must be a mapping of event name to plan")
    events: list[Target] = []
    names: set[str] = set()
    for name, spec in items:
        where = f"{source}: {name}"
        if name in names:
            raise ValueError(f"{where}: planned twice")
        names.add(name)
        schema = _event_spec(spec, where, strict, "properties", EVENT_KEYS)
        events.append(make_target("track", name, schema, field="properties", where=where))
    targets: dict[str, Target | None] = {"identify": None, "group": None}
    for kind in targets:
        if doc.get(kind) is not None:
            where = f"{source}: {kind}"
            schema = _event_spec(doc[kind], where, False, "traits", TRAITS_KEYS)
            targets[kind] = make_target(kind, kind, schema, field="traits", where=where)
    return build("simple", events, targets["identify"], targets["group"])
