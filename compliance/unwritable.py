"""Text that XML can hold. The xlsx and JUnit reports and exported workbooks are XML, which
has no place for most control characters (U+0000–U+001F but tab, newline and carriage
return), lone surrogates, or U+FFFE and U+FFFF. A record may hold them — JSON allows "\\u0001"
in a school's name, and a name pasted from elsewhere sometimes carries one. Reports write
such a character as its JSON escape (`\\u0001`); an export refuses the record (E156) rather
than change what would be imported back."""
from __future__ import annotations

import re

from .record import pointer

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
NOT_UTF8 = re.compile("[\ud800-\udfff]")


def escaped(text: str, chars: re.Pattern) -> str:
    """The text with each of `chars` written as its JSON escape (`\\u0001`). Inside a JSON
    string literal that is the same character, so JSON text can be passed through it whole."""
    if chars.search(text) is None:
        return text
    return chars.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def xml_safe(text: str) -> str:
    return escaped(text, NOT_XML)


def first_found(value, chars: re.Pattern) -> tuple[str, str] | None:
    """(JSON pointer, character) of the first string of a record — key or value — holding
    one of `chars`; None if there is none."""
    stack = [("", value)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, str):
            found = chars.search(node)
            if found:
                return where, found.group()
        elif isinstance(node, dict):
            members = [(where + pointer((key,)), key) for key in node]
            for at, key in members:
                found = chars.search(str(key))
                if found:
                    return at, found.group()
            stack.extend((at, node[key]) for at, key in reversed(members))
        elif isinstance(node, list):
            stack.extend((f"{where}/{i}", v) for i, v in reversed(list(enumerate(node))))
    return None
