"""How far a finding is from its requirement, for the reports that colour it (HTML, xlsx).

A finding of the JSON report carries its value and threshold (with `_exact` texts where a
float cannot hold them). "Near" is not a word of ours: it is the pack's own line, the share
of the requirement below which R-SCHOOL no longer lets an indicator pass
(`school_rest_min_share`, 85 % in the national standard), read from the packs the report
used. Without that parameter a report says only met / not met.
"""
from __future__ import annotations

import datetime
from fractions import Fraction

NEAR_PARAMETER = "school_rest_min_share"


def exact(finding: dict, key: str) -> Fraction | None:
    """The exact number of `value` / `threshold` (from its `_exact` text when there is one)."""
    text = finding.get(f"{key}_exact")
    if text:
        return Fraction(text)
    value = finding.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return Fraction(repr(value)) if isinstance(value, float) else Fraction(value)


def share_of_requirement(value: Fraction, threshold: Fraction, op: str) -> Fraction | None:
    """The value as a share of its requirement (the requirement as a share of the value where
    less is better), or None where that has no meaning."""
    if op in (">=", ">"):
        return value / threshold if threshold > 0 else None
    if op in ("<=", "<"):
        return threshold / value if value > 0 else None
    return None


def reach(finding: dict, near_share: Fraction | None) -> str:
    """met | near | far | not_met (no share known) | unknown | not_applicable."""
    if finding["status"] in ("unknown", "not_applicable"):
        return finding["status"]
    if finding["status"] == "pass":
        return "met"
    value, threshold = exact(finding, "value"), exact(finding, "threshold")
    if near_share is None or value is None or threshold is None:
        return "not_met"        # no share to tell near from far: say only what is known
    share = share_of_requirement(value, threshold, finding.get("op") or "")
    if share is None:
        return "not_met"
    return "near" if share >= near_share else "far"


def param_at(checker, name: str, as_of: str):
    """A parameter's value on `as_of` as the most derived pack defines it, or None (also
    when it differs by level: a single share is meant)."""
    if checker is None:
        return None
    for analysis in reversed(checker.analyses):
        if name in analysis.params:
            value = analysis.params[name].value_at(datetime.date.fromisoformat(as_of))
            return value if not isinstance(value, dict) else None
    return None
