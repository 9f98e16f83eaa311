"""The rating rules of PermenPAN-RB 6/2022, as pure functions (no database): the predikat matrix that
combines the rating of work results with the rating of work behaviour, and the cap the organisation's own
predikat puts on how its employees' predikat may be distributed."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models
from django.utils.translation import gettext_lazy as _


class Rating(models.TextChoices):
    """How work results, or work behaviour, compare with the expectation."""

    BELOW = "dibawah", _("Di bawah ekspektasi")
    MEETS = "sesuai", _("Sesuai ekspektasi")
    ABOVE = "diatas", _("Di atas ekspektasi")


class Predikat(models.TextChoices):
    VERY_GOOD = "sangat_baik", _("Sangat Baik")
    GOOD = "baik", _("Baik")
    NEEDS_IMPROVEMENT = "butuh_perbaikan", _("Butuh Perbaikan")
    POOR = "kurang", _("Kurang/Misconduct")
    VERY_POOR = "sangat_kurang", _("Sangat Kurang")


class OrgPredikat(models.TextChoices):
    """The organisation's (OPD's) own performance predikat for the year."""

    OUTSTANDING = "istimewa", _("Istimewa")
    GOOD = "baik", _("Baik")
    NEEDS_IMPROVEMENT = "butuh_perbaikan", _("Butuh Perbaikan")
    POOR = "kurang", _("Kurang")
    VERY_POOR = "sangat_kurang", _("Sangat Kurang")


# (results, behaviour) -> predikat; DESIGN.md §4, rows are results, columns behaviour.
MATRIX: dict[tuple[str, str], str] = {
    (Rating.ABOVE, Rating.BELOW): Predikat.POOR,
    (Rating.ABOVE, Rating.MEETS): Predikat.GOOD,
    (Rating.ABOVE, Rating.ABOVE): Predikat.VERY_GOOD,
    (Rating.MEETS, Rating.BELOW): Predikat.POOR,
    (Rating.MEETS, Rating.MEETS): Predikat.GOOD,
    (Rating.MEETS, Rating.ABOVE): Predikat.GOOD,
    (Rating.BELOW, Rating.BELOW): Predikat.VERY_POOR,
    (Rating.BELOW, Rating.MEETS): Predikat.NEEDS_IMPROVEMENT,
    (Rating.BELOW, Rating.ABOVE): Predikat.NEEDS_IMPROVEMENT,
}


def predikat_for(*, results: str, behaviour: str) -> Predikat:
    """The employee's predikat; ValueError for anything that is not a Rating (never a silent default)."""
    try:
        return Predikat(MATRIX[(Rating(results), Rating(behaviour))])
    except ValueError:
        raise ValueError(f"unknown rating: results={results!r}, behaviour={behaviour!r}") from None


# The largest share (percent) of an organisation's appraised employees that may receive a predikat, by the
# organisation's own predikat: the upper bounds of the distribution guide of PermenPAN-RB 6/2022 (lampiran,
# "pola distribusi predikat kinerja pegawai"). Istimewa: at most 70 % Sangat Baik. Baik: at most 70 % Baik.
# Butuh Perbaikan and Kurang: at most 10 % Sangat Baik. Sangat Kurang: no Sangat Baik at all. The guide's
# lower bounds (e.g. at least 60 % Butuh Perbaikan in a Butuh Perbaikan organisation) are not checked here:
# the appraiser is warned about what they give, not about what others have not yet been given.
DISTRIBUTION_CAPS: dict[str, dict[str, int]] = {
    OrgPredikat.OUTSTANDING: {Predikat.VERY_GOOD: 70},
    OrgPredikat.GOOD: {Predikat.GOOD: 70},
    OrgPredikat.NEEDS_IMPROVEMENT: {Predikat.VERY_GOOD: 10},
    OrgPredikat.POOR: {Predikat.VERY_GOOD: 10},
    OrgPredikat.VERY_POOR: {Predikat.VERY_GOOD: 0},
}


def distribution_excess(*, org_predikat: str, counts: Mapping[str, int], total: int) -> dict[str, tuple[int, int]]:
    """Which predikat exceed the cap: {predikat: (count, allowed)}. `counts` are the appraisals of the
    organisation by predikat; `total` the number of its employees being appraised (at least the sum of the
    counts). The allowed number rounds down but is at least one where the cap is not zero, so a tiny unit
    can still rate one person."""
    caps = DISTRIBUTION_CAPS.get(org_predikat, {})
    total = max(total, sum(counts.values()))
    excess: dict[str, tuple[int, int]] = {}
    for predikat, percent in caps.items():
        allowed = max(1, total * percent // 100) if percent else 0
        if counts.get(predikat, 0) > allowed:
            excess[predikat] = (counts[predikat], allowed)
    return excess
