"""Hostile variations of valid records, as bytes: a field deleted, retyped, duplicated, wrapped
or nested deep, then the whole file in another encoding or with a damaged byte. Used by
tests/test_fuzz_records.py and benchmarks/soak_inputs.py."""
from __future__ import annotations

import json
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
BASES = {name: json.loads((ROOT / "examples" / name).read_text(encoding="utf-8"))
         for name in ("worked-example-cv.json", "worked-example-split.json", "beijing-2024.json")}

# Raw JSON text a spreadsheet or a hand edit may leave where a value belongs.
ODD_VALUES = ['"x"', "-1", "0", "1e400", "-1e-400", "NaN", "Infinity", "null", "[]", "{}", "true", '"12万"',
              '"1,234"', '"１２５０"', '"2024-02-30"', "1" + "0" * 40, '"\\ud800"', '"\\u0000\\u001b[31m"', "0.1e1"]


def _places(value, path=()):
    """Every (path, value) in a JSON tree, the root included."""
    yield path, value
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _places(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _places(v, (*path, i))


def _replace(value, path, new):
    if not path:
        return new
    head, *rest = path
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new)}
    return [*value[:head], _replace(value[head], rest, new), *value[head + 1:]]


def _delete(value, path):
    head, *rest = path
    if rest:
        return _replace(value, [head], _delete(value[head], rest))
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if k != head}
    return [*value[:head], *value[head + 1:]]


_MARK = "\u2063MUTATION\u2063"        # a string no record holds: replaced by raw text after dumping


@st.composite
def mutated_record(draw) -> bytes:
    record = draw(st.sampled_from(sorted(BASES)))
    data = BASES[record]
    raw_insert = None
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p, _ in _places(data) if p]
        path = draw(st.sampled_from(places))
        kind = draw(st.sampled_from(["delete", "retype", "wrap", "nest", "duplicate"]))
        if kind == "delete":
            data = _delete(data, path)
        elif kind == "retype":
            raw_insert = draw(st.sampled_from(ODD_VALUES))
            data = _replace(data, path, _MARK)
        elif kind == "wrap":
            old = dict(_places(data))[path]
            data = _replace(data, path, draw(st.sampled_from([[old], {"value": old}])))
        elif kind == "nest":
            depth = draw(st.sampled_from([5, 60, 300, 3000]))
            data = _replace(data, path, _MARK)
            raw_insert = "[" * depth + "1" + "]" * depth
        else:
            parent = path[:-1]
            if isinstance(path[-1], str):
                data = _replace(data, parent, {**dict(_places(data))[parent], path[-1] + _MARK: 0})
                raw_insert = None
    text = json.dumps(data, ensure_ascii=False, indent=draw(st.sampled_from([None, 1])))
    # The duplicate key: the marked key becomes a second copy of its original.
    text = text.replace(_MARK + '"', '"')
    if raw_insert is not None:
        text = text.replace(json.dumps(_MARK, ensure_ascii=False), raw_insert)
    text = text.replace(_MARK, "")
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "gb18030", "damaged"]))
    if encoding == "damaged":
        raw = text.encode("utf-8")
        at = draw(st.integers(0, len(raw)))
        return raw[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\x00", b"\xed\xa0\x80"])) + raw[at:]
    return text.encode(encoding, errors="replace")
