"""Static types of expressions, worked out by the checker before any data is read."""
from __future__ import annotations

from dataclasses import dataclass

from ..diagnostics import Localized
from .units import DIMENSIONLESS, Dim, Unit


class Type:
    def describe(self) -> Localized:
        raise NotImplementedError


@dataclass(frozen=True)
class NumberT(Type):
    dim: Dim = DIMENSIONLESS
    unit: Unit | None = None  # the unit to show values in (from a field, literal or parameter)

    def describe(self) -> Localized:
        unit = self.unit.label if self.unit else ("" if self.dim.is_dimensionless else self.dim.describe())
        if unit:
            return Localized(f"数值（{unit}）", f"a number ({unit})")
        return Localized("数值", "a number")


@dataclass(frozen=True)
class BoolT(Type):
    def describe(self) -> Localized:
        return Localized("真/假值", "true/false")


@dataclass(frozen=True)
class StringT(Type):
    choices: tuple[str, ...] | None = None

    def describe(self) -> Localized:
        return Localized("文本", "a string")


@dataclass(frozen=True)
class DateT(Type):
    def describe(self) -> Localized:
        return Localized("日期", "a date")


@dataclass(frozen=True)
class ListT(Type):
    item: Type

    def describe(self) -> Localized:
        inner = self.item.describe()
        return Localized(f"{inner.zh}列表", f"a list of {inner.en}")


@dataclass(frozen=True)
class EntityT(Type):
    """A school, a school section, or a year of history."""
    entity: str

    def describe(self) -> Localized:
        zh = {"school": "学校", "section": "学校学段", "history": "历年数据"}.get(self.entity, self.entity)
        return Localized(zh, self.entity)


@dataclass(frozen=True)
class CollectionT(Type):
    entity: str

    def describe(self) -> Localized:
        inner = EntityT(self.entity).describe()
        return Localized(f"{inner.zh}集合", f"a collection of {inner.en}")


@dataclass(frozen=True)
class SeriesT(Type):
    """A fact over the years: history plus the record's own year; with `counties`, one such
    series per county of a city record."""
    item: NumberT
    counties: bool = False

    def describe(self) -> Localized:
        if self.counties:
            return Localized("各县逐年序列", "a year series per county")
        return Localized("逐年序列", "a year series")


@dataclass(frozen=True)
class WeightsT(Type):
    """Per-level weights, e.g. 小学:初中:高中 = 1 : 1.1 : 1.32."""
    def describe(self) -> Localized:
        return Localized("学段权重", "section weights")


@dataclass(frozen=True)
class NamespaceT(Type):
    """A path that names a group of fields (`school.shared`), not a value."""
    name: str

    def describe(self) -> Localized:
        return Localized(f"字段组 {self.name}", f"the field group {self.name}")


@dataclass(frozen=True)
class AnyT(Type):
    """The type of an expression that already has an error: checks on it are skipped."""
    def describe(self) -> Localized:
        return Localized("（未知类型）", "(unknown type)")


BOOL = BoolT()
STRING = StringT()
DATE = DateT()
ANY = AnyT()
NUMBER = NumberT()


def same_kind(a: Type, b: Type) -> bool:
    """Can a and b be compared for equality / mixed in a list?"""
    if isinstance(a, AnyT) or isinstance(b, AnyT):
        return True
    if isinstance(a, NumberT) and isinstance(b, NumberT):
        return a.dim == b.dim
    if isinstance(a, ListT) and isinstance(b, ListT):
        return same_kind(a.item, b.item)
    return type(a) is type(b)
