"""Strict YAML loading that remembers where every value came from.

Duplicate keys are errors (with both lines); floats load as exact Fractions; every mapping
and list keeps the node of each value so later stages can point at file:line:column — and
expressions inside YAML strings map back to their exact columns in the file.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import yaml
from yaml.constructor import SafeConstructor

from .diagnostics import Diagnostic, Localized, Location, line_column


class YMap(dict):
    """A mapping that knows the YAML node of each key and value."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.key_nodes: dict = {}
        self.value_nodes: dict = {}
        self.node = None


class YList(list):
    def __init__(self, *args):
        super().__init__(*args)
        self.item_nodes: list = []
        self.node = None


@dataclass(frozen=True)
class ExprSource:
    """Text to hand the expression parser, padded so its columns are the file's columns.

    File line = expression line + `line_offset`; file column = expression column.
    """
    text: str
    line_offset: int
    positions: tuple[tuple[int, int], ...] | None = None  # per character of text: (file line, column)

    def file_position(self, line: int, column: int) -> tuple[int, int]:
        """The file's (line, column) of an expression position (both 1-based)."""
        if self.positions is None:
            return line + self.line_offset, column
        lines = self.text.split("\n")
        index = sum(len(x) + 1 for x in lines[: line - 1]) + column - 1
        if index < len(self.positions):
            return self.positions[index]
        last_line, last_col = self.positions[-1] if self.positions else (self.line_offset + 1, 1)
        return last_line, last_col + 1 + index - len(self.positions)


class YamlError(Exception):
    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic
        super().__init__(diagnostic.code)


_constructor = SafeConstructor()


def _scalar(node: yaml.ScalarNode, file: str):
    tag = node.tag
    if tag == "tag:yaml.org,2002:float":
        text = node.value.replace("_", "")
        try:
            return Fraction(text)
        except ValueError:  # .inf, .nan and friends
            return _constructor.construct_yaml_float(node)
    if tag == "tag:yaml.org,2002:int":
        return _constructor.construct_yaml_int(node)
    if tag == "tag:yaml.org,2002:bool":
        return _constructor.construct_yaml_bool(node)
    if tag == "tag:yaml.org,2002:null":
        return None
    if tag == "tag:yaml.org,2002:timestamp":
        try:
            return _constructor.construct_yaml_timestamp(node)
        except ValueError:  # 2024-02-30 looks like a date but is none
            raise YamlError(Diagnostic("E250", _loc(file, node), {"text": node.value}))
    return node.value


def _explain(exc: yaml.MarkedYAMLError):
    """PyYAML's English problem → (Localized reason, the mark to point at)."""
    from .diagnostics import Localized
    problem, context = exc.problem or "", exc.context or ""
    if "'\\t'" in problem or "\t" in problem:
        return Localized("不能用制表符（Tab）缩进，请改用空格", "tabs cannot be used for indentation; use spaces"), exc.problem_mark
    if "flow sequence" in context or "flow mapping" in context:
        bracket = "[" if "sequence" in context else "{"
        return (Localized(f"这里的 '{bracket}' 没有闭合", f"this '{bracket}' is never closed"),
                exc.context_mark or exc.problem_mark)
    if "expected <block end>" in problem or ("block mapping" in context and "expected <block end>" in problem):
        return Localized("缩进不一致：这一行与同级的键缩进不同", "inconsistent indentation: this line is not indented like its siblings"), exc.problem_mark
    if "mapping values are not allowed" in problem:
        return (Localized("此处不能出现冒号（值里有冒号时请给整个值加引号），或缩进有误",
                          "a colon is not allowed here (quote a value that contains a colon), or the indentation is wrong"),
                exc.problem_mark)
    if "found unexpected end of stream" in problem or "unexpected end of stream" in problem:
        return Localized("引号没有闭合", "a quote is never closed"), exc.context_mark or exc.problem_mark
    if "could not find expected ':'" in problem:
        return Localized("缺少冒号，或缩进有误", "missing ':' or wrong indentation"), exc.problem_mark
    text = f"{problem} {context}".strip()
    return Localized(text, text), exc.problem_mark or exc.context_mark


def _loc(file: str, node) -> Location:
    start, end = node.start_mark, node.end_mark
    return Location(file, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def node_location(file: str, node) -> Location:
    return _loc(file, node)


_SLOW = object()


def _compose_fast(text: str):
    """Compose with libyaml when PyYAML has it: the same nodes and marks as the pure-Python
    composer (tests/test_yaml_positions.py compares them), about nine times faster. A text
    libyaml rejects, or one opening with a BOM (whose marks libyaml counts differently),
    goes to the pure-Python composer, whose error messages `_explain` knows."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None or text.startswith("\ufeff"):
        return _SLOW
    try:
        return yaml.compose(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        if "maximum nesting depth" in (exc.problem or "") and exc.problem_mark is not None:
            # libyaml's depth limit: the pure composer would only recurse to its own end
            return (exc.problem_mark.line + 1, exc.problem_mark.column + 1)
        return _SLOW
    except yaml.YAMLError:
        return _SLOW


# Limits a rule file never comes near; a hostile one is refused quickly, where it breaks.
MAX_FILE_CHARS = 2_000_000
MAX_SCALAR_CHARS = 100_000
MAX_DEPTH = 64
MAX_VALUES = 200_000          # values after expanding aliases (an alias bomb has billions)
_STANDARD_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null",
                                                               "timestamp", "seq", "map"))


def load(text: str, file: str):
    """Parse one YAML document into YMap/YList/scalars. Raises YamlError with a position."""
    if len(text) > MAX_FILE_CHARS:
        raise YamlError(Diagnostic("E109", Location(file, 1, 1), {"reason": Localized(
            f"文件过大（{len(text):,} 个字符，上限 {MAX_FILE_CHARS:,}）",
            f"the file is too large ({len(text):,} characters; at most {MAX_FILE_CHARS:,})")}))
    node = _compose_fast(text)
    if isinstance(node, tuple):         # (line, column) where libyaml found the nesting too deep
        deep = _deepening(text)         # where it first passes our own limit, if brackets show it
        raise YamlError(Diagnostic("E109", Location(file, *(line_column(text, deep) if deep else node)),
                                   {"reason": _too_deep()}))
    try:
        if node is _SLOW:
            node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        reason, mark = _explain(exc)
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        raise YamlError(Diagnostic("E101", Location(file, line, col), {"reason": reason}))
    except yaml.reader.ReaderError as exc:      # a NUL or other character YAML forbids
        line, col = line_column(text, exc.position)
        raise YamlError(Diagnostic("E101", Location(file, line, col), {"reason": Localized(
            f"不允许的字符 U+{exc.character:04X}", f"character U+{exc.character:04X} is not allowed")}))
    except yaml.YAMLError as exc:
        raise YamlError(Diagnostic("E101", Location(file), {"reason": str(exc)}))
    except RecursionError:                      # libyaml stops at depth 1000; find where it gets deep
        line, col = line_column(text, _deepening(text))
        raise YamlError(Diagnostic("E109", Location(file, line, col), {"reason": _too_deep()}))
    if node is None:
        return None
    return _Builder(file).build(node, 0)


def _deepening(text: str) -> int:
    """The index where brackets first nest deeper than MAX_DEPTH (0 if they never do)."""
    depth = 0
    for i, c in enumerate(text):
        depth += (c in "[{") - (c in "]}")
        if depth > MAX_DEPTH:
            return i
    return 0


def _too_deep():
    return Localized(f"嵌套层数过多（上限 {MAX_DEPTH} 层）", f"nested more than {MAX_DEPTH} levels deep")


class _Builder:
    """YAML nodes → YMap/YList/scalars, refusing what no rule file needs: non-standard tags
    (!!python/…), aliases that refer to themselves or expand without end, very deep nesting and
    huge scalars — each at its own line and column."""

    def __init__(self, file: str):
        self.file, self.values, self.open = file, 0, set()

    def fail(self, node, zh: str, en: str, code: str = "E109"):
        raise YamlError(Diagnostic(code, _loc(self.file, node), {"reason": Localized(zh, en)}))

    def build(self, node, depth: int):
        self.values += 1
        if self.values > MAX_VALUES:
            self.fail(node, f"别名（*引用）展开后的值过多（上限 {MAX_VALUES:,}）",
                      f"aliases expand to too many values (at most {MAX_VALUES:,})")
        if depth > MAX_DEPTH:
            raise YamlError(Diagnostic("E109", _loc(self.file, node), {"reason": _too_deep()}))
        if node.tag not in _STANDARD_TAGS:
            self.fail(node, f"不支持的 YAML 标签 {node.tag.replace('tag:yaml.org,2002:', '!!')}",
                      f"unsupported YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')}", "E101")
        if isinstance(node, yaml.ScalarNode):
            if len(node.value) > MAX_SCALAR_CHARS:
                self.fail(node, f"值过长（{len(node.value):,} 个字符，上限 {MAX_SCALAR_CHARS:,}）",
                          f"the value is too long ({len(node.value):,} characters; at most {MAX_SCALAR_CHARS:,})")
            return _scalar(node, self.file)
        if id(node) in self.open:
            self.fail(node, "别名引用了包含它自身的值（循环引用）", "an alias refers to a value that contains it")
        self.open.add(id(node))
        try:
            return self._collection(node, depth)
        finally:
            self.open.discard(id(node))

    def _collection(self, node, depth: int):
        file = self.file
        if isinstance(node, yaml.SequenceNode):
            out = YList()
            out.node = node
            for item in node.value:
                out.append(self.build(item, depth + 1))
                out.item_nodes.append(item)
            return out
        out = YMap()
        out.node = node
        for key_node, value_node in node.value:
            key = self.build(key_node, depth + 1)
            if isinstance(key, (YMap, YList)):
                raise YamlError(Diagnostic("E101", _loc(file, key_node), {"reason": "键必须是简单值"}))
            if key in out:
                first = out.key_nodes[key].start_mark.line + 1
                raise YamlError(Diagnostic("E102", _loc(file, key_node), {"key": key, "first_line": first}))
            out[key] = self.build(value_node, depth + 1)
            out.key_nodes[key] = key_node
            out.value_nodes[key] = value_node
        return out


def expression_source(node, source: str) -> ExprSource:
    """Where the expression in a scalar node sits in the file, as parser text plus offset."""
    start, end = node.start_mark, node.end_mark
    if node.style in ("|", ">"):
        # Skip the indicator line; keep indentation so columns stay the file's columns.
        raw = source[start.index:end.index]
        first_newline = raw.find("\n")
        body = raw[first_newline + 1:] if first_newline >= 0 else ""
        return ExprSource(body, start.line + 1)
    if not node.style:  # plain: None from PyYAML, "" from libyaml
        raw = source[start.index:end.index]
        return ExprSource(" " * start.column + raw, start.line)
    positions = _quoted_positions(node, source)
    if positions is not None:
        return ExprSource(node.value, 0, positions)
    return ExprSource(" " * (start.column + 1) + node.value, start.line)


_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
            "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0"}


def _quoted_positions(node, source: str):
    """Decode a quoted scalar from its source, keeping each character's file position.

    Returns None (and the caller falls back to an approximation) if our decoding does not
    reproduce PyYAML's value exactly (hex and unicode escapes, for one).
    """
    start, end = node.start_mark, node.end_mark
    raw = source[start.index + 1:end.index - 1]
    line, col = start.line + 1, start.column + 2
    out: list[tuple[str, tuple[int, int]]] = []
    i = 0
    double = node.style == '"'
    while i < len(raw):
        c = raw[i]
        if double and c == "\\" and i + 1 < len(raw):
            nxt = raw[i + 1]
            if nxt == "\n":  # escaped line break: joins lines without a space
                i += 2
                line, col = line + 1, 1
                while i < len(raw) and raw[i] in " \t":
                    i, col = i + 1, col + 1
                continue
            if nxt not in _ESCAPES:
                return None
            out.append((_ESCAPES[nxt], (line, col)))
            i, col = i + 2, col + 2
            continue
        if not double and c == "'" and raw[i + 1:i + 2] == "'":
            out.append(("'", (line, col)))
            i, col = i + 2, col + 2
            continue
        if c == "\n":
            # folding: trailing blanks dropped, a line break becomes a space, empty lines become breaks
            while out and out[-1][0] in " \t":
                out.pop()
            breaks = 0
            pos = (line, col)
            i, line, col = i + 1, line + 1, 1
            while True:
                while i < len(raw) and raw[i] in " \t":
                    i, col = i + 1, col + 1
                if i < len(raw) and raw[i] == "\n":
                    breaks += 1
                    i, line, col = i + 1, line + 1, 1
                    continue
                break
            out.extend([("\n", pos)] * breaks if breaks else [(" ", pos)])
            continue
        out.append((c, (line, col)))
        i, col = i + 1, col + 1
    if "".join(ch for ch, _ in out) != node.value:
        return None
    return tuple(p for _, p in out)
