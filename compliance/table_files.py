"""Records kept as tables: an .xlsx workbook or a folder of CSV files. Reading one gives what
reading a JSON record gives (record, problems, the bytes the report hashes), so `check`,
`import` and batches treat them alike; writing one is `template` and `export`."""
from __future__ import annotations

from pathlib import Path

from .diagnostics import Diagnostic, Localized, Location

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")     # .xls is refused with a hint to save as .xlsx


def is_workbook(path) -> bool:
    return Path(path).suffix.lower() in WORKBOOK_SUFFIXES


def is_tables(path) -> bool:
    if is_workbook(path):
        return True
    if not Path(path).is_dir():
        return False    # a JSON record: the CSV reader (≈ 15 ms to import) is not needed
    from .csv_io import is_table_folder
    return is_table_folder(Path(path))


def load(path: Path, file: str, max_mb: float) -> tuple[dict | None, list[Diagnostic], bytes | None]:
    """The record a workbook or CSV folder holds, validated like a JSON record."""
    from .csv_io import folder_bytes, read_folder
    from .excel_io import read_workbook
    from .table_record import tables_record_cells
    from .validate import too_large, validate_record
    path = Path(path)
    try:
        raw = folder_bytes(path) if path.is_dir() else path.read_bytes()
    except OSError as exc:
        return None, [Diagnostic("E100", Location(file), {"reason": exc.strerror or str(exc)})], None
    if len(raw) > max_mb * 1_000_000:
        return None, [too_large(file, len(raw), max_mb)], None
    grids, problems = read_folder(path, file) if path.is_dir() else read_workbook(path, file)
    if grids is None:
        return None, problems, None
    data, found, cells = tables_record_cells(grids, file)
    problems = problems + found
    if data is None:
        return None, problems, None
    return data, problems + [at_cell(d, cells) for d in validate_record(data, file)], raw


def at_cell(d: Diagnostic, cells: dict) -> Diagnostic:
    """A validation problem (located by JSON pointer) also told at the row or cell it came from."""
    pointer = d.location.pointer
    if not pointer or d.code in ("E120", "W116"):
        return d
    parts = pointer.split("/")
    for n in range(len(parts), 1, -1):
        cell = cells.get("/".join(parts[:n]))
        if cell is not None:
            message = Localized(d.message("zh"), d.message("en"))
            return Diagnostic("E157" if d.is_error else "W157", d.location,
                              {"cell": cell, "code": d.code, "message": message}, d.severity)
    return d


def dumps_exact(record: dict) -> str:
    """The record as JSON with every decimal written as its own text (json.dumps would go
    through a float): each Decimal becomes a placeholder string, then its text."""
    import json
    from decimal import Decimal
    texts: list[str] = []

    def mark(value):
        if isinstance(value, dict):
            return {k: mark(v) for k, v in value.items()}
        if isinstance(value, list):
            return [mark(v) for v in value]
        if isinstance(value, Decimal):
            texts.append(str(value))
            return f"\0{len(texts) - 1}\0"
        return value

    out = json.dumps(mark(record), ensure_ascii=False, indent=2)
    for i, text in enumerate(texts):
        out = out.replace(f'"\\u0000{i}\\u0000"', text, 1)
    return out + "\n"


def lossless(record: dict, file: str, workbook: bool) -> list[Diagnostic]:
    """E156 when the tables would not give this record back — a field no sheet holds, or a
    character the files cannot (compliance/unwritable.py: a control character in a workbook,
    a lone surrogate in any file): export refuses rather than silently drop or change data."""
    from .unwritable import NOT_UTF8, NOT_XML, first_found
    found = first_found(record, NOT_XML if workbook else NOT_UTF8)
    if found is not None:
        where, char = found
        code = f"U+{ord(char):04X}"
        return [Diagnostic("E156", Location(file, pointer=where), {"reason": Localized(
            f"{where} 处含有无法写入该格式的字符 {code}（控制字符或单独的代理码位），请删去后再导出",
            f"{where} holds a character this format cannot keep ({code}, a control character or a lone "
            "surrogate): remove it before exporting")})]
    from .csv_io import folder_texts
    from .table_record import Grid, canonical, tables_record
    import csv
    import io
    grids = [Grid(name[:-4], [[v if v != "" else None for v in row] for row in csv.reader(io.StringIO(text))])
             for name, text in folder_texts(record).items()]
    back, problems = tables_record(grids, file)
    if back is not None and same(back, canonical(record)):
        return []
    where = first_difference(canonical(record), back) if back is not None else ""
    reason = Localized(f"{where} 处的数据无法原样写入表格", f"the data at {where} cannot be written to the tables as it is")
    return [Diagnostic("E156", Location(file, pointer=where or None), {"reason": reason})] + problems


def same(a, b) -> bool:
    """Equal as records: numbers by value (exactly), but True is not 1."""
    return first_difference(a, b) is None


def first_difference(a, b, path: str = ""):
    """The JSON pointer of the first place two records differ, or None."""
    from fractions import Fraction
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(a) + [k for k in b if k not in a]:
            if key not in a or key not in b:
                return f"{path}/{key}"
            found = first_difference(a[key], b[key], f"{path}/{key}")
            if found is not None:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return path or "/"
        for i, (x, y) in enumerate(zip(a, b)):
            found = first_difference(x, y, f"{path}/{i}")
            if found is not None:
                return found
        return None
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or isinstance(b, str) or a is None or b is None:
        return None if type(a) is type(b) and a == b else (path or "/")
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return path or "/"
    if _whole(a) != _whole(b):
        return path or "/"      # an integer stays an integer, a decimal a decimal
    return None if Fraction(str(a)) == Fraction(str(b)) else (path or "/")


def _whole(x) -> bool:
    """An integer (a Fraction with denominator 1, as drawn by strategies, counts as one)."""
    from fractions import Fraction
    return isinstance(x, int) or (isinstance(x, Fraction) and x.denominator == 1)


def attested_rules(names: list[str], rules_dirs: list[Path]) -> tuple[tuple[str, str], ...]:
    """(rule id, title) of the rules of these packs that are judged on attestations: those
    marked `attestation: true` and those whose condition calls attested("…")."""
    from .dsl import ast
    from .engine import load_checker
    checker = load_checker(names, rules_dirs, Location("--pack"))
    out: dict[str, str] = {}
    for analysis in checker.analyses:
        for rule in analysis.rules:
            if rule.attestation:
                out.setdefault(rule.id, rule.title)
            for expr in (rule.when, rule.require):
                for rid in _attested_ids(expr, ast):
                    out.setdefault(rid, rule.title if rid == rule.id else f"{rule.title}（{rule.id} 所需的认定）")
    return tuple(out.items())


def _attested_ids(node, ast) -> list[str]:
    import dataclasses
    found = []
    if isinstance(node, ast.Call) and node.name == "attested" and node.args and isinstance(node.args[0], ast.String):
        found.append(node.args[0].value)
    if dataclasses.is_dataclass(node):
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            for child in value if isinstance(value, tuple) else (value,):
                if dataclasses.is_dataclass(child):
                    found += _attested_ids(child, ast)
    return found
