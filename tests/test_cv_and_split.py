"""The student-weighted 差异系数 and the 一贯制 split, on the published worked examples."""
import csv
import math
from fractions import Fraction
from pathlib import Path


from compliance.dsl.builtins import section_share
from compliance.dsl.builtins import exact_sqrt, weighted_mean_and_cv
from compliance.record import RecordView
from helpers import record, run, school

DATA = Path(__file__).resolve().parent / "data"     # the published examples, copied into the project
WEIGHTS = {"primary": Fraction(1), "junior": Fraction(11, 10), "high": Fraction(33, 25)}


def worked_example():
    """(students, books) of the five primary schools of the published CV example."""
    path = DATA / "cv-worked-example-5-primary-schools-books.csv"
    rows = [r for r in csv.reader(line for line in path.read_text(encoding="utf-8").splitlines()
                                  if not line.startswith("#"))]
    return [(int(r[1]), int(r[2])) for r in rows[1:] if r[0] != "TOTAL"]


def test_weighted_cv_matches_the_published_example():
    rows = [(Fraction(books, students), Fraction(students)) for students, books in worked_example()]
    mean, cv = weighted_mean_and_cv(rows)
    assert mean == Fraction(1913, 302)
    assert round(float(cv), 4) == 0.5153
    # the unweighted population CV would be 0.489: the published 0.52 needs the weights
    xs = [float(x) for x, _ in rows]
    m = sum(xs) / len(xs)
    assert round(math.sqrt(sum((x - m) ** 2 for x in xs) / len(xs)) / m, 3) == 0.489


def test_weighted_cv_through_the_language():
    schools = [school(id=f"s{i}", sections={"primary": {"students": students, "multimedia_classrooms": books}})
               for i, (students, books) in enumerate(worked_example())]
    data = record(schools=schools)
    cv = run("weighted_cv(s.multimedia_classrooms / s.students, s.students for s in sections)", data)
    assert round(float(cv), 4) == 0.5153
    assert run("weighted_cv(s.multimedia_classrooms / s.students, s.students for s in sections) <= 0.50", data) is False


def test_exact_sqrt():
    assert exact_sqrt(Fraction(1, 4)) == Fraction(1, 2)
    assert exact_sqrt(Fraction(0)) == 0
    r = exact_sqrt(Fraction(2))
    assert r * r <= 2 < (r + Fraction(1, 10 ** 40)) ** 2


def test_cv_exactly_at_the_limit_passes():
    # values 1 and 3 with equal weights: mean 2, S = 1, CV = 1/2 exactly
    data = record(schools=[school(id="a", sections={"primary": {"students": 10, "multimedia_classrooms": 10}}),
                           school(id="b", sections={"primary": {"students": 10, "multimedia_classrooms": 30}})])
    cv_expr = "weighted_cv(s.multimedia_classrooms / s.students, s.students for s in sections)"
    assert run(cv_expr, data) == Fraction(1, 2)
    assert run(cv_expr + " <= 0.50", data) is True
    assert run(cv_expr + " < 0.50", data) is False


def test_split_matches_the_published_nine_year_example():
    # 166 primary and 210 junior students share 23226 books: 9711 / 13515 at 1 : 1.1
    data = record(schools=[school(type="nine_year", sections={"primary": {"students": 166}, "junior": {"students": 210}},
                                  shared={"equipment_value_wan_yuan": 23226})])
    view = RecordView(data)
    primary, junior = view.sections
    assert primary.level == "primary" and junior.level == "junior"
    share_p, share_j = section_share(primary, WEIGHTS), section_share(junior, WEIGHTS)
    assert share_p + share_j == 1
    # Exactly: 23226 / (166 + 1.1 × 210) = 58.504 books per weighted student, 9711.68 for the primary
    # section. The source rounds the 58.504 to 58.5 and gives the primary 58.5 × 166 = 9711 whole books
    # and the junior section the remaining 13515; whole books, primary rounded down, give the same.
    assert round(Fraction(23226, 397), 1) == Fraction(117, 2)
    primary_books = math.floor(23226 * share_p)
    assert (primary_books, 23226 - primary_books) == (9711, 13515)
    assert abs(23226 * share_p - 9711) < 1 and abs(23226 * share_j - 13515) < 1
    params = {"w": {"primary": 1, "junior": 1.1, "high": 1.32}}
    got_p = run("split(school.shared.equipment_value_wan_yuan, params.w)", data, "school_section", params, level="primary")
    got_j = run("split(school.shared.equipment_value_wan_yuan, params.w)", data, "school_section", params, level="junior")
    assert got_p == 23226 * 10000 * share_p and got_j == 23226 * 10000 * share_j
    assert got_p + got_j == 23226 * 10000


def test_split_complete_middle_school_uses_1_to_1_2():
    data = record(schools=[school(type="complete_middle", sections={"junior": {"students": 600}},
                                  high_school_students=500, shared={"sports_ground_area_m2": 12000})])
    params = {"w": {"primary": 1, "junior": 1.1, "high": 1.32}}
    got = run("split(school.shared.sports_ground_area_m2, params.w)", data, "school_section", params, level="junior")
    assert got == Fraction(12000) * 600 / (600 + Fraction(6, 5) * 500)


def test_split_needs_high_school_students_of_a_complete_middle_school():
    data = record(schools=[school(type="complete_middle", sections={"junior": {"students": 600}},
                                  shared={"sports_ground_area_m2": 12000})])
    params = {"w": {"primary": 1, "junior": 1.1, "high": 1.32}}
    got = run("split(school.shared.sports_ground_area_m2, params.w)", data, "school_section", params, level="junior")
    assert got.missing == {"/schools/0/high_school_students"}


def test_split_of_a_single_section_school_is_the_whole():
    data = record(schools=[school(sections={"primary": {"students": 300}}, shared={"sports_ground_area_m2": 5000})])
    params = {"w": {"primary": 1, "junior": 1.1, "high": 1.32}}
    assert run("split(school.shared.sports_ground_area_m2, params.w)", data, "school_section", params) == 5000


def test_split_share_on_integers_equals_the_fraction_formula():
    """Whole student counts take the integer path (the weights over their common denominator);
    a count that is not whole takes the Fraction path: both give w·n / Σ w·n exactly."""
    from compliance.dsl.builtins import _weighted_share
    for counts in ([(166, 210, 0)], [(1, 1, 1)], [(0, 7, 0)], [(400, 300, 250)]):
        for p, j, h in counts:
            parts = [(WEIGHTS["primary"], p), (WEIGHTS["junior"], j), (WEIGHTS["high"], h)]
            total = p + Fraction(11, 10) * j + Fraction(33, 25) * h
            for own, (w, n) in enumerate(parts):
                got = _weighted_share(parts, own)
                assert got == w * n / total and got.__class__ is Fraction
    not_whole = [(WEIGHTS["primary"], Fraction(333, 2)), (WEIGHTS["junior"], 210)]
    assert _weighted_share(not_whole, 0) == Fraction(333, 2) / (Fraction(333, 2) + Fraction(11, 10) * 210)
    assert _weighted_share([(WEIGHTS["primary"], 0)], 0).undefined == {("division_by_zero", "split")}
    assert _weighted_share([], None).undefined == {("division_by_zero", "split")}
