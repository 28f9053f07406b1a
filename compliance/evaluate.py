"""Run a compiled program over one record: every rule for every subject it applies to."""
from __future__ import annotations

from fractions import Fraction

from .dsl.compile import Env, compare_values
from .findings import LEVEL_NAMES, Finding, Subject, format_number
from .logic import FAIL, NOT_APPLICABLE, PASS, UNKNOWN, Unknown, status_of
from .program import CompiledRule, Program
from .record import RecordView, attestation

_OP_TEXT = {">=": ("不低于", "at least"), ">": ("高于", "above"), "<=": ("不超过", "at most"),
            "<": ("低于", "below"), "==": ("等于", "equal to"), "!=": ("不等于", "not equal to")}


def subjects(rule, view: RecordView):
    """(Subject, school entity, section entity, level) for every subject the rule applies to."""
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


def _finding(compiled, subject, status, value, threshold, result, env: Env, order) -> Finding:
    rule = compiled.rule
    unknown = result if isinstance(result, Unknown) else Unknown()
    known_value = None if isinstance(value, Unknown) else value
    known_threshold = None if isinstance(threshold, Unknown) else threshold
    notes = dict(env.notes or {})
    inputs = tuple(dict.fromkeys((p, v) for p, v in (env.reads or []) if not isinstance(v, list)))
    missing_ptrs = tuple(sorted(unknown.missing))
    undefined = tuple(sorted(unknown.undefined))
    zh, en = _messages(compiled, subject, status, known_value, known_threshold, notes, missing_ptrs, undefined)
    return Finding(
        rule=rule.qualified_id, title=rule.title, status=status, severity=rule.severity, subject=subject,
        aspect=rule.aspect, citation=rule.citation.as_dict() if rule.citation else {},
        message_zh=zh, message_en=en, value=known_value, threshold=known_threshold, op=compiled.op,
        missing=missing_ptrs, undefined=undefined, inputs=inputs,
        notes=tuple(sorted((k, v) for k, v in notes.items() if not isinstance(v, Unknown))),
        deadline=rule.deadline.isoformat() if rule.deadline else None, percent=compiled.percent, order=order)


def _messages(compiled, subject, status, value, threshold, notes, missing_ptrs, undefined):
    rule = compiled.rule
    out = []
    for lang in ("zh", "en"):
        if status == UNKNOWN:
            fields = "、".join(missing_ptrs) if lang == "zh" else ", ".join(missing_ptrs)
            out.append(f"{subject.label(lang)}：缺少数据 {fields}，无法判断" if lang == "zh"
                       else f"{subject.label(lang)}: missing data {fields}; cannot judge")
            continue
        if status == NOT_APPLICABLE:
            if undefined:
                what = "、".join(w for _, w in undefined)
                out.append(f"{subject.label(lang)}：{what} 为零，本条不适用" if lang == "zh"
                           else f"{subject.label(lang)}: {what} is zero; rule not applicable")
            else:
                out.append(f"{subject.label(lang)}：不在本条适用范围内" if lang == "zh"
                           else f"{subject.label(lang)}: outside the scope of this rule")
            continue
        template = rule.message_zh if lang == "zh" else rule.message_en
        if template is None:
            template = rule.message_zh or ""
        args = _message_args(compiled, subject, value, threshold, notes, lang)
        text = template.format(**args) if template else ""
        if not text:
            verdict = {PASS: ("达标", "met"), FAIL: ("未达标", "not met")}[status][0 if lang == "zh" else 1]
            text = f"{subject.label(lang)}：{rule.title}{verdict}" if lang == "zh" else \
                f"{subject.label(lang)}: {rule.title_en or rule.title} {verdict}"
        out.append(text)
    return out


def _message_args(compiled, subject, value, threshold, notes, lang):
    i = 0 if lang == "zh" else 1
    args = {"school": subject.school_name or subject.school or "", "school_id": subject.school or "",
            "section": LEVEL_NAMES[subject.section][i] if subject.section else "",
            "level": subject.section or "", "subject": subject.label(lang),
            "value": format_number(value, compiled.percent) if value is not None else "?",
            "threshold": format_number(threshold, compiled.percent) if threshold is not None else "?",
            "op": _OP_TEXT.get(compiled.op or "", ("", ""))[i], "title": compiled.rule.title, "missing": ""}
    for key, v in notes.items():
        if key == "near":
            args[key] = "、".join(f"第{n}项" for n in v) if lang == "zh" and v else (", ".join(f"#{n}" for n in v) if v else ("无" if lang == "zh" else "none"))
        elif isinstance(v, (int, Fraction)) and not isinstance(v, bool):
            args[key] = format_number(v)
        else:
            args[key] = str(v)
    for key in ("met", "near", "far", "fell_in", "fell_from", "fell_to", "split_share"):
        args.setdefault(key, "?")
    return args
