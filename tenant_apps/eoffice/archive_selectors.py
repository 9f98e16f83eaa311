"""e-Office archive reads (region schema): classification codes, dossiers, and the archive search.

Search covers incoming and outgoing letters with PostgreSQL full-text search over the `search` vectors the
database keeps (subject, numbers, sender or signer and recipients, the outgoing body; config 'simple', see
migration 0005 for why) plus filters. A page is two queries (a count that stops at SEARCH_COUNT_CAP + 1, and
the page: a UNION ALL of id/date selects, each ordered and limited on its own so that Postgres stops early),
then two more load the page's letters. Whatever the region holds, a page costs a fixed number of queries.

Visibility is the e-Office rule (selectors.py), so that every hit opens: records officers and region admins
see every incoming letter (the agenda); anyone else sees the incoming letters addressed to, or disposed to, a
position they act for today (or that they registered); everyone sees the outgoing letters they drafted,
review, sign, or receive once signed. A letter someone may not see is never counted or listed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db import connection
from django.db.models import BooleanField, CharField, Count, DateField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from mitra.errors import DomainError, NotFoundError
from tenant_apps.eoffice.models import (
    ClassificationCode,
    Disposition,
    Dossier,
    DossierItem,
    IncomingLetter,
    LetterType,
    OutgoingLetter,
    OutgoingReviewer,
)
from tenant_apps.eoffice.selectors import _pk, user_positions
from tenant_apps.org.models import Unit
from tenant_apps.org.permissions import Action, can

QUERY_MAX = 200
TERMS_MAX = 8
# Letters (any script), digits; everything else separates words, like the vector's side of the search.
_TERM = re.compile(r"[^\W_]+", re.UNICODE)

KIND_INCOMING = "masuk"
KIND_OUTGOING = "keluar"
KINDS = (KIND_INCOMING, KIND_OUTGOING)


# --- classification codes ------------------------------------------------------------------------------------


def classification_list(*, active_only: bool = False) -> QuerySet[ClassificationCode]:
    qs = ClassificationCode.objects.select_related("parent").annotate(n_dossiers=Count("dossiers"))
    return (qs.filter(is_active=True) if active_only else qs).order_by("code")


def classification_get(*, classification_id: int | str) -> ClassificationCode:
    code = ClassificationCode.objects.filter(pk=_pk(classification_id)).first()
    if code is None:
        raise NotFoundError("classification_not_found", _("Kode klasifikasi tidak ditemukan."))
    return code


def classification_by_code(*, code: str) -> ClassificationCode | None:
    return ClassificationCode.objects.filter(code=str(code or "").strip()).first()


def classification_for_code(code: str) -> ClassificationCode | None:
    """The active code equal to `code` or, failing that, the longest active code that prefixes it
    ("000.1" for a letter classified "000.1.2.3" when only "000.1" exists)."""
    parts = str(code or "").strip().split(".")
    prefixes = [".".join(parts[:i]) for i in range(len(parts), 0, -1)]
    found = {c.code: c for c in ClassificationCode.objects.filter(code__in=prefixes, is_active=True)}
    return next((found[p] for p in prefixes if p in found), None)


# --- dossiers ------------------------------------------------------------------------------------------------


def dossier_list(
    *, year: int | None = None, unit: Unit | None = None, status: str = "", classification: str = ""
) -> QuerySet[Dossier]:
    """Dossiers with how many letters each holds, newest year first. One query per page."""
    qs = Dossier.objects.select_related("classification", "unit").annotate(
        n_items=Count("items", filter=Q(items__disposed_at__isnull=True))
    )
    if year:
        qs = qs.filter(year=year)
    if unit is not None:
        qs = qs.filter(unit=unit)
    if status:
        qs = qs.filter(status=status)
    if classification:
        qs = qs.filter(
            Q(classification__code=classification) | Q(classification__code__startswith=f"{classification}.")
        )
    return qs.order_by("-year", "classification__code", "unit__code", "id")


def dossier_get(*, dossier_id: int | str) -> Dossier:
    dossier = Dossier.objects.select_related("classification", "unit").filter(pk=_pk(dossier_id)).first()
    if dossier is None:
        raise NotFoundError("dossier_not_found", _("Berkas tidak ditemukan."))
    return dossier


def dossier_items(*, dossier: Dossier) -> QuerySet[DossierItem]:
    return (
        DossierItem.objects.filter(dossier=dossier)
        .select_related("incoming", "incoming__agenda", "outgoing", "outgoing__number")
        .order_by("id")
    )


def dossier_item_get(*, dossier: Dossier, item_id: int | str) -> DossierItem:
    item = DossierItem.objects.filter(dossier=dossier, pk=_pk(item_id)).first()
    if item is None:
        raise NotFoundError("item_not_found", _("Surat tidak ditemukan dalam berkas ini."))
    return item


def signed_outgoing_get(*, letter_id: int | str) -> OutgoingLetter:
    """A signed outgoing letter for the records officer to file (whoever drafted it)."""
    letter = (
        OutgoingLetter.objects.filter(pk=_pk(letter_id), status=OutgoingLetter.Status.SIGNED)
        .select_related("number", "unit")
        .first()
    )
    if letter is None:
        raise NotFoundError("letter_not_found", _("Naskah tidak ditemukan."))
    return letter


def unfiled_outgoing() -> QuerySet[OutgoingLetter]:
    """Signed outgoing letters not in any dossier (their code was unknown or their dossier closed)."""
    return (
        OutgoingLetter.objects.filter(status=OutgoingLetter.Status.SIGNED, archive_item__isnull=True)
        .select_related("number", "unit")
        .order_by("-letter_date", "-id")
    )


# --- search --------------------------------------------------------------------------------------------------


class _PageRead:
    """One page already read, given to Django's Paginator as its object list (it asks the count first, then
    exactly this slice)."""

    def __init__(self, total: int, rows: list[tuple[str, int, date]]) -> None:
        self.total = total
        self.rows = rows

    def count(self) -> int:
        return self.total

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, key: slice) -> list[tuple[str, int, date]]:
        return self.rows


SEARCH_COUNT_CAP = 1000


def _read(rows: ArchiveRows, *, offset: int, limit: int) -> tuple[list[tuple[str, int, date]], int]:
    """One page of `rows` and how many rows there are, counted up to the end of this page or
    SEARCH_COUNT_CAP + 1, whichever is further. Counting every match exactly reads every match ("rapat" is in
    one letter of eight) and costs more than the page itself; a count that stops lets Postgres stop too, and
    the page (ORDER BY the date, LIMIT) is read from the date index down until it is full. Past the cap the
    count still reaches one row beyond this page, so the paginator knows whether a next page exists."""
    cap = max(SEARCH_COUNT_CAP, offset + limit)
    total = rows.count_upto(cap + 1)
    return (rows.slice(offset, limit) if total > offset else []), total


def search_page(*, rows: ArchiveRows, number: Any, per_page: int, strict: bool = False) -> Page:
    """Page `number` of `archive_search` rows, with a count that stops after SEARCH_COUNT_CAP + 1 rows
    (`page.capped` when there are more). Out-of-range or malformed numbers give the last or first page, or,
    with `strict` (the API), EmptyPage / PageNotAnInteger. Two queries, whatever the region holds."""
    try:
        wanted = int(str(number or 1))
    except ValueError:
        if strict:
            raise PageNotAnInteger(_("Nomor halaman tidak valid.")) from None
        wanted = 1
    if wanted < 1:
        if strict:
            raise EmptyPage(_("Nomor halaman tidak valid."))
        wanted = 1
    fetched, total = _read(rows, offset=(wanted - 1) * per_page, limit=per_page)
    if not fetched and wanted > 1:
        if strict:
            raise EmptyPage(_("Halaman ini tidak berisi hasil."))
        # Nothing at this offset: the count stopped short of it, so it is exact and gives the last page.
        wanted = max(1, -(-total // per_page))
        fetched, total = _read(rows, offset=(wanted - 1) * per_page, limit=per_page)
    page = Paginator(_PageRead(total, fetched), per_page).page(wanted)
    page.capped = total > SEARCH_COUNT_CAP  # type: ignore[attr-defined]
    return page


@dataclass(frozen=True)
class SearchFilters:
    """What the search asks for; build it with `search_filters` (which checks every value)."""

    q: str = ""
    kind: str = ""  # "", "masuk" or "keluar"
    letter_type: str = ""  # outgoing letter type (implies kind "keluar")
    date_from: date | None = None
    date_to: date | None = None
    unit: Unit | None = None
    status: str = ""
    classification: str = ""  # a code; its sub-codes match too

    @property
    def tsquery(self) -> str:
        """Every term must occur, each as a word prefix ("undang" finds "undangan")."""
        return " & ".join(f"{term}:*" for term in search_terms(self.q))


def search_terms(q: str) -> list[str]:
    return [term.lower() for term in _TERM.findall(q or "")][:TERMS_MAX]


INCOMING_STATUSES = {value for value, _label in IncomingLetter.Status.choices}
OUTGOING_STATUSES = {value for value, _label in OutgoingLetter.Status.choices}


def search_filters(
    *,
    q: str = "",
    kind: str = "",
    letter_type: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    unit: Unit | None = None,
    status: str = "",
    classification: str = "",
) -> SearchFilters:
    """Checked filters; DomainError `invalid` with per-field messages for anything it cannot use."""
    errors: dict[str, list[str]] = {}
    q = " ".join(str(q or "").split())
    if len(q) > QUERY_MAX:
        errors["q"] = [_("Paling panjang %(n)d karakter.") % {"n": QUERY_MAX}]
    if kind and kind not in KINDS:
        errors["kind"] = [_("Pilih surat masuk atau naskah keluar.")]
    if letter_type and letter_type not in LetterType.values:
        errors["letter_type"] = [_("Jenis naskah tidak dikenal.")]
    if letter_type and kind == KIND_INCOMING:
        errors["letter_type"] = [_("Jenis naskah hanya berlaku untuk naskah keluar.")]
    if status and status not in INCOMING_STATUSES | OUTGOING_STATUSES:
        errors["status"] = [_("Status tidak dikenal.")]
    if date_from and date_to and date_from > date_to:
        errors["date_to"] = [_("Tanggal akhir tidak boleh sebelum tanggal awal.")]
    classification = str(classification or "").strip()
    if classification and not re.fullmatch(r"\d{3}(\.\d{1,3}){0,4}", classification):
        errors["classification"] = [_("Kode klasifikasi tidak valid (contoh: 000.1.2 atau 400.14).")]
    if errors:
        raise DomainError("invalid", _("Data tidak valid."), fields=errors)
    return SearchFilters(
        q=q,
        kind=KIND_OUTGOING if letter_type else kind,
        letter_type=letter_type,
        date_from=date_from,
        date_to=date_to,
        unit=unit,
        status=status,
        classification=classification,
    )


def _matches(table: str, tsquery: str) -> RawSQL:
    # The tsquery text is built from word characters only (search_terms), and passed as a parameter.
    return RawSQL(  # noqa: S611
        f'"{table}"."search" @@ to_tsquery(\'simple\'::regconfig, %s)',
        [tsquery],
        output_field=BooleanField(),
    )


def _code_q(field: str, code: str) -> Q:
    return Q(**{field: code}) | Q(**{f"{field}__startswith": f"{code}."})


def _incoming(f: SearchFilters) -> QuerySet[IncomingLetter]:
    """Incoming letters matching `f`, before visibility."""
    qs = IncomingLetter.objects.all()
    if f.tsquery:
        qs = qs.filter(_matches(IncomingLetter._meta.db_table, f.tsquery))
    if f.date_from:
        qs = qs.filter(received_date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(received_date__lte=f.date_to)
    if f.unit is not None:
        qs = qs.filter(addressed_to__unit=f.unit)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.classification:
        qs = qs.filter(_code_q("archive_item__dossier__classification__code", f.classification))
    # NOT EXISTS keeps the index order on received_date (a LEFT JOIN to the filings would not).
    return qs.filter(~Exists(DossierItem.objects.filter(incoming=OuterRef("pk"), disposed_at__isnull=False)))


def _incoming_visible(
    user: AbstractBaseUser | AnonymousUser, f: SearchFilters, everything: bool, held: list[int]
) -> list[QuerySet[IncomingLetter]]:
    """The incoming letters the user may see that match, as one or two disjoint querysets: those addressed to
    a position they hold or that they registered, and those disposed to a position they hold (and not in the
    first). Two parts rather than one OR: "id IN (their dispositions' letters)" alone is a semi-join that
    Postgres may run either way round (hash a few hundred letter ids, or walk the date index and probe the
    disposition index per letter when the user has 90k of them), where an OR forces a hash of every one of the
    user's dispositions (90k for a Kepala Bidang) on every query."""
    if everything:
        return [_incoming(f)]
    direct = Q(addressed_to_id__in=held) | Q(registered_by_id=user.pk)
    parts = [_incoming(f).filter(direct)]
    if held:
        disposed = Disposition.objects.filter(to_position_id__in=held).values("letter_id")
        parts.append(_incoming(f).filter(pk__in=disposed).exclude(direct))
    return parts


def _outgoing(user: AbstractBaseUser | AnonymousUser, f: SearchFilters, held: list[int]) -> QuerySet[OutgoingLetter]:
    # The rule of selectors._outgoing_scope (drafted, signs, reviews, receives once signed), with EXISTS on the
    # small link tables rather than LEFT JOINs: the joins multiply the rows and need a HashAggregate over every
    # outgoing letter of the region before the first match.
    signed = Q(status=OutgoingLetter.Status.SIGNED) & (
        Exists(OutgoingLetter.recipients.through.objects.filter(outgoingletter=OuterRef("pk"), position_id__in=held))
        | Exists(OutgoingLetter.copies.through.objects.filter(outgoingletter=OuterRef("pk"), position_id__in=held))
    )
    reviews = Exists(OutgoingReviewer.objects.filter(letter=OuterRef("pk"), position_id__in=held))
    scope = Q(drafter_id=user.pk)
    if held:
        scope |= Q(signer_position_id__in=held) | reviews | signed
    qs = OutgoingLetter.objects.filter(scope)
    if f.tsquery:
        qs = qs.filter(_matches(OutgoingLetter._meta.db_table, f.tsquery))
    if f.date_from:
        qs = qs.filter(letter_date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(letter_date__lte=f.date_to)
    if f.unit is not None:
        qs = qs.filter(unit=f.unit)
    if f.letter_type:
        qs = qs.filter(letter_type=f.letter_type)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.classification:
        qs = qs.filter(_code_q("classification_code", f.classification))
    return qs.filter(~Exists(DossierItem.objects.filter(outgoing=OuterRef("pk"), disposed_at__isnull=False)))


_ORDER = ("-day", "-pk")


class ArchiveRows:
    """The rows (kind, pk, day) of an archive search, newest first, kept as disjoint parts (one queryset per
    kind of letter and way of seeing it). A page is read with ORDER BY ... LIMIT inside each part, then merged:
    each part can then stop after offset + limit rows of its own date order (from the received-date index
    for incoming letters), instead of every match being read and sorted before the page is cut."""

    def __init__(self, parts: list[QuerySet[Any]]) -> None:
        self.parts = parts

    def count_upto(self, cap: int) -> int:
        """How many rows, counting no further than `cap`."""
        if len(self.parts) < 2:
            return self.parts[0].order_by()[:cap].count() if self.parts else 0
        # Each part counted under its own LIMIT, in one query: Postgres then plans each part for the rows it may
        # stop at (a LIMIT over a UNION ALL is costed as if the parts were read in full, and a part that joins
        # the user's dispositions would hash all 90k of them just to count to the cap).
        counts, params = [], []
        for part in self.parts:
            sql, part_params = part.order_by()[:cap].query.get_compiler(using=part.db).as_sql()
            counts.append(f"(SELECT COUNT(*) FROM ({sql}) AS part)")  # noqa: S608 (SQL compiled by Django)
            params.extend(part_params)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {' + '.join(counts)}", params)
            return min(cursor.fetchone()[0], cap)

    def slice(self, offset: int, limit: int | None) -> list[tuple[str, int, date]]:
        if not self.parts:
            return []
        end = None if limit is None else offset + limit
        if len(self.parts) == 1:
            return list(self.parts[0].order_by(*_ORDER)[offset:end])
        first, *rest = (part.order_by(*_ORDER)[:end] if end is not None else part.order_by() for part in self.parts)
        return list(first.union(*rest, all=True).order_by(*_ORDER)[offset:end])

    def __iter__(self) -> Iterator[tuple[str, int, date]]:
        return iter(self.slice(0, None))


def archive_search(*, user: AbstractBaseUser | AnonymousUser, filters: SearchFilters) -> ArchiveRows:
    """Rows (kind, pk, day) of the letters the user may see that match, newest first; page them with
    `search_page` (two queries), then `search_hits(page.object_list)` loads the page's letters."""
    if not user.is_authenticated:
        return ArchiveRows([])
    everything = can(user, Action.EOFFICE_INCOMING_REGISTER) or can(user, Action.EOFFICE_ARCHIVE_MANAGE)
    held = [official.position.pk for official in user_positions(user=user)]
    # A status or a letter type belongs to one kind of letter: the other kind is left out of the query.
    incoming = filters.kind in ("", KIND_INCOMING) and (not filters.status or filters.status in INCOMING_STATUSES)
    outgoing = filters.kind in ("", KIND_OUTGOING) and (not filters.status or filters.status in OUTGOING_STATUSES)
    parts = []
    if incoming:
        parts.extend(
            part.annotate(kind=Value(KIND_INCOMING, output_field=CharField()), day=F("received_date")).values_list(
                "kind", "pk", "day"
            )
            for part in _incoming_visible(user, filters, everything, held)
        )
    if outgoing:
        parts.append(
            _outgoing(user, filters, held)
            .annotate(
                kind=Value(KIND_OUTGOING, output_field=CharField()),
                day=Coalesce("letter_date", Cast("created_at", DateField())),
            )
            .values_list("kind", "pk", "day")
        )
    return ArchiveRows(parts)


@dataclass(frozen=True)
class SearchHit:
    kind: str
    id: int
    number: str
    day: date
    subject: str
    party: str  # sender of an incoming letter, signer of an outgoing one
    letter_type: str
    status: str
    status_label: str
    unit: str
    classification: str
    dossier: str
    url: str
    api_url: str


def search_hits(rows: Any) -> list[SearchHit]:
    """The letters of one page of `archive_search`, in its order: two queries whatever the page holds."""
    rows = list(rows)
    incoming_ids = [pk for kind, pk, _day in rows if kind == KIND_INCOMING]
    outgoing_ids = [pk for kind, pk, _day in rows if kind == KIND_OUTGOING]
    incoming = (
        {
            letter.pk: letter
            for letter in IncomingLetter.objects.filter(pk__in=incoming_ids)
            .select_related(
                "agenda",
                "addressed_to__unit",
                "archive_item__dossier__classification",
                "archive_item__dossier__unit",
            )
            .defer("search")
        }
        if incoming_ids
        else {}
    )
    outgoing = (
        {
            letter.pk: letter
            for letter in OutgoingLetter.objects.filter(pk__in=outgoing_ids)
            .select_related("number", "unit", "archive_item__dossier__classification", "archive_item__dossier__unit")
            .defer("body", "search", "signature_info")
        }
        if outgoing_ids
        else {}
    )
    hits = []
    for kind, pk, day in rows:
        if kind == KIND_INCOMING and pk in incoming:
            letter = incoming[pk]
            item = getattr(letter, "archive_item", None)
            hits.append(
                SearchHit(
                    kind=kind,
                    id=pk,
                    number=letter.letter_number,
                    day=day,
                    subject=letter.subject,
                    party=letter.sender,
                    letter_type="",
                    status=letter.status,
                    status_label=letter.get_status_display(),
                    unit=letter.addressed_to.unit.name,
                    classification=item.dossier.classification.code if item else "",
                    dossier=item.dossier.reference if item else "",
                    url=reverse("eoffice:incoming-detail", args=[pk]),
                    api_url=reverse("eoffice-api-incoming-detail", args=[pk]),
                )
            )
        elif kind == KIND_OUTGOING and pk in outgoing:
            out = outgoing[pk]
            item = getattr(out, "archive_item", None)
            hits.append(
                SearchHit(
                    kind=kind,
                    id=pk,
                    number=out.number.number if out.number else "",
                    day=day,
                    subject=out.subject,
                    party=out.signer_name,
                    letter_type=out.letter_type,
                    status=out.status,
                    status_label=out.get_status_display(),
                    unit=out.unit.name,
                    classification=out.classification_code,
                    dossier=item.dossier.reference if item else "",
                    url=reverse("eoffice:outgoing-detail", args=[pk]),
                    api_url=reverse("eoffice-api-outgoing-detail", args=[pk]),
                )
            )
    return hits
