"""Writes to a region's accounts and organisation (units, positions, employees, acting officials, CSV
imports). Every write is audited in the region's own chain."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AbstractUser, Group
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.errors import ConflictError, DomainError
from shared_apps.audit.services import audit_record
from shared_apps.licensing.selectors import seats_check
from tenant_apps.org.importing import SPECS, ImportPlan, PlannedRow, decode_upload, plan_import
from tenant_apps.org.models import ActingAssignment, Employee, ImportBatch, Position, Unit
from tenant_apps.org.roles import Role
from tenant_apps.org.selectors import IMPORT_TTL, import_batch_check


@transaction.atomic
def roles_ensure() -> None:
    for role in Role:
        Group.objects.get_or_create(name=role.value)


@transaction.atomic
def account_upsert(
    *, username: str, password: str, full_name: str, roles: list[Role], actor: str, email: str = ""
) -> AbstractUser:
    """Create or update a staff account in the current region's schema (idempotent: demo and imports).

    Creating a new account takes a seat of the region's licence: raises DomainError `seat_limit_exceeded`
    (or `no_active_licence`) and creates nothing when the licence has no room; updates never count.
    """
    roles_ensure()
    user_model = get_user_model()
    if not user_model.objects.filter(username=username).exists():
        seats_check(schema_name=connection.schema_name)
    first, _, last = full_name.partition(" ")
    user, created = user_model.objects.get_or_create(
        username=username, defaults={"first_name": first, "last_name": last, "email": email}
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
    if created:
        audit_record(
            actor=actor,
            action="account.create",
            target_type="account",
            target_id=user.pk,
            after={"username": username, "roles": sorted(r.value for r in roles)},
        )
    return user


# --- Organisation ------------------------------------------------------------------------------------------

# Serialises imports within one region: two admins confirming at once must not both create the same code.
_IMPORT_LOCK = 0x4F524749  # "ORGI"


class ImportInvalidError(DomainError):
    """The upload has row errors (now, or since the preview): nothing was written. Carries the new plan."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__("import_invalid", _("Berkas berisi kesalahan; tidak ada data yang disimpan."), status=400)
        self.plan = plan


class ImportChangedError(ConflictError):
    """The region's data changed between the preview and the confirmation: the new plan must be looked at."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__(
            "import_changed",
            _("Data wilayah berubah sejak pratinjau dibuat. Periksa pratinjau terbaru, lalu konfirmasi lagi."),
        )
        self.plan = plan


def _import_lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(current_schema()))", [_IMPORT_LOCK])


@transaction.atomic
def import_batch_create(*, kind: str, filename: str, data: bytes, user: AbstractBaseUser) -> ImportBatch:
    """Keep an uploaded CSV server-side for its preview; returns the batch (its token goes into the session).

    Raises ImportFileError (nothing stored) for a file that cannot be read at all. Row errors do not prevent
    storing: the preview lists them. Old unconfirmed uploads are removed on the way.
    """
    if kind not in SPECS:
        raise DomainError("import_kind_unknown", _("Jenis impor tidak dikenal."))
    text, encoding = decode_upload(data)
    plan = plan_import(kind=kind, text=text, encoding=encoding, actor_user_id=user.pk)
    ImportBatch.objects.filter(applied_at__isnull=True, created_at__lt=timezone.now() - IMPORT_TTL).delete()
    return ImportBatch.objects.create(
        token=secrets.token_urlsafe(32),
        kind=kind,
        filename=(filename or "")[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        content=text,
        plan_digest=plan.digest(),
        uploaded_by=user,
        summary={"encoding": encoding},
    )


@transaction.atomic
def import_batch_apply(*, batch: ImportBatch, expected_digest: str, actor: str) -> ImportPlan:
    """Apply a previewed upload in one transaction: every row or none.

    The file is planned again inside the transaction (imports of the region serialised, the batch row and
    the licence row locked): ImportInvalidError if any row is invalid or the seat limit is exceeded,
    ImportChangedError if the plan differs from the previewed one (`expected_digest`). One audit record per
    created or updated row, one for the import; unchanged rows are not touched. New accounts get an unusable
    password: the admin hands out an activation link.
    """
    _import_lock()
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    import_batch_check(batch=batch)
    plan = plan_import(
        kind=batch.kind,
        text=batch.content,
        encoding=batch.summary.get("encoding", "utf-8"),
        actor_user_id=batch.uploaded_by_id,
    )
    if not plan.is_valid:
        raise ImportInvalidError(plan)
    if plan.digest() != expected_digest:
        raise ImportChangedError(plan)
    apply = {ImportBatch.Kind.UNITS: _apply_units, ImportBatch.Kind.POSITIONS: _apply_positions}
    apply.get(ImportBatch.Kind(batch.kind), _apply_employees)(plan, actor, batch.pk)
    counts = plan.counts
    batch.applied_at = timezone.now()
    batch.content = ""  # personal data need not outlive the import
    batch.summary = {**batch.summary, "counts": counts, "rows": len(plan.rows)}
    batch.save(update_fields=["applied_at", "content", "summary"])
    audit_record(
        actor=actor,
        action="org.import",
        target_type="import",
        target_id=batch.pk,
        after={"kind": batch.kind, "file": batch.filename, "sha256": batch.sha256, "counts": counts},
    )
    return plan


def _audit_row(actor: str, entity: str, obj_id: int, row: PlannedRow, batch_id: int) -> None:
    if row.action == "create":
        after = {k: v for k, v in row.values.items() if not k.startswith("_")}
        audit_record(
            actor=actor,
            action=f"{entity}.create",
            target_type=entity,
            target_id=obj_id,
            after={**after, "import": batch_id},
        )
    else:
        audit_record(
            actor=actor,
            action=f"{entity}.update",
            target_type=entity,
            target_id=obj_id,
            before={k: old for k, (old, _new) in row.changes.items()},
            after={**{k: new for k, (_old, new) in row.changes.items()}, "import": batch_id},
        )


def _apply_units(plan: ImportPlan, actor: str, batch_id: int) -> None:
    units = {u.code.upper(): u for u in Unit.objects.all()}
    # Parents first: a parent is always of a higher level than its child.
    for row in sorted(plan.rows, key=lambda r: Unit.LEVEL[Unit.Kind(r.values["kind"])]):
        if row.action == "unchanged":
            continue
        v = row.values
        parent = units[v["parent"].upper()] if v["parent"] else None
        unit = units.get(row.key) or Unit(code=v["code"])
        unit.code, unit.name, unit.kind, unit.parent = v["code"], v["name"], v["kind"], parent
        unit.save()
        units[row.key] = unit
        _audit_row(actor, "unit", unit.pk, row, batch_id)


def _apply_positions(plan: ImportPlan, actor: str, batch_id: int) -> None:
    units = {u.code.upper(): u for u in Unit.objects.all()}
    positions = {p.code.upper(): p for p in Position.objects.all()}
    changed = [row for row in plan.rows if row.action != "unchanged"]
    # Superiors may be further down the file: create everything first, then link superiors.
    for row in changed:
        v = row.values
        position = positions.get(row.key) or Position(code=v["code"])
        position.code, position.title, position.kind = v["code"], v["title"], v["kind"]
        position.unit = units[v["unit"].upper()]
        position.save()
        positions[row.key] = position
    for row in changed:
        position = positions[row.key]
        superior = positions[row.values["superior"].upper()] if row.values["superior"] else None
        if position.superior_id != (superior.pk if superior else None):
            position.superior = superior
            position.save(update_fields=["superior", "updated_at"])
        _audit_row(actor, "position", position.pk, row, batch_id)


def _apply_employees(plan: ImportPlan, actor: str, batch_id: int) -> None:
    roles_ensure()
    user_model = get_user_model()
    groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in Role])}
    positions = {p.code.upper(): p for p in Position.objects.all()}
    employees = {e.nip: e for e in Employee.objects.select_related("account")}
    # Deactivations first, so that the seats they free are free when the new accounts are counted.
    changed = sorted((r for r in plan.rows if r.action != "unchanged"), key=lambda r: r.values["active"])
    for row in changed:
        v = row.values
        first, _sep, last = v["name"].partition(" ")
        account = user_model.objects.get(pk=v["_account_id"]) if v["_account_id"] else None
        if account is None:
            account = user_model.objects.create_user(username=row.key, password=None)
        account.first_name, account.last_name = first[:150], last[:150]
        account.email, account.is_active = v["email"], v["active"]
        account.save(update_fields=["first_name", "last_name", "email", "is_active"])
        if "roles" in v:
            account.groups.set([groups[name] for name in v["roles"]])
        employee = employees.get(row.key) or Employee(nip=row.key)
        employee.name, employee.rank, employee.email, employee.active = v["name"], v["rank"], v["email"], v["active"]
        employee.position = positions[v["position"].upper()] if v["position"] else None
        employee.account = account
        employee.save()
        _audit_row(actor, "employee", employee.pk, row, batch_id)
    if plan.seats_adding > 0:
        # Checked again now that deactivations are done, under the licence row lock, inside this transaction.
        seats_check(schema_name=connection.schema_name, adding=0)


# --- Acting officials ----------------------------------------------------------------------------------------


def _overlaps(a_start: date, a_end: date | None, b_start: date, b_end: date | None) -> bool:
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


def _acting_validate(
    *, employee: Employee, position: Position, kind: str, start: date, end: date | None, exclude: int | None = None
) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in ActingAssignment.Kind.values:
        errors["kind"] = [_("Jenis penugasan harus Plt. atau Plh.")]
    if end is not None and end < start:
        errors["end"] = [_("Tanggal selesai tidak boleh sebelum tanggal mulai.")]
    if not position.is_structural:
        errors["position"] = [_("Plt./Plh. hanya untuk jabatan struktural.")]
    if not employee.active:
        errors["employee"] = [_("Pegawai ini tidak aktif.")]
    elif employee.position_id == position.pk:
        errors["employee"] = [_("Pegawai ini adalah pejabat definitif jabatan tersebut.")]
    if errors:
        raise DomainError("acting_invalid", next(iter(errors.values()))[0], fields=errors)
    others = ActingAssignment.objects.filter(position=position, kind=kind).exclude(pk=exclude)
    for other in others:
        if _overlaps(start, end, other.start, other.end):
            until = other.end.strftime("%d-%m-%Y") if other.end else _("seterusnya")
            message = _("Sudah ada %(kind)s %(name)s untuk jabatan ini pada %(start)s sampai %(end)s.") % {
                "kind": other.prefix,
                "name": other.employee.name,
                "start": other.start.strftime("%d-%m-%Y"),
                "end": until,
            }
            raise ConflictError("acting_overlap", message, fields={"start": [message]})


@transaction.atomic
def acting_assignment_create(
    *, employee: Employee, position: Position, kind: str, start: date, end: date | None, basis: str = "", actor: str
) -> ActingAssignment:
    """Appoint a Plt./Plh. for a structural position. Raises DomainError `acting_invalid` (field errors) or
    ConflictError `acting_overlap` (another assignment of the same kind overlaps). The position row is
    locked, so two concurrent appointments cannot both pass the overlap check. Audited."""
    Position.objects.select_for_update().filter(pk=position.pk).first()
    _acting_validate(employee=employee, position=position, kind=kind, start=start, end=end)
    assignment = ActingAssignment.objects.create(
        employee=employee, position=position, kind=kind, start=start, end=end, basis=basis[:200], created_by=actor
    )
    audit_record(
        actor=actor,
        action="acting.create",
        target_type="acting",
        target_id=assignment.pk,
        after={
            "nip": employee.nip,
            "position": position.code,
            "kind": kind,
            "start": start,
            "end": end,
            "basis": assignment.basis,
        },
    )
    return assignment


@transaction.atomic
def acting_assignment_end(*, assignment: ActingAssignment, end: date, actor: str) -> ActingAssignment:
    """Set (or bring forward) the last day of an acting assignment; `end` must not precede its start. Audited."""
    Position.objects.select_for_update().filter(pk=assignment.position_id).first()
    assignment = ActingAssignment.objects.select_related("employee", "position").get(pk=assignment.pk)
    if end < assignment.start:
        message = _("Tanggal selesai tidak boleh sebelum tanggal mulai (%(start)s).") % {
            "start": assignment.start.strftime("%d-%m-%Y")
        }
        raise DomainError("acting_invalid", message, fields={"end": [message]})
    if assignment.end is not None and end > assignment.end:
        message = _("Penugasan ini sudah berakhir pada %(end)s; buat penugasan baru untuk memperpanjangnya.") % {
            "end": assignment.end.strftime("%d-%m-%Y")
        }
        raise DomainError("acting_invalid", message, fields={"end": [message]})
    before = assignment.end
    assignment.end = end
    assignment.save(update_fields=["end"])
    audit_record(
        actor=actor,
        action="acting.end",
        target_type="acting",
        target_id=assignment.pk,
        before={"end": before},
        after={"end": end},
    )
    return assignment


def employee_activation_issue(*, employee: Employee, actor: str) -> tuple[str, datetime]:
    """A one-time link for the employee to set their first (or a new) password; retires their older links.
    Raises DomainError when the employee has no active account. Audited by activation_token_issue."""
    # Imported here: activation imports this module (roles_ensure).
    from tenant_apps.org.activation import activation_token_issue

    if employee.account is None or not employee.active or not employee.account.is_active:
        raise DomainError("account_inactive", _("Pegawai ini tidak mempunyai akun aktif."))
    return activation_token_issue(user=employee.account, actor=actor)
