"""Writes to agreements (MoU and PKS): create, edit while draft, attach the scan, and the lifecycle.

Lifecycle (AGREEMENT_TRANSITIONS, applied only by `agreement_transition`):

    draft ──sign──▶ signed ──activate──▶ active ──expire──▶ expired
      │               │  └────────expire────────────────────▲
      └──terminate──▶ terminated ◀──terminate── (signed, active)

- draft → terminated records an abandoned draft (kept, with its reason, rather than deleted).
- Signing needs every party to have a signatory (so at least two), a signing date not in the future and
  not after the period, and a signed parent MoU for a PKS. The scan is NOT required: the signed paper is
  often scanned later, so it may be attached while the agreement is signed or active if none is attached
  yet; the console warns while it is missing.
- Activation needs valid_from <= today <= valid_until; expiry needs today > valid_until ("today" is the
  region's calendar day). `agreement_refresh_states` does both for every agreement (Celery beat).
- Terminating an MoU terminates its PKS that are not over yet.
Every step writes an audit record (who, when, before/after) in the public chain under the region.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import date
from typing import Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mitra.errors import DomainError
from shared_apps.audit.services import audit_record
from shared_apps.onboarding.models import Agreement
from shared_apps.onboarding.selectors import AUDIT_TARGET, region_today
from shared_apps.onboarding.validation import (
    AgreementStateError,
    clean_date,
    duplicate_number_error,
    invalid,
    scan_validate,
    validated_fields,
)
from tenants.models import Region
from tenants.storage import storage_prefix

logger = logging.getLogger(__name__)
S = Agreement.Status
K = Agreement.Kind

AGREEMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SIGNED, S.TERMINATED}),
    S.SIGNED: frozenset({S.ACTIVE, S.EXPIRED, S.TERMINATED}),
    S.ACTIVE: frozenset({S.EXPIRED, S.TERMINATED}),
    S.EXPIRED: frozenset(),
    S.TERMINATED: frozenset(),
}
TRANSITION_ACTIONS = {S.SIGNED: "sign", S.ACTIVE: "activate", S.EXPIRED: "expire", S.TERMINATED: "terminate"}
# While signed or active the scan may be attached once (the signed paper); afterwards it is evidence.
SCAN_ATTACHABLE = frozenset({S.DRAFT, S.SIGNED, S.ACTIVE})

MAX_REASON = 2000
EDITABLE_FIELDS = frozenset(
    {"kind", "number", "title", "parties", "signatories", "valid_from", "valid_until", "modules", "parent"}
)
REFRESH_ACTOR = "system:refresh"


def _sha256(scan: File) -> str:
    digest = hashlib.sha256()
    scan.seek(0)
    for chunk in scan.chunks():
        digest.update(chunk)
    scan.seek(0)
    return digest.hexdigest()


def _snapshot(agreement: Agreement) -> dict[str, Any]:
    return {
        "kind": agreement.kind,
        "number": agreement.number,
        "title": agreement.title,
        "parties": agreement.parties,
        "signatories": agreement.signatories,
        "valid_from": agreement.valid_from,
        "valid_until": agreement.valid_until,
        "modules": agreement.modules,
        "parent": agreement.parent_id,
        "status": agreement.status,
        "signed_on": agreement.signed_on,
        "scan_sha256": agreement.scan_sha256,
    }


def _lock(agreement: Agreement) -> Agreement:
    # Lock only the agreement row: the joined region row stays free for region transitions meanwhile.
    return Agreement.objects.select_for_update(of=("self",)).select_related("region").get(pk=agreement.pk)


def _copy_back(source: Agreement, target: Agreement) -> Agreement:
    """Refresh the caller's instance so it sees what was saved."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


def _store_scan(agreement: Agreement, scan: File) -> str:
    # The key carries no user input; the storage adds the region's prefix (brebes/agreements/…).
    # A transaction that rolls back after this leaves an unreferenced file, never served: downloads go
    # through the row.
    with storage_prefix(agreement.region.schema_name):
        return default_storage.save(f"agreements/{agreement.pk}/{uuid.uuid4().hex}.pdf", scan)


# Create, edit, scan ------------------------------------------------------------------------------------


@transaction.atomic
def agreement_create(
    *,
    region: Region,
    kind: str,
    number: str,
    title: str,
    parties: list[dict],
    signatories: list[dict],
    valid_from: date,
    valid_until: date,
    modules: list[str],
    actor: str,
    scan: UploadedFile | None = None,
    parent: Agreement | None = None,
) -> Agreement:
    """Record a draft agreement. Modules must be known and include their dependencies; a PKS parent must be
    a live MoU of the same region covering the PKS's modules and period. The scan, if given, is stored
    under the region's prefix. Audited as agreement.create."""
    if not isinstance(region, Region) or region.schema_name == "public":
        raise invalid("region", "invalid_region", _("Wilayah tidak valid."))
    if region.status == Region.Status.TERMINATED:
        raise invalid("region", "region_terminated", _("Wilayah ini sudah diakhiri kerja samanya."))
    fields = validated_fields(
        region=region,
        kind=kind,
        number=number,
        title=title,
        parties=parties,
        signatories=signatories,
        valid_from=valid_from,
        valid_until=valid_until,
        modules=modules,
        parent=parent,
    )
    if scan is not None:
        scan_validate(scan)
    try:
        with transaction.atomic():
            agreement = Agreement.objects.create(region=region, created_by=actor, **fields)
    except IntegrityError:
        # Another request took the number between our check and the insert.
        raise duplicate_number_error(fields["number"]) from None
    if scan is not None:
        agreement.scan_sha256 = _sha256(scan)
        agreement.scan.name = _store_scan(agreement, scan)
        agreement.save(update_fields=["scan", "scan_sha256", "updated_at"])
    audit_record(
        actor=actor,
        action="agreement.create",
        target_type=AUDIT_TARGET,
        target_id=agreement.pk,
        region=region.schema_name,
        after=_snapshot(agreement),
    )
    return agreement


@transaction.atomic
def agreement_update(*, agreement: Agreement, actor: str, **changes: Any) -> Agreement:
    """Edit a draft. `changes` may hold any of EDITABLE_FIELDS (region is fixed: the scan lives under its
    prefix). Raises AgreementStateError(not_editable) once signed. Audited with the changed fields."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"agreement_update() got unexpected fields {sorted(unknown)}")
    locked = _lock(agreement)
    if locked.status != S.DRAFT:
        raise AgreementStateError("not_editable", _("Kerja sama hanya dapat diubah selama masih draf."))
    current = {name: getattr(locked, name) for name in EDITABLE_FIELDS}
    # A MoU has no parent: turning a PKS back into an MoU drops the reference unless one is given.
    if changes.get("kind") == K.MOU and "parent" not in changes:
        changes["parent"] = None
    fields = validated_fields(region=locked.region, exclude_pk=locked.pk, **{**current, **changes})
    before = _snapshot(locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        raise duplicate_number_error(fields["number"]) from None
    after = _snapshot(locked)
    changed = sorted(k for k in after if before[k] != after[k])
    if changed:
        audit_record(
            actor=actor,
            action="agreement.update",
            target_type=AUDIT_TARGET,
            target_id=locked.pk,
            region=locked.region.schema_name,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return _copy_back(locked, agreement)


def agreement_scan_attachable(agreement: Agreement) -> bool:
    return agreement.status in SCAN_ATTACHABLE and (agreement.status == S.DRAFT or not agreement.scan)


@transaction.atomic
def agreement_attach_scan(*, agreement: Agreement, scan: UploadedFile | File, actor: str) -> Agreement:
    """Attach the scanned PDF. A draft's scan may be replaced; a signed or active agreement takes one scan
    if it has none (the signed paper), and keeps it. Audited as agreement.scan with the file's SHA-256."""
    locked = _lock(agreement)
    if not agreement_scan_attachable(locked):
        raise AgreementStateError(
            "scan_locked",
            _("Pindaian hanya dapat diganti selama draf, atau dilampirkan sekali bila belum ada."),
        )
    scan_validate(scan)
    before = {"scan_sha256": locked.scan_sha256}
    old_name = locked.scan.name
    locked.scan_sha256 = _sha256(scan)
    locked.scan.name = _store_scan(locked, scan)
    locked.save(update_fields=["scan", "scan_sha256", "updated_at"])
    if old_name:
        # A replaced draft scan is not evidence; remove it once the new one is committed.
        transaction.on_commit(lambda: default_storage.delete(old_name))
    audit_record(
        actor=actor,
        action="agreement.scan",
        target_type=AUDIT_TARGET,
        target_id=locked.pk,
        region=locked.region.schema_name,
        before=before,
        after={"scan_sha256": locked.scan_sha256},
    )
    return _copy_back(locked, agreement)


# Lifecycle ---------------------------------------------------------------------------------------------


def agreement_next_statuses(agreement: Agreement) -> frozenset[str]:
    return AGREEMENT_TRANSITIONS[agreement.status]


def _check_can_sign(agreement: Agreement, signed_on: date, today: date) -> None:
    if signed_on > today:
        raise invalid("signed_on", "invalid_signed_on", _("Tanggal penandatanganan tidak boleh di masa depan."))
    if signed_on > agreement.valid_until:
        raise invalid(
            "signed_on", "invalid_signed_on", _("Tanggal penandatanganan tidak boleh sesudah masa berlaku berakhir.")
        )
    represented = {s["party"].casefold() for s in agreement.signatories}
    unsigned = [p["name"] for p in agreement.parties if p["name"].casefold() not in represented]
    if len(agreement.signatories) < 2 or unsigned:
        raise AgreementStateError(
            "signatories_required",
            _("Setiap pihak memerlukan penanda tangan sebelum kerja sama ditandatangani. Belum ada: %(names)s.")
            % {"names": ", ".join(unsigned) or "-"},
        )
    if agreement.parent is not None and agreement.parent.status not in (S.SIGNED, S.ACTIVE):
        raise AgreementStateError(
            "parent_not_signed", _("MoU induk harus sudah ditandatangani sebelum PKS ditandatangani.")
        )


@transaction.atomic
def agreement_transition(
    *,
    agreement: Agreement,
    to: str,
    actor: str,
    reason: str = "",
    signed_on: date | None = None,
    today: date | None = None,
) -> Agreement:
    """Apply one lifecycle step, or raise AgreementStateError(invalid_transition) / the step's precondition
    error. `today` defaults to the region's calendar day. Records who and when on the row and in the audit
    chain (action agreement.<sign|activate|expire|terminate>). Terminating an MoU terminates its live PKS."""
    locked = _lock(agreement)
    if to not in AGREEMENT_TRANSITIONS.get(locked.status, frozenset()):
        raise AgreementStateError(
            "invalid_transition",
            _("Status kerja sama tidak dapat diubah dari %(from)s ke %(to)s.")
            % {"from": S(locked.status).label, "to": S(to).label if to in S.values else to},
        )
    day = today or region_today(locked.region)
    now = timezone.now()
    before = _snapshot(locked)
    if to == S.SIGNED:
        signed = clean_date(signed_on, "signed_on") if signed_on is not None else day
        _check_can_sign(locked, signed, day)
        locked.signed_on, locked.signed_by, locked.signed_at = signed, actor, now
    elif to == S.ACTIVE:
        if day < locked.valid_from:
            raise AgreementStateError(
                "not_yet_valid",
                _("Kerja sama baru berlaku mulai %(date)s.") % {"date": locked.valid_from.isoformat()},
            )
        if day > locked.valid_until:
            raise AgreementStateError(
                "period_ended",
                _("Masa berlaku kerja sama sudah berakhir pada %(date)s.") % {"date": locked.valid_until.isoformat()},
            )
        locked.activated_by, locked.activated_at = actor, now
    elif to == S.EXPIRED:
        if day <= locked.valid_until:
            raise AgreementStateError("not_expired", _("Masa berlaku kerja sama belum berakhir."))
        locked.expired_at = now
    elif to == S.TERMINATED:
        text = " ".join(reason.split()) if isinstance(reason, str) else ""
        if not text:
            raise invalid("reason", "reason_required", _("Alasan pengakhiran wajib diisi."))
        if len(text) > MAX_REASON:
            raise invalid("reason", "too_long", _("Alasan paling panjang %d karakter.") % MAX_REASON)
        locked.terminated_by, locked.terminated_at, locked.termination_reason = actor, now, text
    locked.status = to
    locked.save()
    after = _snapshot(locked)
    audit_record(
        actor=actor,
        action=f"agreement.{TRANSITION_ACTIONS[to]}",
        target_type=AUDIT_TARGET,
        target_id=locked.pk,
        region=locked.region.schema_name,
        before={"status": before["status"], "signed_on": before["signed_on"]},
        after={"status": after["status"], "signed_on": after["signed_on"], "reason": locked.termination_reason},
    )
    if to == S.TERMINATED and locked.kind == K.MOU:
        for child in locked.children.filter(status__in=[S.DRAFT, S.SIGNED, S.ACTIVE]):
            agreement_transition(
                agreement=child,
                to=S.TERMINATED,
                actor=actor,
                reason=_("MoU induk %(number)s diakhiri: %(reason)s") % {"number": locked.number, "reason": text},
            )
    return _copy_back(locked, agreement)


def agreement_sign(*, agreement: Agreement, actor: str, signed_on: date | None = None) -> Agreement:
    """Record the signing (on `signed_on`, the region's today if None). The scan is not required."""
    return agreement_transition(agreement=agreement, to=S.SIGNED, actor=actor, signed_on=signed_on)


def agreement_activate(*, agreement: Agreement, actor: str) -> Agreement:
    """Put a signed agreement in force; refused before valid_from or after valid_until."""
    return agreement_transition(agreement=agreement, to=S.ACTIVE, actor=actor)


def agreement_terminate(*, agreement: Agreement, actor: str, reason: str) -> Agreement:
    """End a draft, signed or active agreement early, with a reason (its live PKS follow an MoU)."""
    return agreement_transition(agreement=agreement, to=S.TERMINATED, actor=actor, reason=reason)


def agreement_refresh_states(*, today: date | None = None) -> dict[str, int]:
    """Activate signed agreements whose period has begun and expire those past valid_until.

    Runs daily from Celery beat (task onboarding.refresh_agreements). Each agreement moves in its own
    transaction, so one that changed meanwhile does not hold back the others. `today` defaults to each
    region's calendar day. Returns how many were activated and expired.
    """
    counts = {"activated": 0, "expired": 0}
    candidates = Agreement.objects.filter(status__in=[S.SIGNED, S.ACTIVE]).select_related("region").order_by("id")
    for agreement in candidates:
        day = today or region_today(agreement.region)
        if agreement.valid_until < day:
            to, key = S.EXPIRED, "expired"
        elif agreement.status == S.SIGNED and agreement.valid_from <= day:
            to, key = S.ACTIVE, "activated"
        else:
            continue
        try:
            agreement_transition(agreement=agreement, to=to, actor=REFRESH_ACTOR, today=day)
        except DomainError as exc:
            logger.warning("agreement %s not moved to %s: %s", agreement.pk, to, exc.code)
            continue
        counts[key] += 1
    return counts
