"""`compliance new-pack`: what it writes lints, tests and reads clean, and claims no coverage."""
import re
from pathlib import Path

import yaml

from compliance.cli import main
from compliance.coverage import numbered_paragraphs

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = ROOT / "rules" / "local" / "yanping" / "document.txt"


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_scaffold_with_document_lints_tests_and_lists_paragraphs_as_todo(capsys, tmp_path):
    document = tmp_path / "方案.txt"
    document.write_text(DOCUMENT.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, _ = run(capsys, "new-pack", "mycounty", "--extends", "national", "--document", document,
                       "--dir", tmp_path / "local")
    assert code == 0, out
    pack = tmp_path / "local" / "mycounty"
    assert "已新建规则包 mycounty" in out
    for name in ("pack.yaml", "params.yaml", "coverage.yaml", "example.yaml", "document.txt",
                 "tests/record.json", "tests/example.yaml"):
        assert (pack / name).is_file(), name
    # Every YAML file names its schema the way the shipped packs do, and the path resolves.
    for name in ("pack.yaml", "params.yaml", "coverage.yaml", "example.yaml", "tests/example.yaml"):
        first = (pack / name).read_text(encoding="utf-8").splitlines()[0]
        m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+\.schema\.json)", first)
        assert m and ((pack / name).parent / m[1]).resolve().is_file(), (name, first)
    meta = yaml.safe_load((pack / "pack.yaml").read_text(encoding="utf-8"))
    assert meta["id"] == "mycounty" and meta["extends"] == "national"

    coverage = yaml.safe_load((pack / "coverage.yaml").read_text(encoding="utf-8"))
    expected = [pid for pid, _ in numbered_paragraphs(DOCUMENT.read_text(encoding="utf-8"))]
    assert [p["id"] for p in coverage["paragraphs"]] == expected and len(expected) > 10
    assert all("todo" in p and "rules" not in p and "not_checkable" not in p for p in coverage["paragraphs"])

    code, out, err = run(capsys, "lint", pack)
    assert code == 0 and "0 个错误，0 个警告" in out, out + err
    code, out, err = run(capsys, "test", pack)
    assert code == 0 and "3 个用例" in out and "0 项不符" in out and err == "", out + err
    # Not yet encoded is not covered: 0 of the document's paragraphs, and coverage exits 1.
    code, out, _ = run(capsys, "coverage", pack)
    assert code == 1 and f"已对照 0/{len(expected)} 段" in out and "尚未编码" in out and "不可检查：" not in out


def test_scaffold_without_document_or_parent_is_clean_too(capsys, tmp_path):
    code, out, _ = run(capsys, "new-pack", "blank", "--dir", tmp_path, "--lang", "en")
    assert code == 0 and "created rule pack blank" in out
    pack = tmp_path / "blank"
    assert not (pack / "document.txt").exists()
    assert yaml.safe_load((pack / "coverage.yaml").read_text(encoding="utf-8"))["paragraphs"] == []
    assert run(capsys, "lint", pack)[0] == 0
    code, out, _ = run(capsys, "test", pack)
    assert code == 0 and "0 项不符" in out


def test_the_example_tests_can_fail(capsys, tmp_path):
    run(capsys, "new-pack", "demo", "--dir", tmp_path)
    record = tmp_path / "demo" / "tests" / "record.json"
    record.write_text(record.read_text(encoding="utf-8").replace('"met"', '"not_met"'), encoding="utf-8")
    code, out, _ = run(capsys, "test", tmp_path / "demo")
    assert code == 1 and "0 项不符" not in out


def test_refuses_to_overwrite_and_bad_ids(capsys, tmp_path):
    assert run(capsys, "new-pack", "demo", "--dir", tmp_path)[0] == 0
    pack_yaml = (tmp_path / "demo" / "pack.yaml").read_text(encoding="utf-8")
    (tmp_path / "demo" / "params.yaml").write_text("# edited by hand\n", encoding="utf-8")
    code, _, err = run(capsys, "new-pack", "demo", "--dir", tmp_path)
    assert code == 2 and "E293" in err and "已存在" in err
    assert (tmp_path / "demo" / "params.yaml").read_text(encoding="utf-8") == "# edited by hand\n"
    assert (tmp_path / "demo" / "pack.yaml").read_text(encoding="utf-8") == pack_yaml
    code, _, err = run(capsys, "new-pack", "demo", "--dir", tmp_path, "--lang", "en")
    assert code == 2 and "already exists" in err
    code, _, err = run(capsys, "new-pack", "My County", "--dir", tmp_path)
    assert code == 2 and "E294" in err and not (tmp_path / "My County").exists()
    code, _, err = run(capsys, "new-pack", "other", "--extends", "nationl", "--dir", tmp_path)
    assert code == 2 and "E115" in err and not (tmp_path / "other").exists()
    code, _, err = run(capsys, "new-pack", "other", "--document", tmp_path / "missing.txt", "--dir", tmp_path)
    assert code == 2 and "E100" in err and not (tmp_path / "other").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo"]     # no staging folder left behind
