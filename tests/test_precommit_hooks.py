"""`.pre-commit-hooks.yaml`: the hooks a rules repository runs on commit. Each hook's entry and
default args are run here through the CLI function, in a copy of a rules repository (a
`rules/` folder), as pre-commit would run them there."""
from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest
import yaml

from compliance.cli import main

ROOT = Path(__file__).resolve().parents[1]
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
BY_ID = {h["id"]: h for h in HOOKS}


def test_the_manifest_declares_both_hooks_as_pre_commit_expects():
    assert set(BY_ID) == {"compliance-lint", "compliance-test"}
    for hook in HOOKS:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"          # installs this package, which provides `compliance`
        assert hook["pass_filenames"] is False       # the whole pack is checked, not the files staged
        assert re.search(hook["files"], "rules/local/x/params.yaml")
        assert re.search(hook["files"], "rules/local/x/tests/record.json")
        assert not re.search(hook["files"], "README.md")


def _argv(hook: dict) -> list[str]:
    words = shlex.split(hook["entry"]) + [str(a) for a in hook.get("args", [])]
    assert words[0] == "compliance"                  # the console script of pyproject.toml
    return words[1:]


@pytest.fixture
def rules_repository(tmp_path, monkeypatch) -> Path:
    shutil.copytree(ROOT / "rules" / "local" / "beijing", tmp_path / "rules" / "local" / "beijing")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("hook_id", ["compliance-lint", "compliance-test"])
def test_each_hook_passes_on_a_clean_rules_repository(rules_repository, hook_id, capsys):
    assert main(_argv(BY_ID[hook_id])) == 0
    out = capsys.readouterr().out
    assert "beijing" in out or "1 个规则包" in out


def test_the_hooks_fail_a_commit_that_breaks_the_rules(rules_repository, capsys):
    params = rules_repository / "rules/local/beijing/params.yaml"
    params.write_text(params.read_text(encoding="utf-8").replace("values: {2014-10-23: 100}", "values: {2014-10-23: 百}", 1),
                      encoding="utf-8")
    assert main(_argv(BY_ID["compliance-lint"])) == 2
    captured = capsys.readouterr()
    assert "rules/local/beijing/education.yaml:16:42: 错误 E220" in captured.err


def test_the_test_hook_fails_when_a_boundary_case_is_deleted(rules_repository, capsys):
    tests = rules_repository / "rules/local/beijing/tests/education.yaml"
    text = tests.read_text(encoding="utf-8")
    start = text.index("  - name: 掌握“2+1”的学生恰为100%")
    end = text.index("  - name:", start + 1)
    tests.write_text(text[:start] + text[end:], encoding="utf-8")
    assert main(_argv(BY_ID["compliance-test"])) == 1
    out = capsys.readouterr().out
    assert "存活：beijing: params.bj_pe_art_2plus1_share" in out
