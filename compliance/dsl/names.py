"""What names mean: the record schema's fields as typed entities.

The catalog is built from `record.schema.json` (not written by hand), so a field added to
the schema — with its Chinese `title`, `x-unit` and `x-aliases` — is at once usable in rules.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

from ..resources import schema_file
from . import types as T
from .units import parse_unit

ENTITIES = ("record", "school", "section", "history")


@dataclass(frozen=True)
class FieldDef:
    name: str
    title: str
    type: T.Type
    aliases: tuple[str, ...] = ()
    group: "EntityDef | None" = None  # set for nested objects such as school.shared


@dataclass
class EntityDef:
    name: str
    fields: dict[str, FieldDef] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)  # alias → canonical name

    def lookup(self, name: str) -> FieldDef | None:
        canonical = self.aliases.get(name, name)
        return self.fields.get(canonical)

    def names(self) -> list[str]:
        return sorted(set(self.fields) | set(self.aliases))


@dataclass
class Catalog:
    record: EntityDef
    school: EntityDef
    section: EntityDef
    history: EntityDef
    facts: EntityDef

    def entity(self, name: str) -> EntityDef:
        return getattr(self, name)


def _resolve(schema: dict, node: dict) -> dict:
    seen = 0
    while "$ref" in node and seen < 32:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        target = schema
        for part in ref[2:].split("/"):
            target = target[part]
        own = {k: v for k, v in node.items() if k != "$ref"}
        merged = {**target, **own}
        # A sibling $ref (draft 2020-12) adds the target's properties to the node's own.
        if "properties" in target and "properties" in own:
            merged["properties"] = {**target["properties"], **own["properties"]}
        node = merged
        seen += 1
    return node


def schema_at(schema: dict, pointer: str) -> dict:
    """The sub-schema describing the value at a record JSON pointer ({} if the schema is silent)."""
    node = schema
    for part in pointer.split("/")[1:]:
        node = _resolve(schema, node)
        if "items" in node:
            node = node["items"]
        elif part in node.get("properties", {}):
            node = node["properties"][part]
        else:
            extra = node.get("additionalProperties")
            node = extra if isinstance(extra, dict) else {}
    return _resolve(schema, node)


def _type_of(schema: dict, prop: dict) -> T.Type:
    kind = prop.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind in ("number", "integer"):
        unit = parse_unit(prop["x-unit"]) if "x-unit" in prop else None
        return T.NumberT(unit.dim, unit) if unit else T.NUMBER
    if kind == "boolean":
        return T.BOOL
    if kind == "string":
        if prop.get("format") == "date":
            return T.DATE
        return T.StringT(tuple(prop["enum"]) if "enum" in prop else None)
    if kind == "array":
        items = _resolve(schema, prop.get("items", {}))
        if items.get("type") in ("number", "integer", "string", "boolean"):
            return T.ListT(_type_of(schema, items))
    return T.ANY


def _entity(schema: dict, name: str, node: dict) -> EntityDef:
    node = _resolve(schema, node)
    entity = EntityDef(name)
    for key, raw in node.get("properties", {}).items():
        prop = _resolve(schema, raw)
        aliases = tuple(prop.get("x-aliases", ()))
        group = None
        if prop.get("type") == "object" and "properties" in prop:
            group = _entity(schema, f"{name}.{key}", prop)
            ftype: T.Type = T.NamespaceT(key)
        else:
            ftype = _type_of(schema, prop)
        entity.fields[key] = FieldDef(key, prop.get("title", key), ftype, aliases, group)
        for alias in aliases:
            entity.aliases[alias] = key
    return entity


def build_catalog(schema: dict) -> Catalog:
    props = schema["properties"]
    record = _entity(schema, "record", schema)
    school = _entity(schema, "school", _resolve(schema, props["schools"])["items"])
    sections = _resolve(schema, _resolve(schema, school_schema(schema)["properties"]["sections"]))
    section = _entity(schema, "section", sections["properties"]["primary"])
    history = _entity(schema, "history", _resolve(schema, props["history"])["items"])
    facts = _entity(schema, "facts", props["facts"])
    # Virtual fields of a section: its level, its school, and its class sizes.
    section.fields["level"] = FieldDef("level", "学段", T.StringT(("primary", "junior")), ("学段",))
    section.aliases["学段"] = "level"
    section.fields["school"] = FieldDef("school", "所属学校", T.EntityT("school"), ("学校",))
    section.aliases["学校"] = "school"
    class_sizes = school.fields.get("class_sizes")
    if class_sizes and class_sizes.group and "primary" in class_sizes.group.fields:
        section.fields["class_sizes"] = FieldDef("class_sizes", "各班学生数",
                                                 class_sizes.group.fields["primary"].type, ("班额",))
        section.aliases["班额"] = "class_sizes"
    return Catalog(record, school, section, history, facts)


def school_schema(schema: dict) -> dict:
    return _resolve(schema, _resolve(schema, schema["properties"]["schools"])["items"])


@functools.lru_cache(maxsize=4)
def load_record_schema(path: str | None = None) -> dict:
    return json.loads(Path(path or schema_file("record.schema.json")).read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=4)
def default_catalog() -> Catalog:
    return build_catalog(load_record_schema())
