"""The one judge: a rule's `when` and `require` results for one subject → its status → a Finding.

Every backend ends here. The status decision is a table (`STATUS`) indexed by whether the
rule's deadline is still ahead, what `when` gave and what `require` gave, so the columnar
backend looks statuses up for whole columns with the same table the single-record backends
use one at a time."""
from __future__ import annotations

from ..findings import Finding, Subject
from ..logic import FAIL, NOT_APPLICABLE, PASS, PENDING, UNKNOWN, Unknown
from .subjects import subject_of

# What `when` gave: it holds, it does not, or it is unknown.
W_TRUE, W_FALSE, W_UNKNOWN = 0, 1, 2
# What `require` gave: true, false, unknown because inputs are missing, or only undefined
# arithmetic (a section with 0 students: nothing to judge).
R_TRUE, R_FALSE, R_MISSING, R_UNDEFINED = 0, 1, 2, 3

# Whether the rule's deadline is still ahead of the date judged (data contract §3: a rule
# not yet due that would not pass today is `pending`, never a failure).
D_DUE, D_AHEAD = 0, 1

STATUS = (
    (   # due (no deadline, or the deadline has come)
        (PASS, FAIL, UNKNOWN, NOT_APPLICABLE),                             # when holds
        (NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE),  # when does not hold
        (UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN),                              # when unknown
    ),
    (   # deadline ahead
        (PASS, PENDING, UNKNOWN, NOT_APPLICABLE),
        (NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE),
        (UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN),
    ),
)
STATUS_CODES = (PASS, FAIL, UNKNOWN, NOT_APPLICABLE, PENDING)   # statuses as small integers, for columns
STATUS_TABLE = tuple(tuple(tuple(STATUS_CODES.index(s) for s in row) for row in due) for due in STATUS)


def when_code(value) -> int:
    if value is True:
        return W_TRUE
    if value is False:
        return W_FALSE
    return W_UNKNOWN


def result_code(value) -> int:
    if value is True:
        return R_TRUE
    if value is False:
        return R_FALSE
    if value.__class__ is Unknown and not value.missing and value.undefined:
        return R_UNDEFINED
    return R_MISSING


def due_code(ahead: bool) -> int:
    return D_AHEAD if ahead else D_DUE


def status_of(when, result, ahead: bool = False) -> str:
    """The status of a rule for one subject; `result` counts only where `when` holds (a backend
    need not compute it otherwise)."""
    return STATUS[due_code(ahead)][when_code(when)][result_code(result if when is True else False)]


NO_UNKNOWN = Unknown()     # the Unknown of a finding that lacks nothing (immutable, shared)


def judge(meta, subject: tuple, when, value, threshold, result, reads=None, notes=None, order=()) -> Finding:
    """The finding of one rule for one subject. `when` is True when the rule has no `when`;
    `result` is ignored unless `when` holds (a backend need not compute it otherwise)."""
    status = status_of(when, result, meta.ahead)
    unknown = when if when.__class__ is Unknown else result if (when is True and result.__class__ is Unknown) \
        else NO_UNKNOWN
    if when is not True:
        value = threshold = None
    return finding(meta, subject_of(*subject), status, value, threshold, unknown, reads, notes, order)


def finding(meta, subject: Subject, status: str, value, threshold, unknown: Unknown, reads=None, notes=None,
            order=()) -> Finding:
    rule = meta.rule
    if reads is not None:
        # By name (names are unique, so the values are never compared).
        shown = tuple(sorted(item for item in notes.items() if item[1].__class__ is not Unknown and item[0][:1] != "_"))
        # Each pointer once, in the order first read (a pointer always holds the same value).
        first: dict = {}
        for p, v in reads:
            if p not in first and v.__class__ is not list:
                first[p] = v
        inputs = tuple(first.items())
    else:
        shown = inputs = ()
    return Finding(
        rule=rule.qualified_id, title=rule.title, status=status, severity=meta.severity,
        subject=subject, aspect=rule.aspect, citation=meta.citation,
        value=None if value.__class__ is Unknown else value,
        threshold=None if threshold.__class__ is Unknown else threshold, op=meta.op,
        missing=tuple(sorted(unknown.missing)) if unknown.missing else (),
        undefined=tuple(sorted(unknown.undefined)) if unknown.undefined else (), inputs=inputs,
        notes=shown, deadline=meta.deadline, percent=meta.percent, order=order,
        title_en=rule.title_en, templates=(rule.message_zh, rule.message_en), aspect_en=rule.aspect_en,
        overridden_citation=meta.overridden_citation, threshold_source=meta.threshold_source)
