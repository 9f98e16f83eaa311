"""The region's front pages and the organisation pages (/organisasi/). Thin: check the permission table
(tenant_apps.org.permissions), validate a form, call one service or selector, render or redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from mitra.errors import DomainError, NotFoundError
from mitra.forms import apply_domain_error
from shared_apps.audit.services import actor_for
from tenant_apps.org import selectors, services
from tenant_apps.org.forms import (
    ActingAssignmentForm,
    ActingEndForm,
    ImportUploadForm,
    SearchForm,
)
from tenant_apps.org.importing import SPECS, ImportFileError, ImportPlan, export_rows, render_csv, template_rows
from tenant_apps.org.models import ImportBatch
from tenant_apps.org.permissions import Action, can, permission_required
from tenant_apps.org.roles import Role, user_roles
from tenant_apps.workspace.counters import home_counters
from tenants.selectors import region_base_url

PAGE_SIZE = 50
PREVIEW_ROWS_SHOWN = 1000
SESSION_IMPORTS = "org_import_tokens"
SESSION_IMPORTS_MAX = 10


@login_required
def home(request: HttpRequest) -> HttpResponse:
    labels = dict(Role.choices)
    roles = [labels[r] for r in sorted(user_roles(request.user)) if r in labels]
    return render(request, "org/home.html", {"roles": roles, "counters": home_counters(request)})


def _or_404(fetch: Any, **kwargs: Any) -> Any:
    try:
        return fetch(**kwargs)
    except NotFoundError:
        raise Http404 from None


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "can_manage": can(request.user, Action.ORG_MANAGE),
        "can_import": can(request.user, Action.ORG_IMPORT),
        "can_export": can(request.user, Action.ORG_EXPORT),
        **extra,
    }


def _search(request: HttpRequest) -> tuple[SearchForm, str]:
    form = SearchForm(request.GET or None)
    return form, (form.cleaned_data["q"] if form.is_valid() else "")


@permission_required(Action.ORG_VIEW)
def tree(request: HttpRequest) -> HttpResponse:
    roots = selectors.org_tree(root_code=(request.GET.get("opd") or "")[:30] or None)
    return render(request, "org/tree.html", _context(request, roots=roots, today=selectors.org_today()))


@permission_required(Action.ORG_VIEW)
def unit_list(request: HttpRequest) -> HttpResponse:
    form, q = _search(request)
    page = _page(request, selectors.unit_list(q=q))
    return render(request, "org/unit_list.html", _context(request, form=form, page=page, q=q))


@permission_required(Action.ORG_VIEW)
def position_list(request: HttpRequest) -> HttpResponse:
    form, q = _search(request)
    unit = None
    if request.GET.get("unit"):
        unit = _or_404(selectors.unit_get, unit_id=request.GET["unit"])
    page = _page(request, selectors.position_list(q=q, unit=unit))
    officials = selectors.positions_officials(positions=list(page), on=selectors.org_today())
    rows = [(p, officials[p.pk]) for p in page]
    return render(request, "org/position_list.html", _context(request, form=form, page=page, rows=rows, unit=unit, q=q))


@permission_required(Action.ORG_VIEW)
def position_detail(request: HttpRequest, pk: int) -> HttpResponse:
    position = _or_404(selectors.position_get, position_id=pk)
    today = selectors.org_today()
    context = _context(
        request,
        position=position,
        today=today,
        official=selectors.position_official(position=position, on=today),
        holders=selectors.position_holders(position=position),
        subordinates=position.subordinates.select_related("unit").order_by("code"),
        acting=selectors.acting_list(position=position),
        end_form=ActingEndForm(initial={"end": today}),
    )
    return render(request, "org/position_detail.html", context)


@permission_required(Action.ORG_MANAGE)
def employee_list(request: HttpRequest) -> HttpResponse:
    form, q = _search(request)
    page = _page(request, selectors.employee_list(q=q))
    return render(request, "org/employee_list.html", _context(request, form=form, page=page, q=q))


@permission_required(Action.ORG_MANAGE)
def employee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    employee = _or_404(selectors.employee_get, employee_id=pk)
    today = selectors.org_today()
    account = employee.account
    context = _context(
        request,
        employee=employee,
        today=today,
        held=selectors.positions_held(employee=employee, on=today),
        acting=employee.acting_assignments.select_related("position").order_by("-start", "-id"),
        roles=sorted(account.groups.values_list("name", flat=True)) if account else [],
        has_password=bool(account and account.has_usable_password()),
    )
    return render(request, "org/employee_detail.html", context)


@never_cache
@permission_required(Action.ORG_MANAGE)
@require_POST
def employee_activation(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a one-time link for the employee to set a password. The link is shown once, on this response
    (never stored in a message or a redirect), and the page is not cached."""
    employee = _or_404(selectors.employee_get, employee_id=pk)
    try:
        raw, expires_at = services.employee_activation_issue(employee=employee, actor=actor_for(request.user))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("org:employee-detail", pk=employee.pk)
    link = region_base_url(request.region) + reverse("activate", args=[raw])  # type: ignore[attr-defined]
    response = render(
        request, "org/activation_link.html", _context(request, employee=employee, link=link, expires_at=expires_at)
    )
    # Origin only: "no-referrer" makes browsers post `Origin: null`, which CSRF refuses (see org.activation).
    response["Referrer-Policy"] = "strict-origin"
    return response


@permission_required(Action.ORG_MANAGE)
def acting_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ActingAssignmentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                assignment = services.acting_assignment_create(
                    employee=data["nip"],
                    position=data["position"],
                    kind=data["kind"],
                    start=data["start"],
                    end=data["end"],
                    basis=data["basis"],
                    actor=actor_for(request.user),
                )
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("%(prefix)s %(title)s: %(name)s ditunjuk.")
                    % {
                        "prefix": assignment.prefix,
                        "title": assignment.position.title,
                        "name": assignment.employee.name,
                    },
                )
                return redirect("org:position-detail", pk=assignment.position_id)
    else:
        initial: dict[str, Any] = {"start": selectors.org_today(), "kind": "plh"}
        if request.GET.get("jabatan"):
            position = _or_404(selectors.position_get, position_id=request.GET["jabatan"])
            initial["position"] = position.code
        form = ActingAssignmentForm(initial=initial)
    return render(request, "org/acting_form.html", _context(request, form=form))


@permission_required(Action.ORG_MANAGE)
@require_POST
def acting_end(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _or_404(selectors.acting_get, assignment_id=pk)
    form = ActingEndForm(request.POST)
    if form.is_valid():
        try:
            services.acting_assignment_end(
                assignment=assignment, end=form.cleaned_data["end"], actor=actor_for(request.user)
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Penugasan %(prefix)s diakhiri.") % {"prefix": assignment.prefix})
    else:
        messages.error(request, _("Tanggal berakhir tidak valid."))
    return redirect("org:position-detail", pk=assignment.position_id)


# --- Import and export -------------------------------------------------------------------------------------


def _remember_import(request: HttpRequest, token: str) -> None:
    tokens = [t for t in request.session.get(SESSION_IMPORTS, []) if t != token]
    request.session[SESSION_IMPORTS] = [*tokens, token][-SESSION_IMPORTS_MAX:]


def _import_batch(request: HttpRequest, token: str) -> ImportBatch:
    """The upload named by `token` if this session made it (the token alone is not enough)."""
    if token not in request.session.get(SESSION_IMPORTS, []):
        raise Http404
    return _or_404(selectors.import_batch_for, token=token, user_id=request.user.pk)


@permission_required(Action.ORG_IMPORT)
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = services.import_batch_create(
                kind=form.cleaned_data["kind"], filename=upload.name, data=upload.read(), user=request.user
            )
        except ImportFileError as exc:
            form.add_error("file", exc.message)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            _remember_import(request, batch.token)
            return redirect("org:import-preview", token=batch.token)
    status = 400 if request.method == "POST" else 200
    context = _context(request, form=form, specs=SPECS, recent=selectors.import_batch_recent())
    return render(request, "org/import_upload.html", context, status=status)


def _render_preview(
    request: HttpRequest, batch: ImportBatch, plan: ImportPlan, *, status: int = 200, changed: bool = False
) -> HttpResponse:
    shown = [row for row in plan.rows if row.action != "unchanged"]
    context = _context(
        request,
        batch=batch,
        plan=plan,
        spec=SPECS[batch.kind],
        counts=plan.counts,
        errors=plan.errors_shown(),
        rows=shown[:PREVIEW_ROWS_SHOWN],
        more_rows=max(0, len(shown) - PREVIEW_ROWS_SHOWN),
        digest=plan.digest(),
        changed=changed,
    )
    return render(request, "org/import_preview.html", context, status=status)


@never_cache
@permission_required(Action.ORG_IMPORT)
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what the upload would do, row by row. POST: apply it (all or nothing), then go to the tree."""
    batch = _import_batch(request, token)
    try:
        if request.method != "POST":
            return _render_preview(request, batch, selectors.import_batch_preview(batch=batch))
        plan = services.import_batch_apply(
            batch=batch, expected_digest=request.POST.get("digest", ""), actor=actor_for(request.user)
        )
    except services.ImportInvalidError as exc:
        messages.error(request, exc.message)
        return _render_preview(request, batch, exc.plan, status=400)
    except services.ImportChangedError as exc:
        return _render_preview(request, batch, exc.plan, status=409, changed=True)
    except ImportFileError as exc:
        messages.error(request, exc.message)
        return redirect("org:import")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("org:import")
    counts = plan.counts
    messages.success(
        request,
        _("Impor %(kind)s selesai: %(create)d baru, %(update)d diubah, %(unchanged)d tetap.")
        % {"kind": SPECS[batch.kind].label, **counts},
    )
    target = {"unit": "org:unit-list", "jabatan": "org:position-list", "pegawai": "org:employee-list"}[batch.kind]
    return redirect(target)


def _csv_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def _delimiter(request: HttpRequest) -> str:
    # Excel in an Indonesian locale expects ";" between columns; "," is the default elsewhere.
    return ";" if request.GET.get("pemisah") == "titik-koma" else ","


@permission_required(Action.ORG_IMPORT)
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in SPECS:
        raise Http404
    header, rows = template_rows(kind)
    return _csv_response(render_csv(header, rows, delimiter=_delimiter(request)), f"templat-{kind}.csv")


@permission_required(Action.ORG_EXPORT)
def export(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in SPECS:
        raise Http404
    header, rows = export_rows(kind)
    schema = request.region.schema_name  # type: ignore[attr-defined]
    day = selectors.org_today().isoformat()
    return _csv_response(render_csv(header, rows, delimiter=_delimiter(request)), f"{schema}-{kind}-{day}.csv")
