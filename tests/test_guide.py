"""The authoring guide (docs/规则编写指南.md) is executed, top to bottom, in a copy of the
rules and examples: every block headed `# 文件：PATH` is written to PATH, every command of a
```bash block is run, and must exit with the status its `# 退出码 N` says and print what its
`# 输出含：…` lines say. A guide whose examples stop working fails here."""
from __future__ import annotations

import contextlib
import io
import re
import shlex
import shutil
import subprocess
from pathlib import Path

from compliance.cli import main

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "规则编写指南.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
FILE_HEAD = "# 文件："


def steps(text: str):
    """('file', path, content) and ('run', command, exit status, [expected texts]) in order."""
    for lang, body in FENCE.findall(text):
        lines = body.splitlines()
        if lines and lines[0].startswith(FILE_HEAD):
            yield "file", lines[0][len(FILE_HEAD):].strip(), "\n".join(lines[1:]) + "\n"
        elif lang == "bash":
            current = None
            for line in lines:
                if line.startswith("# 输出含："):
                    assert current is not None, line
                    current[3].append(line[len("# 输出含："):])
                elif line.strip() and not line.startswith("#"):
                    if current:
                        yield tuple(current)
                    command, _, status = line.partition("# 退出码")
                    current = ["run", command.strip(), int(status) if status.strip() else 0, []]
            if current:
                yield tuple(current)


def run(command: str, cwd: Path) -> tuple[int, str]:
    if command.startswith("compliance "):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(shlex.split(command)[1:])
            except SystemExit as stop:          # argparse's usage errors
                code = stop.code
        return code, out.getvalue() + err.getvalue()
    done = subprocess.run(["bash", "-c", command], cwd=cwd, capture_output=True, text=True)
    return done.returncode, done.stdout + done.stderr


def test_every_example_of_the_guide_runs_as_written(tmp_path):
    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    ran = 0
    for step in steps(GUIDE.read_text(encoding="utf-8")):
        if step[0] == "file":
            path = tmp_path / step[1]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(step[2], encoding="utf-8")
            continue
        _, command, status, expected = step
        code, output = run(command, tmp_path)
        assert code == status, f"{command}\n→ exit {code}, the guide says {status}\n{output[-3000:]}"
        for words in expected:
            assert words in output, f"{command}\n→ no '{words}' in:\n{output[-3000:]}"
        assert "Traceback" not in output and "内部错误" not in output
        ran += 1
    assert ran >= 10      # the guide is not empty, and the parser found its commands


def test_the_parser_reads_files_commands_and_expectations():
    text = ("```yaml\n# 文件：a/b.yaml\nx: 1\n```\n"
            "```bash\ncompliance lint a   # 退出码 2\n# 输出含：E2\nrm -r a\n```\n"
            "```yaml\nnot: a file\n```\n")
    assert list(steps(text)) == [("file", "a/b.yaml", "x: 1\n"), ("run", "compliance lint a", 2, ["E2"]),
                                 ("run", "rm -r a", 0, [])]
