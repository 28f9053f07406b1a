"""`compliance explain RECORD RULE`: one rule for one subject, step by step — the citation,
the condition as written, every sub-expression with its value, each input with its JSON
pointer, splits and aggregates (summarised), why the result is what it is, and what it
would take to pass (remedies; for a 差异系数, the ranked contributors).

The steps come from the tracing interpreter (compliance/run/interpreter.py) evaluating the
checked tree; the status is the closures' finding, and the two are tested to agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from .contributors import CvBreakdown, breakdown, cv_rows
from .run.closures import view_of
from .run.interpreter import InterpreterBackend, Step
from .fieldnames import field_labels
from .findings import Finding, citation_notes, format_number, threshold_source_note
from .lint import Analysis
from .logic import Unknown
from .record import RecordView
from .remedy import Remedy, remedies


@dataclass
class Explanation:
    finding: Finding
    rule: object
    analysis: Analysis
    when_steps: list[Step] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    remedies: list[Remedy] = field(default_factory=list)
    cv: CvBreakdown | None = None


def select(findings: list[Finding], rule: str, subject: str | None, section: str | None) -> list[Finding]:
    wanted = rule.casefold()   # `r1` is R1: rule codes are typed in either case
    chosen = [f for f in findings if f.rule.casefold() == wanted or f.rule.split("/", 1)[1].casefold() == wanted]
    if subject:
        chosen = [f for f in chosen if subject in (f.subject.school, f.subject.school_name)]
    if section:
        chosen = [f for f in chosen if f.subject.section == section]
    return chosen


class Tracer:
    """The tracing interpreter's steps for findings of one record: the record's view and
    the parameters in force are built once, not per finding."""

    def __init__(self, analysis: Analysis, data: dict, as_of):
        self.analysis = analysis
        self.view = view_of(data)
        self.program = InterpreterBackend().prepare(analysis, as_of)
        self.metas = {m.rule.qualified_id: m for m in self.program.prepared.rules}

    def steps(self, finding: Finding) -> dict[str, list[Step]]:
        """{"when": [...], "require": [...]} for the finding's rule and subject."""
        school, section = _entities(self.view, finding)
        subject = (finding.subject.kind, school, section, finding.subject.section, finding.subject.scope)
        return self.program.steps(self.metas[finding.rule], self.view, subject)


def explain(analysis: Analysis, finding: Finding, data: dict, as_of) -> Explanation:
    rule = next(r for r in analysis.rules if r.qualified_id == finding.rule)
    tracer = Tracer(analysis, data, as_of)
    steps = tracer.steps(finding)
    out = Explanation(finding, rule, analysis, steps.get("when", []), steps.get("require", []),
                      remedies(analysis, finding, data, as_of))
    if finding.status == "fail" and finding.subject.kind == "section_level":
        rows = cv_rows(analysis, rule, tracer.view, as_of, finding.subject.section)
        if rows:
            out.cv = breakdown(rows, finding.threshold)
    return out


def steps_as_data(tracer: Tracer, finding: Finding, limit: int = 80) -> list[dict]:
    """The step-by-step evaluation for the JSON report: at most `limit` steps (aggregates
    are already summarised as a count and their first members)."""
    out = []
    for part, steps in tracer.steps(finding).items():
        for st in steps:
            step = {"part": part, "depth": st.depth, "expression": _short(tracer.analysis.text_of(st.node), 200),
                    "value": _value(st.value, "en")}
            if st.pointer:
                step["pointer"] = st.pointer
            if st.note:
                step["note"] = st.note
            if st.count is not None:
                step["members"] = st.count
            if st.share is not None and not isinstance(st.share, Unknown):
                step["share"] = format_number(st.share)
            out.append(step)
    if len(out) > limit:
        out = out[:limit] + [{"part": "require", "depth": 0, "expression": f"… {len(out) - limit} more steps",
                              "value": ""}]
    return out


def _entities(view: RecordView, finding: Finding):
    entity = view.by_pointer.get(finding.subject.pointer)
    if entity is None:
        return None, None
    return (entity.school, entity) if entity.kind == "section" else (entity, None)


# ---- text ------------------------------------------------------------------------------

_STATUS = {"pass": ("达标", "pass"), "fail": ("未达标", "fail"), "unknown": ("待补数据", "unknown"),
           "not_applicable": ("不适用", "not applicable"), "pending": ("未到期", "pending")}


def _value(v, lang: str = "zh") -> str:
    zh = lang == "zh"
    if isinstance(v, Unknown):
        if v.missing:
            return ("缺数据（" if zh else "missing (") + field_labels(sorted(v.missing), lang) + ("）" if zh else ")")
        return ("无定义（" if zh else "undefined (") + ", ".join(f"{w}" for _, w in sorted(v.undefined)) + ("）" if zh else ")")
    if v is True:
        return "是" if zh else "true"
    if v is False:
        return "否" if zh else "false"
    if isinstance(v, dict):
        return ("，" if zh else ", ").join(f"{k} {_value(x, lang)}" for k, x in v.items())
    if hasattr(v, "pointer") and hasattr(v, "kind"):
        return v.pointer
    if isinstance(v, (list, tuple)):
        if v and all(hasattr(x, "pointer") for x in v):
            return f"{len(v)} 项" if zh else f"{len(v)} members"
        return "[" + ", ".join(_value(x, lang) for x in v[:8]) + (" …" if len(v) > 8 else "") + "]"
    return format_number(v) if isinstance(v, (int, Fraction)) else str(v)


_NOTES = {"met": ("达到要求", "met"), "near": ("未达到，但不低于要求的比例", "not met, within the allowed share"),
          "far": ("未达到，且低于要求的比例", "not met, below the allowed share"), "unknown": ("缺数据", "missing data")}


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _steps(steps: list[Step], analysis: Analysis, lang: str) -> list[str]:
    zh = lang == "zh"
    lines = []
    for st in steps:
        text = _short(analysis.text_of(st.node) or type(st.node).__name__)
        line = f"{'  ' * (st.depth + 1)}{text} = {_value(st.value, lang)}"
        if st.note:
            line += f"    【{_NOTES[st.note][0 if zh else 1]}】"
        if st.pointer:
            line += f"    ← {st.pointer}"
        if st.scale is not None and isinstance(st.value, (int, Fraction)) and not isinstance(st.value, bool):
            raw = format_number(Fraction(st.value) / st.scale)
            line += (f"（记录值 {raw}，×{format_number(st.scale)} 折算）" if zh
                     else f" (recorded {raw}, converted ×{format_number(st.scale)})")
        if st.share is not None and not isinstance(st.share, Unknown):
            names = {"primary": ("小学", "primary"), "junior": ("初中", "junior"), "high": ("高中", "senior high")}
            how = " : ".join(f"{names[lv][0 if zh else 1]} {format_number(n)}×{format_number(w)}" for lv, n, w in st.parts)
            line += (f"    （按学生数加权拆分 {how}，本学段占 {format_number(st.share, True)}）" if zh
                     else f"    (split by weighted students {how}: this section's share {format_number(st.share, True)})")
        lines.append(line)
        if st.count is not None:
            pad = "  " * (st.depth + 2)
            labels = [label if zh else label.replace("（小学）", " (primary)").replace("（初中）", " (junior)")
                      for label, _ in st.members]
            shown = ("；" if zh else "; ").join(f"{label} {_value(v, lang)}" for label, (_, v) in zip(labels, st.members))
            more = st.count - len(st.members)
            tail = (f" … 另 {more} 项" if zh else f" … {more} more") if more > 0 else ""
            lines.append(f"{pad}共 {st.count} 项：{shown}{tail}" if zh else f"{pad}{st.count} members: {shown}{tail}")
    return lines


def render_explanation(e: Explanation, lang: str = "zh") -> str:
    zh = lang == "zh"
    f, rule = e.finding, e.rule
    out = [f"{f.rule} {f.title} — {f.subject.label(lang)}"]
    c = f.citation
    where = " ".join(x for x in (c.get("document"), c.get("article"), c.get("item")) if x)
    colon = "：" if zh else ": "
    out.append(f"{'出处' if zh else 'source'}{colon}{where}  “{c.get('quote', '')}”")
    out.extend(citation_notes(c, zh))
    source = threshold_source_note(f.threshold_source, zh)
    if source:
        out.append(source)
    if f.overridden_citation:
        o = f.overridden_citation
        out.append(f"{'覆盖' if zh else 'overrides'}{colon}{o.get('document', '')} {o.get('article', '')}  “{o.get('quote', '')}”")
    if f.deadline:
        out.append(f"{'目标期限' if zh else 'deadline'}{colon}{f.deadline}" + (
            ("（未到期，计为目标进度，不计入结论）" if zh else " (ahead: reported as progress, not counted in the verdict)")
            if f.severity == "target" and f.status != "fail" else ""))
    if rule.when is not None:
        out.append(f"{'适用条件' if zh else 'applies when'}{colon}{rule.when.text.strip()}")
        out.extend(_steps(e.when_steps, e.analysis, lang))
    if f.severity == "veto":
        out.append("一票否决：存在该情形即不予认定" if zh else "veto: if this holds, the county cannot be certified")
    if rule.attestation:
        out.append(("认定方式：佐证材料（facts.attestations." + rule.id + "）") if zh
                   else f"judged on evidence (facts.attestations.{rule.id})")
    if rule.require is not None:
        out.append(f"{'条件' if zh else 'condition'}{colon}{rule.require.text.strip()}")
        out.extend(_steps(e.steps, e.analysis, lang))
    for pointer, value in f.inputs:
        if pointer.startswith("/facts/attestations/"):
            out.append(f"  {pointer} = {value}")
    status = _STATUS[f.status][0 if zh else 1]
    out.append(f"{'结果' if zh else 'result'}{colon}{status} — {f.message(lang)}")
    if f.progress is not None:
        out.append((f"进度：{format_number(f.progress, True)}（100% 为达到要求）" if zh
                    else f"progress: {format_number(f.progress, True)} (100% = met)"))
    if f.status == "fail" and f.severity in ("target", "advisory"):
        out.append("目标性或倡导性条款：未达成不计入结论" if zh else "target or advisory rule: a miss does not decide the verdict")
    if f.status == "unknown":
        out.append(("缺少的数据：" if zh else "missing: ") + field_labels(f.missing, lang))
    if f.status == "not_applicable":
        out.append(("原因：" if zh else "why: ") + (
            "、".join(w for _, w in f.undefined) + (" 为零或无定义" if zh else " zero or undefined") if f.undefined
            else ("适用条件不成立" if zh else "the applies-when condition is false")))
    if e.cv is not None:
        out.extend(_cv_lines(e.cv, lang))
    if e.remedies:
        out.append("距离达标：" if zh else "to comply:")
        out.extend(f"  · {r.text_zh if zh else r.text_en}" for r in e.remedies)
    return "\n".join(out) + "\n"


def _cv_lines(b: CvBreakdown, lang: str, top: int = 5) -> list[str]:
    zh = lang == "zh"
    lines = [(f"差异系数 {format_number(b.cv)}（上限 {format_number(b.limit)}），均值 {format_number(b.mean)}，"
              f"共 {len(b.ranked)} 所学校；贡献最大的：") if zh else
             (f"CV {format_number(b.cv)} (limit {format_number(b.limit)}), mean {format_number(b.mean)}, "
              f"{len(b.ranked)} schools; largest contributions:")]
    for c in b.ranked[:top]:
        lines.append((f"  {c.school_name}：{format_number(c.value)}（学生 {format_number(c.weight)}），"
                      f"占加权方差 {format_number(c.share, True)}；调到均值后差异系数为 {format_number(c.cv_at_mean)}") if zh else
                     (f"  {c.school_name}: {format_number(c.value)} ({format_number(c.weight)} students), "
                      f"{format_number(c.share, True)} of the variance; at the mean the CV would be {format_number(c.cv_at_mean)}"))
    if b.fix:
        school, old, new = b.fix
        name = next((c.school_name for c in b.ranked if c.school == school), school)
        lines.append((f"  只调一所学校的最小改动：{name} 由 {format_number(old)} 调到 {format_number(new)}") if zh else
                     (f"  smallest single-school change: {name} from {format_number(old)} to {format_number(new)}"))
    elif b.limit is not None and b.cv > b.limit:
        lines.append("  只调一所学校无法使差异系数达标" if zh else "  no single-school change brings the CV within the limit")
    return lines
