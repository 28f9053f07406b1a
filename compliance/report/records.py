"""Checked records as the xlsx, SARIF and JUnit writers see them: the §3 report of each
(or the errors of a record that could not be checked) and the JSON pointer of each
finding's subject, from one record or from a batch's outcomes alike."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, IO

from ..batch_job import INVALID, Outcome


@dataclass(frozen=True)
class Checked:
    name: str                        # the record as given on the command line
    jurisdiction: str                # jurisdiction.name, "" when unknown
    report: dict | None              # the data contract's report; None when the record is invalid
    subjects: tuple[tuple[str, str], ...] = ()   # (JSON pointer, label) of each finding's subject ("" = whole record)
    errors: tuple[dict, ...] = ()    # {"code", "message", "pointer", "line"?, "column"?} of an invalid record

    def subject(self, index: int) -> tuple[str, str]:
        return self.subjects[index] if index < len(self.subjects) else ("", "")


def from_outcome(outcome: Outcome) -> Checked:
    entry = json.loads(outcome.line) if outcome.line else {}
    if outcome.verdict == INVALID or "error" in entry:
        return Checked(outcome.name, outcome.jurisdiction, None, (), tuple(entry.get("error", ())))
    return Checked(outcome.name, outcome.jurisdiction, entry, tuple(outcome.subjects))


class CollectingWriter:
    """A batch writer for formats that are one document over every record (a workbook, a
    SARIF log, a JUnit file): it keeps the records and renders them at the end."""

    def __init__(self, render: Callable[[list[Checked]], str | bytes], out: IO):
        self.render, self.out = render, out
        self.records: list[Checked] = []

    def add(self, outcome: Outcome) -> None:
        self.records.append(from_outcome(outcome))

    def finish(self, totals) -> None:
        self.out.write(self.render(self.records))
        self.out.flush()


def from_findings(name: str, jurisdiction: str, report: dict, findings, lang: str) -> Checked:
    """One record checked in this process: `findings` are those of the report, in its order."""
    return Checked(name, jurisdiction, report, tuple((f.subject.pointer, f.subject.label(lang)) for f in findings))
