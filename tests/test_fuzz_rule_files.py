"""Rule-file fuzzing: a real rule file with YAML features spliced in at random lines — tags,
anchors and aliases, merge keys, directives, several documents, flow nesting, long scalars,
tabs, control characters, other encodings, lines deleted or repeated. `lint` must answer with
exit 0, 1 or 2, never an internal error, and every error must name a line of the file."""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from compliance.cli import main

ROOT = Path(__file__).resolve().parents[1]
BASE = (ROOT / "rules" / "national" / "vetoes.yaml").read_text(encoding="utf-8").splitlines()

SNIPPETS = [
    "x: !!python/object/apply:os.system [echo]", "x: !!python/name:os.system", "x: !secret value",
    "x: !!binary aGVsbG8=", "x: !!set {a, b}", "x: !!omap [a: 1]", "x: !!str 12", "x: !!float .nan",
    "a: &a [1, 2]", "b: *a", "c: *undefined", "<<: *a", "d: &d {k: v}", "e: {<<: *d, k: w}",
    "%YAML 1.1", "%TAG ! tag:example.com,2000:", "---", "...", "? [complex, key]\n: value",
    "f: |\n bad\n  indent", "g: >-\n  folded", "h: [" * 30 + "]" * 30, "i: {" * 10 + "}" * 10,
    "j: \"" + "x" * 5000 + "\"", "\tk: tab", "l: \x07bell", "m: \x00nul", "n: '\ud800'", "o: 0x1F",
    "p: 2024-13-45", "q: .inf", "r: ~", "s: [a, b", "t: {a: 1", "- item", "  - id: V9", "    require: (",
    "    require: facts.veto.x >", "    severity: never", "    title: !!int x", "rules: *a", "rules: 7",
    "citation: null", "u: " + "&x " + "[*x]",
]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "gb18030", "latin-1"]


@st.composite
def mutated_rule_file(draw) -> bytes:
    lines = list(BASE)
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(lines)))
        action = draw(st.sampled_from(["insert", "insert", "delete", "repeat", "indent"]))
        if action == "insert":
            lines.insert(where, draw(st.sampled_from(SNIPPETS)))
        elif lines and action == "delete":
            del lines[min(where, len(lines) - 1)]
        elif lines and action == "repeat":
            i = min(where, len(lines) - 1)
            lines.insert(i, lines[i])
        elif lines:
            i = min(where, len(lines) - 1)
            lines[i] = " " * draw(st.integers(1, 3)) + lines[i]
    text = "\n".join(lines) + "\n"
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors="surrogatepass" if encoding.startswith("utf") else "replace")


@settings(max_examples=20, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(raw=mutated_rule_file())
def test_a_mutated_rule_file_gets_a_positioned_answer(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("rules") / "fuzz.yaml"
    path.write_bytes(raw)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["lint", str(path), "--lang", "en"])
    text = err.getvalue()
    assert code in (0, 1, 2), text
    assert "internal error" not in text and "Traceback" not in text, text
    lines = raw.count(b"\n") + 1
    for message in re.findall(rf"^{re.escape(str(path))}(\S*): error", text, flags=re.M):
        position = re.match(r":(\d+):(\d+)", message)
        assert position, f"an error without a line: {message!r}\n{text}"
        assert 1 <= int(position.group(1)) <= lines, text
