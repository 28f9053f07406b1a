"""Files as county offices save them: UTF-8 with or without a BOM, UTF-16/32 with a BOM, and
GBK/GB18030 from Chinese Windows. Each is read (an inferred encoding with a notice), or
refused with exit 2 and the line, column and byte where the text stops being text."""
from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from compliance.cli import main
from compliance.encoding import Decoded, NotText, decode

ROOT = Path(__file__).resolve().parents[1]
RECORD = (ROOT / "examples" / "county-fail.json").read_text(encoding="utf-8")
RULE = (ROOT / "tests" / "lint_cases" / "chinese_columns.yaml").read_text(encoding="utf-8")


def run(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name,raw", [
    ("utf-8", RECORD.encode("utf-8")),
    ("utf-8 with BOM", b"\xef\xbb\xbf" + RECORD.encode("utf-8")),
    ("utf-16 with BOM", RECORD.encode("utf-16")),
    ("utf-16-be with BOM", b"\xfe\xff" + RECORD.encode("utf-16-be")),
    ("utf-32 with BOM", RECORD.encode("utf-32")),
])
def test_declared_encodings_check_as_utf8_does(tmp_path, name, raw):
    plain = tmp_path / "plain.json"
    plain.write_text(RECORD, encoding="utf-8")
    other = tmp_path / "other.json"
    other.write_bytes(raw)
    expected = run("check", plain, "--format", "json")
    got = run("check", other, "--format", "json")
    assert got[0] == expected[0] == 1
    assert json.loads(got[1])["findings"] == json.loads(expected[1])["findings"]
    assert "W108" not in got[2]


@pytest.mark.parametrize("lang,words", [("zh", "已按 GB18030 读取"), ("en", "it was read as GB18030")])
def test_a_gbk_record_is_read_with_a_notice(tmp_path, lang, words):
    path = tmp_path / "gbk.json"
    path.write_bytes(RECORD.encode("gbk"))
    code, out, err = run("check", path, "--lang", lang)
    assert code == 1 and "W108" in err and words in err
    assert "示例县" in out or "Example" in out or out


@pytest.mark.parametrize("lang,words", [("zh", "第 8 个字节起不是有效的 UTF-8 文本"), ("en", "byte 8 onwards is not valid UTF-8")])
def test_bytes_in_no_encoding_are_refused_where_they_are(tmp_path, lang, words):
    path = tmp_path / "bad.json"
    path.write_bytes(b'{"a": "\xff\xfe\xfd"}')
    code, out, err = run("check", path, "--lang", lang)
    assert code == 2 and out == ""
    assert f"{path}:1:8:" in err and "E107" in err and words in err
    assert "Traceback" not in err and "内部错误" not in err


def test_a_broken_utf16_record_names_its_encoding(tmp_path):
    path = tmp_path / "u16.json"
    path.write_bytes(b"\xff\xfe{\x00\x00\xd8")        # a lone high surrogate in UTF-16-LE
    code, _, err = run("check", path)
    assert code == 2 and "E107" in err and "UTF-16" in err


def test_a_gbk_rule_file_is_linted_with_its_real_positions(tmp_path):
    (tmp_path / "gbk.yaml").write_bytes(RULE.encode("gbk"))
    (tmp_path / "utf8.yaml").write_text(RULE, encoding="utf-8")
    code_gbk, _, err_gbk = run("lint", tmp_path / "gbk.yaml")
    code_utf8, _, err_utf8 = run("lint", tmp_path / "utf8.yaml")
    assert "W108" in err_gbk
    # the same diagnostics at the same line:column, only the file name differs
    positions = lambda err, name: re.findall(re.escape(name) + r":(\d+:\d+):", err)  # noqa: E731
    assert positions(err_gbk, "gbk.yaml") == positions(err_utf8, "utf8.yaml") != []
    assert code_gbk == code_utf8


def test_a_rule_file_that_is_not_text_is_an_error_at_its_line(tmp_path):
    raw = RULE.encode("utf-8")
    cut = raw.index(b"\n", 10) + 1
    (tmp_path / "bad.yaml").write_bytes(raw[:cut] + b"\xff\xfe\xfd" + raw[cut:])
    code, _, err = run("lint", tmp_path / "bad.yaml")
    assert code == 2 and "bad.yaml:2:1:" in err and "E107" in err and "Traceback" not in err


@given(st.binary(max_size=200))
def test_any_bytes_decode_or_name_a_position_inside_them(raw):
    try:
        decoded = decode(raw)
    except NotText as exc:
        assert 0 <= exc.offset < len(raw)
        assert exc.line == raw.count(b"\n", 0, exc.offset) + 1 and exc.column >= 1
    else:
        assert isinstance(decoded.text, str)


@given(st.text(alphabet=st.sampled_from("学校班级教师数≥≤（），。：“” abc123{}[]\":,\n"), min_size=1, max_size=80))
def test_chinese_text_in_gbk_reads_back_exactly(text):
    raw = text.encode("gb18030")
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        assert decode(raw) == Decoded(text, "gb18030")
    else:
        # A few GBK byte pairs are also UTF-8 ('校' is D0 A3, which UTF-8 reads as 'У'): such
        # a text is read as UTF-8. Whole files of Chinese text almost never are.
        assert decode(raw).encoding in ("utf-8", "gb18030")
