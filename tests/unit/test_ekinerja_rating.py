"""The e-Kinerja rules that need no database: the predikat matrix (every cell, and refusal of anything that is
not a rating), the organisation's distribution cap, and the calendar (periods, monthly cut-off)."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from tenant_apps.ekinerja.periods import cutoff_date, is_locked, open_from, period_bounds, period_number
from tenant_apps.ekinerja.rating import (
    DISTRIBUTION_CAPS,
    MATRIX,
    Predikat,
    Rating,
    distribution_excess,
    predikat_for,
)

# DESIGN.md §4, written out independently of the implementation: rows are work results, columns behaviour.
EXPECTED = {
    ("diatas", "dibawah"): "kurang",
    ("diatas", "sesuai"): "baik",
    ("diatas", "diatas"): "sangat_baik",
    ("sesuai", "dibawah"): "kurang",
    ("sesuai", "sesuai"): "baik",
    ("sesuai", "diatas"): "baik",
    ("dibawah", "dibawah"): "sangat_kurang",
    ("dibawah", "sesuai"): "butuh_perbaikan",
    ("dibawah", "diatas"): "butuh_perbaikan",
}


@pytest.mark.parametrize(("results", "behaviour"), list(itertools.product(Rating.values, Rating.values)))
def test_every_cell_of_the_matrix_gives_the_regulation_predikat(results, behaviour):
    assert predikat_for(results=results, behaviour=behaviour) == EXPECTED[(results, behaviour)]


def test_the_matrix_has_exactly_nine_cells_and_uses_every_predikat():
    assert len(MATRIX) == 9 == len(EXPECTED)
    assert set(MATRIX.values()) == set(Predikat.values)


def test_the_predikat_labels_are_the_regulation_names():
    assert [str(label) for label in Predikat.labels] == [
        "Sangat Baik", "Baik", "Butuh Perbaikan", "Kurang/Misconduct", "Sangat Kurang",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("results", "behaviour"),
    [("", "sesuai"), ("sesuai", ""), ("baik", "sesuai"), ("DIATAS", "diatas"), (None, "sesuai"), ("sesuai", 3)],
)
def test_anything_but_a_rating_is_refused_not_defaulted(results, behaviour):
    with pytest.raises(ValueError, match="unknown rating"):
        predikat_for(results=results, behaviour=behaviour)


def test_the_caps_are_the_upper_bounds_of_the_permenpan_rb_6_2022_distribution_guide():
    assert DISTRIBUTION_CAPS == {
        "istimewa": {"sangat_baik": 70},
        "baik": {"baik": 70},
        "butuh_perbaikan": {"sangat_baik": 10},
        "kurang": {"sangat_baik": 10},
        "sangat_kurang": {"sangat_baik": 0},
    }


def test_distribution_excess_names_each_exceeded_predikat_with_count_and_allowed():
    # A "Baik" organisation of 20 people may give Baik to 14 (70 %); Sangat Baik is not capped there.
    counts = {"sangat_baik": 5, "baik": 15}
    assert distribution_excess(org_predikat="baik", counts=counts, total=20) == {"baik": (15, 14)}
    # A "Butuh Perbaikan" organisation of 20 may give Sangat Baik to 2 (10 %).
    assert distribution_excess(org_predikat="butuh_perbaikan", counts=counts, total=20) == {"sangat_baik": (5, 2)}
    assert distribution_excess(org_predikat="istimewa", counts=counts, total=20) == {}
    # A tiny unit may still rate one person where the cap is not zero; totals below the counts use the counts.
    assert distribution_excess(org_predikat="kurang", counts={"sangat_baik": 1}, total=3) == {}
    assert distribution_excess(org_predikat="kurang", counts={"sangat_baik": 2}, total=0) == {"sangat_baik": (2, 1)}
    # A "Sangat Kurang" organisation may give nobody Sangat Baik.
    assert distribution_excess(org_predikat="sangat_kurang", counts={"sangat_baik": 1}, total=30) == {
        "sangat_baik": (1, 0)
    }
    assert distribution_excess(org_predikat="unknown", counts={"sangat_baik": 9}, total=9) == {}


def test_periods_cover_months_quarters_and_the_year():
    assert period_bounds(year=2028, kind="bulanan", number=2) == (date(2028, 2, 1), date(2028, 2, 29))
    assert period_bounds(year=2026, kind="triwulan", number=4) == (date(2026, 10, 1), date(2026, 12, 31))
    assert period_bounds(year=2026, kind="tahunan", number=0) == (date(2026, 1, 1), date(2026, 12, 31))
    for kind, number in (("bulanan", 0), ("bulanan", 13), ("triwulan", 5), ("tahunan", 1), ("harian", 1)):
        with pytest.raises(ValueError, match="no period"):
            period_bounds(year=2026, kind=kind, number=number)
    assert period_number(kind="triwulan", day=date(2026, 7, 1)) == 3
    assert period_number(kind="bulanan", day=date(2026, 7, 1)) == 7


def test_a_month_locks_after_the_cut_off_day_of_the_next_month_including_december():
    assert cutoff_date(day=date(2026, 12, 31), cutoff_day=5) == date(2027, 1, 5)
    assert not is_locked(day=date(2026, 3, 31), cutoff_day=5, today=date(2026, 4, 5))
    assert is_locked(day=date(2026, 3, 31), cutoff_day=5, today=date(2026, 4, 6))
    assert open_from(today=date(2026, 4, 5), cutoff_day=5) == date(2026, 3, 1)
    assert open_from(today=date(2026, 4, 6), cutoff_day=5) == date(2026, 4, 1)
    assert open_from(today=date(2027, 1, 2), cutoff_day=5) == date(2026, 12, 1)
