"""Reading a tracking plan from disk, in any of the accepted formats, into compiled schemas.

Formats (detected, never named by the user):

- a directory of JSON Schema files, one per track event (``*.json``);
- one JSON Schema file for one track event;
- this project's simple plan format, YAML or JSON (``docs/plans.md``);
- a Segment Protocols tracking plan export, JSON (Config API ``tracking_plan.rules``,
  Public API ``rules`` list, or a Typewriter local plan).

Everything raises ValueError with a one-line message on a bad plan.
"""

from __future__ import annotations

import difflib
import json
import json.decoder
import json.scanner
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from inspector.plan.schema import MESSAGE_FIELDS, Target, make_target, one_line, type_name


@dataclass(frozen=True)
class CompiledPlan:
    format: str  # "json-schema-dir" | "json-schema" | "simple" | "protocols"
    #: Event name -> its versions, oldest first.
    events: dict[str, list[Target]] = field(default_factory=dict)
    identify: Target | None = None
    group: Target | None = None
    common: Target | None = None
    #: Normalised name -> planned name, for suggestions.
    normalised: dict[str, str] = field(default_factory=dict)

    def event(self, name: str, version: object = None) -> Target | None:
        versions = self.events.get(name)
        if not versions:
            return None
        if isinstance(version, int) and not isinstance(version, bool):
            for t in versions:
                if t.version == version:
                    return t
        return versions[0]

    def targets(self) -> list[Target]:
        out = [vs[0] for vs in self.events.values()]
        out += [t for t in (self.identify, self.group) if t is not None]
        return out

    def suggest(self, name: str) -> tuple[str, bool] | None:
        """The closest planned event name and whether it differs only in case/separators."""
        norm = normalise(name)
        exact = self.normalised.get(norm)
        if exact is not None:
            return exact, True
        close = difflib.get_close_matches(norm, list(self.normalised), n=1, cutoff=0.6)
        if close:
            return self.normalised[close[0]], False
        return None


_SEPARATORS = re.compile(r"[\s_\-.:/]+")


def normalise(name: str) -> str:
    return _SEPARATORS.sub("", name.casefold())


def build(
    fmt: str,
    events: list[Target],
    identify: Target | None = None,
    group: Target | None = None,
    common: Target | None = None,
) -> CompiledPlan:
    by_name: dict[str, list[Target]] = {}
    for t in events:
        by_name.setdefault(t.name, []).append(t)
    for name, versions in by_name.items():
        versions.sort(key=lambda t: t.version if t.version is not None else -1)
        numbers = [t.version for t in versions]
        if len(set(numbers)) != len(numbers):
            where = versions[-1].source.removesuffix(f": {name}")
            raise ValueError(f'{where}: event "{name}" is planned more than once')
    normalised: dict[str, str] = {}
    for name in by_name:
        normalised.setdefault(normalise(name), name)
    return CompiledPlan(fmt, by_name, identify, group, common, normalised)


# --------------------------------------------------------------------------------------
# YAML, read as written
# --------------------------------------------------------------------------------------

_YAML = "tag:yaml.org,2002:"


class DuplicateKey(ValueError):
    """A mapping (YAML) or object (JSON) names the same key twice; line/column are 0-based."""

    def __init__(self, key: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(key)
        self.key = key
        self.line = line
        self.column = column

    def describe(self, path: Path | str, container: str = "mapping") -> str:
        where = ""
        if self.line is not None and self.column is not None:
            where = f" (line {self.line + 1}, column {self.column + 1})"
        return (
            f'{path}: duplicate key "{self.key}"{where}; '
            f"a key may appear only once in a {container}"
        )


class PlanLoader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2 core-schema scalars, and mapping keys read as written.

    PyYAML implements YAML 1.1, which turns ``On``/``off``/``yes``/``no``/``y`` into booleans,
    ``2024-05-01`` into a date, ``1:30`` into 90 and ``0755`` into 493. In a plan that silently
    renames events and properties and changes permitted values, so:

    - every mapping key (event names, property names, traits) is the text as written;
    - only ``true``/``false`` are booleans, only ``null``/``~``/nothing is null, and numbers are
      plain decimal (or ``0x``/``0o``) integers and floats; anything else (``yes``, ``on``,
      dates, times, ``0755``) is a string.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        # A key written twice in one mapping is an error (PyYAML keeps the last silently);
        # keys brought in by a merge (`<<: *base`) may be overridden, as YAML intends.
        own = [k for k, _ in node.value if k.tag != _YAML + "merge"]
        self.flatten_mapping(node)
        merged = len(node.value) - len(own)
        out: dict[Any, Any] = {}
        written: set[Any] = set()
        for i, (key_node, value_node) in enumerate(node.value):
            if isinstance(key_node, yaml.ScalarNode):
                key: Any = key_node.value
            else:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping",
                    node.start_mark,
                    "found a non-scalar key (a list or mapping); keys must be names",
                    key_node.start_mark,
                )
            if i >= merged:
                if key in written:
                    raise DuplicateKey(key, key_node.start_mark.line, key_node.start_mark.column)
                written.add(key)
            out[key] = self.construct_object(value_node, deep=deep)
        return out


PlanLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag.removeprefix(_YAML) in ("null", "merge")]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
PlanLoader.add_implicit_resolver(
    _YAML + "bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
PlanLoader.add_implicit_resolver(
    _YAML + "int",
    re.compile(r"^(?:[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+|0o[0-7]+)$"),
    list("-+0123456789"),
)
PlanLoader.add_implicit_resolver(
    _YAML + "float",
    re.compile(
        r"^(?:[-+]?(?:(?:0|[1-9][0-9]*)\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?(?:0|[1-9][0-9]*)[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------


def read_plan(path: Path) -> CompiledPlan:
    if path.is_dir():
        return _schema_dir(path)
    if not path.exists():
        raise ValueError(f"{path}: no such file or directory")
    doc = _parse(path)
    fmt = detect(doc, path)
    if fmt == "protocols":
        return protocols_plan(doc, str(path))
    if fmt == "simple":
        from inspector.plan.simple import simple_plan

        return simple_plan(doc, str(path))
    return build("json-schema", [_event_schema(doc, path)])


def plan_files(path: Path) -> list[Path]:
    """The files a plan is read from (what reloading watches)."""
    if path.is_dir():
        return sorted(p for p in path.glob("*.json") if p.is_file() and not p.name.startswith("."))
    return [path]


def _parse(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ValueError(f"{path}: {exc.strerror or exc}") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            return yaml.load(text, Loader=PlanLoader)  # noqa: S506 - a SafeLoader subclass
        except DuplicateKey as exc:
            raise ValueError(exc.describe(path)) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
            problem = getattr(exc, "problem", None) or str(exc)
            raise ValueError(f"{path}: invalid YAML{where}: {one_line(problem)}") from None
    try:
        return json.loads(text, object_pairs_hook=_unique_pairs)
    except DuplicateKey as exc:
        _locate_duplicate(text, exc)
        raise ValueError(exc.describe(path, "JSON object")) from None
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{path}: invalid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(key)
        out[key] = value
    return out


#: The pure-Python object parser of the json module (not in its typed interface).
_JSON_OBJECT: Callable[..., Any] = getattr(json.decoder, "JSONObject")  # noqa: B009


def _locate_duplicate(text: str, dup: DuplicateKey) -> None:
    """Set the line and column of ``dup``'s second occurrence (json's C parser, used for the
    normal load, does not say where an object starts; the pure-Python one is asked again)."""
    starts: list[int] = []

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> Any:
        try:
            return _JSON_OBJECT(s_and_end, *args)
        except DuplicateKey:
            if not starts:
                starts.append(s_and_end[1])  # the innermost object: the first to fail
            raise

    decoder = json.JSONDecoder(object_pairs_hook=_unique_pairs)
    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    try:
        decoder.decode(text)
    except (DuplicateKey, ValueError, RecursionError):
        pass
    if not starts:
        return
    pos = _second_key(text, starts[0], dup.key)
    if pos is not None:
        dup.line = text.count("\n", 0, pos)
        dup.column = pos - (text.rfind("\n", 0, pos) + 1)


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_WS = re.compile(r"[ \t\n\r]*")


def _second_key(text: str, start: int, key: str) -> int | None:
    """Offset of the second ``"key":`` directly inside the object whose ``{`` ends at start."""
    depth = 0
    count = 0
    i = start
    while i < len(text):
        ch = text[i]
        if ch == '"':
            m = _STRING.match(text, i)
            if m is None:
                return None
            end = m.end()
            colon = _WS.match(text, end)
            after = colon.end() if colon else end
            if depth == 0 and text.startswith(":", after) and json.loads(m.group()) == key:
                count += 1
                if count == 2:
                    return i
            i = end
            continue
        if ch in "{[":
            depth += 1
        elif ch in "}]":
            if depth == 0:
                return None
            depth -= 1
        i += 1
    return None


def detect(doc: Any, path: Path | str) -> str:
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: a plan must be an object, not {type_name(doc)}")
    if "tracking_plan" in doc or "trackingPlan" in doc or "rules" in doc:
        return "protocols"
    data = doc.get("data")
    if isinstance(data, dict) and ({"tracking_plan", "trackingPlan", "rules"} & data.keys()):
        return "protocols"  # a Public API response, {"data": {...}}
    events = doc.get("events")
    if isinstance(events, list) and any(isinstance(e, dict) and "rules" in e for e in events):
        return "protocols"  # a Typewriter local plan
    if not ({"$schema", "type", "properties"} & doc.keys()) and (
        {"events", "identify", "group"} & doc.keys()
    ):
        return "simple"
    if {"$schema", "type", "properties", "title", "required"} & doc.keys():
        return "json-schema"
    raise ValueError(
        f"{path}: not a tracking plan: expected a JSON Schema, a plan with `events`, "
        "or a Segment Protocols export with `tracking_plan`"
    )


# --------------------------------------------------------------------------------------
# Plain JSON Schemas, one per event
# --------------------------------------------------------------------------------------


def _event_name(doc: dict[str, Any], path: Path) -> str:
    title = doc.get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    name = path.name
    for suffix in (".schema.json", ".json", ".yaml", ".yml"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def describes_message(schema: dict[str, Any]) -> bool:
    """A schema over the whole message (``properties.properties``), not over properties."""
    props = schema.get("properties")
    return (
        isinstance(props, dict)
        and "properties" in props
        and isinstance(props["properties"], dict)
        and set(props) <= MESSAGE_FIELDS
    )


def _event_schema(doc: Any, path: Path) -> Target:
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: a JSON Schema must be an object, not {type_name(doc)}")
    name = _event_name(doc, path)
    field = "" if describes_message(doc) else "properties"
    return make_target("track", name, doc, field=field, where=str(path))


def _schema_dir(path: Path) -> CompiledPlan:
    files = plan_files(path)
    if not files:
        raise ValueError(f"{path}: no *.json schema files in the directory")
    targets = []
    for f in files:
        doc = _parse(f)
        if isinstance(doc, dict) and detect(doc, f) != "json-schema":
            raise ValueError(f"{f}: a plan file, not one event's JSON Schema; pass it on its own")
        targets.append(_event_schema(doc, f))
    return build("json-schema-dir", targets)


# --------------------------------------------------------------------------------------
# Segment Protocols exports
# --------------------------------------------------------------------------------------


def _schema_of(entry: dict[str, Any]) -> Any:
    for key in ("rules", "jsonSchema", "json_schema", "schema"):
        if key in entry:
            return entry[key]
    return None


def _version(entry: dict[str, Any], where: str) -> int | None:
    v = entry.get("version")
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | str):
        raise ValueError(f"{where}: version must be an integer")
    try:
        return int(v)
    except ValueError:
        raise ValueError(f"{where}: version must be an integer, not {v!r}") from None


def _traits_target(kind: str, schema: Any, where: str) -> Target | None:
    if schema is None or schema == [] or schema == {}:
        return None
    if isinstance(schema, list):
        raise ValueError(f"{where}: {kind} rules must be a JSON Schema object")
    field = "" if isinstance(schema, dict) and _is_whole(schema, "traits") else "traits"
    return make_target(kind, kind, schema, field=field, where=where)


def _is_whole(schema: dict[str, Any], inner: str) -> bool:
    props = schema.get("properties")
    return isinstance(props, dict) and inner in props and set(props) <= MESSAGE_FIELDS


def protocols_plan(doc: dict[str, Any], source: str) -> CompiledPlan:
    data = doc.get("data")
    if isinstance(data, dict) and not ({"tracking_plan", "trackingPlan", "rules"} & doc.keys()):
        doc = data
    tp = doc.get("tracking_plan", doc.get("trackingPlan", doc))
    if not isinstance(tp, dict):
        raise ValueError(f"{source}: tracking_plan must be an object")
    rules = tp.get("rules", tp)
    events: list[Target] = []
    identify = group = common = None
    if isinstance(rules, list):  # Public API: [{type, key, jsonSchema, version}]
        for i, r in enumerate(rules):
            where = f"{source}: rules[{i}]"
            if not isinstance(r, dict):
                raise ValueError(f"{where}: must be an object")
            rtype = str(r.get("type", "")).upper()
            schema = _schema_of(r)
            if rtype == "TRACK":
                name = r.get("key") or r.get("name")
                if not isinstance(name, str) or not name:
                    raise ValueError(f"{where}: a TRACK rule needs a key (the event name)")
                events.append(_protocols_event(name, schema, r, f"{source}: {name}"))
            elif rtype == "IDENTIFY":
                identify = _traits_target("identify", schema, where)
            elif rtype == "GROUP":
                group = _traits_target("group", schema, where)
            elif rtype == "COMMON":
                common = _common(schema, where)
            # PAGE and SCREEN rules are not checked (see docs/plans.md).
        return build("protocols", events, identify, group, common)
    if not isinstance(rules, dict):
        raise ValueError(f"{source}: rules must be an object or a list")
    raw_events = rules.get("events") or []
    if not isinstance(raw_events, list):
        raise ValueError(f"{source}: rules.events must be a list")
    for i, e in enumerate(raw_events):
        if not isinstance(e, dict):
            raise ValueError(f"{source}: events[{i}] must be an object")
        name = e.get("name") or e.get("key")
        if not isinstance(name, str) or not name:
            raise ValueError(f"{source}: events[{i}] has no name")
        events.append(_protocols_event(name, _schema_of(e), e, f"{source}: {name}"))
    identify = _traits_target("identify", _first(rules, tp, "identify"), f"{source}: identify")
    group = _traits_target("group", _first(rules, tp, "group"), f"{source}: group")
    common = _common(rules.get("global", rules.get("common")), f"{source}: global")
    return build("protocols", events, identify, group, common)


def _first(rules: dict[str, Any], tp: dict[str, Any], kind: str) -> Any:
    for d in (rules, tp):
        for key in (kind, f"{kind}_traits", f"{kind}Traits"):
            if d.get(key) is not None:
                return d[key]
    return None


def _protocols_event(name: str, schema: Any, entry: dict[str, Any], where: str) -> Target:
    if schema is None:
        schema = {}
    # Protocols schemas describe the whole message; take a bare properties schema too.
    props = schema.get("properties") if isinstance(schema, dict) else None
    whole = not isinstance(props, dict) or set(props) <= MESSAGE_FIELDS
    field = "" if whole else "properties"
    return make_target(
        "track", name, schema, field=field, where=where, version=_version(entry, where)
    )


def _common(schema: Any, where: str) -> Target | None:
    if not schema:
        return None
    return make_target("common", "common", schema, field="", where=where)
