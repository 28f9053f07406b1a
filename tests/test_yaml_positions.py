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
