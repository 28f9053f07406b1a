"""The JSON error object `check --format json` prints on stdout when the input is bad (exit 2),
so a program reads the problem as it reads a report. Schema:
compliance/schemas/error.schema.json.

    {"format_version": "1", "tool": {...},
     "error": {"code", "severity", "message", "file", "pointer", "line", "column"},
     "diagnostics": [every diagnostic of the run, errors and warnings, in the same shape]}

`error` is the first error (in file, line, column, pointer order); every key is present,
null where it does not apply (a record problem has a pointer, a rule problem a line and column)."""
from __future__ import annotations

import json

from .. import __version__
from ..diagnostics import Diagnostic


def diagnostic_dict(d: Diagnostic, lang: str) -> dict:
    loc = d.location
    return {"code": d.code, "severity": d.severity, "message": d.message(lang), "file": loc.file,
            "pointer": loc.pointer, "line": loc.line, "column": loc.column}


def error_object(diagnostics: list[Diagnostic], lang: str = "zh") -> dict:
    entries = [diagnostic_dict(d, lang) for d in diagnostics]
    first = next((e for e, d in zip(entries, diagnostics) if d.is_error), entries[0] if entries else None)
    return {"format_version": "1", "tool": {"name": "compliance", "version": __version__},
            "error": first, "diagnostics": entries}


def render_error(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"
