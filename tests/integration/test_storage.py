"""Region file storage: every name lives under its region's prefix, and a region reaches only its own.

Tried on the local filesystem and over HTTP against a real S3 server (SeaweedFS), with Tegal as the
attacker and Brebes as the victim.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from botocore.exceptions import ClientError
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import ContentFile
from django_tenants.utils import schema_context

from tenants.storage import RegionFileSystemStorage, RegionS3Storage, storage_prefix
from tests.fixtures.s3server import S3Server, seaweedfs

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

LETTER = b"%PDF-1.4 surat rahasia Kabupaten Brebes"


def download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own http://127.0.0.1
        return response.read()


def download_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own http://127.0.0.1
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


# Local filesystem


@pytest.fixture
def local(tmp_path: Path) -> RegionFileSystemStorage:
    return RegionFileSystemStorage(location=tmp_path, base_url="/media/")


@pytest.fixture
def brebes_letter(seed, local: RegionFileSystemStorage) -> str:
    with schema_context("brebes"):
        return local.save("eoffice/surat.pdf", ContentFile(LETTER))


def test_a_brebes_file_is_named_and_stored_under_brebes(brebes_letter, local, tmp_path):
    assert brebes_letter == "brebes/eoffice/surat.pdf"
    assert (tmp_path / "brebes" / "eoffice" / "surat.pdf").read_bytes() == LETTER
    with schema_context("brebes"):
        with local.open(brebes_letter) as file:
            assert file.read() == LETTER
        assert local.exists(brebes_letter)
        assert local.size(brebes_letter) == len(LETTER)
        assert local.url(brebes_letter) == "/media/brebes/eoffice/surat.pdf"


def test_a_second_file_of_the_same_name_does_not_overwrite_the_first(brebes_letter, local):
    with schema_context("brebes"):
        second = local.save("eoffice/surat.pdf", ContentFile(b"other"))
        assert second != brebes_letter
        assert second.startswith("brebes/eoffice/surat")
        assert local.open(brebes_letter).read() == LETTER


@pytest.mark.parametrize(
    "reach",
    [
        pytest.param(lambda storage, name: storage.open(name), id="open"),
        pytest.param(lambda storage, name: storage.exists(name), id="exists"),
        pytest.param(lambda storage, name: storage.size(name), id="size"),
        pytest.param(lambda storage, name: storage.url(name), id="url"),
        pytest.param(lambda storage, name: storage.path(name), id="path"),
        pytest.param(lambda storage, name: storage.get_modified_time(name), id="modified-time"),
        pytest.param(lambda storage, name: storage.listdir("brebes/eoffice"), id="listdir"),
        pytest.param(lambda storage, name: storage.delete(name), id="delete"),
    ],
)
def test_tegal_cannot_reach_a_brebes_file(brebes_letter, local, tmp_path, reach):
    with schema_context("tegal"), pytest.raises(SuspiciousFileOperation):
        reach(local, brebes_letter)
    assert (tmp_path / brebes_letter).read_bytes() == LETTER


def test_tegal_cannot_list_the_storage_root(brebes_letter, local):
    with schema_context("tegal"), pytest.raises(SuspiciousFileOperation):
        local.listdir("")


def test_a_region_file_named_after_another_region_stays_in_its_own_prefix(seed, local, tmp_path):
    with schema_context("tegal"):
        name = local.save("brebes/eoffice/surat.pdf", ContentFile(b"planted"))
    assert name == "tegal/brebes/eoffice/surat.pdf"
    assert not (tmp_path / "brebes").exists()


@pytest.mark.parametrize("name", ["eoffice/surat.pdf", "/eoffice/surat.pdf", "surat.pdf"])
def test_a_region_cannot_open_a_name_without_its_prefix(brebes_letter, local, name):
    with schema_context("brebes"), pytest.raises(SuspiciousFileOperation):
        local.open(name)


@pytest.mark.parametrize(
    "name",
    [
        "../brebes/eoffice/surat.pdf",
        "brebes/../brebes/eoffice/surat.pdf",
        "brebes/eoffice/../../tegal/rahasia.txt",
        "brebes/../tegal/rahasia.txt",
        "brebes/../../etc/passwd",
    ],
)
def test_a_path_traversal_is_refused(seed, local, tmp_path, name):
    # A Tegal file sits next to Brebes's prefix: the traversal must not reach it from Brebes.
    with schema_context("tegal"):
        local.save("rahasia.txt", ContentFile(b"tegal only"))
    with schema_context("brebes"):
        for reach in (local.open, local.exists, local.size, local.url, local.path, local.delete):
            with pytest.raises(SuspiciousFileOperation):
                reach(name)
        with pytest.raises(SuspiciousFileOperation):
            local.save(name, ContentFile(b"overwrite"))
    assert (tmp_path / "tegal" / "rahasia.txt").read_bytes() == b"tegal only"


def test_the_control_plane_can_read_every_region(brebes_letter, local):
    assert local.open(brebes_letter).read() == LETTER
    assert local.exists(brebes_letter)
    assert local.size(brebes_letter) == len(LETTER)
    assert local.url(brebes_letter) == "/media/brebes/eoffice/surat.pdf"
    assert local.listdir("brebes/eoffice") == ([], ["surat.pdf"])


def test_the_control_plane_writes_a_region_file_inside_storage_prefix(seed, local, tmp_path):
    with storage_prefix("brebes"):
        name = local.save("mou/scan.pdf", ContentFile(b"MoU"))
    assert name == "brebes/mou/scan.pdf"
    assert (tmp_path / "brebes" / "mou" / "scan.pdf").read_bytes() == b"MoU"
    with schema_context("brebes"):
        assert local.open(name).read() == b"MoU"
    with schema_context("tegal"), pytest.raises(SuspiciousFileOperation):
        local.open(name)


def test_the_control_plane_writes_its_own_files_under_public(seed, local):
    assert local.save("laporan.csv", ContentFile(b"a,b")) == "public/laporan.csv"


def test_tegal_cannot_write_under_brebes_prefix_with_storage_prefix(seed, local, tmp_path):
    with schema_context("tegal"), storage_prefix("brebes"), pytest.raises(SuspiciousFileOperation):
        local.save("eoffice/palsu.pdf", ContentFile(b"forged"))
    assert not (tmp_path / "brebes").exists()


def test_storage_prefix_refuses_a_name_that_is_not_a_schema():
    with pytest.raises(ValidationError), storage_prefix("../tegal"):
        pass


# S3 over HTTP against SeaweedFS


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    with seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        yield server


@pytest.fixture(scope="session")
def s3(s3_server: S3Server) -> RegionS3Storage:
    # One instance for the run: it reads the schema from the connection on every call, and building its
    # boto3 client is the slow part.
    return RegionS3Storage(**s3_server.storage_options())


@pytest.fixture
def brebes_object(seed, s3: RegionS3Storage) -> str:
    with schema_context("brebes"):
        return s3.save("eoffice/surat.pdf", ContentFile(LETTER))


def test_a_brebes_file_becomes_an_object_under_the_brebes_key_prefix(brebes_object, s3_server):
    assert brebes_object.startswith("brebes/eoffice/surat")
    listing = s3_server.client().list_objects_v2(Bucket=s3_server.bucket_name, Prefix="brebes/")
    assert brebes_object in [item["Key"] for item in listing["Contents"]]


def test_a_brebes_object_reads_back_the_same_bytes(brebes_object, s3):
    with schema_context("brebes"):
        with s3.open(brebes_object) as file:
            assert file.read() == LETTER
        assert s3.exists(brebes_object)
        assert s3.size(brebes_object) == len(LETTER)


def test_a_brebes_url_is_a_presigned_download(brebes_object, s3, s3_server):
    with schema_context("brebes"):
        url = s3.url(brebes_object)
    assert url.startswith(f"{s3_server.endpoint_url}/{s3_server.bucket_name}/brebes/")
    assert "X-Amz-Signature=" in url
    assert download(url) == LETTER


def test_a_tampered_signature_is_refused_by_the_server(brebes_object, s3):
    with schema_context("brebes"):
        url = s3.url(brebes_object)
    signature = dict(parse_qsl(urlsplit(url).query))["X-Amz-Signature"]
    # Same length and alphabet, one digit changed: only the signature check can tell.
    tampered = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    assert download_status(with_query(url, **{"X-Amz-Signature": signature})) == 200  # rebuilding is harmless
    assert download_status(with_query(url, **{"X-Amz-Signature": tampered})) == 403


def test_a_url_for_another_object_cannot_be_forged_from_a_signed_one(brebes_object, s3):
    with schema_context("brebes"):
        url = s3.url(brebes_object)
    forged = url.replace("/brebes/", "/tegal/", 1)
    assert download_status(forged) == 403


def test_an_expired_url_is_refused_by_the_server(brebes_object, s3):
    with schema_context("brebes"):
        url = s3.url(brebes_object, expire=1)
    # X-Amz-Date has one-second resolution, so wait past a full second beyond the expiry.
    time.sleep(2.5)
    assert download_status(url) == 403


def test_an_unsigned_request_is_refused_by_the_server(brebes_object, s3_server):
    assert download_status(f"{s3_server.endpoint_url}/{s3_server.bucket_name}/{brebes_object}") == 403


def test_a_client_with_a_wrong_secret_key_is_refused_by_the_server(brebes_object, s3_server):
    intruder = s3_server.client(secret_key="not-the-secret-key")
    with pytest.raises(ClientError) as error:
        intruder.get_object(Bucket=s3_server.bucket_name, Key=brebes_object)
    assert error.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    with pytest.raises(ClientError):
        intruder.put_object(Bucket=s3_server.bucket_name, Key="brebes/palsu.pdf", Body=b"forged")


@pytest.mark.parametrize(
    "reach",
    [
        pytest.param(lambda storage, name: storage.open(name).read(), id="open"),
        pytest.param(lambda storage, name: storage.exists(name), id="exists"),
        pytest.param(lambda storage, name: storage.size(name), id="size"),
        pytest.param(lambda storage, name: storage.url(name), id="url"),
        pytest.param(lambda storage, name: storage.get_modified_time(name), id="modified-time"),
        pytest.param(lambda storage, name: storage.listdir("brebes/"), id="listdir"),
        pytest.param(lambda storage, name: storage.delete(name), id="delete"),
    ],
)
def test_tegal_cannot_reach_a_brebes_object(brebes_object, s3, s3_server, reach):
    with schema_context("tegal"), pytest.raises(SuspiciousFileOperation):
        reach(s3, brebes_object)
    s3_server.client().head_object(Bucket=s3_server.bucket_name, Key=brebes_object)


def test_brebes_cannot_reach_a_tegal_object_by_traversal(seed, s3, s3_server):
    with schema_context("tegal"):
        tegal_object = s3.save("rahasia.txt", ContentFile(b"tegal only"))
    traversal = "brebes/../" + tegal_object
    with schema_context("brebes"):
        for reach in (s3.open, s3.exists, s3.size, s3.url, s3.delete):
            with pytest.raises(SuspiciousFileOperation):
                reach(traversal)
    body = s3_server.client().get_object(Bucket=s3_server.bucket_name, Key=tegal_object)["Body"].read()
    assert body == b"tegal only"


def test_the_control_plane_writes_a_region_object_inside_storage_prefix(seed, s3, s3_server):
    with storage_prefix("brebes"):
        name = s3.save("mou/scan.pdf", ContentFile(b"MoU"))
    assert name.startswith("brebes/mou/scan")
    with schema_context("brebes"):
        assert download(s3.url(name)) == b"MoU"
    assert s3.open(name).read() == b"MoU"
