"""`compliance check` over many records: directories, several files, JSON Lines on stdin,
the batch table, jsonl and json, invalid records among valid ones, the process pool, and the
library API (`compliance.load`, `Checker.check_many`)."""
import functools
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import compliance
from compliance.findings import summary, verdict

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
REPORT_SCHEMA = json.loads((ROOT / "compliance" / "schemas" / "report.schema.json").read_text(encoding="utf-8"))
# Small records of four different packs (the national one among them).
SMALL = ("beijing-2024.json", "guigang-2021.json", "worked-example-cv.json", "zhangye-2024.json")


def cli(*args, stdin: str | None = None, cwd=ROOT):
    result = subprocess.run([sys.executable, "-m", "compliance", *map(str, args)], cwd=cwd, input=stdin,
                            capture_output=True, text=True, encoding="utf-8")
    assert "Traceback" not in result.stderr + result.stdout
    return result


def lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def validate_report(report: dict) -> None:
    validator = Draft202012Validator(REPORT_SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert [e.message for e in validator.iter_errors(report)] == []


@functools.lru_cache(maxsize=None)
def expected(name: str) -> tuple[str, dict]:
    """Verdict and summary of one example, computed through the library, not the command line."""
    data = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    findings = compliance.load(data.get("packs")).check(data)
    return verdict(findings), summary(findings)


@pytest.fixture(scope="module")
def records(tmp_path_factory) -> Path:
    """Read only: tests that add files make their own folder."""
    folder = tmp_path_factory.mktemp("batch") / "records"
    folder.mkdir()
    for name in SMALL:
        shutil.copy(EXAMPLES / name, folder / name)
    (folder / "notes.txt").write_text("not a record", encoding="utf-8")   # only *.json are read
    return folder


@pytest.fixture(scope="module")
def every(records) -> subprocess.CompletedProcess:
    """The folder as JSON Lines, every finding, in-process (--jobs 1)."""
    return cli("check", records, "--format", "jsonl", "--jobs", "1")


def test_directory_gives_one_row_per_record_and_totals(records):
    result = cli("check", records, "--jobs", "1")
    assert result.returncode == 1, result.stderr          # some verdicts fail, none invalid
    out = result.stdout
    rows = [line for line in out.splitlines() if line.startswith(str(records))]
    assert [row.split()[0] for row in rows] == [str(records / n) for n in sorted(SMALL)]
    labels = {"pass": "通过", "fail": "未通过", "unknown": "无法判定"}
    wanted = {name: expected(name) for name in SMALL}
    for row, name in zip(rows, sorted(SMALL)):
        v, counts = wanted[name]
        cells = row.split()
        assert cells[2] == labels[v]
        numbers = [c for c in cells if c.isdigit()]
        assert numbers[:5] == [str(counts[s]) for s in ("pass", "fail", "unknown", "not_applicable", "veto")]
    verdicts = [v for v, _ in wanted.values()]
    assert (f"共 4 份：通过 {verdicts.count('pass')} · 未通过 {verdicts.count('fail')} · "
            f"无法判定 {verdicts.count('unknown')} · 数据无效 0") in out
    assert f"达标 {sum(c['pass'] for _, c in wanted.values())} " in out
    assert "最常未达标的规则" in out and "national/R6-CV" in out and "guigang/GG-I6" in out
    assert "notes.txt" not in out


def test_jsonl_is_one_report_per_line_in_input_order(records, every):
    reports = lines(every.stdout)
    assert [r["input"]["path"] for r in reports] == [str(records / n) for n in sorted(SMALL)]
    for report in reports:
        validate_report(report)
        assert (report["verdict"], report["summary"]) == expected(Path(report["input"]["path"]).name)
        assert all("steps" not in f and "remedy" not in f for f in report["findings"])   # no --advice
    assert every.returncode == 1
    order = [records / "guigang-2021.json", records / "beijing-2024.json", records / "guigang-2021.json"]
    given = lines(cli("check", *order, "--format", "jsonl", "--jobs", "1", "--advice").stdout)
    assert [r["input"]["path"] for r in given] == [str(p) for p in order]
    failing = [f for r in given for f in r["findings"] if f["status"] == "fail"]
    decisive = [f for f in failing if f["rule"] == "guigang/GG-S2"]
    assert len(decisive) == 2 and all(f["remedy"] for f in decisive)      # --advice: remedies of the failures
    assert all("steps" not in f for f in failing)


def test_json_document_is_records_and_summary(records, tmp_path):
    out = tmp_path / "report.json"
    result = cli("check", records, "--format", "json", "--output", out, "--jobs", "1")
    assert result.returncode == 1 and result.stdout == ""
    document = json.loads(out.read_text(encoding="utf-8"))
    assert list(document) == ["format_version", "records", "summary"] and document["format_version"] == "1"
    assert len(document["records"]) == 4
    for report in document["records"]:
        validate_report(report)
    summary_ = document["summary"]
    assert summary_["records"] == 4 and summary_["invalid"] == []
    assert sum(summary_["verdicts"].values()) == 4
    for v in ("pass", "fail", "unknown"):
        assert summary_["verdicts"][v] == sum(r["verdict"] == v for r in document["records"])
    for status in ("pass", "fail", "unknown", "not_applicable", "veto"):
        assert summary_["findings"][status] == sum(r["summary"][status] for r in document["records"])
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]   # no temp file left


def test_findings_problems_keeps_only_problems_but_counts_all(records, every):
    problems = lines(cli("check", records, "--format", "jsonl", "--findings", "problems", "--jobs", "1").stdout)
    assert len(lines(every.stdout)) == len(problems) == 4
    for full, short in zip(lines(every.stdout), problems):
        assert short["summary"] == full["summary"] and short["verdict"] == full["verdict"]
        assert short["findings"] == [f for f in full["findings"] if f["status"] not in ("pass", "not_applicable")]
        assert len(short["findings"]) < len(full["findings"])


def test_invalid_records_are_reported_and_the_others_still_checked(tmp_path):
    records = tmp_path / "records"
    records.mkdir()
    for name in ("beijing-2024.json", "zhangye-2024.json"):
        shutil.copy(EXAMPLES / name, records / name)
    (records / "a-broken.json").write_text('{"format_version": "1",\n  "year": 2024,,\n}', encoding="utf-8")
    bad = json.loads((EXAMPLES / "beijing-2024.json").read_text(encoding="utf-8"))
    bad["year"] = "二〇二四"
    (records / "b-wrong-type.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    result = cli("check", records, "--format", "jsonl", "--jobs", "1")
    assert result.returncode == 2
    entries = lines(result.stdout)
    assert len(entries) == 4
    broken, wrong = entries[0], entries[1]
    assert broken["input"] == {"path": str(records / "a-broken.json")}
    assert broken["error"][0]["code"] == "E110" and broken["error"][0]["line"] == 2
    assert wrong["error"][0]["code"] == "E111" and wrong["error"][0]["pointer"] == "/year"
    assert all("verdict" in e for e in entries[2:])
    assert f"{records / 'a-broken.json'}:2:" in result.stderr
    assert f"{records / 'b-wrong-type.json'}#/year: 错误 E111" in result.stderr
    text = cli("check", records, "--jobs", "1")
    assert text.returncode == 2
    assert "数据无效 2" in text.stdout
    row = next(line for line in text.stdout.splitlines() if "a-broken.json" in line)
    assert "数据无效" in row and "E110" in row


def test_stdin_json_lines():
    records = [json.loads((EXAMPLES / n).read_text(encoding="utf-8")) for n in ("zhangye-2024.json", "beijing-2024.json")]
    stream = (json.dumps(records[0], ensure_ascii=False) + "\n\n" + json.dumps(records[1], ensure_ascii=False)
              + "\n" + '{"year": 2024' + "\n")
    result = cli("check", "-", "--format", "jsonl", "--jobs", "1", stdin=stream)
    entries = lines(result.stdout)
    assert [e["input"]["path"] for e in entries] == ["<stdin>:1", "<stdin>:3", "<stdin>:4"]
    assert (entries[0]["verdict"], entries[0]["summary"]) == expected("zhangye-2024.json")
    assert (entries[1]["verdict"], entries[1]["summary"]) == expected("beijing-2024.json")
    assert entries[2]["error"][0]["code"] == "E110"
    assert "<stdin>:4:14: 错误 E110" in result.stderr
    assert result.returncode == 2


def test_one_and_two_jobs_write_identical_bytes(records, every):
    one = every
    two = cli("check", records, "--format", "jsonl", "--jobs", "2")
    assert one.returncode == two.returncode == 1
    assert one.stdout.encode() == two.stdout.encode() and len(one.stdout.splitlines()) == 4


def test_output_is_atomic_when_the_run_fails(records, tmp_path):
    out = tmp_path / "report.jsonl"
    result = cli("check", records, "--pack", "no-such-pack", "--format", "jsonl", "--output", out, "--jobs", "1")
    assert result.returncode == 2
    assert "未知规则包 'no-such-pack'" in result.stderr
    assert list(tmp_path.iterdir()) == []   # neither the report nor a temp file


def test_english_and_an_all_pass_batch_exits_0(tmp_path):
    folder = tmp_path / "one"
    folder.mkdir()
    shutil.copy(EXAMPLES / "beijing-2024.json", folder)
    result = cli("check", folder, "--lang", "en", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    assert "Verdict" in result.stdout and "1 record(s): pass 1 · fail 0 · unknown 0 · invalid 0" in result.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    result = cli("check", empty, "--lang", "en")
    assert result.returncode == 2 and "no .json record files in directory" in result.stderr


def test_one_record_keeps_the_detailed_report_and_honours_findings_problems():
    result = cli("check", EXAMPLES / "beijing-2024.json", "--format", "json", "--findings", "problems")
    report = json.loads(result.stdout)
    validate_report(report)
    assert (report["verdict"], report["summary"]) == expected("beijing-2024.json")
    assert report["findings"] and all(f["status"] not in ("pass", "not_applicable") for f in report["findings"])
    assert all("steps" in f for f in report["findings"] if f["status"] == "fail")   # one record: steps as before


def test_library_api_checks_many_records_in_order():
    data = [json.loads((EXAMPLES / n).read_text(encoding="utf-8"))
            for n in ("worked-example-cv.json", "worked-example-split.json", "worked-example-cv.json")]
    checker = compliance.load()
    many = list(checker.check_many(data))
    assert len(many) == 3
    assert many == [checker.check(d, trace=False) for d in data]
    assert verdict(many[0]) == "fail" and many[0] == many[2] and many[0] != many[1]


def test_import_compliance_stays_cheap():
    result = subprocess.run([sys.executable, "-c", "import compliance, sys; print('lark' in sys.modules, "
                             "'compliance.engine' in sys.modules)"], capture_output=True, text=True)
    assert result.stdout.split() == ["False", "False"]


def test_inputs_in_order_without_hidden_files_or_the_report_being_written(tmp_path):
    import io

    from compliance.inputs import count, is_batch, sources
    folder = tmp_path / "d"
    folder.mkdir()
    for name in ("b.json", "a.json", ".a.json.tmp1.json", "report.json", "c.txt"):
        (folder / name).write_text("{}", encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "deep.json").write_text("{}", encoding="utf-8")   # not recursive
    empty = tmp_path / "empty"
    empty.mkdir()
    single = tmp_path / "one.json"
    single.write_text("{}", encoding="utf-8")
    stdin = io.BytesIO(b'{"a": 1}\n\n  \n{"b": 2}\r\n')
    paths = [str(single), str(folder), "-", str(empty)]
    got = list(sources(paths, stdin, output=folder / "report.json"))
    assert [s.name for s in got] == [str(single), str(folder / "a.json"), str(folder / "b.json"),
                                     "<stdin>:1", "<stdin>:4", str(empty)]
    assert [s.data for s in got[3:5]] == [b'{"a": 1}', b'{"b": 2}'] and got[4].line == 4
    assert got[-1].empty_dir and not got[0].empty_dir
    assert count([str(single), str(folder)], folder / "report.json") == 3 and count(paths) is None
    assert not is_batch([str(single)]) and is_batch([str(folder)]) and is_batch(["-"])
    assert is_batch([str(single), str(single)])


def test_checking_processes_collect_garbage_less_often():
    """The CLI and each worker of --jobs set the collector's thresholds (collector.tune_gc): at
    Python's defaults a batch spent about a fifth of its time collecting."""
    from compliance.collector import GC_THRESHOLDS
    code = ("import gc, sys, compliance.cli as c; c.main(['check', sys.argv[1]]); "
            "print(list(gc.get_threshold()))")
    done = subprocess.run([sys.executable, "-c", code, str(EXAMPLES / "guigang-2021.json")], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8")
    assert done.stdout.strip().splitlines()[-1] == str(list(GC_THRESHOLDS))
    from compliance import parallel
    seen = []
    pool = parallel.ProcessPoolExecutor(1, mp_context=parallel._context(), initializer=parallel._start,
                                        initargs=(parallel.Options(None),))
    try:
        seen = pool.submit(_thresholds).result()
    finally:
        pool.shutdown()
    assert tuple(seen) == GC_THRESHOLDS


def _thresholds():
    import gc
    return gc.get_threshold()


def test_a_batch_chunk_pauses_the_collector_and_frees_its_cycles():
    """Judge.many checks a chunk with the collector off (collector.paused) and collects the
    young generations once at its end: the collector is on again afterwards, cycles made
    inside are freed, and a caller that had turned it off keeps it off."""
    import gc
    import weakref
    from compliance.batch_job import Judge, Options
    from compliance.collector import paused
    from compliance.inputs import Source

    class Node:
        pass

    inside = []

    def cycle():
        a, b = Node(), Node()
        a.other, b.other = b, a
        inside.append((gc.isenabled(), weakref.ref(a)))

    with paused():
        cycle()
    enabled, ref = inside.pop()
    assert not enabled and gc.isenabled() and ref() is None
    gc.disable()
    try:
        with paused():
            cycle()
        assert not gc.isenabled() and inside.pop()[1]() is not None
    finally:
        gc.enable()
        gc.collect()
    judge = Judge(Options(None))
    states = []
    original = judge._many
    judge._many = lambda sources: states.append(gc.isenabled()) or original(sources)
    out = judge.many([Source(str(EXAMPLES / "county-pass.json"), path=str(EXAMPLES / "county-pass.json"))])
    assert states == [False] and gc.isenabled() and out[0].verdict == "pass"
