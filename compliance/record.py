"""Records: load a JSON record exactly (decimals from their own text, never through a float),
turn them into Fractions for evaluation, and build the entity views that compiled rules read from.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import msgspec

from .diagnostics import line_column


LEVELS = ("primary", "junior")


class Entity:
    """One school, school section, year of history, or the record itself, with its JSON pointer.

    `cache` holds derived-field values computed during one evaluation.
    """
    __slots__ = ("kind", "data", "pointer", "school", "level", "cache")

    def __init__(self, kind: str, data: dict, pointer: str, school: "Entity | None" = None,
                 level: str | None = None):
        self.kind = kind
        self.data = data
        self.pointer = pointer
        self.school = school
        self.level = level
        self.cache: dict = {}

    def __repr__(self) -> str:
        return f"Entity({self.kind} {self.pointer})"


class RecordView:
    """The record with its schools, sections and history as entities, built once per record."""

    def __init__(self, data: dict):
        self.data = data
        self.root = Entity("record", data, "")
        schools = data.get("schools") if isinstance(data.get("schools"), list) else []
        self.schools: list[Entity] = []
        self.sections: list[Entity] = []
        for i, school in enumerate(schools):
            if not isinstance(school, dict):
                continue
            entity = Entity("school", school, f"/schools/{i}")
            entity.school = entity
            self.schools.append(entity)
            sections = school.get("sections") if isinstance(school.get("sections"), dict) else {}
            for level in LEVELS:
                if isinstance(sections.get(level), dict):
                    self.sections.append(Entity("section", sections[level], f"/schools/{i}/sections/{level}",
                                                entity, level))
        self.sections_by_level = {level: [s for s in self.sections if s.level == level] for level in LEVELS}
        self.by_pointer = {e.pointer: e for e in (*self.schools, *self.sections)}
        self.school_sections = {id(s): [] for s in self.schools}
        for section in self.sections:       # one pass: a list scan per school was quadratic in schools
            self.school_sections[id(section.school)].append(section)
        history = data.get("history") if isinstance(data.get("history"), list) else []
        entries = [Entity("history", h, f"/history/{i}") for i, h in enumerate(history) if isinstance(h, dict)]
        self.history = sorted(entries, key=lambda e: (e.data.get("year") is None, e.data.get("year") or 0))
        self.subject_cache: dict = {}   # rule kind → its subjects (they depend on structure, not values)
        self.exact = False              # every decimal is a Fraction (see run/closures.view_of)

    @property
    def year(self):
        return self.data.get("year")

    def levels_present(self) -> list[str]:
        return [level for level in LEVELS if self.sections_by_level[level]]

    def subject_levels(self) -> list[str]:
        """The levels a section-level rule judges: those with sections, and those whose
        figures the jurisdiction published (facts.reported.<level>), which are judged as
        reported when the record has no school data for them."""
        facts = self.data.get("facts") if isinstance(self.data.get("facts"), dict) else {}
        reported = facts.get("reported") if isinstance(facts.get("reported"), dict) else {}
        return [level for level in LEVELS
                if self.sections_by_level[level] or isinstance(reported.get(level), dict)]

    def clear_caches(self) -> None:
        for e in [self.root, *self.schools, *self.sections, *self.history]:
            e.cache.clear()


def attestation(data: dict, rule_id: str, qualified_id: str | None = None):
    """True (met), False (not met), or Unknown naming /facts/attestations/<id> when absent."""
    from .logic import missing
    facts = data.get("facts") if isinstance(data.get("facts"), dict) else {}
    entries = facts.get("attestations") if isinstance(facts.get("attestations"), dict) else {}
    entry = entries.get(rule_id)
    if entry is None and qualified_id is not None:
        entry = entries.get(qualified_id)
    if not isinstance(entry, dict) or entry.get("status") not in ("met", "not_met"):
        return missing(f"/facts/attestations/{rule_id}")
    return entry["status"] == "met"


# Values exact() returns as they are; checked inline so that most leaves cost no call.
_PLAIN = frozenset({int, str, bool, type(None), Fraction})


def exact(value: Any) -> Any:
    """Decimals and floats become Fractions, recursively: Decimal('0.10') → 1/10; a float takes
    its shortest decimal form (0.1 → 1/10). Everything else is returned as it is."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, dict):
        return {k: v if type(v) in _PLAIN else exact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [v if type(v) in _PLAIN else exact(v) for v in value]
    if isinstance(value, Decimal):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(repr(value))
    return value


def pointer(path) -> str:
    """The JSON pointer of a path of keys and indexes ("~" and "/" escaped)."""
    return "".join(["/" + (str(p) if type(p) is int else str(p).replace("~", "~0").replace("/", "~1"))
                    for p in path])


# A county's record is tens of kilobytes (the largest, a city with its counties, about one
# megabyte); checking one with remedies takes about 6 s per megabyte. Larger files are refused
# at once rather than run for minutes: `check --max-record-size MB` raises the limit.
MAX_RECORD_MB = 10


class DuplicateKey(ValueError):
    """An object repeats a key (the second value would silently replace the first). Positions
    are (line, column), 1-based."""

    def __init__(self, pointer: str, key: str, first: tuple[int, int], second: tuple[int, int]):
        super().__init__(pointer, key, first, second)
        self.pointer, self.key, self.first, self.second = pointer, key, first, second


class _Repeated(Exception):
    pass


def _unique(pairs: list) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Repeated
    return out


def loads(source: bytes | str) -> Any:
    """Parse JSON keeping every number exact: integers as int, the others as Decimal.

    Bad JSON raises json.JSONDecodeError (message, line, column); a repeated key raises
    DuplicateKey with both positions. Bytes that are not UTF-8 raise UnicodeDecodeError.
    NaN and ±Infinity are not JSON, but spreadsheets write them: they load as Decimal so that
    validation names their field (validate.magnitudes), as do integers too long for int().

    A well-formed record takes the fast parser (_fast_loads); everything else, and whatever
    it cannot vouch for, takes the standard one (_standard_loads), which alone says what is wrong."""
    data = _fast_loads(source)
    return _standard_loads(source) if data is _NOT_FAST else data


def _standard_loads(source: bytes | str) -> Any:
    """loads with the standard library's parser: every error and edge case is decided here."""
    text = source.decode("utf-8") if isinstance(source, bytes) else source
    try:
        return json.loads(text, parse_float=_decimal, parse_constant=Decimal, parse_int=_integer,
                          object_pairs_hook=_unique)
    except RecursionError:
        raise json.JSONDecodeError(f"Nesting deeper than {MAX_DEPTH}", text, _too_deep(text)) from None
    except _Repeated:
        raise _first_duplicate(text) from None


_NOT_FAST = object()
# float_hook receives a number's own text: Decimal("0.10") keeps its two places, no float between.
_DECODER = msgspec.json.Decoder(float_hook=Decimal)
_ENCODER = msgspec.json.Encoder()


def _fast_loads(source: bytes | str) -> Any:
    """The data of a JSON text by msgspec (a parser written in C), or _NOT_FAST where its
    answer might differ from _standard_loads: any error (the standard parser words it), a key
    that may repeat (msgspec keeps the last value silently), an integer long enough to load
    as a Decimal, nesting deeper than MAX_DEPTH. Then the caller parses again, the standard way.

    The duplicate test counts colons. Outside strings a JSON text has one colon per object
    member; the data written back compactly has one per key that survived, and strings keep
    their colons either way unless one was escaped (\\u003a). So with no such escape, equal
    counts mean no key was lost."""
    try:
        raw = source.encode("utf-8") if isinstance(source, str) else source
        data = _DECODER.decode(raw)
        written = _ENCODER.encode(data)
    except Exception:     # any refusal at all: the standard parser decides, and words the error
        return _NOT_FAST
    escapes = b"\\" in raw
    if escapes and (b"\\u003a" in raw or b"\\u003A" in raw):
        return _NOT_FAST
    if raw.count(b":") != written.count(b":") or _long_digit_run(raw):
        return _NOT_FAST
    if escapes and b'\\"' in raw:
        # Strings cannot be cut out at quotes to measure the nesting: count every bracket.
        if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH:
            return _NOT_FAST
    elif _deeper_than(raw, MAX_DEPTH):
        return _NOT_FAST
    return data


def _long_digit_run(raw: bytes, length: int = 4000) -> bool:
    """Whether `length` digits follow one another anywhere (an integer _integer would keep as
    a Decimal). Such a run covers one of the bytes at length-1, 2·length-1, …: only the runs
    through those bytes are measured."""
    for at in range(length - 1, len(raw), length):
        if 48 <= raw[at] <= 57:
            start, end = at, at
            while start > 0 and 48 <= raw[start - 1] <= 57:
                start -= 1
            while end + 1 < len(raw) and 48 <= raw[end + 1] <= 57:
                end += 1
            if end - start + 1 >= length:
                return True
    return False


_NOT_BRACKETS_OR_QUOTES = bytes(c for c in range(256) if c not in b'[]{}"')


def _deeper_than(raw: bytes, limit: int) -> bool:
    """Whether a valid JSON text with no escaped quote may nest deeper than `limit` (True for
    some texts up to half as deep: they then take the standard parser, which is right too)."""
    brackets_and_quotes = raw.translate(None, _NOT_BRACKETS_OR_QUOTES)
    brackets = b"".join(brackets_and_quotes.split(b'"')[::2])     # every other piece lies outside strings
    # Each round takes every innermost pair away, so one or two levels: a text that is empty
    # after r rounds nests at most 2r deep.
    for _ in range(limit // 2):
        if not brackets:
            return False
        brackets = brackets.replace(b"[]", b"").replace(b"{}", b"")
    return bool(brackets)


def _first_duplicate(text: str) -> DuplicateKey:
    """Walk the (valid) JSON text again, keeping positions, to say where a key repeats."""
    space = re.compile(r"[ \t\n\r]*")
    decoder = json.JSONDecoder(parse_float=_decimal, parse_constant=Decimal, parse_int=_integer)

    def value(i: int, path: list) -> int:     # the index just after the value at i
        i = space.match(text, i).end()
        if text[i] == "{":
            seen: dict = {}
            i = space.match(text, i + 1).end()
            while text[i] != "}":
                key, after = json.decoder.scanstring(text, i + 1)
                if key in seen:
                    raise DuplicateKey(pointer([*path, key]), key, line_column(text, seen[key]), line_column(text, i))
                seen[key] = i
                i = value(space.match(text, after).end() + 1, [*path, key])     # past the ':'
                i = space.match(text, i).end()
                i = space.match(text, i + 1).end() if text[i] == "," else i
            return i + 1
        if text[i] == "[":
            n, i = 0, space.match(text, i + 1).end()
            while text[i] != "]":
                i = space.match(text, value(i, [*path, n])).end()
                i = space.match(text, i + 1).end() if text[i] == "," else i
                n += 1
            return i + 1
        return decoder.raw_decode(text, i)[1]

    try:
        value(0, [])
    except DuplicateKey as found:
        return found
    raise AssertionError("a key repeats but no repeat was found")     # _unique and this walk disagree


MAX_DEPTH = 200     # a record is about 6 deep; Python's parsers give up near 1,000


def _integer(text: str):
    # int() refuses more than 4,300 digits (a guard against slow conversion); such a number is
    # no record's anyway, and as a Decimal it reaches validation, which names its field.
    return int(text) if len(text) <= 4000 else Decimal(text)


def _decimal(text: str) -> Decimal:
    """Decimal(text), except for an exponent beyond even Decimal's (1e10000000000000000000),
    which it refuses: such a number loads as ±Infinity (or as ±1E-999999999999999999 when the
    exponent is negative, 0 when the digits are), so that validation names its field (E118)."""
    try:
        return Decimal(text)
    except InvalidOperation:
        mantissa, _, exponent = text.lower().partition("e")
        sign = "-" if mantissa.startswith("-") else ""
        if not mantissa.strip("-+.0"):
            return Decimal(sign + "0")
        return Decimal(sign + ("1E-999999999999999999" if exponent.startswith("-") else "Infinity"))


def _too_deep(text: str) -> int:
    """Where the nesting of a JSON text first goes deeper than MAX_DEPTH (0 if it never does)."""
    depth, quoted, escaped = 0, False, False
    for i, c in enumerate(text):
        if quoted:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                quoted = False
        elif c == '"':
            quoted = True
        elif c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return i
        elif c in "]}":
            depth -= 1
    return 0


def decimal_places(value, most: int = 8) -> int | None:
    """How many decimals `value` takes written out (4.2 → 1, 91 → 0); None if more than `most`
    (2/3 has no finite decimal form)."""
    value = Fraction(value)
    for places in range(most + 1):
        if (value * 10 ** places).denominator == 1:
            return places
    return None


def get_at(data, pointer: str):
    """The value at a JSON pointer, or None if any step is missing."""
    current = data
    for part in pointer.split("/")[1:]:
        if isinstance(current, list):
            current = current[int(part)] if part.isdigit() and int(part) < len(current) else None
        elif isinstance(current, dict):
            current = current.get(part)
        else:
            return None
    return current


def with_value(data, pointer: str, value):
    """A copy of `data` with `value` at a JSON pointer: the objects on the way are copied (and
    created where missing), everything else is shared with `data`, which is left as it was."""
    parts = pointer.split("/")[1:]

    def put(current, i):
        if i == len(parts):
            return value
        if isinstance(current, list):
            out = list(current)
            out[int(parts[i])] = put(current[int(parts[i])], i + 1)
            return out
        out = dict(current) if isinstance(current, dict) else {}
        out[parts[i]] = put(out.get(parts[i]), i + 1)
        return out

    return put(data, 0)


def set_at(data, pointer: str, value) -> None:
    """Set the value at a JSON pointer; objects missing on the way are created."""
    parts = pointer.split("/")[1:]
    current = data
    for part in parts[:-1]:
        current = current[int(part)] if isinstance(current, list) else current.setdefault(part, {})
    if isinstance(current, list):
        current[int(parts[-1])] = value
    else:
        current[parts[-1]] = value
