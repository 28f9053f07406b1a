"""Findings name the whole jurisdiction as the record does: 全县, 全区, 全市, 全省 — a city's
findings never say 全县 (issue 12, item 9)."""
import json
from pathlib import Path

import pytest

import compliance
from compliance.explain import explain, render_explanation
from compliance.findings import scope_words

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.mark.parametrize("jurisdiction, words", [
    ({"name": "张掖市", "level": "city"}, ("全市", "the city")),
    ({"name": "北京市", "level": "province"}, ("全市", "the province")),   # a 直辖市 says 全市
    ({"name": "延平区", "level": "county"}, ("全区", "the county")),
    ({"name": "示例县（未达标）", "level": "county"}, ("全县", "the county")),
    ({"name": "广西壮族自治区", "level": "province"}, ("全区", "the province")),
    ({"name": "甘肃", "level": "province"}, ("全省", "the province")),       # no suffix: the level
    ({"level": "city"}, ("全市", "the city")),
    ({"name": "某地"}, None),
    (None, None),
])
def test_scope_words(jurisdiction, words):
    assert scope_words(jurisdiction) == words


@pytest.mark.parametrize("example, word", [("zhangye-2024.json", "全市"), ("guigang-2021.json", "全市"),
                                           ("beijing-2024.json", "全市"), ("yanping-2024.json", "全区"),
                                           ("xx-county-2022.json", "全县")])
def test_reports_use_the_records_own_word(example, word):
    data = json.loads((EXAMPLES / example).read_text(encoding="utf-8"))
    findings = compliance.load(data["packs"]).check(data)
    whole = [f for f in findings if f.subject.kind == "jurisdiction"]
    assert whole and all(f.subject.label() == word for f in whole)
    others = {"全县", "全区", "全市", "全省"} - {word}
    # No message starts with another jurisdiction's word (titles quoting the text may name it).
    assert not [f.message() for f in whole if any(f.message().startswith(o) for o in others)]


def test_explain_of_a_city_rule_says_全市():
    data = json.loads((EXAMPLES / "zhangye-2024.json").read_text(encoding="utf-8"))
    checker = compliance.load(data["packs"])
    finding = next(f for f in checker.check(data) if f.rule == "zhangye/ZY-1-2027-SYSTEM")
    text = render_explanation(explain(checker.analysis_of(finding), finding, data, finding_date(data)))
    assert text.splitlines()[0].endswith("— 全市") and "全县" not in text
    english = render_explanation(explain(checker.analysis_of(finding), finding, data, finding_date(data)), "en")
    assert english.splitlines()[0].endswith("— the city")


def finding_date(data):
    import datetime
    return datetime.date.fromisoformat(data["as_of"])
