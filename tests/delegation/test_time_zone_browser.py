"""A Europe/Berlin leader in a UTC org: her meeting at her local time, her week in her zone,
and an attention meter that counts no hour still ahead (in a real browser)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from ninety.coaching.services import schedule_series
from ninety.core.attention import BEHAVIOR, RESULTS, TACTICAL, IsoWeek
from ninety.delegation import queries
from ninety.delegation.services import add_time_entry
from tests.browser.conftest import screenshot
from tests.conftest import PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BERLIN = ZoneInfo("Europe/Berlin")
# "Now" for the attention meter: Wednesday 2 Dec 2026, 12:00 in Berlin (11:00 UTC).
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=BERLIN)


def _sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_a_berlin_leader_sees_local_time(live_server, browser, monkeypatch) -> None:
    w = build_world()
    dana = w.leader
    dana.time_zone = "Europe/Berlin"
    dana.save(update_fields=["time_zone"])
    monkeypatch.setattr(queries, "_now", lambda: NOW)

    # Scheduled at 15:00 by Dana: 15:00 in Berlin, 14:00 UTC in the database and for Sam.
    meeting = schedule_series(dana, w.rep, weekday=4, at=time(15, 0)).meetings.get()
    assert meeting.scheduled_at.astimezone(UTC).hour == 14
    page = browser.new_context(viewport={"width": 1280, "height": 860}).new_page()
    _sign_in(page, live_server, "dana")
    page.goto(f"{live_server.url}/one-on-ones/{meeting.pk}/")
    assert page.get_by_test_id("meeting-when").inner_text().endswith(", 15:00")
    page.goto(f"{live_server.url}/one-on-ones/")
    assert "15:00" in page.inner_text("main") and "14:00" not in page.inner_text("main")
    sam = browser.new_context().new_page()
    _sign_in(sam, live_server, "sam")
    sam.goto(f"{live_server.url}/one-on-ones/{meeting.pk}/")
    assert "14:00" in sam.inner_text("main")
    sam.close()

    # Her week, in Berlin time. Monday 00:30 Berlin is Sunday 23:30 UTC: still her week.
    def at(day: int, hour: int, minute: int = 0) -> datetime:
        return datetime(2026, 11, 30 + day, hour, minute, tzinfo=BERLIN) if day < 1 else \
            datetime(2026, 12, day, hour, minute, tzinfo=BERLIN)  # fmt: skip

    add_time_entry(dana, at(0, 0, 30), 30, BEHAVIOR, "Early call review")  # Mon, passed
    add_time_entry(dana, at(0, 9), 60, BEHAVIOR, "Coaching: ride-along")  # Mon, passed
    add_time_entry(dana, at(2, 11, 30), 60, RESULTS, "Pipeline review")  # Wed, half passed
    add_time_entry(dana, at(3, 9), 120, TACTICAL, "Weekly schedule building")  # Thu, ahead
    add_time_entry(dana, at(6, 23, 30), 30, TACTICAL, "Expenses")  # Sun night, ahead
    meter = queries.attention_week(dana, IsoWeek(2026, 49))
    assert meter.split.minutes == {BEHAVIOR: 90, RESULTS: 30, TACTICAL: 0}
    assert meter.plan.minutes == {BEHAVIOR: 0, RESULTS: 30, TACTICAL: 150}

    page.goto(f"{live_server.url}/attention/?week=2026-W49")
    split = page.get_by_test_id("split-table").inner_text()
    assert "2.0 h" in split  # 1.5 h behavior + 0.5 h results so far; nothing ahead counted
    rows = {
        r.get_attribute("data-category"): r.inner_text()
        for r in page.get_by_test_id("split-table").locator("tr[data-category]").all()
    }
    assert "1.5 h" in rows[BEHAVIOR] and "0.5 h" in rows[RESULTS] and "0.0 h" in rows[TACTICAL]
    plan = page.get_by_test_id("plan").inner_text()
    assert "3.0 h" in plan and "Tactical" in plan, plan
    entries = page.get_by_test_id("entries").inner_text()
    assert "Mon 30 Nov 2026, 00:30" in entries and "Sun 6 Dec 2026, 23:30" in entries
    assert "when (europe/berlin)" in entries.lower()
    screenshot(page, "attention-berlin")
