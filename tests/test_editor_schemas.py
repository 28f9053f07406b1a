"""Editor support: every rule, params, tests, pack and coverage file names its JSON Schema in a
yaml-language-server modeline on its first line, validates against that schema as an editor
would read it (YAML 1.2: dates stay text), and every property of those schemas carries a
Chinese `description` — what the editor shows on hover — with the English in x-description-en."""
from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "compliance" / "schemas"
AUTHORING = ("rules", "params", "tests", "pack", "coverage")
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")
CJK = re.compile(r"[\u4e00-\u9fff]")


class EditorLoader(yaml.SafeLoader):
    """YAML as yaml-language-server reads it: no timestamps (2017-05-12 is a string)."""


EditorLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def kind(path: Path) -> str:
    if path.parent.name == "tests":
        return "tests"
    return {"pack.yaml": "pack", "params.yaml": "params", "coverage.yaml": "coverage"}.get(path.name, "rules")


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))


FILES = sorted((ROOT / "rules").rglob("*.yaml"))


def test_there_are_files_of_every_kind():
    assert {kind(f) for f in FILES} == set(AUTHORING)


@pytest.mark.parametrize("path", FILES, ids=[str(f.relative_to(ROOT / "rules")) for f in FILES])
def test_the_modeline_names_the_right_schema_and_the_file_validates(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    m = MODELINE.match(first)
    assert m, f"{path}: first line is not a yaml-language-server modeline: {first!r}"
    target = (path.parent / m.group(1)).resolve()
    assert target == (SCHEMAS / f"{kind(path)}.schema.json").resolve(), f"{path} points at {m.group(1)}"
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=EditorLoader)
    errors = sorted(jsonschema.Draft202012Validator(schema(kind(path))).iter_errors(data), key=str)
    assert not errors, f"{path}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:3])


def properties(node, path=()):
    """(path, subschema) of every property anywhere in a schema, and of every $defs entry."""
    if isinstance(node, dict):
        for key, sub in (node.get("properties") or {}).items():
            yield path + (key,), sub
            yield from properties(sub, path + (key,))
        for key, sub in (node.get("$defs") or {}).items():
            yield path + ("$defs", key), sub
            yield from properties(sub, path + ("$defs", key))
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                yield from properties(node[key], path + (key,))
        for key in ("anyOf", "oneOf", "allOf"):
            for i, sub in enumerate(node.get(key) or ()):
                yield from properties(sub, path + (f"{key}[{i}]",))


@pytest.mark.parametrize("name", AUTHORING)
def test_every_property_has_a_chinese_description_and_an_english_one(name):
    s = schema(name)
    assert CJK.search(s["description"]) and s["x-description-en"]
    described = list(properties(s))
    assert len(described) >= 7
    # $defs entries that are only shapes (a date pattern, a status enum) need no hover text;
    # every property, and every $defs entry with properties of its own or under param names, does.
    missing = [p for p, sub in described
               if (p[-2:-1] != ("$defs",) or name == "params" and p[-1] == "param")
               and not (CJK.search(sub.get("description", "")) and sub.get("x-description-en"))]
    assert not missing, f"{name}.schema.json: no Chinese description at " + ", ".join("/".join(p) for p in missing)


def test_the_walk_would_notice_a_property_without_description():
    s = {"description": "x", "properties": {"a": {"description": "甲", "x-description-en": "a"},
                                             "b": {"type": "object", "properties": {"c": {"type": "string"}}}}}
    assert [p for p, sub in properties(s) if "description" not in sub] == [("b",), ("b", "c")]
