"""`compliance test`: the runner reports a wrong expectation with its evidence (exit 1), a
broken test file with its position (exit 2), coverage below --min-coverage (exit 1)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compliance.cli import main
from compliance.testcases import _apply, positional

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def beijing(tmp_path) -> Path:
    """A copy of the beijing pack whose tests we may rewrite."""
    target = tmp_path / "beijing"
    shutil.copytree(ROOT / "rules" / "local" / "beijing", target)
    for f in (target / "tests").glob("*.yaml"):
        f.unlink()
    return target


def write(pack: Path, text: str) -> Path:
    path = pack / "tests" / "cases.yaml"
    path.write_text(text, encoding="utf-8")
    return path


CASES = """\
record: record.json
as_of: 2024-09-01
cases:
  - name: 工资恰等于公务员：达标
    set: {/facts/teacher_avg_salary_yuan: 1000, /facts/civil_servant_avg_salary_yuan: 1000}
    expect: {BJ-17-SALARY: pass}
  - name: 少1元：未达标
    set: {/facts/teacher_avg_salary_yuan: 999, /facts/civil_servant_avg_salary_yuan: 1000}
    expect: {BJ-17-SALARY: fail}
"""


def test_passing_cases_exit_0_and_coverage_is_counted(beijing, capsys):
    write(beijing, CASES)
    assert main(["test", str(beijing), "--coverage"]) == 0
    out = capsys.readouterr().out
    assert "2 个用例" in out and "0 项不符" in out
    assert "beijing/BJ-7：缺少 pass、fail 用例" in out
    assert main(["test", str(beijing), "--min-coverage", "100"]) == 1
    assert "覆盖率低于 100%" in capsys.readouterr().out


def test_a_wrong_expectation_shows_expected_actual_and_inputs(beijing, capsys):
    write(beijing, CASES.replace("expect: {BJ-17-SALARY: fail}", "expect: {BJ-17-SALARY: pass}"))
    assert main(["test", str(beijing)]) == 1
    out = capsys.readouterr().out
    assert "cases.yaml:7" in out and "少1元：未达标" in out
    assert "期望 pass（达标），实际 fail（未达标）" in out
    assert "/facts/teacher_avg_salary_yuan = 999" in out
    assert main(["test", str(beijing), "--lang", "en"]) == 1
    assert "expected pass, got fail" in capsys.readouterr().out


@pytest.mark.parametrize("text,message,line", [
    (CASES.replace("BJ-17-SALARY: fail", "BJ-17-SALRY: fail"), "没有规则 'BJ-17-SALRY'", 9),
    (CASES.replace("/facts/teacher_avg_salary_yuan: 999", "/schools/9/students: 1"), "JSON 指针 /schools/9/students", 8),
    (CASES.replace("record: record.json", "record: nowhere.json"), "无法读取数据文件 nowhere.json", 1),
    (CASES.replace("teacher_avg_salary_yuan: 999", "teacher_avg_salary_yuan: -5"), "改写后的数据不符合格式", 7),
    (CASES.replace("expect: {BJ-17-SALARY: pass}", "expect: {BJ-17-SALARY: passed}"), "E103", 6),
])
def test_a_broken_test_file_is_positioned_and_exits_2(beijing, capsys, text, message, line):
    path = write(beijing, text)
    assert main(["test", str(beijing)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert f"{path}:{line}" in err


def test_pointers_by_id_year_or_position():
    record = {"schools": [{"id": "2021", "students": 1}, {"id": "B", "students": 2}],
              "history": [{"year": 2021, "x": 1}, {"year": 2022, "x": 2}]}
    assert _apply(record, "/schools/B/students", 5, remove=False) and record["schools"][1]["students"] == 5
    assert _apply(record, "/schools/2021/students", 7, remove=False) and record["schools"][0]["students"] == 7
    assert _apply(record, "/history/2022/x", 9, remove=False) and record["history"][1]["x"] == 9
    assert _apply(record, "/history/0/x", 3, remove=False) and record["history"][0]["x"] == 3
    assert positional(record, "/schools/B/students") == "/schools/1/students"
    assert positional(record, "/history/2022/x") == "/history/1/x"
    assert not _apply(record, "/schools/Z/students", 1, remove=False)
    assert _apply(record, "/history/2021/x", None, remove=True) and "x" not in record["history"][0]


def test_setting_a_field_the_schema_does_not_know_is_an_error(beijing, capsys):
    path = write(beijing, CASES.replace("/facts/teacher_avg_salary_yuan: 999", "/facts/teacher_salary: 999"))
    assert main(["test", str(beijing)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:7" in err and "/facts/teacher_salary" in err
