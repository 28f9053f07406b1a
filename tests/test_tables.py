"""Records as tables: the Excel template filled in and checked, export → import identical
(examples and schema-drawn records, xlsx and CSV), exact numbers, located messages in zh and en,
CSV encodings, and the field reference kept current."""
from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from openpyxl import load_workbook

from compliance.cli import main
from compliance.csv_io import folder_texts
from compliance.engine import load_checker
from compliance.excel_io import workbook_bytes
from compliance.fields_doc import markdown
from compliance.inputs import is_batch, sources
from compliance.record import loads
from compliance.strategies import records
from compliance.table_files import first_difference, load, same
from compliance.table_record import Grid, canonical, tables_record

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def example(name: str) -> dict:
    return loads((ROOT / "examples" / name).read_bytes())


def via_xlsx(record: dict, tmp_path: Path, name: str = "r.xlsx"):
    path = tmp_path / name
    path.write_bytes(workbook_bytes(record))
    return load(path, name, 10)


def via_csv(record: dict) -> tuple:
    grids = [Grid(n[:-4], [[v if v != "" else None for v in row] for row in csv.reader(io.StringIO(text))], n)
             for n, text in folder_texts(record).items()]
    return tables_record(grids, "dir")


def only_empties_dropped(original, kept, path="") -> bool:
    """canonical() may leave out empty objects and lists, nothing else."""
    if isinstance(original, dict):
        return all((k in kept and only_empties_dropped(v, kept[k])) or (k not in kept and v in ({}, []))
                   for k, v in original.items())
    if isinstance(original, list):
        return len(original) == len(kept) and all(only_empties_dropped(a, b) for a, b in zip(original, kept))
    return original == kept


def findings_of(record: dict):
    from compliance.engine import default_as_of
    checker = load_checker(record.get("packs") or ["national"])
    return checker.check(record, default_as_of(record))


# ---- template → fill → check --------------------------------------------------------------

def test_template_filled_in_is_checked(tmp_path, capsys):
    template = tmp_path / "模板.xlsx"
    assert main(["template", str(template), "--pack", "national"]) == 0
    assert f"已写入填报模板 {template}：填写后用 compliance check" in capsys.readouterr().err
    book = load_workbook(template)
    assert book.sheetnames[:4] == ["填表说明", "县级情况", "学校", "学段"]
    assert {"班额", "历年数据", "认定事项", "下辖县", "字段说明"} <= set(book.sheetnames)
    schools = book["学校"]
    headers = [c.value for c in schools[1]]
    assert "教学仪器设备资产值（万元）" in headers and "运动场地面积（㎡）" in headers
    # dropdowns come from x-enum-titles
    type_col = "ABCDEFGHIJKLMNOP"[headers.index("学校类型")]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in schools.data_validations.dataValidation}
    assert "九年一贯制学校" in lists[f"{type_col}2"] and "小学" in lists[f"{type_col}2"]
    # the pack's attested clauses are listed for the county to fill in
    attest = book["认定事项"]
    assert [r[0].value for r in attest.iter_rows(min_row=2)][:2] == ["P1", "G1"]

    facts = book["县级情况"]
    items = {row[0].value: row[2] for row in facts.iter_rows(min_row=2)}
    items["行政区划代码"].value = "990001"
    items["行政区划名称"].value = "测试县"
    items["行政级别"].value = "县级"
    items["统计年度（年）"].value = 2024
    items["评估基准日"].value = "2024-09-01"
    schools.append(["S1", "测试小学", "小学", "城区", "否", "公办", 1990, 5000, 400, 9000, 120])
    book["学段"].append(["S1", "小学部", 900, 20, 50, 45, 8, 9, 22])
    for size in (44, 45, 46):
        book["班额"].append(["S1", "小学", size])
    attest["B2"] = "达到"
    book.save(template)

    out = tmp_path / "r.json"
    status = main(["check", str(template), "--format", "json", "--output", str(out)])
    report = json.loads(out.read_text(encoding="utf-8"))
    assert status == 1 and report["verdict"] in ("fail", "unknown")
    r1 = [f for f in report["findings"] if f["rule"] == "national/R1" and f["subject"].get("school") == "S1"]
    assert r1 and r1[0]["status"] == "pass"        # 45 / 900 * 100 = 5 >= 4.2
    p1 = next(f for f in report["findings"] if f["rule"] == "national/P1")
    assert "/facts/attestations/P1" not in json.dumps(p1["missing"])


# ---- round trips ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_round_trips_through_csv(path):
    record = loads(path.read_bytes())
    back, problems = via_csv(record)
    assert problems == [] and back is not None
    assert first_difference(canonical(record), back) is None
    assert only_empties_dropped(record, canonical(record))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_round_trips_through_xlsx_exactly(path, tmp_path):
    """JSON → xlsx → JSON gives the record back as it was, key for key and digit for digit
    (the examples hold no empty objects or lists, which a table cannot show)."""
    record = loads(path.read_bytes())
    back, problems, _ = via_xlsx(record, tmp_path)
    assert [d for d in problems if d.is_error] == []
    assert first_difference(record, back) is None and back == record


@pytest.mark.parametrize("name", ["county-fail.json", "guigang-2021.json"])
def test_examples_round_trip_through_xlsx_with_the_same_findings(name, tmp_path):
    record = example(name)
    back, problems, _ = via_xlsx(record, tmp_path)
    assert [d for d in problems if d.is_error] == []
    assert first_difference(canonical(record), back) is None
    assert findings_of(back) == findings_of(record)


@settings(max_examples=3)
@given(records(history=True))
def test_drawn_records_round_trip_through_xlsx(tmp_path_factory, record):
    back, problems, _ = via_xlsx(record, tmp_path_factory.mktemp("x"))
    assert back is not None, [d.message() for d in problems]
    assert first_difference(canonical(record), back) is None


@settings(max_examples=15)
@given(records(history=True))
def test_drawn_records_round_trip_through_csv(record):
    back, problems = via_csv(record)
    assert back is not None, [d.message() for d in problems]
    assert first_difference(canonical(record), back) is None


def test_import_writes_the_record_exactly(tmp_path, capsys):
    record = example("worked-example-cv.json")
    record.setdefault("facts", {})["teacher_avg_salary_yuan"] = Decimal("12345.678901234567890123")   # beyond a float
    record["schools"][0]["shared"]["teaching_aux_area_m2"] = Decimal("268.50")          # trailing zero
    source = tmp_path / "in.json"
    from compliance.table_files import dumps_exact
    source.write_text(dumps_exact(record), encoding="utf-8")
    assert main(["export", str(source), "-o", str(tmp_path / "w.xlsx")]) == 0
    book = load_workbook(tmp_path / "w.xlsx")
    facts = {row[3].value: row[2] for row in book["县级情况"].iter_rows(min_row=2)}
    kept = facts["facts.teacher_avg_salary_yuan"]
    assert kept.value == "12345.678901234567890123" and kept.comment is not None     # text, and says why
    assert main(["import", str(tmp_path / "w.xlsx"), "-o", str(tmp_path / "back.json")]) == 0
    text = (tmp_path / "back.json").read_text(encoding="utf-8")
    assert '"teacher_avg_salary_yuan": 12345.678901234567890123' in text
    assert '"teaching_aux_area_m2": 268.50' in text
    assert same(loads(text.encode()), canonical(loads(source.read_bytes())))


# ---- messages ------------------------------------------------------------------------------

def broken_workbook(tmp_path: Path, change) -> Path:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook_bytes(example("worked-example-split.json")))
    book = load_workbook(path)
    change(book)
    book.save(path)
    return path


def column_of(sheet, header: str) -> str:
    return next(c.column_letter for c in sheet[1] if c.value == header)


def errors_of(path: Path, capsys, lang: str = "zh") -> str:
    capsys.readouterr()
    assert main(["check", str(path), "--lang", lang]) == 2
    return capsys.readouterr().err


def test_a_bad_number_names_sheet_cell_header_and_value(tmp_path, capsys):
    def change(book):
        book["学校"][column_of(book["学校"], "教学仪器设备资产值（万元）") + "2"] = "12万"
    path = broken_workbook(tmp_path, change)
    letter = column_of(load_workbook(path)["学校"], "教学仪器设备资产值（万元）")
    assert f"学校!{letter}2（教学仪器设备资产值，万元）：应为数字，这里是「12万」" in errors_of(path, capsys)
    assert f"学校!{letter}2 (教学仪器设备资产值, 万元): must be a number, found '12万'" in errors_of(path, capsys, "en")


def csv_folder(tmp_path: Path, change) -> Path:
    """The split example as a CSV folder, rows as lists to change (file name → rows)."""
    tables = {name: list(csv.reader(io.StringIO(text)))
              for name, text in folder_texts(example("worked-example-split.json")).items()}
    change(tables)
    folder = tmp_path / "rec"
    folder.mkdir()
    for name, rows in tables.items():
        buffer = io.StringIO()
        csv.writer(buffer).writerows(rows)
        (folder / name).write_text(buffer.getvalue(), encoding="utf-8")
    return folder


def put(tables, name, row, col, value):
    tables[name][row][col] = value


def item_row(tables, code: str) -> int:
    return next(i for i, r in enumerate(tables["县级情况.csv"]) if r[3] == code)


@pytest.mark.parametrize("change, zh, en", [
    (lambda t: put(t, "县级情况.csv", item_row(t, "as_of"), 2, "2024/09/01"),
     "（评估基准日）：应为日期，格式 YYYY-MM-DD（如 2024-09-01），这里是「2024/09/01」",
     "must be a date written YYYY-MM-DD (e.g. 2024-09-01), found '2024/09/01'"),
    (lambda t: t.__setitem__("学断.csv", t.pop("学段.csv")), "未知的工作表「学断.csv」，是否应为「学段」？", "did you mean '学段'?"),
    (lambda t: put(t, "学校.csv", 0, 1, "学校明称"), "学校.csv!B1：未知的表头「学校明称」，是否应为「学校名称」？",
     "unknown header '学校明称'; did you mean '学校名称'?"),
    (lambda t: put(t, "学校.csv", 0, 1, "学校明称"), "工作表「学校.csv」缺少必填的列「学校名称」",
     "the sheet '学校.csv' lacks the required column '学校名称'"),
    (lambda t: put(t, "学校.csv", 1, 1, ""), "学校.csv!B2（学校名称）：必填项未填", "学校.csv!B2 (学校名称): required, but blank"),
    (lambda t: put(t, "学段.csv", 1, 0, "NOPE"), "学段.csv!A2（学校标识码）：学校标识码「NOPE」在「学校」表中没有",
     "school id 'NOPE' is not on the 学校 sheet"),
    (lambda t: put(t, "学校.csv", 1, 2, "中学"), "学校.csv!C2（学校类型）：应为以下之一：小学、初中", "must be one of"),
    (lambda t: put(t, "学段.csv", 1, 2, "12.5"), "学段.csv!C2（学生数，人）：应为整数，这里是「12.5」",
     "学段.csv!C2 (学生数, 人): must be a whole number, found '12.5'"),
    (lambda t: t["学校.csv"].append(list(t["学校.csv"][1])), "学校.csv!A3（学校标识码）：学校标识码「", "appears twice (also 学校.csv!A2)"),
    (lambda t: t["历年数据.csv"].extend([["2000"], ["2000"]]), "历年数据.csv!A3：历年数据中 2000 年出现了不止一次",
     "历年数据.csv!A3: history has year 2000 more than once"),
    (lambda t: t.pop("县级情况.csv") and t.__setitem__("县级.csv", [["x"]]), "未知的工作表「县级.csv」", "unknown sheet"),
])
def test_table_errors_are_located_in_both_languages(tmp_path, capsys, change, zh, en):
    folder = csv_folder(tmp_path, change)
    if not (folder / "县级情况.csv").exists():
        folder = tmp_path          # without 县级情况.csv the folder is no record: import says so
        capsys.readouterr()
        assert main(["import", str(tmp_path / "rec")]) == 2
        assert "县级情况.csv" in capsys.readouterr().err
        return
    err = errors_of(folder, capsys)
    assert zh in err
    assert "在「学校」表中没有" not in err or "NOPE" in err     # a broken 学校 sheet is said once
    assert en in errors_of(folder, capsys, "en")


def test_a_rate_given_as_a_percentage_number_says_how_to_write_it(tmp_path, capsys):
    folder = csv_folder(tmp_path, lambda t: put(t, "县级情况.csv", item_row(t, "facts.junior_retention_rate"), 2, "96"))
    assert "（初中三年巩固率）：应不大于 1（比率以小数填写，如 0.95 表示 95%），这里是「96」" in errors_of(folder, capsys)


def test_not_a_workbook_exits_2_without_a_traceback(tmp_path, capsys):
    path = tmp_path / "x.xlsx"
    path.write_text("not a zip", encoding="utf-8")
    err = errors_of(path, capsys)
    assert "E155" in err and "Traceback" not in err


# ---- CSV folders ---------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_folders_in_each_encoding(tmp_path, encoding, capsys):
    record = example("yanping-2024.json")
    folder = tmp_path / "延平区"
    folder.mkdir()
    for name, text in folder_texts(record).items():
        (folder / name).write_bytes(text.encode(encoding))
    assert not is_batch([str(folder)])                   # one record, not a batch directory
    assert main(["import", str(folder), "-o", str(tmp_path / "out.json")]) == 0
    assert first_difference(canonical(record), loads((tmp_path / "out.json").read_bytes())) is None
    assert ("GB18030" in capsys.readouterr().err) == (encoding == "gb18030")


def test_export_to_a_folder_then_check_it(tmp_path, capsys):
    assert main(["export", str(ROOT / "examples" / "county-pass.json"), "-o", str(tmp_path / "csv")]) == 0
    assert (tmp_path / "csv" / "学校.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert main(["check", str(tmp_path / "csv")]) == 0


def test_batch_directories_take_workbooks_and_csv_folders(tmp_path):
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")
    (tmp_path / "b.xlsx").write_bytes(b"")
    (tmp_path / "~$b.xlsx").write_bytes(b"")              # Excel's lock file is not a record
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "县级情况.csv").write_text("项目,单位,填写值,字段\n", encoding="utf-8")
    (tmp_path / "d").mkdir()                               # a plain folder is not a record
    names = [Path(s.name).name for s in sources([str(tmp_path)])]
    assert names == ["a.json", "b.xlsx", "c"]


# ---- the field reference -------------------------------------------------------------------

def test_field_reference_doc_is_current():
    doc = (ROOT / "docs" / "字段说明.md").read_text(encoding="utf-8")
    assert doc == markdown(), "regenerate: compliance fields --markdown > docs/字段说明.md"
    assert "| 教学仪器设备资产值（万元） | `/schools/*/shared/equipment_value_wan_yuan` | 数值 | 万元 |" in doc
