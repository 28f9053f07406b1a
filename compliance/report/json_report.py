"""The JSON report of the data contract §3: deterministic, exact numbers."""
from __future__ import annotations

import functools
import hashlib
import json
from datetime import date
from decimal import Decimal
from fractions import Fraction

import orjson

from .. import __version__
from ..findings import Finding, summary, verdict
from ..plausibility import depends_on, implausible_pointers
from ..unwritable import NOT_UTF8, escaped


def shows_exactly(value: Fraction) -> bool:
    """Whether the shortest text of float(value) is value itself (so JSON carries it exactly)."""
    return _ratio_shows_exactly(value.numerator, value.denominator)


def _ratio_shows_exactly(numerator: int, d: int) -> bool:
    """shows_exactly of numerator/d (d > 0, in lowest terms), without building a Fraction.

    A finite decimal of at most 15 significant digits always is: doubles keep 15 digits both
    ways, so no shorter decimal shares its double. Anything else is decided by the text."""
    twos = (d & -d).bit_length() - 1
    rest, fives = d >> twos, 0
    while rest % 5 == 0:
        rest //= 5
        fives += 1
    if rest != 1:
        return False                      # no finite decimal at all (1/3)
    digits = str(abs(numerator) * (10 ** max(twos, fives) // d)).strip("0")
    as_float = numerator / d              # int / int is correctly rounded
    if len(digits) <= 15 and 1e-300 < abs(as_float) < 1e300:
        return True
    return Fraction(repr(as_float)) == Fraction(numerator, d)


def json_number(value):
    """An exact JSON number when the value has a short decimal form, else a float.

    Returns (number, exact_text or None): the second is "p/q" when the number shown is not exact.
    """
    if value is None or isinstance(value, bool):
        return value, None
    if isinstance(value, int):
        return value, None
    if isinstance(value, Fraction):
        return _fraction_number(value)
    if isinstance(value, (date,)):
        return value.isoformat(), None
    if isinstance(value, (list, tuple)):
        return [json_number(v)[0] for v in value], None
    return value, None


# A batch report writes the same values and thresholds thousands of times: deciding how a
# Fraction is shown is the costly part, and it depends on the value alone.
def _fraction_number(value: Fraction):
    return _ratio_number(value.numerator, value.denominator)


# Keyed by (numerator, denominator): hashing a Fraction costs a modular inverse.
@functools.lru_cache(maxsize=16384)
def _ratio_number(numerator: int, denominator: int):
    if denominator == 1:
        return numerator, None
    as_float = numerator / denominator
    if _ratio_shows_exactly(numerator, denominator):
        return as_float, None
    return as_float, f"{numerator}/{denominator}"


def finding_dict(f: Finding, lang: str = "zh", advice: dict | None = None, shown: dict | None = None) -> dict:
    value, value_exact = json_number(f.value)
    threshold, threshold_exact = json_number(f.threshold)
    out = {
        "rule": f.rule, "title": f.title, "status": f.status, "severity": f.severity,
        "aspect": f.aspect, "subject": f.subject.as_dict(),
        "value": value, "threshold": threshold, "op": f.op,
        "message": f.message(lang),
        "citation": f.citation,
        "trace": trace_lines(f, shown=shown),
        "missing": list(f.missing),
    }
    if f.title_en:           # for reports in English (HTML, xlsx); `title` stays the document's words
        out["title_en"] = f.title_en
    if f.aspect_en:
        out["aspect_en"] = f.aspect_en
    if value_exact:
        out["value_exact"] = value_exact
    if threshold_exact:
        out["threshold_exact"] = threshold_exact
    if f.deadline:
        out["deadline"] = f.deadline
    if f.progress is not None:
        out["progress"], progress_exact = json_number(f.progress)
        if progress_exact:
            out["progress_exact"] = progress_exact
    if f.overridden_citation:
        out["overrides_citation"] = f.overridden_citation
    if f.threshold_source:
        out["threshold_source"] = f.threshold_source
    if advice and advice.get("remedies"):
        out["remedy"] = [_numbers(r.as_dict()) for r in advice["remedies"]]
    if advice and advice.get("steps"):
        out["steps"] = advice["steps"]
    if advice and advice.get("cv") is not None:
        out["contributors"] = _numbers(advice["cv"].as_dict())
    return out


def _numbers(value):
    """Exact numbers as JSON numbers (short decimals) or floats, recursively."""
    if isinstance(value, dict):
        return {k: _numbers(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_numbers(v) for v in value]
    if isinstance(value, Fraction):
        return json_number(value)[0]
    return value


def trace_lines(f: Finding, limit: int = 40, shown: dict | None = None) -> list[str]:
    """What the finding read (pointer = value) and the intermediate values it computed.
    `shown`: the lines of inputs already written for the same record (a pointer holds one
    value in a record, and a county's findings read the same fields many times)."""
    if shown is None:
        lines = [f"{pointer} = {_show(value)}" for pointer, value in f.inputs[:limit]]
    else:
        lines = []
        for pointer, value in f.inputs[:limit]:
            line = shown.get(pointer)
            if line is None:
                line = shown[pointer] = f"{pointer} = {_show(value)}"
            lines.append(line)
    if len(f.inputs) > limit:
        lines.append(f"… {len(f.inputs) - limit} more inputs")
    lines += [f"{name} = {_show(value)}" for name, value in f.notes]
    for reason, where in f.undefined:
        lines.append(f"{reason}: {where}")
    if f.op and f.value is not None and f.threshold is not None:
        lines.append(f"{_show(f.value)} {f.op} {_show(f.threshold)} → {f.status}")
    return lines


def _show(value) -> str:
    cls = value.__class__
    if cls is int:
        return str(value)
    if cls is Fraction:
        return _show_ratio(value.numerator, value.denominator)
    if cls is Decimal:             # a record read as it is (not made exact): shown as its Fraction
        return _show_ratio(*value.as_integer_ratio()) if value.is_finite() else str(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


# Keyed by (numerator, denominator): hashing a Fraction costs a modular inverse.
@functools.lru_cache(maxsize=16384)
def _show_ratio(numerator: int, denominator: int) -> str:
    if denominator == 1:
        return str(numerator)
    as_float = numerator / denominator
    return repr(as_float) if _ratio_shows_exactly(numerator, denominator) \
        else f"{as_float!r} (= {numerator}/{denominator})"


def build_report(findings: list[Finding], packs, as_of: date, input_path: str | None,
                 input_bytes: bytes | None, lang: str = "zh", advice: dict | None = None,
                 quality=()) -> dict:
    """`quality`: the record's plausibility notices; they are listed under `data_quality`, and a
    finding that read one of their values names it under `depends_on_implausible`."""
    shown: dict = {}
    report = {
        "format_version": "1",
        "tool": {"name": "compliance", "version": __version__},
        "input": {"path": input_path, "sha256": hashlib.sha256(input_bytes).hexdigest() if input_bytes else None},
        "packs": [{"id": p.id, "version": p.version, "document": p.document_label} for p in packs],
        "as_of": as_of.isoformat(),
        "verdict": verdict(findings),
        "summary": summary(findings),
        "findings": [finding_dict(f, lang, advice.get((f.rule, f.subject)) if advice else None, shown)
                     for f in findings],
    }
    if quality:
        suspects = implausible_pointers(list(quality))
        report["data_quality"] = [{"code": d.code, "pointer": d.location.pointer,
                                   "pointers": list(d.args.get("pointers", ())), "message": d.message(lang)}
                                  for d in quality]
        seen: dict = {}    # pointer → suspects at or above it: findings share their inputs
        for f, entry in zip(findings, report["findings"]):
            doubtful = depends_on(f.inputs, suspects, seen)
            if doubtful:
                entry["depends_on_implausible"] = doubtful
    return report


def render_json(report: dict) -> str:
    """The report indented by two spaces, written by orjson as the JSON Lines are (the json
    module's indenting encoder is pure Python: ≈ 5× slower on a failing county's 1.5 MB);
    an integer beyond 64 bits, which orjson refuses, goes through the json module."""
    try:
        return orjson.dumps(report, default=_default, option=orjson.OPT_INDENT_2).decode() + "\n"
    except (orjson.JSONEncodeError, TypeError):
        return _json_text(report, None, 2) + "\n"


def _json_text(report: dict, separators, indent) -> str:
    """What orjson refuses — an integer beyond 64 bits, a lone surrogate in a name (JSON allows
    "\\ud800"; UTF-8 has no place for it) — written by the json module, with each lone
    surrogate as its escape, so that the text encodes to UTF-8 and reads back the same."""
    text = json.dumps(report, ensure_ascii=False, indent=indent, separators=separators, default=_default)
    return escaped(text, NOT_UTF8)


def render_json_line(report: dict) -> bytes:
    """The report on one line, UTF-8 (JSON Lines, and each record of a batch report). orjson
    writes a county's few hundred findings several times faster than the json module; it
    refuses an integer beyond 64 bits, which the json module then writes. Bytes, because a
    batch hands each line from a worker to the output unchanged (a county's is ≈ 0.4 MB)."""
    try:
        return orjson.dumps(report, default=_default)
    except (orjson.JSONEncodeError, TypeError):
        return _json_text(report, (",", ":"), None).encode()


def _default(value):
    if isinstance(value, Fraction):
        return json_number(value)[0]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)
