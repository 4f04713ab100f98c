"""Pure analysis of event names and property keys, used by the rules in ``naming.py``.

``non_descriptive(name)`` explains why a name says nothing (or ``None``); ``convention(name)``
classifies its casing; ``suggest_title(name)`` proposes an Object + past-tense Action name in
Title Case; ``duplicate_keys(name)`` gives the keys under which variants of one name collide.
All results are cached; every function accepts any string, however long or odd.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from inspector.spec.naming_words import Token, bases, is_word, stem, tokenize, vocab

#: Names are analysed on at most this many characters (a longer one is cut, not refused).
MAX_NAME = 300

_STOP = frozenset(
    {
        "a",
        "an",
        "the",
        "to",
        "of",
        "for",
        "from",
        "at",
        "by",
        "with",
        "as",
        "and",
        "or",
        "into",
        "via",
        "per",
    }
)
_PARTICLES = frozenset({"in", "out", "up", "on", "off", "down", "over", "back", "away"})
_VOWEL = re.compile(r"[aeiouy]")
_CONS_RUN = re.compile(r"[bcdfghjklmnpqrstvwxz]{4,}")
#: Two-consonant endings that English words have; an unknown token ending otherwise looks clipped.
_CODAS = frozenset(
    [
        "ck",
        "ng",
        "nk",
        "nt",
        "nd",
        "st",
        "sk",
        "sp",
        "ft",
        "lt",
        "ld",
        "lk",
        "lm",
        "lp",
        "mp",
        "rt",
        "rd",
        "rk",
        "rm",
        "rn",
        "rp",
        "rs",
        "rl",
        "rb",
        "rf",
        "rg",
        "rv",
        "rc",
        "rch",
        "ct",
        "pt",
        "xt",
        "ch",
        "sh",
        "th",
        "ph",
        "gh",
        "ll",
        "ss",
        "ff",
        "zz",
        "ns",
        "ts",
        "ks",
        "ps",
        "ds",
        "ms",
        "ls",
        "gs",
        "bs",
        "ws",
        "wn",
        "wl",
        "wk",
        "wd",
        "lf",
        "lb",
        "mb",
        "nc",
        "sm",
        "nx",
        "tz",
        "nz",
        "lch",
        "ght",
        "wt",
    ]
)
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_VAGUE = frozenset(
    [
        "event",
        "events",
        "action",
        "actions",
        "activity",
        "thing",
        "things",
        "item",
        "items",
        "stuff",
        "data",
        "info",
        "element",
        "object",
        "interaction",
        "button",
        "link",
        "click",
        "clicked",
        "tap",
        "tapped",
    ]
)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(
    r"(?i)\b(?:https?|ftp)://[^\s]*|\bwww\.[\w-]+[\w.-]*|\b[\w-]+\.(?:com|org|net|io|dev|app|co|ai|edu|gov|uk|de|fr|html?|php)\b"
)
_PATH = re.compile(
    r"(?:^|[\s(:])/[\w\-.~%]+(?:/[\w\-.~%]*)*|[\w-]+/[\w-]+/[\w-]+(?:/[\w-]+)*|\\[\w-]+\\"
)
_UUID = re.compile(r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_HEX = re.compile(r"(?i)(?<![0-9a-z])(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}(?![0-9a-z])")
_DATE = re.compile(
    r"\b\d{4}[-/.]\d{1,2}(?:[-/.]\d{1,2})?\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b|\b\d{1,2}:\d{2}\b|\d{4}-\d{2}-\d{2}T\d"
)
_TEMPLATE = re.compile(r"\{\{?\s*\w*\s*\}?\}|\$\{?[A-Za-z_]\w*\}?|%[sdif@]|<\w+>|\[\w+\]")
#: A bracketed platform or team prefix ("[Web] Order Completed", "[iOS] Cart Viewed"): a naming
#: convention at most, not a placeholder left unfilled.
_PREFIX_TAG = re.compile(r"^\s*\[[A-Za-z][\w.-]*\]\s+(?=\S)")
#: An amount of money ("$49.99", "€ 5", "£1,200") or a price-like decimal ("19.99").
_MONEY = re.compile(r"[$€£¥₹]\s?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s?[€£¥₹]")
_DECIMAL = re.compile(r"(?<![\w.])\d+[.,]\d+(?![\w.]*\d)")
_PHONE = re.compile(
    r"\+\d{1,3}[\s.-]?\(?\d{1,4}\)?(?:[\s.-]?\d{2,4}){2,4}|(?<![\w-])\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?!\w)"
)
#: A release written out in full ("v1.2.3", "2.14.0"): a value that changes with every release.
_VERSION = re.compile(r"(?i)(?<![\w.])v?\d+(?:\.\d+){2,}(?![\w.])")
_HEX_PREFIXED = re.compile(r"(?i)(?<![0-9a-z])0x[0-9a-f]+(?![0-9a-z])")
_QUOTED = re.compile(r"(?:^|\s)([\"'`“‘])[^\"'`”’]+[\"'`”’]")
_CHUNKS = re.compile(r"[^\W_]+")
_HASH_ID = re.compile(r"#\s?\w[\w-]*")
#: A letters-and-digits chunk (separators: spaces, underscores, other punctuation); a hyphen,
#: dot or slash inside it joins letters to digits ("W-9", "H.264", "HTTP/2", "INV-2291").
_ALNUM_CHUNK = re.compile(r"(?<![^\W_])[^\W_]+(?:[-./][^\W_]+)*(?![^\W_])")
#: Number-word compounds that are names, not values ("24/7 Support", "50/50 Raffle").
_NUMERIC_TERMS = re.compile(r"(?<![\w/])(?:24/7|24x7|50/50)(?![\w/])", re.IGNORECASE)


def _tok(text: str, limit: int = 80) -> str:
    """Quote a word of a name for a finding, cut like the name itself (naming._q)."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f'"{text}"'


@dataclass(frozen=True)
class Finding:
    """Why a name is non-descriptive: a short reason and the text that shows it."""

    kind: str  # empty | punctuation | dynamic | test | placeholder | generic | cryptic | bare
    detail: str

    def describe(self) -> str:
        return self.detail


#: A search written into the name: "Search for shoes", "Searched: red shoes", "Query: tv".
_SEARCH_TERM = re.compile(
    r"(?i)\b(?:search(?:ed|es|ing)?|quer(?:y|ied)|look(?:ed)?\s+up|f(?:ind|ound))"
    r"(?:\s+for\s+|\s*:\s*)(\S.*)"
)
#: Free text after a colon: "Error: file not found", "Category Viewed: kitchen tools".
_COLON_TEXT = re.compile(r"[A-Z][^:]*:\s+([a-z][^:]*\s[^:]*|[a-z][^:]*)$")


def _free_text(tail: str) -> bool:
    """Is ``tail`` a typed value (lower-case words) rather than part of a Title Case name?"""
    words = [w for w in tail.split() if any(c.isalpha() for c in w)]
    return bool(words) and any(w[0].islower() and w.lower() not in _STOP for w in words)


def _dynamic(name: str, tokens: tuple[Token, ...]) -> str | None:
    m = _SEARCH_TERM.search(name)
    if m and _free_text(m.group(1)):
        return f'a search term ("{m.group(1).strip()}")'
    m = _COLON_TEXT.search(name)
    if m and _free_text(m.group(1)):
        return f'a value after a colon ("{m.group(1).strip()}")'
    typed = _typed_search(name, tokens)
    if typed:
        return f'a search term ("{typed}")'
    m = _PREFIX_TAG.match(name)
    text = name[m.end() :] if m else name  # "[Web] Order Completed": judge the name after the tag
    m = _BREADCRUMB.search(text)
    if m:
        return f'a category path ("{m.group(0)}")'
    for rx, what in (
        (_EMAIL, "an email address"),
        (_URL, "a URL"),
        (_UUID, "a UUID"),
        (_PHONE, "a phone number"),
        (_DATE, "a date or time"),
        (_VERSION, "a version number"),
        (_MONEY, "a price or amount"),
        (_PATH, "a path"),
        (_HEX_PREFIXED, "a hex id"),
        (_HEX, "a hex id"),
        (_TEMPLATE, "an unfilled template placeholder"),
        (_HASH_ID, "an id"),
        (_QUOTED, "a quoted value"),
    ):
        for m in rx.finditer(text):
            if rx is _URL and _brand_domain(text, m):
                continue
            return f'{what} ("{m.group(0).strip()}")'
    if not any(c.isdigit() for c in text):
        return None
    masked, code_id = _mask_terms(text)
    if code_id is not None:
        return f'an id ("{code_id}")'
    # A decimal is one number: a version after a product ("Python 3.12 Runtime"), else a
    # value, a price or amount when it has two decimals ("Price 19.99 Selected").
    decimals: dict[str, str] = {}
    if "." in masked or "," in masked:

        def one_number(m: re.Match[str]) -> str:
            joined = re.sub(r"\D", "", m.group(0))
            decimals[joined] = m.group(0)
            return joined

        masked = _DECIMAL.sub(one_number, masked)
    if masked != name:
        tokens = tokenize(masked)
    comp = vocab().compounds
    for i, t in enumerate(tokens):
        if t.kind == "number" and t.low not in comp and not _name_number(tokens, i):
            written = decimals.get(t.text)
            if written is not None:
                amount = re.search(r"[.,]\d\d$", written)
                return f'{"a price or amount" if amount else "a number"} ("{written}")'
            return f"a number ({_tok(t.text)})"
    return None


#: A category path written into the name: "Category Shoes > Running Viewed".
_BREADCRUMB = re.compile(r"[^\s>»]+(?:\s*[>»]\s*[^\s>»]+)+")
_SEARCH_VERBS = frozenset({"search", "searched", "searching", "searches"})


def _typed_search(name: str, tokens: tuple[Token, ...]) -> str | None:
    """The search term of a name that is a search verb and what was typed ("Search iphone",
    "search_nike_air_max"): a word written in lower case after a capitalised verb, or a word
    that is no English word; nothing that ends in an action ("Search Results Viewed")."""
    if len(tokens) < 2 or tokens[0].low not in _SEARCH_VERBS:
        return None
    rest = tokens[1:]
    if any(t.kind != "word" or is_past(t.low) for t in rest):
        return None
    v = vocab()
    typed = tokens[0].text[:1].isupper() and any(t.text[:1].islower() for t in rest)
    unknown = any(
        t.low.isascii() and not (is_word(t.low) or t.low in v.acronyms) and len(t.low) > 2
        for t in rest
    )
    if not (typed or unknown):
        return None
    return " ".join(t.text for t in rest)


#: Words that mark an event sent while testing or debugging, not a product event.
_TEST_WORDS = frozenset(
    {"test", "testing", "tst", "debug", "dbg", "temp", "tmp", "dummy", "wip", "final", "copy"}
)
_TEST_WORDS_OTHER = ("тест", "测试", "測試", "テスト", "테스트", "prueba", "teste", "prova")
#: Markers that open a product noun ("Test Drive", "Test Suite"): only at the end, in capitals,
#: in brackets or before a whole semantic or generic name do they mark a test.
_TEST_NOUNS = frozenset({"test", "testing", "copy", "final", "temp", "debug"})


def _test_marker(name: str, tokens: tuple[Token, ...]) -> str | None:
    """The word that marks ``name`` as a test or debug event ("DEBUG Order Completed", "Order
    Completed (test)", "test_order_completed", "temp_event", "Тестовое событие"), or None."""
    words = [t for t in tokens if t.kind == "word"]
    if not words:
        return None
    first = words[0]
    if (
        not first.low.isascii()
        and first.low.startswith(_TEST_WORDS_OTHER)
        and (len(words) > 1 or first.low not in _TEST_WORDS_OTHER)
    ):
        return first.text  # "Тестовое событие", "测试事件"; a lone "тест" is a generic word
    marks = [
        (i, t)
        for i, t in enumerate(words)
        if t.low in _TEST_WORDS or t.low in _TEST_WORDS_OTHER and t.low.isascii()
    ]
    if not marks or len(words) < 2:
        return None
    shouted = _all_caps(name)
    for i, t in marks:
        if t.text.isupper() and len(t.text) >= 3 and not shouted:
            return t.text  # "DEBUG Order Completed", "Order Completed TEST"
        if re.search(r"[(\[]\s*" + re.escape(t.text) + r"\s*[)\]]", name):
            return t.text  # "Order Completed (test)", "[debug] Cart Viewed"
        others = [w for j, w in enumerate(words) if j != i]
        if i == len(words) - 1 and is_past(words[-2].low):
            return t.text  # "Order Completed copy": a marker after the action
        if i == 0:
            rest = " ".join(w.low for w in others)
            if len(others) == 1 and others[0].low in _VAGUE:
                return t.text  # "temp_event", "test_event"
            if t.low not in _TEST_NOUNS or rest in _semantic_lower():
                return t.text  # "debug_checkout_started", "test_order_completed"
    return None


@lru_cache(maxsize=1)
def _semantic_lower() -> frozenset[str]:
    return frozenset(n.lower() for n in vocab().semantic_events)


def _brand_domain(text: str, m: re.Match[str]) -> bool:
    """A site named as a brand ("Booking.com Reservation Imported"): one capitalised label and a
    top-level domain, no scheme, www or path, beside other words."""
    hit = m.group(0)
    if "://" in hit or hit.lower().startswith("www.") or "." not in hit:
        return False
    label = hit.split(".", 1)[0]
    after = text[m.end() : m.end() + 1]
    rest = (text[: m.start()] + " " + text[m.end() :]).strip()
    return (
        label[:1].isupper()
        and label.replace("-", "").isalpha()
        and after in ("", " ")
        and any(c.isalpha() for c in rest)
    )


#: Stand-in for a term made of letters and digits ("Auth0", "H.264") once it is known to be a
#: name: the number scan below then sees a word there.
_TERM_MASK = "Qterm"


def _mask_terms(text: str) -> tuple[str, str | None]:
    """``text`` with the letters-and-digits terms that are names (Auth0, GA4, E2E, 3DS, Y2K,
    H.264, W-9, HTTP/2, 24/7) replaced by a plain word, and the first chunk that is an id
    rather than a term ("B07XJ8C8F5", "INV-2291"), if any."""
    text = _NUMERIC_TERMS.sub(_TERM_MASK, text)
    out: list[str] = []
    last = 0
    code_id: str | None = None
    prev_word = ""
    for m in _ALNUM_CHUNK.finditer(text):
        chunk = m.group(0)
        verdict = _code_chunk(chunk, prev_word, text)
        if verdict == "term":
            out.append(text[last : m.start()] + _TERM_MASK)
            last = m.end()
        elif verdict == "id" and code_id is None:
            code_id = chunk
        prev_word = chunk.lower()
    out.append(text[last:])
    return "".join(out), code_id


_RUNS = re.compile(r"\d+|[^\W\d_]+")


def _code_chunk(chunk: str, prev_word: str, text: str) -> str | None:
    """``term`` for a letters-and-digits code that names something (Auth0, GA4, E2E, 3DS, Y2K,
    W-9, H.264, HTTP/2, 401k), ``id`` for one that is a value (B07XJ8C8F5, INV-2291), None for
    anything else (plain words and numbers, English words numbered: Button1, SUMMER24, evt2)."""
    if not any(c.isdigit() for c in chunk) or not any(c.isalpha() for c in chunk):
        return None
    core = re.sub(r"[-./]", "", chunk)
    low = core.lower()
    v = vocab()
    if low in v.compounds:
        return "term"  # a known term (MP4, H264, IPv6), however it is written
    runs = _RUNS.findall(core)
    if not core.isascii() or any(c in chunk[1:-1] for c in "./") and len(runs) > 2:
        return None  # dates, versions and paths have their own detectors
    digits = sum(len(r) for r in runs if r.isdigit())
    letter_runs = [r for r in runs if not r.isdigit()]
    if len(runs) >= 4 or digits >= 4 or len(core) > 7:
        # many switches between letters and digits, or a long number: an id or a SKU
        return "id" if len(core) >= 6 and (len(runs) >= 4 or digits >= 4) else None
    if re.fullmatch(r"[vV]\d+", core):
        return None  # a version label: judged by _name_number
    if prev_word in _COUNTERS or prev_word in v.generic:
        return None  # "Variant C3 Shown", "Seat A12 Selected": a value picked from a set
    if text.strip() == chunk:
        return None  # the whole name is the code ("E1", "A7"): nothing describes it
    for r in letter_runs:
        rl = r.lower()
        if rl in v.cryptic or rl in v.placeholders or rl in v.generic or rl in _COUNTERS:
            return None  # "evt2", "test123", "Level2", "Button1"
        if len(rl) >= 3 and _english(rl) and rl not in v.acronyms:
            return None  # an English word numbered: "SUMMER24", "SAVE20", "Promo10"
    return "term"


def _english(low: str) -> bool:
    """A word of the English word list (not only a product or acronym word)."""
    words = vocab().words
    return low in words or any(b in words for b in bases(low))


#: Nouns that a number after them counts or picks out ("Level 12", "Step 3", "Order 12345",
#: "Size 10"): the number is a value, never part of a name.
_COUNTER_WORDS = """
    level step page question order event item slide tab screen article product user account
    session invoice ticket chapter lesson episode season round stage part section module unit
    week day month year post video image photo picture pic card row column col slot seat room
    table floor gate game match task test quiz exam exercise problem puzzle mission quest lap
    track song variant variation option choice tier version build release batch group team
    player customer member id number no num nr line lot box pack bundle offer banner ad campaign
    position pos rank grade place block cell entry record file document doc folder message msg
    comment reply thread story clip frame shot scene attempt try retry trial sample list note
    cart basket package deal coupon promo code pin key token course class phase milestone goal
    streak achievement badge reward prize bonus gift case project workspace board sprint issue
    bug job run pass lane zone region area sector store shop branch location site server host
    instance device window panel view widget survey poll vote answer response review rating
    star score point points hour minute second flight trip ride delivery shipment parcel
    receipt payment transaction transfer deposit loan policy claim quote proposal contract
    candidate applicant listing property apartment house vehicle car route stop station
    platform channel stream movie film title volume edition contest tournament league division
    bracket heat set rep workout meal recipe dish menu deck sheet tile icon button link field
    input checkbox toggle filter tag category label theme template layout avatar profile
    character hero enemy boss monster weapon skill spell map dungeon chest loot segment cohort
    bucket experiment arm treatment revision draft copy size color colour amount price
    quantity qty total count age weight height value percent discount budget limit tip fee
    balance credit speed duration length distance plan slot day night week tab window modal
    popup dialog step ticket seat row
"""
_COUNTERS = frozenset(_COUNTER_WORDS.split())


#: Words after which a 4xx/5xx number is an HTTP status ("Error 404 Shown", "HTTP 503 Returned").
_STATUS_WORDS = frozenset({"http", "https", "error", "status", "code", "response"})


#: Words before a small number that make it part of the name ("Top 10", "First 3").
_RANK_WORDS = frozenset({"top", "bottom", "first", "last", "best"})
#: Units after a number that make it a fixed threshold of the event, not a value.
_UNIT_WORDS = frozenset(
    {
        "percent",
        "pct",
        "seconds",
        "second",
        "sec",
        "secs",
        "minutes",
        "minute",
        "min",
        "mins",
        "hours",
        "hour",
        "days",
        "day",
        "weeks",
        "months",
        "x",
    }
)


def _status_code(low: str) -> bool:
    return len(low) == 3 and low[0] in "45" and low.isdigit()


def _name_number(tokens: tuple[Token, ...], i: int) -> bool:
    """Is the number ``tokens[i]`` part of a name rather than a value?

    Two shapes are names: an HTTP error status leading the name or after "Error"/"HTTP"
    ("404 Page Viewed"), and a version or model number of at most two digits written onto a
    term that is not an ordinary English word (HTML5, GPT-4, Covid19, PS5). A number after an
    English word ("Button1", "SUMMER24", "Level 17"), a single letter ("B2"), a cryptic
    abbreviation ("evt2") or a separator ("Item 5") stays a value.
    """
    t = tokens[i]
    prev_low = tokens[i - 1].low if i > 0 else ""
    if len(t.low) <= 2:
        # a version label ("Report Exported v2"), a ranking ("Top 10 List Viewed")
        if prev_low == "v" and t.joiner == "":
            return True
        if prev_low in _RANK_WORDS and t.joiner == " ":
            return True
    if len(t.low) <= 3 and i + 1 < len(tokens) and tokens[i + 1].low in _UNIT_WORDS:
        return True  # a fixed threshold: "Page Scrolled 50 Percent", "Video 30 Seconds Watched"
    if _status_code(t.low) and (
        (i == 0 and any(u.kind == "word" for u in tokens[1:]))
        or (i > 0 and tokens[i - 1].low in _STATUS_WORDS)
    ):
        return True
    if t.joiner == " " and _product_number(tokens, i):
        return True
    if i == 0 or t.joiner == " " or len(t.low) > 2:
        return False
    prev = tokens[i - 1]
    return prev.kind == "word" and _model_term(prev)


def _plural(t: Token) -> bool:
    low = t.low
    return (
        t.kind == "word" and len(low) > 3 and low.endswith("s") and not low.endswith(("ss", "us"))
    )


def _product_number(tokens: tuple[Token, ...], i: int) -> bool:
    """A number standing apart that belongs to a name: after a product, brand or standard
    ("Windows 11", "Office 365", "SOC 2", "ISO 27001", "Form 1040") or before the thing it
    numbers ("1099 Form Generated"), with more of the name after it.

    A number after a noun that counts or picks things out ("Level 12", "Step 3", "Order 12345",
    "Size 10"), after a verb ("Viewed 3"), before a plural ("200 Points"), at the end of the
    name ("Screen Home 17"), or after a word of a name not in English ("Pedido 5521 Enviado")
    stays a value.
    """
    t = tokens[i]
    low = t.low
    if len(low) > 5 or low.startswith("0") or i + 1 >= len(tokens):
        return False
    nxt = tokens[i + 1]
    if nxt.kind != "word" or _plural(nxt) or nxt.low in _UNIT_WORDS or nxt.low in _STOP:
        return False
    if not any(u.kind == "word" for u in tokens[i + 2 :]) and not is_past(nxt.low):
        return False  # "Windows 11 Upgrade": something after the number, or its action
    v = vocab()
    if i == 0:
        # "1099 Form Generated": a form, model or standard number naming the thing after it
        return (
            len(low) >= 3
            and not re.fullmatch(r"(?:19|20)\d\d", low)
            and nxt.low not in _COUNTERS
            and nxt.low not in v.generic
            and _english(nxt.low)
            and any(u.kind == "word" for u in tokens[i + 2 :])
        )
    prev = tokens[i - 1]
    p = prev.low
    if prev.kind != "word" or len(p) < 2 or p in _COUNTERS or p in _STOP:
        return False
    if p in v.generic or p in v.placeholders or p in v.cryptic or p in _VAGUE:
        return False
    if is_past(p) or _is_base_verb(p) and p not in v.acronyms or p.endswith("ing"):
        return False  # "Viewed 3 Products", "Add 2", "Showing 10"
    if p in v.acronyms or p in v.compounds or p == _TERM_MASK.lower():
        return True  # "SOC 2", "ISO 27001", "HTTP 2"
    if _english(p):
        return True  # "Windows 11", "Office 365", "Form 1040": not a counting noun
    # An unknown word: a brand in an English name ("Microsoft 365 Account Linked"), or a noun
    # of another language ("Pedido 5521 Enviado", "Bestellung 48213 abgeschlossen").
    others = [u for j, u in enumerate(tokens) if u.kind == "word" and j != i - 1]
    return (_wordlike(p) or prev.text[:1].isupper()) and all(
        u.low.isascii()
        and (is_word(u.low) or u.low in v.acronyms or u.text.isupper() and len(u.low) <= 5)
        for u in others
    )


def _model_term(t: Token) -> bool:
    """A term that takes a version number: an acronym, a known compound, or a brand-like word."""
    low = t.low
    if len(low) < 2:
        return False
    v = vocab()
    if low in v.acronyms or low in v.compounds:
        return True
    if low in v.cryptic or low in v.placeholders or low in v.generic or is_word(low):
        return False
    if t.text.isupper() and len(t.text) <= 5:
        return True  # GPT, PS, HTML: an initialism
    return _wordlike(low)


_VOWELS = "aeiouy"
#: Spellings of one consonant sound in European languages (German "sch", Polish "sz").
_DIGRAPHS = re.compile(r"sch|ch|sh|th|ph|ck|qu|gh|sz|cz|rz")
#: Two-consonant word beginnings of European languages; others ("qw", "tg", "zp") look typed.
_ONSETS = frozenset(
    [
        "bl",
        "br",
        "cl",
        "cr",
        "dr",
        "fl",
        "fr",
        "gl",
        "gr",
        "kl",
        "kr",
        "pl",
        "pr",
        "tr",
        "sc",
        "sk",
        "sl",
        "sm",
        "sn",
        "sp",
        "st",
        "sv",
        "sw",
        "tw",
        "dw",
        "gn",
        "kn",
        "pf",
        "ps",
        "pn",
        "wr",
        "zw",
        "vr",
        "vl",
    ]
)
_V_RUN = re.compile(r"[aeiouy]+")
_C_RUN = re.compile(r"[^aeiouy]+")
_REPEAT = re.compile(r"(.{3,})\1")


@lru_cache(maxsize=8192)
def _wordlike(low: str) -> bool:
    """Does an unknown lowercase ASCII token look like a real word of some language?

    Brand names and words of other languages written in Latin script ("Pedido", "Warenkorb",
    "abgeschlossen", "Zapier") have at least two syllables, a pronounceable beginning, and
    consonant clusters that languages use; clipped abbreviations ("Chkout", "Cmpltd") and
    keyboard runs ("qwerty", "asdfasdf") do not.
    """
    if len(low) < 4 or not low.isascii() or not low.isalpha():
        return False
    if _REPEAT.search(low) or re.search(r"(.)\1\1", low):
        return False
    w = _DIGRAPHS.sub("x", low.replace("x", "ks"))
    if len(_V_RUN.findall(w)) < 2:
        return False
    for m in _C_RUN.finditer(w):
        run = m.group(0)
        if m.start() == 0:
            if len(run) > 2 or len(run) == 2 and run not in _ONSETS and "x" not in run:
                return False
        elif m.end() == len(w):
            if len(run) > 3:
                return False
        elif len(run) > 3 or len(run) == 3 and run[1:] not in _ONSETS and run[:2] not in _CODAS:
            return False
    return all(len(v) <= 3 for v in _V_RUN.findall(w))


def _mash(low: str) -> bool:
    if len(low) >= 3 and any(all(c in row for c in low) for row in _ROWS) and not _wordlike(low):
        return True
    if re.search(r"(.)\1\1", low):
        return True
    return bool(len(low) >= 4 and re.fullmatch(r"(.{1,3})\1+", low))


def _clipped(low: str) -> bool:
    """An unknown token that looks like a word with its vowels taken out (Clk, Dropd, Updtd)."""
    if not _VOWEL.search(low):
        return True
    if _CONS_RUN.search(low):
        return True
    tail = low[-2:]
    return (
        len(low) >= 3 and not _VOWEL.search(tail) and tail not in _CODAS and low[-3:] not in _CODAS
    )


def _is_acronym(t: Token) -> bool:
    return t.low in vocab().acronyms or t.low in vocab().compounds


#: Generic nouns that still name a concrete thing a user meets (unlike "event", "action",
#: "thing", "data", "element"): with a past-tense action they describe what happened.
_CONCRETE = frozenset(
    {
        "button",
        "buttons",
        "link",
        "links",
        "item",
        "items",
        "error",
        "field",
        "fields",
        "input",
        "key",
        "label",
        "option",
        "options",
        "record",
        "entry",
    }
)


def _concrete_action(content: list[Token]) -> bool:
    """A concrete noun and a past-tense action on it, nothing vaguer (two words or three)."""
    if not 2 <= len(content) <= 3:
        return False
    nouns = [t for t in content if t.low in _CONCRETE]
    acts = [t for t in content if t.low not in _CONCRETE and is_past(t.low)]
    return bool(nouns) and bool(acts) and len(nouns) + len(acts) == len(content)


#: Past-tense actions of pressing a control: what comes before them can be its label.
_PRESSED = frozenset({"clicked", "tapped", "pressed", "touched"})
#: Verbs that open call-to-action labels ("Get Started", "Learn More", "Go Back").
_CTA_VERBS = frozenset({"get", "go", "learn", "try", "see", "find", "shop", "explore", "discover"})


def _button_label(content: list[Token]) -> bool:
    """A call-to-action label and a press on it ("Get Started Clicked", "Go Back Tapped"): a verb
    and what follows it, then clicked/tapped; the label names the control."""
    if len(content) < 3 or content[-1].low not in _PRESSED:
        return False
    first = content[0].low
    if not (first in _CTA_VERBS or _is_base_verb(first)):
        return False
    return not any(t.low in _VAGUE or t.low in vocab().placeholders for t in content[1:-1])


def _caps_token(t: Token) -> bool:
    return t.text.isupper() and 2 <= len(t.text) <= 5 and t.text.isalpha()


def _brand_compound(t: Token) -> bool:
    """A coined brand that opens with an English word of three letters or more and goes on with
    a made-up tail (Airbnb, Eventbrite), written capitalised once: not a clipped word."""
    low = t.low
    if len(low) < 6 or not low.isascii() or not low.isalpha() or not t.text[:1].isupper():
        return False
    if any(c.isupper() for c in t.text[1:]) or len(_VOWEL.findall(low)) < 2:
        return False
    v = vocab()
    for i in range(len(low) - 3, 2, -1):
        head, tail = low[:i], low[i:]
        if _english(head) and head not in v.cryptic and tail not in v.cryptic:
            return not (len(tail) >= 4 and _mash(tail))
    return False


@lru_cache(maxsize=16384)
def non_descriptive(name: str) -> Finding | None:
    """Why ``name`` is a non-descriptive event name, or None when it describes something."""
    name = strip_ansi(name[:MAX_NAME])  # a terminal colour code is no part of the name
    if not name.strip():
        return Finding("empty", "the name is empty")
    if is_semantic(name):
        return None
    tokens = tokenize(name)
    if not tokens:
        return Finding("punctuation", "the name has no letters or digits")
    dyn = _dynamic(name, tokens)
    if dyn:
        return Finding("dynamic", f"it carries a dynamic value, {dyn}")
    marker = _test_marker(name, tokens)
    if marker:
        return Finding("test", f"it is marked as a test or debug event ({_tok(marker)})")
    v = vocab()
    words = [t for t in tokens if t.kind == "word"]
    for chunk in _CHUNKS.findall(name):  # whole chunks too: "NaN" splits into "Na" + "N"
        if chunk.lower() in v.placeholders:
            return Finding("placeholder", f"{_tok(chunk)} is a placeholder")
    for t in words:
        if t.low in v.placeholders:
            return Finding("placeholder", f"{_tok(t.text)} is a placeholder")
    content = [t for t in words if t.low not in _STOP and (len(t.low) > 1 or t.low in v.acronyms)]
    if not content:
        return Finding("generic", "it has no descriptive word")
    known: list[Token] = []
    unknown: list[Token] = []
    # A short all-caps token in a name that is not shouted is written as an acronym (HDR, ATM,
    # OKR), even one that also serves as an abbreviation when written "Hdr".
    written_caps = not _all_caps(name)
    # Letters written onto digits (3ds, ga4, e2e): the dynamic-value check above found the
    # digits part of a term, so its letters are that term, not an abbreviation of a word.
    pieces = {
        id(t)
        for i, t in enumerate(tokens)
        if t.kind == "word"
        and len(t.low) <= 3
        and (
            (t.joiner == "" and i > 0 and tokens[i - 1].kind == "number")
            or (
                i + 1 < len(tokens)
                and tokens[i + 1].kind == "number"
                and tokens[i + 1].joiner == ""
            )
        )
    }
    for t in content:
        if id(t) in pieces:
            known.append(t)
            continue
        if t.low in v.cryptic and not (written_caps and _caps_token(t)):
            return Finding("cryptic", f"{_tok(t.text)} is a cryptic abbreviation")
        if not t.low.isascii() or _is_acronym(t) or is_word(t.low):
            known.append(t)
        elif _wordlike(t.low) and not _mash(t.low):
            known.append(t)  # a word of another language, or a brand name: it may describe
        else:
            unknown.append(t)
    # All-caps tokens (KYC, SOC) are acronyms when the rest of the name is made of real words,
    # or when one real word beside them is the action ("HDR Enabled", "OKR Created").
    caps = [t for t in unknown if _caps_token(t)]
    if caps and (
        len(known) >= 2
        or written_caps
        and len(caps) == 1
        and sum(c in "qxzj" for c in caps[0].low) < 2  # initials of words, not "QXZ"
        and any(is_past(k.low) for k in known)
    ):
        unknown = [t for t in unknown if t not in caps]
        known += caps
    # A brand made of an English word and a coined tail (Airbnb, Eventbrite) beside two words.
    if unknown and len(known) >= 2:
        brands = [t for t in unknown if _brand_compound(t)]
        known += brands
        unknown = [t for t in unknown if t not in brands]
    for t in unknown:
        if _mash(t.low):
            return Finding("cryptic", f"{_tok(t.text)} looks like keyboard mashing")
        if _clipped(t.low) and not (t.text.isupper() and len(known) >= 2):
            return Finding("cryptic", f"{_tok(t.text)} is a cryptic abbreviation")
    # Unknown words are tolerated (brand and product names) only beside at least as many real ones.
    if unknown and (
        not known or len(unknown) > len(known) or len(unknown) >= 2 and len(unknown) == len(known)
    ):
        shown = ", ".join(f"{_tok(t.text)}" for t in unknown[:3])
        return Finding(
            "cryptic", f"{shown} {'is not a word' if len(unknown) == 1 else 'are not words'}"
        )
    if len(content) == 1 and content[0].low in v.generic:
        t = content[0]
        return Finding("generic", f"{_tok(t.text)} is a generic word that names nothing")
    if len(content) == 1 and not (not content[0].low.isascii() and len(content[0].low) >= 3):
        t = content[0]
        if t.low in v.generic:
            return Finding("generic", f"{_tok(t.text)} is a generic word that names nothing")
        return Finding("bare", f"{_tok(t.text)} is a single word with no object or action")
    specific = [t for t in content if t.low not in v.generic]
    if (
        specific
        and all(t.low in _SUBJECTS for t in specific)
        and any(t.low in _VAGUE for t in content)
    ):
        specific = []  # "User Action", "Customer Event": a subject and a vague noun say nothing
    if not specific and _concrete_action(content):
        return None  # "Button Clicked", "Item Added", "Error Occurred": a thing and what it did
    if not specific and _button_label(content):
        return None  # "Get Started Clicked": the label of the button is the object
    if not specific:
        # A generic verb with a particle ("Logged In", "Checked Out") is a specific action.
        lows = [t.low for t in content]
        if not any(lw in _PARTICLES for lw in lows[1:]):
            return Finding(
                "generic",
                "it uses only generic words (" + ", ".join(t.text for t in content[:4]) + ")",
            )
    return None


# --------------------------------------------------------------------------- conventions

CONVENTION_LABELS = {
    "title": "Title Case",
    "snake": "snake_case",
    "camel": "camelCase",
    "pascal": "PascalCase",
    "kebab": "kebab-case",
    "dot": "dot.case",
    "screaming": "SCREAMING_SNAKE_CASE",
    "lower": "lower case words",
    "upper": "UPPER CASE words",
    "joined": 'words joined by punctuation ("-", ":", "/", ".")',
    "sentence": "Sentence case",
    "mixed": "mixed style",
}

#: Words Title Case keeps lower case: the stop words plus a few short prepositions.
_SMALL = _STOP | {"in", "on", "vs"}


def _shape(text: str) -> str:
    """``text`` with every letter mapped to A/a by case and every digit to 0, so that ASCII
    patterns classify accented and other cased letters too ("naïve_search" is snake_case)."""
    if text.isascii():
        return text
    return "".join(
        ("A" if c.isupper() or c.istitle() else "a") if c.isalpha() else "0" if c.isdigit() else c
        for c in text
    )


def _latin(text: str) -> bool:
    """Does the text have a Latin letter? Casing conventions are judged on Latin-script names only."""
    if re.search(r"[A-Za-z]", text):
        return True
    return not text.isascii() and any(
        c.isalpha() and unicodedata.name(c, "").startswith("LATIN") for c in text
    )


@lru_cache(maxsize=16384)
def convention(name: str) -> str | None:
    """The casing convention of a name, or None when it cannot tell (one lowercase word, digits)."""
    name = name[:MAX_NAME].strip()
    if not name or not _latin(name):
        return None
    if " " in name:
        words = [w for w in name.split() if any(c.isalpha() for c in w)]
        if not words:
            return None
        if _all_caps(name) and any(
            len(w) >= 4 and is_word(w.lower()) and w.lower() not in vocab().acronyms for w in words
        ):
            return "upper"  # REPORT EXPORTED: shouted words, not acronyms
        if all(_title_word(w, i) for i, w in enumerate(words)):
            return "title"
        if all(w == w.lower() for w in words):
            return "lower"
        if _title_word(words[0], 0) and all(w == w.lower() or _acronymish(w) for w in words[1:]):
            return "sentence"
        return "mixed"
    name = _shape(name)
    if "_" in name:
        if re.fullmatch(r"[a-z0-9]+(?:_[a-z0-9]+)+", name):
            return "snake"
        if re.fullmatch(r"[A-Z0-9]+(?:_[A-Z0-9]+)+", name):
            return "screaming"
        return "mixed"
    if "-" in name and re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)+", name):
        return "kebab"
    if "." in name and re.fullmatch(r"[a-z0-9]+(?:\.[a-z0-9]+)+", name):
        return "dot"
    if re.fullmatch(r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*|[A-Z]+(?![a-z]))+", name):
        return "camel"
    if re.fullmatch(r"(?:[A-Z][a-z0-9]+|[A-Z]+(?![a-z]))(?:[A-Z][a-z0-9]*|[A-Z]+(?![a-z]))+", name):
        return "pascal"
    if re.fullmatch(r"[A-Z][a-z0-9]*", name):
        return "title"  # one capitalised word: Title Case by default
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*(?:[-:/.|][A-Za-z][A-Za-z0-9]*)+", name) and re.search(
        r"[A-Z]", name
    ):
        return "joined"  # Report-Exported, Report/Exported, Checkout:Started
    if re.fullmatch(r"[a-z][a-z0-9]*(?:[:/|][a-z][a-z0-9]*)+", name):
        return "joined"  # report:exported, report/exported (kebab and dot.case are above)
    return None


def _acronymish(w: str) -> bool:
    core = re.sub(r"[\W_]", "", w)
    return bool(core) and (
        core.isupper()
        or core.lower() in vocab().compounds
        or core[:1].islower()
        and any(c.isupper() for c in core[1:])
    )


def _title_word(w: str, i: int) -> bool:
    core = re.sub(r"^[\W_]+|[\W_]+$", "", w)
    if not core:
        return True
    if core[0].isdigit():
        return True
    if i > 0 and re.fullmatch(r"v\d{1,3}", core):
        return True  # a version label: "Report Exported v2"
    if i > 0 and core in _SMALL:
        return True
    if core[0].isupper():
        return True
    return _acronymish(core)  # iOS, macOS, eBay


_IRREG_PAST_OF = {
    "send": "Sent",
    "pay": "Paid",
    "buy": "Bought",
    "make": "Made",
    "build": "Built",
    "sell": "Sold",
    "find": "Found",
    "win": "Won",
    "lose": "Lost",
    "get": "Gotten",
    "give": "Given",
    "take": "Taken",
    "write": "Written",
    "choose": "Chosen",
    "begin": "Begun",
    "run": "Run",
    "see": "Seen",
    "show": "Shown",
    "read": "Read",
    "set": "Set",
    "reset": "Reset",
    "put": "Put",
    "upload": "Uploaded",
    "leave": "Left",
    "hide": "Hidden",
    "hold": "Held",
    "forget": "Forgotten",
    "speak": "Spoken",
    "draw": "Drawn",
    "withdraw": "Withdrawn",
    "resend": "Resent",
    "do": "Done",
    "go": "Gone",
    "cancel": "Cancelled",
    "quit": "Quit",
    "shut": "Shut",
    "cut": "Cut",
    "split": "Split",
    "broadcast": "Broadcast",
    # past participles (Object + Action reads "Tutorial Begun", "Password Forgotten")
    "rerun": "Rerun",
    "sing": "Sung",
    "drive": "Driven",
    "ride": "Ridden",
    "eat": "Eaten",
    "fly": "Flown",
    "grow": "Grown",
    "know": "Known",
    "throw": "Thrown",
    "break": "Broken",
    "freeze": "Frozen",
    "steal": "Stolen",
    "shake": "Shaken",
    "forgive": "Forgiven",
    "undo": "Undone",
    "redo": "Redone",
    "rewrite": "Rewritten",
    "overwrite": "Overwritten",
    "wear": "Worn",
    "tear": "Torn",
    "swear": "Sworn",
    "ring": "Rung",
    "sink": "Sunk",
    "drink": "Drunk",
    "bite": "Bitten",
    "hit": "Hit",
    "cast": "Cast",
    "forecast": "Forecast",
    "spread": "Spread",
    "upset": "Upset",
    "burst": "Burst",
}
#: Past participles spelled like the base verb: "Query Run", "Job Rerun", "Flag Set" are
#: Object + past participle already.
_SAME_PARTICIPLE = frozenset(
    k for k, v in _IRREG_PAST_OF.items() if k == v.lower() and k not in ("read",)
) | frozenset({"read"})
_DOUBLE = frozenset(
    {
        "submit",
        "commit",
        "refer",
        "prefer",
        "transfer",
        "admit",
        "permit",
        "omit",
        "emit",
        "control",
        "patrol",
        "equip",
        "occur",
        "recur",
        "begin",
        "regret",
        "fulfil",
        "enrol",
        "instil",
        "distil",
    }
)


def past_tense(verb: str) -> str:
    """Regular English past tense of a base verb ("add" -> "added", "drop" -> "dropped")."""
    w = verb.lower()
    if w in _IRREG_PAST_OF:
        return _IRREG_PAST_OF[w]
    if w.endswith("e"):
        out = w + "d"
    elif re.search(r"[^aeiou]y$", w):
        out = w[:-1] + "ied"
    elif w in _DOUBLE or (len(w) <= 4 and re.fullmatch(r"[^aeiou]*[aeiou][bdgklmnprt]", w)):
        out = w + w[-1] + "ed"
    else:
        out = w + "ed"
    return out.capitalize()


def is_past(word: str) -> bool:
    w = word.lower()
    if w in vocab().irregular_past or w in _SAME_PARTICIPLE:
        return True
    return (
        len(w) > 3
        and w.endswith("ed")
        and w not in {"need", "seed", "feed", "speed", "bed", "red", "shred", "embed", "bleed"}
    )


def _is_base_verb(word: str) -> bool:
    w = word.lower()
    return w in _VERBS or w in _IRREG_PAST_OF


#: Common product verbs in base form, to turn "Add to Cart" into "... Added".
_VERBS = frozenset(
    [
        "abandon",
        "accept",
        "activate",
        "add",
        "apply",
        "approve",
        "archive",
        "assign",
        "book",
        "browse",
        "buy",
        "cancel",
        "change",
        "check",
        "choose",
        "claim",
        "click",
        "close",
        "comment",
        "complete",
        "configure",
        "confirm",
        "connect",
        "continue",
        "copy",
        "create",
        "decline",
        "delete",
        "deliver",
        "deny",
        "deploy",
        "dispatch",
        "disable",
        "disconnect",
        "dismiss",
        "download",
        "edit",
        "enable",
        "end",
        "enrol",
        "enroll",
        "enter",
        "export",
        "fail",
        "favorite",
        "fill",
        "filter",
        "finish",
        "follow",
        "fulfil",
        "fulfill",
        "generate",
        "hide",
        "import",
        "install",
        "invite",
        "join",
        "launch",
        "leave",
        "like",
        "load",
        "lock",
        "log",
        "mute",
        "open",
        "order",
        "pause",
        "pay",
        "place",
        "play",
        "post",
        "preview",
        "print",
        "publish",
        "purchase",
        "rate",
        "receive",
        "redeem",
        "refresh",
        "refund",
        "register",
        "reject",
        "remove",
        "rename",
        "reply",
        "report",
        "request",
        "reset",
        "resume",
        "retry",
        "return",
        "review",
        "save",
        "scan",
        "schedule",
        "scroll",
        "search",
        "select",
        "send",
        "share",
        "ship",
        "sign",
        "skip",
        "sort",
        "start",
        "stop",
        "submit",
        "subscribe",
        "swipe",
        "switch",
        "sync",
        "tap",
        "toggle",
        "track",
        "unfollow",
        "uninstall",
        "unlock",
        "unmute",
        "unsubscribe",
        "update",
        "upgrade",
        "upload",
        "verify",
        "view",
        "visit",
        "vote",
        "watch",
    ]
)


#: How often a verb that doubles as a noun is the *object* when it opens an event name
#: (0, the default: a verb, as "Cancel" in "Cancel Order"). "Order Cancel" is Object + Action and
#: "Cancel Order" is Action + Object; when both words can be either ("Report Export", "Export
#: Report"), the word more often a thing is the object, and a tie is left unread.
_NOUNISH = {
    # almost always the thing in product events: "Order Details", "Report Exported"
    "order": 3,
    "report": 3,
    "comment": 3,
    # often the thing: "Refund Issued", "Review Submitted", "Invite Sent"
    "refund": 2,
    "review": 2,
    "invite": 2,
    "purchase": 2,
    "reply": 2,
    "vote": 2,
    "favorite": 2,
    "return": 2,
    "claim": 2,
    # either: "Search Products" / "Search Results", "Download Report" / "Download Link"
    "request": 1,
    "post": 1,
    "search": 1,
    "filter": 1,
    "sort": 1,
    "share": 1,
    "play": 1,
    "book": 1,
    "place": 1,
    "download": 1,
    "upload": 1,
    "export": 1,
    "import": 1,
    "install": 1,
    "update": 1,
    "upgrade": 1,
    "preview": 1,
    "print": 1,
    "scan": 1,
    "schedule": 1,
    "track": 1,
    "switch": 1,
    "change": 1,
    "lock": 1,
    "log": 1,
    "launch": 1,
    "visit": 1,
    "sync": 1,
    "copy": 1,
}
#: Nouns that end a noun phrase about a thing ("Order Details", "Search Results", "Play
#: Button"): after a word that may be a noun, they are not the object of a verb.
_HEAD_NOUNS = frozenset(
    {
        "details",
        "detail",
        "summary",
        "history",
        "status",
        "state",
        "results",
        "result",
        "suggestions",
        "suggestion",
        "page",
        "screen",
        "list",
        "settings",
        "options",
        "preferences",
        "info",
        "information",
        "overview",
        "dashboard",
        "form",
        "modal",
        "dialog",
        "popup",
        "banner",
        "tab",
        "menu",
        "section",
        "step",
        "flow",
        "bar",
        "box",
        "field",
        "button",
        "link",
        "icon",
        "panel",
        "widget",
        "sheet",
        "card",
        "number",
        "id",
        "total",
        "count",
        "date",
        "time",
        "type",
        "limit",
        "error",
        "queue",
        "center",
        "tool",
        "mode",
    }
)
#: Endings of nouns made from verbs ("Cancellation", "Payment", "Tracking"): a name ending in one
#: after a word that is usually a noun ("Order Cancellation") is a noun phrase, not Verb + Object.
_NOMINAL = re.compile(r"(?:tion|sion|ment|ance|ence|ing)s?$")


def _object_first(first: str, last: str) -> bool | None:
    """Read a name that opens with a base-form verb: True when it is Object + Action ("Order
    Cancel"), False when it is Action + Object ("Cancel Order"), None when it cannot tell."""
    wf = _NOUNISH.get(first, 0)
    if wf == 0:
        return False  # a plain verb opens the name: "Cancel Order", "Start Checkout"
    if _is_base_verb(last):
        wl = _NOUNISH.get(last, 0)
        return True if wf > wl else False if wf < wl else None
    if last in _HEAD_NOUNS or not _known_word(last):
        return None  # "Order Details", "Search Results", "Order Completd"
    if wf >= 2 and _NOMINAL.search(last):
        return None  # "Order Cancellation", "Order Tracking" (but "Update Subscription")
    return False  # "Order Pizza", "Search Products", "Book Demo"


def _known_word(low: str) -> bool:
    v = vocab()
    return not low.isascii() or low in v.acronyms or low in v.compounds or is_word(low)


@lru_cache(maxsize=1)
def _action_forms() -> dict[str, str]:
    """Known actions, each spelling (base and past) -> its past tense in Title Case."""
    forms: dict[str, str] = {}
    for verb in _VERBS | set(_IRREG_PAST_OF):
        if _NOUNISH.get(verb, 0) >= 3:
            continue  # a word that is nearly always a thing is no action to correct towards
        past = past_tense(verb)
        forms.setdefault(verb, past)
        forms.setdefault(past.lower(), past)
    for past, base in vocab().irregular_past.items():
        forms.setdefault(past, past.capitalize())
        forms.setdefault(base, past_tense(base))
    for name in vocab().semantic_events:  # the Spec's own actions: Completed, Backgrounded, ...
        for w in name.split():
            low = w.lower()
            if len(low) > 3 and low.endswith("ed") and low.isalpha():
                forms.setdefault(low, low.capitalize())
    return forms


def _edits(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of neighbours counts once), cut at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


@lru_cache(maxsize=4096)
def misspelled_action(word: str) -> str | None:
    """The past tense of the known action an unknown word is a typo of ("Completd" ->
    "Completed", "Strated" -> "Started", "Cancle" -> "Cancelled"), or None.

    Only a word that is no English or product word, at least five letters, one edit (two from
    eight letters) from exactly one known action with the same first letter.
    """
    low = word.lower()
    if len(low) < 5 or not low.isascii() or not low.isalpha() or _known_word(low):
        return None
    limit = 2 if len(low) >= 8 else 1
    best: set[str] = set()
    best_d = limit + 1
    for form, past in _action_forms().items():
        if form[0] != low[0]:
            continue
        d = _edits(low, form, limit)
        if d < best_d:
            best_d, best = d, {past}
        elif d == best_d and d <= limit:
            best.add(past)
    return next(iter(best)) if best_d <= limit and len(best) == 1 else None


def _reading(lows: list[str], last: int) -> str:
    """How a name of word tokens stands to Object + past-tense Action:

    ``past`` (it ends with a past-tense action), ``typo`` (its action is a misspelled known verb),
    ``verb_first`` ("Viewed Product", "Cancel Order"), ``base`` (Object + a base-form action:
    "Video Play", "Order Cancel") or ``unclear`` (nothing to rename with confidence).
    """
    action = lows[last]
    first = lows[0]
    first_base = _is_base_verb(first) and not is_past(first)
    # A misspelled action in the action's place ("Order Completd", "Checkout Strated"); not
    # after a plain verb ("Cancel Ordr"), where the last word is the object.
    if (
        last > 0
        and (not first_base or _NOUNISH.get(first, 0) > 0)
        and misspelled_action(action)
        and all(_known_word(w) for w in lows[:last])
    ):
        return "typo"
    if last > 0 and is_past(action):
        return "past"
    if is_past(first):
        return "verb_first"
    if first_base:
        if last == 0:
            return "verb_first"  # "Sign Up", "Log In"
        reading = _object_first(first, action)
        if reading is None:
            return "unclear"
        return "base" if reading else "verb_first"
    if last > 0 and _is_base_verb(action) and _NOUNISH.get(action, 0) < 3:
        return "base"  # "Video Play"; not "Bug Report", "Pizza Order" (nouns)
    return "unclear"


_CANONICAL = {
    w.lower(): w
    for w in [
        "OAuth",
        "OAuth2",
        "macOS",
        "iOS",
        "iPadOS",
        "tvOS",
        "watchOS",
        "visionOS",
        "iPhone",
        "iPad",
        "iCloud",
        "iMessage",
        "iTunes",
        "AirPods",
        "AirPlay",
        "FaceTime",
        "GitHub",
        "GitLab",
        "YouTube",
        "LinkedIn",
        "PayPal",
        "WhatsApp",
        "TikTok",
        "eBay",
        "WiFi",
        "JavaScript",
        "TypeScript",
        "WordPress",
        "PostgreSQL",
        "MySQL",
        "GraphQL",
        "NoSQL",
        "DevOps",
        "HubSpot",
        "SendGrid",
        "Mailchimp",
        "QuickBooks",
        "WooCommerce",
        "ChatGPT",
        "OpenAI",
        "SaaS",
        "PaaS",
        "IaaS",
        "WebAuthn",
        "WebRTC",
        "WebSocket",
        "WebView",
        "2FA",
        "3D",
        "4K",
        "5G",
        "4G",
        "3G",
        "B2B",
        "B2C",
        "MP3",
        "MP4",
        "H264",
        "P2P",
        "S3",
        "EC2",
        "K8s",
        "i18n",
        "l10n",
        "a11y",
        "IPv4",
        "IPv6",
        "SHA256",
        "MD5",
        "Web3",
        "X509",
        "1Password",
        "A/B",
    ]
}
_CANONICAL["ab"] = "A/B"


#: Acronyms that are far more often the English word in an event name: written in lower case
#: they are the word ("ad_clicked" is an ad, not Active Directory; "pin_entered" a PIN typed
#: is still read fine as "Pin").
_WORD_ACRONYMS = frozenset({"ad", "ads", "pin", "zip", "ups", "amp"})


def _cap(t: Token, i: int, last: bool = False, shout: bool = False) -> str:
    """Title Case for one word. In an all-caps name (``shout``: USER_REGISTERED) capitals
    say nothing about acronyms: every word is read as if written in lower case."""
    if t.low in _CANONICAL:
        return _CANONICAL[t.low]
    if shout:
        t = Token(t.low, t.low, t.kind, t.joiner)
    if t.text.isupper() and len(t.text) > 1:
        return t.text
    if t.low in vocab().compounds or t.low in vocab().acronyms:
        # keep written mixed case (iOS, OAuth); upper-case plain acronyms (json -> JSON)
        if any(c.isupper() for c in t.text):
            return t.text
        if t.low in _WORD_ACRONYMS:
            return t.text[:1].upper() + t.text[1:].lower()  # ad_clicked -> "Ad Clicked"
        return t.text.upper() if t.low in vocab().acronyms and not t.low.isdigit() else t.text
    if i > 0 and not last and t.low in _SMALL:
        return t.low
    if t.kind == "number":
        return t.text
    if 2 <= len(t.low) <= 4 and not _VOWEL.search(t.low) and not is_word(t.low):
        return t.text.upper()  # an initialism written in lower case: gpt -> GPT
    if any(c.isupper() for c in t.text[1:]) and t.text[:1].isupper() and not t.text.isupper():
        return t.text  # a written brand or name: McDonalds, DeWalt
    return t.text[:1].upper() + t.text[1:].lower()


#: Words for the shopping cart: Segment's "Product Added"/"Product Removed" mean "to/from the cart".
_CARTS = frozenset({"cart", "basket", "bag", "trolley"})
#: Stands for the object a verb-first phrase leaves out ("Added to Favorites" adds what?).
OBJECT_PLACEHOLDER = "Item"


def _code_case(t: Token, suffix: str) -> str | None:
    """A letters-and-digits code term in capitals (ga4 -> GA4, e2e -> E2E, 3ds -> 3DS), when
    its letter runs are short and no English word; None to case it as a word (Auth0, Button1)."""
    if not suffix or t.low in _CANONICAL or (t.low + suffix.lower()) in _CANONICAL:
        return None
    text = t.text + suffix
    runs = re.findall(r"[^\W\d_]+", text)
    if not runs or not any(c.isdigit() for c in text):
        return None
    if any(
        len(r) > 3 or len(r) >= 2 and is_word(r.lower()) and r.lower() not in vocab().acronyms
        for r in runs
    ):
        return None
    if not text.isascii():
        return None
    return text.upper()


def _units(name: str) -> list[tuple[Token, str]]:
    """Word tokens with their display text; a number written onto a word (HTML5, GPT-4) stays
    with it, and a number standing alone (a leading "404") is kept as a unit of its own."""
    comp = vocab().compounds
    out: list[tuple[Token, str]] = []
    for t in tokenize(name[:MAX_NAME]):
        if (
            t.kind == "word"
            and t.joiner == ""
            and out
            and (out[-1][1] or out[-1][0].text)[-1:].isdigit()
            and len(t.low) <= 3
        ):
            prev, suffix = out[-1]  # letters after digits: one code term ("E2E", "3DS", "Y2K")
            out[-1] = (prev, suffix + t.text)
        elif t.kind == "word" or t.low in comp:
            out.append((t, ""))
        elif out and t.joiner in ("", "-"):
            prev, suffix = out[-1]
            out[-1] = (prev, suffix + t.joiner + t.text)
        else:
            out.append((t, ""))
    return out


def _verb_phrase_object(verb: str, prep: str, rest: list[str]) -> str | None:
    """The Spec's semantic event for "Added to Cart"-style names, if there is one."""
    sem = _semantic_set()
    full = " ".join(["Product", verb, prep, *rest])
    if full in sem:
        return full  # "Added to Wishlist" -> "Product Added to Wishlist"
    if len(rest) == 1 and rest[0].lower() in _CARTS and f"Product {verb}" in sem:
        return f"Product {verb}"  # "Added to Cart" -> "Product Added"
    return None


@lru_cache(maxsize=16384)
def suggest_title(name: str) -> str:
    """Suggest an Object + past-tense Action name in Title Case for a descriptive name.

    A verb-first phrase with no object ("Add to Cart", "Removed from Favorites") becomes the
    Spec's semantic event when there is one ("Product Added"), otherwise the object is left
    to fill in: ``OBJECT_PLACEHOLDER`` + action + phrase ("Item Added to Favorites").
    """
    units = _units(name)
    if not units:
        return name
    tokens = [t for t, _ in units]
    shout = _all_caps(name)
    words = [
        _code_case(t, suffix) or _cap(t, i, i == len(tokens) - 1, shout) + suffix
        for i, (t, suffix) in enumerate(units)
    ]
    lows = [t.low for t in tokens]
    for i in range(len(lows) - 1):
        if lows[i] == "two" and lows[i + 1] == "fa":
            words[i : i + 2] = ["2FA"]  # "twoFAEnabled": one term, two-factor authentication
            units[i : i + 2] = [(Token("2FA", "2fa", "word", tokens[i].joiner), "")]
            tokens = [t for t, _ in units]
            lows = [t.low for t in tokens]
            break
    last = len(lows) - 2 if len(lows) >= 2 and lows[-1] in _PARTICLES else len(lows) - 1
    reading = _reading(lows, last)
    if reading in ("past", "unclear"):
        # already Object + past-tense Action, or no reading sure enough to reorder or re-tense
        # words ("Order Details", "Report Like"): only the casing changes
        return " ".join(words)
    if reading == "typo":
        fixed = misspelled_action(lows[last])
        if fixed is not None and not units[last][1]:
            words[last] = fixed  # "Order Completd" -> "Order Completed"
        return " ".join(words)
    # Verb first ("Viewed Product", "Play Video", "Sign Up"): past tense, action moved to the end.
    if reading == "verb_first":
        verb = words[0] if is_past(lows[0]) else past_tense(lows[0])
        rest = words[1:]
        particle: list[str] = []
        if rest and lows[1] in _PARTICLES:
            particle, rest = [rest[0]], rest[1:]
        if not rest:
            return " ".join([verb, *particle])
        if rest[0].lower() in _SMALL:  # "Add to Cart": the object is missing
            prep, target = rest[0].lower(), rest[1:]
            if not particle and target:
                sem = _verb_phrase_object(verb, prep, target)
                if sem is not None:
                    return sem
            return " ".join([OBJECT_PLACEHOLDER, verb, *particle, prep, *target])
        return " ".join([*rest, verb, *particle])
    # Object then a base-form verb ("Video Play", "Order Cancel"): put the verb in the past tense.
    if not units[last][1]:
        words[last] = past_tense(lows[last])
    return " ".join(words)


def _all_caps(name: str) -> bool:
    """Written all in capitals, with more than one word (ORDER_COMPLETED, REPORT EXPORTED)."""
    letters = [c for c in name if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters) and len(tokenize(name)) > 1


def needs_object(name: str) -> bool:
    """Does :func:`suggest_title` leave the object to fill in (``OBJECT_PLACEHOLDER``)?"""
    sug = suggest_title(name)
    return sug.startswith(OBJECT_PLACEHOLDER + " ") and not any(
        t.low == OBJECT_PLACEHOLDER.lower() for t in tokenize(name[:MAX_NAME])
    )


def action_problem(name: str) -> str | None:
    """What keeps a Title Case name from the Object + past-tense Action shape, or None."""
    tokens = [t for t in tokenize(name[:MAX_NAME]) if t.kind == "word"]
    if not tokens:
        return None
    lows = [t.low for t in tokens]
    last = len(lows) - 2 if len(lows) >= 2 and lows[-1] in _PARTICLES else len(lows) - 1
    if is_semantic(name):
        return None
    reading = _reading(lows, last)
    if reading == "typo":
        return f"its action {_tok(tokens[last].text)} looks misspelled"
    if is_past(lows[last]) or any(is_past(w) for w in lows[1:]):
        return None
    if reading == "verb_first":
        return "the action comes before the object"
    if reading == "base" or lows[last].endswith("ing"):
        return "the action is not in the past tense"
    return "it does not end with a past-tense action"


# --------------------------------------------------------------------------- near-duplicates

_SUBJECTS = frozenset(
    {
        "user",
        "users",
        "customer",
        "customers",
        "visitor",
        "visitors",
        "member",
        "members",
        "client",
        "guest",
        "person",
        "people",
    }
)


@lru_cache(maxsize=16384)
def duplicate_keys(name: str) -> tuple[str, str]:
    """Two keys that are equal for variants of one name.

    The first ignores case, separators, spacing, tense and word order; the second joins the stems
    in order, so that "Signup", "Sign Up" and "signed_up" meet. A leading generic subject ("User
    Signed Up") is dropped when something is left.
    """
    lows = [t.low for t in tokenize(name[:MAX_NAME])]
    lows = [w for w in lows if w not in ("a", "an", "the")]
    if len(lows) > 1 and lows[0] in _SUBJECTS:
        lows = lows[1:]
    stems = [stem(w) for w in lows]
    return " ".join(sorted(stems)), "".join(_compound_stem(w) for w in lows)


def _compound_stem(w: str) -> str:
    # "logged" -> "log", "signup" -> "signup", "ups" -> "up"
    return stem(w) if len(w) > 3 else w.rstrip("s") if len(w) > 2 else w


@lru_cache(maxsize=1)
def _semantic_index() -> dict[str, str]:
    idx: dict[str, str] = {}
    for n in vocab().semantic_events:
        for k in duplicate_keys(n):
            idx.setdefault(k, n)
    return idx


def semantic_variant(name: str) -> str | None:
    """The semantic event ``name`` is a variant of (other case, separators, tense...), if any."""
    if is_semantic(name):
        return None
    idx = _semantic_index()
    for k in duplicate_keys(name):
        hit = idx.get(k)
        if hit:
            return hit
    return None


@lru_cache(maxsize=1)
def _semantic_set() -> frozenset[str]:
    return frozenset(vocab().semantic_events)


def is_semantic(name: str) -> bool:
    return name in _semantic_set()


# --------------------------------------------------------------------------- property keys


@lru_cache(maxsize=16384)
def key_convention(key: str) -> str | None:
    """snake / camel / pascal / kebab / title / screaming, or None for one lowercase word."""
    if not key or len(key) > MAX_NAME:
        return None
    k = _shape(key.strip("_$"))
    if re.fullmatch(r"[a-z0-9]+", k):
        return None
    if re.fullmatch(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+", k):
        return "snake"
    if re.fullmatch(r"[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*|[A-Z]+(?![a-z]))+", k):
        return "camel"
    if re.fullmatch(r"[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*", k):
        return "pascal"
    if re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)+", k):
        return "kebab"
    if re.fullmatch(r"[A-Z0-9]+(?:_[A-Z0-9]+)+", k):
        return "screaming"
    if " " in k:
        return "spaces"
    return "mixed"


KEY_CONVENTION_LABELS = {
    "snake": "snake_case",
    "camel": "camelCase",
    "pascal": "PascalCase",
    "kebab": "kebab-case",
    "screaming": "SCREAMING_SNAKE_CASE",
    "spaces": "words with spaces",
    "mixed": "mixed style",
}

_NUM_SUFFIX = re.compile(r"^(.*?[A-Za-z])[_\-\s.]?(\d{1,3})$")
_DIGITS = re.compile(r"\d{4,}")


@lru_cache(maxsize=16384)
def dynamic_key(key: str) -> str | None:
    """Why a property key looks generated from a value (an id, a number, an email...), or None."""
    k = key[:MAX_NAME]
    s = k.strip()
    if not s:
        return None
    if re.fullmatch(r"[\d\s.,:+\-/]+", s):
        if _DATE.search(s):
            return "it is a date or time" if ":" in s else "it is a date"
        return "it is a number"
    for rx, what in (
        (_EMAIL, "an email address"),
        (_UUID, "a UUID"),
        (_URL, "a URL"),
        (_DATE, "a date"),
        (_HEX, "a hex id"),
    ):
        m = rx.search(s)
        if m:
            return f'it contains {what} ("{m.group(0)}")'
    m2 = _DIGITS.search(s)
    if m2 and s.lower() not in vocab().compounds:
        return f'it contains a long number ("{m2.group(0)}")'
    return None


def numbered_family(key: str) -> tuple[str, str] | None:
    """(stem, number) for keys like feature_1, item2, slot-3; None for known terms (mp4, ipv6)."""
    if len(key) > MAX_NAME:
        return None
    m = _NUM_SUFFIX.match(key)
    if not m:
        return None
    low = key.lower()
    comp = vocab().compounds
    if low in comp or any(t.low in comp and any(c.isdigit() for c in t.low) for t in tokenize(key)):
        return None
    return m.group(1).lower().rstrip("_-. "), m.group(2)


# Re-exported for tests and other modules.
__all__ = [
    "OBJECT_PLACEHOLDER",
    "Finding",
    "action_problem",
    "bases",
    "convention",
    "duplicate_keys",
    "dynamic_key",
    "is_past",
    "key_convention",
    "needs_object",
    "non_descriptive",
    "numbered_family",
    "past_tense",
    "semantic_variant",
    "suggest_title",
]


# --------------------------------------------------------------------------- spacing

#: Invisible format characters that are legitimately part of a word: the zero-width non-joiner
#: shapes Persian and Indic scripts; the zero-width joiner is judged by its neighbours.
_JOINERS = frozenset("\u200c")
_ZWJ = "\u200d"
#: ANSI escape sequences (CSI "ESC [ ... final byte", OSC "ESC ] ... BEL or ST", and two-byte
#: escapes): one unit each, never a character or a number of the name.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[78=>]")


def strip_ansi(name: str) -> str:
    """``name`` without ANSI escape sequences."""
    return _ANSI.sub("", name) if "\x1b" in name else name


def _pictographic(c: str) -> bool:
    """An emoji or a part of an emoji sequence (skin tones, variation selectors, tags)."""
    o = ord(c)
    return (
        unicodedata.category(c) == "So"
        or 0x1F000 <= o <= 0x1FAFF
        or 0x1F3FB <= o <= 0x1F3FF
        or 0xFE00 <= o <= 0xFE0F
        or 0xE0020 <= o <= 0xE007F
        or c == "\u20e3"
    )


def _joiner_ok(name: str, i: int) -> bool:
    """Is the zero-width joiner at ``name[i]`` part of an emoji sequence or of a script that
    joins letters with it (Indic)? Between Latin letters, digits or spaces it is a stray."""
    before = name[i - 1] if i > 0 else ""
    after = name[i + 1] if i + 1 < len(name) else ""
    if not before or not after:
        return False
    if _pictographic(before) and _pictographic(after):
        return True
    return all(
        (c.isalpha() or unicodedata.category(c)[0] == "M") and not _latin_char(c)
        for c in (before, after)
    )


def _latin_char(c: str) -> bool:
    return c.isascii() or unicodedata.name(c, "").startswith("LATIN")


def _invisible(c: str) -> bool:
    return unicodedata.category(c) in ("Cf", "Cc", "Zl", "Zp") and c not in _JOINERS


def _stray(name: str, i: int) -> bool:
    c = name[i]
    if c == _ZWJ:
        return not _joiner_ok(name, i)
    return _invisible(c)


def _char_name(c: str) -> str:
    names = {"\t": "a tab", "\n": "a line break", "\r": "a carriage return"}
    if c in names:
        return names[c]
    return f"U+{ord(c):04X} {unicodedata.name(c, 'control character')}"


def spacing_problems(name: str) -> list[str]:
    """What is wrong with the spacing of an event name, in words ([] when nothing is)."""
    name = name[:MAX_NAME]
    out: list[str] = []
    stripped = name.strip()
    if not stripped:
        return out  # a blank name: track/event-type reports it
    if name[0].isspace():
        out.append("leading whitespace")
    if name[-1].isspace():
        out.append("trailing whitespace")
    if "  " in stripped:
        out.append("repeated spaces")
    odd: list[str] = []
    if "\x1b" in name:
        if _ANSI.search(name):
            odd.append("an ANSI escape sequence (terminal colour or control code)")
        name = strip_ansi(name)
    for i, c in enumerate(name):
        if (c.isspace() and c != " ") or _stray(name, i):
            label = _char_name(c)
            if c.isspace() and c not in "\t\n\r":
                label = f"a non-standard space ({label})"
            elif c not in "\t\n\r":
                label = f"an invisible character ({label})"
            if label not in odd:
                odd.append(label)
    out.extend(odd[:3])
    return out


def clean_spacing(name: str) -> str:
    """The name with ANSI escape sequences and invisible characters removed and every run of
    whitespace one space. An invisible character where a space belongs (between a lower-case
    and a capital letter: "Order\u200bCompleted") becomes a space, so the clean name reads as
    the words it shows."""
    if "\x1b" in name:
        name = _ANSI.sub("\u200b", name)  # a sequence is one unit, removed like one character
    kept: list[str] = []
    i, n = 0, len(name)
    while i < n:
        c = name[i]
        if c.isspace() or not _stray(name, i):
            kept.append(c)
            i += 1
            continue
        j = i
        while j < n and not name[j].isspace() and _stray(name, j):
            j += 1
        before = kept[-1] if kept else ""
        after = name[j] if j < n else ""
        if before.isalnum() and after.isupper() and not before.isupper():
            kept.append(" ")  # "Order\u200bCompleted" -> "Order Completed"
        i = j
    return " ".join("".join(kept).split())
