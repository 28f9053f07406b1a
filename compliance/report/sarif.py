"""`--format sarif`: the findings as a SARIF 2.1.0 log, for code-scanning tools in CI.

One run for all records. Each rule of the packs that has a finding is a reportingDescriptor
(title, citation, quote as help); each finding that is not a pass is a result at the record
file, with the JSON pointer of its subject as a logical location. Passes and not-applicable
findings are left out unless `verbose`: a viewer lists every result as an item to look at,
and 800 passes would bury a county's 14 problems; their counts are in each artifact's
properties and the JSON report keeps them all. With `verbose` they are results of kind
"pass" / "notApplicable" (level "none", as SARIF requires for any kind but "fail")."""
from __future__ import annotations

import json
from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import quote

from .. import __version__
from .records import Checked

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/compliance-rules/compliance"
# Only must/veto failures decide the verdict: they are errors. Missing data is not success,
# so `unknown` is a warning; what does not decide the verdict is a note.
_LEVELS = {"unknown": "warning", "pending": "note"}
_DEFAULT_LEVEL = {"veto": "error", "must": "error", "target": "note", "advisory": "note"}
_QUIET_KINDS = {"pass": "pass", "not_applicable": "notApplicable"}


def level_of(finding: dict) -> str:
    if finding["status"] == "fail":
        return _DEFAULT_LEVEL.get(finding["severity"], "error")
    return _LEVELS.get(finding["status"], "none")


def artifact_uri(name: str) -> str:
    """The record file as a URI reference: relative paths stay relative (to the run's
    working directory, %SRCROOT%), absolute ones become file: URIs."""
    if "\\" in name and PureWindowsPath(name).drive:
        name = PureWindowsPath(name).as_posix()
    path = PurePosixPath(name.replace("\\", "/"))
    text = quote(path.as_posix(), safe="/")
    return "file://" + text if path.is_absolute() else text


def render(records: list[Checked], lang: str = "zh", verbose: bool = False) -> str:
    return json.dumps(build(records, lang, verbose), ensure_ascii=False, indent=2) + "\n"


def build(records: list[Checked], lang: str = "zh", verbose: bool = False) -> dict:
    rules: dict[str, int] = {}
    descriptors: list[dict] = []
    artifacts: list[dict] = []
    results: list[dict] = []
    notifications: list[dict] = []
    for record in records:
        index = len(artifacts)
        uri = artifact_uri(record.name)
        artifact: dict = {"location": _artifact_location(uri)}
        if record.report is None:
            artifact["properties"] = {"verdict": "invalid", "jurisdiction": record.jurisdiction}
            artifacts.append(artifact)
            notifications.extend(_notification(e, uri, index) for e in record.errors)
            continue
        report = record.report
        if report["input"].get("sha256"):
            artifact["hashes"] = {"sha-256": report["input"]["sha256"]}
        artifact["properties"] = {"jurisdiction": record.jurisdiction, "verdict": report["verdict"],
                                  "summary": report["summary"], "as_of": report["as_of"],
                                  "packs": [p["id"] for p in report["packs"]]}
        artifacts.append(artifact)
        for i, finding in enumerate(report["findings"]):
            if finding["status"] in _QUIET_KINDS and not verbose:
                continue
            if finding["rule"] not in rules:
                rules[finding["rule"]] = len(descriptors)
                descriptors.append(_descriptor(finding, lang))
            pointer, label = record.subject(i)
            results.append(_result(finding, rules[finding["rule"]], uri, index, pointer, label))
    driver = {"name": "compliance", "version": __version__, "semanticVersion": __version__,
              "informationUri": INFORMATION_URI, "rules": descriptors}
    invocation = {"executionSuccessful": not notifications}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run = {"tool": {"driver": driver}, "invocations": [invocation], "artifacts": artifacts,
           "results": results, "columnKind": "unicodeCodePoints",
           "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "当前工作目录" if lang == "zh"
                                                                 else "the working directory"}}}}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _artifact_location(uri: str, index: int | None = None) -> dict:
    out: dict = {"uri": uri}
    if not uri.startswith("file:"):
        out["uriBaseId"] = "%SRCROOT%"
    if index is not None:
        out["index"] = index
    return out


def _citation_text(citation: dict) -> str:
    parts = [citation.get("document") or "", (citation.get("article") or "") + (citation.get("item") or "")]
    return " ".join(p for p in parts if p)


def _descriptor(finding: dict, lang: str) -> dict:
    citation = finding.get("citation") or {}
    where = _citation_text(citation)
    quote_text = citation.get("quote") or ""
    zh = lang == "zh"
    # The rule's own title in English where it has one; the quote stays the document's words.
    title = finding["title"] if zh else finding.get("title_en") or finding["title"]
    help_lines = [f"出处：{where}" if zh else f"Source: {where}"]
    if quote_text:
        help_lines.append(f"“{quote_text}”")
    markdown = f"**{title}**\n\n{help_lines[0]}" + (f"\n\n> {quote_text}" if quote_text else "")
    out = {"id": finding["rule"],
           "shortDescription": {"text": title},
           "fullDescription": {"text": f"{title}（{where}）" if zh and where
                               else f"{title} ({where})" if where else title},
           "help": {"text": "\n".join(help_lines), "markdown": markdown},
           "defaultConfiguration": {"level": _DEFAULT_LEVEL.get(finding["severity"], "error")},
           "properties": {"severity": finding["severity"], "citation": citation,
                          "tags": [t for t in (finding.get("aspect"), finding["severity"]) if t]}}
    if finding.get("aspect"):
        out["properties"]["aspect"] = finding["aspect"]
    return out


def _result(finding: dict, rule_index: int, uri: str, artifact: int, pointer: str, label: str) -> dict:
    location = {"physicalLocation": {"artifactLocation": _artifact_location(uri, artifact)},
                "logicalLocations": [{"fullyQualifiedName": pointer, "name": label or pointer or "/",
                                      "kind": "object"}]}
    result = {"ruleId": finding["rule"], "ruleIndex": rule_index, "level": level_of(finding),
              "message": {"text": finding["message"]}, "locations": [location]}
    if finding["status"] in _QUIET_KINDS:
        result["kind"] = _QUIET_KINDS[finding["status"]]
    missing = finding.get("missing") or []
    if missing:   # where the missing data should be: one related location per field
        result["relatedLocations"] = [
            {"id": n, "physicalLocation": location["physicalLocation"],
             "logicalLocations": [{"fullyQualifiedName": p, "kind": "member"}],
             "message": {"text": p}} for n, p in enumerate(missing, 1)]
    properties = {"status": finding["status"], "severity": finding["severity"], "subject": finding["subject"]}
    for key in ("value", "threshold", "op", "value_exact", "threshold_exact", "deadline", "progress"):
        if finding.get(key) is not None:
            properties[key] = finding[key]
    result["properties"] = properties
    return result


def _notification(error: dict, uri: str, artifact: int) -> dict:
    physical: dict = {"artifactLocation": _artifact_location(uri, artifact)}
    if error.get("line"):
        physical["region"] = {"startLine": error["line"], "startColumn": max(1, error.get("column") or 1)}
    location: dict = {"physicalLocation": physical}
    if error.get("pointer") is not None:
        location["logicalLocations"] = [{"fullyQualifiedName": error["pointer"], "kind": "member"}]
    return {"level": "error", "message": {"text": error.get("message", "")},
            "descriptor": {"id": str(error.get("code", "error"))}, "locations": [location]}
