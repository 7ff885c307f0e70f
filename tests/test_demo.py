"""``ninety demo --no-serve`` builds the demo org the README promises."""

from __future__ import annotations

import re
from datetime import date, datetime, time

from django.core.management import call_command
from django.test import Client

from ninety.demo import DEMO_PASSWORD
from ninety.people.models import Org, Person
from ninety.playbook.models import Playbook


def test_the_demo_leader_sees_only_her_team(db: None) -> None:
    call_command("demo", "--no-serve", "--as-of", "2026-11-27")
    client = Client()
    assert (
        client.post("/login/", {"username": "dana", "password": DEMO_PASSWORD}).status_code == 302
    )
    html = client.get("/people/").content.decode()
    assert "Greeting Crew" in html and "Sam Patel" in html and "Alex Kim" in html
    dana = Person.objects.get(name="Dana Reyes")
    others = Person.objects.filter(org=dana.org, role="rep").exclude(team=dana.led_teams.get())
    assert others.exists()
    assert not any(p.name in html for p in others)
    # The dashboard tells the story: Sam's focus is the Greeting stage.
    html = client.get("/dashboard/?as_of=2026-11-27").content.decode()
    assert 'data-testid="heatmap"' in html
    sam_row = html.split('data-rep="Sam Patel"')[1].split("</tr>")[0]
    assert re.findall(r'class="num heat focus"[^>]*data-factor="(\w+)"', sam_row) == [
        "conversation"
    ]


def test_the_demo_can_be_built_twice(db: None) -> None:
    call_command("demo", "--no-serve", "--as-of", "2026-11-27")
    call_command("demo", "--no-serve", "--as-of", "2026-11-27")
    assert Org.objects.filter(slug="demo").count() == 1
    assert Person.objects.filter(name="Sam Patel").count() == 1
    playbook = Playbook.objects.get(org__slug="demo", status="published")
    greeting = playbook.stages.get(key="conversation")
    behavior = greeting.behaviors.get()
    assert behavior.name == "Create a compelling reason to speak"
    assert behavior.ways.count() >= 7
    questions = " ".join(q.text for q in behavior.questions.all()).lower()
    assert "tone or inflection" in questions and "trust or likability" in questions


def test_the_demo_picks_a_draw_that_tells_the_story_on_any_date() -> None:
    from datetime import date, timedelta

    from ninety.core.simulate import story_is_clear
    from ninety.demo import story_draw

    for day in range(0, 14, 3):
        sim = story_draw(date(2026, 11, 20) + timedelta(days=day))
        assert story_is_clear(sim), sim.config


def test_links_in_e_mails_point_at_the_port_served(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """``ninety demo --port 8123`` mailed links to :8000; now the served port, for this process
    and (through the environment) the worker and gunicorn it starts, unless NINETY_BASE_URL is
    set (Ninety behind a proxy is reached elsewhere)."""
    import os

    from django.conf import settings

    from ninety.notify.tasks import absolute
    from ninety.people.management.commands.serve import announce_base_url

    monkeypatch.setenv("NINETY_BASE_URL", "")  # unset, and restored after the test
    monkeypatch.setattr(settings, "NINETY_BASE_URL", "http://127.0.0.1:8000")
    announce_base_url("127.0.0.1", 8123)
    assert absolute("/inbox/") == "http://127.0.0.1:8123/inbox/"
    assert os.environ["NINETY_BASE_URL"] == "http://127.0.0.1:8123"
    monkeypatch.setenv("NINETY_BASE_URL", "https://ninety.example.com")
    announce_base_url("127.0.0.1", 9000)
    assert os.environ["NINETY_BASE_URL"] == "https://ninety.example.com"
    assert absolute("/inbox/") == "http://127.0.0.1:8123/inbox/"


def test_a_demo_built_as_of_a_day_is_served_as_of_it(monkeypatch, settings) -> None:
    """``ninety demo --as-of D`` sets NINETY_TODAY for itself and the gunicorn and worker it
    starts (they inherit the environment): pages then read D as today."""
    from datetime import date

    from ninety.conf import today
    from ninety.home.management.commands.demo import serve_as_of

    monkeypatch.delenv("NINETY_TODAY", raising=False)
    monkeypatch.setattr(settings, "NINETY_TODAY", None)
    serve_as_of(date(2026, 12, 1))
    assert __import__("os").environ["NINETY_TODAY"] == "2026-12-01"
    assert today() == date(2026, 12, 1)
    # What gunicorn and the worker do: a new process with this environment reads the same day.
    import subprocess
    import sys

    child = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); "
         "from ninety.conf import today; print(today().isoformat())"],
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "ninety.settings"},
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert child.stdout.strip() == "2026-12-01"
    monkeypatch.delenv("NINETY_TODAY")


def test_the_demo_brings_no_stale_news(db: None) -> None:
    """Building the demo leaves no news about a meeting already held in Dana's inbox: the past
    meeting's self-report was typed in at that meeting (it reached her as new, two weeks on)."""
    from ninety.coaching.models import OneOnOne
    from ninety.notify.models import Notification

    call_command("demo", "--no-serve", "--as-of", "2026-12-01")
    dana = Person.objects.get(name="Dana Reyes")
    done = OneOnOne.objects.get(leader=dana, status=OneOnOne.Status.DONE)
    assert done.self_results  # the past meeting keeps Sam's words
    written = Notification.objects.filter(recipient=dana, kind="self_report_written")
    keys = set(written.values_list("key", flat=True))
    assert f"self_report_written:{done.pk}" not in keys
    upcoming = OneOnOne.objects.get(leader=dana, rep__name="Sam Patel", status="scheduled")
    assert keys == {f"self_report_written:{upcoming.pk}"}  # tomorrow's is news


def test_each_demo_login_signs_in_as_the_person_the_readme_names(db: None) -> None:
    from ninety.demo import DEMO_LOGINS

    call_command("demo", "--no-serve", "--as-of", "2026-11-27")
    for login in DEMO_LOGINS:
        person = Person.objects.get(user__username=login.username)
        assert (person.name, person.role) == (login.name, login.role)


def test_the_demo_leader_is_never_double_booked(db: None) -> None:
    """Each of Dana's series has its own weekday and hour (two reps at Mon 09:00 before)."""
    from ninety.coaching.models import OneOnOneSeries

    call_command("demo", "--no-serve", "--as-of", "2026-12-03")
    dana = Person.objects.get(name="Dana Reyes")
    slots = list(OneOnOneSeries.objects.filter(leader=dana).values_list("weekday", "time"))
    assert len(slots) >= 9 and len(set(slots)) == len(slots), slots


def test_a_demo_built_as_of_a_past_day_is_stamped_that_day(db: None) -> None:
    """Notifications, the published playbook and Sam's self-report read as written on the demo's
    day, not on the real day the demo was built (the inbox of a demo as of 1 December said
    "Thu 3 Dec"); an API token's expiry stays where it was."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from ninety.coaching.models import OneOnOne
    from ninety.demo import DEMO_TIME_ZONE
    from ninety.notify.models import Notification

    as_of = _days_ago(3)  # a past day wherever the test runs: its build has stamps to move
    call_command("demo", "--no-serve", "--as-of", as_of.isoformat())
    # The day ends where the demo's pages read it (California), not on the server's clock.
    zone = ZoneInfo(DEMO_TIME_ZONE)
    end = timezone.make_aware(datetime.combine(as_of + timedelta(days=1), time(0)), zone)
    stamps = [
        *Notification.objects.values_list("created_at", flat=True),
        *Playbook.objects.values_list("created_at", flat=True),
        *OneOnOne.objects.exclude(self_report_at=None).values_list("self_report_at", flat=True),
    ]
    assert stamps and max(stamps) < end, max(stamps)


def test_the_demo_inbox_holds_tomorrows_one_on_one(db: None) -> None:
    """The dashboard says Sam's one-on-one is tomorrow: the inbox says so too (what the hourly
    `ninety notify` writes), to Dana and to Sam."""
    from ninety.notify.models import Notification

    call_command("demo", "--no-serve", "--as-of", "2026-12-01")
    told = set(
        Notification.objects.filter(kind="one_on_one_tomorrow").values_list(
            "recipient__name", flat=True
        )
    )
    assert {"Dana Reyes", "Sam Patel"} <= told


def test_building_the_demo_leaves_a_customers_org_alone(db: None, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The demo may share a database with a customer's org: its build reminds only its own
    people of tomorrow's one-on-ones (a customer's meeting on the demo's past 'tomorrow' got a
    reminder, e-mailed, days late), and moves only its own stamps to the demo's day (what the
    customer wrote while it built, a token's use, went two days back)."""
    from datetime import timedelta

    from django.utils import timezone

    import ninety.demo as demo
    from ninety.api.models import PersonalAccessToken
    from ninety.coaching.models import OneOnOne
    from ninety.notify.models import Notification
    from ninety.people.models import Role, Team
    from ninety.people.services import create_person

    as_of = _days_ago(3)
    shop = Org.objects.create(name="Customer", slug="customer")
    boss = create_person(shop, "Cleo Boss", role=Role.LEADER, username="cleo", email="c@x.io")
    team = Team.objects.create(org=shop, name="Shop", leader=boss)
    rep = create_person(shop, "Rudi Rep", role=Role.REP, team=team, username="rudi", email="r@x.io")
    tomorrow = timezone.make_aware(datetime.combine(as_of + timedelta(days=1), time(12)))
    OneOnOne.objects.create(org=shop, leader=boss, rep=rep, scheduled_at=tomorrow)
    token = PersonalAccessToken.objects.create(person=boss, name="ci", prefix="n9", token_hash="h")
    seed_story, written = demo.seed_story, {}

    def customer_busy(org: Org, day: date) -> None:  # the customer works while the demo builds
        seed_story(org, day)
        written["note"] = Notification.objects.create(
            org=shop, recipient=boss, kind="import_finished", key="k", title="Import finished"
        ).created_at
        written["used"] = timezone.now()
        PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=written["used"])

    monkeypatch.setattr(demo, "seed_story", customer_busy)
    call_command("demo", "--no-serve", "--as-of", as_of.isoformat())
    mine = Notification.objects.filter(org=shop)
    assert list(mine.values_list("kind", flat=True)) == ["import_finished"]
    assert mine.get().created_at == written["note"]
    token.refresh_from_db()
    assert token.last_used_at == written["used"]


def test_a_past_demo_is_stamped_on_its_day_where_it_is_read(db: None, settings) -> None:  # type: ignore[no-untyped-def]
    """The demo's pages read its stamps in its own zone (California): moved by the days
    between its day and the real one there, not on the server's calendar (a server 22 hours
    ahead moved them a day too far: its inbox read 30 November on 1 December)."""
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from ninety.coaching.models import OneOnOne
    from ninety.demo import DEMO_TIME_ZONE
    from ninety.notify.models import Notification

    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14
    zone, as_of = ZoneInfo(DEMO_TIME_ZONE), _days_ago(3)
    call_command("demo", "--no-serve", "--as-of", as_of.isoformat())
    stamps = [
        *Notification.objects.values_list("created_at", flat=True),
        *Playbook.objects.values_list("created_at", flat=True),
        *OneOnOne.objects.exclude(self_report_at=None).values_list("self_report_at", flat=True),
    ]
    assert stamps
    assert {timezone.localtime(s, zone).date() for s in stamps} == {as_of}


def _days_ago(days: int) -> date:
    """A day ``days`` before today where the demo is read (California)."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    from ninety.demo import DEMO_TIME_ZONE

    return timezone.localdate(timezone.now(), ZoneInfo(DEMO_TIME_ZONE)) - timedelta(days=days)
