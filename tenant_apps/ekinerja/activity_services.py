"""Daily activity log writes: the employee records what they did (from the catalogue or free text, with
minutes, a linked RHK and evidence: a file, a link, or e-Office work one click away); whoever acts for their
superior position validates or rejects entries in bulk; a month locks at the region's cut-off day of the
following month, after which nobody changes its entries (ConflictError `entry_locked`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import IO

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from mitra.errors import ConflictError, DomainError, ForbiddenError
from shared_apps.audit.services import actor_for, audit_record
from tenant_apps.ekinerja.models import ActivityEntry, ActivityMonth, CatalogueActivity, Evidence, Rhk
from tenant_apps.ekinerja.periods import is_locked
from tenant_apps.ekinerja.selectors import appraiser_official, employee_of, settings_get
from tenant_apps.ekinerja.skp_services import _field_error, _me, _text
from tenant_apps.ekinerja.transitions import transition, transition_many
from tenant_apps.eoffice.evidence import eoffice_work_get
from tenant_apps.eoffice.validation import attachment_check
from tenant_apps.org.selectors import org_today

BULK_MAX = 500
LINK_MAX = 1000
Status = ActivityEntry.Status


def _count(rows: dict[tuple[int, date], tuple[int, int]]) -> None:
    """Add (entered, validated) to each (employee, day's month) running count, creating the row if needed.
    One statement; safe against a concurrent first entry of the month (ON CONFLICT)."""
    values = [
        (employee, day.replace(day=1), entered, validated) for (employee, day), (entered, validated) in rows.items()
    ]
    if not values:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {ActivityMonth._meta.db_table} (employee_id, month, entered, validated)
            SELECT * FROM unnest(%s::bigint[], %s::date[], %s::int[], %s::int[])
            ON CONFLICT (employee_id, month) DO UPDATE SET
                entered = {ActivityMonth._meta.db_table}.entered + EXCLUDED.entered,
                validated = {ActivityMonth._meta.db_table}.validated + EXCLUDED.validated
            """,  # noqa: S608 (the table name is ours, values are parameters)
            [list(column) for column in zip(*values, strict=True)],
        )


def _check_open(day: date) -> None:
    if is_locked(day=day, cutoff_day=settings_get().cutoff_day, today=org_today()):
        raise ConflictError(
            "entry_locked", _("Aktivitas bulan ini sudah dikunci (melewati batas waktu input bulanan).")
        )


def _values(
    *, employee_id: int, day: date, minutes: int | None, description: str, catalogue: CatalogueActivity | None,
    rhk: Rhk | None,
) -> dict:  # fmt: skip
    if not isinstance(day, date):
        raise _field_error("day", "date_invalid", _("Tanggal tidak valid."))
    if day > org_today():
        raise _field_error("day", "date_in_future", _("Aktivitas tidak boleh bertanggal setelah hari ini."))
    if catalogue is not None and not catalogue.active:
        raise _field_error("catalogue", "catalogue_inactive", _("Kegiatan katalog ini sudah tidak aktif."))
    if catalogue is not None:
        description = description or catalogue.name
        minutes = minutes or catalogue.standard_minutes
    text = _text(description, field="description", limit=1000)
    if not isinstance(minutes, int) or not 1 <= minutes <= 1440:
        raise _field_error("minutes", "minutes_invalid", _("Menit harus antara 1 dan 1440."))
    if rhk is not None and not Rhk.objects.filter(pk=rhk.pk, skp__employee_id=employee_id, skp__year=day.year).exists():
        raise _field_error("rhk", "rhk_not_own", _("RHK harus dari SKP Anda pada tahun yang sama."))
    return {"day": day, "minutes": minutes, "description": text, "catalogue": catalogue, "rhk": rhk}


def _link(value: str) -> str:
    url = (value or "").strip()
    if url and (len(url) > LINK_MAX or not url.startswith(("https://", "http://"))):
        raise _field_error("link", "link_invalid", _("Tautan harus diawali http:// atau https://."))
    return url


def _file_evidence(entry: ActivityEntry, upload: IO[bytes], saved: list[str]) -> Evidence:
    try:
        checked = attachment_check(upload, name=getattr(upload, "name", ""), size=getattr(upload, "size", None))
    except ValidationError as exc:
        raise _field_error("file", exc.code or "file_invalid", exc.messages[0]) from None
    from django.core.files.base import ContentFile

    name = default_storage.save(
        f"ekinerja/bukti/{entry.day:%Y/%m}/{get_random_string(24)}.{checked.extension}", ContentFile(checked.data)
    )
    saved.append(name)
    return Evidence.objects.create(
        entry=entry, kind=Evidence.Kind.FILE, label=checked.original_name, file=name, content_type=checked.content_type
    )


def _eoffice_evidence(user: AbstractBaseUser, entry: ActivityEntry, kind: str, ref_id: int) -> Evidence:
    work = eoffice_work_get(account_id=user.pk, kind=kind, ref_id=ref_id, day=entry.day)
    if work is None:
        raise _field_error(
            "eoffice", "eoffice_work_not_found", _("Pekerjaan e-Office itu bukan milik Anda pada tanggal tersebut.")
        )
    if entry.evidence.filter(kind=kind, ref_id=ref_id).exists():
        raise ConflictError("evidence_exists", _("Bukti itu sudah terlampir."))
    return Evidence.objects.create(entry=entry, kind=kind, ref_id=ref_id, label=work.label)


def entry_create(
    *,
    user: AbstractBaseUser,
    day: date,
    description: str = "",
    minutes: int | None = None,
    catalogue: CatalogueActivity | None = None,
    rhk: Rhk | None = None,
    link: str = "",
    file: IO[bytes] | None = None,
    eoffice: Sequence[tuple[str, int]] = (),
) -> ActivityEntry:
    """Record an activity of the user's own, submitted for validation. The description and minutes default
    to the catalogue's; e-Office evidence must be the user's own work of that day. A file written before a
    later failure is removed again, so storage keeps no orphans."""
    saved: list[str] = []
    try:
        return _entry_create(
            user=user, day=day, description=description, minutes=minutes, catalogue=catalogue, rhk=rhk,
            link=link, file=file, eoffice=eoffice, saved=saved,
        )  # fmt: skip
    except Exception:
        for name in saved:
            default_storage.delete(name)
        raise


@transaction.atomic
def _entry_create(
    *, user: AbstractBaseUser, day: date, description: str, minutes: int | None, catalogue: CatalogueActivity | None,
    rhk: Rhk | None, link: str, file: IO[bytes] | None, eoffice: Sequence[tuple[str, int]], saved: list[str],
) -> ActivityEntry:  # fmt: skip
    me = _me(user)
    if not (description or "").strip() and catalogue is None and eoffice and isinstance(day, date):
        # One click from e-Office: the work's own label describes the activity.
        work = eoffice_work_get(account_id=user.pk, kind=eoffice[0][0], ref_id=eoffice[0][1], day=day)
        description = work.label if work is not None else ""
    values = _values(employee_id=me.pk, day=day, minutes=minutes, description=description, catalogue=catalogue, rhk=rhk)
    _check_open(values["day"])
    url = _link(link)
    entry = ActivityEntry.objects.create(employee=me, **values)
    _count({(me.pk, entry.day): (1, 0)})
    if url:
        Evidence.objects.create(entry=entry, kind=Evidence.Kind.LINK, label=url[:500], url=url)
    if file is not None:
        _file_evidence(entry, file, saved)
    for kind, ref_id in dict.fromkeys(eoffice):
        _eoffice_evidence(user, entry, kind, ref_id)
    audit_record(
        actor=actor_for(user), action="ekinerja.entry.create", target_type="ekinerja.entry", target_id=entry.pk,
        after={"day": entry.day.isoformat(), "minutes": entry.minutes, "rhk": rhk.pk if rhk else None},
    )  # fmt: skip
    return entry


def _require_own_open(user: AbstractBaseUser, entry: ActivityEntry) -> None:
    me = employee_of(user=user)
    if me is None or entry.employee_id != me.pk:
        raise ForbiddenError("not_owner", _("Hanya pegawai pemilik aktivitas yang dapat mengubahnya."))
    _check_open(entry.day)
    if ActivityEntry.objects.filter(pk=entry.pk, status=Status.VALIDATED).exists():
        raise ConflictError("entry_validated", _("Aktivitas yang sudah divalidasi tidak dapat diubah."))


@transaction.atomic
def entry_update(
    *, user: AbstractBaseUser, entry: ActivityEntry, description: str, minutes: int, rhk: Rhk | None = None
) -> ActivityEntry:
    """Correct an entry not validated yet; a rejected entry goes back to the appraiser's queue."""
    _require_own_open(user, entry)
    values = _values(
        employee_id=entry.employee_id, day=entry.day, minutes=minutes, description=description,
        catalogue=entry.catalogue, rhk=rhk,
    )  # fmt: skip
    ActivityEntry.objects.filter(pk=entry.pk).update(
        description=values["description"], minutes=values["minutes"], rhk=values["rhk"], updated_at=timezone.now()
    )
    entry.refresh_from_db()
    if entry.status == Status.REJECTED:
        entry = transition(obj=entry, to=Status.SUBMITTED, user=user, changes={"reject_reason": ""})
    return entry


@transaction.atomic
def entry_delete(*, user: AbstractBaseUser, entry: ActivityEntry) -> None:
    _require_own_open(user, entry)
    files = list(entry.evidence.exclude(file="").values_list("file", flat=True))
    audit_record(
        actor=actor_for(user), action="ekinerja.entry.delete", target_type="ekinerja.entry", target_id=entry.pk,
        before={"day": entry.day.isoformat(), "description": entry.description, "minutes": entry.minutes},
    )  # fmt: skip
    entry.delete()
    _count({(entry.employee_id, entry.day): (-1, 0)})
    transaction.on_commit(lambda: [default_storage.delete(name) for name in files])


@transaction.atomic
def entry_add_eoffice_evidence(*, user: AbstractBaseUser, entry: ActivityEntry, kind: str, ref_id: int) -> Evidence:
    """Attach a piece of the user's own e-Office work of the entry's day as evidence."""
    _require_own_open(user, entry)
    evidence = _eoffice_evidence(user, entry, kind, ref_id)
    audit_record(
        actor=actor_for(user), action="ekinerja.entry.evidence", target_type="ekinerja.entry", target_id=entry.pk,
        after={"kind": kind, "ref_id": ref_id},
    )  # fmt: skip
    return evidence


def _queue_entries(user: AbstractBaseUser, ids: Sequence[int]) -> list[ActivityEntry]:
    """The entries, each checked: not the user's own, the user appraises its employee, its month still open."""
    unique = list(dict.fromkeys(int(i) for i in ids))
    if not unique:
        raise _field_error("entries", "required", _("Pilih paling sedikit satu aktivitas."))
    if len(unique) > BULK_MAX:
        raise _field_error("entries", "too_many", _("Paling banyak %(n)d aktivitas sekaligus.") % {"n": BULK_MAX})
    entries = list(ActivityEntry.objects.filter(pk__in=unique).select_related("employee", "employee__position"))
    if len(entries) != len(unique):
        raise DomainError("entry_not_found", _("Aktivitas tidak ditemukan."), status=404)
    me = employee_of(user=user)
    appraises: dict[int, bool] = {}
    for entry in entries:
        if me is not None and entry.employee_id == me.pk:
            raise ForbiddenError("own_entry", _("Anda tidak dapat memvalidasi aktivitas Anda sendiri."))
        if entry.employee_id not in appraises:
            appraises[entry.employee_id] = appraiser_official(user=user, employee=entry.employee) is not None
        if not appraises[entry.employee_id]:
            raise ForbiddenError("not_appraiser", _("Anda bukan atasan langsung pegawai pemilik aktivitas ini."))
        _check_open(entry.day)
    return entries


@transaction.atomic
def entries_validate(*, user: AbstractBaseUser, ids: Sequence[int]) -> int:
    """Validate entries in bulk: all of them or none (a forbidden or finished one refuses the batch)."""
    entries = _queue_entries(user, ids)
    moved = transition_many(
        model=ActivityEntry,
        ids=[e.pk for e in entries],
        to=Status.VALIDATED,
        user=user,
        changes={"decided_at": timezone.now(), "decided_by": user, "reject_reason": ""},
    )
    counts: dict[tuple[int, date], tuple[int, int]] = {}
    for entry in entries:  # transition_many moved all of them or raised
        key = (entry.employee_id, entry.day.replace(day=1))
        counts[key] = (0, counts.get(key, (0, 0))[1] + 1)
    _count(counts)
    return moved


@transaction.atomic
def entries_reject(*, user: AbstractBaseUser, ids: Sequence[int], reason: str) -> int:
    """Reject entries in bulk with one reason (the employee may correct and resubmit them)."""
    text = _text(reason, field="reason", limit=2000)
    entries = _queue_entries(user, ids)
    return transition_many(
        model=ActivityEntry,
        ids=[e.pk for e in entries],
        to=Status.REJECTED,
        user=user,
        changes={"decided_at": timezone.now(), "decided_by": user, "reject_reason": text},
    )


@transaction.atomic
def activity_month_rebuild(*, month: date) -> int:
    """Recount every employee's entries of `month` from the entries themselves (a repair tool; the running
    counts are kept by the services). Returns how many employee rows the month has afterwards."""
    first = month.replace(day=1)
    ActivityMonth.objects.filter(month=first).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {ActivityMonth._meta.db_table} (employee_id, month, entered, validated)
            SELECT employee_id, %s, count(*), count(*) FILTER (WHERE status = %s)
            FROM {ActivityEntry._meta.db_table}
            WHERE day >= %s AND day < (%s::date + interval '1 month')
            GROUP BY employee_id
            """,  # noqa: S608 (table names are ours, values are parameters)
            [first, Status.VALIDATED, first, first],
        )
        return cursor.rowcount
