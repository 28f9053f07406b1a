"""Which report format an --output file name asks for, and when --format contradicts it.

One table: a format added later (xlsx, sarif, junit) adds its extensions here."""
from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostic, Localized, Location

# extension → format. The first extension listed for a format is the one suggested to users.
FORMAT_BY_EXTENSION: dict[str, str] = {
    ".txt": "text",
    ".json": "json",
    ".jsonl": "jsonl",
    ".html": "html",
    ".htm": "html",
}

DEFAULT_FORMAT = "text"


def resolve_format(option: str | None, output: Path | None) -> tuple[str | None, Diagnostic | None]:
    """(format, None), or (None, E130) when --format names another format than the extension.
    An extension outside the table says nothing: --format, else text."""
    implied = FORMAT_BY_EXTENSION.get(Path(output).suffix.lower()) if output is not None else None
    if option is None:
        return implied or DEFAULT_FORMAT, None
    if implied is not None and implied != option:
        expected = next((ext for ext, fmt in FORMAT_BY_EXTENSION.items() if fmt == option), None)
        hint = Localized(f"改用扩展名 {expected}，或" if expected else "",
                         f"use the extension {expected}, or " if expected else "")
        return None, Diagnostic("E130", Location(str(output)), {
            "format": option, "ext": Path(output).suffix, "implied": implied, "hint": hint})
    return option, None
