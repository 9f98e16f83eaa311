"""e-Kinerja reads (region schema) and the authority rules they rest on.

The appraiser of an employee is whoever acts today for the superior position of the employee's position
(definitive holder, Plt. or Plh.); nobody appraises themselves. An SKP is visible to its employee, to its
current appraiser, to whoever acts for the appraiser's superior position, and to the region admin
(EKINERJA_MANAGE); anything else answers "not found", the same as an id that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from mitra.errors import NotFoundError
from tenant_apps.ekinerja.models import (
    ActivityEntry,
    Appraisal,
    AppraisalPeriod,
    CatalogueActivity,
    EkinerjaSettings,
    Evidence,
    Rhk,
    Skp,
    UnitPerformance,
)
from tenant_apps.ekinerja.periods import is_locked, open_from
from tenant_apps.ekinerja.rating import Predikat, distribution_excess
from tenant_apps.org.models import Employee, Position, Unit
from tenant_apps.org.permissions import Action, can
from tenant_apps.org.selectors import Official, org_today, position_official, positions_held

_MAX_ID = 2**63 - 1
User = AbstractBaseUser | AnonymousUser


def pk_of(value: int | str) -> int:
    try:
        pk = int(str(value).strip())
    except ValueError:
        return 0
    return pk if 0 < pk <= _MAX_ID else 0


def settings_get() -> EkinerjaSettings:
    return EkinerjaSettings.objects.get_or_create(pk=1)[0]


def employee_of(*, user: User) -> Employee | None:
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_ekinerja_employee", False)
    if cached is False:
        cached = Employee.objects.select_related("position").filter(account_id=user.pk, active=True).first()
        user._ekinerja_employee = cached  # type: ignore[union-attr]
    return cached


def held(*, user: User) -> list[Official]:
    """The positions the user acts for today (own seat and Plt./Plh. assignments)."""
    cached = getattr(user, "_ekinerja_held", None)
    if cached is None:
        employee = employee_of(user=user)
        cached = positions_held(employee=employee) if employee is not None else []
        if user.is_authenticated:
            user._ekinerja_held = cached  # type: ignore[union-attr]  # one request, one answer
    return cached


def appraiser_official(*, user: User, employee: Employee) -> Official | None:
    """How `user` acts as `employee`'s appraiser today, or None: they must act for the superior position of
    the employee's position, and not be the employee."""
    me = employee_of(user=user)
    if me is None or me.pk == employee.pk or employee.position_id is None:
        return None
    superior = Position.objects.filter(pk=employee.position_id).values_list("superior_id", flat=True).first()
    return next((o for o in held(user=user) if o.position.pk == superior), None) if superior else None


def appraiser_of(*, employee: Employee, on: date | None = None) -> Official | None:
    """Who appraises `employee` today (None when their position has no superior or it is vacant)."""
    if employee.position is None or employee.position.superior_id is None:
        return None
    return position_official(position=employee.position.superior, on=on)  # type: ignore[arg-type]


def subordinates(*, user: User) -> QuerySet[Employee]:
    """Active employees whose position's superior is a position the user acts for today (never the user)."""
    positions = [o.position.pk for o in held(user=user)]
    me = employee_of(user=user)
    return (
        Employee.objects.filter(position__superior_id__in=positions, active=True)
        .exclude(pk=me.pk if me else None)
        .select_related("position", "position__unit")
        .order_by("name", "nip")
    )


# --- SKP -----------------------------------------------------------------------------------------------------


def _skp_detail(qs: QuerySet[Skp]) -> QuerySet[Skp]:
    return qs.select_related(
        "employee", "position", "position__unit", "appraiser_position", "appraiser_superior_position"
    ).prefetch_related(
        Prefetch("rhks", queryset=Rhk.objects.select_related("parent").prefetch_related("indicators")),
        "behaviours",
    )


def skp_visible(*, user: User, skp: Skp) -> bool:
    if not user.is_authenticated:
        return False
    me = employee_of(user=user)
    if me is not None and skp.employee_id == me.pk:
        return True
    if can(user, Action.EKINERJA_MANAGE):
        return True
    if appraiser_official(user=user, employee=skp.employee) is not None:
        return True
    # The appraiser's superior (atasan pejabat penilai) sees it too.
    position = skp.employee.position
    superior = position.superior if position is not None else None
    if superior is not None and superior.superior_id is not None:
        return superior.superior_id in {o.position.pk for o in held(user=user)}
    return False


def skp_get_for(*, user: User, skp_id: int | str) -> Skp:
    skp = _skp_detail(Skp.objects.filter(pk=pk_of(skp_id))).first()
    if skp is None or not skp_visible(user=user, skp=skp):
        raise NotFoundError("skp_not_found", _("SKP tidak ditemukan."))
    return skp


def skp_own(*, user: User, year: int) -> Skp | None:
    me = employee_of(user=user)
    if me is None:
        return None
    return _skp_detail(Skp.objects.filter(employee=me, year=year)).first()


def skp_list_for(*, user: User, year: int) -> QuerySet[Skp]:
    """The user's own SKP and their subordinates' SKP of `year`."""
    me = employee_of(user=user)
    ids = list(subordinates(user=user).values_list("pk", flat=True))
    if me is not None:
        ids.append(me.pk)
    return (
        Skp.objects.filter(year=year, employee_id__in=ids)
        .select_related("employee", "position", "position__unit")
        .annotate(n_rhk=Count("rhks"))
        .order_by("employee__name", "pk")
    )


def skp_actions(*, user: User, skp: Skp) -> set[str]:
    """What the viewer may do with the SKP now (the page shows these buttons; services check again)."""
    actions: set[str] = set()
    me = employee_of(user=user)
    if me is not None and skp.employee_id == me.pk and skp.editable:
        actions |= {"edit", "submit"}
    if appraiser_official(user=user, employee=skp.employee) is not None:
        if skp.status == Skp.Status.SUBMITTED:
            actions |= {"approve", "return"}
        if skp.status != Skp.Status.APPROVED:
            actions.add("behaviour")
        if skp.status == Skp.Status.APPROVED:
            actions.add("appraise")
    return actions


def superior_rhks(*, skp: Skp) -> QuerySet[Rhk]:
    """RHK the SKP may cascade from: those of the SKP of whoever holds the superior position in the same
    year (the appraiser position recorded on the SKP, else the employee's current superior position)."""
    superior_id = skp.appraiser_position_id
    if superior_id is None:
        return Rhk.objects.none()
    return Rhk.objects.filter(skp__year=skp.year, skp__position_id=superior_id).select_related("skp__employee")


@dataclass
class CascadeNode:
    rhk: Rhk
    children: list[CascadeNode] = field(default_factory=list)


@dataclass
class Cascade:
    skp: Skp | None
    roots: list[CascadeNode]
    without_skp: list[Employee]
    not_cascaded: list[Employee]  # subordinates with an SKP none of whose RHK cascades from the leader's


def cascade_for(*, user: User, year: int, max_depth: int = 6) -> Cascade:
    """The leader's RHK of `year`, each with the subordinates' RHK that intervene it, down the hierarchy (one
    query per level), and which direct subordinates have no SKP yet."""
    skp = skp_own(user=user, year=year)
    team = list(subordinates(user=user))
    with_skp = set(Skp.objects.filter(year=year, employee__in=team).values_list("employee_id", flat=True))
    roots: list[CascadeNode] = []
    cascaded: set[int] = set()
    if skp is not None:
        nodes = {rhk.pk: CascadeNode(rhk) for rhk in skp.rhks.all()}
        roots = list(nodes.values())
        level = list(nodes)
        for _depth in range(max_depth):
            if not level:
                break
            children = list(
                Rhk.objects.filter(parent_id__in=level, skp__year=year)
                .select_related("skp", "skp__employee", "skp__position")
                .order_by("skp__employee__name", "-kind", "order", "pk")
            )
            for child in children:
                node = CascadeNode(child)
                nodes[child.parent_id].children.append(node)  # type: ignore[index]
                nodes[child.pk] = node
                if child.parent_id in {r.rhk.pk for r in roots}:
                    cascaded.add(child.skp.employee_id)
            level = [child.pk for child in children]
    return Cascade(
        skp=skp,
        roots=roots,
        without_skp=[e for e in team if e.pk not in with_skp],
        not_cascaded=[e for e in team if e.pk in with_skp and e.pk not in cascaded],
    )


# --- activity log ------------------------------------------------------------------------------------------


def catalogue_active() -> QuerySet[CatalogueActivity]:
    return CatalogueActivity.objects.filter(active=True).order_by("name")


def _entries(qs: QuerySet[ActivityEntry]) -> QuerySet[ActivityEntry]:
    return qs.select_related("rhk", "catalogue").prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.order_by("id"))
    )


def entry_list_own(*, user: User, start: date, end: date) -> QuerySet[ActivityEntry]:
    me = employee_of(user=user)
    if me is None:
        return ActivityEntry.objects.none()
    return _entries(ActivityEntry.objects.filter(employee=me, day__gte=start, day__lte=end)).order_by("-day", "-id")


def entry_get_for(*, user: User, entry_id: int | str) -> ActivityEntry:
    """An entry its employee or their appraiser may open; else NotFoundError."""
    entry = _entries(ActivityEntry.objects.select_related("employee").filter(pk=pk_of(entry_id))).first()
    me = employee_of(user=user)
    if entry is None or me is None:
        raise NotFoundError("entry_not_found", _("Aktivitas tidak ditemukan."))
    if entry.employee_id != me.pk and appraiser_official(user=user, employee=entry.employee) is None:
        raise NotFoundError("entry_not_found", _("Aktivitas tidak ditemukan."))
    return entry


def entry_locked(*, entry: ActivityEntry, today: date | None = None) -> bool:
    return is_locked(day=entry.day, cutoff_day=settings_get().cutoff_day, today=today or org_today())


def validation_queue(*, user: User, employee_id: int | None = None) -> QuerySet[ActivityEntry]:
    """Entries waiting for the user's validation: submitted by employees they appraise, in months not locked
    yet, oldest first. Bounded queries whatever the queue's length (paginate the result)."""
    positions = [o.position.pk for o in held(user=user)]
    me = employee_of(user=user)
    if not positions or me is None:
        return ActivityEntry.objects.none()
    today = org_today()
    qs = ActivityEntry.objects.filter(
        status=ActivityEntry.Status.SUBMITTED,
        employee__position__superior_id__in=positions,
        employee__active=True,
        day__gte=open_from(today=today, cutoff_day=settings_get().cutoff_day),
    ).exclude(employee_id=me.pk)
    if employee_id:
        qs = qs.filter(employee_id=employee_id)
    return _entries(qs.select_related("employee", "employee__position")).order_by("day", "employee__name", "id")


# --- appraisal ---------------------------------------------------------------------------------------------


def period_get(*, year: int, kind: str, number: int) -> AppraisalPeriod | None:
    return AppraisalPeriod.objects.filter(year=year, kind=kind, number=number).first()


def appraisal_get_for(*, user: User, appraisal_id: int | str) -> Appraisal:
    appraisal = (
        Appraisal.objects.select_related("skp", "skp__employee", "skp__employee__position", "period")
        .prefetch_related("realisations")
        .filter(pk=pk_of(appraisal_id))
        .first()
    )
    if appraisal is None or not skp_visible(user=user, skp=appraisal.skp):
        raise NotFoundError("appraisal_not_found", _("Penilaian tidak ditemukan."))
    return appraisal


def appraisals_of(*, skp: Skp) -> QuerySet[Appraisal]:
    return Appraisal.objects.filter(skp=skp).select_related("period").order_by("period__kind", "period__number")


def opd_of(unit: Unit) -> Unit:
    while unit.parent_id is not None:
        unit = unit.parent  # type: ignore[assignment]
    return unit


def _units_under(opd: Unit) -> list[int]:
    return list(
        Unit.objects.filter(Q(pk=opd.pk) | Q(parent_id=opd.pk) | Q(parent__parent_id=opd.pk)).values_list(
            "pk", flat=True
        )
    )


@dataclass(frozen=True)
class DistributionWarning:
    opd: Unit
    org_predikat: str
    excess: dict[str, tuple[int, int]]  # predikat -> (count, allowed)

    @property
    def messages(self) -> list[str]:
        labels = dict(Predikat.choices)
        return [
            _(
                "Predikat %(p)s sudah diberikan kepada %(n)d pegawai %(opd)s, melebihi batas %(max)d menurut "
                "predikat kinerja organisasi."
            )
            % {"p": labels[p], "n": n, "opd": self.opd.name, "max": allowed}
            for p, (n, allowed) in self.excess.items()
        ]


def distribution_warning(*, skp: Skp, period: AppraisalPeriod) -> DistributionWarning | None:
    """Whether the completed appraisals of the SKP's OPD for `period` exceed what the OPD's own predikat of
    the year allows (None when the OPD has no predikat recorded, or nothing is exceeded)."""
    if skp.position is None:
        return None
    opd = opd_of(Unit.objects.select_related("parent", "parent__parent").get(pk=skp.position.unit_id))
    performance = UnitPerformance.objects.filter(unit=opd, year=period.year).first()
    if performance is None:
        return None
    units = _units_under(opd)
    counts = dict(
        Appraisal.objects.filter(
            period=period, status=Appraisal.Status.COMPLETED, skp__employee__position__unit_id__in=units
        )
        .values_list("predikat")
        .annotate(n=Count("pk"))
        .values_list("predikat", "n")
    )
    total = Employee.objects.filter(active=True, position__unit_id__in=units).count()
    excess = distribution_excess(org_predikat=performance.predikat, counts=counts, total=total)
    return DistributionWarning(opd, performance.predikat, excess) if excess else None


def entry_stats(*, employee: Employee, start: date, end: date) -> dict[str, int]:
    """An employee's entries in a period by status, and validated minutes (what the appraiser weighs)."""
    qs = ActivityEntry.objects.filter(employee=employee, day__gte=start, day__lte=end)
    stats = dict.fromkeys(ActivityEntry.Status.values, 0)
    stats.update(dict(qs.values_list("status").annotate(n=Count("pk")).values_list("status", "n")))
    stats["minutes_validated"] = (
        qs.filter(status=ActivityEntry.Status.VALIDATED).aggregate(total=Sum("minutes"))["total"] or 0
    )
    return stats
