"""The on-disk cache of analysed packs: the same findings and diagnostics as a fresh
analysis, invalidated by any change of a pack file, robust against broken entries."""
import json
import os
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from compliance import cache, cli
from compliance.dsl import ast
from compliance.engine import Checker, load_checker
from compliance.lint import analyze
from compliance.packs import Repository

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
RULES = ROOT / "rules"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(folder))
    monkeypatch.delenv("COMPLIANCE_NO_CACHE", raising=False)
    return folder


def entries(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.pickle")) if folder.is_dir() else []


def records_of(pack_id: str) -> list[dict]:
    """The shipped records that use a pack: its own test record and the examples naming it."""
    out = []
    for path in [*sorted(EXAMPLES.glob("*.json")), *sorted(RULES.glob("**/tests/record.json"))]:
        data = json.loads(path.read_text(encoding="utf-8"))
        if pack_id in (data.get("packs") or ["national"]) or path.parent.parent.name == pack_id:
            out.append(data)
    return out


@pytest.mark.parametrize("pack_id", sorted(Repository().ids()))
def test_cached_analysis_gives_the_findings_and_diagnostics_of_a_fresh_one(cache_dir, pack_id):
    repository = Repository()
    directory = repository.directory(pack_id)
    fresh = analyze(repository.load(directory), repository)
    cache.cached_analysis(directory, Repository())          # analyses and stores
    assert len(entries(cache_dir)) == 1
    key = cache._key(cache._chain_dirs(directory, Repository()))
    stored = cache._read(cache_dir, directory, key)         # what the next process reads
    assert stored is not None and stored is not fresh
    assert stored.diagnostics == fresh.diagnostics
    assert [r.qualified_id for r in stored.rules] == [r.qualified_id for r in fresh.rules]
    records = records_of(pack_id)
    assert records, pack_id
    for data in records:
        assert Checker([stored]).check(data) == Checker([fresh]).check(data)


def test_ids_of_nodes_are_rebuilt_on_load(cache_dir):
    directory = RULES / "national"
    cache.cached_analysis(directory, Repository())
    stored = cache._read(cache_dir, directory, cache._key(cache._chain_dirs(directory, Repository())))
    resolved = 0
    for checked in stored.checked.values():
        ids = {id(n) for n in ast.walk(checked.node)}
        # An expression of literals alone (known(reported("r1_cv"))) resolves no names.
        resolved += len(checked.resolutions)
        assert checked.resolutions.keys() <= ids
        assert checked.types and checked.types.keys() <= ids
    assert resolved > 0
    rule = next(r for r in stored.rules if r.require is not None)
    assert stored.text_of(rule.require.node) == rule.require.text.strip()


def check_report(record: Path, out: Path) -> bytes:
    status = cli.main(["check", str(record), "--format", "json", "--output", str(out)])
    assert status in (0, 1)
    return out.read_bytes()


@pytest.mark.parametrize("example", ["county-fail.json", "county-missing.json"])
def test_report_from_cache_is_byte_identical(cache_dir, tmp_path, monkeypatch, example):
    """The whole JSON report — findings, traces, remedies, explain steps — with and without the cache."""
    monkeypatch.setenv("COMPLIANCE_NO_CACHE", "1")
    uncached = check_report(EXAMPLES / example, tmp_path / "a.json")
    assert entries(cache_dir) == []
    monkeypatch.delenv("COMPLIANCE_NO_CACHE")
    first = check_report(EXAMPLES / example, tmp_path / "b.json")     # miss: analyse, store
    assert len(entries(cache_dir)) == 1
    second = check_report(EXAMPLES / example, tmp_path / "c.json")    # hit
    assert uncached == first == second


def copy_packs(tmp_path: Path) -> Path:
    """Copies of the national pack and of yanping, which extends it (the copies shadow the shipped ones)."""
    root = tmp_path / "rules"
    shutil.copytree(RULES / "national", root / "national", ignore=shutil.ignore_patterns("tests"))
    shutil.copytree(RULES / "local" / "yanping", root / "yanping", ignore=shutil.ignore_patterns("tests"))
    return root


def edit_keeping_mtime(path: Path, old: str, new: str) -> None:
    """Change a file's contents but not its times: the cache must look at contents."""
    stat = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_editing_a_rule_file_invalidates(cache_dir, tmp_path):
    root = copy_packs(tmp_path)
    national = root / "national"
    before = cache.cached_analysis(national, Repository([root]))
    assert next(r for r in before.rules if r.id == "R1").title_en == "Teachers above the required degree per 100 students"
    edit_keeping_mtime(national / "resources.yaml", "title_en: Teachers above the required degree per 100 students",
                       "title_en: Teachers with more than the required degree per 100 students")
    after = cache.cached_analysis(national, Repository([root]))
    assert next(r for r in after.rules if r.id == "R1").title_en == "Teachers with more than the required degree per 100 students"
    assert len(entries(cache_dir)) == 1                      # the stale entry was replaced


def test_editing_an_ancestor_invalidates_the_child(cache_dir, tmp_path):
    root = copy_packs(tmp_path)
    child = cache.cached_analysis(root / "yanping", Repository([root]))
    assert [p.id for p in child.chain] == ["national", "yanping"]
    assert child.chain[0].directory.resolve() == (root / "national").resolve()
    r1 = "r1_teachers_above_degree_per_100"
    assert child.params[r1].by_level["primary"][0][1] == Fraction("4.2")
    edit_keeping_mtime(root / "national" / "params.yaml", "primary: {2017-05-12: 4.2}", "primary: {2017-05-12: 4.3}")
    edited = cache.cached_analysis(root / "yanping", Repository([root]))
    assert edited.params[r1].by_level["primary"][0][1] == Fraction("4.3")


def test_a_broken_entry_is_ignored_and_rewritten(cache_dir):
    directory = RULES / "national"
    fresh = cache.cached_analysis(directory, Repository())
    (entry,) = entries(cache_dir)
    data = RULES.joinpath("national", "tests", "record.json").read_text(encoding="utf-8")
    expected = Checker([fresh]).check(json.loads(data))
    good = entry.read_bytes()
    for broken in (b"not a pickle", good[: len(good) // 2], b""):
        entry.write_bytes(broken)
        analysis = cache.cached_analysis(directory, Repository())
        assert Checker([analysis]).check(json.loads(data)) == expected
        assert entry.read_bytes() == good                    # rewritten whole


def test_an_entry_under_another_key_is_not_used(cache_dir, tmp_path):
    root = copy_packs(tmp_path)
    national = root / "national"
    cache.cached_analysis(national, Repository([root]))
    (entry,) = entries(cache_dir)
    saved = entry.read_bytes()
    edit_keeping_mtime(national / "resources.yaml", "每百名学生拥有高于规定学历教师数", "每百名学生拥有高学历教师数")
    new_key = cache._key(cache._chain_dirs(national, Repository([root])))
    # An old entry copied under the new key's name: its stored key gives it away.
    (cache_dir / f"{cache._prefix(national)}-{new_key}.pickle").write_bytes(saved)
    assert cache._read(cache_dir, national, new_key) is None
    analysis = cache.cached_analysis(national, Repository([root]))
    assert any("每百名学生拥有高学历教师数" in s for s in analysis.pack.sources.values())


def test_cache_location_and_switch(tmp_path, monkeypatch):
    monkeypatch.delenv("COMPLIANCE_NO_CACHE", raising=False)
    monkeypatch.delenv("COMPLIANCE_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "compliance"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_dir() == tmp_path / "home" / ".cache" / "compliance"
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine"
    load_checker(["national"])
    assert len(entries(tmp_path / "mine")) == 1
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(tmp_path / "off"))
    monkeypatch.setenv("COMPLIANCE_NO_CACHE", "1")
    assert cache.cache_dir() is None
    load_checker(["national"])
    assert not (tmp_path / "off").exists()


def test_an_unwritable_cache_dir_is_skipped(tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    monkeypatch.delenv("COMPLIANCE_NO_CACHE", raising=False)
    monkeypatch.setenv("COMPLIANCE_CACHE_DIR", str(blocked / "cache"))
    checker = load_checker(["national"])
    assert [a.pack.id for a in checker.analyses] == ["national"]
    assert blocked.read_text() == "not a folder"


def test_a_pack_with_errors_is_not_stored(cache_dir, tmp_path):
    root = copy_packs(tmp_path)
    national = root / "national"
    edit_keeping_mtime(national / "resources.yaml", "require: r1_value", "require: no_such_field")
    analysis = cache.cached_analysis(national, Repository([root]))
    assert analysis.errors
    assert entries(cache_dir) == []


def test_check_from_the_cache_imports_neither_lark_nor_hypothesis(cache_dir):
    load_checker(["national"])                               # fill the cache
    program = ("import sys; from compliance import cli; "
               "status = cli.main(['check', 'examples/county-fail.json', '--format', 'json', '--output', sys.argv[1]]); "
               "print(status, ' '.join(sorted(m for m in ('lark', 'hypothesis', 'rich') if m in sys.modules)))")
    result = subprocess.run([sys.executable, "-c", program, str(cache_dir / "report.json")], cwd=ROOT,
                            capture_output=True, text=True, env={**os.environ, "COMPLIANCE_CACHE_DIR": str(cache_dir)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1"]                    # exit status 1 (fails), no such module imported


def test_warnings_come_back_from_the_cache(cache_dir, tmp_path):
    root = copy_packs(tmp_path)
    national = root / "national"
    params = national / "params.yaml"
    params.write_text(params.read_text(encoding="utf-8") + "\nunused_threshold:\n  title: 未使用的阈值\n"
                      "  reference: 测试（1项）\n  values: {2017-05-12: 1}\n", encoding="utf-8")
    fresh = analyze(Repository([root]).load(national), Repository([root]))
    assert [d.code for d in fresh.diagnostics] == ["W300"] and not fresh.errors
    cache.cached_analysis(national, Repository([root]))
    stored = cache._read(cache_dir, national, cache._key(cache._chain_dirs(national, Repository([root]))))
    assert stored is not None and stored.diagnostics == fresh.diagnostics
    assert stored.sources == fresh.sources                   # what renders the warning's source line


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_folder_others_can_write_to_is_not_read(cache_dir):
    directory = RULES / "national"
    cache.cached_analysis(directory, Repository())
    key = cache._key(cache._chain_dirs(directory, Repository()))
    assert cache._read(cache_dir, directory, key) is not None
    cache_dir.chmod(0o777)
    assert cache._read(cache_dir, directory, key) is None
    cache_dir.chmod(0o700)


def test_file_names_follow_the_working_directory(cache_dir, tmp_path, monkeypatch):
    """Diagnostics name rule files relative to the working directory: another directory, another entry."""
    directory = (RULES / "national").resolve()
    monkeypatch.chdir(ROOT)
    here = cache.cached_analysis(directory, Repository())
    monkeypatch.chdir(tmp_path)
    there = cache.cached_analysis(directory, Repository())
    fresh = analyze(Repository().load(directory), Repository())
    assert sorted(there.sources) == sorted(fresh.sources) != sorted(here.sources)
    assert len(entries(cache_dir)) == 2
