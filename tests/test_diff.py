"""`compliance diff`: which findings a rule change changes, on copies of the shipped rules."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from compliance.cli import main

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
RECORDS = [EXAMPLES / "county-pass.json", EXAMPLES / "county-fail.json"]
SCHEMA = json.loads((ROOT / "compliance" / "schemas" / "diff.schema.json").read_text(encoding="utf-8"))


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def raise_r1(rules: Path, value: str) -> None:
    """r1's primary threshold, 4.2 in the document, raised (or lowered) in a copy of the rules."""
    params = rules / "national" / "params.yaml"
    text = params.read_text(encoding="utf-8")
    old = "  reference: 教督〔2017〕6号 第六条（一）\n  primary: {2017-05-12: 4.2}"
    assert old in text
    params.write_text(text.replace(old, old.replace("4.2}", f"{value}}}")), encoding="utf-8")


@pytest.fixture
def raised(tmp_path_factory):
    """The shipped rules against a copy with r1 primary raised to 5.2, judged for the two records."""
    from compliance.diff import compare, read_records
    new = tmp_path_factory.mktemp("diff") / "rules"
    shutil.copytree(ROOT / "rules", new)
    raise_r1(new, "5.2")
    records, problems = read_records([str(r) for r in RECORDS], None)
    assert problems == []
    return compare(ROOT / "rules", new, records), new


def test_raised_r1_lists_the_schools_that_flip_in_text_and_json(raised):
    from compliance.report.diff_report import render_text
    result, new = raised
    assert result.changed          # what makes the command exit 1
    out = render_text(result, str(ROOT / "rules"), str(new))
    # county-pass: 第二小学 5.0955 and 北门学校 5.1282 fall below 5.2; county-fail: 城东小学 5.096.
    assert "national/R1 小学 4.2 → 5.2：3 所学校由达标变为未达标（2 个县）；结论变化：1 个县" in out
    for school in ("示例县第二小学（小学）", "示例县北门学校（小学）", "示例县城东小学（小学）"):
        assert f"{school}：达标 → 未达标" in out
    assert "示例县城西小学" not in out      # 5.318 still passes 5.2 in county-fail
    assert "national/r1_teachers_above_degree_per_100" in out and "params.yaml:4）" in out
    assert "examples/county-pass.json" in out.replace("\\", "/") and "结论 通过 → 未通过" in out
    assert "结论不变（未通过）" in out       # county-fail failed already

    # The same result as JSON (one judgement for both: it is the costly part).
    from compliance.report.diff_report import render_json
    doc = json.loads(render_json(result, str(ROOT / "rules"), str(new)))
    assert list(Draft202012Validator(SCHEMA).iter_errors(doc)) == []
    assert doc["summary"] == {"records": 2, "records_changed": 2, "verdicts_changed": 1, "findings_changed": 3}
    (param,) = doc["params"]
    assert (param["name"], param["level"], param["old"][0]["value"], param["new"][0]["value"], param["line"]) == \
        ("r1_teachers_above_degree_per_100", "primary", "4.2", "5.2", 4)
    (rule,) = doc["by_rule"]
    assert rule["rule"] == "national/R1" and rule["params"] == ["r1_teachers_above_degree_per_100"]
    assert rule["transitions"] == [{"from": "pass", "to": "fail", "subject_kind": "school_section",
                                    "findings": 3, "subjects": 3, "records": 2}]
    assert {c["new_threshold"] for c in rule["changes"]} == {5.2}
    assert {c["old_threshold"] for c in rule["changes"]} == {4.2}
    pass_record = next(r for r in doc["records"] if r["path"].endswith("county-pass.json"))
    assert pass_record["verdict"] == {"old": "pass", "new": "fail"}

    # And as a page: the headline, each school that flips, and the verdict that changes.
    from compliance.report.diff_report import render_html
    page = render_html(result, str(ROOT / "rules"), str(new))
    assert page.startswith("<!DOCTYPE html>") and "default-src 'none'" in page
    assert "national/R1 小学 4.2 → 5.2：3 所学校由达标变为未达标（2 个县）" in page
    for school in ("示例县第二小学（小学）", "示例县北门学校（小学）", "示例县城东小学（小学）"):
        assert f"<td>{school}</td><td>达标</td><td>未达标</td>" in page
    assert "通过 → 未通过" in page and "示例县城西小学" not in page


def test_same_rules_change_nothing_and_exit_0(capsys):
    code, out, _ = run(capsys, "diff", ROOT / "rules", ROOT / "rules", RECORDS[0])
    assert code == 0
    assert "两套规则的参数与规则定义相同" in out and "合计：0 项结果状态变化" in out


def test_a_change_without_effect_is_listed_but_exits_0(capsys, tmp_path):
    new = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", new)
    raise_r1(new, "4.3")            # every primary school of county-pass has more than 5
    code, out, _ = run(capsys, "diff", ROOT / "rules", new, RECORDS[0], "--lang", "en")
    assert code == 0
    assert "parameters changed:" in out and "primary 4.2 → 4.3" in out
    assert "total: 0 finding(s) changed status in 0 record(s); 0 verdict(s) changed" in out


def test_lowered_threshold_flips_back_in_english(capsys, tmp_path):
    new = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", new)
    raise_r1(new, "3.7")            # 松岭镇中心小学 3.7611 now passes
    code, out, _ = run(capsys, "diff", ROOT / "rules", new, RECORDS[1], "--lang", "en")
    assert code == 1
    assert "national/R1 primary 4.2 → 3.7: 1 school from fail to pass (1 county)" in out
    assert "松岭镇中心小学 (primary): fail → pass" in out


def test_bad_input_exits_2_with_a_position(capsys, tmp_path):
    assert run(capsys, "diff", ROOT / "rules", RECORDS[0])[0] == 2          # NEW_RULES missing
    code, _, err = run(capsys, "diff", ROOT / "rules", tmp_path / "nowhere", RECORDS[0])
    assert code == 2 and "E106" in err
    broken = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", broken)
    raise_r1(broken, "[")           # a YAML syntax error in params.yaml
    code, _, err = run(capsys, "diff", ROOT / "rules", broken, RECORDS[0], "-o", tmp_path / "out.txt")
    assert code == 2 and "params.yaml:8:" in err
    assert not (tmp_path / "out.txt").exists()
    bad = tmp_path / "bad.json"
    bad.write_text('{"format_version": "1", "year": "x"}', encoding="utf-8")
    code, _, err = run(capsys, "diff", ROOT / "rules", ROOT / "rules", bad)
    assert code == 2 and "bad.json#" in err


def _git(cwd, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_old_rules_from_a_git_revision(capsys, tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "rules", repo / "rules")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "rules as shipped")
    raise_r1(repo / "rules", "5.2")             # the working tree: the edit being considered
    monkeypatch.chdir(repo)
    code, out, _ = run(capsys, "diff", "--old-rev", "HEAD", "rules", RECORDS[0])
    assert code == 1
    assert "HEAD:rules → rules" in out and "2 所学校由达标变为未达标（1 个县）" in out
    code, _, err = run(capsys, "diff", "--old-rev", "no-such-rev", "rules", RECORDS[0])
    assert code == 2 and "E291" in err and "no-such-rev" in err
    code, _, err = run(capsys, "diff", "--old-rev", "HEAD", tmp_path, RECORDS[0])   # outside the repository
    assert code == 2 and "E290" in err


def test_removed_rules_are_named_and_their_findings_become_absent(capsys, tmp_path):
    new = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", new)
    (new / "national" / "vetoes.yaml").unlink()      # V1 … V6 gone; county-fail failed V3
    code, out, _ = run(capsys, "diff", ROOT / "rules", new, RECORDS[1], "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert "national/V3" in doc["rules_removed"] and doc["params"] == [] and doc["rules_added"] == []
    v3 = next(r for r in doc["by_rule"] if r["rule"] == "national/V3")
    assert v3["transitions"] == [{"from": "fail", "to": "absent", "subject_kind": "jurisdiction",
                                  "findings": 1, "subjects": 1, "records": 1}]
    assert "规则已删除" in v3["headline"]


def test_an_output_of_a_format_diff_cannot_write_is_refused(capsys, tmp_path):
    code, out, err = run(capsys, "diff", ROOT / "rules", ROOT / "rules", RECORDS[0], "-o", tmp_path / "d.xlsx")
    assert code == 2 and "E138" in err and "不能写成 xlsx 格式" in err and list(tmp_path.iterdir()) == []
