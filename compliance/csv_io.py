"""Records as folders of CSV files: one file per sheet, named as the sheet (学校.csv …), with
the same headers as the workbook. Read in UTF-8, UTF-8 with a BOM or GB18030 (what Excel saves
on Chinese Windows), through compliance/encoding.py; written as UTF-8 with a BOM, which Excel
opens correctly. A folder holding 县级情况.csv is one record; any other folder is a batch of
record files (inputs.py)."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from . import encoding
from .diagnostics import Diagnostic, Location
from .table_record import Grid, cell_text, record_tables
from .tables import FACTS

MARKER = f"{FACTS}.csv"


def is_table_folder(path: Path) -> bool:
    return Path(path).is_dir() and (Path(path) / MARKER).is_file()


def csv_files(folder: Path) -> list[Path]:
    return sorted((p for p in Path(folder).glob("*.csv") if p.is_file() and not p.name.startswith(".")),
                  key=lambda p: p.name)


def folder_bytes(folder: Path) -> bytes:
    """What the report's sha256 covers: each CSV file's name and bytes, in name order."""
    out = bytearray()
    for p in csv_files(folder):
        out += p.name.encode("utf-8") + b"\0" + p.read_bytes() + b"\0"
    return bytes(out)


def read_folder(folder: Path, file: str) -> tuple[list[Grid] | None, list[Diagnostic]]:
    grids, notices = [], []
    for p in csv_files(folder):
        name = f"{file.rstrip('/')}/{p.name}"
        try:
            decoded = encoding.read_text(p)
        except OSError as exc:
            return None, [Diagnostic("E100", Location(name), {"reason": exc.strerror or str(exc)})]
        except encoding.NotText as exc:
            return None, [encoding.problem(exc, name)]
        notices += encoding.notice(decoded, name)
        rows = [[v if v != "" else None for v in row] for row in csv.reader(io.StringIO(decoded.text, newline=""))]
        grids.append(Grid(p.stem, rows, p.name))
    return grids, notices


def folder_texts(record: dict) -> dict[str, str]:
    """The record as CSV texts, file name → text (exact: numbers as their decimal text)."""
    out = {}
    for table in record_tables(record):
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(table.header)
        sheet = table.sheet
        if sheet.vertical:
            for col, (value,) in zip(sheet.columns, table.rows):
                writer.writerow([col.header, col.unit, cell_text(col, value) or "", col.code])
        else:
            for values in table.rows:
                writer.writerow([cell_text(c, v) or "" for c, v in zip(sheet.all_columns, values)])
        out[f"{sheet.name}.csv"] = buffer.getvalue()
    return out
