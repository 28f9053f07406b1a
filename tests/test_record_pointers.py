"""JSON-pointer helpers on plain records: `with_value` copies only the path it changes."""
from __future__ import annotations

import copy

from compliance.record import get_at, with_value

RECORD = {"facts": {"a": 1}, "schools": [{"id": "S1", "sections": {"primary": {"students": 10}}},
                                          {"id": "S2", "sections": {}}]}


def test_with_value_changes_the_copy_only():
    before = copy.deepcopy(RECORD)
    out = with_value(RECORD, "/schools/1/sections/junior/students", 5)
    assert RECORD == before
    assert get_at(out, "/schools/1/sections/junior/students") == 5
    assert out["schools"][0] is RECORD["schools"][0]      # off the path: shared
    assert out["facts"] is RECORD["facts"]
    assert out["schools"][1] is not RECORD["schools"][1]


def test_with_value_replaces_an_existing_leaf():
    out = with_value(RECORD, "/facts/a", 2)
    assert (out["facts"]["a"], RECORD["facts"]["a"]) == (2, 1)
