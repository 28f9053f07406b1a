"""Hypothesis strategies for records, derived from the record JSON Schema.

Nothing here names a record field: objects, arrays, numbers, enums and dates are generated
from what the schema says (types, minimum/maximum, enum, const, format, required), so a
field added to the schema is generated without touching this file. Optional properties are
sometimes left out, which is how rules meet missing data. Numbers are exact (`Fraction` or
`int`) with few decimals, as records carry them. What a schema cannot say — school ids unique,
history years distinct and consecutive — is settled after drawing.
"""
from __future__ import annotations

import datetime
import functools
from fractions import Fraction

from hypothesis import strategies as st

from .dsl.names import _resolve, load_record_schema

# Bounds for numbers the schema leaves open: large enough for counts of students and
# money in yuan, small enough that thresholds are crossed often.
DEFAULT_MAX = 3000


def strategy(node: dict, root: dict, depth: int = 0, keep: frozenset[str] | None = frozenset()) -> st.SearchStrategy:
    """A strategy for values valid under `node` (a schema or sub-schema of `root`).
    `keep` names optional properties that are always present (e.g. schools, sections);
    `keep=None` keeps every property (complete records: no missing data)."""
    node = _resolve(root, node)
    if "const" in node:
        return st.just(node["const"])
    if "enum" in node:
        return st.sampled_from(node["enum"])
    for combinator in ("oneOf", "anyOf"):
        if combinator in node:
            return st.one_of([strategy(n, root, depth, keep) for n in node[combinator]])
    kind = node.get("type")
    if isinstance(kind, list):
        return st.one_of([strategy({**node, "type": k}, root, depth, keep) for k in kind if k != "null"])
    if kind == "object":
        return _object(node, root, depth, keep)
    if kind == "array":
        items = strategy(node.get("items", {}), root, depth + 1, keep)
        return st.lists(items, min_size=node.get("minItems", 0), max_size=min(node.get("maxItems", 4), 4))
    if kind == "integer":
        low = int(node.get("minimum", 0))
        high = int(node.get("maximum", low + DEFAULT_MAX))
        return st.integers(low, high)
    if kind == "number":
        return _number(node)
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        if node.get("format") == "date" or "date" in node.get("pattern", "") or node.get("pattern") == r"^\d{4}-\d{2}-\d{2}$":
            return st.dates(datetime.date(2015, 1, 1), datetime.date(2036, 12, 31)).map(datetime.date.isoformat)
        if "pattern" in node:   # e.g. a figure as printed, "0.50"
            return st.from_regex(node["pattern"], fullmatch=True)
        return st.text(alphabet="甲乙丙丁ABC123", min_size=max(1, node.get("minLength", 1)), max_size=6)
    return st.none()


def _number(node: dict) -> st.SearchStrategy:
    low = Fraction(str(node.get("minimum", 0)))
    high = Fraction(str(node.get("maximum", low + DEFAULT_MAX)))
    if high - low <= 1:
        # rates and shares: thousandths, with the ends themselves drawn often
        steps = int((high - low) * 1000)
        return st.one_of(st.sampled_from([low, high]), st.integers(0, steps).map(lambda k: low + Fraction(k, 1000)))
    return st.one_of(st.integers(int(low), int(high)),
                     st.integers(int(low * 100), int(high * 100)).map(lambda k: Fraction(k, 100)))


def _object(node: dict, root: dict, depth: int, keep: frozenset[str]) -> st.SearchStrategy:
    props = node.get("properties", {})
    required = set(node.get("required", ()))
    always = {k: strategy(v, root, depth + 1, keep) for k, v in props.items()
              if keep is None or k in required or k in keep}
    sometimes = {k: strategy(v, root, depth + 1, keep) for k, v in props.items() if k not in always}
    return st.fixed_dictionaries(always, optional=sometimes)


@st.composite
def records(draw, level: str | None = None, schools: bool = True, history: bool = True,
            keep: frozenset[str] | None = frozenset({"schools", "sections", "facts", "students"}),
            counties: bool = False):
    """A whole record valid under the record schema. `level` fixes jurisdiction.level;
    `keep=None` gives complete records (every field present); `counties` draws a city's
    counties too (each a full set of facts and history: costly, so only when asked)."""
    record = draw(_whole_record(keep, counties))
    # The schema allows any year from 1900; rules and parameters live in this century.
    record["year"] = draw(st.integers(2016, 2036))
    if level is not None:
        record["jurisdiction"]["level"] = level
    if not schools:
        record.pop("schools", None)
    for i, school in enumerate(record.get("schools") or []):
        school["id"] = f"S{i + 1:02d}"
    if history and record.get("history"):
        year = record["year"]
        span = len(record["history"])
        for i, entry in enumerate(record["history"]):
            entry["year"] = year - span + i
    else:
        record.pop("history", None)
    for county in record.get("counties") or []:
        # A county's years end where the record's history does, and may stop short of it.
        span = len(county.get("history") or [])
        for i, entry in enumerate(county.get("history") or []):
            entry["year"] = record["year"] - span + i
    record.pop("as_of", None)
    return record


@functools.lru_cache(maxsize=None)
def _whole_record(keep: frozenset[str] | None, counties: bool = False) -> st.SearchStrategy:
    """Built once per `keep`: building and validating the tree costs more than a draw."""
    root = load_record_schema()
    if not counties:
        root = {**root, "properties": {k: v for k, v in root["properties"].items() if k != "counties"}}
    return strategy(root, root, keep=keep)
