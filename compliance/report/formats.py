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
    ".xlsx": "xlsx",
    ".sarif": "sarif",
    ".sarif.json": "sarif",     # longest suffix wins: not JSON
    ".xml": "junit",
}

DEFAULT_FORMAT = "text"


def _extension(output) -> str | None:
    """The table's extension `output`'s name ends with, the longest first (".sarif.json")."""
    name = Path(output).name.lower()
    return next((e for e in sorted(FORMAT_BY_EXTENSION, key=len, reverse=True) if name.endswith(e)), None)


def format_of_output(output) -> str | None:
    """The format the table gives `output`'s name (longest matching suffix), or None."""
    extension = _extension(output)
    return FORMAT_BY_EXTENSION[extension] if extension else None


def resolve_format(option: str | None, output: Path | None, allowed: tuple[str, ...] | None = None,
                   command: str = "check") -> tuple[str | None, Diagnostic | None]:
    """(format, None); or (None, E137) when --format names another format than the extension,
    or (None, E138) when the extension names a format `command` does not write (`allowed`).
    An extension outside the table says nothing: --format, else text."""
    implied = format_of_output(output) if output is not None else None
    if allowed is not None and implied is not None and implied not in allowed:
        return None, Diagnostic("E138", Location(str(output)), {
            "command": command, "implied": implied,
            "formats": [e for e, f in FORMAT_BY_EXTENSION.items() if f in allowed]})
    if option is None:
        return implied or DEFAULT_FORMAT, None
    if implied is not None and implied != option:
        expected = next((ext for ext, fmt in FORMAT_BY_EXTENSION.items() if fmt == option), None)
        hint = Localized(f"改用扩展名 {expected}，或" if expected else "",
                         f"use the extension {expected}, or " if expected else "")
        return None, Diagnostic("E137", Location(str(output)), {
            "format": option, "ext": _extension(output), "implied": implied, "hint": hint})
    return option, None
