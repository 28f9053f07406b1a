"""W311: a binding rule whose quote also carries an aim (推动, 鼓励, 支持…) — see lint._check_aims."""
from __future__ import annotations

from pathlib import Path

import pytest

from compliance.lint import aim_words, lint_paths

RULE = """rules:
  - id: T1
    title: 测试规则
    severity: {severity}
    applies_to: jurisdiction
    attestation: true
    citation:
      article: 第一条
      quote: {quote}
{reading}"""


def _w310(tmp_path: Path, severity="must", quote="建立机制,推动学校达到规定标准", reading=None) -> list:
    text = RULE.format(severity=severity, quote=quote,
                       reading=f"      reading: {reading}\n" if reading else "")
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    analyses, loose = lint_paths([path])
    return [d for a in analyses for d in a.diagnostics if d.code == "W311"] + [d for d in loose if d.code == "W311"]


def test_words_in_both_scripts_in_order():
    assert aim_words("建立跟蹤評估機制,推動校舍建設") == ["推动"]
    assert aim_words("鼓勵有條件的縣區,積極推進,逐步實現") == ["鼓励", "积极", "逐步"]
    assert aim_words("确保不低于当地公务员") == []


@pytest.mark.parametrize("severity", ["must", "veto"])
def test_binding_rule_with_aim_warns_at_the_quote(tmp_path, severity):
    [d] = _w310(tmp_path, severity)
    assert d.severity == "warning" and d.args["word"] == "推动" and d.location.line == 9


@pytest.mark.parametrize("severity", ["target", "advisory"])
def test_aims_as_aims_are_fine(tmp_path, severity):
    assert _w310(tmp_path, severity) == []


def test_reading_that_names_the_word_justifies(tmp_path):
    assert _w310(tmp_path, reading="“推动”后接的是本级政府自己的职责，整条具有约束力") == []


def test_reading_about_something_else_does_not(tmp_path):
    assert len(_w310(tmp_path, reading="原文第二句有编码损坏")) == 1


def test_each_word_once(tmp_path):
    found = _w310(tmp_path, quote="推动甲,支持乙,推动丙", reading="“支持”一句为本级职责")
    assert [d.args["word"] for d in found] == ["推动"]
