"""What `compliance test` prints: each failed expectation with the evidence, then totals and,
when asked, per-pack coverage of pass / fail / unknown outcomes."""
from __future__ import annotations

from ..findings import format_number
from ..testcases import CaseFailure, PackResult, actual_status, matches

_STATUS = {"pass": ("达标", "pass"), "fail": ("未达标", "fail"), "target": ("目标未达成或未到期", "target (missed or not yet due)"),
           "pending": ("未到期", "pending (deadline ahead)"),
           "unknown": ("待补数据", "unknown"), "not_applicable": ("不适用", "not applicable")}


def _status(s: str, zh: bool) -> str:
    return f"{s}（{_STATUS[s][0]}）" if zh else _STATUS[s][1]


def render_failure(failure: CaseFailure, lang: str = "zh") -> str:
    zh = lang == "zh"
    case, e = failure.case, failure.expectation
    line = f"{case.location.file}:{case.location.line}"
    out = [f"✗ {line}  {case.name}"]
    who = e.rule + (f" @ {e.subject}" if e.subject else "") + (f" ({e.section})" if e.section else "")
    if failure.reason == "none":
        out.append(f"    {who}：没有结果（规则在该日不生效，或数据中没有该对象）" if zh
                   else f"    {who}: no finding (rule not in force on that date, or no such subject)")
        return "\n".join(out) + "\n"
    for f in failure.actual:
        subject = f.subject.label(lang)
        actual = actual_status(f)
        if failure.reason == "status":
            if matches(e.status, f):
                continue
            what = (f"期望 {_status(e.status, zh)}，实际 {_status(actual, zh)}" if zh
                    else f"expected {_status(e.status, zh)}, got {_status(actual, zh)}")
        elif failure.reason == "value":
            what = (f"期望实际值 {format_number(e.value)}，实际 {format_number(f.value)}" if zh
                    else f"expected value {format_number(e.value)}, got {format_number(f.value)}")
        else:
            what = (f"期望缺少 {', '.join(e.missing)}，实际缺少 {', '.join(f.missing) or '无'}" if zh
                    else f"expected missing {', '.join(e.missing)}, got {', '.join(f.missing) or 'none'}")
        out.append(f"    {f.rule}（{subject}）：{what}" if zh else f"    {f.rule} ({subject}): {what}")
        out.append(f"      {f.message(lang)}")
        if f.value is not None and f.threshold is not None:
            out.append(f"      实际值 {format_number(f.value, f.percent)}，要求 {f.op or ''} {format_number(f.threshold, f.percent)}"
                       if zh else f"      value {format_number(f.value, f.percent)}, required {f.op or ''} "
                       f"{format_number(f.threshold, f.percent)}")
        for pointer, value in f.inputs[:8]:
            out.append(f"      {pointer} = {format_number(value)}")
        if len(f.inputs) > 8:
            out.append(f"      …（另 {len(f.inputs) - 8} 项输入）" if zh else f"      … ({len(f.inputs) - 8} more inputs)")
        if f.deadline:
            out.append(f"      {'目标期限' if zh else 'deadline'} {f.deadline}")
    return "\n".join(out) + "\n"


def render_results(results: list[PackResult], lang: str = "zh", coverage: bool = False) -> str:
    zh = lang == "zh"
    out = []
    for r in results:
        for failure in r.failures:
            out.append(render_failure(failure, lang))
    if coverage:
        out.append(render_coverage(results, lang))
    cases = sum(r.cases for r in results)
    expectations = sum(r.expectations for r in results)
    failed = sum(len(r.failures) for r in results)
    if zh:
        out.append(f"{len(results)} 个规则包，{cases} 个用例，{expectations} 项期望：{failed} 项不符\n")
    else:
        out.append(f"{len(results)} pack(s), {cases} case(s), {expectations} expectation(s): {failed} failed\n")
    return "".join(out)


def render_coverage(results: list[PackResult], lang: str = "zh") -> str:
    zh = lang == "zh"
    head = ("规则包", "规则", "有达标用例", "有未达标用例", "有待补数据用例", "达标+未达标覆盖") if zh else \
           ("pack", "rules", "pass", "fail", "unknown", "pass+fail coverage")
    rows = [head]
    gaps = []
    for r in results:
        rules = r.own_rules
        counts = [sum(1 for q in rules if o in r.covered.get(q, ())) for o in ("pass", "fail", "unknown")]
        rows.append((r.analysis.pack.id, str(len(rules)), *map(str, counts), f"{r.percent():.1f}%"))
        for q in rules:
            missing = [o for o in ("pass", "fail") if o not in r.covered.get(q, ())]
            if missing:
                gaps.append(f"  {q}：{'缺少 ' if zh else 'no '}{'、'.join(missing) if zh else ', '.join(missing)}"
                            f"{' 用例' if zh else ' case'}")
    widths = [max(_width(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths)).rstrip() for row in rows]
    text = "\n".join(lines) + "\n"
    if gaps:
        text += ("未覆盖达标与未达标两面的规则：\n" if zh else "rules not covered on both sides:\n") + "\n".join(gaps) + "\n"
    return text


def _width(s: str) -> int:
    return sum(2 if ord(c) > 0x2E80 else 1 for c in s)


_PROPERTY_NAMES = {"monotone": ("单调性", "monotone"), "boundary": ("边界", "boundary"),
                   "permutation": ("学校顺序无关", "permutation"), "scale_invariant": ("同比缩放不变", "scale invariance")}


def render_properties(checked, lang: str = "zh") -> str:
    """One line per declared property: ✓ with how many drawn records exercised it, or ✗ and why."""
    zh = lang == "zh"
    out = []
    total = failed = 0
    for pack, results in checked:
        for p in results:
            total += 1
            name = _PROPERTY_NAMES[p.name][0 if zh else 1]
            if p.ok:
                out.append(f"✓ {p.rule} {name}（{p.exercised} 份数据）" if zh else f"✓ {p.rule} {name} ({p.exercised} records)")
            else:
                failed += 1
                out.append(f"✗ {p.rule} {name}：{p.detail}" if zh else f"✗ {p.rule} {name}: {p.detail}")
    out.append(f"性质检验 {total} 项：{failed} 项不成立" if zh else f"{total} propert(ies) checked: {failed} failed")
    return "\n".join(out) + "\n"
