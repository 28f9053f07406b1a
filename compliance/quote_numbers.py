"""The numbers a policy text states, for lint to hold parameters against their quotes.

`numbers_in("小学、初中分别达到4.2人以上、5.3人以上")` gives 4.2 and 5.3. Percent, 万 and 亿
multipliers, ratios (8:1), fractions (2/3), ranges (2-3所) and simple Chinese numerals (百分之九十,
三年以上) and Roman level numerals (Ⅲ级) are read; numbers that are not thresholds are skipped: years (2020年, 到2022,),
dates (9月1日), article and item numbers (第六条, （三）, 2.), document numbers (〔2017〕6号)
and digits next to damaged characters (?000).
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from fractions import Fraction

# Full-width digits and signs as an IME types them; one character for one, so indices stay.
_WIDTH = str.maketrans("０１２３４５６７８９．％：／－", "0123456789.%:/-")

# Words a count or amount is followed by: "2000人" is a number of students, "2000年" a year.
_MEASURES = set("人名所个間间台次部项門门元万亿平米㎡班校园座套册本张册天小学时%‰倍岁周")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
# Levels are written in Roman numerals: “达到Ⅲ级以上”
_ROMAN = {c: i for i, c in enumerate("ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ", start=1)}

_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_PERCENT_CN = re.compile(r"百分之([零〇一二两三四五六七八九十百]+)(?:点([零〇一二三四五六七八九]+))?")
# 三年以上, 两项以上: a Chinese numeral, one measure word, then a bound word
_BOUND_CN = re.compile(r"(?<![第零〇一二两三四五六七八九十百千])([一二两三四五六七八九十百千]+)"
                       r"(?=[个名所年项次间人门倍周岁]?(?:以上|以下|以内))")


@dataclass(frozen=True)
class QuotedNumber:
    text: str          # as written: "85%", "3万", "百分之九十", "8:1"
    written: Fraction  # the digits as written, before % or 万
    scaled: Fraction   # after % (÷100), ‰ (÷1000), 万 (×10,000), 亿 (×10⁸)

    def values(self) -> set[Fraction]:
        return {self.written, self.scaled}


def numbers_in(text: str | None) -> list[QuotedNumber]:
    """Every threshold-like number of `text`, in order."""
    return list(_numbers(text)) if text else []


# One quote is read once per parameter that it backs (cv_limit: fourteen rules): remember it.
@functools.lru_cache(maxsize=4096)
def _numbers(text: str) -> tuple[QuotedNumber, ...]:
    text = text.translate(_WIDTH)
    out: list[tuple[int, QuotedNumber]] = []
    skip: set[int] = set()   # starts of matches already used (a ratio's second term, a date)
    for m in _ISO_DATE.finditer(text):
        skip.update(range(m.start(), m.end()))
    for m in _NUMBER.finditer(text):
        start, end = m.span()
        if start in skip or _not_a_threshold(text, start, end):
            continue
        written = Fraction(m.group())
        shown_end = end
        ratio = re.match(r"\s*[:/]\s*(\d+(?:\.\d+)?)", text[end:])
        if ratio and Fraction(ratio.group(1)) != 0:
            # 8:1 and 2/3 are one number; the second term is no threshold of its own
            second = end + ratio.start(1)
            skip.add(second)
            written = written / Fraction(ratio.group(1))
            shown_end = end + ratio.end()
        scaled = written * _multiplier(text, shown_end)
        tail = text[shown_end:shown_end + 1] if text[shown_end:shown_end + 1] in "%‰万亿" else ""
        out.append((start, QuotedNumber(text[start:shown_end] + tail, written, scaled)))
    for m in _PERCENT_CN.finditer(text):
        whole = _cn_integer(m.group(1))
        if whole is None:
            continue
        value = Fraction(whole)
        if m.group(2):
            digits = "".join(str(_CN_DIGITS[c]) for c in m.group(2))
            value += Fraction(int(digits), 10 ** len(digits))
        out.append((m.start(), QuotedNumber(m.group(), value, value / 100)))
    for i, c in enumerate(text):
        if c in _ROMAN:
            out.append((i, QuotedNumber(c, Fraction(_ROMAN[c]), Fraction(_ROMAN[c]))))
    for m in _BOUND_CN.finditer(text):
        if text[max(0, m.start() - 3):m.start()].endswith("百分之"):
            continue
        value = _cn_integer(m.group(1))
        if value is not None:
            out.append((m.start(), QuotedNumber(m.group(1), Fraction(value), Fraction(value))))
    return tuple(q for _, q in sorted(out, key=lambda p: p[0]))


def _not_a_threshold(text: str, start: int, end: int) -> bool:
    # a space stands for either end of the text: "" would be found in every string below
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    digits = text[start:end]
    if before in "第〔[【" or after in "号〕]】月日" or before in "?�" or after in "?�":
        return True  # 第六条, 〔2017〕, 6号, 9月1日, damaged digits
    if before in "（(" and after in "）)":
        return True  # item numbers: （3）
    if after == "." and not text[end + 1:end + 2].isdigit():
        return True  # enumerations: 2.
    if len(digits) == 4 and digits.isdigit() and 1949 <= int(digits) <= 2100:
        # a year unless a measure follows: "2000人" counts, "2020年" and "到2022," are years
        return after == "年" or after not in _MEASURES
    return False


def _multiplier(text: str, end: int) -> Fraction:
    after = text[end:end + 1]
    return {"%": Fraction(1, 100), "‰": Fraction(1, 1000), "万": Fraction(10_000),
            "亿": Fraction(100_000_000)}.get(after, Fraction(1))


def _cn_integer(text: str) -> int | None:
    """一百二十 → 120, 十五 → 15, 九十 → 90; None for anything not simple."""
    total, digit = 0, None
    for c in text:
        if c in _CN_DIGITS:
            if digit is not None:
                return None  # 一二: not a simple numeral
            digit = _CN_DIGITS[c]
        elif c in _CN_UNITS:
            total += (1 if digit is None else digit) * _CN_UNITS[c]
            digit = None
        else:
            return None
    return total + (digit or 0)


def mentions(numbers: list[QuotedNumber], value: Fraction, scale: Fraction = Fraction(1)) -> bool:
    """Whether a parameter value (as written, in a unit of `scale`) is among `numbers`."""
    wanted = {Fraction(value), Fraction(value) * scale}
    return any(q.values() & wanted for q in numbers)


def show(numbers: list[QuotedNumber]) -> str:
    return "、".join(dict.fromkeys(q.text for q in numbers))
