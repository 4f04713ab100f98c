"""Word knowledge for the naming rules: vocabulary, light morphology and a name tokeniser.

Everything is loaded from package data (``inspector/spec/data/naming_*.{txt,json}``) on first
use; nothing touches the network. ``naming_words.txt`` holds English base words (generated from
Debian's SCOWL size-35 lists); ``naming_vocab.json`` holds hand-written product vocabulary,
acronyms, placeholders, generic words, cryptic abbreviations and irregular verbs.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

_DATA = "data"


def _read(name: str) -> str:
    return resources.files("inspector.spec").joinpath(_DATA, name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Vocab:
    words: frozenset[str]
    product: frozenset[str]
    acronyms: frozenset[str]
    compounds: frozenset[str]
    placeholders: frozenset[str]
    generic: frozenset[str]
    cryptic: frozenset[str]
    irregular_past: dict[str, str]
    semantic_events: tuple[str, ...]


@cache
def vocab() -> Vocab:
    words = frozenset(
        line.strip()
        for line in _read("naming_words.txt").splitlines()
        if line and not line.startswith("#")
    )
    raw: dict[str, Any] = json.loads(_read("naming_vocab.json"))

    def fs(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in raw.get(key, ()))

    return Vocab(
        words=words,
        product=fs("product_words"),
        acronyms=fs("acronyms"),
        compounds=fs("compounds"),
        placeholders=fs("placeholders"),
        generic=fs("generic"),
        cryptic=fs("cryptic"),
        irregular_past={str(k): str(v) for k, v in raw.get("irregular_past", {}).items()},
        semantic_events=tuple(str(n) for n in raw.get("semantic_events", ())),
    )


@cache
def spec_property_keys() -> frozenset[str]:
    """Top-level property keys that the Segment Spec's semantic events name (``product_id``,
    and the few camelCase ones such as ``startupTime`` and ``conversationId``)."""
    raw: dict[str, Any] = json.loads(_read("semantic_events.json"))
    keys: set[str] = set()
    for entry in raw.get("events", {}).values():
        for key in entry.get("properties", {}):
            keys.add(re.split(r"\.", str(key), maxsplit=1)[0])
    return frozenset(keys)


# --------------------------------------------------------------------------- morphology

_VOWELS = set("aeiouy")


def bases(w: str) -> list[str]:
    """Candidate base forms of an inflected word (one level; ``w`` itself not included).

    The word-list generator uses this same function to leave derivable forms out of the list,
    so lookups must go through :func:`is_word`.
    """
    out: list[str] = []
    irr = _irregular().get(w)
    if irr and irr != w:
        out.append(irr)
    n = len(w)
    if n > 4 and w.endswith(("ies", "ied")):
        out.append(w[:-3] + "y")
    if n > 3 and w.endswith("es"):
        out.append(w[:-2])
    if n > 2 and w.endswith("s") and not w.endswith("ss"):
        out.append(w[:-1])
    if n > 3 and w.endswith("ed"):
        out += [w[:-2], w[:-1]]
        if n > 4 and w[-3] == w[-4]:
            out.append(w[:-3])
    if n > 4 and w.endswith("ing"):
        out += [w[:-3], w[:-3] + "e"]
        if n > 5 and w[-4] == w[-5]:
            out.append(w[:-4])
    if n > 4 and w.endswith("er"):
        out += [w[:-2], w[:-1]]
    return [b for b in out if len(b) >= 2]


@cache
def _irregular() -> dict[str, str]:
    # Read apart from vocab(): the word-list generator calls bases() before the word list exists.
    raw = json.loads(_read("naming_vocab.json")).get("irregular_past", {})
    return {str(k): str(v) for k, v in raw.items()}


_PREFIXES = (
    "un",
    "re",
    "pre",
    "de",
    "dis",
    "sub",
    "auto",
    "multi",
    "co",
    "non",
    "over",
    "under",
    "mis",
    "cross",
    "self",
)


@lru_cache(maxsize=8192)
def is_word(w: str) -> bool:
    """Is this lowercase token a known English or product word (with inflections, prefixes, compounds)?"""
    if _known(w):
        return True
    for p in _PREFIXES:
        if w.startswith(p) and len(w) - len(p) >= 3 and _known(w[len(p) :]):
            return True
    # Closed compounds: "dropdown", "clickthrough", "paywall", "navbar"-like pairs of known words.
    if len(w) >= 7:
        for i in range(3, len(w) - 2):
            if _known(w[:i]) and _known(w[i:]):
                return True
    return False


def _known(w: str) -> bool:
    v = vocab()
    if w in v.words or w in v.product or w in v.acronyms or w in v.compounds:
        return True
    return any(b in v.words or b in v.product or b in v.acronyms for b in bases(w))


def stem(w: str) -> str:
    """A crude stem so that tense, plural and -ing forms compare equal ("signed" == "sign")."""
    w = w.lower()
    irr = _irregular().get(w)
    if irr:
        return irr
    for suf, rep in (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if w.endswith(suf) and len(w) - len(suf) >= 3:
            if suf == "s" and w.endswith("ss"):
                continue
            if suf == "es" and not w.endswith(("ses", "xes", "ches", "shes", "zes")):
                continue
            w = w[: -len(suf)] + rep
            break
    if len(w) >= 3 and w[-1] == w[-2] and w[-1] not in _VOWELS:
        w = w[:-1]
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


# --------------------------------------------------------------------------- tokeniser

_HYPHENATED = re.compile(
    r"(?i)(?<![^\W_])(wi|e|re|co|pre|un)-(fi|mail|book|commerce|sign|send|order|pay|fill|login)(?![^\W_])"
)
_AB = re.compile(r"(?<![^\W_])[Aa]/[Bb](?![^\W_])")
#: Initialisms written with an ampersand (Q&A, R&D, P&L, M&A): one token, not two letters.
_AMP = re.compile(r"(?<![^\W_])([A-Z])&([A-Z])(?![^\W_])")


#: A prefix written with a hyphen before a word ("Pre-Order", "Re-Enroll", "Non-Profit").
_PREFIXED = re.compile(
    r"(?i)(?<![^\W_])(pre|re|co|un|non|multi|self|sub|post|anti|de|mis|over|under|semi|inter|"
    r"counter|ex|out|cross|auto)-([a-z]{3,})(?![^\W_])"
)


def _join_prefix(m: re.Match[str]) -> str:
    """ "Pre-Order" -> "Preorder": one word, so the prefix is not read as a word of its own."""
    prefix, word = m.group(1), m.group(2)
    if not is_word(word.lower()):
        return m.group(0)
    if prefix.isupper() and word.isupper():
        return prefix + word
    return prefix + word.lower()


@dataclass(frozen=True)
class Token:
    text: str  # as written
    low: str  # lowercase
    kind: str  # "word" | "number"
    #: What joins this token to the previous one as written: "" (``HTML5``, ``McDonalds``),
    #: "-" (``GPT-4``) or " " (any other separator, or the first token).
    joiner: str = " "


def _char_class(c: str) -> str:
    """U(pper), L(ower), D(igit), O(ther letter: caseless scripts), M(ark) or S(eparator)."""
    if c.isdigit():
        return "D"
    if c.isalpha():
        if c.isupper() or c.istitle():
            return "U"
        if c.islower():
            return "L"
        return "O"
    if unicodedata.category(c)[0] == "M":
        return "M"  # combining accents, Indic vowel signs: part of the letter before them
    return "S"


def _pieces(chunk: str, classes: str) -> list[str]:
    """camelCase / PascalCase / acronym / digit pieces of one separator-free chunk.

    Unicode-aware: "Zamówienie" and "passée" are one piece each; "HTMLParser" is HTML + Parser.
    """
    out: list[str] = []
    i, n = 0, len(chunk)
    while i < n:
        c = classes[i]
        j = i + 1
        if c == "D":
            while j < n and classes[j] == "D":
                j += 1
        elif c == "O":
            while j < n and classes[j] in "OM":
                j += 1
        elif c == "L" or c == "M":
            while j < n and classes[j] in "LM":
                j += 1
        else:  # upper: an acronym run, or a capitalised word
            while j < n and classes[j] in "UM":
                j += 1
            if j < n and classes[j] == "L":
                k = j - 1  # the last capital, behind its combining marks
                while k > i and classes[k] == "M":
                    k -= 1
                if k > i:
                    j = k  # "HTMLParser": the last capital starts the next word
                else:  # one capital (with its marks) and lower case: a capitalised word
                    while j < n and classes[j] in "LM":
                        j += 1
        out.append(chunk[i:j])
        i = j
    return out


def _merge(pieces: list[str]) -> list[str]:
    """Rejoin pieces that form a known compound term (O+Auth, mac+OS, 2+FA, MP+4) or a
    Gaelic-style name (Mc+Donalds: "Mc" is a name prefix, never a word of its own)."""
    comp = vocab().compounds
    out: list[str] = []
    i = 0
    while i < len(pieces):
        for k in (3, 2):
            if i + k <= len(pieces) and "".join(pieces[i : i + k]).lower() in comp:
                out.append("".join(pieces[i : i + k]))
                i += k
                break
        else:
            p = pieces[i]
            if p == "Mc" and i + 1 < len(pieces) and pieces[i + 1][:1].isupper():
                out.append(p + pieces[i + 1])
                i += 2
                continue
            out.append(p)
            i += 1
    return out


@lru_cache(maxsize=8192)
def tokenize(name: str) -> tuple[Token, ...]:
    """Split on separators, camelCase and letter/digit boundaries; keep acronyms and known compounds.

    Letters of every script count as letters (accented Latin, Cyrillic, CJK...); combining
    marks stay with their letter, and the name is NFC-normalised first.
    """
    out: list[Token] = []
    if not name.isascii():
        name = unicodedata.normalize("NFC", name)
    name = _AB.sub("AB", name)
    if "&" in name:
        name = _AMP.sub(r"\1\2", name)
    if "-" in name:
        name = _PREFIXED.sub(_join_prefix, name)
    name = _HYPHENATED.sub(r"\1\2", name)
    classes = "".join(_char_class(c) for c in name)
    comp = vocab().compounds
    sep = " "
    i, n = 0, len(name)
    while i < n:
        if classes[i] == "S" or (classes[i] == "M" and (i == 0 or classes[i - 1] == "S")):
            sep = "-" if name[i] == "-" and sep in ("", "-") else " "
            i += 1
            continue
        j = i
        while j < n and (classes[j] != "S"):
            j += 1
        chunk = name[i:j]
        pieces = _merge(_pieces(chunk, classes[i:j])) if chunk.lower() not in comp else [chunk]
        for k, p in enumerate(pieces):
            kind = "number" if p.isdigit() else "word"
            out.append(Token(p, p.lower(), kind, "" if k else sep))
        sep = ""  # a hyphen right after this chunk joins the next one ("GPT-4")
        i = j
    return tuple(out)


def regenerate(sources: list[str], out: str) -> int:
    """Rebuild ``data/naming_words.txt`` from word lists (one word a line), e.g. Debian's
    ``/usr/share/dict/american-english-small`` and ``british-english-small``. Keeps lowercase
    ASCII words, drops possessives, roman numerals and forms that :func:`bases` derives.
    Run: ``python -m inspector.spec.naming_words OUT SOURCE...``. Returns the number written."""
    words: set[str] = set()
    for src in sources:
        with open(src, encoding="utf-8") as fh:
            for line in fh:
                w = line.strip().removesuffix("'s")
                if re.fullmatch(r"[a-z]+", w):
                    words.add(w)
    words -= {
        "ii",
        "iii",
        "iv",
        "vi",
        "vii",
        "viii",
        "ix",
        "xi",
        "xii",
        "xv",
        "xx",
        "xxx",
        "cc",
        "cs",
        "ms",
        "mu",
        "pi",
    }
    kept: set[str] = set()
    for w in sorted(words, key=lambda s: (len(s), s)):
        if not any(b in kept for b in bases(w)):
            kept.add(w)
    header = (
        "# English base words for the event-name rules (one per line, lowercase).\n"
        "# Generated from Debian's wamerican-small and wbritish-small (SCOWL size 35) word lists;\n"
        "# inflected forms that inspector.spec.naming_words.bases() derives are left out.\n"
    )
    with open(out, "w", encoding="utf-8") as fh:
        fh.write(header + "\n".join(sorted(kept)) + "\n")
    return len(kept)


if __name__ == "__main__":
    import sys

    print(regenerate(sys.argv[2:], sys.argv[1]))
