"""Findings: one rule judged for one subject, with its citation, values and trace."""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from .logic import FAIL, NOT_APPLICABLE, PASS, UNKNOWN

LEVEL_NAMES = {"primary": ("小学", "primary"), "junior": ("初中", "junior")}
DECISIVE = ("veto", "must")


@dataclass(frozen=True)
class Subject:
    kind: str                       # jurisdiction | school | school_section | section_level
    school: str | None = None       # school id
    school_name: str | None = None
    section: str | None = None      # primary | junior
    pointer: str = ""

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
        if self.kind == "jurisdiction":
            return "全县" if lang == "zh" else "jurisdiction"
        if self.kind == "section_level":
            return f"全县{section}" if lang == "zh" else f"all {section} sections"
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
    message_zh: str
    message_en: str
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

    def message(self, lang: str = "zh") -> str:
        return self.message_zh if lang == "zh" else self.message_en


def verdict(findings: list[Finding]) -> str:
    decisive = [f for f in findings if f.severity in DECISIVE]
    if any(f.status == FAIL for f in decisive):
        return FAIL
    if any(f.status == UNKNOWN for f in decisive):
        return UNKNOWN
    return PASS


def summary(findings: list[Finding]) -> dict:
    counts = {PASS: 0, FAIL: 0, UNKNOWN: 0, NOT_APPLICABLE: 0}
    for f in findings:
        counts[f.status] += 1
    counts["veto"] = sum(1 for f in findings if f.severity == "veto" and f.status == FAIL)
    return counts


def format_number(value, percent: bool = False, places: int = 4) -> str:
    """A number for people: exact when short, else rounded to `places` decimals."""
    if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
        return str(value)
    if percent:
        return format_number(Fraction(value) * 100, places=2) + "%"
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    rounded = round(value, places)
    text = f"{float(rounded):.{places}f}".rstrip("0").rstrip(".")
    return text
