"""Finding 7 (low): no Content-Security-Policy; a lockout behind a proxy keyed on the proxy's
address (anyone could lock anyone out); 14-day sessions with no idle timeout; no way to change
one's password. And the headers every page carries."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.test import Client

from ninety.api.services import create_token
from ninety.people.sessions import LAST_SEEN
from tests.conftest import PASSWORD, World


def test_finding7_every_page_carries_a_content_security_policy(world: World, client_for):
    for path in ("/login/", "/people/", "/playbook/", "/api/docs"):
        client = client_for(None if path == "/login/" else world.leader)
        response = client.get(path)
        assert response.status_code == 200, path
        policy = response["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'", path
        assert directives["object-src"] == "'none'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in directives["script-src"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_finding7_no_template_has_an_inline_script_or_handler():
    """What the policy would block: inline <script> bodies and on…= attributes."""
    root = Path(__file__).resolve().parents[2] / "src" / "ninety"
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=", re.I)
    for path in root.rglob("*.html"):
        text = path.read_text()
        assert not inline.search(text), path
        assert not handler.search(text), path


def _fail(client: Client, username: str, addr: str, forwarded: str = "") -> int:
    extra = {"REMOTE_ADDR": addr}
    if forwarded:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post("/login/", {"username": username, "password": "wrong"}, **extra).status_code


def test_finding7_behind_a_proxy_one_attacker_cannot_lock_out_everyone(world: World, settings):
    settings.NINETY_TRUSTED_PROXIES = 1
    proxy = "10.0.0.1"
    attacker = Client()
    for _ in range(6):
        _fail(attacker, "dana", proxy, forwarded="203.0.113.9")
    # Dana, from her own address through the same proxy, still signs in.
    dana = Client()
    response = dana.post(
        "/login/", {"username": "dana", "password": PASSWORD},
        REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7",
    )  # fmt: skip
    assert response.status_code == 302
    # The attacker is locked, and forging the header does not help: the proxy appends the
    # address it saw, and only the right-most entries are trusted.
    response = attacker.post(
        "/login/", {"username": "dana", "password": PASSWORD},
        REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9",
    )  # fmt: skip
    assert response.status_code == 429


def test_finding7_without_trusted_proxies_the_forwarded_header_is_ignored(world: World):
    attacker = Client()
    for n in range(6):
        _fail(attacker, "dana", "203.0.113.9", forwarded=f"198.51.100.{n}")
    response = attacker.post(
        "/login/", {"username": "dana", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.77",
    )  # fmt: skip
    assert response.status_code == 429


def test_finding7_sessions_end_after_idle_time(world: World, settings):
    client = Client()
    assert client.post("/login/", {"username": "dana", "password": PASSWORD}).status_code == 302
    assert client.get("/people/").status_code == 200
    session = client.session
    session[LAST_SEEN] = time.time() - settings.NINETY_SESSION_IDLE_MINUTES * 60 - 5
    session.save()
    response = client.get("/people/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert client.get("/people/").status_code == 302  # signed out for good


def test_finding7_an_active_session_stays_and_sessions_are_short(world: World, settings):
    assert settings.SESSION_COOKIE_AGE <= 12 * 3600
    client = Client()
    client.post("/login/", {"username": "dana", "password": PASSWORD})
    session = client.session
    session[LAST_SEEN] = time.time() - 60
    session.save()
    assert client.get("/people/").status_code == 200


def test_finding7_a_user_changes_their_password(world: World):
    client = Client()
    client.post("/login/", {"username": "dana", "password": PASSWORD})
    _, token = create_token(world.leader, "before")
    other = Client()
    other.post("/login/", {"username": "dana", "password": PASSWORD})
    weak = client.post("/account/password/", {
        "old_password": PASSWORD, "new_password1": "password", "new_password2": "password",
    })  # fmt: skip
    assert weak.status_code == 200  # the validators refuse it
    response = client.post("/account/password/", {
        "old_password": PASSWORD, "new_password1": "a-fresh-long-phrase-42",
        "new_password2": "a-fresh-long-phrase-42",
    })  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == "/account/password/done/"
    assert client.get("/people/").status_code == 200  # this session stays
    assert other.get("/people/").status_code == 302  # the other one ended
    api = Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 401  # and the token made before
    world.leader.user.refresh_from_db()
    assert world.leader.user.check_password("a-fresh-long-phrase-42")


@pytest.mark.parametrize("persona", ["rep", "admin"])
def test_finding7_the_password_page_needs_the_old_password(world: World, client_for, persona):
    client = client_for(world.persona(persona))
    response = client.post("/account/password/", {
        "old_password": "not-it", "new_password1": "a-fresh-long-phrase-42",
        "new_password2": "a-fresh-long-phrase-42",
    })  # fmt: skip
    assert response.status_code == 200
    assert (
        world.persona(persona)
        .user.__class__.objects.get(pk=world.persona(persona).user.pk)
        .check_password(PASSWORD)
    )
