"""The one subject enumeration: which subjects a rule is judged for in a record.

A subject is a plain tuple `(kind, school, section, level, scope)` of entities (`Subject`
objects, with names and pointers, are only built for findings that are kept); `scope` is the
record's words for its whole jurisdiction (全县, 全区, 全市, 全省 …: findings.scope_words). Every
backend enumerates through here, so all of them produce findings in the same order."""
from __future__ import annotations

from ..findings import Subject, scope_words
from ..record import LEVELS, Entity, RecordView

JURISDICTION, SCHOOL, SCHOOL_SECTION, SECTION_LEVEL = "jurisdiction", "school", "school_section", "section_level"


def subjects(rule, view: RecordView) -> list[tuple]:
    """(kind, school entity, section entity, level, scope) for every subject `rule` applies to,
    built once per record and rule kind."""
    key = ("subjects", rule.applies_to, rule.levels)
    found = view.subject_cache.get(key)
    if found is None:
        scope = scope_words(view.data.get("jurisdiction"))
        found = view.subject_cache[key] = [(*s, scope) for s in _subjects(rule.applies_to, rule.levels, view)]
    return found


def _subjects(kind: str, levels: tuple, view: RecordView):
    if kind == JURISDICTION:
        yield JURISDICTION, None, None, None
    elif kind == SCHOOL:
        for school in view.schools:
            yield SCHOOL, school, None, None
    elif kind == SCHOOL_SECTION:
        for section in view.sections:
            if not levels or section.level in levels:
                yield SCHOOL_SECTION, section.school, section, section.level
    elif kind == SECTION_LEVEL:
        for level in view.subject_levels():
            if not levels or level in levels:
                yield SECTION_LEVEL, None, None, level


def subject_of(kind: str, school: Entity | None, section: Entity | None, level: str | None,
               scope: tuple[str, str] | None = None) -> Subject:
    """The finding's Subject (ids, names and pointer) for an enumerated subject."""
    if kind == JURISDICTION:
        return Subject(JURISDICTION, scope=scope)
    if kind == SECTION_LEVEL:
        return Subject(SECTION_LEVEL, None, None, level, scope=scope)
    ident = str(school.data.get("id", school.pointer))
    if kind == SCHOOL:
        return Subject(SCHOOL, ident, school.data.get("name"), None, school.pointer, scope)
    return Subject(SCHOOL_SECTION, ident, school.data.get("name"), level, section.pointer, scope)
