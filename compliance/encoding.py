"""Bytes → text for every file a user hands us (records, rule files, rule tests).

County offices save files from Excel and Notepad on Chinese Windows, so besides UTF-8 we meet
UTF-8 with a BOM, UTF-16/32 with a BOM and GBK/GB18030. A BOM names its encoding. Without one,
UTF-8 is tried first; a file that is not UTF-8 is read as GB18030 only when that reading is
unambiguous: it decodes without error, every character outside ASCII is Chinese text or
Chinese punctuation, and nine in ten of them are common characters (GB2312). Random bytes and
Latin-1 files almost never pass all three. Anything else
is an error that names the first byte that is not UTF-8, with its line and column.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, Location

# Longest BOM first: the UTF-32-LE BOM begins with the UTF-16-LE one.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))

# What a Chinese record or rule file holds outside ASCII.
_CHINESE = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F),  # ideographs
            (0x3000, 0x303F), (0xFF00, 0xFFEF), (0x2000, 0x206F), (0x3300, 0x33FF),    # punctuation, ㎡
            (0x2100, 0x21FF), (0x2200, 0x22FF), (0x2460, 0x24FF), (0x2500, 0x257F),    # ℃ Ⅰ → ≥ ① ─
            (0x00B0, 0x00B7), (0x00D7, 0x00D7), (0x00F7, 0x00F7))                        # ° ± ² · × ÷


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str       # "utf-8", "utf-8-sig", "utf-16", "utf-32" or "gb18030"

    @property
    def guessed(self) -> bool:
        """Whether the encoding was inferred (no BOM, not UTF-8): worth telling the user."""
        return self.encoding == "gb18030"


class NotText(Exception):
    """The bytes are in no encoding we can name. Positions are 1-based; offset is 0-based.
    (A plain exception: frozen dataclasses do not survive being raised through contextlib.)"""

    def __init__(self, offset: int, line: int, column: int, encoding: str):
        super().__init__(offset, line, column, encoding)
        self.offset, self.line, self.column = offset, line, column
        self.encoding = encoding        # the encoding that failed (from the BOM, or utf-8)


def decode(raw: bytes) -> Decoded:
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            try:
                return Decoded(raw.decode(encoding), encoding)
            except UnicodeDecodeError as exc:
                raise _not_text(raw, exc.start, encoding) from None
    try:
        return Decoded(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        raise _not_text(raw, first_bad, "utf-8") from None
    wide = [c for c in text if c >= "\x80"]
    if all(_is_chinese(c) for c in wide) and 10 * sum(map(_is_common, wide)) >= 9 * len(wide):
        return Decoded(text, "gb18030")
    raise _not_text(raw, first_bad, "utf-8")


def _is_common(c: str) -> bool:
    """In GB2312, the common characters: the bulk of real GBK text. A stray Latin-1 byte
    before an ASCII letter also makes a GBK pair ('ü' 'k' → '點'), but rarely a common one."""
    try:
        c.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _is_chinese(c: str) -> bool:
    code = ord(c)
    return any(low <= code <= high for low, high in _CHINESE)


def _not_text(raw: bytes, offset: int, encoding: str) -> NotText:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    # the column counts characters of the line's valid prefix (as an editor shows them)
    column = len(raw[line_start:offset].decode("utf-8", errors="replace")) + 1
    return NotText(offset, raw.count(b"\n", 0, offset) + 1, column, encoding)


def read_text(path: Path) -> Decoded:
    """A file's text in whatever encoding `decode` recognises (OSError and NotText pass up)."""
    return decode(Path(path).read_bytes())


def problem(exc: NotText, file: str) -> Diagnostic:
    """E107: where the bytes stop being text (records and rule files alike)."""
    return Diagnostic("E107", Location(file, exc.line, exc.column), {"byte": exc.offset + 1, "encoding": exc.encoding.upper()})


def notice(decoded: Decoded, file: str) -> list[Diagnostic]:
    """W108 when the encoding was inferred rather than declared."""
    return [Diagnostic("W108", Location(file), {"encoding": "GB18030"}, "warning")] if decoded.guessed else []
