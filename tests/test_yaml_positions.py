"""Expressions inside every YAML scalar style map back to their exact file positions."""
from compliance.dsl.parse import parse
from compliance.yamlsource import expression_source, load


def position_of_error(yaml_text: str, key: str = "require"):
    data = load(yaml_text, "f.yaml")
    source = expression_source(data.value_nodes[key], yaml_text)
    err = parse(source.text)
    return source.file_position(err.span.line, err.span.column)


def test_plain_single_and_double_quoted():
    assert position_of_error("require: a >= @\n") == (1, 15)
    assert position_of_error("require: 'a == ''x'' and @'\n") == (1, 26)
    assert position_of_error('require: "a == \\"x\\" and @"\n') == (1, 26)


def test_multi_line_styles():
    assert position_of_error("require: >\n  a >= 1\n    and @\n") == (3, 9)
    assert position_of_error("require: |\n  a >= 1\n  and @\n") == (3, 7)
    assert position_of_error("require: a >= 1\n  and @\n") == (2, 7)
    assert position_of_error('require: "a >= 1\n    and @"\n') == (2, 9)


# ---- libyaml and the pure-Python composer give the same nodes and marks ----------------------

import glob  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
import yaml  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _nodes(node):
    yield node
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            yield from _nodes(k)
            yield from _nodes(v)
    elif isinstance(node, yaml.SequenceNode):
        for v in node.value:
            yield from _nodes(v)


def _signature(node):
    return [(type(n).__name__, n.tag, n.value if isinstance(n, yaml.ScalarNode) else None,
             (n.style or None) if isinstance(n, yaml.ScalarNode) else n.flow_style,
             n.start_mark.index, n.start_mark.line, n.start_mark.column,
             n.end_mark.index, n.end_mark.line, n.end_mark.column) for n in _nodes(node)]


SHIPPED = sorted(glob.glob(str(ROOT / "rules" / "**" / "*.yaml"), recursive=True))
VARIANTS = {"crlf and astral": lambda t: t.replace("\n", "\r\n").replace("学校", "𠀀😀学校"), "as is": lambda t: t}


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_libyaml_marks_are_the_pure_composers_marks(variant):
    """yamlsource composes with libyaml for speed; every position we report comes from these
    marks, so they must be the pure-Python composer's to the character."""
    assert SHIPPED
    for path in SHIPPED:
        text = VARIANTS[variant](Path(path).read_text(encoding="utf-8"))
        fast, slow = yaml.compose(text, Loader=yaml.CSafeLoader), yaml.compose(text, Loader=yaml.SafeLoader)
        assert _signature(fast) == _signature(slow), path


def test_a_bom_is_read_by_the_pure_composer_with_the_same_positions():
    text = "\ufeffrequire: a >= @\n"
    assert position_of_error(text) == position_of_error("require: a >= @\n")
