"""e-Kinerja pages: home, SKP (plan, cascade from the superior's RHK, submit, approve/return, behaviour
expectations, annual PDF), the cascading view, the daily activity log with e-Office evidence, the validation
queue, appraisals, reports with CSV, and the admin's settings. Thin: parse, call one service or selector,
render; a service's refusal becomes a message (or 403/404), never a 500."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from mitra.errors import DomainError, ForbiddenError, NotFoundError
from mitra.forms import apply_domain_error
from tenant_apps.ekinerja import reports, selectors
from tenant_apps.ekinerja.activity_services import (
    entries_reject,
    entries_validate,
    entry_create,
    entry_delete,
)
from tenant_apps.ekinerja.admin_services import catalogue_upsert, settings_update, unit_performance_set
from tenant_apps.ekinerja.appraisal_services import appraisal_complete, appraisal_save, period_ensure
from tenant_apps.ekinerja.forms import (
    AppraisalForm,
    BehaviourForm,
    CatalogueForm,
    EntryForm,
    IndicatorForm,
    ReturnForm,
    RhkForm,
    SettingsForm,
    SkpCreateForm,
    UnitPerformanceForm,
)
from tenant_apps.ekinerja.models import (
    AppraisalPeriod,
    BehaviourValue,
    CatalogueActivity,
    Evidence,
    Indicator,
    Rhk,
    Skp,
    UnitPerformance,
)
from tenant_apps.ekinerja.periods import period_bounds, period_number
from tenant_apps.ekinerja.skp_services import (
    behaviour_set,
    indicator_add,
    indicator_delete,
    rhk_add,
    rhk_delete,
    skp_approve,
    skp_create,
    skp_return,
    skp_submit,
)
from tenant_apps.eoffice.evidence import eoffice_work
from tenant_apps.org.permissions import Action, can, permission_required
from tenant_apps.org.selectors import org_today
from tenant_apps.registry import get_module
from tenants.models import Region

PAGE_SIZE = 50


def _refusals(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A POST view's refusals: not found → 404, forbidden → 403, anything else → a message on the page the
    user came from (nothing stored is lost: the services roll back)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFoundError:
            raise Http404 from None
        except ForbiddenError:
            raise PermissionDenied from None
        except DomainError as exc:
            messages.error(request, exc.message)
            back = request.META.get("HTTP_REFERER", "")
            host = request.get_host()
            return redirect(back if back.startswith((f"http://{host}/", f"https://{host}/")) else "ekinerja:home")

    return wrapped


def _int(value: Any, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


def _year(request: HttpRequest) -> int:
    today = org_today()
    return _int(request.GET.get("tahun"), today.year, today.year - 5, today.year + 1)


def _month(request: HttpRequest) -> tuple[int, int]:
    """?bulan=YYYY-MM, default this month."""
    today = org_today()
    raw = str(request.GET.get("bulan", ""))
    try:
        year, month = (int(part) for part in raw.split("-", 1))
        date(year, month, 1)
    except (TypeError, ValueError):
        return today.year, today.month
    return (year, month) if today.year - 5 <= year <= today.year + 1 else (today.year, today.month)


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    year = org_today().year
    return render(
        request,
        "ekinerja/home.html",
        {
            "module": get_module("ekinerja"),
            "employee": selectors.employee_of(user=request.user),
            "skp": selectors.skp_own(user=request.user, year=year),
            "year": year,
            "queue": selectors.validation_queue(user=request.user).count(),
            "team": selectors.subordinates(user=request.user).count(),
            "can_report": can(request.user, Action.EKINERJA_REPORT),
            "can_manage": can(request.user, Action.EKINERJA_MANAGE),
        },
    )


# --- SKP -----------------------------------------------------------------------------------------------------


@login_required
@require_safe
def skp_list(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    return render(
        request,
        "ekinerja/skp_list.html",
        {
            "year": year,
            "skps": list(selectors.skp_list_for(user=request.user, year=year)),
            "own": selectors.skp_own(user=request.user, year=year),
            "employee": selectors.employee_of(user=request.user),
            "form": SkpCreateForm(initial={"year": year, "approach": Skp.Approach.QUANTITATIVE}),
        },
    )


@login_required
@require_POST
@_refusals
def skp_create_view(request: HttpRequest) -> HttpResponse:
    form = SkpCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Periksa tahun dan pendekatan SKP."))
        return redirect("ekinerja:skp-list")
    skp = skp_create(user=request.user, **form.cleaned_data)
    messages.success(request, _("SKP dibuat. Tambahkan rencana hasil kerja dan indikatornya."))
    return redirect("ekinerja:skp-detail", skp_id=skp.pk)


def _skp(request: HttpRequest, skp_id: Any) -> Skp:
    try:
        return selectors.skp_get_for(user=request.user, skp_id=skp_id)
    except NotFoundError:
        raise Http404 from None


def _skp_page(request: HttpRequest, skp: Skp, **forms_: Any) -> HttpResponse:
    actions = selectors.skp_actions(user=request.user, skp=skp)
    behaviours = {b.value: b.expectation for b in skp.behaviours.all()}
    context: dict[str, Any] = {
        "skp": skp,
        "actions": actions,
        "rhks": list(skp.rhks.all()),
        "behaviours": [(label, behaviours.get(value, "")) for value, label in BehaviourValue.choices],
        "appraisals": list(selectors.appraisals_of(skp=skp)),
        "return_form": ReturnForm(),
        "indicator_form": IndicatorForm(),
    }
    if "edit" in actions:
        context["rhk_form"] = forms_.get("rhk") or RhkForm(parents=selectors.superior_rhks(skp=skp))
    if "behaviour" in actions:
        context["behaviour_form"] = BehaviourForm(initial_values=behaviours)
    if "appraise" in actions:
        settings = selectors.settings_get()
        context["period_kind"] = settings.period_kind
        context["period_numbers"] = range(1, 13) if settings.period_kind == "bulanan" else range(1, 5)
        context["current_number"] = period_number(kind=settings.period_kind, day=org_today())
    return render(request, "ekinerja/skp_detail.html", context)


@login_required
@require_safe
def skp_detail(request: HttpRequest, skp_id: str) -> HttpResponse:
    return _skp_page(request, _skp(request, skp_id))


@login_required
@require_POST
@_refusals
def rhk_add_view(request: HttpRequest, skp_id: str) -> HttpResponse:
    skp = _skp(request, skp_id)
    form = RhkForm(request.POST, parents=selectors.superior_rhks(skp=skp))
    if form.is_valid():
        try:
            rhk_add(user=request.user, skp=skp, **form.cleaned_data)
        except (ForbiddenError, NotFoundError):
            raise
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("RHK ditambahkan."))
            return redirect("ekinerja:skp-detail", skp_id=skp.pk)
    return _skp_page(request, skp, rhk=form)


def _own_rhk(skp: Skp, rhk_id: str) -> Rhk:
    rhk = Rhk.objects.select_related("skp").filter(skp=skp, pk=selectors.pk_of(rhk_id)).first()
    if rhk is None:
        raise Http404
    return rhk


@login_required
@require_POST
@_refusals
def rhk_delete_view(request: HttpRequest, skp_id: str, rhk_id: str) -> HttpResponse:
    skp = _skp(request, skp_id)
    rhk_delete(user=request.user, rhk=_own_rhk(skp, rhk_id))
    messages.success(request, _("RHK dihapus."))
    return redirect("ekinerja:skp-detail", skp_id=skp.pk)


@login_required
@require_POST
@_refusals
def indicator_add_view(request: HttpRequest, skp_id: str, rhk_id: str) -> HttpResponse:
    skp = _skp(request, skp_id)
    rhk = _own_rhk(skp, rhk_id)
    form = IndicatorForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Lengkapi aspek, indikator dan target."))
    else:
        indicator_add(user=request.user, rhk=rhk, **form.cleaned_data)
        messages.success(request, _("Indikator ditambahkan."))
    return redirect("ekinerja:skp-detail", skp_id=skp.pk)


@login_required
@require_POST
@_refusals
def indicator_delete_view(request: HttpRequest, skp_id: str, indicator_id: str) -> HttpResponse:
    skp = _skp(request, skp_id)
    indicator = (
        Indicator.objects.select_related("rhk__skp").filter(rhk__skp=skp, pk=selectors.pk_of(indicator_id)).first()
    )
    if indicator is None:
        raise Http404
    indicator_delete(user=request.user, indicator=indicator)
    messages.success(request, _("Indikator dihapus."))
    return redirect("ekinerja:skp-detail", skp_id=skp.pk)


@login_required
@require_POST
@_refusals
def behaviour_view(request: HttpRequest, skp_id: str) -> HttpResponse:
    skp = _skp(request, skp_id)
    form = BehaviourForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ekspektasi paling panjang 2000 karakter."))
    else:
        behaviour_set(user=request.user, skp=skp, expectations=form.cleaned_data)
        messages.success(request, _("Ekspektasi perilaku tersimpan."))
    return redirect("ekinerja:skp-detail", skp_id=skp.pk)


@login_required
@require_POST
@_refusals
def skp_action(request: HttpRequest, skp_id: str, action: str) -> HttpResponse:
    skp = _skp(request, skp_id)
    if action == "ajukan":
        skp_submit(user=request.user, skp=skp)
        messages.success(request, _("SKP diajukan kepada pejabat penilai."))
    elif action == "setujui":
        skp_approve(user=request.user, skp=skp)
        messages.success(request, _("SKP disetujui."))
    elif action == "kembalikan":
        form = ReturnForm(request.POST)
        skp_return(user=request.user, skp=skp, note=form.data.get("note", ""))
        messages.success(request, _("SKP dikembalikan kepada pegawai."))
    else:
        raise Http404
    return redirect("ekinerja:skp-detail", skp_id=skp.pk)


def _region_name() -> str:
    region = Region.objects.filter(schema_name=connection.schema_name).first()
    return getattr(region, "official_name", "") or getattr(region, "name", "") or ""


def skp_pdf_response(skp: Skp) -> HttpResponse:
    appraisals = [a for a in selectors.appraisals_of(skp=skp) if a.status == "selesai"]
    data = reports.skp_annual_pdf(skp=skp, region_name=_region_name(), appraisals=appraisals, today=org_today())
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="skp-{skp.year}-{skp.employee.nip}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def skp_pdf(request: HttpRequest, skp_id: str) -> HttpResponse:
    return skp_pdf_response(_skp(request, skp_id))


@login_required
@require_safe
def cascade(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    return render(
        request, "ekinerja/cascade.html", {"year": year, "cascade": selectors.cascade_for(user=request.user, year=year)}
    )


# --- appraisal -----------------------------------------------------------------------------------------------


def _period_from(data: Any, skp: Skp) -> AppraisalPeriod:
    kind = str(data.get("periode", selectors.settings_get().period_kind))
    default = period_number(kind=kind, day=org_today()) if kind != "tahunan" else 0
    number = _int(data.get("nomor"), default, 0, 12)
    return period_ensure(year=skp.year, kind=kind, number=number)


@login_required
@_refusals
def appraisal_view(request: HttpRequest, skp_id: str) -> HttpResponse:
    """The appraiser's form for one period (?periode=bulanan|triwulan|tahunan&nomor=N)."""
    skp = _skp(request, skp_id)
    if "appraise" not in selectors.skp_actions(user=request.user, skp=skp):
        raise PermissionDenied
    period = _period_from(request.POST if request.method == "POST" else request.GET, skp)
    appraisal = skp.appraisals.filter(period=period).first()
    form = AppraisalForm(request.POST or None, initial=_appraisal_initial(appraisal))
    if request.method == "POST" and form.is_valid():
        indicators = [i for r in skp.rhks.all() for i in r.indicators.all()]
        realisations = {
            i.pk: {
                "realisation": request.POST.get(f"realisasi-{i.pk}", ""),
                "feedback": request.POST.get(f"umpan-{i.pk}", ""),
            }
            for i in indicators
        }
        behaviour = {v: request.POST.get(f"perilaku-{v}", "") for v in BehaviourValue.values}
        try:
            appraisal = appraisal_save(
                user=request.user, skp=skp, period=period, realisations=realisations, behaviour_feedback=behaviour,
                **form.cleaned_data,
            )  # fmt: skip
            if request.POST.get("selesai") == "1":
                appraisal = appraisal_complete(user=request.user, appraisal=appraisal)
                messages.success(
                    request, _("Penilaian selesai dengan predikat %(p)s.") % {"p": appraisal.get_predikat_display()}
                )
            else:
                messages.success(request, _("Penilaian tersimpan sebagai draf."))
        except (ForbiddenError, NotFoundError):
            raise
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            warning = selectors.distribution_warning(skp=skp, period=period)
            for message in warning.messages if warning else []:
                messages.warning(request, message)
            return redirect(f"{request.path}?periode={period.kind}&nomor={period.number}")
    realised = {r.indicator_id: r for r in appraisal.realisations.all()} if appraisal else {}
    rows = [(rhk, [(i, realised.get(i.pk)) for i in rhk.indicators.all()]) for rhk in skp.rhks.all()]
    warning = selectors.distribution_warning(skp=skp, period=period)
    return render(
        request,
        "ekinerja/appraisal_form.html",
        {
            "skp": skp,
            "period": period,
            "appraisal": appraisal,
            "form": form,
            "rows": rows,
            "behaviours": [
                (value, label, (appraisal.behaviour_feedback if appraisal else {}).get(value, ""))
                for value, label in BehaviourValue.choices
            ],
            "warning": warning,
            "entries": selectors.entry_stats(employee=skp.employee, start=period.start, end=period.end),
        },
    )


def _appraisal_initial(appraisal: Any) -> dict[str, Any]:
    if appraisal is None:
        return {}
    return {
        "results_rating": appraisal.results_rating,
        "behaviour_rating": appraisal.behaviour_rating,
        "feedback": appraisal.feedback,
    }


# --- activity log --------------------------------------------------------------------------------------------


def _entry_form(request: HttpRequest, year: int, data: Any = None, files: Any = None, **kwargs: Any) -> EntryForm:
    me = selectors.employee_of(user=request.user)
    rhks = Rhk.objects.filter(skp__employee=me, skp__year=year) if me else Rhk.objects.none()
    return EntryForm(data, files, catalogue=selectors.catalogue_active(), rhks=rhks, **kwargs)


@login_required
def activities(request: HttpRequest) -> HttpResponse:
    """The user's log for a month, the form to add an entry, and the e-Office work of the chosen day."""
    year, month = _month(request)
    start, end = period_bounds(year=year, kind="bulanan", number=month)
    today = org_today()
    chosen = _day_param(request.GET.get("tanggal")) or min(today, end)
    form = _entry_form(request, year, initial={"day": chosen})
    if request.method == "POST":
        form = _entry_form(request, year, request.POST, request.FILES)
        if form.is_valid():
            data = dict(form.cleaned_data)
            refs = [_eoffice_ref(value) for value in request.POST.getlist("eoffice")]
            try:
                entry_create(
                    user=request.user, eoffice=[r for r in refs if r], description=data["description"] or "",
                    day=data["day"], minutes=data["minutes"], catalogue=data["catalogue"], rhk=data["rhk"],
                    link=data["link"] or "", file=data["file"],
                )  # fmt: skip
            except ForbiddenError:
                raise PermissionDenied from None
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Aktivitas dicatat dan menunggu validasi atasan."))
                return redirect(f"{request.path}?bulan={data['day']:%Y-%m}&tanggal={data['day']:%Y-%m-%d}")
    entries = selectors.entry_list_own(user=request.user, start=start, end=end)
    work = eoffice_work(account_id=request.user.pk, start=chosen, end=chosen)
    used = set(
        Evidence.objects.filter(
            entry__employee__account_id=request.user.pk, kind__in=Evidence.EOFFICE, entry__day=chosen
        ).values_list("kind", "ref_id")
    )
    return render(
        request,
        "ekinerja/activities.html",
        {
            "form": form,
            "entries": list(entries),
            "month": f"{year:04d}-{month:02d}",
            "month_start": start,
            "chosen": chosen,
            "work": [w for w in work if (w.kind, w.ref_id) not in used],
            "total_minutes": sum(e.minutes for e in entries),
            "employee": selectors.employee_of(user=request.user),
        },
    )


def _day_param(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _eoffice_ref(value: str) -> tuple[str, int] | None:
    kind, _sep, ref = str(value).partition(":")
    pk = selectors.pk_of(ref)
    return (kind, pk) if pk and kind in Evidence.EOFFICE else None


@login_required
@require_POST
@_refusals
def activity_from_eoffice(request: HttpRequest) -> HttpResponse:
    """One click: an entry made from a piece of e-Office work, with the work as its evidence."""
    ref = _eoffice_ref(request.POST.get("ref", ""))
    day = _day_param(request.POST.get("day"))
    if ref is None or day is None:
        raise Http404
    minutes = _int(request.POST.get("minutes"), 30, 1, 1440)
    entry_create(user=request.user, day=day, minutes=minutes, eoffice=[ref], description=request.POST.get("label", ""))
    messages.success(request, _("Pekerjaan e-Office dicatat sebagai aktivitas."))
    return redirect(f"{_reverse_activities()}?bulan={day:%Y-%m}&tanggal={day:%Y-%m-%d}")


def _reverse_activities() -> str:
    from django.urls import reverse

    return reverse("ekinerja:activities")


@login_required
@require_POST
@_refusals
def activity_delete(request: HttpRequest, entry_id: str) -> HttpResponse:
    entry = selectors.entry_get_for(user=request.user, entry_id=entry_id)
    entry_delete(user=request.user, entry=entry)
    messages.success(request, _("Aktivitas dihapus."))
    return redirect(f"{_reverse_activities()}?bulan={entry.day:%Y-%m}")


@login_required
@require_safe
def evidence_download(request: HttpRequest, entry_id: str, evidence_id: str) -> HttpResponse:
    try:
        entry = selectors.entry_get_for(user=request.user, entry_id=entry_id)
    except NotFoundError:
        raise Http404 from None
    evidence = entry.evidence.filter(pk=selectors.pk_of(evidence_id), kind=Evidence.Kind.FILE).first()
    if evidence is None:
        raise Http404
    return evidence_response(evidence)


def evidence_response(evidence: Evidence) -> FileResponse:
    try:
        handle = default_storage.open(evidence.file, "rb")
    except FileNotFoundError:
        raise NotFoundError("evidence_not_found", _("Berkas bukti tidak ditemukan.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.label, content_type=evidence.content_type or "application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def validation(request: HttpRequest) -> HttpResponse:
    """The superior's queue: entries of the people they appraise, validated or rejected in bulk."""
    if request.method == "POST":
        return _validate_post(request)
    employee_id = selectors.pk_of(request.GET.get("pegawai", "")) or None
    queue = selectors.validation_queue(user=request.user, employee_id=employee_id)
    page = Paginator(queue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "ekinerja/validation.html",
        {"page": page, "team": list(selectors.subordinates(user=request.user)), "employee_id": employee_id},
    )


@_refusals
def _validate_post(request: HttpRequest) -> HttpResponse:
    ids = [selectors.pk_of(v) for v in request.POST.getlist("entries")]
    ids = [i for i in ids if i]
    if request.POST.get("action") == "tolak":
        n = entries_reject(user=request.user, ids=ids, reason=request.POST.get("reason", ""))
        messages.success(request, _("%(n)d aktivitas ditolak.") % {"n": n})
    else:
        n = entries_validate(user=request.user, ids=ids)
        messages.success(request, _("%(n)d aktivitas divalidasi.") % {"n": n})
    return redirect("ekinerja:validation")


# --- reports -------------------------------------------------------------------------------------------------


def _csv_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@permission_required(Action.EKINERJA_REPORT)
@require_safe
def report(request: HttpRequest) -> HttpResponse:
    year, month = _month(request)
    start, end = period_bounds(year=year, kind="bulanan", number=month)
    fill = reports.fill_rate(year=year, start=start, end=end)
    settings = selectors.settings_get()
    kind = request.GET.get("periode") or settings.period_kind
    number = _int(request.GET.get("nomor"), period_number(kind=kind, day=start), 0, 12)
    period = selectors.period_get(year=year, kind=kind, number=number)
    if request.GET.get("format") == "csv":
        if request.GET.get("laporan") == "distribusi":
            rows = reports.distribution(period=period) if period else []
            return _csv_response(reports.distribution_csv(rows), f"distribusi-predikat-{year}-{kind}-{number}.csv")
        return _csv_response(reports.fill_rate_csv(fill), f"pengisian-ekinerja-{year}-{month:02d}.csv")
    return render(
        request,
        "ekinerja/report.html",
        {
            "month": f"{year:04d}-{month:02d}",
            "fill": fill,
            "period": period,
            "kind": kind,
            "number": number,
            "distribution": reports.distribution(period=period) if period else [],
            "predikat_labels": [label for _v, label in reports.Predikat.choices],
        },
    )


# --- settings ------------------------------------------------------------------------------------------------


@permission_required(Action.EKINERJA_MANAGE)
def settings_view(request: HttpRequest) -> HttpResponse:
    current = selectors.settings_get()
    settings_form = SettingsForm(initial={"period_kind": current.period_kind, "cutoff_day": current.cutoff_day})
    catalogue_form = CatalogueForm()
    unit_form = UnitPerformanceForm(initial={"year": org_today().year})
    if request.method == "POST":
        which = request.POST.get("form")
        try:
            if which == "settings":
                settings_form = SettingsForm(request.POST)
                if settings_form.is_valid():
                    settings_update(user=request.user, **settings_form.cleaned_data)
                    messages.success(request, _("Pengaturan tersimpan."))
                    return redirect("ekinerja:settings")
            elif which == "catalogue":
                catalogue_form = CatalogueForm(request.POST)
                if catalogue_form.is_valid():
                    catalogue_upsert(user=request.user, **catalogue_form.cleaned_data)
                    messages.success(request, _("Katalog kegiatan tersimpan."))
                    return redirect("ekinerja:settings")
            elif which == "unit":
                unit_form = UnitPerformanceForm(request.POST)
                if unit_form.is_valid():
                    unit_performance_set(user=request.user, **unit_form.cleaned_data)
                    messages.success(request, _("Predikat organisasi tersimpan."))
                    return redirect("ekinerja:settings")
        except DomainError as exc:
            form = {"settings": settings_form, "catalogue": catalogue_form, "unit": unit_form}[str(which)]
            apply_domain_error(form, exc)
    return render(
        request,
        "ekinerja/settings.html",
        {
            "settings_form": settings_form,
            "catalogue_form": catalogue_form,
            "unit_form": unit_form,
            "catalogue": list(CatalogueActivity.objects.order_by("name")),
            "performances": list(UnitPerformance.objects.select_related("unit").order_by("-year", "unit__code")),
        },
    )
