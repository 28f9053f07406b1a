"""`compliance diff` as text (Chinese, or English) and as JSON.

The JSON document (`kind: "rule-diff"`, schema compliance/schemas/diff.schema.json):
summary counts; `params` (each changed parameter series, old and new, with the params.yaml
line); `rules_changed` / `rules_added` / `rules_removed`; `by_rule` (per rule: the status
transitions counted and every changed finding); `records` (per record with a change: the
verdicts and the changed findings). Parameter values are exact strings as in params.yaml
(“4.2”, “2/3”); finding values are JSON numbers as in the check report.
"""
from __future__ import annotations

import json
from collections import Counter
from fractions import Fraction

from ..diff import ABSENT, Change, DiffResult, ParamChange, RecordDiff
from ..findings import LEVEL_NAMES, format_number
from .json_report import json_number

STATUS = {"pass": ("达标", "pass"), "fail": ("未达标", "fail"), "unknown": ("待补数据", "unknown"),
          "not_applicable": ("不适用", "not applicable"), "pending": ("未到期", "pending"),
          "target_missed": ("目标未达成", "target missed"), "advisory_missed": ("倡导未落实", "advisory missed"),
          ABSENT: ("无此结果", "absent")}
VERDICT = {"pass": ("通过", "pass"), "fail": ("未通过", "fail"), "unknown": ("无法判定", "unknown")}
# What a count of records is called, by the records' level: “5 个县”.
RECORD_WORD = {"county": ("个县", "county", "counties"), "city": ("个市", "city", "cities"),
               "province": ("个省", "province", "provinces"), None: ("份数据", "record", "records")}
LIMIT = 20   # changed findings listed per rule in text, unless --all


def exact(value) -> str:
    """A parameter value as written: a short decimal when exact, else p/q."""
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        d = value.denominator
        for p in (2, 5):
            while d % p == 0:
                d //= p
        if d == 1:
            places = 0
            while (value * 10 ** places).denominator != 1:
                places += 1
            return f"{float(value):.{places}f}" if places <= 15 else f"{value.numerator}/{value.denominator}"
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _series_text(series, zh: bool) -> str:
    if series is None:
        return "（无）" if zh else "(none)"
    if len(series) == 1:
        return exact(series[0][1])
    sep = "，" if zh else ", "
    return sep.join(f"{exact(v)}（{d.isoformat()} 起）" if zh else f"{exact(v)} (from {d.isoformat()})"
                    for d, v in series)


def _level(level, zh: bool) -> str:
    return LEVEL_NAMES[level][0 if zh else 1] + " " if level else ""


def param_line(p: ParamChange, zh: bool) -> str:
    where = f"{p.file}:{p.line}" if p.file else ""
    return (f"{p.pack}/{p.name} {p.title} {_level(p.level, zh)}"
            f"{_series_text(p.old, zh)} → {_series_text(p.new, zh)}（{where}）")


def _records_word(diffs, n: int, zh: bool) -> str:
    levels = {d.level for d in diffs}
    word = RECORD_WORD.get(levels.pop() if len(levels) == 1 else None, RECORD_WORD[None])
    if zh:
        return f"{n} {word[0]}"
    return f"{n} {word[1] if n == 1 else word[2]}"


def _subjects_word(kind: str, n: int, zh: bool) -> str:
    if kind in ("school", "school_section"):
        return f"{n} 所学校" if zh else f"{n} school{'s' if n != 1 else ''}"
    if kind == "section_level":
        return f"{n} 个学段" if zh else f"{n} section level{'s' if n != 1 else ''}"
    return f"{n} 项全域结果" if zh else f"{n} jurisdiction finding{'s' if n != 1 else ''}"


def by_rule(result: DiffResult) -> dict[str, list[tuple[RecordDiff, Change]]]:
    out: dict[str, list] = {}
    for record in result.records:
        for change in record.changes:
            out.setdefault(change.rule, []).append((record, change))
    return out


def _why(rule: str, result: DiffResult, zh: bool) -> str:
    """What changed in the rule: its parameters (old → new), its definition, or its existence."""
    used = set(result.rule_params.get(rule, ()))
    parts = [f"{_level(p.level, zh)}{_series_text(p.old, zh)} → {_series_text(p.new, zh)}"
             for p in result.params if p.name in used]
    if rule in result.rules_added:
        parts.append("新增规则" if zh else "rule added")
    elif rule in result.rules_removed:
        parts.append("规则已删除" if zh else "rule removed")
    elif rule in result.rules_changed:
        parts.append("规则条件已修改" if zh else "rule definition changed")
    if not parts:
        # Neither its parameters nor its text: another rule it depends on, or the pack chain.
        parts.append("规则本身未变" if zh else "rule itself unchanged")
    return ("，" if zh else ", ").join(parts)


def _transitions(items) -> list[tuple[str, str, str, int, int, int, list]]:
    """(old, new, subject kind, findings, subjects, records, [records]) per status transition."""
    groups: dict = {}
    for record, change in items:
        groups.setdefault((change.old, change.new, change.subject.kind), []).append((record, change))
    out = []
    for (old, new, kind), members in groups.items():
        subjects = {(r.name, c.subject.school) if kind in ("school", "school_section") else (r.name, c.subject)
                    for r, c in members}
        records = list({r.name: r for r, _ in members}.values())
        out.append((old, new, kind, len(members), len(subjects), len(records), records))
    return out


def headline(rule: str, items, result: DiffResult, zh: bool) -> str:
    parts = []
    for old, new, kind, _, subjects, n_records, records in _transitions(items):
        if zh:
            parts.append(f"{_subjects_word(kind, subjects, zh)}由{STATUS[old][0]}变为{STATUS[new][0]}"
                         f"（{_records_word(records, n_records, zh)}）")
        else:
            parts.append(f"{_subjects_word(kind, subjects, zh)} from {STATUS[old][1]} to {STATUS[new][1]} "
                         f"({_records_word(records, n_records, zh)})")
    flipped = list({r.name: r for r, _ in items if r.old_verdict != r.new_verdict}.values())
    if flipped:
        parts.append(f"结论变化：{_records_word(flipped, len(flipped), zh)}" if zh
                     else f"verdict changed: {_records_word(flipped, len(flipped), zh)}")
    sep = "；" if zh else "; "
    return f"{rule} {_why(rule, result, zh)}{'：' if zh else ': '}{sep.join(parts)}"


def _value(v) -> str:
    return "—" if v is None else format_number(v)


def change_line(record: RecordDiff, c: Change, zh: bool) -> str:
    who = f"{record.jurisdiction or record.name} · {c.subject.label('zh' if zh else 'en')}"
    text = f"{who}：{STATUS[c.old][0]} → {STATUS[c.new][0]}" if zh else \
        f"{who}: {STATUS[c.old][1]} → {STATUS[c.new][1]}"
    if c.old_value is not None or c.new_value is not None:
        values = f"{_value(c.old_value)}/{_value(c.old_threshold)} → {_value(c.new_value)}/{_value(c.new_threshold)}"
        text += f"（值/阈值 {values}）" if zh else f" (value/threshold {values})"
    return text


def render_text(result: DiffResult, old_label: str, new_label: str, lang: str = "zh", show_all: bool = False) -> str:
    zh = lang == "zh"
    lines = [f"规则变化的影响：{old_label} → {new_label}（{len(result.records)} 份数据）" if zh else
             f"impact of the rule change: {old_label} → {new_label} ({len(result.records)} record(s))"]
    if result.params:
        lines.append("参数变化：" if zh else "parameters changed:")
        lines += [f"  {param_line(p, zh)}" for p in result.params]
    for label, rules in ((("规则条件已修改", "rules changed"), result.rules_changed),
                         (("新增规则", "rules added"), result.rules_added),
                         (("删除规则", "rules removed"), result.rules_removed)):
        if rules:
            lines.append(f"{label[0 if zh else 1]}{'：' if zh else ': '}{('、' if zh else ', ').join(rules)}")
    if not (result.params or result.rules_changed or result.rules_added or result.rules_removed):
        lines.append("两套规则的参数与规则定义相同" if zh else "the parameters and rule definitions are the same")
    grouped = by_rule(result)
    if grouped:
        lines.append("")
        lines.append("按规则：" if zh else "by rule:")
        for rule in sorted(grouped):
            items = grouped[rule]
            lines.append(f"  {headline(rule, items, result, zh)}")
            shown = items if show_all else items[:LIMIT]
            lines += [f"    {change_line(r, c, zh)}" for r, c in shown]
            if len(items) > len(shown):
                more = len(items) - len(shown)
                lines.append(f"    … 另有 {more} 项（--all 列出全部）" if zh else f"    … {more} more (--all lists them)")
        lines.append("")
        lines.append("按数据：" if zh else "by record:")
        for record in result.records:
            if not record.changes and record.old_verdict == record.new_verdict:
                continue
            counts = Counter(c.rule for c in record.changes)
            rules = ("、" if zh else ", ").join(f"{rule} {n}" for rule, n in sorted(counts.items()))
            verdict = (f"结论 {VERDICT[record.old_verdict][0]} → {VERDICT[record.new_verdict][0]}"
                       if record.old_verdict != record.new_verdict else f"结论不变（{VERDICT[record.new_verdict][0]}）") \
                if zh else (f"verdict {record.old_verdict} → {record.new_verdict}"
                            if record.old_verdict != record.new_verdict else f"verdict unchanged ({record.new_verdict})")
            lines.append(f"  {record.name} {record.jurisdiction}：{verdict}；{len(record.changes)} 项结果变化（{rules}）" if zh
                         else f"  {record.name} {record.jurisdiction}: {verdict}; {len(record.changes)} finding(s) changed ({rules})")
    total = sum(len(r.changes) for r in result.records)
    touched = sum(1 for r in result.records if r.changes)
    flipped = sum(1 for r in result.records if r.old_verdict != r.new_verdict)
    lines.append("")
    lines.append(f"合计：{total} 项结果状态变化，涉及 {touched} 份数据；结论变化 {flipped} 份" if zh else
                 f"total: {total} finding(s) changed status in {touched} record(s); {flipped} verdict(s) changed")
    return "\n".join(lines) + "\n"


def _series_json(series):
    if series is None:
        return None
    return [{"from": d.isoformat(), "value": exact(v)} for d, v in series]


def _change_json(record: RecordDiff | None, c: Change) -> dict:
    out = {"rule": c.rule, "subject": c.subject.as_dict(), "from": c.old, "to": c.new,
           "old_value": json_number(c.old_value)[0], "new_value": json_number(c.new_value)[0],
           "old_threshold": json_number(c.old_threshold)[0], "new_threshold": json_number(c.new_threshold)[0]}
    if record is not None:
        out = {"record": record.name, **out}
    return out


def build_json(result: DiffResult, old_label: str, new_label: str, lang: str = "zh") -> dict:
    zh = lang == "zh"
    grouped = by_rule(result)
    rules = []
    for rule in sorted(grouped):
        items = grouped[rule]
        used = set(result.rule_params.get(rule, ()))
        rules.append({
            "rule": rule, "title": items[0][1].title, "headline": headline(rule, items, result, zh),
            "params": sorted({p.name for p in result.params if p.name in used}),
            "transitions": [{"from": o, "to": n, "subject_kind": k, "findings": f, "subjects": s, "records": r}
                            for o, n, k, f, s, r, _ in _transitions(items)],
            "verdicts_changed": len({r.name for r, _ in items if r.old_verdict != r.new_verdict}),
            "changes": [_change_json(r, c) for r, c in items]})
    records = [{"path": r.name, "jurisdiction": r.jurisdiction,
                "verdict": {"old": r.old_verdict, "new": r.new_verdict},
                "changes": [_change_json(None, c) for c in r.changes]}
               for r in result.records if r.changes or r.old_verdict != r.new_verdict]
    return {
        "format_version": "1", "kind": "rule-diff", "old_rules": old_label, "new_rules": new_label,
        "summary": {"records": len(result.records),
                    "records_changed": sum(1 for r in result.records if r.changes),
                    "verdicts_changed": sum(1 for r in result.records if r.old_verdict != r.new_verdict),
                    "findings_changed": sum(len(r.changes) for r in result.records)},
        "params": [{"pack": p.pack, "name": p.name, "title": p.title, "level": p.level,
                    "old": _series_json(p.old), "new": _series_json(p.new), "file": p.file, "line": p.line}
                   for p in result.params],
        "rules_changed": list(result.rules_changed), "rules_added": list(result.rules_added),
        "rules_removed": list(result.rules_removed),
        "by_rule": rules, "records": records}


def render_json(result: DiffResult, old_label: str, new_label: str, lang: str = "zh") -> str:
    return json.dumps(build_json(result, old_label, new_label, lang), ensure_ascii=False, indent=2) + "\n"


def render_html(result: DiffResult, old_label: str, new_label: str, lang: str = "zh") -> str:
    """The same content as the text, as one self-contained page (the check report's style):
    the parameters that changed, each rule's headline with its changed findings, and the
    records whose findings or verdict changed."""
    from .html import esc, page
    zh = lang == "zh"
    doc = build_json(result, old_label, new_label, lang)
    summary = doc["summary"]
    title = f"规则变化的影响：{old_label} → {new_label}" if zh else f"Impact of the rule change: {old_label} → {new_label}"
    parts = [f'<header class="banner"><h1>{esc(title)}</h1><p>'
             + esc(f"{summary['records']} 份数据；{summary['findings_changed']} 项结果状态变化，涉及 "
                   f"{summary['records_changed']} 份数据；结论变化 {summary['verdicts_changed']} 份" if zh else
                   f"{summary['records']} record(s); {summary['findings_changed']} finding(s) changed status in "
                   f"{summary['records_changed']} record(s); {summary['verdicts_changed']} verdict(s) changed")
             + "</p></header>"]
    if result.params:
        rows = "".join(f"<li>{esc(param_line(p, zh))}</li>" for p in result.params)
        parts.append(f"<section><h2>{'参数变化' if zh else 'Parameters changed'}</h2><ul>{rows}</ul></section>")
    for label, rules in ((("规则条件已修改", "Rules changed"), result.rules_changed),
                         (("新增规则", "Rules added"), result.rules_added),
                         (("删除规则", "Rules removed"), result.rules_removed)):
        if rules:
            parts.append(f"<p>{esc(label[0 if zh else 1])}：{esc('、'.join(rules))}</p>")
    if doc["by_rule"]:
        parts.append(f"<section><h2>{'按规则' if zh else 'By rule'}</h2>")
        grouped = by_rule(result)
        heads = ("数据", "对象", "原状态", "新状态", "原值 / 原要求", "新值 / 新要求") if zh else \
            ("record", "subject", "was", "now", "old value / threshold", "new value / threshold")
        for rule in sorted(grouped):
            items = grouped[rule]
            rows = "".join(
                f"<tr><td>{esc(r.jurisdiction or r.name)}</td><td>{esc(c.subject.label(lang))}</td>"
                f"<td>{esc(STATUS[c.old][0 if zh else 1])}</td><td>{esc(STATUS[c.new][0 if zh else 1])}</td>"
                f"<td>{esc(_value(c.old_value))} / {esc(_value(c.old_threshold))}</td>"
                f"<td>{esc(_value(c.new_value))} / {esc(_value(c.new_threshold))}</td></tr>" for r, c in items)
            parts.append(f"<details open><summary>{esc(headline(rule, items, result, zh))}</summary>"
                         f"<table><thead><tr>{''.join(f'<th>{h}</th>' for h in heads)}</tr></thead>"
                         f"<tbody>{rows}</tbody></table></details>")
        parts.append("</section>")
        rows = "".join(
            f"<tr><td>{esc(r['jurisdiction'] or r['path'])}</td><td>{esc(r['path'])}</td>"
            f"<td>{esc(VERDICT[r['verdict']['old']][0 if zh else 1])} → {esc(VERDICT[r['verdict']['new']][0 if zh else 1])}</td>"
            f"<td>{len(r['changes'])}</td></tr>" for r in doc["records"])
        heads = ("地区", "文件", "结论", "结果变化") if zh else ("jurisdiction", "file", "verdict", "findings changed")
        parts.append(f"<section><h2>{'按数据' if zh else 'By record'}</h2><table><thead><tr>"
                     f"{''.join(f'<th>{h}</th>' for h in heads)}</tr></thead><tbody>{rows}</tbody></table></section>")
    return page(title, "\n".join(parts) + "\n", lang)
