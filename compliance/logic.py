"""Three-valued logic: a value is known, or `Unknown` naming why.

`Unknown` carries the JSON pointers of the missing inputs it depends on, and any
undefined operations (division by zero, an empty collection) with the pointer that caused
them. It propagates through arithmetic and comparison; `and`/`or`/`not` follow Kleene's
rules, so `false and unknown` is `false` and `true or unknown` is `true`.
"""
from __future__ import annotations

from dataclasses import dataclass

PASS, FAIL, UNKNOWN, NOT_APPLICABLE = "pass", "fail", "unknown", "not_applicable"
PENDING = "pending"        # 未到期: would not pass, but the rule's deadline is still ahead
STATUSES = (PASS, FAIL, UNKNOWN, NOT_APPLICABLE, PENDING)


@dataclass(frozen=True)
class Unknown:
    missing: frozenset[str] = frozenset()          # JSON pointers of absent inputs
    undefined: frozenset[tuple[str, str]] = frozenset()  # (reason, pointer or expression)

    def __or__(self, other: "Unknown") -> "Unknown":
        return Unknown(self.missing | other.missing, self.undefined | other.undefined)

    def __bool__(self) -> bool:  # guard against using an Unknown as a Python truth value
        raise TypeError("Unknown has no truth value; use the Kleene helpers in compliance.logic")


def missing(pointer: str) -> Unknown:
    return Unknown(frozenset((pointer,)))


def undefined(reason: str, where: str) -> Unknown:
    return Unknown(frozenset(), frozenset(((reason, where),)))


def merge(*values) -> Unknown:
    """The union of the Unknowns among `values`."""
    result = Unknown()
    for v in values:
        if isinstance(v, Unknown):
            result = result | v
    return result


def k_not(a):
    if isinstance(a, Unknown):
        return a
    return not a


def k_and(a, b):
    if a is False or b is False:
        return False
    if a is True and b is True:
        return True
    return merge(a, b)


def k_or(a, b):
    if a is True or b is True:
        return True
    if a is False and b is False:
        return False
    return merge(a, b)


def status_of(result) -> str:
    """The finding status a rule's condition value gives."""
    if result is True:
        return PASS
    if result is False:
        return FAIL
    if isinstance(result, Unknown) and not result.missing and result.undefined:
        # Only undefined arithmetic (e.g. a section with 0 students): the rule has nothing to judge.
        return NOT_APPLICABLE
    return UNKNOWN
