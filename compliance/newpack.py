"""`compliance new-pack ID`: the files of a new local pack, ready to be filled in.

It writes pack.yaml, params.yaml, coverage.yaml (every numbered paragraph of the document,
each marked `todo` — not yet encoded, which counts as not covered), one example rule
(advisory, attested, marked as an example to rewrite or delete: a pack needs one rule before
its tests can say anything), an example record and a test file for that rule, each with the
yaml-language-server modeline of the shipped packs. The pack is written to a temporary
folder and renamed into place, so a failed run leaves nothing; an existing folder is never
overwritten.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .coverage import DOCUMENT_FILE, numbered_paragraphs
from .diagnostics import Diagnostic, Location
from .resources import schema_file

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclass(frozen=True)
class Scaffold:
    id: str
    directory: Path
    files: tuple[str, ...]
    paragraphs: int


def _modeline(directory: Path, schema: str) -> str:
    target = os.path.relpath(schema_file(schema).resolve(), directory.resolve())
    return f"# yaml-language-server: $schema={Path(target).as_posix()}\n"


def _quoted(text: str) -> str:
    # JSON strings are valid YAML scalars: no escaping rules of our own.
    return json.dumps(text, ensure_ascii=False)


def rule_prefix(pack_id: str) -> str:
    return re.sub(r"[^A-Z0-9]", "-", pack_id.upper())


def create(pack_id: str, parent: str | None, document: Path | None, root: Path) -> tuple[Scaffold | None, Diagnostic | None]:
    """Write the pack `root/pack_id`; or say why not (bad id, existing folder, unreadable document)."""
    if not ID_PATTERN.fullmatch(pack_id):
        return None, Diagnostic("E294", Location(pack_id), {"id": pack_id})
    target = root / pack_id
    if target.exists():
        return None, Diagnostic("E293", Location(str(target)), {"id": pack_id, "path": str(target)})
    text = None
    if document is not None:
        from . import encoding
        try:
            text = encoding.read_text(document).text
        except OSError as exc:
            return None, Diagnostic("E100", Location(str(document)), {"reason": exc.strerror or str(exc)})
        except encoding.NotText as exc:
            return None, encoding.problem(exc, str(document))
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{pack_id}.", dir=root))
    try:
        files = _write(staging, target, pack_id, parent, document, text)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    paragraphs = len(numbered_paragraphs(text)) if text is not None else 0
    return Scaffold(pack_id, target, files, paragraphs), None


def _write(staging: Path, target: Path, pack_id: str, parent: str | None, document: Path | None,
           text: str | None) -> tuple[str, ...]:
    # Modelines are computed for the final place, not the staging folder beside it (same depth).
    title = _title(text) or f"{pack_id} 规则包"
    rule_id = f"{rule_prefix(pack_id)}-EXAMPLE"
    paragraphs = numbered_paragraphs(text) if text is not None else []
    written = []

    def put(name: str, content: str) -> None:
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
        written.append(name)

    extends = f"extends: {parent}\n" if parent else ""
    put("pack.yaml", _modeline(target, "pack.schema.json") +
        f"id: {pack_id}\n"
        f"title: {_quoted(title)}\n"
        "document:\n"
        f"  title: {_quoted(title)}\n"
        "  number: 文号待填\n"
        "version: \"草稿\"\n"
        f"{extends}"
        "level: county\n"
        "description: >-\n"
        "  由 compliance new-pack 生成。请填写文号、发文机关与日期，按段落编写规则，并在 coverage.yaml 中\n"
        "  把每段的 todo 改为 rules 或 not_checkable。\n")
    put("params.yaml", _modeline(target, "params.schema.json") +
        "# 本规则包的阈值。每个参数写 title、unit、reference（文件与条款）和按生效日期的取值，例如：\n"
        "#\n"
        "# example_rate:\n"
        "#   title: 某项比例\n"
        "#   unit: \"%\"\n"
        "#   reference: 文件名 三、（二）\n"
        "#   values: {2024-01-01: 90}\n")
    first = paragraphs[0] if paragraphs else None
    citation_article = first[0] if first else "（待填写条款编号）"
    citation_quote = first[1] if first and first[1] else "（待填写所编码条款的原文）"
    put("example.yaml", _modeline(target, "rules.schema.json") +
        "# 示例规则：说明规则的写法，请改写为文件中的条款，或删除本文件与 tests/example.yaml。\n"
        "# 它不在 coverage.yaml 中列为任何段落的规则，所以不会被算作已覆盖。\n"
        "aspect: 示例\n"
        "aspect_en: Example\n"
        "rules:\n"
        f"  - id: {rule_id}\n"
        "    title: 示例：以佐证材料认定的条款（请改写或删除）\n"
        "    title_en: \"Example: a clause judged from evidence (rewrite or delete)\"\n"
        "    severity: advisory\n"
        "    applies_to: jurisdiction\n"
        "    attestation: true\n"
        "    citation:\n"
        f"      document: {_quoted(title)}\n"
        f"      article: {_quoted(citation_article)}\n"
        f"      quote: {_quoted(citation_quote)}\n")
    put(f"coverage.yaml", _modeline(target, "coverage.schema.json") + _coverage(paragraphs, document))
    if text is not None:
        put(DOCUMENT_FILE, text if text.endswith("\n") else text + "\n")
    record = {
        "format_version": "1",
        "jurisdiction": {"code": "000000", "name": "示例县", "level": "county"},
        "year": 2024, "as_of": "2024-09-01", "packs": [pack_id],
        "facts": {"attestations": {rule_id: {"status": "met", "evidence": "示例佐证材料",
                                             "by": "示例县教育局", "date": "2024-08-30"}}},
    }
    put("tests/record.json", json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    put("tests/example.yaml", _modeline(target / "tests", "tests.schema.json") +
        f"description: 示例规则 {rule_id} 的测试：认定、未认定、缺材料三种情况\n"
        "record: record.json\n"
        "as_of: 2024-09-01\n"
        "cases:\n"
        f"  - name: 佐证材料认定已落实：达标\n"
        f"    expect: {{{rule_id}: pass}}\n"
        f"  - name: 佐证材料认定未落实：倡导未落实\n"
        f"    set: {{/facts/attestations/{rule_id}/status: not_met}}\n"
        f"    expect: {{{rule_id}: fail}}\n"
        f"  - name: 没有佐证材料：待补数据并指出字段\n"
        f"    remove: [/facts/attestations/{rule_id}]\n"
        "    expect:\n"
        f"      - {{rule: {rule_id}, status: unknown, missing: [/facts/attestations/{rule_id}]}}\n")
    return tuple(written)


def _title(text: str | None) -> str | None:
    """The document's title: the first short line that names a kind of policy document (a
    web copy often starts with navigation), else its first line. Only a draft to edit."""
    if not text:
        return None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines[:30]:
        if len(line) <= 80 and re.search(r"(方案|意见|办法|措施|通知|规划|决定|标准)$", line):
            return line
    return lines[0][:80] if lines else None


def _coverage(paragraphs: list[tuple[str, str]], document: Path | None) -> str:
    lines = ["note: >-"]
    if document is not None:
        lines.append(f"  段落编号由 compliance new-pack 从 {DOCUMENT_FILE}（复制自 {document.name}）读出。")
    lines.append("  每段写 rules（编码该段的规则）或 not_checkable（不可检查的理由）；todo 表示尚未编码，不计为已覆盖。")
    if not paragraphs:
        lines.append("paragraphs: []")
        return "\n".join(lines) + "\n"
    lines.append("paragraphs:")
    for pid, heading in paragraphs:
        lines.append(f"  - id: {_quoted(pid)}")
        lines.append(f"    heading: {_quoted(heading or pid)}")
        lines.append("    todo: 待编写规则，或改为 not_checkable 并写明理由")
    return "\n".join(lines) + "\n"
