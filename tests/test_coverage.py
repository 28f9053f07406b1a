"""Document coverage maps."""
import shutil
import subprocess
import sys
from pathlib import Path

from compliance.coverage import load_coverage, numbered_paragraphs
from compliance.packs import Repository, load_pack

ROOT = Path(__file__).resolve().parents[1]


def test_national_pack_accounts_for_every_item():
    repo = Repository()
    cov = load_coverage(repo.load(repo.directory("national")))
    assert cov.diagnostics == [] and cov.missing == [] and cov.unmapped_rules == []
    assert cov.accounted == cov.total == 43
    items = [p.id for p in cov.paragraphs]
    assert sum(i.startswith("第六条（") for i in items) == 7
    assert sum(i.startswith("第七条（") for i in items) == 15
    assert sum(i.startswith("第八条（") for i in items) == 9
    assert sum(i.startswith("不予认定（") for i in items) == 6
    assert "基本条件" in items and "第九条" in items


def test_numbered_paragraphs_are_read_from_the_document():
    text = "一、指导思想\n正文\n二、主要目标\n（一）资源配置\n1．到2020年规模不超过2000人\n2.班额\n（二）质量\n三、保障措施\n"
    assert [pid for pid, _ in numbered_paragraphs(text)] == ["一、", "二、", "二、（一）", "二、（一）1.", "二、（一）2.",
                                                           "二、（二）", "三、"]


def test_a_forgotten_paragraph_and_an_unknown_rule_are_reported(tmp_path):
    pack_dir = tmp_path / "p"
    shutil.copytree(ROOT / "rules" / "national", pack_dir)
    (pack_dir / "document.txt").write_text("基本条件\n一、新增段落\n", encoding="utf-8")
    text = (pack_dir / "coverage.yaml").read_text(encoding="utf-8").replace("rules: [P1]", "rules: [P9]")
    (pack_dir / "coverage.yaml").write_text(text, encoding="utf-8")
    cov = load_coverage(load_pack(pack_dir))
    assert cov.missing == [("一、", "新增段落")]
    assert [d.code for d in cov.diagnostics] == ["E261"]
    assert cov.unmapped_rules == ["P1"]
    assert cov.accounted < cov.total
    result = subprocess.run([sys.executable, "-m", "compliance", "coverage", str(pack_dir)], capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 2 and "E261" in result.stderr and "未对照" in result.stdout


def test_coverage_command():
    result = subprocess.run([sys.executable, "-m", "compliance", "coverage", "national"], capture_output=True,
                            text=True, cwd=ROOT)
    assert result.returncode == 0 and "已对照 43/43 段（100.0%）" in result.stdout
