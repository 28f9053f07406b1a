"""Run a compiled program over one record: every rule for every subject it applies to."""
from __future__ import annotations

from .dsl.compile import Env, compare_values
from .findings import Finding, Subject
from .logic import NOT_APPLICABLE, UNKNOWN, Unknown, status_of
from .program import CompiledRule, Program
from .record import RecordView, attestation

def subjects(rule, view: RecordView):
    """(Subject, school entity, section entity, level) for every subject the rule applies to,
    built once per record and rule kind."""
    key = ("subjects", rule.applies_to, rule.levels)
    if key not in view.root.cache:
        view.root.cache[key] = list(_subjects(rule, view))
    return view.root.cache[key]


def _subjects(rule, view: RecordView):
    kind = rule.applies_to
    if kind == "jurisdiction":
        yield Subject("jurisdiction"), None, None, None
    elif kind == "school":
        for school in view.schools:
            yield Subject("school", _id(school), school.data.get("name"), None, school.pointer), school, None, None
    elif kind == "school_section":
        for section in view.sections:
            if rule.levels and section.level not in rule.levels:
                continue
            school = section.school
            yield (Subject("school_section", _id(school), school.data.get("name"), section.level, section.pointer),
                   school, section, section.level)
    elif kind == "section_level":
        for level in view.levels_present():
            if rule.levels and level not in rule.levels:
                continue
            yield Subject("section_level", None, None, level), None, None, level


def _id(school) -> str:
    return str(school.data.get("id", school.pointer))


def evaluate(program: Program, view: RecordView, trace: bool = True) -> list[Finding]:
    findings = []
    for index, compiled in enumerate(program.rules):
        for n, (subject, school, section, level) in enumerate(subjects(compiled.rule, view)):
            env = Env(view, school, section, level, compiled.slots, trace)
            findings.append(_judge(compiled, env, subject, view, (index, n)))
    view.clear_caches()
    return findings


def _judge(compiled: CompiledRule, env: Env, subject: Subject, view: RecordView, order) -> Finding:
    rule = compiled.rule
    value = threshold = None
    if compiled.when is not None:
        applicable = compiled.when(env)
        if applicable is False:
            return _finding(compiled, subject, NOT_APPLICABLE, None, None, Unknown(), env, order)
        if applicable is not True:
            return _finding(compiled, subject, UNKNOWN, None, None, applicable, env, order)
    if rule.attestation:
        result = _attested(rule, view)
    elif compiled.sides is not None:
        left, right, op = compiled.sides
        value, threshold = left(env), right(env)
        result = compare_values(op, value, threshold)
    else:
        result = compiled.require(env)
    status = status_of(result)
    return _finding(compiled, subject, status, value, threshold, result, env, order)


def _attested(rule, view: RecordView):
    return attestation(view.data, rule.id, rule.qualified_id)


def _finding(compiled: CompiledRule, subject, status, value, threshold, result, env: Env, order) -> Finding:
    rule = compiled.rule
    unknown = result if result.__class__ is Unknown else _NO_UNKNOWN
    if env.reads is not None:
        notes = tuple(sorted((k, v) for k, v in env.notes.items() if v.__class__ is not Unknown))
        inputs = tuple(dict.fromkeys((p, v) for p, v in env.reads if not isinstance(v, list)))
    else:
        notes = inputs = ()
    return Finding(
        rule=rule.qualified_id, title=rule.title, status=status, severity=compiled.severity, subject=subject,
        aspect=rule.aspect, citation=compiled.citation,
        value=None if value.__class__ is Unknown else value,
        threshold=None if threshold.__class__ is Unknown else threshold, op=compiled.op,
        missing=tuple(sorted(unknown.missing)), undefined=tuple(sorted(unknown.undefined)), inputs=inputs,
        notes=notes, deadline=compiled.deadline, percent=compiled.percent, order=order,
        title_en=rule.title_en, templates=(rule.message_zh, rule.message_en), aspect_en=rule.aspect_en,
        overridden_citation=compiled.overridden_citation)


_NO_UNKNOWN = Unknown()
