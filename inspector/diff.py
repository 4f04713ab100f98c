"""Structural diff of JSON values, per-message context diffs, drift summary, identity timeline.

Pure functions over already-decoded JSON values: no I/O, no Textual, stdlib only. Every
entry point accepts arbitrary JSON (a message may be a string, ``context`` may be a list)
and never raises on odd input.

Paths
    Dotted from the root, ``[n]`` for array elements: ``context.library.version``,
    ``properties.products[0].price``. A key that is a plain identifier (``str.isidentifier``;
    unicode letters count, so ``context.größe`` stays dotted) is written after a dot; any
    other key (dots, brackets, spaces, dashes, digits first, empty, quotes) is written as a
    JSON string in brackets: ``context["a.b"]``, ``traits["first name"]``, ``["$set"]``.
    Two different locations therefore never share a path.

Leaves
    A scalar (string, number, boolean, null) or an empty object/array. A subtree that is
    added or removed is reported leaf by leaf. A value whose JSON type differs between the
    two sides (object -> string, number -> string, null -> object...) is one
    ``type-changed`` change at that path carrying both whole values, not a cascade.

Order
    Document order: the keys of the old object in their order, then the keys only the new
    object has, in theirs; array elements by index. Deterministic for given inputs.

Ignore list
    A pattern matches a node when it equals the node's full path (``context.page.url``,
    written exactly as rendered, so ``context["a.b"]``) or the node's key name anywhere
    (``messageId`` ignores every member named ``messageId`` at any depth). An ignored
    node is skipped with its whole subtree. Default: :data:`VOLATILE`; pass ``()`` to
    ignore nothing.

Identity
    ``userId`` else ``anonymousId`` names the person. A message carrying both links them
    (identify is the usual one, but an SDK that sends both on a track links them too), and
    an alias links ``previousId`` to ``userId``. Links are kept in a union-find whose
    canonical id prefers the user id (the later ``userId`` for an alias). Ids are strings;
    an integer id is compared by its decimal text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Literal

__all__ = [
    "VOLATILE",
    "MISSING",
    "Change",
    "ChangeKind",
    "ContextDiffs",
    "ContextTracker",
    "Drift",
    "DriftEvent",
    "IdentityResolver",
    "PathDrift",
    "Timeline",
    "TimelineEvent",
    "compare_messages",
    "compare_values",
    "context_diffs",
    "context_of",
    "diff_messages",
    "diff_values",
    "drift_summary",
    "flatten",
    "identity_key",
    "identity_timeline",
    "json_type",
    "numbered",
    "render_path",
    "unchanged_paths",
]

#: Fields that differ on every message and say nothing about drift.
VOLATILE: Final[tuple[str, ...]] = (
    "messageId",
    "timestamp",
    "originalTimestamp",
    "sentAt",
    "receivedAt",
    "writeKey",
    "_metadata",
)


class _Missing:
    """The absent side of a diff (distinct from a JSON ``null``)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


#: Marks a side that does not exist (no context, key not present).
MISSING: Final = _Missing()

ChangeKind = Literal["added", "removed", "changed", "type-changed", "unchanged"]


@dataclass(frozen=True, slots=True)
class Change:
    """One difference at one path. ``old`` is None for "added", ``new`` None for "removed".

    ``kind == "unchanged"`` only comes out of :func:`compare_values`.
    """

    kind: ChangeKind
    path: str
    old: Any = None
    new: Any = None

    @property
    def symbol(self) -> str:
        return {"added": "+", "removed": "-", "unchanged": " "}.get(self.kind, "~")

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "path": self.path}
        if self.kind != "added":
            d["old"] = self.old
        if self.kind != "removed":
            d["new"] = self.new
        if self.kind == "type-changed":
            d["old_type"] = json_type(self.old)
            d["new_type"] = json_type(self.new)
        return d


# ---------------------------------------------------------------------------------------
# Structural diff


def json_type(value: Any) -> str:
    """JSON type name: null, boolean, number, string, object, array (or the Python name)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list | tuple):
        return "array"
    return type(value).__name__


def _key_text(key: Any) -> str:
    return key if isinstance(key, str) else str(key)


def render_path(parent: str, key: Any) -> str:
    """The path of member ``key`` (a str) or element ``key`` (an int index) of ``parent``."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{parent}[{key}]"
    text = _key_text(key)
    if text.isidentifier():
        return f"{parent}.{text}" if parent else text
    return f"{parent}[{json.dumps(text, ensure_ascii=False)}]"


def _scalar_equal(a: Any, b: Any) -> bool:
    """Equality of two values of the same JSON type (True != 1 is handled by the type)."""
    try:
        if a == b:
            return True
    except Exception:  # exotic objects with a broken __eq__
        return repr(a) == repr(b)
    return isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)


def _ignore_set(ignore: Iterable[str] | None) -> frozenset[str]:
    if ignore is None:
        return frozenset(VOLATILE)
    return frozenset(p for p in ignore if isinstance(p, str))


def _children(value: Any) -> list[tuple[Any, Any]]:
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, list | tuple):
        return list(enumerate(value))
    return []


def _leaves(value: Any, path: str, ignore: frozenset[str]) -> Iterator[tuple[str, Any]]:
    """(path, leaf) in document order; iterative so deep nesting cannot overflow."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        p, v = stack.pop()
        kids = _children(v)
        if not kids:
            yield p, v
            continue
        pending = []
        for k, child in kids:
            cp = render_path(p, k)
            if not isinstance(k, int) and (_key_text(k) in ignore):
                continue
            if cp in ignore:
                continue
            pending.append((cp, child))
        stack.extend(reversed(pending))


def flatten(
    value: Any, *, prefix: str = "", ignore: Iterable[str] | None = None
) -> list[tuple[str, Any]]:
    """Every leaf of ``value`` as (path, value), in document order.

    ``MISSING`` flattens to nothing; a scalar flattens to ``[(prefix, value)]``; an object
    whose members are all ignored flattens to nothing. ``ignore=None`` means VOLATILE.
    """
    if value is MISSING:
        return []
    return list(_leaves(value, prefix, _ignore_set(ignore)))


def compare_values(
    old: Any,
    new: Any,
    *,
    ignore: Iterable[str] | None = None,
    prefix: str = "",
) -> list[Change]:
    """Like :func:`diff_values` but also lists every unchanged leaf (kind "unchanged").

    This is what a folded view needs: changed and unchanged paths together, in document
    order.
    """
    return _walk(old, new, prefix, _ignore_set(ignore), True)


def diff_values(
    old: Any,
    new: Any,
    *,
    ignore: Iterable[str] | None = None,
    prefix: str = "",
) -> list[Change]:
    """The added, removed, changed and type-changed leaf paths from ``old`` to ``new``.

    Either side may be :data:`MISSING` (everything is added/removed) or any JSON value.
    ``prefix`` is the path of the two values (``"context"`` for a context diff) and is what
    full-path ignore patterns are matched against. ``ignore=None`` means :data:`VOLATILE`.
    """
    return _walk(old, new, prefix, _ignore_set(ignore), False)


def unchanged_paths(
    old: Any, new: Any, *, ignore: Iterable[str] | None = None, prefix: str = ""
) -> list[str]:
    """Leaf paths equal on both sides, in document order."""
    return [
        c.path for c in _walk(old, new, prefix, _ignore_set(ignore), True) if c.kind == "unchanged"
    ]


def _walk(old: Any, new: Any, path: str, ignore: frozenset[str], keep_same: bool) -> list[Change]:
    out: list[Change] = []
    stack: list[tuple[str, Any, Any]] = [(path, old, new)]
    while stack:
        p, a, b = stack.pop()
        if a is MISSING and b is MISSING:
            continue
        if a is MISSING:
            out.extend(Change("added", lp, None, lv) for lp, lv in _leaves(b, p, ignore))
            continue
        if b is MISSING:
            out.extend(Change("removed", lp, lv, None) for lp, lv in _leaves(a, p, ignore))
            continue
        ta, tb = json_type(a), json_type(b)
        if ta != tb:
            out.append(Change("type-changed", p, a, b))
            continue
        if ta == "object":
            keys = list(a)
            seen = set(keys)
            keys.extend(k for k in b if k not in seen)
            if not keys:
                if keep_same:
                    out.append(Change("unchanged", p, a, b))
                continue
            pending = []
            for k in keys:
                cp = render_path(p, k)
                if _key_text(k) in ignore or cp in ignore:
                    continue
                pending.append((cp, a.get(k, MISSING), b.get(k, MISSING)))
            stack.extend(reversed(pending))
            continue
        if ta == "array":
            n = max(len(a), len(b))
            if n == 0:
                if keep_same:
                    out.append(Change("unchanged", p, a, b))
                continue
            pending = []
            for i in range(n):
                cp = render_path(p, i)
                if cp in ignore:
                    continue
                pending.append(
                    (cp, a[i] if i < len(a) else MISSING, b[i] if i < len(b) else MISSING)
                )
            stack.extend(reversed(pending))
            continue
        if _scalar_equal(a, b):
            if keep_same:
                out.append(Change("unchanged", p, a, b))
        else:
            out.append(Change("changed", p, a, b))
    return out


def context_of(message: Any) -> Any:
    """The message's ``context`` value, or :data:`MISSING` (no context / not an object)."""
    if isinstance(message, dict) and "context" in message:
        return message["context"]
    return MISSING


def diff_messages(
    a: Any,
    b: Any,
    *,
    context_only: bool = False,
    ignore: Iterable[str] | None = None,
) -> list[Change]:
    """Diff two whole messages, or only their contexts (paths then start with ``context``)."""
    if context_only:
        return diff_values(context_of(a), context_of(b), ignore=ignore, prefix="context")
    return diff_values(a, b, ignore=ignore)


def compare_messages(
    a: Any,
    b: Any,
    *,
    context_only: bool = False,
    ignore: Iterable[str] | None = None,
) -> list[Change]:
    """:func:`diff_messages` plus the unchanged leaves: rows for a side-by-side view."""
    if context_only:
        return compare_values(context_of(a), context_of(b), ignore=ignore, prefix="context")
    return compare_values(a, b, ignore=ignore)


# ---------------------------------------------------------------------------------------
# Identity


def id_text(value: Any) -> str | None:
    """An id as the store's columns hold it: a non-empty string, or an integer as text."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def ids_of(message: Any) -> tuple[str | None, str | None]:
    """(userId, anonymousId) of a message, normalised; (None, None) for a non-object."""
    if not isinstance(message, dict):
        return None, None
    return id_text(message.get("userId")), id_text(message.get("anonymousId"))


class IdentityResolver:
    """Union-find over user and anonymous ids, fed messages in stream order."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}
        self.user_ids: set[str] = set()
        self.anonymous_ids: set[str] = set()

    def __contains__(self, ident: object) -> bool:
        return isinstance(ident, str) and ident in self._parent

    def find(self, ident: str) -> str:
        """Canonical id of ``ident`` (itself when never linked or never seen)."""
        parent = self._parent
        root = ident
        while parent.get(root, root) != root:
            root = parent[root]
        while ident != root:  # path compression
            nxt = parent[ident]
            parent[ident] = root
            ident = nxt
        return root

    def _add(self, ident: str) -> None:
        self._parent.setdefault(ident, ident)

    def link(self, other: str, preferred: str) -> str:
        """Merge the two people; ``preferred``'s canonical id becomes the group's. Returns it."""
        self._add(other)
        self._add(preferred)
        ro, rp = self.find(other), self.find(preferred)
        if ro != rp:
            self._parent[ro] = rp
        return rp

    def links_of(self, message: Any) -> list[tuple[str, str]]:
        """(other, preferred) pairs a message asserts: anonymousId/userId, alias previousId."""
        user, anon = ids_of(message)
        pairs: list[tuple[str, str]] = []
        if user and anon and user != anon:
            pairs.append((anon, user))
        if isinstance(message, dict) and message.get("type") == "alias":
            prev = id_text(message.get("previousId"))
            if prev and user and prev != user:
                pairs.append((prev, user))
        return pairs

    def observe(self, message: Any) -> str | None:
        """Record the ids and links of ``message``; return its identity key afterwards."""
        user, anon = ids_of(message)
        if user:
            self._add(user)
            self.user_ids.add(user)
        if anon:
            self._add(anon)
            self.anonymous_ids.add(anon)
        for other, preferred in self.links_of(message):
            self.link(other, preferred)
        return self.key(message)

    def key(self, message: Any) -> str | None:
        """Identity key of ``message`` with the links seen so far (None: no usable id)."""
        user, anon = ids_of(message)
        raw = user or anon
        return self.find(raw) if raw else None

    def members(self, ident: str) -> list[str]:
        """Every known id linked to ``ident`` (sorted)."""
        root = self.find(ident)
        return sorted(i for i in self._parent if self.find(i) == root)


def identity_key(message: Any, resolver: IdentityResolver | None = None) -> str | None:
    """``userId`` else ``anonymousId`` of ``message``, resolved through ``resolver``'s links."""
    if resolver is not None:
        return resolver.key(message)
    user, anon = ids_of(message)
    return user or anon


def _resolve_all(
    messages: Iterable[tuple[int, Any]],
) -> tuple[IdentityResolver, list[tuple[int, Any]]]:
    resolver = IdentityResolver()
    items = list(messages)
    for _seq, msg in items:
        resolver.observe(msg)
    return resolver, items


def numbered(messages: Iterable[Any], start: int = 1) -> list[tuple[int, Any]]:
    """Pair plain messages with 1-based positions, for the functions taking (seq, message)."""
    return list(enumerate(messages, start))


# ---------------------------------------------------------------------------------------
# Per-message context diffs


@dataclass(frozen=True, slots=True)
class ContextDiffs:
    """How one message's context differs from earlier ones.

    ``vs_identity`` is None when no earlier message of the same identity exists (or the
    message has no id); ``vs_previous`` is None for the first message of the stream.
    """

    seq: int | None
    identity: str | None
    vs_identity: list[Change] | None
    vs_identity_seq: int | None
    vs_previous: list[Change] | None
    vs_previous_seq: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "identity": self.identity,
            "vs_identity_seq": self.vs_identity_seq,
            "vs_identity": None
            if self.vs_identity is None
            else [c.to_dict() for c in self.vs_identity],
            "vs_previous_seq": self.vs_previous_seq,
            "vs_previous": None
            if self.vs_previous is None
            else [c.to_dict() for c in self.vs_previous],
        }


class ContextTracker:
    """Fed messages in stream order; diffs each context against the identity's last one and
    the stream's last one. Links apply from the message that asserts them on (so an
    identify is diffed against the anonymous page view before it)."""

    def __init__(self, ignore: Iterable[str] | None = None) -> None:
        self.ignore: frozenset[str] = _ignore_set(ignore)
        self.resolver = IdentityResolver()
        self._count = 0
        #: identity root -> (order, seq, context) of its latest message
        self._last: dict[str, tuple[int, int | None, Any]] = {}
        self._previous: tuple[int | None, Any] | None = None

    def feed(self, message: Any, seq: int | None = None) -> ContextDiffs:
        self._count += 1
        resolver = self.resolver
        # Merge the "latest message" of groups this message links: the later one wins.
        before = {}
        for other, preferred in resolver.links_of(message):
            for ident in (other, preferred):
                root = resolver.find(ident)
                if root in self._last:
                    before[root] = self._last.pop(root)
        key = resolver.observe(message)
        # Every link a message asserts involves its userId, so all merged groups now share
        # the message's key.
        for entry in before.values():
            if key is None:
                break
            cur = self._last.get(key)
            if cur is None or entry[0] > cur[0]:
                self._last[key] = entry

        ctx = context_of(message)
        ig = self.ignore
        vs_identity: list[Change] | None = None
        vs_identity_seq: int | None = None
        if key is not None and key in self._last:
            _, vs_identity_seq, base = self._last[key]
            vs_identity = _walk(base, ctx, "context", ig, False)
        vs_previous: list[Change] | None = None
        vs_previous_seq: int | None = None
        if self._previous is not None:
            vs_previous_seq, prev_ctx = self._previous
            vs_previous = _walk(prev_ctx, ctx, "context", ig, False)
        if key is not None:
            self._last[key] = (self._count, seq, ctx)
        self._previous = (seq, ctx)
        return ContextDiffs(seq, key, vs_identity, vs_identity_seq, vs_previous, vs_previous_seq)


def context_diffs(
    messages: Iterable[tuple[int, Any]], *, ignore: Iterable[str] | None = None
) -> Iterator[ContextDiffs]:
    """:class:`ContextDiffs` for each (seq, message), in order."""
    tracker = ContextTracker(ignore)
    for seq, msg in messages:
        yield tracker.feed(msg, seq)


# ---------------------------------------------------------------------------------------
# Drift summary

#: Events of one kind kept per path (counts are always complete).
MAX_EVENTS = 20
#: Example values kept per path.
MAX_SAMPLES = 5


def _canon(value: Any) -> str:
    """Hashable identity of a leaf value: equal JSON values -> equal text (1 == 1.0)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        return json.dumps(value, sort_keys=True, ensure_ascii=False, default=repr)
    except (ValueError, TypeError, RecursionError):
        return repr(value)


@dataclass(frozen=True, slots=True)
class DriftEvent:
    """A path changing within one identity at message ``seq``.

    kind: "changed" (old -> new), "disappeared" (present at ``since_seq``, absent now) or
    "appeared" (absent at ``since_seq``, the identity's previous message, present now).
    """

    kind: Literal["changed", "disappeared", "appeared"]
    seq: int
    identity: str | None
    since_seq: int
    old: Any = None
    new: Any = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "kind": self.kind,
            "seq": self.seq,
            "identity": self.identity,
            "since_seq": self.since_seq,
        }
        if self.kind != "appeared":
            d["old"] = self.old
        if self.kind != "disappeared":
            d["new"] = self.new
        return d


@dataclass(slots=True)
class PathDrift:
    """What one context leaf path did over a session."""

    path: str
    first_seq: int
    messages: int = 0
    #: canonical value -> [example value, count]
    _values: dict[str, list[Any]] = field(default_factory=dict, repr=False)
    #: identity -> set of canonical values
    _per_identity: dict[str | None, set[str]] = field(default_factory=dict, repr=False)
    changes: int = 0
    disappearances: int = 0
    appearances: int = 0
    events: list[DriftEvent] = field(default_factory=list)
    first_changed: DriftEvent | None = None

    @property
    def distinct(self) -> int:
        return len(self._values)

    @property
    def per_identity(self) -> dict[str | None, int]:
        return {k: len(v) for k, v in self._per_identity.items()}

    @property
    def max_per_identity(self) -> int:
        return max((len(v) for v in self._per_identity.values()), default=0)

    @property
    def score(self) -> int:
        """How drifty: changes plus appear/disappear events within identities."""
        return self.changes + self.disappearances + self.appearances

    @property
    def drifting(self) -> bool:
        return self.score > 0

    @property
    def first_disappeared(self) -> DriftEvent | None:
        return next((e for e in self.events if e.kind == "disappeared"), None)

    @property
    def first_appeared(self) -> DriftEvent | None:
        return next((e for e in self.events if e.kind == "appeared"), None)

    def values(self) -> list[tuple[Any, int]]:
        """Up to :data:`MAX_SAMPLES` example values with their counts, most common first."""
        items = sorted(self._values.values(), key=lambda vc: -vc[1])
        return [(v, c) for v, c in items[:MAX_SAMPLES]]

    def _note(self, event: DriftEvent) -> None:
        if event.kind == "changed":
            self.changes += 1
            if self.first_changed is None:
                self.first_changed = event
        elif event.kind == "disappeared":
            self.disappearances += 1
        else:
            self.appearances += 1
        if sum(1 for e in self.events if e.kind == event.kind) < MAX_EVENTS:
            self.events.append(event)

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "messages": self.messages,
            "distinct": self.distinct,
            "max_per_identity": self.max_per_identity,
            "per_identity": [{"identity": k, "distinct": n} for k, n in self.per_identity.items()],
            "values": [{"value": v, "count": c} for v, c in self.values()],
            "first_seq": self.first_seq,
            "first_changed": self.first_changed.to_dict() if self.first_changed else None,
            "changes": self.changes,
            "disappearances": self.disappearances,
            "appearances": self.appearances,
            "events": [e.to_dict() for e in self.events],
        }


@dataclass(slots=True)
class Drift:
    """Session-level drift of context paths, most drifty first."""

    paths: list[PathDrift]
    messages: int
    identities: int
    skipped: int = 0

    def get(self, path: str) -> PathDrift | None:
        return next((p for p in self.paths if p.path == path), None)

    @property
    def drifting(self) -> list[PathDrift]:
        return [p for p in self.paths if p.drifting]

    def to_dict(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "identities": self.identities,
            "skipped": self.skipped,
            "paths": [p.to_dict() for p in self.paths],
        }


def drift_summary(
    messages: Iterable[tuple[int, Any]], *, ignore: Iterable[str] | None = None
) -> Drift:
    """Drift of every context leaf path over (seq, message) pairs.

    Identities use the links of the whole session (an anonymous page view and the
    identified track after it are one person). Within an identity, a path "changed" when
    its value differs from its last value in that identity, "disappeared" when the
    identity's previous message had it and this one does not, "appeared" the reverse
    (an identity's first message never counts as an appearance). Messages that are not
    objects are counted in ``skipped``.
    """
    ig = _ignore_set(ignore)
    resolver, items = _resolve_all(messages)
    paths: dict[str, PathDrift] = {}
    prev_paths: dict[str | None, tuple[int, dict[str, Any]]] = {}
    last_value: dict[tuple[str | None, str], tuple[int, Any, str]] = {}
    identities: set[str | None] = set()
    counted = skipped = 0
    for seq, msg in items:
        if not isinstance(msg, dict):
            skipped += 1
            continue
        counted += 1
        ident = resolver.key(msg)
        identities.add(ident)
        current: dict[str, Any] = {}
        for path, value in _leaves_or_none(context_of(msg), ig):
            canon = _canon(value)
            current[path] = value
            pd = paths.get(path)
            if pd is None:
                pd = paths[path] = PathDrift(path, seq)
            pd.messages += 1
            slot = pd._values.get(canon)
            if slot is None:
                pd._values[canon] = [value, 1]
            else:
                slot[1] += 1
            pd._per_identity.setdefault(ident, set()).add(canon)
            lv = last_value.get((ident, path))
            if lv is not None and lv[2] != canon:
                pd._note(DriftEvent("changed", seq, ident, lv[0], lv[1], value))
            last_value[(ident, path)] = (seq, value, canon)
        prev = prev_paths.get(ident)
        if prev is not None:
            prev_seq, prev_map = prev
            for path in prev_map:
                if path not in current:
                    gone = last_value.get((ident, path))
                    paths[path]._note(
                        DriftEvent("disappeared", seq, ident, prev_seq, gone[1] if gone else None)
                    )
            for path in current:
                if path not in prev_map:
                    paths[path]._note(
                        DriftEvent("appeared", seq, ident, prev_seq, None, current[path])
                    )
        prev_paths[ident] = (seq, current)
    ordered = sorted(
        paths.values(),
        key=lambda p: (-p.score, -p.max_per_identity, -p.distinct, p.first_seq, p.path),
    )
    return Drift(ordered, counted, len(identities), skipped)


def _leaves_or_none(ctx: Any, ig: frozenset[str]) -> Iterator[tuple[str, Any]]:
    if ctx is MISSING:
        return iter(())
    return _leaves(ctx, "context", ig)


# ---------------------------------------------------------------------------------------
# Identity timeline


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    """One step of a person's history.

    kind: "first-seen" (an id of the person first appears), "linked" (an anonymousId and a
    userId first appear together: the anonymous -> known transition), "identify", "alias",
    "group". ``data`` holds the kind's fields (see :func:`identity_timeline`).
    """

    seq: int
    kind: str
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "kind": self.kind, **self.data}


@dataclass(slots=True)
class Timeline:
    """The identity history of one person in a session."""

    query: str
    identity: str | None
    user_ids: list[str] = field(default_factory=list)
    anonymous_ids: list[str] = field(default_factory=list)
    events: list[TimelineEvent] = field(default_factory=list)
    traits: dict[str, Any] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    #: seq of the first message that linked an anonymousId to a userId (identify or alias)
    transition_seq: int | None = None

    @property
    def found(self) -> bool:
        return self.identity is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "identity": self.identity,
            "user_ids": self.user_ids,
            "anonymous_ids": self.anonymous_ids,
            "messages": self.messages,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "transition_seq": self.transition_seq,
            "events": [e.to_dict() for e in self.events],
            "traits": self.traits,
            "groups": self.groups,
        }


def _traits_of(message: dict[str, Any]) -> dict[str, Any]:
    traits = message.get("traits")
    if isinstance(traits, dict):
        return traits
    ctx = message.get("context")
    if isinstance(ctx, dict) and isinstance(ctx.get("traits"), dict):
        return ctx["traits"]
    return {}


def _same(a: Any, b: Any) -> bool:
    return json_type(a) == json_type(b) and not _walk(a, b, "", frozenset(), False)


def identity_timeline(messages: Iterable[tuple[int, Any]], user: str) -> Timeline:
    """History of the person ``user`` (a userId or anonymousId, resolved through links).

    Events, in stream order (data fields in brackets):

    - ``first-seen`` [field: "userId"|"anonymousId", id, type]
    - ``linked`` [anonymousId, userId, via: call type] - first message carrying both
    - ``identify`` [userId, anonymousId, added: {trait: value}, changed: {trait: {old, new}},
      unchanged: count] - traits compared with those accumulated so far (top-level merge,
      as Segment merges identify traits)
    - ``alias`` [previousId, userId]
    - ``group`` [groupId, traits]

    An unknown ``user`` gives a Timeline with ``identity=None`` and no events.
    """
    resolver, items = _resolve_all(messages)
    query = id_text(user) or ""
    tl = Timeline(query=user, identity=None)
    if not query or query not in resolver:
        return tl
    root = resolver.find(query)
    tl.identity = root
    seen_ids: set[str] = set()
    seen_pairs: set[tuple[str, str]] = set()
    members = set(resolver.members(root))
    for seq, msg in items:
        if not isinstance(msg, dict) or resolver.key(msg) != root:
            continue
        tl.messages += 1
        if tl.first_seq is None:
            tl.first_seq = seq
        tl.last_seq = seq
        mtype = msg.get("type") if isinstance(msg.get("type"), str) else ""
        uid, anon = ids_of(msg)
        for fname, ident in (("anonymousId", anon), ("userId", uid)):
            if ident and ident not in seen_ids:
                seen_ids.add(ident)
                (tl.user_ids if fname == "userId" else tl.anonymous_ids).append(ident)
                tl.events.append(
                    TimelineEvent(seq, "first-seen", {"field": fname, "id": ident, "type": mtype})
                )
        if uid and anon and uid != anon and (anon, uid) not in seen_pairs:
            seen_pairs.add((anon, uid))
            tl.events.append(
                TimelineEvent(seq, "linked", {"anonymousId": anon, "userId": uid, "via": mtype})
            )
            if tl.transition_seq is None:
                tl.transition_seq = seq
        if mtype == "identify":
            added: dict[str, Any] = {}
            changed: dict[str, Any] = {}
            unchanged = 0
            for k, v in _traits_of(msg).items():
                if k not in tl.traits:
                    added[k] = v
                elif not _same(tl.traits[k], v):
                    changed[k] = {"old": tl.traits[k], "new": v}
                else:
                    unchanged += 1
                tl.traits[k] = v
            tl.events.append(
                TimelineEvent(
                    seq,
                    "identify",
                    {
                        "userId": uid,
                        "anonymousId": anon,
                        "added": added,
                        "changed": changed,
                        "unchanged": unchanged,
                    },
                )
            )
        elif mtype == "alias":
            prev = id_text(msg.get("previousId"))
            if prev and prev not in seen_ids and prev in members:
                seen_ids.add(prev)
                bucket = tl.user_ids if prev in resolver.user_ids else tl.anonymous_ids
                bucket.append(prev)
            tl.events.append(TimelineEvent(seq, "alias", {"previousId": prev, "userId": uid}))
            if (
                tl.transition_seq is None
                and prev in resolver.anonymous_ids
                and prev not in resolver.user_ids
            ):
                tl.transition_seq = seq
        elif mtype == "group":
            gid = id_text(msg.get("groupId"))
            raw_traits = msg.get("traits")
            gtraits: dict[str, Any] = raw_traits if isinstance(raw_traits, dict) else {}
            if gid:
                tl.groups.setdefault(gid, {}).update(gtraits)
            tl.events.append(TimelineEvent(seq, "group", {"groupId": gid, "traits": gtraits}))
    return tl
