"""Logging in to a region, from the attacker's side: guessing passwords (page, API, control plane), password
reset links that must only ever point at the region's own address, and the shell's language switch.

Throttle counters live in the shared test Redis, so every test uses its own usernames and client address
(other runs on this machine, and other tests, never share a counter with it).
"""

from __future__ import annotations

import re
import secrets
import time
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from shared_apps.audit.models import AuditRecord
from tenant_apps.workspace.services import password_reset_link

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

PASSWORD = "sandi-uji-yang-panjang-1"
LOCKED = "Terlalu banyak percobaan masuk yang gagal"
WRONG = "Nama pengguna atau kata sandi salah."


def unique(prefix: str = "uji") -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def client_address() -> str:
    # A documentation-range IPv6 address of its own: no other test or run shares its counter.
    return f"2001:db8::{secrets.token_hex(2)}:{secrets.token_hex(2)}"


def account(schema: str, username: str | None = None, *, email: str = "", password: str = PASSWORD):
    with schema_context(schema):
        return get_user_model().objects.create_user(username or unique(), password=password, email=email)


def page_client(host: str, address: str | None = None) -> Client:
    return Client(HTTP_HOST=host, REMOTE_ADDR=address or client_address())


def login(client: Client, username: str, password: str):
    response = client.post("/masuk/", {"username": username, "password": password})
    connection.set_schema_to_public()
    return response


def fail_times(client: Client, username: str, times: int) -> None:
    for attempt in range(times):
        response = login(client, username, "bukan-sandinya")
        assert response.status_code == 200, f"attempt {attempt + 1} was not an ordinary failure"
        assert WRONG in response.content.decode()


def assert_locked(response) -> None:
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert int(response["Retry-After"]) > 0


# --- brute force ------------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(seed):
    user = account("brebes")
    client = page_client("brebes.localhost")
    fail_times(client, user.username, 5)

    response = login(client, user.username, PASSWORD)
    assert_locked(response)
    assert client.get("/").status_code == 302  # not logged in
    # From another address too: the lock is on the account, not on the machine.
    assert_locked(login(page_client("brebes.localhost"), user.username, PASSWORD))


def test_unknown_usernames_lock_the_same_way_and_say_nothing_about_existence(seed):
    client = page_client("brebes.localhost")
    ghost = unique("tidak-ada")
    fail_times(client, ghost, 5)
    assert_locked(login(client, ghost, "apa-saja"))


def test_lock_ends_when_the_window_has_passed(seed, settings):
    settings.MITRA_LOGIN_THROTTLE = {"username_limit": 2, "window": 1}
    user = account("brebes")
    client = page_client("brebes.localhost")
    fail_times(client, user.username, 2)
    assert_locked(login(client, user.username, PASSWORD))
    time.sleep(1.2)
    assert login(client, user.username, PASSWORD).status_code == 302


def test_successful_login_clears_earlier_failures(seed):
    user = account("brebes")
    client = page_client("brebes.localhost")
    fail_times(client, user.username, 4)
    assert login(client, user.username, PASSWORD).status_code == 302
    client.post("/keluar/")
    fail_times(client, user.username, 4)  # would be locked at the fifth if the count had survived
    assert login(client, user.username, PASSWORD).status_code == 302


def test_a_lock_in_brebes_does_not_lock_the_same_username_in_tegal(seed):
    username = unique()
    account("brebes", username)
    account("tegal", username)
    address = client_address()
    fail_times(page_client("brebes.localhost", address), username, 5)
    assert_locked(login(page_client("brebes.localhost", address), username, PASSWORD))
    assert login(page_client("tegal.localhost", address), username, PASSWORD).status_code == 302


def test_many_usernames_from_one_address_lock_the_address(seed, settings):
    # Password spraying: one guess for each of many accounts.
    settings.MITRA_LOGIN_THROTTLE = {"ip_limit": 3}
    address = client_address()
    for _ in range(3):
        victim = account("brebes")
        login(page_client("brebes.localhost", address), victim.username, "Rahasia123!")
    honest = account("brebes")
    assert_locked(login(page_client("brebes.localhost", address), honest.username, PASSWORD))
    assert login(page_client("brebes.localhost"), honest.username, PASSWORD).status_code == 302


def test_a_forged_x_forwarded_for_does_not_dodge_the_address_lock(seed, settings):
    settings.MITRA_LOGIN_THROTTLE = {"ip_limit": 3}
    address = client_address()
    for n in range(3):
        client = Client(HTTP_HOST="brebes.localhost", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        login(client, account("brebes").username, "Rahasia123!")
    forged = Client(HTTP_HOST="brebes.localhost", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert_locked(login(forged, account("brebes").username, PASSWORD))


def test_guesses_through_the_api_and_the_page_count_together(seed):
    user = account("brebes")
    address = client_address()
    api = APIClient(HTTP_HOST="brebes.localhost", REMOTE_ADDR=address)
    for _ in range(3):
        response = api.post("/api/v1/auth/token/", {"username": user.username, "password": "salah"})
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_credentials"
    fail_times(page_client("brebes.localhost", address), user.username, 2)

    response = api.post("/api/v1/auth/token/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "login_locked"
    assert LOCKED in response.json()["error"]["message"]
    assert int(response["Retry-After"]) > 0
    with schema_context("brebes"):
        assert not Token.objects.filter(user=user).exists()
    assert_locked(login(page_client("brebes.localhost", address), user.username, PASSWORD))


def test_control_plane_login_is_throttled_too(seed):
    operator = account("public")
    client = page_client("localhost")
    fail_times(client, operator.username, 5)
    assert_locked(login(client, operator.username, PASSWORD))
    # The same username in a region is a different account with its own count.
    account("brebes", operator.username)
    assert login(page_client("brebes.localhost"), operator.username, PASSWORD).status_code == 302


# --- password reset ---------------------------------------------------------------------------------------


@pytest.fixture
def eager_tasks():
    """Celery tasks run in this process when sent: the mail lands in Django's locmem outbox, which a worker
    process could not show us."""
    from mitra.celery_app import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before


def reset_link_in(message) -> str:
    links = re.findall(r"https?://\S+", message.body)
    resets = [link for link in links if "/kata-sandi/atur/" in link]
    assert len(resets) == 1, message.body
    return resets[0]


def request_reset(host: str, email: str, django_capture_on_commit_callbacks, **headers):
    with django_capture_on_commit_callbacks(execute=True):
        response = Client(HTTP_HOST=host, **headers).post("/kata-sandi/lupa/", {"email": email})
    connection.set_schema_to_public()
    return response


def test_reset_link_points_to_the_regions_own_address_whatever_the_request_says(
    seed, eager_tasks, django_capture_on_commit_callbacks
):
    email = f"{unique()}@brebeskab.go.id"
    user = account("brebes", email=email)
    response = request_reset(
        "brebes.localhost:6666",
        email,
        django_capture_on_commit_callbacks,
        HTTP_X_FORWARDED_HOST="evil.example",
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_FORWARDED="host=evil.example",
    )
    assert response.status_code == 302
    assert response["Location"] == "/kata-sandi/lupa/terkirim/"

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [email]
    assert "Kabupaten Brebes" in message.subject
    link = reset_link_in(message)
    parts = urlsplit(link)
    assert (parts.scheme, parts.netloc) == ("http", "brebes.localhost:8000")
    assert "evil" not in message.body
    assert "6666" not in message.body
    with schema_context("brebes"):
        assert AuditRecord.objects.filter(action="account.password_reset_request", target_id=str(user.pk)).exists()


@pytest.mark.parametrize("spoofed_host", ["evil.example", "brebes.localhost.evil.example", "evil.example:8000"])
def test_a_foreign_host_header_never_reaches_a_region_reset_page(
    seed, eager_tasks, django_capture_on_commit_callbacks, spoofed_host
):
    email = f"{unique()}@brebeskab.go.id"
    account("brebes", email=email)
    response = request_reset(spoofed_host, email, django_capture_on_commit_callbacks)
    assert response.status_code in (400, 404)
    assert mail.outbox == []


def test_reset_link_sets_a_new_password_once(seed, eager_tasks, django_capture_on_commit_callbacks):
    email = f"{unique()}@brebeskab.go.id"
    user = account("brebes", email=email)
    with schema_context("brebes"):
        token = Token.objects.create(user=user)
    request_reset("brebes.localhost", email, django_capture_on_commit_callbacks)
    path = urlsplit(reset_link_in(mail.outbox[0])).path

    client = page_client("brebes.localhost")
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    assert 'name="new_password1"' in form_page.content.decode()
    new_password = "kata-sandi-baru-brebes-9"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    assert done["Location"] == "/kata-sandi/selesai/"
    connection.set_schema_to_public()

    assert login(page_client("brebes.localhost"), user.username, new_password).status_code == 302
    assert login(page_client("brebes.localhost"), user.username, PASSWORD).status_code == 200
    with schema_context("brebes"):
        assert not Token.objects.filter(key=token.key).exists()  # the old API token is revoked
        assert AuditRecord.objects.filter(action="account.password_reset", target_id=str(user.pk)).exists()
    again = page_client("brebes.localhost").get(path, follow=True)
    assert "Tautan ini tidak berlaku" in again.content.decode()


def test_brebes_reset_link_is_worthless_on_tegals_host_even_for_a_twin_account(seed):
    with schema_context("brebes"):
        victim = get_user_model().objects.create_user(unique(), password=PASSWORD, email="korban@brebeskab.go.id")
        link = password_reset_link(victim)
        default_token = PasswordResetTokenGenerator().make_token(victim)
    # A Tegal account identical in every field Django's token hashes (id, password hash, last login, e-mail),
    # as a schema cloned from Brebes would hold.
    with schema_context("tegal"):
        twin = get_user_model()(pk=victim.pk, username=victim.username, password=victim.password, email=victim.email)
        twin.save(force_insert=True)
        # Without the region in the token, Django's own token would open the twin:
        assert PasswordResetTokenGenerator().check_token(twin, default_token)

    attacker = page_client("tegal.localhost")
    page = attacker.get(urlsplit(link).path, follow=True)
    assert "Tautan ini tidak berlaku" in page.content.decode()
    assert 'name="new_password1"' not in page.content.decode()
    connection.set_schema_to_public()
    with schema_context("tegal"):
        twin.refresh_from_db()
        assert twin.password == victim.password


def test_an_unknown_address_gets_the_same_answer_and_no_mail(seed, eager_tasks, django_capture_on_commit_callbacks):
    response = request_reset("brebes.localhost", f"{unique()}@contoh.go.id", django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == "/kata-sandi/lupa/terkirim/"
    assert mail.outbox == []


def test_an_address_of_another_region_gets_no_mail(seed, eager_tasks, django_capture_on_commit_callbacks):
    email = f"{unique()}@tegalkab.go.id"
    account("tegal", email=email)
    request_reset("brebes.localhost", email, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_reset_mails_are_limited_per_address(seed, eager_tasks, django_capture_on_commit_callbacks):
    email = f"{unique()}@brebeskab.go.id"
    account("brebes", email=email)
    for _ in range(5):
        assert request_reset("brebes.localhost", email, django_capture_on_commit_callbacks).status_code == 302
    assert len(mail.outbox) == 3


def test_an_account_waiting_for_activation_gets_no_reset_mail(seed, eager_tasks, django_capture_on_commit_callbacks):
    email = f"{unique()}@brebeskab.go.id"
    with schema_context("brebes"):
        get_user_model().objects.create_user(unique(), password=None, email=email)
    request_reset("brebes.localhost", email, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_the_control_plane_has_no_password_reset_page(seed):
    assert Client(HTTP_HOST="localhost").get("/kata-sandi/lupa/").status_code == 404


# --- language -----------------------------------------------------------------------------------------------


def test_switching_to_english_translates_the_login_page(seed):
    client = page_client("brebes.localhost")
    indonesian = client.get("/masuk/").content.decode()
    assert "Masuk ke ruang kerja Kabupaten Brebes" in indonesian
    assert 'lang="id"' in indonesian

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/masuk/"})
    assert response.status_code == 302
    english = client.get("/masuk/").content.decode()
    assert 'lang="en"' in english
    assert "Sign in to the Kabupaten Brebes workspace" in english
    assert "Forgot your password?" in english
    assert "Masuk ke ruang kerja" not in english

    failed = client.post("/masuk/", {"username": unique(), "password": "x"}).content.decode()
    assert "Incorrect username or password." in failed


def test_the_language_choice_stays_on_its_own_host(seed):
    brebes = page_client("brebes.localhost")
    brebes.post("/i18n/setlang/", {"language": "en", "next": "/masuk/"})
    cookie = brebes.cookies["django_language"]
    assert cookie.value == "en"
    assert cookie["domain"] == ""


def test_pages_stay_indonesian_for_an_english_browser_until_english_is_chosen(seed):
    client = Client(HTTP_HOST="brebes.localhost", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Masuk ke ruang kerja" in client.get("/masuk/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/masuk/"})
    assert "Masuk ke ruang kerja" not in client.get("/masuk/").content.decode()
