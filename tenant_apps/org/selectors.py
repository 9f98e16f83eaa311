"""Reads about a region's organisation (current schema).

`position_official` answers the question e-Office asks when a letter is addressed to a position: who acts
for it today? Acting officials come first (a Plh. covers the holder's temporary absence, a Plt. a vacant or
permanently vacated seat, and a Plh. may in turn cover an absent Plt.), then the definitive holder.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.errors import ConflictError, NotFoundError
from tenant_apps.org.importing import ImportPlan, plan_import
from tenant_apps.org.models import ActingAssignment, Employee, ImportBatch, Position, Unit
from tenants.models import Region
from tenants.selectors import platform_today, region_today

_MAX_ID = 2**63 - 1
# An upload waits this long for its confirmation; the preview is planned again on confirmation anyway.
IMPORT_TTL = timedelta(hours=2)
# Search terms longer than this cannot match anything we store; they only cost the database.
_MAX_QUERY = 100


class Basis:
    """Why someone acts for a position."""

    DEFINITIVE = "definitif"
    PLT = ActingAssignment.Kind.PLT.value
    PLH = ActingAssignment.Kind.PLH.value


@dataclass(frozen=True)
class Official:
    position: Position
    employee: Employee
    basis: str  # Basis.*
    assignment: ActingAssignment | None = None

    @property
    def prefix(self) -> str:
        """How the official signs: "Plt." / "Plh." before the position title, nothing for the holder."""
        return "" if self.assignment is None else self.assignment.prefix

    @property
    def is_acting(self) -> bool:
        return self.assignment is not None


def org_today() -> date:
    """Today in the current region's timezone (the platform's outside a region)."""
    region = Region.objects.filter(schema_name=connection.schema_name).only("timezone").first()
    return region_today(region) if region is not None else platform_today()


def _pk(value: int | str) -> int:
    try:
        pk = int(str(value).strip())
    except ValueError:
        return 0
    return pk if 0 < pk <= _MAX_ID else 0


def acting_current(*, on: date, positions: Iterable[int] | None = None) -> QuerySet[ActingAssignment]:
    """Acting assignments in force on `on` (start ≤ on ≤ end, or no end), optionally for some positions."""
    qs = ActingAssignment.objects.filter(Q(end__isnull=True) | Q(end__gte=on), start__lte=on, employee__active=True)
    if positions is not None:
        qs = qs.filter(position_id__in=list(positions))
    return qs.select_related("employee", "position")


def positions_officials(*, positions: Iterable[Position], on: date | None = None) -> dict[int, Official | None]:
    """Who acts for each position on `on` (default: today in the region). Two queries for any number of
    positions. For a functional position with several holders, the holder with the lowest NIP is given;
    use `position_holders` to list them all."""
    day = on or org_today()
    by_id = {p.pk: p for p in positions}
    result: dict[int, Official | None] = dict.fromkeys(by_id)
    holders: dict[int, Employee] = {}
    for employee in Employee.objects.filter(position_id__in=list(by_id), active=True).order_by("nip"):
        holders.setdefault(employee.position_id, employee)  # type: ignore[arg-type]
    acting: dict[int, dict[str, ActingAssignment]] = {}
    for assignment in acting_current(on=day, positions=by_id).order_by("start", "id"):
        acting.setdefault(assignment.position_id, {})[assignment.kind] = assignment
    for pk, position in by_id.items():
        current = acting.get(pk, {})
        for kind in (Basis.PLH, Basis.PLT):
            if kind in current:
                result[pk] = Official(position, current[kind].employee, kind, current[kind])
                break
        else:
            if pk in holders:
                result[pk] = Official(position, holders[pk], Basis.DEFINITIVE)
    return result


def position_official(*, position: Position, on: date | None = None) -> Official | None:
    """Who acts for `position` on `on` (default: today in the region): an active Plh., else an active Plt.,
    else the definitive holder; None while the seat is vacant and nobody acts for it."""
    return positions_officials(positions=[position], on=on)[position.pk]


def positions_held(*, employee: Employee, on: date | None = None) -> list[Official]:
    """Every position `employee` acts for on `on`: their own (unless someone else is Plh./Plt. there) and
    the positions they are Plt./Plh. of. e-Office uses it to fill a person's inbox."""
    if not employee.active:
        return []
    day = on or org_today()
    candidates: dict[int, Position] = {}
    if employee.position_id is not None:
        candidates[employee.position_id] = employee.position  # type: ignore[assignment]
    for assignment in acting_current(on=day).filter(employee=employee):
        candidates[assignment.position_id] = assignment.position
    officials = positions_officials(positions=candidates.values(), on=day)
    held: list[Official] = []
    for pk, position in candidates.items():
        official = officials[pk]
        if official is not None and official.employee.pk == employee.pk:
            held.append(official)
        elif pk == employee.position_id and (official is None or not official.is_acting):
            # A functional position's other holders do not displace this one; only an acting official does.
            held.append(Official(position, employee, Basis.DEFINITIVE))
    return held


def position_holders(*, position: Position) -> QuerySet[Employee]:
    return Employee.objects.filter(position=position, active=True).order_by("nip")


@dataclass
class TreeNode:
    unit: Unit
    children: list[TreeNode] = field(default_factory=list)
    positions: list[tuple[Position, Official | None, int]] = field(default_factory=list)  # (position, official, n)


def org_tree(*, on: date | None = None, root_code: str | None = None) -> list[TreeNode]:
    """The unit tree with each unit's positions, who acts for each today, and how many hold it. A bounded
    number of queries whatever the size of the region."""
    day = on or org_today()
    units = list(Unit.objects.order_by("code"))
    positions = list(
        Position.objects.annotate(holders=Count("employees", filter=Q(employees__active=True))).order_by("code")
    )
    officials = positions_officials(positions=positions, on=day)
    nodes = {unit.pk: TreeNode(unit) for unit in units}
    for position in positions:
        nodes[position.unit_id].positions.append((position, officials[position.pk], position.holders))  # type: ignore[attr-defined]
    roots: list[TreeNode] = []
    for unit in units:
        if unit.parent_id is None:
            roots.append(nodes[unit.pk])
        else:
            nodes[unit.parent_id].children.append(nodes[unit.pk])
    if root_code:
        return [node for node in roots if node.unit.code.upper() == root_code.upper()]
    return roots


def _search(qs: QuerySet, q: str, fields: list[str]) -> QuerySet:
    q = (q or "").strip()[:_MAX_QUERY]
    if not q:
        return qs
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__icontains": q})
    return qs.filter(condition)


def unit_list(*, q: str = "") -> QuerySet[Unit]:
    qs = Unit.objects.select_related("parent").annotate(n_positions=Count("positions")).order_by("code")
    return _search(qs, q, ["code", "name"])


def position_list(*, q: str = "", unit: Unit | None = None) -> QuerySet[Position]:
    qs = Position.objects.select_related("unit", "superior").order_by("code")
    if unit is not None:
        qs = qs.filter(unit=unit)
    return _search(qs, q, ["code", "title", "unit__name", "unit__code"])


def employee_list(*, q: str = "", active: bool | None = None) -> QuerySet[Employee]:
    qs = Employee.objects.select_related("position", "position__unit", "account").order_by("name", "nip")
    if active is not None:
        qs = qs.filter(active=active)
    return _search(qs, q, ["nip", "name", "email", "position__title"])


def acting_list(*, position: Position | None = None) -> QuerySet[ActingAssignment]:
    qs = ActingAssignment.objects.select_related("employee", "position", "position__unit")
    if position is not None:
        qs = qs.filter(position=position)
    return qs.order_by("-start", "-id")


def unit_get(*, unit_id: int | str) -> Unit:
    unit = Unit.objects.select_related("parent").filter(pk=_pk(unit_id)).first()
    if unit is None:
        raise NotFoundError("unit_not_found", _("Unit kerja tidak ditemukan."))
    return unit


def position_get(*, position_id: int | str) -> Position:
    position = Position.objects.select_related("unit", "superior").filter(pk=_pk(position_id)).first()
    if position is None:
        raise NotFoundError("position_not_found", _("Jabatan tidak ditemukan."))
    return position


def employee_get(*, employee_id: int | str) -> Employee:
    employee = (
        Employee.objects.select_related("position", "position__unit", "account").filter(pk=_pk(employee_id)).first()
    )
    if employee is None:
        raise NotFoundError("employee_not_found", _("Pegawai tidak ditemukan."))
    return employee


def acting_get(*, assignment_id: int | str) -> ActingAssignment:
    assignment = ActingAssignment.objects.select_related("employee", "position").filter(pk=_pk(assignment_id)).first()
    if assignment is None:
        raise NotFoundError("acting_not_found", _("Penugasan Plt./Plh. tidak ditemukan."))
    return assignment


def import_batch_for(*, token: str, user_id: int) -> ImportBatch:
    """The upload `token` names, if it was made by this account; else NotFoundError (another admin's token,
    a guessed one or one from another region all look the same)."""
    batch = None
    if token and len(token) <= 64:
        batch = ImportBatch.objects.filter(token=token, uploaded_by_id=user_id).first()
    if batch is None:
        raise NotFoundError("import_not_found", _("Unggahan tidak ditemukan atau sudah kedaluwarsa."))
    return batch


def import_batch_check(*, batch: ImportBatch) -> None:
    """Raise unless the upload can still be previewed and applied (not applied yet, not expired)."""
    if batch.applied_at is not None:
        raise ConflictError("import_already_applied", _("Unggahan ini sudah diterapkan."))
    if batch.created_at < timezone.now() - IMPORT_TTL:
        raise NotFoundError("import_not_found", _("Unggahan tidak ditemukan atau sudah kedaluwarsa."))


def import_batch_preview(*, batch: ImportBatch) -> ImportPlan:
    """What applying the upload would do against the region's data as it is now (the preview page)."""
    import_batch_check(batch=batch)
    return plan_import(
        kind=batch.kind,
        text=batch.content,
        encoding=batch.summary.get("encoding", "utf-8"),
        actor_user_id=batch.uploaded_by_id,
    )


def import_batch_recent(*, limit: int = 10) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(applied_at__isnull=False).select_related("uploaded_by")[:limit]
