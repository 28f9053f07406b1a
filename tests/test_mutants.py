"""`compliance test --mutants`: the threshold-mutation gate as a command, and coverage counted
against each rule's effective parameters (a pack that redefines an inherited threshold must
test the inherited rules that read it)."""
from __future__ import annotations

import datetime
import shutil
from fractions import Fraction
from pathlib import Path


from compliance.cli import main
from compliance.mutants import GateResult, Mutant, render_gate

ROOT = Path(__file__).resolve().parents[1]


def _copy(tmp_path: Path, local: str) -> Path:
    """rules/national and one local pack, copied: the local pack extends national."""
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules" / "national", rules / "national")
    shutil.copytree(ROOT / "rules" / "local" / local, rules / "local" / local)
    return rules / "local" / local


def _delete_case(file: Path, name: str) -> None:
    """Remove the case called `name` (from its `- name:` line to the next case) from a test file."""
    lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, l in enumerate(lines) if l.strip() == f"- name: {name}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("- name:")), len(lines))
    file.write_text("".join(lines[:start] + lines[end:]), encoding="utf-8")


def test_a_shipped_pack_kills_every_mutant(capsys):
    # One small pack here: every pack's gate runs in test_rule_cases.py already.
    assert main(["test", "--mutants", str(ROOT / "rules/local/beijing")]) == 0
    assert "beijing：变异 4 个，存活 0 个" in capsys.readouterr().out


def test_a_deleted_boundary_case_lets_a_mutant_survive_and_exits_1(tmp_path, capsys):
    pack = _copy(tmp_path, "xx-county")
    _delete_case(pack / "tests/governance.yaml", "交流教师恰为符合条件教师的10%（160/1600）：达标（“以上”含本数）")
    # Without the gate the remaining cases pass and coverage is still 100 %…
    assert main(["test", "--min-coverage", "100", str(pack)]) == 0
    capsys.readouterr()
    # …but 10 % → 11 % is no longer noticed. --mutants and --min-coverage combine.
    assert main(["test", "--mutants", "--min-coverage", "100", str(pack)]) == 1
    out = capsys.readouterr().out
    assert "xx-county：变异 12 个，存活 1 个" in out
    assert "    存活：xx-county: params.xx_rotation_share（2021-01-01 起）10 → 11，调高一步" in out
    assert "共 1 个阈值变异未被任何用例发现" in out
    assert "覆盖率低于" not in out


def test_survivors_are_described_in_english_too():
    mutant = Mutant("yanping", "r1_teachers_above_degree_per_100", "junior", datetime.date(2017, 5, 12),
                    Fraction(53, 10), Fraction(52, 10))
    out = render_gate([GateResult("yanping", 34, (mutant,))], "en")
    assert "yanping: 34 mutants, 1 survive" in out
    assert "survives: yanping: params.r1_teachers_above_degree_per_100 junior (from 2017-05-12) 5.3 → 5.2, one step down" in out
    assert "初中（2017-05-12 起）5.3 → 5.2，调低一步" in mutant.describe("zh")


TIGHTENED = """
r1_teachers_above_degree_per_100:
  title: 每百名学生拥有高于规定学历教师数
  unit: 人/百生
  reference: 延平区（假设）收紧国家第六条（一）
  primary: {2017-05-12: 4.5}
  junior: {2017-05-12: 5.3}
"""

TIGHTENED_CASES = """record: record.json
as_of: 2024-09-01
cases:
  - name: P1 恰为4.5人/百生：达标
    set: {/schools/P1/sections/primary/students: 1000, /schools/P1/sections/primary/teachers_above_required_degree: 45}
    expect:
      - {rule: national/R1, subject: P1, section: primary, status: pass, value: 4.5}
      - {rule: national/R-SCHOOL, subject: P1, section: primary, status: pass}
  - name: P1 为4.4人/百生：未达标
    set: {/schools/P1/sections/primary/students: 1000, /schools/P1/sections/primary/teachers_above_required_degree: 44}
    expect:
      - {rule: national/R1, subject: P1, section: primary, status: fail}
  - name: P1 为42/1100，低于4.5的85%：该校未达标
    set: {/schools/P1/sections/primary/teachers_above_required_degree: 42}
    expect:
      - {rule: national/R-SCHOOL, subject: P1, section: primary, status: fail}
  - name: J1 恰为5.3
    set: {/schools/J1/sections/junior/teachers_above_required_degree: 53}
    expect:
      - {rule: national/R1, subject: J1, section: junior, status: pass}
  - name: J1 为5.2
    set: {/schools/J1/sections/junior/teachers_above_required_degree: 52}
    expect:
      - {rule: national/R1, subject: J1, section: junior, status: fail}
"""


def test_a_tightened_inherited_threshold_needs_its_own_cases(tmp_path, capsys):
    pack = _copy(tmp_path, "yanping")
    with (pack / "params.yaml").open("a", encoding="utf-8") as f:
        f.write(TIGHTENED)
    assert main(["test", "--coverage", "--min-coverage", "100", "--mutants", str(pack)]) == 1
    out = capsys.readouterr().out
    # national/R1 and R-SCHOOL read the redefined parameter: yanping answers for them now.
    assert "national/R1：缺少 pass、fail 用例" in out
    assert "national/R-SCHOOL：缺少 pass、fail 用例" in out
    assert "覆盖率低于 100%：yanping" in out
    assert "params.r1_teachers_above_degree_per_100 小学（2017-05-12 起）4.5 → 4.6，调高一步" in out
    assert "params.r1_teachers_above_degree_per_100 初中（2017-05-12 起）5.3 → 5.2，调低一步" in out

    (pack / "tests/tightened.yaml").write_text(TIGHTENED_CASES, encoding="utf-8")
    assert main(["test", "--coverage", "--min-coverage", "100", "--mutants", str(pack)]) == 0
    out = capsys.readouterr().out
    assert "100.0%" in out and "存活 0 个" in out
