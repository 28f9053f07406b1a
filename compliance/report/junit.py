"""`--format junit`: the findings as JUnit XML, for CI systems that show test results.

One <testsuite> per record (its name is the record file), one <testcase> per rule × subject:
classname = the rule (`national/R1`), name = the subject (`松岭镇中心小学（小学）`, `全县`).
The outcome follows the exit status, so CI and the report agree:
- a failed must/veto rule is a <failure> with the finding's message;
- unknown (data missing) is an <error>: the rule could not be judged, and missing data is
  not success (exit 1) — `skipped` would show it as harmless;
- not applicable and pending (未到期) are <skipped> with the reason: neither decides the verdict;
- a missed target or advisory rule passes as a test (it does not decide the verdict either)
  and says so in <system-out>, so it is still read.
A record that cannot be checked is a suite with one <error> testcase per problem."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from ..unwritable import xml_safe
from .records import Checked

_DECISIVE = ("must", "veto")


def outcome_of(finding: dict) -> str:
    """failure | error | skipped | passed (with a note in system-out when a target was missed)."""
    status = finding["status"]
    if status == "fail":
        return "failure" if finding["severity"] in _DECISIVE else "passed"
    if status == "unknown":
        return "error"
    if status in ("not_applicable", "pending"):
        return "skipped"
    return "passed"


def render(records: list[Checked], lang: str = "zh") -> str:
    root = build(records, lang)
    for element in root.iter():     # names and messages are the record's words: XML-safe
        if element.text:
            element.text = xml_safe(element.text)
        for key, value in element.attrib.items():
            element.set(key, xml_safe(value))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def build(records: list[Checked], lang: str = "zh") -> ET.Element:
    zh = lang == "zh"
    root = ET.Element("testsuites", name="compliance")
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for record in records:
        suite = ET.SubElement(root, "testsuite", name=record.name)
        counts = dict.fromkeys(totals, 0)
        if record.report is None:
            for error in record.errors or ({"code": "invalid", "message": "数据无效" if zh else "invalid record"},):
                case = ET.SubElement(suite, "testcase", classname="input", name=_where(record.name, error))
                ET.SubElement(case, "error", message=error.get("message", ""), type=str(error.get("code"))).text = \
                    error.get("message", "")
                counts["tests"] += 1
                counts["errors"] += 1
        else:
            properties = ET.SubElement(suite, "properties")
            report = record.report
            for name, value in (("jurisdiction", record.jurisdiction), ("verdict", report["verdict"]),
                                ("as_of", report["as_of"]),
                                ("packs", ",".join(p["id"] for p in report["packs"]))):
                ET.SubElement(properties, "property", name=name, value=str(value))
            for i, finding in enumerate(report["findings"]):
                _, label = record.subject(i)
                counts["tests"] += 1
                kind = _add_case(suite, finding, label or finding["subject"].get("kind", ""), zh)
                if kind != "passed":
                    counts[{"failure": "failures", "error": "errors", "skipped": "skipped"}[kind]] += 1
        for key, n in counts.items():
            suite.set(key, str(n))
            totals[key] += n
    for key, n in totals.items():
        root.set(key, str(n))
    return root


def _add_case(suite: ET.Element, finding: dict, name: str, zh: bool) -> str:
    case = ET.SubElement(suite, "testcase", classname=finding["rule"], name=name)
    kind = outcome_of(finding)
    message = finding["message"]
    if kind == "failure":
        element = ET.SubElement(case, "failure", message=message, type=finding["severity"])
        element.text = _detail(finding, zh)
    elif kind == "error":
        element = ET.SubElement(case, "error", message=message, type="unknown")
        element.text = ("缺少数据：" if zh else "missing data: ") + ", ".join(finding.get("missing") or [])
    elif kind == "skipped":
        reason = {"not_applicable": ("不适用", "not applicable"), "pending": ("未到期", "pending")}[finding["status"]]
        ET.SubElement(case, "skipped", message=f"{reason[0 if zh else 1]}：{message}" if zh
                      else f"{reason[1]}: {message}")
    elif finding["status"] == "fail":     # a target or advisory rule missed: shown, not failed
        word = {"target": ("目标未达成", "target missed"), "advisory": ("倡导未落实", "advisory missed")}
        label = word.get(finding["severity"], (finding["severity"], finding["severity"]))[0 if zh else 1]
        ET.SubElement(case, "system-out").text = f"{label}：{message}" if zh else f"{label}: {message}"
    return kind


def _detail(finding: dict, zh: bool) -> str:
    citation = finding.get("citation") or {}
    lines = [finding["message"]]
    if finding.get("op") and finding.get("value") is not None:
        lines.append(("实际值 {v}，要求 {op} {t}" if zh else "value {v}, required {op} {t}").format(
            v=finding.get("value_exact") or finding["value"], op=finding["op"],
            t=finding.get("threshold_exact") or finding["threshold"]))
    where = " ".join(p for p in (citation.get("document"), (citation.get("article") or "") + (citation.get("item") or ""))
                     if p)
    if where:
        lines.append(("出处：" if zh else "source: ") + where + (f"  “{citation['quote']}”" if citation.get("quote") else ""))
    lines.extend(finding.get("trace") or [])
    return "\n".join(lines)


def _where(name: str, error: dict) -> str:
    if error.get("line"):
        return f"{name}:{error['line']}:{error.get('column') or 1}"
    if error.get("pointer") is not None:
        return f"{name}#{error['pointer'] or '/'}"
    return name
