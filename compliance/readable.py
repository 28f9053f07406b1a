"""Quotes a reader can read. A rule quotes its source verbatim, traditional characters and
damage included; `quote_reading` is the same text in simplified characters (OpenCC's
traditional → simplified conversion, not a table of our own) or, where the copy is damaged
beyond what conversion can mend, the repaired text the rule file gives."""
from __future__ import annotations

from functools import lru_cache

# Marks that a copy lost characters on the way (an encoding mishap): ASCII '?' never stands
# in Chinese running text (the question mark there is full-width '？'), nor does U+FFFD.
DAMAGE_MARKS = ("?", "\ufffd")


@lru_cache(maxsize=1)
def _converter():
    import opencc   # imported on first use: a pack without traditional quotes never pays for it
    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    return _converter().convert(text)


def damaged(text: str) -> bool:
    return any(mark in text for mark in DAMAGE_MARKS)


def quote_reading(quote: str | None, given: str | None = None) -> str | None:
    """The reading of a quote: the rule file's repaired text when it gives one, else the
    simplified text when that differs from the quote, else None (the quote reads as it is)."""
    if given:
        return given
    if not quote:
        return None
    converted = simplified(quote)
    return converted if converted != quote else None
