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
    "diff": (("0  没有结果或结论改变", "0  no finding or verdict changes"),
             ("1  有结果或结论改变（如 diff 命令）", "1  findings or verdicts change (as diff(1) does)"),
             ("2  用法错误、数据或规则有误（不写任何输出）", "2  usage error, invalid records or rules (nothing is written)"),
             ("3  内部错误（请报告）", "3  internal error (please report it)")),
    "new-pack": (("0  已新建", "0  created"),
                 ("2  标识无效、目录已存在、文件无法读取或 --extends 的规则包不存在（什么也不写）",
                  "2  invalid id, existing folder, unreadable document or unknown --extends pack (nothing is written)"),
                 ("3  内部错误（请报告）", "3  internal error (please report it)")),
    "template": (("0  已写入模板", "0  written"), ("2  用法错误、无法写入", "2  usage error, cannot write"),
                 ("3  内部错误（请报告）", "3  internal error (please report it)")),
    "import": (("0  已转换", "0  converted"),
               ("2  工作簿或 CSV 有误（指明工作表、单元格和表头）", "2  the workbook or CSV has errors (sheet, cell and header named)"),
               ("3  内部错误（请报告）", "3  internal error (please report it)")),
    "export": (("0  已写出", "0  written"), ("2  数据无效或无法写成表格", "2  invalid record, or it cannot be written as tables"),
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
    "diff": (("compliance diff rules 新规则/ examples/", "新旧两套规则对一批数据的影响", "the impact of a rule change on a folder of records",
              "compliance diff rules new-rules/ examples/"),
             ("compliance diff --old-rev HEAD~1 rules examples/", "与 git 上一版的规则比较", "against the rules of the previous git commit"),
             ("compliance diff rules 新规则/ examples/ -o 影响.html", "网页报告", "as a web page",
              "compliance diff rules new-rules/ examples/ -o impact.html")),
    "new-pack": (("compliance new-pack mycounty --extends national --document 方案.txt",
                  "按文件的编号段落新建规则包", "a new pack, coverage pre-filled from the document",
                  "compliance new-pack mycounty --extends national --document plan.txt"),),
    "template": (("compliance template 模板.xlsx --pack national", "空白填报模板", "the blank workbook",
                  "compliance template blank.xlsx --pack national"),),
    "import": (("compliance import 填好的.xlsx -o county.json", "工作簿转为 JSON 数据", "workbook to record JSON",
                "compliance import filled.xlsx -o county.json"),),
    "export": (("compliance export county.json -o county.xlsx", "JSON 数据写成工作簿", "record JSON to a workbook"),
               ("compliance export county.json -o county-csv/", "写成 CSV 文件夹", "as a folder of CSV files")),
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


# Help strings of the commands added with issues 14 and 15.
HELP_EN.update({
    '数据文件 RECORD.json 或 Excel 工作簿 .xlsx、CSV 文件夹（含 县级情况.csv）、数据目录（其中的 *.json、*.xlsx），或 -（标准输入，每行一份 JSON）；多份数据时输出批量报告':
        'a record file RECORD.json or Excel workbook .xlsx, a CSV folder (with 县级情况.csv), a folder of records (its *.json, *.xlsx), or - (stdin, one JSON record per line); several records give the batch report',
    'text：文字报告（多份数据时每份一行）；json：JSON 报告（多份数据时为一个文档；输入有误时为一个 JSON 错误对象）；jsonl：每行一份报告；html：可打印的网页报告（单个文件，多份数据时含汇总页）；xlsx：Excel 工作簿（须用 --output）；sarif：SARIF 2.1.0（供代码扫描工具）；junit：JUnit XML（供持续集成）。不给出时按 --output 的扩展名选择（.txt .json .jsonl .html .xlsx .sarif .xml），否则为 text':
        "text: the text report (one row per record for several); json: the JSON report (one document for several; a JSON error object for bad input); jsonl: one report per line; html: a printable web page (one file, with a roll-up page for several); xlsx: an Excel workbook (needs --output); sarif: SARIF 2.1.0 (for code-scanning tools); junit: JUnit XML (for CI). Without it, --output's extension picks (.txt .json .jsonl .html .xlsx .sarif .xml), else text",
    '单份数据文件的大小上限（MB，默认 10）：更大的文件立即拒绝，而不是运行几分钟':
        'the largest record file accepted (MB, default 10): a larger one is refused at once instead of running for minutes',
    '数据前后矛盾（如骨干教师多于专任教师、班额人数合计不等于学生数）时作为错误（退出 2），不再检查；默认只作提示，并在依赖这些数据的结论旁注明':
        'contradictory figures (more backbone teachers than teachers, class sizes that do not add up to the students) are errors (exit 2) and nothing is judged; by default they are notices, marked beside the findings that read them',
    '阈值变异检验：每个参数值调高、调低一步，须有用例发现；有存活的变异时以 1 退出':
        'threshold mutation gate: every parameter value moved one step up and down must be caught by some case; exit 1 when a mutant survives',
    'OLD_RULES NEW_RULES RECORD…（旧规则目录、新规则目录、数据文件或目录）；给出 --old-rev 时为 RULES RECORD…':
        'OLD_RULES NEW_RULES RECORD… (old rules folder, new rules folder, record files or folders); with --old-rev: RULES RECORD…',
    '旧规则取自 git 版本 REV 中的同一目录（如 HEAD~1），新规则为工作区中的目录':
        'take the old rules from the same folder at git revision REV (e.g. HEAD~1); the new rules are the folder in the work tree',
    'text 文字（默认）；json JSON 文档；html 网页（单个文件）。不给出时按 --output 的扩展名选择':
        "text (default); json: a JSON document; html: a web page (one file). Without it, --output's extension picks",
    '写入文件而非标准输出（整份写完才出现）':
        'write to a file instead of stdout (it appears only when complete)',
    '规则包名称（默认取数据中的 packs，否则 national）':
        "rule pack name (default: the record's packs, else national)",
    '文字报告列出每条规则的全部变化（默认每条规则最多 20 项）':
        'list every change of every rule in the text report (default: at most 20 per rule)',
    '数据中未定义的字段只作警告':
        'fields the record format does not define are only warnings',
    '用旧、新两套规则检查同一批数据，列出状态改变的结果（按规则、按数据）与改变的参数。退出码：0 没有结果改变；1 有结果或结论改变；2 输入或规则有误':
        'check the same records with the old and the new rules and list the findings whose status changes (by rule and by record) and the parameters that changed. Exit status: 0 nothing changed; 1 findings or verdicts changed; 2 bad input or rules',
    '规则包标识（小写字母、数字、- 和 _），如 mycounty':
        'pack id (lower-case letters, digits, - and _), e.g. mycounty',
    '继承的规则包，如 national':
        'the pack it extends, e.g. national',
    '政策文件的纯文本（复制为 document.txt，并据其编号段落预填 coverage.yaml）':
        'the policy document as plain text (copied to document.txt; its numbered paragraphs pre-fill coverage.yaml)',
    '放置新规则包的目录（默认 rules/local）':
        'the folder to put the new pack in (default rules/local)',
    '额外的规则包搜索目录（查找 --extends）':
        'extra folders to search for packs (to find --extends)',
    '生成 pack.yaml、params.yaml、coverage.yaml（给出文件时按其编号段落预填）、一条示例规则、示例数据和测试用例；已存在的规则包不会被覆盖（以 2 退出）':
        "writes pack.yaml, params.yaml, coverage.yaml (pre-filled from the document's numbered paragraphs when given), one example rule, an example record and test cases; an existing pack is never overwritten (exit 2)",
    '模板文件（.xlsx）':
        'the template file (.xlsx)',
    '规则包：在“认定事项”表中列出其需要认定的条款':
        'rule pack: its attested clauses are listed on the 认定事项 sheet',
    'Excel 工作簿，或含 县级情况.csv 的文件夹':
        'an Excel workbook, or a folder with 县级情况.csv',
    'JSON 文件（默认写到标准输出）':
        'the JSON file (default: stdout)',
    '文件大小上限（MB，默认 10）':
        'the largest file accepted (MB, default 10)',
    '数据文件':
        'the record file',
    'OUT.xlsx，或一个文件夹（写成每个工作表一个 CSV 文件）':
        'OUT.xlsx, or a folder (one CSV file per sheet)',
    '输出 Markdown（docs/字段说明.md 即由此生成）':
        'print Markdown (docs/字段说明.md is made with it)',
})


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
