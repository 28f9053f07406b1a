"""Mutated records (tests/mutations.py) never make `check` fail with an internal error; a
refusal (exit 2) names places that exist in the input: a line within the file or a JSON pointer
that resolves in it. benchmarks/soak_inputs.py runs the same over 10,000 records."""
from __future__ import annotations

import contextlib
import io
import json
import re

from hypothesis import given, settings

from compliance.cli import main

from mutations import mutated_record

POINTER = re.compile(r"#(/[^:]*):")
LINE = re.compile(r"\.json:(\d+):(\d+):")


def check(raw: bytes, tmp_path) -> tuple[int, str]:
    path = tmp_path / "r.json"
    path.write_bytes(raw)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["check", str(path), "--format", "json"])
    return code, err.getvalue()


def resolves(data, pointer: str) -> bool:
    if pointer == "/":          # reports show the whole record as "#/"
        return True
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return False
    return True


@settings(max_examples=40)
@given(raw=mutated_record())
def test_a_mutated_record_is_checked_or_refused_where_it_is_wrong(tmp_path_factory, raw):
    code, err = check(raw, tmp_path_factory.mktemp("fuzz"))
    assert code in (0, 1, 2), err
    assert "内部错误" not in err and "Traceback" not in err, err
    if code != 2:
        return
    try:
        data = json.loads(raw.decode("utf-8-sig"))      # the pointers' document, where it parses
    except (UnicodeDecodeError, ValueError, RecursionError):
        data = None
    for pointer in POINTER.findall(err):
        if data is not None:
            assert resolves(data, pointer), (pointer, err)
    lines = raw.count(b"\n") + 1
    for line, _ in LINE.findall(err):
        assert 1 <= int(line) <= lines, err
    assert POINTER.search(err) or LINE.search(err) or ".json:" in err, err
