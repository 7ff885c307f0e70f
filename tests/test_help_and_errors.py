"""The help layer (every statistical word explains itself, one glossary page) and the error
pages that say why and where to go."""

from __future__ import annotations

import logging
import re
import sys
from pathlib import Path

import pytest
from django.template import loader
from django.test import override_settings

from ninety.core.glossary import BY_KEY, TERMS
from ninety.core.playbook_spec import default_playbook
from ninety.errors import ShortForbidden
from ninety.playbook.services import install_playbook
from tests.conftest import World

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "ninety"


def test_every_term_used_on_a_page_is_in_the_glossary() -> None:
    used = set()
    for path in TEMPLATES.rglob("*.html"):
        used |= set(re.findall(r'{% term "([^"]+)"', path.read_text()))
    assert used, "no page uses the help layer"
    assert used <= set(BY_KEY), used - set(BY_KEY)
    assert {"p-best", "thompson", "posterior-rate", "log-points", "always-valid"} <= used
    assert len({t.key for t in TERMS}) == len(TERMS)


def test_the_glossary_page_explains_every_term(client, db: None) -> None:
    page = client.get("/help/").content.decode()
    for t in TERMS:
        assert f'id="{t.key}"' in page and t.name.replace("&", "&amp;") in page


def test_a_page_word_carries_its_help(world: World, client_for) -> None:
    install_playbook(world.org, default_playbook())
    page = client_for(world.leader).get("/playbook/").content.decode()
    help_text = BY_KEY["p-best"].plain
    assert f'href="/help/#p-best" data-help="{help_text}"' in page


@override_settings(DEBUG=False)
def test_the_404_page_says_why_and_where_to_go(world: World, client_for) -> None:
    response = client_for(world.leader).get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404 and 'data-testid="error-page"' in body
    assert "There is no such page, or it belongs to someone you do not see." in body
    assert "Your start page" in body and "Traceback" not in body
    # Another team's rep: the same answer as a page that does not exist (nothing leaks).
    other = client_for(world.leader).get(f"/reps/{world.other_rep.pk}/").content.decode()
    assert "There is no such page" in other and "Grace" not in other
    # A reason the code gives is shown.
    bad = client_for(world.leader).get("/attention/?week=2026-W99").content.decode()
    assert 'data-testid="reason"' in bad


def test_the_403_page_gives_the_codes_reason(world: World, client_for) -> None:
    response = client_for(world.rep).get("/attention/")
    body = response.content.decode()
    assert response.status_code == 403 and 'data-testid="error-page"' in body
    reason = re.search(r'data-testid="reason">([^<]+)<', body).group(1)
    assert reason.strip() and reason.strip() != "Your role does not include this page."
    assert "Your start page" in body


def test_the_500_page_is_styled() -> None:
    body = loader.render_to_string("500.html")
    assert "Something went wrong on our side" in body and "ninety.css" in body


def test_a_403_logs_one_short_line_without_a_traceback(
    world: World, client_for, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        response = client_for(world.rep).get("/attention/")
    assert response.status_code == 403 and 'data-testid="error-page"' in response.content.decode()
    forbidden = [r for r in caplog.records if getattr(r, "status_code", None) == 403]
    assert len(forbidden) == 1
    record = forbidden[0]
    assert record.exc_info is None and record.levelno == logging.WARNING
    assert record.getMessage() == "Forbidden (Permission denied): /attention/"
    assert "Traceback" not in caplog.text and "PermissionDenied" not in caplog.text


def test_a_500_still_logs_its_traceback(caplog: pytest.LogCaptureFixture) -> None:
    # The short form is for 403s only: a server error keeps what debugging needs.
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", (), None)
    record.status_code = 500
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    assert ShortForbidden().filter(record) and record.exc_info is not None
