"""What `compliance check PATH ...` reads, in the order given: files, the `*.json` and `*.xlsx`
files of a directory and its folders of CSV files (sorted by name, not recursive), and `-`,
JSON Lines on stdin (one record per line). A folder holding 县级情况.csv is itself one record.
Enumerated lazily, so a long stdin stream is never held whole."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

STDIN = "-"


@dataclass(frozen=True)
class Source:
    """One record to check. Only names and bytes: cheap to send to a worker process."""
    name: str                   # shown to people and written as the report's input.path
    path: str | None = None     # a file to read …
    data: bytes | None = None   # … or one line of JSON Lines
    line: int | None = None     # that line's number on stdin
    empty_dir: bool = False     # a directory given without any *.json in it


def is_batch(paths: list[str]) -> bool:
    """Several records (several paths, a directory or stdin) get the batch report; one file
    keeps the detailed one."""
    return len(paths) != 1 or paths[0] == STDIN or (Path(paths[0]).is_dir() and not _table_folder(paths[0]))


def _table_folder(path) -> bool:
    """A folder of CSV files holding one record (it has 县级情况.csv): not a batch."""
    from .csv_io import is_table_folder
    return is_table_folder(Path(path))


def directory_files(directory: Path, output: Path | None = None) -> list[Path]:
    # Hidden files (a report's temporary file) and the report being written are not records.
    skip = output.resolve() if output is not None else None
    # *.xlsx too (not Excel's lock files ~$…), and sub-folders of CSV files holding one record each
    found = [p for p in (*directory.glob("*.json"), *directory.glob("*.xlsx"))
             if p.is_file() and not p.name.startswith((".", "~$")) and (skip is None or p.resolve() != skip)]
    found += [p for p in directory.iterdir() if _table_folder(p) and not p.name.startswith(".")]
    return sorted(found, key=lambda p: p.name)


def sources(paths: list[str], stdin: BinaryIO | None = None, output: Path | None = None) -> Iterator[Source]:
    for given in paths:
        if given == STDIN:
            yield from _lines(stdin if stdin is not None else _stdin())
        elif Path(given).is_dir() and not _table_folder(given):
            files = directory_files(Path(given), output)
            if not files:
                yield Source(given, empty_dir=True)
            for file in files:
                yield Source(str(file), path=str(file))
        else:
            yield Source(given, path=given)


def count(paths: list[str], output: Path | None = None) -> int | None:
    """How many records the paths hold, or None when stdin is among them (unknown until read)."""
    if STDIN in paths:
        return None
    total = 0
    for given in paths:
        batch_dir = Path(given).is_dir() and not _table_folder(given)
        total += max(1, len(directory_files(Path(given), output))) if batch_dir else 1
    return total


def _lines(stream: Iterable[bytes]) -> Iterator[Source]:
    for number, raw in enumerate(stream, 1):
        if raw.strip():
            yield Source(f"<stdin>:{number}", data=raw.rstrip(b"\r\n"), line=number)


def _stdin() -> BinaryIO:
    import sys
    return sys.stdin.buffer
