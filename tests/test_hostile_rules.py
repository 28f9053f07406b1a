"""Rule files no author means to write: an alias bomb, a recursive alias, a !!python tag, a NUL
byte, flow collections nested thousands deep, a 20 MB scalar, a file of comments only. Each is
an error at its own line and column (exit 2), never a hang or an internal error."""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from compliance.cli import main

HEAD = "citation: {document: 测试}\nrules:\n  - id: T1\n"
BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))

CASES = {
    "alias bomb": (BOMB, "E109", "1:16", "aliases expand to too many values"),
    "recursive alias": ("a: &a [*a]\n", "E109", "1:4", "an alias refers to a value that contains it"),
    "python tag": (HEAD + '    title: !!python/object/apply:os.system ["echo hi"]\n', "E101", "4:12",
                   "unsupported YAML tag !!python/object/apply:os.system"),
    "custom tag": (HEAD + "    title: !secret x\n", "E101", "4:12", "unsupported YAML tag !secret"),
    "NUL byte": (HEAD + "    title: a\x00b\n", "E101", "4:13", "character U+0000 is not allowed"),
    "deep flow": ("a: " + "[" * 5000 + "]" * 5000 + "\n", "E109", "1:", "nested more than 64 levels deep"),
    "deep block": ("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 80)), "E109", "65:129", "nested more than 64"),
    "huge scalar": (HEAD + '    title: "' + "x" * 200_000 + '"\n', "E109", "4:12", "the value is too long"),
    "huge file": (HEAD + "#" * 2_100_000 + "\n", "E109", "1:1", "the file is too large"),
    "comments only": ("# nothing here\n\n", "E236", "1:1", "the rule file is empty"),
}


def lint(path: Path, lang: str = "en") -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["lint", str(path), "--lang", lang])
    return code, err.getvalue()


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_hostile_rule_file_is_an_error_where_it_breaks(tmp_path, name):
    text, code, where, words = CASES[name]
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    exit_code, err = lint(path)
    assert exit_code == 2
    assert "internal error" not in err and "Traceback" not in err
    assert f"{path}:{where}" in err and code in err and words in err, err[:500]


def test_the_messages_are_chinese_by_default(tmp_path):
    path = tmp_path / "hostile.yaml"
    path.write_text(BOMB, encoding="utf-8")
    code, err = lint(path, "zh")
    assert code == 2 and "别名（*引用）展开后的值过多" in err


def test_ordinary_aliases_still_work(tmp_path):
    """Anchors and aliases are YAML; only runaway ones are refused."""
    path = tmp_path / "ok.yaml"
    path.write_text("citation: &c {document: 测试, article: 第一条}\nrules: []\nderived: []\n", encoding="utf-8")
    code, err = lint(path)
    assert "E109" not in err and "E101" not in err


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_hostile_rule_file_is_answered_in_chinese_at_the_same_place(tmp_path, name):
    text, code, where, _ = CASES[name]
    path = tmp_path / "hostile.yaml"
    path.write_text(text, encoding="utf-8")
    exit_code, err = lint(path, "zh")
    assert exit_code == 2 and f"{path}:{where}" in err and f"错误 {code}" in err, err[:300]
