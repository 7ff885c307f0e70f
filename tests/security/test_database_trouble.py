"""Finding 7 (low): a full disk and a read-only database showed tracebacks. Now a short 503
page (JSON under /api/), nothing half-written, and the next request works again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client, RequestFactory

from ninety.activity.models import Activity
from ninety.api.services import create_token
from ninety.people.models import Person
from ninety.people.reliability import trouble_response, unavailable_reason
from tests.conftest import build_world

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def read_only() -> Iterator[None]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("SET default_transaction_read_only = on")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA query_only = OFF")
            else:
                cursor.execute("SET default_transaction_read_only = off")


@contextmanager
def disk_full() -> Iterator[None]:
    """SQLite: no page beyond those in use, exactly what a full disk looks like to it.
    PostgreSQL: a trigger raising the server's own disk-full error (SQLSTATE 53100) on insert."""
    table = Activity._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA page_count")
            (pages,) = cursor.fetchone()
            cursor.execute(f"PRAGMA max_page_count = {pages}")
        else:
            cursor.execute(
                "CREATE FUNCTION ninety_disk_full() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION "
                "'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; "
                "END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER ninety_disk_full BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ninety_disk_full()"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA max_page_count = 1073741823")
            else:
                cursor.execute(f"DROP TRIGGER ninety_disk_full ON {table}")
                cursor.execute("DROP FUNCTION ninety_disk_full()")


def _leader_client() -> tuple[Client, Person, str]:
    w = build_world()
    client = Client()
    client.force_login(w.leader.user)
    _, token = create_token(w.leader, "t")
    return client, w.rep, token


def _assert_trouble_page(response, words: str) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 503
    body = response.content.decode()
    assert words in body
    assert "Traceback" not in body and 'File "' not in body


def test_finding7_a_read_only_database_answers_503_not_a_traceback():
    client, rep, token = _leader_client()
    assert client.get("/people/").status_code == 200  # the session's last-seen time is set
    with read_only():
        page = client.post(f"/people/{rep.pk}/high-potential/", {"high_potential": "on"})
        api = client.patch(
            f"/api/people/{rep.pk}", {"high_potential": True}, content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )  # fmt: skip
        assert client.get("/people/").status_code == 200  # reading still works
    _assert_trouble_page(page, "read-only")
    assert api.status_code == 503
    assert api.json() == {"detail": "the database is read-only"}
    assert not Person.objects.get(pk=rep.pk).high_potential
    # Writable again: the same request goes through.
    assert (
        client.post(f"/people/{rep.pk}/high-potential/", {"high_potential": "on"}).status_code
        == 302
    )


def test_finding7_a_full_disk_answers_503_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("NINETY_IMPORTS_DIR", str(tmp_path / "imports"))
    client, _, token = _leader_client()
    assert client.get("/people/").status_code == 200
    rows = "".join(f"r{i},Sam,2026-10-01 09:{i % 60:02d},dial\n" for i in range(20_000))
    body = "external_id,person,occurred_at,type\n" + rows
    with disk_full():
        api = client.post(
            "/api/activities/bulk", body, content_type="text/csv",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )  # fmt: skip
    assert api.status_code == 503, api.content[:300]
    assert api.json() == {"detail": "the database's disk is full"}
    assert not Activity.objects.exists()
    # The page of a database trouble (pages import in the background now: the API is the path
    # that writes activities within the request).
    page = trouble_response(RequestFactory().get("/people/"), "the database's disk is full")
    _assert_trouble_page(page, "disk is full")


def test_finding7_postgresql_and_sqlite_messages_are_recognised():
    for message, reason in (
        ('could not extend file "base/1/2": No space left on device', "disk is full"),
        ("database or disk is full", "disk is full"),
        ("cannot execute UPDATE in a read-only transaction", "read-only"),
        ("attempt to write a readonly database", "read-only"),
        ("database is locked", "busy"),
        ("canceling statement due to statement timeout", "out of time"),
    ):
        assert reason in (unavailable_reason(Exception(message)) or ""), message
    assert unavailable_reason(Exception("no such column: x")) is None
