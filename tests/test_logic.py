"""Kleene's three-valued logic, in the library and through compiled expressions."""
import itertools

import pytest

from compliance.logic import (FAIL, NOT_APPLICABLE, PASS, UNKNOWN, Unknown, k_and, k_not, k_or, missing,
                              status_of, undefined)
from helpers import record, run

U = missing("/facts/x")
VALUES = [True, False, U]

AND = {(True, True): True, (True, False): False, (True, U): U,
       (False, True): False, (False, False): False, (False, U): False,
       (U, True): U, (U, False): False, (U, U): U}
OR = {(True, True): True, (True, False): True, (True, U): True,
      (False, True): True, (False, False): False, (False, U): U,
      (U, True): True, (U, False): U, (U, U): U}


@pytest.mark.parametrize("a,b", list(itertools.product(VALUES, VALUES)))
def test_truth_tables(a, b):
    assert _same(k_and(a, b), AND[(a, b)])
    assert _same(k_or(a, b), OR[(a, b)])


def test_not():
    assert k_not(True) is False and k_not(False) is True
    assert k_not(U) == U


def _same(x, y):
    if isinstance(y, Unknown):
        return isinstance(x, Unknown)
    return x is y


def test_unknown_has_no_python_truth_value():
    with pytest.raises(TypeError):
        bool(U)


def test_unknowns_merge_their_missing_fields():
    a, b = missing("/facts/a"), missing("/facts/b")
    merged = k_and(a, b)
    assert merged.missing == {"/facts/a", "/facts/b"}


def test_status_of():
    assert status_of(True) == PASS and status_of(False) == FAIL
    assert status_of(U) == UNKNOWN
    assert status_of(undefined("division_by_zero", "x")) == NOT_APPLICABLE
    assert status_of(missing("/a") | undefined("division_by_zero", "x")) == UNKNOWN


# The same tables through the compiled language, with a missing fact as `unknown`.
TRUTH = {"T": "true", "F": "false", "U": "facts.veto.fraud"}


@pytest.mark.parametrize("a,b", list(itertools.product("TFU", "TFU")))
def test_compiled_and_or_follow_kleene(a, b):
    data = record(facts={})
    expect_and = AND[(_v(a), _v(b))]
    expect_or = OR[(_v(a), _v(b))]
    got_and = run(f"{TRUTH[a]} and {TRUTH[b]}", data)
    got_or = run(f"{TRUTH[a]} 或 {TRUTH[b]}", data)
    assert _same(got_and, expect_and) and _same(got_or, expect_or)
    if isinstance(got_and, Unknown):
        assert got_and.missing == {"/facts/veto/fraud"}


def _v(c):
    return {"T": True, "F": False, "U": U}[c]


def test_compiled_not_and_short_circuit_names_only_what_matters():
    data = record(facts={})
    assert isinstance(run("not facts.veto.fraud", data), Unknown)
    # false and <missing> is false: the missing field does not matter
    assert run("false and facts.junior_retention_rate >= 0.95", data) is False
    got = run("facts.junior_retention_rate >= 0.95 and facts.disabled_enrollment_rate >= 0.95", data)
    assert got.missing == {"/facts/junior_retention_rate", "/facts/disabled_enrollment_rate"}
