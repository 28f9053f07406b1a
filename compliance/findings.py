"""Findings: one rule judged for one subject, with its citation, values and trace."""
from __future__ import annotations

import functools

from dataclasses import dataclass, field
from fractions import Fraction

from .logic import FAIL, NOT_APPLICABLE, PASS, PENDING, UNKNOWN

LEVEL_NAMES = {"primary": ("小学", "primary"), "junior": ("初中", "junior")}
# The whole jurisdiction, by the record's level: a city's findings say 全市, never 全县.
SCOPES = {"county": ("全县", "the county"), "city": ("全市", "the city"), "province": ("全省", "the province")}
# Names that say what the jurisdiction calls itself: 延平区 → 全区, 北京市 (province level) → 全市.
NAME_SUFFIXES = ("自治区", "自治州", "自治县", "省", "市", "县", "区", "旗", "州", "盟")
DECISIVE = ("veto", "must")
# The summary's counts (data contract §3): `fail` is a decisive (must/veto) failure only;
# a missed target or advisory rule is counted under its own word, and `veto` is the part
# of `fail` that is vetoes. Every finding is counted in exactly one key but `veto`.
TARGET_MISSED, ADVISORY_MISSED = "target_missed", "advisory_missed"
SUMMARY_KEYS = (PASS, FAIL, UNKNOWN, NOT_APPLICABLE, "veto", PENDING, TARGET_MISSED, ADVISORY_MISSED)


@dataclass(frozen=True)
class Subject:
    kind: str                       # jurisdiction | school | school_section | section_level
    school: str | None = None       # school id
    school_name: str | None = None
    section: str | None = None      # primary | junior
    pointer: str = ""
    scope: tuple[str, str] | None = None   # the whole jurisdiction in words (zh, en): 全市, the city

    def as_dict(self) -> dict:
        out: dict = {"kind": self.kind}
        if self.school is not None:
            out["school"] = self.school
        if self.school_name is not None:
            out["school_name"] = self.school_name
        if self.section is not None:
            out["section"] = self.section
        return out

    def label(self, lang: str = "zh") -> str:
        section = LEVEL_NAMES[self.section][0 if lang == "zh" else 1] if self.section else ""
        # A record without a known level or name gets no word that may be wrong.
        whole = self.scope or ("本辖区", "the jurisdiction")
        if self.kind == "jurisdiction":
            return whole[0] if lang == "zh" else whole[1]
        if self.kind == "section_level":
            return f"{whole[0]}{section}" if lang == "zh" else f"all {section} sections"
        name = self.school_name or self.school or ""
        if not section:
            return name
        return f"{name}（{section}）" if lang == "zh" else f"{name} ({section})"


@dataclass(frozen=True)
class Finding:
    rule: str                       # qualified id, e.g. national/R1
    title: str
    status: str
    severity: str
    subject: Subject
    aspect: str | None
    citation: dict
    value: object = None
    threshold: object = None
    op: str | None = None
    missing: tuple[str, ...] = ()
    undefined: tuple[tuple[str, str], ...] = ()
    inputs: tuple[tuple[str, object], ...] = ()
    notes: tuple[tuple[str, object], ...] = ()
    deadline: str | None = None
    overridden_citation: dict | None = None
    percent: bool = False            # show value and threshold as percentages
    order: tuple = field(default=(), compare=False)
    title_en: str | None = None
    templates: tuple = (None, None)
    aspect_en: str | None = None  # the rule's message templates (zh, en)
    threshold_source: dict | None = None  # {parameter, pack, reference} of the threshold, when it is one

    def message(self, lang: str = "zh") -> str:
        """The message in `lang`, formatted when asked for (evaluation does not pay for it)."""
        return render_message(self, lang)

    @property
    def progress(self) -> Fraction | None:
        """How far a rule not yet due has come, as a share of its threshold (1 = there):
        value ÷ threshold where more is better, threshold ÷ value where less is. None when
        the comparison has no numbers to divide (attestations, series, zero)."""
        if self.status != PENDING or self.op not in (">=", ">", "<=", "<"):
            return None
        v, t = self.value, self.threshold
        if not all(isinstance(x, (int, Fraction)) and not isinstance(x, bool) for x in (v, t)):
            return None
        num, den = (Fraction(v), Fraction(t)) if self.op in (">=", ">") else (Fraction(t), Fraction(v))
        if den <= 0 or num < 0:
            return None
        return num / den

    @property
    def message_zh(self) -> str:
        return self.message("zh")

    @property
    def message_en(self) -> str:
        return self.message("en")


_OP_TEXT = {">=": ("不低于", "at least"), ">": ("高于", "above"), "<=": ("不超过", "at most"),
            "<": ("低于", "below"), "==": ("等于", "equal to"), "!=": ("不等于", "not equal to")}


def render_message(f: "Finding", lang: str) -> str:
    zh = lang == "zh"
    label = f.subject.label(lang)
    if f.status == UNKNOWN:
        from .fieldnames import field_labels
        fields = field_labels(f.missing, lang)
        return f"{label}：缺少数据：{fields}，无法判断" if zh else f"{label}: missing data: {fields}; cannot judge"
    if f.status == NOT_APPLICABLE:
        if f.undefined:
            what = "、".join(w for _, w in f.undefined)
            return f"{label}：{what} 为零，本条不适用" if zh else f"{label}: {what} is zero; rule not applicable"
        return f"{label}：不在本条适用范围内" if zh else f"{label}: outside the scope of this rule"
    template = f.templates[0] if zh else (f.templates[1] or f.templates[0])
    if template:
        try:
            return template.format_map(_Args(f, lang))
        except _NoValue:
            pass  # e.g. a "fell in {fell_in}" message for a series that did not fall
    verdict = {PASS: ("达标", "met"), FAIL: ("未达标", "not met"),
               PENDING: ("尚未达到（未到期）", "not yet met (not yet due)")}[f.status][0 if zh else 1]
    if f.value is not None and f.threshold is not None:
        shown = f"{format_number(f.value, f.percent)}，要求 {f.op or ''} {format_number(f.threshold, f.percent)}" if zh \
            else f"{format_number(f.value, f.percent)}, required {f.op or ''} {format_number(f.threshold, f.percent)}"
        return f"{label}：{f.title}{verdict}（{shown}）" if zh else f"{label}: {f.title_en or f.title} {verdict} ({shown})"
    return f"{label}：{f.title}{verdict}" if zh else f"{label}: {f.title_en or f.title} {verdict}"


class _NoValue(Exception):
    """A template names a value this finding does not have."""


class _Args(dict):
    """Template arguments, each formatted only if the template uses it."""

    def __init__(self, f: "Finding", lang: str):
        super().__init__()
        self.f, self.lang = f, lang
        self.notes = dict(f.notes)

    def __missing__(self, key):
        f, i = self.f, 0 if self.lang == "zh" else 1
        s = f.subject
        if key == "school":
            return s.school_name or s.school or ""
        if key == "school_id":
            return s.school or ""
        if key == "section":
            return LEVEL_NAMES[s.section][i] if s.section else ""
        if key == "level":
            return s.section or ""
        if key == "subject":
            return s.label(self.lang)
        if key in ("value", "threshold"):
            v = f.value if key == "value" else f.threshold
            if v is None:
                raise _NoValue(key)
            return format_number(v, f.percent)
        if key == "op":
            return _OP_TEXT.get(f.op or "", ("", ""))[i]
        if key == "title":
            return f.title
        v = self.notes.get(key)
        if key == "near":
            return ("、".join(f"第{n}项" for n in v) if i == 0 else ", ".join(f"#{n}" for n in v)) if v else ("无" if i == 0 else "none")
        if v is None:
            raise _NoValue(key)
        if key in ("fell_from", "fell_to") and "fell_field" in self.notes:
            from .fieldnames import amount   # in the unit the record writes the series in
            return amount(v, self.notes["fell_field"], self.lang)
        if isinstance(v, (int, Fraction)) and not isinstance(v, bool):
            return format_number(v)
        return str(v)


def scope_words(jurisdiction) -> tuple[str, str] | None:
    """How a jurisdiction names its whole (全县 / 全区 / 全市 / 全省 …, and in English), from
    its name's suffix (a 区 says 全区; 北京市 is of province level but says 全市), else from
    its level; None when the record says neither."""
    if not isinstance(jurisdiction, dict):
        return None
    level = jurisdiction.get("level")
    english = SCOPES[level][1] if level in SCOPES else "the jurisdiction"
    name = jurisdiction.get("name")
    if isinstance(name, str):
        name = name.strip()
        for brackets in ("（）", "()"):   # 示例县（未达标）: the remark is not the name
            if name.endswith(brackets[1]) and brackets[0] in name:
                name = name[:name.rindex(brackets[0])].rstrip()
        suffix = next((s for s in NAME_SUFFIXES if name.endswith(s)), None)
        if suffix:
            return "全" + suffix[-1], english
    if level in SCOPES:
        return SCOPES[level][0], english
    return None


def verdict(findings: list[Finding]) -> str:
    return verdict_of_counts(tally(findings))


def summary(findings: list[Finding]) -> dict:
    return summary_of_counts(tally(findings))


def tally(findings) -> dict:
    """(status, severity) → number of findings: all a verdict and a summary need."""
    counts: dict = {}
    for f in findings:
        key = (f.status, f.severity)
        counts[key] = counts.get(key, 0) + 1
    return counts


def verdict_of_counts(counts: dict) -> str:
    if any(n for (status, severity), n in counts.items() if status == FAIL and severity in DECISIVE):
        return FAIL
    if any(n for (status, severity), n in counts.items() if status == UNKNOWN and severity in DECISIVE):
        return UNKNOWN
    return PASS


def summary_key(status: str, severity: str) -> str:
    """Which summary count a finding goes to: a miss of a target or advisory rule is not a `fail`."""
    if status == FAIL and severity not in DECISIVE:
        return TARGET_MISSED if severity == "target" else ADVISORY_MISSED
    return status


def summary_of_counts(counts: dict) -> dict:
    out = dict.fromkeys(SUMMARY_KEYS, 0)
    for (status, severity), n in counts.items():
        out[summary_key(status, severity)] += n
    out["veto"] = counts.get((FAIL, "veto"), 0)
    return out


def citation_notes(c: dict, zh: bool) -> list[str]:
    """The quote in simplified or repaired characters, and the rule's reading of it."""
    out = []
    if c.get("quote_reading"):
        out.append(f"{'原文今读：' if zh else 'quote reads: '}“{c['quote_reading']}”")
    if c.get("reading"):
        out.append(f"{'解读：' if zh else 'reading: '}{c['reading']}")
    return out


def threshold_source_note(source: dict | None, zh: bool) -> str | None:
    """`阈值依据：<reference>（params.<name>，<pack>）` for a threshold that is a parameter."""
    if not source:
        return None
    where = f"params.{source['parameter']}，{source['pack']}" if zh else f"params.{source['parameter']}, {source['pack']}"
    ref = source.get("reference") or ("（未注明）" if zh else "(none given)")
    return f"阈值依据：{ref}（{where}）" if zh else f"threshold source: {ref} ({where})"


def format_number(value, percent: bool = False, places: int = 4) -> str:
    """A number for people: exact when short, else rounded to `places` decimals."""
    cls = value.__class__
    if cls is int:
        return _format_exact(value, 1, percent, places)
    if cls is Fraction:
        return _format_exact(value.numerator, value.denominator, percent, places)
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
        return str(value)
    return _format_exact(int(value), 1, percent, places)     # an int subclass


# Reports repeat the same thresholds and values thousands of times in a batch; rounding a
# Fraction is the costly part of a message, and the answer depends on nothing else. Keyed
# by numerator and denominator: hashing a Fraction costs a modular inverse.
@functools.lru_cache(maxsize=16384)
def _format_exact(numerator: int, denominator: int, percent: bool, places: int) -> str:
    if percent:
        return format_number(Fraction(numerator, denominator) * 100, places=2) + "%"
    # Exact decimal digits (no float: 6552800000.12345 keeps its digits), rounded half to
    # even as round(Fraction, places) does, in integers; thousands grouped from five
    # integer digits on (12,574.76; but 2020 and 1800 stay as people write them).
    unit = 10 ** places
    scaled, rest = divmod(abs(numerator) * unit, denominator)
    if 2 * rest > denominator or (2 * rest == denominator and scaled % 2):
        scaled += 1
    sign = "-" if numerator < 0 and scaled else ""
    whole, fraction = divmod(scaled, unit)
    digits = str(fraction).rjust(places, "0").rstrip("0") if places else ""
    grouped = f"{whole:,}" if whole >= 10000 else str(whole)
    return f"{sign}{grouped}.{digits}" if digits else f"{sign}{grouped}"
