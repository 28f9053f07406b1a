"""The `compliance` command: parse arguments, call the stages, print. Nothing else lives here."""
from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import shutil
import sys
import tempfile
from pathlib import Path

from .diagnostics import CompilationFailed, Diagnostic, Localized, Location, has_errors, render, sort_key
from .record import MAX_RECORD_MB

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR, EXIT_INTERNAL = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own errors: exit 2 with a short bilingual line
        self.print_usage(sys.stderr)
        sys.stderr.write(f"用法错误 / usage error: {message}\n")
        sys.exit(EXIT_ERROR)


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
    p.add_argument("--lang", choices=("zh", "en"), default=os.environ.get("COMPLIANCE_LANG", "zh"),
                   help="消息语言 / message language (default zh)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="compliance", description="教育督导政策规则检查 / Chinese education policy as rules-as-code")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    check = sub.add_parser("check", help="用规则包检查县（市、省）数据 / check records")
    check.add_argument("paths", nargs="+", metavar="PATH",
                       help="数据文件 RECORD.json、数据目录（其中的 *.json），或 -（标准输入，每行一份 JSON）；"
                            "多份数据时输出批量报告")
    check.add_argument("--pack", action="append", default=None,
                       help="规则包名称或目录，可多次给出（默认取数据中的 packs，否则 national）")
    check.add_argument("--format", choices=("text", "json", "jsonl"), default="text",
                       help="text：文字报告（多份数据时每份一行）；json：JSON 报告（多份数据时为一个文档）；"
                            "jsonl：每行一份报告")
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
                       help="已是默认：无法判定（待补数据）时以 1 退出；保留此选项以兼容旧脚本")
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
    test.add_argument("--examples", type=int, default=60, help="每个规则包的性质检验抽取的数据份数（默认 60）")
    test.add_argument("--rules", type=Path, action="append", default=[], help="额外的规则包搜索目录")
    _lang_option(test)

    lint = sub.add_parser("lint", help="静态检查规则文件 / check rule files")
    lint.add_argument("paths", nargs="*", type=Path, help="规则包目录或规则文件（默认 rules/）")
    _lang_option(lint)
    return parser


def main(argv: list[str] | None = None) -> int:
    # A name may hold a lone surrogate ("\ud800" is valid JSON): write it as that escape,
    # which keeps a JSON report valid and equal, rather than fail on it.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    args = build_parser().parse_args(argv)
    try:
        return {"check": cmd_check, "lint": cmd_lint, "coverage": cmd_coverage,
                "test": cmd_test, "explain": cmd_explain}[args.command](args)
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
    problem = _output_problem(args.output)
    if problem is not None:          # before any work: a long run must not fail at its end
        _print_diagnostics([problem], args.lang)
        return EXIT_ERROR
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
    data, as_of, checker, findings = loaded
    packs = checker.packs
    advice = advise(checker, findings, data, as_of)
    if args.format == "json":
        from .explain import Tracer, steps_as_data
        tracers = {id(a): Tracer(a, data, as_of) for a in checker.analyses}
        for f in findings:
            if f.status in ("fail", "unknown", "pending"):
                tracer = tracers[id(checker.analysis_of(f))]
                advice.setdefault((f.rule, f.subject), {})["steps"] = steps_as_data(tracer, f)
        kept = findings if args.findings == "all" else [f for f in findings
                                                         if f.status not in ("pass", "not_applicable")]
        report = build_report(kept, packs, as_of, str(args.record), args.record.read_bytes(), lang, advice)
        report["verdict"], report["summary"] = verdict(findings), summary(findings)  # of every finding
        text = render_json(report)
    else:
        from .report.text import render_text  # imports rich: only text output needs it
        jurisdiction = data.get("jurisdiction", {}).get("name", "")
        documents = "、".join(f"《{p.document.get('title', p.title)}》（{p.document_label}）" for p in packs)
        title = f"{jurisdiction} {data.get('year', '')} · {documents}"
        color = args.output is None and sys.stdout.isatty()
        text = render_text(findings, title, as_of.isoformat(), lang, args.verbose, color=color, advice=advice)
    _write(text, args.output)
    # The data contract: missing data is not success, for one record as for many.
    return EXIT_OK if verdict(findings) == "pass" else EXIT_FINDINGS


def _check_batch(args) -> int:
    """Several records: each checked on its own (in a pool of `--jobs` processes), reports
    written in input order as they come; a bad record is reported and the others go on."""
    from .batch_job import INVALID, Options
    from .inputs import count, sources
    from .parallel import outcomes
    from .report.batch import Totals, writer_for

    as_of = None
    if args.as_of is not None:
        as_of, problem = _as_of(args.as_of, {}, "--as-of")
        if problem is not None:
            _print_diagnostics([problem], args.lang)
            return EXIT_ERROR
    options = Options(tuple(args.pack) if args.pack else None, tuple(str(r) for r in args.rules), as_of,
                      args.lang, args.findings == "problems", args.advice, args.allow_unknown_fields,
                      args.max_record_mb)
    total = count(args.paths, args.output)
    jobs = args.jobs if total is None else max(1, min(args.jobs, total))
    to_terminal = args.output is None and sys.stdout.isatty()
    width = shutil.get_terminal_size().columns if to_terminal else 200
    # Reports streamed to the terminal would tear the bar apart; the table comes after it.
    show_progress = sys.stderr.isatty() and not (to_terminal and args.format != "text")
    totals = Totals()
    fallbacks: dict[str, str] = {}
    try:
        with _atomic_output(args.output) as out:
            writer = writer_for(args.format, out, args.lang, to_terminal, width)
            with _progress(total, args.lang, show_progress) as progress, \
                    contextlib.closing(outcomes(sources(args.paths, output=args.output), options, jobs)) as results:
                for outcome in results:
                    if outcome.fatal:
                        _print_diagnostics(list(outcome.diagnostics), args.lang, _sources_of(outcome.diagnostics))
                        raise _Stop
                    _say_diagnostics(progress, outcome, args.lang)
                    fallbacks.update(outcome.fallbacks)
                    writer.add(outcome)
                    totals.add(outcome)
                    if progress is not None:
                        progress.advance(progress.task_ids[0])
            writer.finish(totals)
    except _Stop:
        return EXIT_ERROR
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
    from .validate import read_record, unknown_as_errors

    data, problems = read_record(args.record, getattr(args, "max_record_mb", MAX_RECORD_MB))
    if not getattr(args, "allow_unknown_fields", False):     # explain has no such option: errors
        problems = unknown_as_errors(problems)
    _print_diagnostics(problems, args.lang)
    if has_errors(problems) or data is None:
        return EXIT_ERROR
    as_of, problem = _as_of(args.as_of, data, str(args.record))
    if problem is not None:
        _print_diagnostics([problem], args.lang)
        return EXIT_ERROR
    try:
        checker = load_checker(args.pack or data.get("packs") or ["national"], args.rules,
                               Location(str(args.record), pointer="/packs"))
        return data, as_of, checker, checker.check(data, as_of)
    except CompilationFailed as exc:
        _print_diagnostics(exc.diagnostics, args.lang, _sources_of(exc.diagnostics))
        return EXIT_ERROR


def cmd_explain(args) -> int:
    from .explain import explain, render_explanation, select

    lang = args.lang
    loaded = _load_and_check(args)
    if isinstance(loaded, int):
        return loaded
    data, as_of, checker, findings = loaded
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
    if any(r.failures for r in results) or broken_properties:
        return EXIT_FINDINGS
    if args.min_coverage is not None and any(r.percent() < args.min_coverage for r in results):
        low = ", ".join(f"{r.analysis.pack.id} {r.percent():.1f}%" for r in results if r.percent() < args.min_coverage)
        sys.stdout.write(f"覆盖率低于 {args.min_coverage:g}%：{low}\n" if args.lang == "zh"
                         else f"coverage below {args.min_coverage:g}%: {low}\n")
        return EXIT_FINDINGS
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


def _write(text: str, output: Path | None) -> None:
    """Print, or write the whole file at once: a failed run never leaves half a report."""
    with _atomic_output(output) as out:
        out.write(text)


@contextlib.contextmanager
def _atomic_output(output: Path | None):
    """stdout, or a temporary file beside `output` renamed to it once everything is written:
    a failed or interrupted run never leaves half a report."""
    if output is None:
        yield sys.stdout
        return
    output = Path(output)
    fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent or Path("."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as fh:
            yield fh
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)   # mkstemp makes the file private; a report is an ordinary file
        os.replace(tmp, output)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


if __name__ == "__main__":
    sys.exit(main())
