"""A region's organisation: NIP and code rules, the unit tree, positions and who acts for them (Plt./Plh.),
the permission table, the pages and the API, tried from the attacker's side (Tegal against Brebes)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import URLPattern, reverse
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from mitra.errors import DomainError
from shared_apps.audit.models import AuditRecord
from tenant_apps.org import services
from tenant_apps.org.models import ActingAssignment, Employee, Position, Unit
from tenant_apps.org.permissions import PERMISSIONS, Action, can
from tenant_apps.org.roles import Role
from tenant_apps.org.selectors import Basis, org_tree, position_official, positions_held
from tenant_apps.org.validators import code_validate, nip_validate, rank_normalise
from tests.fixtures.org import Org, api, build_org, login, nip

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

DAY = date(2026, 6, 15)


@pytest.fixture
def org(seed) -> Org:
    with schema_context("brebes"):
        return build_org()


# --- NIP, golongan and codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("197805152003121002", "197805152003121002"),
        ("198203082006042001", "198203082006042001"),
        (" 19780515 200312 1 002 ", "197805152003121002"),  # spaces as people type them
        ("199912312024121999", "199912312024121999"),
    ],
)
def test_valid_nips_are_accepted(value, expected):
    assert nip_validate(value, today=DAY) == expected


@pytest.mark.parametrize(
    ("value", "code", "words"),
    [
        ("", "nip_required", "wajib"),
        ("19780515200312100", "nip_length", "18 digit"),
        ("1978051520031210021", "nip_length", "18 digit"),
        ("19780515200312100A", "nip_not_digits", "angka"),
        ("".join(chr(0xFF10 + int(d)) for d in "197805152003121002"), "nip_not_digits", "angka"),  # full-width
        ("1.97805E+17", "nip_scientific", "Excel"),
        ("197813152003121002", "nip_birth_date", "tanggal lahir"),  # month 13
        ("197802302003121002", "nip_birth_date", "tanggal lahir"),  # 30 February
        ("193005152003121002", "nip_birth_date", "tidak masuk akal"),  # born 1930
        ("203005152003121002", "nip_birth_date", "tidak masuk akal"),  # born in the future
        ("197805152003131002", "nip_tmt", "TMT"),  # TMT month 13
        ("197805152003001002", "nip_tmt", "TMT"),  # TMT month 00
        ("197805151990121002", "nip_tmt", "TMT"),  # appointed at 12
        ("197805152099121002", "nip_tmt", "TMT"),  # TMT far in the future
        ("197805152003123002", "nip_gender", "jenis kelamin"),
        ("197805152003120002", "nip_gender", "jenis kelamin"),
        ("197805152003121000", "nip_sequence", "nomor urut"),
    ],
)
def test_invalid_nips_are_refused_with_an_indonesian_reason(value, code, words):
    with pytest.raises(ValidationError) as excinfo:
        nip_validate(value, today=DAY)
    assert excinfo.value.code == code
    assert words in excinfo.value.messages[0]


@pytest.mark.parametrize(
    ("value", "expected"), [("III/a", "III/a"), ("iii/A", "III/a"), (" IV / e ", "IV/e"), ("", ""), ("ix", "IX")]
)
def test_golongan_is_normalised(value, expected):
    assert rank_normalise(value) == expected


@pytest.mark.parametrize("value", ["III/e", "V/a", "3a", "XVIII", "IV/f"])
def test_unknown_golongan_is_refused(value):
    with pytest.raises(ValidationError, match="tidak dikenal"):
        rank_normalise(value)


@pytest.mark.parametrize("value", ["DIS/KOMINFO", "KO MINFO", ".KOMINFO", "x" * 31, "KÖMINFO"])
def test_codes_used_in_letter_numbers_refuse_slashes_and_odd_characters(value):
    with pytest.raises(ValidationError):
        code_validate(value, what="unit")


def test_model_validation_applies_the_nip_rule(org):
    with schema_context("brebes"):
        employee = Employee(nip="197805152003123002", name="Salah")
        with pytest.raises(ValidationError) as excinfo:
            employee.full_clean()
        assert "nip" in excinfo.value.message_dict


# --- units and positions -----------------------------------------------------------------------------------


def test_an_opd_cannot_have_a_parent_and_a_section_needs_one(org):
    with schema_context("brebes"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Unit.objects.create(code="X1", name="x", kind=Unit.Kind.OPD, parent=org.opd)
        with pytest.raises(IntegrityError), transaction.atomic():
            Unit.objects.create(code="X2", name="x", kind=Unit.Kind.SECTION)
        with pytest.raises(ValidationError):
            Unit(code="X3", name="x", kind=Unit.Kind.DIVISION, parent=org.section).full_clean()


def test_unit_and_position_codes_are_unique_ignoring_case(org):
    with schema_context("brebes"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Unit.objects.create(code="kominfo", name="dup", kind=Unit.Kind.OPD)
        with pytest.raises(IntegrityError), transaction.atomic():
            Position.objects.create(code="kominfo-kadis", title="dup", unit=org.opd)


def test_the_hierarchy_exists_while_a_seat_is_vacant(org):
    with schema_context("brebes"):
        assert position_official(position=org.section_head, on=DAY) is None
        assert org.analyst.superior == org.section_head
        assert org.section_head.superior.superior == org.head


# --- who acts for a position ---------------------------------------------------------------------------------


def appoint(org: Org, employee: Employee, position: Position, kind: str, start: date, end: date | None):
    return services.acting_assignment_create(
        employee=employee, position=position, kind=kind, start=start, end=end, basis="ST/1/2026", actor="brebes:admin"
    )


def test_the_definitive_holder_acts_without_an_assignment(org):
    with schema_context("brebes"):
        official = position_official(position=org.head, on=DAY)
        assert official.employee == org.kadis
        assert official.basis == Basis.DEFINITIVE
        assert official.prefix == ""


def test_a_plh_acts_for_the_absent_holder_only_during_the_assignment(org):
    with schema_context("brebes"):
        appoint(org, org.kabid, org.head, "plh", DAY, DAY + timedelta(days=4))
        during = position_official(position=org.head, on=DAY + timedelta(days=2))
        assert (during.employee, during.basis, during.prefix) == (org.kabid, Basis.PLH, "Plh.")
        assert position_official(position=org.head, on=DAY - timedelta(days=1)).employee == org.kadis
        assert position_official(position=org.head, on=DAY + timedelta(days=5)).employee == org.kadis
        # The Plh. handles both seats; the absent holder handles none.
        held = {(o.position.code, o.prefix) for o in positions_held(employee=org.kabid, on=DAY)}
        assert held == {("KOMINFO-KABID", ""), ("KOMINFO-KADIS", "Plh.")}
        assert positions_held(employee=org.kadis, on=DAY) == []


def test_a_plt_fills_a_vacant_seat_and_a_plh_covers_an_absent_plt(org):
    with schema_context("brebes"):
        appoint(org, org.spare, org.section_head, "plt", DAY, None)
        official = position_official(position=org.section_head, on=DAY + timedelta(days=400))
        assert (official.employee, official.prefix) == (org.spare, "Plt.")
        appoint(org, org.analysts[0], org.section_head, "plh", DAY + timedelta(days=10), DAY + timedelta(days=12))
        assert position_official(position=org.section_head, on=DAY + timedelta(days=11)).employee == org.analysts[0]
        assert position_official(position=org.section_head, on=DAY + timedelta(days=13)).employee == org.spare


def test_an_inactive_acting_official_is_skipped(org):
    with schema_context("brebes"):
        appoint(org, org.spare, org.section_head, "plt", DAY, None)
        Employee.objects.filter(pk=org.spare.pk).update(active=False)
        assert position_official(position=org.section_head, on=DAY) is None


def test_every_holder_of_a_functional_position_holds_it(org):
    with schema_context("brebes"):
        for analyst in org.analysts:
            assert [o.position for o in positions_held(employee=analyst, on=DAY)] == [org.analyst]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (DAY, DAY + timedelta(days=3)),  # same period
        (DAY - timedelta(days=5), DAY),  # touches the first day
        (DAY + timedelta(days=10), DAY + timedelta(days=10)),  # touches the last day
        (DAY - timedelta(days=30), None),  # open-ended, starting earlier
    ],
)
def test_assignments_of_the_same_kind_to_the_same_position_never_overlap(org, start, end):
    with schema_context("brebes"):
        appoint(org, org.spare, org.section_head, "plt", DAY, DAY + timedelta(days=10))
        with pytest.raises(DomainError) as excinfo:
            appoint(org, org.analysts[0], org.section_head, "plt", start, end)
        assert excinfo.value.code == "acting_overlap"
        assert "Sudah ada Plt. Eko Prasetyo" in excinfo.value.message


def test_adjacent_periods_and_another_kind_are_allowed(org):
    with schema_context("brebes"):
        appoint(org, org.spare, org.section_head, "plt", DAY, DAY + timedelta(days=10))
        appoint(org, org.analysts[0], org.section_head, "plt", DAY + timedelta(days=11), None)
        appoint(org, org.analysts[1], org.section_head, "plh", DAY + timedelta(days=2), DAY + timedelta(days=3))
        assert ActingAssignment.objects.filter(position=org.section_head).count() == 3


@pytest.mark.parametrize(
    ("who", "where", "start", "end", "field"),
    [
        ("spare", "section_head", DAY, DAY - timedelta(days=1), "end"),  # ends before it starts
        ("spare", "analyst", DAY, None, "position"),  # functional position
        ("kadis", "head", DAY, None, "employee"),  # already its definitive holder
    ],
)
def test_invalid_acting_assignments_are_refused(org, who, where, start, end, field):
    with schema_context("brebes"):
        with pytest.raises(DomainError) as excinfo:
            appoint(org, getattr(org, who), getattr(org, where), "plh", start, end)
        assert excinfo.value.code == "acting_invalid"
        assert field in excinfo.value.fields
        assert not ActingAssignment.objects.exists()


def test_the_database_refuses_an_end_before_the_start(org):
    with schema_context("brebes"), pytest.raises(IntegrityError), transaction.atomic():
        ActingAssignment.objects.create(
            employee=org.spare, position=org.head, kind="plh", start=DAY, end=DAY - timedelta(days=1), created_by="x"
        )


def test_ending_an_assignment_is_audited_and_cannot_precede_its_start(org):
    with schema_context("brebes"):
        assignment = appoint(org, org.spare, org.section_head, "plt", DAY, None)
        with pytest.raises(DomainError):
            services.acting_assignment_end(assignment=assignment, end=DAY - timedelta(days=1), actor="brebes:admin")
        services.acting_assignment_end(assignment=assignment, end=DAY + timedelta(days=5), actor="brebes:admin")
        assert position_official(position=org.section_head, on=DAY + timedelta(days=6)) is None
        actions = list(
            AuditRecord.objects.filter(target_type="acting", target_id=str(assignment.pk)).values_list(
                "action", flat=True
            )
        )
        assert actions == ["acting.create", "acting.end"]


def test_the_tree_reads_a_bounded_number_of_queries(org, django_assert_max_num_queries):
    with schema_context("brebes"):
        for i in range(30):
            Position.objects.create(code=f"EXTRA-{i}", title=f"Extra {i}", unit=org.section, superior=org.section_head)
        # Four reads, each preceded by django-tenants' SET search_path; 30 more positions cost nothing.
        with django_assert_max_num_queries(8):
            roots = org_tree(on=DAY)
        assert [r.unit.code for r in roots] == ["KOMINFO"]
        division = roots[0].children[0]
        assert division.unit == org.division
        assert {p.code for p, _o, _n in division.children[0].positions} >= {"KOMINFO-KASI", "KOMINFO-ANALIS"}


# --- the permission table -------------------------------------------------------------------------------------


def test_every_action_is_in_the_table_and_only_admins_manage():
    assert set(PERMISSIONS) == set(Action)
    for action in (Action.ORG_MANAGE, Action.ORG_IMPORT, Action.ORG_EXPORT):
        assert PERMISSIONS[action] == {Role.REGION_ADMIN}
    assert PERMISSIONS[Action.ORG_VIEW] == set(Role)


@pytest.mark.parametrize("role", list(Role))
def test_roles_get_exactly_what_the_table_says(seed, role):
    with schema_context("brebes"):
        user = get_user_model().objects.create_user(f"u-{role.value}", password="x")
        services.roles_ensure()
        user.groups.add(Group.objects.get(name=role.value))
        for action, roles in PERMISSIONS.items():
            fresh = get_user_model().objects.get(pk=user.pk)
            assert can(fresh, action) == (role in roles), (role, action)


def test_an_account_without_a_role_may_do_nothing(seed):
    with schema_context("brebes"):
        user = get_user_model().objects.create_user("tanpa-peran", password="x")
        assert not any(can(user, action) for action in Action)


def test_staff_see_the_structure_but_not_personal_data_nor_the_import(seed, org):
    staff = login(seed, username="staf")
    assert staff.get("/organisasi/").status_code == 200
    assert staff.get("/organisasi/jabatan/").status_code == 200
    for path in (
        "/organisasi/pegawai/",
        f"/organisasi/pegawai/{org.kadis.pk}/",
        "/organisasi/impor/",
        "/organisasi/ekspor/pegawai.csv",
        "/organisasi/impor/templat/unit.csv",
        "/organisasi/plt-plh/tambah/",
    ):
        assert staff.get(path).status_code == 403, path
    response = staff.post("/organisasi/impor/", {"kind": "unit", "file": _csv_file(b"kode,nama,jenis\nX,Y,opd\n")})
    assert response.status_code == 403
    response = staff.post(f"/organisasi/pegawai/{org.kadis.pk}/aktivasi/")
    assert response.status_code == 403
    with schema_context("brebes"):
        assert not Unit.objects.filter(code="X").exists()


def test_the_region_admin_may_manage(seed, org):
    admin = login(seed)
    for path in (
        "/organisasi/pegawai/",
        f"/organisasi/pegawai/{org.kadis.pk}/",
        "/organisasi/impor/",
        "/organisasi/plt-plh/tambah/",
    ):
        assert admin.get(path).status_code == 200, path


def _csv_file(content: bytes, name: str = "data.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


# --- every URL refuses anonymous visitors ----------------------------------------------------------------------


def _org_paths(org: Org) -> list[str]:
    from tenant_apps.org import urls

    kwargs = {"pk": org.kadis.pk, "kind": "unit", "token": "x" * 43}
    paths = []
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        needed = {k: v for k, v in kwargs.items() if k in pattern.pattern.converters}
        paths.append(reverse(f"org:{pattern.name}", kwargs=needed, urlconf="mitra.urls_tenants"))
    return paths


def test_every_org_url_sends_anonymous_visitors_to_the_login_page(seed, org):
    anonymous = Client(HTTP_HOST="brebes.localhost")
    paths = _org_paths(org)
    assert len(paths) == 13
    for path in paths:
        for method in ("get", "post"):
            response = getattr(anonymous, method)(path)
            assert response.status_code == 302, (method, path)
            assert response["Location"].startswith("/masuk/"), (method, path)


@pytest.mark.parametrize("path", ["units/", "positions/", "employees/", "positions/1/official/"])
def test_every_org_api_refuses_anonymous_callers(seed, path):
    response = APIClient(HTTP_HOST="brebes.localhost").get(f"/api/v1/org/{path}")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] in ("not_authenticated", "authentication_failed")


# --- isolation, from the attacker's side --------------------------------------------------------------------------


@pytest.fixture
def two_regions(seed) -> tuple[Org, Org]:
    with schema_context("brebes"):
        brebes = build_org("KOMINFO", "Dinas Kominfo Brebes")
    with schema_context("tegal"):
        tegal = build_org("RAHASIA", "Dinas Rahasia Tegal")
        Unit.objects.create(code="TGL-ONLY", name="Unit Khusus Tegal", kind=Unit.Kind.OPD)
    return brebes, tegal


def test_a_tegal_admin_session_is_worthless_on_brebes_organisation_pages(seed, two_regions):
    tegal = login(seed, "tegal")
    assert tegal.get("/organisasi/").status_code == 200
    attacker = Client(HTTP_HOST="brebes.localhost")
    attacker.cookies["sessionid"] = tegal.cookies["sessionid"].value
    for path in ("/organisasi/", "/organisasi/unit/", "/organisasi/pegawai/", "/organisasi/impor/"):
        response = attacker.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/masuk/"), path


def test_a_tegal_admin_token_is_rejected_on_brebes_api(seed, two_regions):
    tegal = api("tegal")
    assert tegal.get("/api/v1/org/units/").status_code == 200
    key = tegal._credentials["HTTP_AUTHORIZATION"]
    attacker = APIClient(HTTP_HOST="brebes.localhost")
    attacker.credentials(HTTP_AUTHORIZATION=key)
    response = attacker.get("/api/v1/org/units/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_each_admin_sees_only_their_own_region(seed, two_regions):
    own_and_other = {
        "brebes": ("Dinas Kominfo Brebes", ["Dinas Rahasia Tegal", "Unit Khusus Tegal", "RAHASIA-KADIS"]),
        "tegal": ("Dinas Rahasia Tegal", ["Dinas Kominfo Brebes", "KOMINFO-KADIS"]),
    }
    for slug, (own, others) in own_and_other.items():
        client = login(seed, slug)
        for path in ("/organisasi/", "/organisasi/unit/", "/organisasi/jabatan/", "/organisasi/pegawai/"):
            html = client.get(path).content.decode()
            assert not [other for other in others if other in html], (slug, path)
        assert own in client.get("/organisasi/").content.decode()
        names = [u["name"] for u in api(slug).get("/api/v1/org/units/").json()["results"]]
        assert own in names
        assert not set(others) & set(names)
        export = client.get("/organisasi/ekspor/unit.csv").content.decode("utf-8-sig")
        assert own in export
        assert not [other for other in others if other in export]


def test_a_tegal_only_id_is_not_found_on_brebes(seed, two_regions):
    with schema_context("tegal"):
        for i in range(20):
            Position.objects.create(code=f"TGL-{i}", title=f"Jabatan Tegal {i}", unit=two_regions[1].opd)
        tegal_pk = Position.objects.order_by("-pk").first().pk
    with schema_context("brebes"):
        assert not Position.objects.filter(pk=tegal_pk).exists()
    admin = login(seed)
    assert admin.get(f"/organisasi/jabatan/{tegal_pk}/").status_code == 404
    assert api().get(f"/api/v1/org/positions/{tegal_pk}/official/").status_code == 404


# --- pages and API -----------------------------------------------------------------------------------------------


def test_the_tree_page_shows_units_positions_and_who_acts_today(seed, org):
    with schema_context("brebes"):
        appoint(org, org.spare, org.section_head, "plt", date(2020, 1, 1), None)
    html = login(seed, username="staf").get("/organisasi/").content.decode()
    for text in (
        "Dinas Komunikasi dan Informatika",
        "Bidang IKP",
        "Seksi Informasi",
        "Ahmad Fauzi",
        "Plt.",
        "Eko Prasetyo",
        "2 pemangku",
    ):
        assert text in html, text
    assert org.kadis.nip not in html  # staff see names, not NIPs


def test_lists_search(seed, org):
    admin = login(seed)
    html = admin.get("/organisasi/pegawai/", {"q": "dewi"}).content.decode()
    assert "Dewi Lestari" in html
    assert "Budi Santoso" not in html
    html = admin.get("/organisasi/pegawai/", {"q": nip(2, gender=2)}).content.decode()
    assert "Siti Rahmawati" in html
    assert "Dewi" not in html
    html = admin.get("/organisasi/unit/", {"q": "seksi"}).content.decode()
    assert "KOMINFO.IKP.1" in html
    assert "Bidang IKP" not in html
    html = admin.get("/organisasi/jabatan/", {"q": "pranata"}).content.decode()
    assert "Pranata Komputer" in html
    assert "Kepala Bidang" not in html
    html = admin.get("/organisasi/jabatan/", {"unit": org.opd.pk}).content.decode()
    assert "Kepala Dinas" in html
    assert "Pranata" not in html
    assert admin.get("/organisasi/jabatan/", {"unit": "99999999999999999999"}).status_code == 404
    assert admin.get("/organisasi/pegawai/", {"q": "x" * 5000}).status_code == 200


def test_the_admin_appoints_a_plh_through_the_form(seed, org):
    admin = login(seed)
    form = {
        "position": "kominfo-kadis",
        "nip": nip(2, gender=2),
        "kind": "plh",
        "start": "2026-07-01",
        "end": "2026-07-05",
        "basis": "Surat Perintah 800/12",
    }
    response = admin.post("/organisasi/plt-plh/tambah/", form)
    assert response.status_code == 302
    with schema_context("brebes"):
        assignment = ActingAssignment.objects.get()
        assert (assignment.employee, assignment.position, assignment.kind) == (org.kabid, org.head, "plh")
    response = admin.post("/organisasi/plt-plh/tambah/", {**form, "nip": nip(5), "start": "2026-07-03"})
    assert response.status_code == 200
    assert "Sudah ada Plh. Siti Rahmawati" in response.content.decode()
    response = admin.post("/organisasi/plt-plh/tambah/", {**form, "end": "2026-06-01"})
    assert "Tanggal selesai tidak boleh sebelum tanggal mulai" in response.content.decode()
    response = admin.post("/organisasi/plt-plh/tambah/", {**form, "nip": "123"})
    assert "NIP harus 18 digit" in response.content.decode()
    response = admin.post(f"/organisasi/plt-plh/{assignment.pk}/akhiri/", {"end": "2026-07-02"})
    assert response.status_code == 302
    with schema_context("brebes"):
        assert ActingAssignment.objects.get().end == date(2026, 7, 2)


def test_an_activation_link_for_an_employee_works_once_on_the_region_host(seed, org):
    with schema_context("brebes"):
        account = get_user_model().objects.create_user(org.spare.nip, password=None)
        Employee.objects.filter(pk=org.spare.pk).update(account=account)
    admin = login(seed)
    response = admin.post(f"/organisasi/pegawai/{org.spare.pk}/aktivasi/")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    html = response.content.decode()
    start = html.index('value="http://brebes.localhost') + len('value="http://brebes.localhost')
    path = html[html.index("/aktivasi/", start) : html.index('"', start)]
    newcomer = Client(HTTP_HOST="brebes.localhost")
    assert newcomer.get(path).status_code == 200
    response = newcomer.post(path, {"new_password1": "Kopi-Tubruk-2026", "new_password2": "Kopi-Tubruk-2026"})
    assert response.status_code == 302
    assert Client(HTTP_HOST="tegal.localhost").get(path).status_code == 404
    login(seed, username=org.spare.nip, password="Kopi-Tubruk-2026")


def test_an_employee_without_an_account_gets_no_link(seed, org):
    admin = login(seed)
    response = admin.post(f"/organisasi/pegawai/{org.spare.pk}/aktivasi/", follow=True)
    assert "tidak mempunyai akun aktif" in response.content.decode()


def test_the_api_answers_who_acts_for_a_position(seed, org):
    with schema_context("brebes"):
        appoint(org, org.spare, org.section_head, "plt", date(2020, 1, 1), None)
    body = api(username="staf").get(f"/api/v1/org/positions/{org.section_head.pk}/official/").json()
    assert body["official"] == {"name": "Eko Prasetyo", "basis": "plt", "prefix": "Plt."}
    assert body["position"]["code"] == "KOMINFO-KASI"
    with schema_context("brebes"):
        ActingAssignment.objects.all().delete()
    assert api(username="staf").get(f"/api/v1/org/positions/{org.section_head.pk}/official/").json()["official"] is None
    assert api(username="staf").get("/api/v1/org/positions/abc/official/").status_code == 404


def test_the_employee_api_is_for_admins_only(seed, org):
    assert api(username="staf").get("/api/v1/org/employees/").status_code == 403
    rows = api().get("/api/v1/org/employees/", {"q": "siti"}).json()["results"]
    assert [r["nip"] for r in rows] == [nip(2, gender=2)]
    assert api().get("/api/v1/org/units/", {"q": "x" * 500}).status_code == 400


def test_the_position_page_shows_holders_acting_officials_and_the_hierarchy(seed, org):
    with schema_context("brebes"):
        appoint(org, org.kabid, org.head, "plh", date(2020, 1, 1), None)
    admin_html = login(seed).get(f"/organisasi/jabatan/{org.head.pk}/").content.decode()
    for text in ("Ahmad Fauzi", org.kadis.nip, "Plh.", "Siti Rahmawati", "Kepala Bidang IKP", "Akhiri", "ST/1/2026"):
        assert text in admin_html, text
    staff_html = login(seed, username="staf").get(f"/organisasi/jabatan/{org.head.pk}/").content.decode()
    assert "Ahmad Fauzi" in staff_html
    assert org.kadis.nip not in staff_html
    assert "Akhiri" not in staff_html
    assert "Tunjuk Plt./Plh." not in staff_html
