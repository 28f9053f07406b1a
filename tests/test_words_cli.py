"""Messages in the user's words (field titles with units and pointers, amounts in the record's
unit, dates, OS errors) and the command line's comforts (help in Chinese or English with
examples and exit codes, --version, bare `compliance`, shell completion)."""
import errno
import json
import os
import shutil
import subprocess
import sys
from fractions import Fraction
from importlib.metadata import version
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from compliance.cli import main
from compliance.cli_help import error_text, lang_of
from compliance.engine import load_checker
from compliance.fieldnames import amount, field_label
from compliance.findings import format_number
from compliance.oserrors import os_reason
from compliance.record import loads
from compliance.validate import read_record, validate_record

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ["check", "explain", "coverage", "test", "lint", "completion"]
ARGPARSE_ENGLISH = ("usage:", "positional arguments", "options:", "optional arguments", "show this help message",
                    "show program's version")


def help_of(capsys, *args) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([*args, "--help"])
    assert exit_.value.code == 0
    return capsys.readouterr().out


# ---- help -------------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_in_chinese_has_no_argparse_english(capsys, monkeypatch, command):
    monkeypatch.delenv("COMPLIANCE_LANG", raising=False)
    text = help_of(capsys, *([command] if command else []))
    for words in ARGPARSE_ENGLISH:
        assert words not in text, words
    assert text.startswith("用法：compliance") and "选项：" in text and "显示此帮助并退出" in text
    assert "退出状态：" in text and "\n  0  " in text and "\n  2  " in text and "\n  3  " in text
    assert "示例：" in text


def test_check_help_lists_the_data_contracts_exit_codes_and_examples(capsys, monkeypatch):
    monkeypatch.delenv("COMPLIANCE_LANG", raising=False)
    text = help_of(capsys, "check")
    assert "位置参数：" in text and "规则包名称或目录" in text
    assert "0  全部达标" in text and "1  有未达标或无法判定" in text and "2  用法错误" in text and "3  内部错误" in text
    assert "compliance check county.json --format json -o report.json" in text


@pytest.mark.parametrize("how", ["option", "option=", "environment"])
def test_help_in_english(capsys, monkeypatch, how):
    monkeypatch.delenv("COMPLIANCE_LANG", raising=False)
    args = ["check"]
    if how == "option":
        args += ["--lang", "en"]
    elif how == "option=":
        args += ["--lang=en"]
    else:
        monkeypatch.setenv("COMPLIANCE_LANG", "en")
    text = help_of(capsys, *args)
    assert text.startswith("usage: compliance check") and "positional arguments:" in text and "options:" in text
    assert "rule pack name or folder, may repeat" in text and "规则包名称或目录" not in text
    assert "exit status:" in text and "0  every verdict is pass" in text and "examples:" in text
    assert "退出状态" not in text and "用法" not in text


def test_top_level_help_in_english_has_no_chinese_words_of_ours(capsys, monkeypatch):
    monkeypatch.delenv("COMPLIANCE_LANG", raising=False)
    text = help_of(capsys, "--lang", "en")
    assert "commands:" in text and "check records" in text and "Chinese education policy as rules-as-code" in text
    assert "教育督导政策规则检查" not in text and "命令" not in text


def test_bilingual_help_strings_show_one_side():
    from compliance.cli_help import text
    assert text("消息语言 / message language (default zh)", "zh") == "消息语言"
    assert text("消息语言 / message language (default zh)", "en") == "message language (default zh)"
    assert text("一个尚未翻译的说明", "en") == "一个尚未翻译的说明"     # never nothing


def test_lang_is_read_from_the_command_line_before_parsing():
    assert lang_of(["check", "x.json", "--lang", "en"], {}) == "en"
    assert lang_of(["--lang=en", "lint"], {}) == "en"
    assert lang_of(["check"], {"COMPLIANCE_LANG": "en"}) == "en"
    assert lang_of(["check", "--lang", "zh"], {"COMPLIANCE_LANG": "en"}) == "zh"
    assert lang_of([], {}) == "zh"


def test_usage_errors_in_chinese_and_english(capsys, monkeypatch):
    monkeypatch.delenv("COMPLIANCE_LANG", raising=False)
    with pytest.raises(SystemExit) as exit_:
        main(["check"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "用法：compliance check" in err and "用法错误：缺少必需的参数：PATH" in err and "required" not in err
    with pytest.raises(SystemExit) as exit_:
        main(["check", "x.json", "--format", "pdf", "--lang", "en"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "usage error: argument --format: invalid choice: 'pdf'" in err
    assert error_text("unrecognized arguments: --foo", "zh") == "无法识别的参数：--foo"


def test_version_comes_from_the_package_metadata(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"compliance {version('compliance')}"


@pytest.mark.parametrize("argv,lang", [([], "zh"), (["--lang", "en"], "en")])
def test_bare_compliance_prints_the_help_and_exits_2(capsys, monkeypatch, argv, lang):
    monkeypatch.delenv("COMPLIANCE_LANG", raising=False)
    assert main(argv) == 2
    out = capsys.readouterr().out
    assert out.startswith("用法：compliance" if lang == "zh" else "usage: compliance")
    assert ("check" in out) and ("退出状态：" if lang == "zh" else "exit status:") in out


def test_bash_completion_script_completes_commands_and_options(tmp_path):
    bash = shutil.which("bash")
    exe = Path(sys.executable).parent / "compliance"
    if bash is None or not exe.exists():
        pytest.skip("needs bash and the installed `compliance` script")
    script = subprocess.run([sys.executable, "-m", "compliance", "completion", "bash"], capture_output=True,
                            text=True, check=True).stdout
    (tmp_path / "c.sh").write_text(script, encoding="utf-8")
    probe = (f'source {tmp_path / "c.sh"}\n'
             'fn=$(complete -p compliance | sed -E "s/.*-F ([^ ]+).*/\\1/")\n'
             'ask() { COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<< "$1"; '
             'COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=(); COMP_TYPE=9; '
             '$fn compliance "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"; printf "%s|" "${COMPREPLY[@]}"; echo; }\n'
             'ask "compliance ch"\nask "compliance check --fo"\n')
    env = {**os.environ, "PATH": f"{exe.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    out = subprocess.run([bash, "--norc", "-c", probe], capture_output=True, text=True, env=env, timeout=60)
    lines = out.stdout.splitlines()
    assert len(lines) == 2, out.stderr
    assert [w.strip() for w in lines[0].split("|") if w] == ["check"]
    assert [w.strip() for w in lines[1].split("|") if w] == ["--format"]


# ---- field names ------------------------------------------------------------------------

def test_field_label_names_title_unit_and_pointer():
    p = "/schools/18/shared/equipment_value_wan_yuan"
    assert field_label(p) == "教学仪器设备资产值（万元）（/schools/18/shared/equipment_value_wan_yuan）"
    assert field_label(p, "en") == "equipment value (10,000 yuan) (/schools/18/shared/equipment_value_wan_yuan)"
    assert field_label("/as_of") == "评估基准日（/as_of）"                      # no unit to say
    assert field_label("/facts/no_such_field") == "no_such_field（/facts/no_such_field）"   # never a crash


def test_unknown_findings_name_the_field():
    data = loads((ROOT / "examples" / "county-missing.json").read_bytes())
    findings = load_checker(["national"]).check(data)
    unknown = [f for f in findings if f.rule == "national/R6" and f.status == "unknown"]
    for lang, words in (
            ("zh", "缺少数据：教学仪器设备资产值（万元）（/schools/18/shared/equipment_value_wan_yuan），无法判断"),
            ("en", "missing data: equipment value (10,000 yuan) (/schools/18/shared/equipment_value_wan_yuan); "
                   "cannot judge")):
        assert any(words in f.message(lang) for f in unknown)


@pytest.mark.parametrize("lang,words", [
    ("zh", ["评估基准日（/as_of）：'2024/09/01' 不是有效的日期：应为 YYYY-MM-DD 格式",
            "教学仪器设备资产值（万元）（/schools/0/shared/equipment_value_wan_yuan）：应为数值"]),
    ("en", ["as of (/as_of): '2024/09/01' is not a valid date: expected YYYY-MM-DD",
            "equipment value (10,000 yuan) (/schools/0/shared/equipment_value_wan_yuan): expected a number"])])
def test_schema_errors_name_the_field_and_the_date_format(lang, words):
    data = {"format_version": "1", "jurisdiction": {"code": "1", "name": "x", "level": "county"}, "year": 2024,
            "as_of": "2024/09/01",
            "schools": [{"id": "a", "name": "b", "type": "primary", "shared": {"equipment_value_wan_yuan": "12万"}}]}
    messages = [d.message(lang) for d in validate_record(data, "r.json")]
    for w in words:
        assert any(w in m for m in messages), (w, messages)
    assert not any("不是有效的date" in m for m in messages)


# ---- OS errors --------------------------------------------------------------------------

def test_os_errors_are_said_in_words(tmp_path):
    _, missing = read_record(tmp_path / "nope.json")
    assert [d.message("zh") for d in missing] == ["无法读取文件：文件不存在"]
    assert [d.message("en") for d in missing] == ["cannot read file: no such file"]
    assert os_reason(OSError(errno.EACCES, "Permission denied")).zh == "没有读写权限"
    assert os_reason(OSError(errno.EISDIR, "Is a directory")).text("en") == "it is a directory, not a file"
    odd = os_reason(OSError(errno.EXDEV, "Invalid cross-device link"))
    assert "errno" in odd.zh and odd.zh.startswith("系统错误")


# ---- amounts ----------------------------------------------------------------------------

def test_numbers_are_exact_and_grouped_from_five_digits():
    assert format_number(1800) == "1800" and format_number(2020) == "2020"
    assert format_number(12574.76 if False else Fraction(1257476, 100)) == "12,574.76"
    assert format_number(-5000000000) == "-5,000,000,000"
    # Exact digits, where a float would have lost them.
    assert format_number(Fraction("123456789012345.6789")) == "123,456,789,012,345.6789"
    assert format_number(Fraction(1, 3)) == "0.3333"


def test_an_amount_is_shown_in_the_records_unit():
    p = "/history/1/public_budget_education_expenditure_wan_yuan"
    assert amount(5_000_000_000, p) == "500,000 万元"                       # 元 back to 万元, exactly
    assert amount(6_552_800_000, p) == "655,280 万元"
    assert amount(6_552_800_001, p) == "655,280.0001 万元"
    assert amount(5_000_000_000, p, "en") == "500,000 × 10,000 yuan"
    assert amount(5415, "/facts/per_student_public_budget_education_expenditure_yuan") == "5415 元"


@pytest.mark.parametrize("lang,words", [
    ("zh", "贵港市2021年为 500,000 万元，低于上年的 671,840 万元"),
    ("en", "贵港市 500,000 × 10,000 yuan in 2021, down from 671,840 × 10,000 yuan")])
def test_a_falling_series_is_told_in_its_unit(lang, words):
    data = json.loads((ROOT / "examples" / "guigang-2021.json").read_text(encoding="utf-8"))
    data["facts"]["public_budget_education_expenditure_wan_yuan"] = 500000
    findings = load_checker(["guigang"]).check(loads(json.dumps(data, ensure_ascii=False)))
    fell = next(f for f in findings if f.rule == "guigang/GG-S1")
    assert fell.status == "fail"
    assert words in fell.message(lang)
    assert "5000000000" not in fell.message(lang)


def test_remedies_name_the_field_and_its_unit(capsys):
    assert main(["check", str(ROOT / "examples" / "county-fail.json")]) == 1
    out = capsys.readouterr().out
    assert "教学仪器设备资产值（万元）（/schools/20/shared/equipment_value_wan_yuan）需增加 9.04 万元（81.36 → 90.4）" in out
    assert ("12,574.76" in out) and ("12574.76" not in out)       # grouped, as every number is
    from compliance.remedy import _describe
    en = _describe("/schools/20/shared/equipment_value_wan_yuan", "", Fraction("81.36"), Fraction("90.4")).text_en
    assert en == "increase equipment value (10,000 yuan) (/schools/20/shared/equipment_value_wan_yuan) by 9.04 (81.36 → 90.4)"


def test_a_new_commands_own_epilog_keeps_the_exit_statuses():
    # Other commands are added by writing Chinese help= strings: they get the same wording.
    from compliance.cli import _Parser
    parser = _Parser(prog="compliance new-thing", description="新命令 / a new command", epilog="自己的说明", lang="zh")
    parser.add_argument("path", help="文件")
    text = parser.format_help()
    assert "自己的说明" in text and "退出状态：" in text and "位置参数：" in text and "新命令" in text
    assert not any(words in text for words in ARGPARSE_ENGLISH) and "a new command" not in text


def test_lint_of_a_missing_path_says_so(capsys, tmp_path):
    assert main(["lint", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err
    assert "无法读取文件：文件或目录不存在" in err and "内部错误" not in err


def test_every_chinese_help_string_has_its_english():
    """`--lang en` help shows English for every option and command, the new ones included
    (Chinese may remain only inside names such as the 认定事项 sheet)."""
    import re
    from compliance import cli_help
    from compliance.cli import build_parser
    cjk = re.compile(r"[\u4e00-\u9fff]")
    untranslated = []

    def walk(parser):
        texts = [a.help for a in parser._actions] + [parser.description]
        untranslated.extend(t for t in texts if t and cjk.search(t) and cli_help.text(t, "en") == t)
        for action in parser._actions:
            if isinstance(getattr(action, "choices", None), dict):
                for sub in action.choices.values():
                    walk(sub)
    walk(build_parser("en"))
    assert untranslated == []


@pytest.mark.parametrize("pack", ["national", "beijing", "guigang", "xx-county", "yanping", "zhangye"])
def test_every_shipped_rule_has_an_english_title(pack):
    """Reports in English (--lang en: text, HTML, xlsx, SARIF) show a rule by its English title;
    without one they fall back to the Chinese title (R2-CV … R7-CV had none)."""
    checker = load_checker([pack])
    assert [r.qualified_id for a in checker.analyses for r in a.rules if not r.title_en] == []


@given(st.fractions(), st.booleans(), st.integers(0, 6))
def test_a_number_is_rounded_for_people_as_round_fraction_rounds_it(value, percent, places):
    """format_number rounds in integers; it must say what round(Fraction, places) says (half
    to even, exact digits, no float), with a sign only when the rounded number is not zero."""
    def reference(v: Fraction, places: int) -> str:
        rounded = round(v, places)
        sign = "-" if rounded < 0 else ""
        whole, rest = divmod(abs(rounded.numerator), rounded.denominator)
        digits = str(rest * 10 ** places // rounded.denominator).rjust(places, "0").rstrip("0") if places else ""
        grouped = f"{whole:,}" if whole >= 10000 else str(whole)
        return f"{sign}{grouped}.{digits}" if digits else f"{sign}{grouped}"
    expected = reference(value * 100, 2) + "%" if percent else reference(value, places)
    assert format_number(value, percent, places) == expected
    for half in (Fraction(5, 2), Fraction(-5, 2), Fraction(7, 2), Fraction(1, 200), Fraction(3, 200)):
        assert format_number(half, False, 0 if half.denominator == 2 else 2) == reference(half, 0 if half.denominator == 2 else 2)
