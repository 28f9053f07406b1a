"""Diagnostics are data: a code, where it happened, and the arguments of its message.

Messages live in two catalogs (zh, en); `render` turns a diagnostic into text with the
source line and a caret under the offending token. Nothing here raises.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

LANGS = ("zh", "en")


@dataclass(frozen=True)
class Localized:
    """A message argument that itself needs translating (a type name, a list of choices)."""
    zh: str
    en: str

    def text(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Location:
    """Where a problem is: file with line/column (rules), or file with JSON pointer (records)."""
    file: str | None = None
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    pointer: str | None = None


@dataclass(frozen=True)
class Diagnostic:
    code: str
    location: Location
    args: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    severity: str = "error"  # "error" | "warning"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def message(self, lang: str = "zh") -> str:
        template = MESSAGES[self.code][0 if lang == "zh" else 1]
        args = {k: _arg_text(v, lang) for k, v in self.args.items()}
        return template.format(**args)


def _arg_text(value: Any, lang: str) -> str:
    if isinstance(value, Localized):
        return value.text(lang)
    if isinstance(value, (list, tuple)):
        sep = "、" if lang == "zh" else ", "
        return sep.join(_arg_text(v, lang) for v in value)
    return str(value)


class CompilationFailed(Exception):
    """Raised at a stage boundary when diagnostics with errors stop the pipeline."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = list(diagnostics)
        super().__init__(f"{len(self.diagnostics)} diagnostic(s)")


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def sort_key(d: Diagnostic):
    loc = d.location
    return (loc.file or "", loc.line or 0, loc.column or 0, loc.pointer or "", d.code)


def render(d: Diagnostic, lang: str = "zh", sources: dict[str, str] | None = None) -> str:
    """`file:line:col: 错误 E210: message`, then the source line and a caret."""
    loc = d.location
    where = loc.file or "<input>"
    if loc.line is not None:
        where += f":{loc.line}:{loc.column or 1}"
    elif loc.pointer is not None:
        where += f"#{loc.pointer or '/'}"
    kind = {("zh", "error"): "错误", ("zh", "warning"): "警告",
            ("en", "error"): "error", ("en", "warning"): "warning"}[(lang, d.severity)]
    text = f"{where}: {kind} {d.code}: {d.message(lang)}"
    source = (sources or {}).get(loc.file or "")
    if source is not None and loc.line is not None:
        lines = source.splitlines()
        if 1 <= loc.line <= len(lines):
            line_text = lines[loc.line - 1]
            col = max(1, loc.column or 1)
            width = 1
            if loc.end_line == loc.line and loc.end_column and loc.end_column > col:
                width = loc.end_column - col
            pad = "".join(_pad_char(c) for c in line_text[: col - 1])
            caret = "^" * max(1, _display_width(line_text[col - 1: col - 1 + width]))
            gutter = f"{loc.line:>5} | "
            text += f"\n{gutter}{line_text}\n{' ' * (len(gutter) - 2)}| {pad}{caret}"
    return text


def _pad_char(c: str) -> str:
    if c == "\t":
        return "\t"
    return " " * _display_width(c)


def _display_width(s: str) -> int:
    # CJK and full-width characters take two terminal columns.
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def line_column(text: str, index: int) -> tuple[int, int]:
    """The 1-based (line, column) of a character index of `text`."""
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


# code: (zh, en). Arguments are named; keep both templates in step.
MESSAGES: dict[str, tuple[str, str]] = {
    # files and YAML
    "E100": ("无法读取文件：{reason}", "cannot read file: {reason}"),
    "E101": ("YAML 语法错误：{reason}", "YAML syntax error: {reason}"),
    "E107": ("文件编码无法识别：第 {byte} 个字节起不是有效的 {encoding} 文本，也不能确定为 GB18030（GBK）编码；请用“另存为”选择 UTF-8 编码后重试",
             "unknown text encoding: byte {byte} onwards is not valid {encoding}, nor unambiguously GB18030 (GBK); save the file as UTF-8 and try again"),
    "W108": ("文件不是 UTF-8 编码，已按 {encoding} 读取；建议另存为 UTF-8",
             "the file is not UTF-8; it was read as {encoding}. Saving it as UTF-8 is recommended"),
    "E109": ("YAML 内容超出限制：{reason}", "YAML beyond limits: {reason}"),
    "E108": ("无法写入输出文件：{reason}", "cannot write the output file: {reason}"),
    "E137": ("--format {format} 与输出文件的扩展名 {ext}（{implied} 格式）不符：{hint}去掉 --format 以按扩展名选择格式",
             "--format {format} contradicts the output file's extension {ext} (the {implied} format): {hint}drop --format to let the extension choose"),
    "E102": ("重复的键 '{key}'（第一次出现在第 {first_line} 行）",
             "duplicate key '{key}' (first seen on line {first_line})"),
    "E103": ("{where}不符合格式要求：{reason}", "{where} does not match the schema: {reason}"),
    "E104": ("找不到规则包：{path}", "rule pack not found: {path}"),
    "E105": ("规则包 '{pack}' 的继承关系成环：{chain}", "rule pack '{pack}' extends itself: {chain}"),
    "E106": ("路径 '{path}' 下没有规则包（pack.yaml）", "no rule pack (pack.yaml) under '{path}'"),
    # records
    "E110": ("JSON 语法错误：{reason}", "JSON syntax error: {reason}"),
    "E111": ("数据不符合格式要求：{field}{reason}", "the record does not match the schema: {field}{reason}"),
    "E112": ("学校标识码 '{id}' 重复（另见 {first}）", "duplicate school id '{id}' (also at {first})"),
    "E113": ("历年数据中 {year} 年出现了不止一次（另见 {first}）", "history has year {year} more than once (also at {first})"),
    "E114": ("日期无效：'{text}'（应为 YYYY-MM-DD）", "invalid date '{text}' (expected YYYY-MM-DD)"),
    "E115": ("未知规则包 '{name}'，可用：{available}。自己的规则包请用 --rules 目录 指明其所在目录（如 --rules rules/local）",
             "unknown rule pack '{name}'; available: {available}. For a pack of your own, name its folder with --rules DIR "
             "(e.g. --rules rules/local)"),
    "E123": ("数据中没有学校 '{subject}'（规则 {rule}）；可选的学校：{available}",
             "no school '{subject}' in this record (rule {rule}); schools: {available}"),
    "E117": ("目录 {path} 中没有 .json 数据文件", "no .json record files in directory {path}"),
    "E119": ("重复的键 '{key}'（{pointer}），第一次出现在 {first}：同一对象中的键不能重复，否则后一个值会悄悄覆盖前一个",
             "duplicate key '{key}' ({pointer}), first at {first}: a key may appear once per object, or the later value silently replaces the earlier"),
    "E118": ("数值超出合理范围：{title} 为 {value}{unit}（应为绝对值小于 {limit} 的有限数，非零时不小于 1e-9）",
             "number out of range: {title} is {value}{unit} (must be finite, below {limit} in magnitude, and 0 or at least 1e-9)"),
    "E122": ("数据文件过大（{size} MB，上限 {limit} MB）：一个县的数据通常只有几十 KB；确需检查请用 --max-record-size 调高上限",
             "the record file is too large ({size} MB; at most {limit} MB): a county's record is usually tens of KB; raise the limit with --max-record-size if intended"),
    "E121": ("历年数据中的 {year} 年不早于数据年份 {record_year}：history 只记以前各年，当年数据写在记录本身",
             "history has year {year}, not before the record's year {record_year}: history holds earlier years; the record itself is its own year"),
    "E120": ("未定义的字段 '{key}'{hint}：字段名须与数据格式一致（确属多余请删除，或用 --allow-unknown-fields 仅作警告）",
             "unknown field '{key}'{hint}: field names must match the record format (remove it, or pass --allow-unknown-fields to only warn)"),
    "W116": ("未定义的字段 '{key}'，将被忽略{hint}", "unknown field '{key}' is ignored{hint}"),
    # cross-field plausibility (compliance/plausibility.py): warnings, errors with --strict
    "W130": ("数据前后矛盾：{part} 大于 {whole}（部分不能超过总数）",
             "implausible data: {part} exceeds {whole} (a part cannot exceed its whole)"),
    "W131": ("数据前后矛盾：列出了 {listed} 个班的班额，但 {classes}",
             "implausible data: class sizes list {listed} classes, but {classes}"),
    "W132": ("数据前后矛盾：各班学生数合计 {total} 人，但 {students}",
             "implausible data: the class sizes add up to {total} students, but {students}"),
    "W133": ("数据前后矛盾：{students}，{classes}（有学生就应有班级，反之亦然）",
             "implausible data: {students} but {classes} (students need classes and classes students)"),
    "W134": ("数据前后矛盾 {count} 处，逐条列在该份数据报告的“数据质量”（data_quality）中；--strict 时为错误",
             "{count} implausible figure(s), each listed in the record's report (data_quality); errors with --strict"),
    "E135": ("{format} 格式是二进制文件，不能输出到终端：请用 --output 给出文件名（如 -o 报告.xlsx）",
             "the {format} format is a binary file and cannot be written to a terminal: give a file name with --output (e.g. -o report.xlsx)"),
    "E136": ("命令行用法错误：{reason}", "usage error: {reason}"),
    "E138": ("compliance {command} 不能写成 {implied} 格式：输出文件请用 {formats} 扩展名",
             "compliance {command} cannot write the {implied} format: name the output file {formats}"),
    # records as tables (Excel workbooks, CSV folders): compliance/table_record.py
    "E150": ("{cell}{header}：{problem}", "{cell}{header}: {problem}"),
    "E151": ("{cell}：未知的表头「{header}」{hint}", "{cell}: unknown header '{header}'{hint}"),
    "E152": ("未知的工作表「{sheet}」{hint}（可用：{available}）", "unknown sheet '{sheet}'{hint} (sheets: {available})"),
    "E153": ("缺少工作表「{sheet}」：行政区划、统计年度等填在这里", "the sheet '{sheet}' is missing: it holds the jurisdiction, the year and the facts"),
    "E154": ("工作表「{sheet}」缺少必填的列「{header}」", "the sheet '{sheet}' lacks the required column '{header}'"),
    "E155": ("无法读取表格文件：{reason}", "cannot read the workbook: {reason}"),
    "E156": ("无法写成表格：{reason}", "cannot write the record as tables: {reason}"),
    "E157": ("{cell}：{message}（{code}）", "{cell}: {message} ({code})"),
    "W157": ("{cell}：{message}（{code}）", "{cell}: {message} ({code})"),
    # expression syntax
    "E200": ("表达式语法错误：此处不应出现 {found}，应为 {expected}",
             "syntax error: unexpected {found}, expected {expected}"),
    "E201": ("表达式不完整：在末尾还需要 {expected}", "incomplete expression: expected {expected} at the end"),
    "E202": ("无法识别的字符 '{char}'", "unrecognised character '{char}'"),
    "E203": ("表达式嵌套过深（{depth} 层，最多 {limit} 层），请拆分为派生指标",
             "expression nested too deeply ({depth} levels, at most {limit}); split it into derived fields"),
    "E204": ("括号不匹配：缺少 '{expected}'", "unbalanced brackets: missing '{expected}'"),
    "E205": ("表达式为空", "empty expression"),
    "E206": ("无效的日期 '{text}'", "invalid date '{text}'"),
    "E208": ("运算符 '{written}' 写反了：请改为 '{meant}'", "operator '{written}' is the wrong way round: write '{meant}'"),
    "E207": ("比较运算不能连写：请用 且 连接两个比较", "comparisons cannot be chained: join two comparisons with 'and'"),
    # names
    "E210": ("未知字段 '{name}'{hint}", "unknown field '{name}'{hint}"),
    "E211": ("未知参数 'params.{name}'{hint}", "unknown parameter 'params.{name}'{hint}"),
    "E212": ("未知函数 '{name}'{hint}", "unknown function '{name}'{hint}"),
    "E213": ("函数 {name} 需要 {expected} 个参数，实际给了 {given} 个",
             "function {name} takes {expected} argument(s), {given} given"),
    "E214": ("函数 {name} 需要写成 {name}(… for 变量 in 集合) 的形式",
             "function {name} must be written as {name}(… for var in collection)"),
    "E215": ("函数 {name} 不能用于 for … in 形式", "function {name} cannot take a 'for … in' clause"),
    "E216": ("参数 'params.{name}' 按学段取值（{levels}），此处没有确定的学段；请写 params.{name}.primary 等",
             "parameter 'params.{name}' has a value per section ({levels}) but no section is in scope here; write params.{name}.primary etc."),
    "E217": ("'{name}' 在此处不可用：{reason}", "'{name}' is not available here: {reason}"),
    "E218": ("变量名 '{name}' 与已有名称重名", "variable name '{name}' shadows an existing name"),
    # types and units
    "E220": ("类型不符：{what}需要{expected}，这里是{found}", "type mismatch: {what} needs {expected}, found {found}"),
    "E221": ("单位不符：{left} 与 {right} 不能{op}", "unit mismatch: cannot {op} {left} and {right}"),
    "E222": ("未知单位 '{unit}'{hint}", "unknown unit '{unit}'{hint}"),
    "E223": ("条件必须是真/假值，这里是{found}", "a condition must be true/false, found {found}"),
    "E224": ("列表中的元素类型不一致：{first} 与 {other}", "list items differ in type: {first} and {other}"),
    "E225": ("at_least 的每个条件须是 “值 >= 阈值” 形式的比较", "each condition of at_least must be a comparison 'value >= threshold'"),
    "E227": ("取值 '{value}' 不在可选值之中{hint}（可选：{choices}）", "'{value}' is not one of the choices{hint} (choices: {choices})"),
    "E226": ("单位不符：派生指标声明单位 {declared}，表达式的单位是 {found}",
             "unit mismatch: derived field declares unit {declared}, the expression has {found}"),
    # rules and packs
    "E230": ("规则编号 '{id}' 重复（第一次定义在 {first}）", "duplicate rule id '{id}' (first defined at {first})"),
    "E231": ("派生指标 '{name}' 重复定义（第一次定义在 {first}）", "derived field '{name}' defined twice (first at {first})"),
    "E232": ("派生指标之间循环引用：{cycle}", "derived fields refer to each other in a cycle: {cycle}"),
    "E233": ("参数 '{name}' 重复定义", "parameter '{name}' defined twice"),
    "E234": ("规则 '{id}' 的适用对象 {applies_to} 与 '{name}' 所在层级不符",
             "rule '{id}' applies to {applies_to}, which has no '{name}'"),
    "E235": ("规则 '{id}' 声明覆盖的上级规则 '{target}' 不存在", "rule '{id}' overrides '{target}', which no ancestor pack has"),
    "E236": ("规则文件为空（只有注释或空白）：请写出 rules，或删除此文件", "the rule file is empty (only comments or blank lines): write its rules, or remove the file"),
    "E240": ("规则 '{id}' 缺少出处（citation）：每条规则都须注明文件、条款与原文",
             "rule '{id}' has no citation: every rule must cite document, article and quote"),
    "E241": ("规则 '{id}' 的出处缺少 {field}", "the citation of rule '{id}' lacks {field}"),
    "E242": ("参数 '{name}' 缺少出处（reference）", "parameter '{name}' has no reference"),
    "E250": ("日期无效：'{text}'", "invalid date: '{text}'"),
    "E251": ("规则 '{id}' 的失效日期 {until} 早于生效日期 {effective}",
             "rule '{id}' ends ({until}) before it starts ({effective})"),
    "E252": ("参数 '{name}' 在 {date} 之前没有取值", "parameter '{name}' has no value before {date}"),
    "E253": ("参数 '{name}' 的值 '{value}' 不是数值", "parameter '{name}': value '{value}' is not a number"),
    "E255": ("消息模板的花括号不配对：{template}", "unbalanced braces in the message template: {template}"),
    "E254": ("消息模板中有未知占位符 {{{name}}}，可用：{available}",
             "message template uses unknown placeholder {{{name}}}; available: {available}"),
    "E260": ("规则包 '{pack}' 没有覆盖对照表 coverage.yaml", "rule pack '{pack}' has no coverage.yaml"),
    "E261": ("段落 {paragraph} 引用了不存在的规则 '{rule}'", "paragraph {paragraph} names rule '{rule}', which the pack does not have"),
    "E270": ("参数 '{name}' 放宽了上级规则包 {parent} 的要求（{old} → {new}）；如确属有意，请写明 loosens: {{reason: …}}",
             "parameter '{name}' loosens the requirement of pack {parent} ({old} → {new}); if intended, add loosens: {{reason: …}}"),
    "E271": ("规则 {id} 与 {other} 同时有效却互相矛盾：一条要求不低于 {low}，另一条要求不超过 {high}",
             "rules {id} and {other} are in force together but contradict each other: at least {low} and at most {high}"),
    "E116": ("数据中没有规则 {rule} 对 {subject} 的结果（可用的规则：{available}）",
             "no finding of rule {rule} for {subject} in this record (rules: {available})"),
    "E281": ("测试用例“{case}”没有数据：请在用例或文件开头写 record", "test case '{case}' has no record: give `record` in the case or at the top of the file"),
    "E282": ("无法读取数据文件 {path}：{reason}", "cannot read record file {path}: {reason}"),
    "E283": ("JSON 指针 {pointer} 在数据中找不到", "JSON pointer {pointer} does not exist in the record"),
    "E284": ("测试用例“{case}”改写后的数据不符合格式：{pointer} {reason}", "test case '{case}': the patched record is invalid at {pointer}: {reason}"),
    "E285": ("没有规则 '{rule}'（相近的：{available}）", "no rule '{rule}' (close: {available})"),
    "W303": ("规则包 '{pack}' 没有测试用例（{pack}/tests/*.yaml）", "pack '{pack}' has no test cases ({pack}/tests/*.yaml)"),
    "W300": ("参数 '{name}' 未被任何规则使用", "parameter '{name}' is not used by any rule"),
    "W301": ("派生指标 '{name}' 未被任何规则使用", "derived field '{name}' is not used by any rule"),
    "W310": ("规则 '{id}' 的原文有受损字符（? 或 �）：请在 citation.quote_reading 写出修复后的文字",
             "rule '{id}' quotes damaged text ('?' or U+FFFD): give the repaired text in citation.quote_reading"),
    "W311": ("规则 '{id}' 为约束性（{severity}），但原文含倡导性用语“{word}”：认定只能整体达到或未达到，会把倡导目标变成约束。"
             "请把约束部分与倡导部分拆成两条规则（倡导部分用 target 或 advisory），或在 citation.reading 中写明为何整条具有约束力（须提到“{word}”）",
             "rule '{id}' is binding ({severity}) but its quote carries the aspirational word '{word}': an attestation is met "
             "or not as a whole, so the aim would bind. Split the binding part from the aim (target or advisory), or say in "
             "citation.reading why the whole binds (naming '{word}')"),
    "W320": ("规则 '{id}' 的逐年序列没有起算日期：文件生效前的年份也会被比较；请写 series(…, 生效日期)",
             "rule '{id}' compares a year series with no start: years before the document existed are judged too; "
             "write series(…, <effective date>)"),
    # compliance diff and compliance new-pack
    "E290": ("规则目录不在 git 仓库中：{reason}",
             "the rules folder is not in a git repository: {reason}"),
    "E291": ("无法取出 git 版本 {revision} 中的 {path}：{reason}", "cannot take {path} at git revision {revision}: {reason}"),
    "E292": ("参数个数不对：{expected}", "wrong number of arguments: {expected}"),
    "E293": ("规则包 '{id}' 已存在（{path}）：new-pack 不覆盖已有的规则包", "rule pack '{id}' already exists ({path}): new-pack never overwrites a pack"),
    "E294": ("规则包标识 '{id}' 无效：只能用小写字母、数字、- 和 _，并以字母开头", "invalid pack id '{id}': lower-case letters, digits, - and _, starting with a letter"),
    "W330": ("参数 '{name}'{level}自 {date} 起取值 {value}，但引用原文、读法和参数依据（reference）中都没有这个数；"
             "原文中的数字：{numbers}（使用它的规则：{rules}）。请核对取值；若是对原文的解读，请在规则的 citation.reading 或参数的 reference 中写明",
             "parameter '{name}'{level} is {value} from {date}, a number that neither the quotes, their readings nor the "
             "parameter's reference state; the quote's numbers: {numbers} (rules using it: {rules}). Check the value; "
             "if it interprets the text, say so in the rule's citation.reading or the parameter's reference"),
    "W331": ("规则 '{id}' 的原文中的数字 {number} 没有任何参数取这个值：阈值请写成参数；若不是阈值（定义、基数、说明），"
             "请在 citation.reading 中写明（须提到 {number}）",
             "rule '{id}' quotes the number {number}, which no parameter carries: write a threshold as a parameter; "
             "if it is not one (a definition, a baseline), say so in citation.reading (naming {number})"),
    "E332": ("规则 '{id}' 的 {part} 中直接写了数字 {literal}：阈值须写成参数（params.yaml，注明 reference）；"
             "若是计划年度等范围，请在规则中写 literal: plan-year",
             "rule '{id}' writes the number {literal} in its {part}: a threshold must be a parameter (params.yaml, with a "
             "reference); if it is a scope such as a plan year, mark the rule with literal: plan-year"),
    "W302": ("规则 '{id}' 的出处原文为重构文本（reconstructed），引用前须核对原件",
             "rule '{id}' quotes reconstructed text; verify it against the original before citing"),
}
# With --strict the plausibility notices are errors: the same words under an E code.
MESSAGES.update({"E" + code[1:]: MESSAGES[code] for code in ("W130", "W131", "W132", "W133")})
