"""The `compliance` command: parse arguments, call the stages, print. Nothing else lives here."""
from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import os
import shutil
import sys
import tempfile
from pathlib import Path

from .diagnostics import CompilationFailed, Diagnostic, Localized, Location, has_errors, render, sort_key
from .record import MAX_RECORD_MB

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3
# Formats written as one document over all records, by writers in compliance/report/.
DOCUMENT_FORMATS = ("xlsx", "sarif", "junit")
BINARY_FORMATS = ("xlsx",)
class _UsageError(SystemExit):
    """argparse's error, with its message kept for the JSON error object (`--format json`)."""

    def __init__(self, message: str):
        super().__init__(EXIT_ERROR)
        self.message = message


class _Parser(argparse.ArgumentParser):
    """argparse in the user's language (compliance/cli_help.py): its words, the help strings,
    and an epilog of examples and exit codes for every command, new ones included."""

    def __init__(self, *args, lang: str = "zh", **kwargs):
        from . import cli_help
        self.lang = lang
        kwargs.setdefault("formatter_class", functools.partial(cli_help.Formatter, lang=lang))
        kwargs["add_help"] = False
        kwargs["description"] = cli_help.text(kwargs.get("description"), lang)
        super().__init__(*args, **kwargs)
        # Every command's help ends with its examples and exit statuses, after its own epilog.
        command = self.prog.split(" ", 1)[1] if " " in self.prog else ""
        self.epilog = cli_help.epilog(command, lang, cli_help.text(self.epilog, lang))
        self._positionals.title = cli_help.word("positional", lang)
        self._optionals.title = cli_help.word("options", lang)
        self.add_argument("-h", "--help", action="help", help=cli_help.word("help", lang))

    def error(self, message):  # argparse's own errors: exit 2 with a short line in the user's language
        from .cli_help import error_text
        self.print_usage(sys.stderr)
        sys.stderr.write(f"用法错误：{error_text(message, 'zh')}\n" if self.lang == "zh" else f"usage error: {message}\n")
        raise _UsageError(message)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"'{text}' 不是正数 / not a positive number")
    return value


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' 不是正整数 / not a positive integer")
    return value


def _lang_option(p):
    p.add_argument("--lang", choices=("zh", "en"), default=getattr(p, "lang", os.environ.get("COMPLIANCE_LANG", "zh")),
                   help="消息语言 / message language (default zh)")


def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    from .cli_help import lang_of, word
    lang = lang or lang_of([])
    parser = _Parser(prog="compliance", description="教育督导政策规则检查 / Chinese education policy as rules-as-code",
                     lang=lang)
    parser.add_argument("--version", action=_Version, help=word("version", lang))
    _lang_option(parser)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=functools.partial(_Parser, lang=lang),
                                title=word("commands", lang), metavar="命令" if lang == "zh" else "COMMAND")

    check = sub.add_parser("check", help="用规则包检查县（市、省）数据 / check records")
    check.add_argument("paths", nargs="+", metavar="PATH",
                       help="数据文件 RECORD.json 或 Excel 工作簿 .xlsx、CSV 文件夹（含 县级情况.csv）、"
                            "数据目录（其中的 *.json、*.xlsx），或 -（标准输入，每行一份 JSON）；"
                            "多份数据时输出批量报告")
    check.add_argument("--pack", action="append", default=None,
                       help="规则包名称或目录，可多次给出（默认取数据中的 packs，否则 national）")
    check.add_argument("--format", choices=("text", "json", "jsonl", "html") + DOCUMENT_FORMATS, default=None,
                       help="text：文字报告（多份数据时每份一行）；json：JSON 报告（多份数据时为一个文档；"
                            "输入有误时为一个 JSON 错误对象）；jsonl：每行一份报告；html：可打印的网页报告（单个文件，"
                            "多份数据时含汇总页）；xlsx：Excel 工作簿（须用 --output）；sarif：SARIF 2.1.0（供代码扫描工具）；"
                            "junit：JUnit XML（供持续集成）。不给出时按 --output 的扩展名选择（.txt .json .jsonl .html "
                            ".xlsx .sarif .xml），否则为 text")
    check.add_argument("--output", "-o", type=Path, help="写入文件而非标准输出（整份写完才出现，失败时不留文件）")
    check.add_argument("--findings", choices=("all", "problems"), default="all",
                       help="JSON 报告中保留的结果：all 全部（默认）；problems 只保留未达标、待补数据等（summary 仍计全部）")
    check.add_argument("--jobs", "-j", type=_positive, default=os.cpu_count() or 1, metavar="N",
                       help="批量检查时的并行进程数（默认为 CPU 核数；1 表示不另起进程）")
    check.add_argument("--advice", action="store_true",
                       help="批量检查时也计算“距离达标”的建议（较慢；单份数据总是计算）")
    check.add_argument("--as-of", dest="as_of", help="评估基准日 YYYY-MM-DD（默认取数据中的 as_of）")
    check.add_argument("--max-record-size", dest="max_record_mb", type=_positive_float, default=MAX_RECORD_MB, metavar="MB",
                       help=f"单份数据文件的大小上限（MB，默认 {MAX_RECORD_MB}）：更大的文件立即拒绝，而不是运行几分钟")
    check.add_argument("--allow-unknown-fields", dest="allow_unknown_fields", action="store_true",
                       help="数据中未定义的字段只作警告（默认为错误：拼错的字段名会让真正的字段缺失）")
    check.add_argument("--strict", action="store_true",
                       help="数据前后矛盾（如骨干教师多于专任教师、班额人数合计不等于学生数）时作为错误（退出 2），"
                            "不再检查；默认只作提示，并在依赖这些数据的结论旁注明")
    check.add_argument("--verbose", "-v", action="store_true",
                       help="同时列出达标项；多份数据时说明哪些规则未能按列批量计算")
    check.add_argument("--rules", type=Path, action="append", default=[], help="额外的规则包搜索目录")
    _lang_option(check)

    exp = sub.add_parser("explain", help="逐步解释一条规则对一个对象的判断 / explain one rule step by step")
    exp.add_argument("record", type=Path, help="数据文件 RECORD.json")
    exp.add_argument("rule", help="规则编号，如 R1 或 national/R1")
    exp.add_argument("--subject", help="学校 id 或名称（学校类规则）")
    exp.add_argument("--section", choices=("primary", "junior", "小学", "初中"), help="学段")
    exp.add_argument("--pack", action="append", default=None, help="规则包名称或目录")
    exp.add_argument("--as-of", dest="as_of", help="评估基准日 YYYY-MM-DD")
    exp.add_argument("--all", action="store_true", help="列出全部对象（默认只列未达标与待补数据的前 3 个）")
    exp.add_argument("--rules", type=Path, action="append", default=[], help="额外的规则包搜索目录")
    _lang_option(exp)

    cov = sub.add_parser("coverage", help="文件段落覆盖情况 / which paragraphs of the document the pack encodes")
    cov.add_argument("packs", nargs="+", help="规则包名称或目录")
    cov.add_argument("--rules", type=Path, action="append", default=[], help="额外的规则包搜索目录")
    _lang_option(cov)

    test = sub.add_parser("test", help="运行规则包自带的测试用例 / run the test cases beside the rules")
    test.add_argument("packs", nargs="*", help="规则包名称或目录（默认 rules/ 下全部）")
    test.add_argument("--coverage", action="store_true", help="按规则列出达标、未达标、待补数据用例的覆盖情况")
    test.add_argument("--min-coverage", dest="min_coverage", type=float, metavar="N",
                      help="达标+未达标覆盖低于 N%% 时以 1 退出")
    test.add_argument("--properties", action="store_true",
                      help="同时用 Hypothesis 检验规则声明的性质（monotone、boundary、permutation、scale_invariant）")
    test.add_argument("--mutants", action="store_true",
                      help="阈值变异检验：每个参数值调高、调低一步，须有用例发现；有存活的变异时以 1 退出")
    test.add_argument("--examples", type=int, default=60, help="每个规则包的性质检验抽取的数据份数（默认 60）")
    test.add_argument("--rules", type=Path, action="append", default=[], help="额外的规则包搜索目录")
    _lang_option(test)

    diff = sub.add_parser("diff", help="规则修改对数据结果的影响 / which findings a rule change would change",
                          description="用旧、新两套规则检查同一批数据，列出状态改变的结果（按规则、按数据）与改变的参数。"
                                      "退出码：0 没有结果改变；1 有结果或结论改变；2 输入或规则有误")
    diff.add_argument("paths", nargs="+", metavar="PATH",
                      help="OLD_RULES NEW_RULES RECORD…（旧规则目录、新规则目录、数据文件或目录）；"
                           "给出 --old-rev 时为 RULES RECORD…")
    diff.add_argument("--old-rev", dest="old_rev", metavar="REV",
                      help="旧规则取自 git 版本 REV 中的同一目录（如 HEAD~1），新规则为工作区中的目录")
    diff.add_argument("--format", choices=("text", "json", "html"), default=None,
                      help="text 文字（默认）；json JSON 文档；html 网页（单个文件）。不给出时按 --output 的扩展名选择")
    diff.add_argument("--output", "-o", type=Path, help="写入文件而非标准输出（整份写完才出现）")
    diff.add_argument("--pack", action="append", default=None, help="规则包名称（默认取数据中的 packs，否则 national）")
    diff.add_argument("--as-of", dest="as_of", help="评估基准日 YYYY-MM-DD（默认取数据中的 as_of）")
    diff.add_argument("--all", action="store_true", help="文字报告列出每条规则的全部变化（默认每条规则最多 20 项）")
    diff.add_argument("--allow-unknown-fields", dest="allow_unknown_fields", action="store_true",
                      help="数据中未定义的字段只作警告")
    _lang_option(diff)

    new = sub.add_parser("new-pack", help="新建地方规则包 / scaffold a new rule pack",
                         description="生成 pack.yaml、params.yaml、coverage.yaml（给出文件时按其编号段落预填）、一条示例规则、"
                                     "示例数据和测试用例；已存在的规则包不会被覆盖（以 2 退出）")
    new.add_argument("id", help="规则包标识（小写字母、数字、- 和 _），如 mycounty")
    new.add_argument("--extends", help="继承的规则包，如 national")
    new.add_argument("--document", type=Path, help="政策文件的纯文本（复制为 document.txt，并据其编号段落预填 coverage.yaml）")
    new.add_argument("--dir", type=Path, default=Path("rules/local"), help="放置新规则包的目录（默认 rules/local）")
    new.add_argument("--rules", type=Path, action="append", default=[], help="额外的规则包搜索目录（查找 --extends）")
    _lang_option(new)

    lint = sub.add_parser("lint", help="静态检查规则文件 / check rule files")
    lint.add_argument("paths", nargs="*", type=Path, help="规则包目录或规则文件（默认 rules/）")
    _lang_option(lint)

    # Records as tables (Excel workbooks, folders of CSV files): compliance/table_files.py
    tpl = sub.add_parser("template", help="生成空白 Excel 填报模板 / write the blank workbook a county fills in")
    tpl.add_argument("output", type=Path, metavar="OUT.xlsx", help="模板文件（.xlsx）")
    tpl.add_argument("--pack", action="append", default=None, help="规则包：在“认定事项”表中列出其需要认定的条款")
    tpl.add_argument("--rules", type=Path, action="append", default=[], help="额外的规则包搜索目录")
    _lang_option(tpl)
    imp = sub.add_parser("import", help="把 Excel 工作簿或 CSV 文件夹转成 JSON 数据 / workbook or CSV folder → record JSON")
    imp.add_argument("input", type=Path, metavar="IN.xlsx", help="Excel 工作簿，或含 县级情况.csv 的文件夹")
    imp.add_argument("--output", "-o", type=Path, help="JSON 文件（默认写到标准输出）")
    imp.add_argument("--max-record-size", dest="max_record_mb", type=_positive_float, default=MAX_RECORD_MB, metavar="MB",
                     help=f"文件大小上限（MB，默认 {MAX_RECORD_MB}）")
    _lang_option(imp)
    exp_t = sub.add_parser("export", help="把 JSON 数据写成 Excel 工作簿或 CSV 文件夹 / record JSON → workbook or CSV folder")
    exp_t.add_argument("input", type=Path, metavar="IN.json", help="数据文件")
    exp_t.add_argument("--output", "-o", type=Path, required=True,
                       help="OUT.xlsx，或一个文件夹（写成每个工作表一个 CSV 文件）")
    _lang_option(exp_t)
    fields = sub.add_parser("fields", help="数据字段说明 / the record fields, from the schema")
    fields.add_argument("--markdown", action="store_true", help="输出 Markdown（docs/字段说明.md 即由此生成）")
    _lang_option(fields)
    completion = sub.add_parser("completion", help="输出 shell 补全脚本 / print a shell completion script")
    completion.add_argument("shell", choices=("bash", "zsh", "fish", "tcsh", "powershell"), help="shell 类型")
    _lang_option(completion)
    return parser


def main(argv: list[str] | None = None) -> int:
    from .collector import tune_gc
    tune_gc()
    # A name may hold a lone surrogate ("\ud800" is valid JSON): write it as that escape,
    # which keeps a JSON report valid and equal, rather than fail on it.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    from .cli_help import lang_of, without_lang
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(lang_of(argv))
    if "_ARGCOMPLETE" in os.environ:   # a shell asking for completions (`compliance completion`)
        import argcomplete
        argcomplete.autocomplete(parser)
    if not without_lang(argv):
        # Bare `compliance`: the help, on stdout, but status 2 as git (non-zero) does: a script
        # whose command came out empty must not pass. (pip's 0 would hide that; 1 means findings.)
        parser.print_help()
        return EXIT_ERROR
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        if _wants_json(argv):
            lang = "en" if _option_value(argv, "--lang") == "en" else "zh"
            _json_error([Diagnostic("E136", Location(), {"reason": exc.message})], lang)
        raise
    try:
        return {"check": cmd_check, "lint": cmd_lint, "coverage": cmd_coverage,
                "test": cmd_test, "explain": cmd_explain, "diff": cmd_diff, "new-pack": cmd_new_pack,
                "template": cmd_template, "import": cmd_import, "export": cmd_export,
                "fields": cmd_fields, "completion": cmd_completion}[args.command](args)
    except KeyboardInterrupt:
        return EXIT_ERROR
    except BrokenPipeError:  # the reader went away (`… | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())   # so the exit's flush cannot fail again
        return EXIT_ERROR
    except Exception as exc:  # a bug of ours: say so briefly, no traceback unless asked
        if os.environ.get("COMPLIANCE_DEBUG"):
            raise
        sys.stderr.write(f"内部错误 / internal error: {type(exc).__name__}: {exc}\n"
                         "请报告此问题（设置 COMPLIANCE_DEBUG=1 可查看详情）/ please report this "
                         "(COMPLIANCE_DEBUG=1 shows details)\n")
        return EXIT_INTERNAL


class _Version(argparse.Action):
    """--version, worked out only when asked for: reading the installed package's metadata
    costs every other command ≈ 30 ms of start-up."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        sys.stdout.write(f"compliance {_version()}\n")
        parser.exit()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("compliance")
    except PackageNotFoundError:     # run from a source tree that is not installed
        from . import __version__
        return __version__


def cmd_completion(args) -> int:
    """The shell code that asks `compliance` for completions (argcomplete) as one types."""
    import argcomplete
    sys.stdout.write(argcomplete.shellcode(["compliance"], shell=args.shell))
    return EXIT_OK


def _print_diagnostics(diagnostics: list[Diagnostic], lang: str, sources: dict[str, str] | None = None) -> None:
    for d in sorted(set(diagnostics), key=sort_key):
        sys.stderr.write(render(d, lang, sources) + "\n")


def cmd_lint(args) -> int:
    from .lint import lint_paths
    from .resources import rules_dir
    paths = args.paths or [rules_dir()]
    analyses, loose = lint_paths(paths)
    diagnostics = set(loose)
    sources: dict[str, str] = {}
    for a in analyses:
        diagnostics.update(a.diagnostics)
        sources.update(a.sources)
    _print_diagnostics(list(diagnostics), args.lang, sources)
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    rules = sum(len(a.pack.rules) for a in analyses)
    if args.lang == "zh":
        print(f"检查了 {len(analyses)} 个规则包、{rules} 条规则：{errors} 个错误，{warnings} 个警告")
    else:
        print(f"checked {len(analyses)} pack(s), {rules} rule(s): {errors} error(s), {warnings} warning(s)")
    return EXIT_ERROR if errors else EXIT_OK


def cmd_coverage(args) -> int:
    from .coverage import load_coverage
    from .packs import Repository
    from .report.text import render_coverage

    repository = Repository(args.rules)
    worst = EXIT_OK
    for name in args.packs:
        directory = Path(name) if Path(name).is_dir() else repository.directory(name)
        if directory is None:
            _print_diagnostics([Diagnostic("E115", Location(name), {"name": name, "available": repository.ids()})],
                               args.lang)
            return EXIT_ERROR
        coverage = load_coverage(repository.load(directory))
        _print_diagnostics(coverage.diagnostics, args.lang, _sources_of(coverage.diagnostics))
        sys.stdout.write(render_coverage(coverage, args.lang, color=sys.stdout.isatty()))
        if has_errors(coverage.diagnostics):
            worst = EXIT_ERROR
        elif coverage.accounted < coverage.total and worst == EXIT_OK:
            worst = EXIT_FINDINGS
    return worst


def cmd_check(args) -> int:
    from .inputs import is_batch
    from .report.formats import resolve_format
    args.asked_format = args.format      # errors are a JSON object only when JSON was asked for by name
    args.format, problem = resolve_format(args.format, args.output)   # the extension picks, or must agree
    if problem is None:
        problem = _output_problem(args.output)
    if problem is not None:          # before any work: a long run must not fail at its end
        return _input_error(args, [problem])
    if args.format in BINARY_FORMATS and args.output is None and sys.stdout.isatty():
        return _input_error(args, [Diagnostic("E135", Location("--output"), {"format": args.format})])
    if is_batch(args.paths) or args.format == "jsonl":
        return _check_batch(args)
    args.record = Path(args.paths[0])
    return _check_one(args)


def _check_one(args) -> int:
    from .findings import summary, verdict
    from .remedy import advise
    from .report.json_report import build_report, render_json

    lang = args.lang
    loaded = _load_and_check(args)
    if isinstance(loaded, int):
        return loaded
    data, as_of, checker, findings, quality = loaded
    if args.format in DOCUMENT_FORMATS:
        return _check_one_document(args, data, as_of, checker, findings)
    packs = checker.packs
    advice = advise(checker, findings, data, as_of)
    if args.format in ("json", "html"):
        from .explain import Tracer, steps_as_data
        tracers = {id(a): Tracer(a, data, as_of) for a in checker.analyses}
        for f in findings:
            if f.status in ("fail", "unknown", "pending"):
                tracer = tracers[id(checker.analysis_of(f))]
                advice.setdefault((f.rule, f.subject), {})["steps"] = steps_as_data(tracer, f)
        kept = findings if args.findings == "all" else [f for f in findings
                                                         if f.status not in ("pass", "not_applicable")]
        report = build_report(kept, packs, as_of, str(args.record), _record_bytes(args.record), lang, advice, quality)
        report["verdict"], report["summary"] = verdict(findings), summary(findings)  # of every finding
        if args.format == "html":
            from .report.html import render_html
            from .report.indicators import NEAR_PARAMETER, param_at
            near = param_at(checker, NEAR_PARAMETER, report["as_of"])
            text = render_html(report, _report_title(data, packs), lang, near)
        else:
            text = render_json(report)
    else:
        from .report.text import render_text  # imports rich: only text output needs it
        title = _report_title(data, packs)
        color = args.output is None and sys.stdout.isatty()
        text = render_text(findings, title, as_of.isoformat(), lang, args.verbose, color=color, advice=advice,
                           quality=quality)
    _write(text, args.output)
    # The data contract: missing data is not success, for one record as for many.
    return EXIT_OK if verdict(findings) == "pass" else EXIT_FINDINGS


def _check_one_document(args, data, as_of, checker, findings) -> int:
    """xlsx, SARIF or JUnit of one record: the JSON report's content in another form."""
    from .findings import summary, verdict
    from .report.json_report import build_report
    from .report.records import from_findings

    kept = findings if args.findings == "all" else [f for f in findings if f.status not in ("pass", "not_applicable")]
    report = build_report(kept, checker.packs, as_of, str(args.record), _record_bytes(args.record), args.lang)
    report["verdict"], report["summary"] = verdict(findings), summary(findings)   # of every finding
    jurisdiction = data.get("jurisdiction") if isinstance(data.get("jurisdiction"), dict) else {}
    record = from_findings(str(args.record), str(jurisdiction.get("name", "")), report, kept, args.lang)
    _write(_document_renderer(args, {tuple(p["id"] for p in report["packs"]): checker})([record]), args.output)
    return EXIT_OK if verdict(findings) == "pass" else EXIT_FINDINGS


def _document_renderer(args, checkers: dict):
    """records → the document of args.format (str, or bytes for xlsx)."""
    if args.format == "sarif":
        from .report import sarif
        return lambda records: sarif.render(records, args.lang, args.verbose)
    if args.format == "junit":
        from .report import junit
        return lambda records: junit.render(records, args.lang)
    from .report import xlsx
    return lambda records: xlsx.render(records, args.lang, _near_shares(args, checkers))


def _near_shares(args, checkers: dict):
    """report → the share of a requirement that counts as near, read from the packs the report
    used (report/indicators.py), each pack list loaded once."""
    from .report.indicators import NEAR_PARAMETER, param_at

    def near_share(report: dict):
        from .engine import load_checker
        key = tuple(p["id"] for p in report["packs"])
        if key not in checkers:
            try:
                checkers[key] = load_checker(list(key), args.rules)
            except CompilationFailed:
                checkers[key] = None
        return param_at(checkers[key], NEAR_PARAMETER, report["as_of"])
    return near_share


def _report_title(data: dict, packs) -> str:
    jurisdiction = data.get("jurisdiction", {}).get("name", "")
    documents = "、".join(f"《{p.document.get('title', p.title)}》（{p.document_label}）" for p in packs)
    return f"{jurisdiction} {data.get('year', '')} · {documents}"


def _check_batch(args) -> int:
    """Several records: each checked on its own (in a pool of `--jobs` processes), reports
    written in input order as they come; a bad record is reported and the others go on."""
    from .batch_job import INVALID, Options
    from .inputs import count, sources
    from .parallel import outcomes
    from .report.batch import BYTE_FORMATS, Totals, writer_for

    as_of = None
    if args.as_of is not None:
        as_of, problem = _as_of(args.as_of, {}, "--as-of")
        if problem is not None:
            return _input_error(args, [problem])
    options = Options(tuple(args.pack) if args.pack else None, tuple(str(r) for r in args.rules), as_of,
                      args.lang, args.findings == "problems", args.advice, args.allow_unknown_fields,
                      args.max_record_mb, args.strict, args.format in DOCUMENT_FORMATS)
    total = count(args.paths, args.output)
    jobs = args.jobs if total is None else max(1, min(args.jobs, total))
    to_terminal = args.output is None and sys.stdout.isatty()
    width = shutil.get_terminal_size().columns if to_terminal else 200
    # Reports streamed to the terminal would tear the bar apart; the table comes after it.
    show_progress = sys.stderr.isatty() and not (to_terminal and args.format != "text")
    totals = Totals()
    fallbacks: dict[str, str] = {}
    fatal: list[Diagnostic] = []
    try:
        binary = args.format in BINARY_FORMATS or args.format in BYTE_FORMATS
        with _atomic_output(args.output, binary=binary) as out:
            if args.format in DOCUMENT_FORMATS:
                from .report.records import CollectingWriter
                writer = CollectingWriter(_document_renderer(args, {}), out)
            else:
                writer = writer_for(args.format, out, args.lang, to_terminal, width, _near_shares(args, {}))
            with _progress(total, args.lang, show_progress) as progress, \
                    contextlib.closing(outcomes(sources(args.paths, output=args.output), options, jobs)) as results:
                for outcome in results:
                    if outcome.fatal:
                        fatal = list(outcome.diagnostics)
                        raise _Stop
                    _say_diagnostics(progress, outcome, args.lang)
                    fallbacks.update(outcome.fallbacks)
                    writer.add(outcome)
                    totals.add(outcome)
                    if progress is not None:
                        progress.advance(progress.task_ids[0])
            writer.finish(totals)
    except _Stop:
        return _input_error(args, fatal, _sources_of(fatal))
    if args.verbose:
        _say_fallbacks(fallbacks, args.lang)
    if totals.internal:
        return EXIT_INTERNAL
    if totals.verdicts[INVALID]:
        return EXIT_ERROR
    if totals.verdicts["fail"] or totals.verdicts["unknown"]:
        return EXIT_FINDINGS
    return EXIT_OK


def _say_fallbacks(fallbacks: dict[str, str], lang: str) -> None:
    """--verbose: which rules the columnar backend left to the closures (same results, slower)."""
    if not fallbacks:
        sys.stderr.write("全部规则按列批量计算\n" if lang == "zh" else "every rule ran on the columnar backend\n")
        return
    sys.stderr.write(f"以下 {len(fallbacks)} 条规则未能按列计算，逐份数据计算（结果相同，较慢）：\n" if lang == "zh" else
                     f"{len(fallbacks)} rule(s) ran record by record on the closures (same results, slower):\n")
    for rule, why in sorted(fallbacks.items()):
        sys.stderr.write(f"  {rule}: {why}\n")


class _Stop(Exception):
    """The run cannot go on (the --pack packs do not load); what was written is discarded."""


@contextlib.contextmanager
def _progress(total: int | None, lang: str, show: bool):
    """A progress bar on stderr, or None."""
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    with Progress(TextColumn("检查" if lang == "zh" else "checking"), BarColumn(), MofNCompleteColumn(),
                  TimeRemainingColumn(), console=Console(file=sys.stderr), transient=True) as progress:
        progress.add_task("check", total=total)
        yield progress


def _say_diagnostics(progress, outcome, lang: str) -> None:
    """A record's problems on stderr (above the progress bar, when there is one)."""
    lines = [render(d, lang) for d in sorted(set(outcome.diagnostics), key=sort_key)]
    if outcome.internal:
        lines.append(f"{outcome.name}: 内部错误 / internal error: {outcome.internal}")
    for line in lines:
        if progress is not None:
            progress.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            sys.stderr.write(line + "\n")


def _load_and_check(args):
    """Read and validate the record, pick the date and the packs, check: (data, as_of,
    checker, findings), or the exit status after printing what was wrong."""
    from .engine import load_checker
    from .plausibility import plausibility
    from .validate import read_record, unknown_as_errors

    data, problems = read_record(args.record, getattr(args, "max_record_mb", MAX_RECORD_MB))
    if not getattr(args, "allow_unknown_fields", False):     # explain has no such option: errors
        problems = unknown_as_errors(problems)
    if has_errors(problems) or data is None:
        return _input_error(args, problems)
    _print_diagnostics(problems, args.lang)
    as_of, problem = _as_of(args.as_of, data, str(args.record))
    if problem is not None:
        return _input_error(args, [problem])
    quality = plausibility(data, str(args.record), strict=getattr(args, "strict", False))
    if has_errors(quality):
        return _input_error(args, quality)
    _print_diagnostics(quality, args.lang)
    try:
        checker = load_checker(args.pack or data.get("packs") or ["national"], args.rules,
                               Location(str(args.record), pointer="/packs"))
        return data, as_of, checker, checker.check(data, as_of), quality
    except CompilationFailed as exc:
        return _input_error(args, exc.diagnostics, _sources_of(exc.diagnostics))


def _input_error(args, diagnostics: list[Diagnostic], sources: dict[str, str] | None = None) -> int:
    """Bad input: the diagnostics on stderr and, with `--format json`, one JSON error object
    on stdout for programs (compliance/schemas/error.schema.json). Exit status 2."""
    _print_diagnostics(diagnostics, args.lang, sources)
    if getattr(args, "asked_format", getattr(args, "format", None)) == "json":
        _json_error(diagnostics, args.lang)
    return EXIT_ERROR


def _json_error(diagnostics: list[Diagnostic], lang: str) -> None:
    from .report.errors import error_object, render_error
    sys.stdout.write(render_error(error_object(sorted(set(diagnostics), key=sort_key), lang)))
    sys.stdout.flush()


def _wants_json(argv: list[str]) -> bool:
    """Whether the command line asks for `--format json` (read when argparse could not parse it)."""
    return _option_value(argv, "--format") == "json"


def _option_value(argv: list[str], option: str) -> str | None:
    value = None
    for i, arg in enumerate(argv):
        if arg.startswith(option + "="):
            value = arg.split("=", 1)[1]
        elif arg == option and i + 1 < len(argv):
            value = argv[i + 1]
    return value


def cmd_explain(args) -> int:
    from .explain import explain, render_explanation, select

    lang = args.lang
    loaded = _load_and_check(args)
    if isinstance(loaded, int):
        return loaded
    data, as_of, checker, findings, _ = loaded
    section = {"小学": "primary", "初中": "junior"}.get(args.section, args.section)
    chosen = select(findings, args.rule, args.subject, section)
    if not chosen and args.subject and select(findings, args.rule, None, section):
        # the rule is there, the school is not: list the schools, not the rules
        schools = dict.fromkeys(f"{f.subject.school_name}（{f.subject.school}）" if lang == "zh"
                                else f"{f.subject.school_name} ({f.subject.school})"
                                for f in select(findings, args.rule, None, section) if f.subject.school)
        _print_diagnostics([Diagnostic("E123", Location(args.subject), {
            "subject": args.subject, "rule": args.rule, "available": list(schools)[:40] or ["—"]})], lang)
        return EXIT_ERROR
    if not chosen:
        known = sorted({f.rule.split("/", 1)[1] for f in findings})
        _print_diagnostics([Diagnostic("E116", Location(args.rule), {"rule": args.rule, "subject": args.subject or "—",
                                                                     "available": known[:40]})], lang)
        return EXIT_ERROR
    if not (args.all or args.subject or section):
        worst = [f for f in chosen if f.status in ("fail", "pending", "unknown")]
        chosen = (worst or chosen)[:3]
    texts = [render_explanation(explain(checker.analysis_of(f), f, data, as_of), lang) for f in chosen]
    sys.stdout.write("\n".join(texts))
    return EXIT_FINDINGS if any(f.status == "fail" and f.severity in ("must", "veto") for f in chosen) else EXIT_OK


def cmd_test(args) -> int:
    from .engine import Checker
    from .lint import analyze
    from .packs import Repository, find_pack_dirs
    from .report.test_report import render_results
    from .resources import rules_dir
    from .testcases import PackResult, load_cases, run_cases, test_files

    repository = Repository(args.rules + [Path(p) for p in args.packs if Path(p).is_dir()])
    directories: list[Path] = []
    for name in args.packs or [str(rules_dir())]:
        if Path(name).is_dir():
            found = find_pack_dirs([Path(name)])
            if not found:
                _print_diagnostics([Diagnostic("E106", Location(name), {"path": name})], args.lang)
                return EXIT_ERROR
            directories.extend(found)
        elif repository.directory(name) is not None:
            directories.append(repository.directory(name))
        else:
            _print_diagnostics([Diagnostic("E115", Location(name), {"name": name, "available": repository.ids()})],
                               args.lang)
            return EXIT_ERROR
    diagnostics: list[Diagnostic] = []
    plans = []
    for directory in directories:
        analysis = analyze(repository.load(directory), repository)
        if analysis.errors:
            diagnostics.extend(analysis.diagnostics)
            continue
        files = test_files(directory)
        if not files:
            diagnostics.append(Diagnostic("W303", Location(str(directory)), {"pack": analysis.pack.id}, "warning"))
        cases = []
        for file in files:
            loaded, problems = load_cases(file, analysis)
            cases.extend(loaded)
            diagnostics.extend(problems)
        plans.append((analysis, cases))
    _print_diagnostics(diagnostics, args.lang, _sources_of(diagnostics))
    if has_errors(diagnostics):
        return EXIT_ERROR
    results = []
    for analysis, cases in plans:
        result = PackResult(analysis)
        run_cases(Checker([analysis]), cases, result)
        results.append(result)
    show_coverage = args.coverage or args.min_coverage is not None
    sys.stdout.write(render_results(results, args.lang, coverage=show_coverage))
    broken_properties = False
    if args.properties:
        from .properties import check_properties
        from .report.test_report import render_properties
        checked = [(a.pack.id, check_properties(a, max_examples=args.examples)) for a, _ in plans]
        sys.stdout.write(render_properties(checked, args.lang))
        broken_properties = any(not p.ok for _, ps in checked for p in ps)
    surviving_mutants = False
    if args.mutants:
        from .mutants import render_gate, run_gate
        gates = [run_gate(analysis, cases) for analysis, cases in plans]
        sys.stdout.write(render_gate(gates, args.lang))
        surviving_mutants = any(g.survivors for g in gates)
    low_coverage = args.min_coverage is not None and any(r.percent() < args.min_coverage for r in results)
    if low_coverage:   # said even when cases or mutants fail too: --min-coverage and --mutants combine
        low = ", ".join(f"{r.analysis.pack.id} {r.percent():.1f}%" for r in results if r.percent() < args.min_coverage)
        sys.stdout.write(f"覆盖率低于 {args.min_coverage:g}%：{low}\n" if args.lang == "zh"
                         else f"coverage below {args.min_coverage:g}%: {low}\n")
    if any(r.failures for r in results) or broken_properties or surviving_mutants or low_coverage:
        return EXIT_FINDINGS
    return EXIT_OK


def cmd_diff(args) -> int:
    """Exit 0 when no finding or verdict changes, 1 when some do (as diff(1)), 2 on bad input."""
    from .diff import compare, read_records, rules_at_revision
    from .report.diff_report import render_json, render_text

    lang = args.lang
    need = 2 if args.old_rev else 3
    if len(args.paths) < need:
        expected = Localized("--old-rev REV RULES RECORD…" if args.old_rev else "OLD_RULES NEW_RULES RECORD…",
                             "--old-rev REV RULES RECORD…" if args.old_rev else "OLD_RULES NEW_RULES RECORD…")
        _print_diagnostics([Diagnostic("E292", Location("diff"), {"expected": expected})], lang)
        return EXIT_ERROR
    from .report.formats import resolve_format
    args.format, problem = resolve_format(args.format, args.output, ("text", "json", "html"), "diff")
    problem = problem or _output_problem(args.output)
    as_of = None
    if problem is None and args.as_of is not None:
        as_of, problem = _as_of(args.as_of, {}, "--as-of")
    if problem is not None:
        _print_diagnostics([problem], lang)
        return EXIT_ERROR
    folders = [Path(p) for p in args.paths[:need - 1]]
    for folder in folders:
        if not folder.is_dir():
            _print_diagnostics([Diagnostic("E106", Location(str(folder)), {"path": str(folder)})], lang)
            return EXIT_ERROR
    records, problems = read_records(args.paths[need - 1:], as_of, allow_unknown=args.allow_unknown_fields)
    _print_diagnostics(problems, lang)
    if has_errors(problems):
        return EXIT_ERROR
    with tempfile.TemporaryDirectory(prefix="compliance-diff-") as tmp:
        if args.old_rev:
            old, problem = rules_at_revision(args.old_rev, folders[0], Path(tmp))
            if problem is not None:
                _print_diagnostics([problem], lang)
                return EXIT_ERROR
            new, old_label = folders[0], f"{args.old_rev}:{folders[0]}"
        else:
            old, new = folders
            old_label = str(old)
        try:
            result = compare(old, new, records, tuple(args.pack) if args.pack else None,
                             old_is_temporary=bool(args.old_rev))
        except CompilationFailed as exc:
            _print_diagnostics(exc.diagnostics, lang, _sources_of(exc.diagnostics))
            return EXIT_ERROR
    if args.format == "html":
        from .report.diff_report import render_html as render
    else:
        render = render_json if args.format == "json" else (lambda *a: render_text(*a, show_all=args.all))
    _write(render(result, old_label, str(new), lang), args.output)
    return EXIT_FINDINGS if result.changed else EXIT_OK


def cmd_new_pack(args) -> int:
    from .newpack import create
    from .packs import Repository

    lang = args.lang
    if args.extends:
        repository = Repository(args.rules + [args.dir])
        if repository.directory(args.extends) is None:
            _print_diagnostics([Diagnostic("E115", Location("--extends"),
                                           {"name": args.extends, "available": repository.ids()})], lang)
            return EXIT_ERROR
    scaffold, problem = create(args.id, args.extends, args.document, args.dir)
    if problem is not None:
        _print_diagnostics([problem], lang)
        return EXIT_ERROR
    files = "、".join(scaffold.files) if lang == "zh" else ", ".join(scaffold.files)
    if lang == "zh":
        print(f"已新建规则包 {scaffold.id}：{scaffold.directory}（{files}）")
        if scaffold.paragraphs:
            print(f"coverage.yaml 列出了文件的 {scaffold.paragraphs} 个编号段落，均标为 todo（尚未编码）")
        print(f"下一步：compliance lint {scaffold.directory} && compliance test {scaffold.directory}")
    else:
        print(f"created rule pack {scaffold.id}: {scaffold.directory} ({files})")
        if scaffold.paragraphs:
            print(f"coverage.yaml lists the document's {scaffold.paragraphs} numbered paragraphs, each marked todo (not yet encoded)")
        print(f"next: compliance lint {scaffold.directory} && compliance test {scaffold.directory}")
    return EXIT_OK


def _sources_of(diagnostics) -> dict[str, str]:
    out = {}
    for d in diagnostics:
        f = d.location.file
        if f and f not in out and d.location.line is not None:
            try:
                out[f] = Path(f).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                pass
    return out


def _as_of(option: str | None, data: dict, file: str):
    text = option or data.get("as_of")
    if text is None:
        year = data.get("year")
        return datetime.date(int(year), 12, 31), None
    try:
        return datetime.date.fromisoformat(str(text)), None
    except ValueError:
        where = Location("--as-of") if option else Location(file, pointer="/as_of")
        return None, Diagnostic("E114", where, {"text": text})


def _output_problem(output: Path | None) -> Diagnostic | None:
    """E108 when --output cannot be written: a directory, a missing folder, no permission."""
    if output is None:
        return None
    output = Path(output)
    parent = output.parent if str(output.parent) else Path(".")
    if output.is_dir():
        reason = Localized("这是一个目录，请给出文件名", "it is a directory; give a file name")
    elif not parent.is_dir():
        reason = Localized(f"目录 {parent} 不存在", f"the folder {parent} does not exist")
    elif not os.access(parent, os.W_OK) or (output.exists() and not os.access(output, os.W_OK)):
        reason = Localized("没有写入权限", "permission denied")
    else:
        return None
    return Diagnostic("E108", Location(str(output)), {"reason": reason})


def _write(text: str | bytes, output: Path | None) -> None:
    """Print, or write the whole file at once: a failed run never leaves half a report."""
    with _atomic_output(output, binary=isinstance(text, bytes)) as out:
        out.write(text)


@contextlib.contextmanager
def _atomic_output(output: Path | None, binary: bool = False):
    """stdout, or a temporary file beside `output` renamed to it once everything is written:
    a failed or interrupted run never leaves half a report."""
    if output is None:
        if binary and getattr(sys.stdout, "buffer", None) is None:
            yield _TextSink(sys.stdout)    # a text-only stdout (a notebook, a caller's StringIO)
        elif binary:
            sys.stdout.flush()
            yield sys.stdout.buffer
        else:
            yield sys.stdout
        return
    output = Path(output)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent or Path("."))
    try:
        with (os.fdopen(fd, "wb") if binary else
              os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace")) as fh:
            yield fh
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)   # mkstemp makes the file private; a report is an ordinary file
        os.replace(tmp, output)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class _TextSink:
    """UTF-8 bytes written to a text stream that has no binary buffer beneath it."""

    def __init__(self, out):
        self.out = out

    def write(self, data: bytes) -> None:
        self.out.write(data.decode("utf-8"))

    def flush(self) -> None:
        self.out.flush()


def _record_bytes(path: Path) -> bytes:
    """What the report's sha256 covers (a CSV folder: its files, in name order)."""
    if path.is_dir():
        from .csv_io import folder_bytes
        return folder_bytes(path)
    return path.read_bytes()


def cmd_template(args) -> int:
    from .excel_io import workbook_bytes
    from .table_files import attested_rules, is_workbook
    if not is_workbook(args.output):
        _print_diagnostics([Diagnostic("E108", Location(str(args.output)), {"reason": Localized(
            "模板须为 .xlsx 文件", "the template must be an .xlsx file")})], args.lang)
        return EXIT_ERROR
    problem = _output_problem(args.output)
    if problem is not None:
        _print_diagnostics([problem], args.lang)
        return EXIT_ERROR
    attest: tuple = ()
    if args.pack:
        try:
            attest = attested_rules(args.pack, args.rules)
        except CompilationFailed as exc:
            _print_diagnostics(exc.diagnostics, args.lang, _sources_of(exc.diagnostics))
            return EXIT_ERROR
    _write_bytes(workbook_bytes({}, attest), args.output)
    # Said on stderr: stdout stays clean for scripts, and the user learns what to do next.
    sys.stderr.write(f"已写入填报模板 {args.output}：填写后用 compliance check {args.output} 检查\n" if args.lang == "zh"
                     else f"wrote the blank workbook {args.output}; fill it in, then run compliance check {args.output}\n")
    return EXIT_OK


def cmd_import(args) -> int:
    from .table_files import dumps_exact, is_tables, load
    from .validate import unknown_as_errors
    if not is_tables(args.input):
        reason = Localized("应为 .xlsx 工作簿，或含 县级情况.csv 的文件夹", "expected an .xlsx workbook or a folder with 县级情况.csv")
        _print_diagnostics([Diagnostic("E155", Location(str(args.input)), {"reason": reason})], args.lang)
        return EXIT_ERROR
    problem = _output_problem(args.output)
    if problem is not None:
        _print_diagnostics([problem], args.lang)
        return EXIT_ERROR
    data, problems, _ = load(args.input, str(args.input), args.max_record_mb)
    problems = unknown_as_errors(problems)
    _print_diagnostics(problems, args.lang)
    if data is None or has_errors(problems):
        return EXIT_ERROR
    _write(dumps_exact(data), args.output)
    return EXIT_OK


def cmd_export(args) -> int:
    from .table_files import is_workbook, lossless
    from .validate import read_record, unknown_as_errors
    data, problems = read_record(args.input)
    problems = unknown_as_errors(problems)
    if data is not None and not has_errors(problems):
        problems += lossless(data, str(args.input), is_workbook(args.output))
    _print_diagnostics(problems, args.lang)
    if data is None or has_errors(problems):
        return EXIT_ERROR
    if is_workbook(args.output):
        problem = _output_problem(args.output)
        if problem is not None:
            _print_diagnostics([problem], args.lang)
            return EXIT_ERROR
        from .excel_io import workbook_bytes
        _write_bytes(workbook_bytes(data), args.output)
        return EXIT_OK
    from .csv_io import folder_texts
    folder = args.output
    if folder.exists() and not folder.is_dir() or not folder.parent.is_dir() and str(folder.parent):
        _print_diagnostics([Diagnostic("E108", Location(str(folder)), {"reason": Localized(
            "应为 .xlsx 文件名，或一个文件夹（写入 CSV 文件）", "give an .xlsx file name, or a folder (for CSV files)")})], args.lang)
        return EXIT_ERROR
    folder.mkdir(exist_ok=True)
    for name, text in folder_texts(data).items():
        _write_bytes(text.encode("utf-8-sig"), folder / name)
    return EXIT_OK


def _write_bytes(data: bytes, output: Path) -> None:
    """Write a whole file at once (a temporary file renamed): never half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent or Path("."))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, output)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def cmd_fields(args) -> int:
    from .fields_doc import markdown, rows
    if args.markdown:
        sys.stdout.write(markdown())
        return EXIT_OK
    for r in rows():
        sys.stdout.write(f"{r.sheet}\t{r.header}\t{r.pointer}\t{r.kind}\t{r.unit}\t{r.choices}\n")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
