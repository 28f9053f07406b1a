"""Command-line help in the user's language: argparse's own words (usage, options, its error
messages) in Chinese, or English with --lang en / COMPLIANCE_LANG=en, and per command the
examples and exit codes.

Help strings are written in Chinese in cli.py. A string "中文 / English" shows the side of
its language; a Chinese-only string shows its English from HELP_EN when there is one, else
stays Chinese. argparse prints help before --lang is parsed, so the language is read from the
command line itself (`lang_of`)."""
from __future__ import annotations

import argparse
import os
import re

EXIT_CODES = {
    # The data contract's exit statuses, in each command's terms.
    "check": (("0  全部达标（通过）", "0  every verdict is pass"),
              ("1  有未达标或无法判定（数据不全也不算通过）", "1  something failed or is unknown (missing data is not success)"),
              ("2  用法错误、数据无法读取或不符合格式、规则有错（多份数据时其余照常检查）",
               "2  usage error, unreadable or invalid input, invalid rules (with several records, the valid ones are still checked)"),
              ("3  内部错误（请报告）", "3  internal error (please report it)")),
    "explain": (("0  已解释", "0  explained"),
                ("1  所解释的约束性规则未达标", "1  a binding rule explained is not met"),
                ("2  用法错误、数据无法读取或不符合格式、没有该规则", "2  usage error, unreadable or invalid record, no such rule"),
                ("3  内部错误（请报告）", "3  internal error (please report it)")),
    "coverage": (("0  每个段落都已对照", "0  every paragraph is accounted for"),
                 ("1  有段落未对照", "1  some paragraph is not accounted for"),
                 ("2  用法错误、规则包有错", "2  usage error, invalid pack"),
                 ("3  内部错误（请报告）", "3  internal error (please report it)")),
    "test": (("0  全部用例通过", "0  every case passes"),
             ("1  有用例或性质未通过，或覆盖率低于 --min-coverage", "1  a case or property fails, or coverage is below --min-coverage"),
             ("2  用法错误、规则或用例文件有错", "2  usage error, invalid rules or case files"),
             ("3  内部错误（请报告）", "3  internal error (please report it)")),
    "lint": (("0  没有错误（可能有警告）", "0  no errors (warnings may remain)"),
             ("2  规则文件有错误", "2  the rule files have errors"),
             ("3  内部错误（请报告）", "3  internal error (please report it)")),
}
_DEFAULT_EXIT = (("0  成功", "0  success"), ("1  有未达标或无法判定的结果", "1  something failed or is unknown"),
                 ("2  用法错误或输入无效", "2  usage error or invalid input"), ("3  内部错误（请报告）", "3  internal error (please report it)"))

EXAMPLES = {
    "": (("compliance check examples/county-fail.json", "检查一个县的数据", "check one county's record"),
         ("compliance check 数据目录/ --format jsonl -o 报告.jsonl", "批量检查一个目录中的全部数据", "check every record of a folder",
          "compliance check records/ --format jsonl -o reports.jsonl"),
         ("compliance explain examples/county-fail.json R6 --subject 松岭镇中心小学", "逐步解释一条规则", "explain one rule step by step"),
         ("compliance lint rules/", "静态检查规则文件", "check rule files"),
         ("compliance 命令 --help", "查看某个命令的帮助", "help on one command", "compliance COMMAND --help")),
    "check": (("compliance check county.json", "文字报告", "text report"),
              ("compliance check county.json --format json -o report.json", "JSON 报告写入文件", "JSON report to a file"),
              ("compliance check county.json --pack yanping --as-of 2024-09-01", "指定规则包与评估基准日", "choose the pack and the date"),
              ("compliance check 数据目录/ -j 2", "批量检查，2 个进程", "batch check with 2 processes", "compliance check records/ -j 2"),
              ("cat *.jsonl | compliance check - --format jsonl", "从标准输入读取，每行一份数据", "records on stdin, one per line")),
    "explain": (("compliance explain county.json R6", "未达标与待补数据的前 3 个对象", "the first 3 subjects that fail or lack data"),
                ("compliance explain county.json national/R1 --subject 松岭镇中心小学 --section 小学", "指定学校与学段",
                 "one school and section")),
    "coverage": (("compliance coverage national", "国家标准各段落的对照情况", "paragraphs of the national standard"),),
    "test": (("compliance test", "运行 rules/ 下全部规则包的用例", "run the cases of every pack under rules/"),
             ("compliance test national --coverage --min-coverage 90", "要求覆盖率不低于 90%", "require 90% coverage"),
             ("compliance test yanping --properties", "同时检验规则声明的性质", "check the declared properties too")),
    "lint": (("compliance lint", "检查 rules/ 下全部规则包", "check every pack under rules/"),
             ("compliance lint rules/local/yanping --lang en", "英文消息", "messages in English")),
    "completion": (("eval \"$(compliance completion bash)\"", "在当前 bash 中启用补全", "enable completion in this bash"),
                   ("compliance completion bash > ~/.local/share/bash-completion/completions/compliance",
                    "为以后的 bash 会话安装", "install for later bash sessions"),
                   ("compliance completion zsh >> ~/.zshrc", "zsh（需先 autoload -U bashcompinit && bashcompinit）",
                    "zsh (after autoload -U bashcompinit && bashcompinit)")),
}

# English for help strings written in Chinese only (cli.py); an entry missing here shows
# the Chinese, never nothing.
HELP_EN = {
    "数据文件 RECORD.json、数据目录（其中的 *.json），或 -（标准输入，每行一份 JSON）；多份数据时输出批量报告":
        "a record file RECORD.json, a folder (its *.json), or - (stdin, one JSON record per line); several records give the batch report",
    "规则包名称或目录，可多次给出（默认取数据中的 packs，否则 national）":
        "rule pack name or folder, may repeat (default: the record's packs, else national)",
    "text：文字报告（多份数据时每份一行）；json：JSON 报告（多份数据时为一个文档）；jsonl：每行一份报告":
        "text: the text report (one line per record in a batch); json: the JSON report (one document for a batch); jsonl: one report per line",
    "写入文件而非标准输出（整份写完才出现，失败时不留文件）":
        "write to a file instead of stdout (it appears whole, or not at all on failure)",
    "JSON 报告中保留的结果：all 全部（默认）；problems 只保留未达标、待补数据等（summary 仍计全部）":
        "findings kept in the JSON report: all (default); problems keeps failures, missing data and the like (the summary still counts all)",
    "批量检查时的并行进程数（默认为 CPU 核数；1 表示不另起进程）":
        "processes for a batch (default: the number of CPUs; 1 runs in this process)",
    "批量检查时也计算“距离达标”的建议（较慢；单份数据总是计算）":
        "compute the 'how to comply' advice in a batch too (slower; one record always gets it)",
    "评估基准日 YYYY-MM-DD（默认取数据中的 as_of）": "the date of assessment YYYY-MM-DD (default: the record's as_of)",
    "评估基准日 YYYY-MM-DD": "the date of assessment YYYY-MM-DD",
    "数据中未定义的字段只作警告（默认为错误：拼错的字段名会让真正的字段缺失）":
        "unknown fields in a record only warn (by default an error: a misspelt key leaves the real field missing)",
    "已是默认：无法判定（待补数据）时以 1 退出；保留此选项以兼容旧脚本":
        "the default already: exit 1 when something cannot be judged (missing data); kept for old scripts",
    "同时列出达标项；多份数据时说明哪些规则未能按列批量计算":
        "list what passed too; in a batch, say which rules did not run on the columnar backend",
    "额外的规则包搜索目录": "an extra folder to look for rule packs in",
    "数据文件 RECORD.json": "the record file RECORD.json",
    "规则编号，如 R1 或 national/R1": "rule id, e.g. R1 or national/R1",
    "学校 id 或名称（学校类规则）": "school id or name (rules about schools)",
    "学段": "section (primary or junior)",
    "规则包名称或目录": "rule pack name or folder",
    "列出全部对象（默认只列未达标与待补数据的前 3 个）": "every subject (by default the first 3 that fail or lack data)",
    "规则包名称或目录（默认 rules/ 下全部）": "rule pack names or folders (default: all under rules/)",
    "按规则列出达标、未达标、待补数据用例的覆盖情况": "per rule, which of pass, fail and unknown the cases cover",
    "达标+未达标覆盖低于 N%% 时以 1 退出": "exit 1 when pass+fail coverage is below N%%",
    "同时用 Hypothesis 检验规则声明的性质（monotone、boundary、permutation、scale_invariant）":
        "also check the properties rules declare (monotone, boundary, permutation, scale_invariant) with Hypothesis",
    "每个规则包的性质检验抽取的数据份数（默认 60）": "records drawn per pack for the property checks (default 60)",
    "规则包目录或规则文件（默认 rules/）": "pack folders or rule files (default: rules/)",
    "shell 类型": "the shell",
}

_WORDS = {  # argparse's own words
    "usage": ("用法：", "usage: "), "positional": ("位置参数", "positional arguments"), "options": ("选项", "options"),
    "commands": ("命令", "commands"), "help": ("显示此帮助并退出", "show this help message and exit"),
    "version": ("显示版本号并退出", "show the version and exit"), "examples": ("示例：", "examples:"),
    "exit": ("退出状态：", "exit status:"),
}

# argparse's error messages (Python 3.11–3.13) → Chinese. Unknown ones are kept as they are.
_ERRORS = (
    (r"the following arguments are required: (.*)", "缺少必需的参数：{0}"),
    (r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)", "参数 {0}：无效的选项 {1}（可选：{2}）"),
    (r"argument (.*?): expected one argument", "参数 {0}：需要一个值"),
    (r"argument (.*?): expected at least one argument", "参数 {0}：至少需要一个值"),
    (r"argument (.*?): invalid (\w+) value: (.*)", "参数 {0}：{2} 不是有效的 {1} 值"),
    (r"argument (.*?): ignored explicit argument (.*)", "参数 {0}：不接受值 {1}"),
    (r"argument (.*?): not allowed with argument (.*)", "参数 {0}：不能与 {1} 同时使用"),
    (r"argument (.*?): (.*)", "参数 {0}：{1}"),
    (r"unrecognized arguments: (.*)", "无法识别的参数：{0}"),
    (r"ambiguous option: (.*?) could match (.*)", "选项 {0} 有歧义，可能是：{1}"),
    (r"invalid choice: (.*?) \(choose from (.*)\)", "无效的选项 {0}（可选：{1}）"),
)
_CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def lang_of(argv: list[str], environ=os.environ) -> str:
    """en when the command line says --lang en (or --lang=en), or COMPLIANCE_LANG=en; else zh."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return "en" if argv[i + 1] == "en" else "zh"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1] == "en" else "zh"
    return "en" if environ.get("COMPLIANCE_LANG") == "en" else "zh"


def word(key: str, lang: str) -> str:
    return _WORDS[key][0 if lang == "zh" else 1]


def text(help_text: str | None, lang: str) -> str | None:
    """One help string in `lang` (see the module's docstring)."""
    if not help_text or help_text == argparse.SUPPRESS:
        return help_text
    left, sep, right = help_text.rpartition(" / ")
    if sep and _CJK.search(left) and not _CJK.search(right):
        return left if lang == "zh" else right
    if lang == "en":
        return HELP_EN.get(help_text, help_text)
    return help_text


def epilog(command: str, lang: str, own: str | None = None) -> str:
    """The command's own epilog (if any), its examples, and its exit statuses."""
    i = 0 if lang == "zh" else 1
    lines = [own, ""] if own else []
    # (command, zh, en[, the command in English when it names things in Chinese])
    examples = [(e[3] if lang == "en" and len(e) > 3 else e[0], e[1], e[2]) for e in EXAMPLES.get(command, ())]
    if examples:
        lines.append(word("examples", lang))
        # Aligned by display width (a CJK character takes two columns); a long command gets
        # its comment on the next line.
        width = max(_width(e[0]) for e in examples if _width(e[0]) < 70) if any(_width(e[0]) < 70 for e in examples) else 0
        lines += [f"  {e[0]}{' ' * (width - _width(e[0]))}  # {e[1 + i]}" if _width(e[0]) < 70
                  else f"  {e[0]}\n      # {e[1 + i]}" for e in examples]
        lines.append("")
    lines.append(word("exit", lang))
    lines += [f"  {code[i]}" for code in EXIT_CODES.get(command, _DEFAULT_EXIT)]
    return "\n".join(lines)


def _width(s: str) -> int:
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def without_lang(argv: list[str]) -> list[str]:
    """The command line less its --lang option (to tell a bare `compliance --lang en`)."""
    out, skip = [], False
    for i, arg in enumerate(argv):
        if skip:
            skip = False
        elif arg == "--lang" and i + 1 < len(argv):
            skip = True
        elif not arg.startswith("--lang="):
            out.append(arg)
    return out


def error_text(message: str, lang: str) -> str:
    if lang == "en":
        return message
    for pattern, template in _ERRORS:
        m = re.fullmatch(pattern, message, re.S)
        if m:
            return template.format(*m.groups())
    return message


class Formatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter with its words and the help strings in `lang`."""

    def __init__(self, prog: str, lang: str = "zh"):
        super().__init__(prog, max_help_position=32)
        self.lang = lang

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, word("usage", self.lang) if prefix is None else prefix)

    def _get_help_string(self, action):
        return text(action.help, self.lang)

    def format_help(self):
        out = super().format_help()
        if self.lang == "zh":   # argparse ends each heading with an ASCII colon
            for key in ("positional", "options", "commands"):
                out = out.replace(f"\n{word(key, 'zh')}:\n", f"\n{word(key, 'zh')}：\n")
        return out
