"""Text that XML can hold. The xlsx and JUnit reports and exported workbooks are XML, which
has no place for most control characters (U+0000–U+001F but tab, newline and carriage
return), lone surrogates, or U+FFFE and U+FFFF. A record may hold them — JSON allows "\\u0001"
in a school's name, and a name pasted from elsewhere sometimes carries one. Reports write
such a character as its JSON escape (`\\u0001`); an export refuses the record (E156) rather
than change what would be imported back."""
from __future__ import annotations

import re

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """The text with each character XML cannot hold written as its JSON escape."""
    if NOT_XML.search(text) is None:
        return text
    return NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def first_not_xml(value, path: str = "") -> tuple[str, str] | None:
    """(JSON pointer, character) of the first string of a record — key or value — holding a
    character XML cannot hold; None if there is none."""
    stack = [(path, value)]
    while stack:
        where, node = stack.pop()
        if isinstance(node, str):
            found = NOT_XML.search(node)
            if found:
                return where, found.group()
        elif isinstance(node, dict):
            for key in reversed(list(node)):
                escaped = str(key).replace("~", "~0").replace("/", "~1")
                found = NOT_XML.search(str(key))
                if found:
                    return f"{where}/{escaped}", found.group()
                stack.append((f"{where}/{escaped}", node[key]))
        elif isinstance(node, list):
            stack.extend((f"{where}/{i}", v) for i, v in reversed(list(enumerate(node))))
    return None
