"""The report cache: every page and the API read one team report, computed once per data version;
any import, roster or playbook change is seen at once, and no viewer reads past their rights."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.core.cache import caches
from django.db import connection
from django.db.models.signals import post_migrate
from django.test import Client

from ninety.activity import versions
from ninety.activity.models import Quota
from ninety.api.services import create_token
from ninety.conf import CACHE_TABLE, cache_config
from ninety.core.periods import Period
from ninety.diagnosis import services
from ninety.home.overview import teams_snapshot
from ninety.ingest.services import import_file
from ninety.people.models import Org, Person, Role, Team
from ninety.people.services import create_person
from ninety.playbook.models import Stage
from tests.diagnosis.conftest import AS_OF

Q = f"period=2026-11&as_of={AS_OF.isoformat()}"


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many reps each diagnosis computed (one entry per computation)."""
    calls: list[int] = []
    real = services.diagnose_people

    def counting(people, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(people))
        return real(people, *args, **kwargs)

    monkeypatch.setattr(services, "diagnose_people", counting)
    return calls


def _crew(org: Org) -> Team:
    return Team.objects.get(org=org, name="Greeting Crew")


def _api(person: Person) -> Client:
    return Client(headers={"authorization": "Bearer " + create_token(person, "t")[1]})


def _page(person: Person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def _sam(org: Org) -> Person:
    return Person.objects.get(org=org, name="Sam Patel")


def _tries(body: dict, name: str, stage: str) -> float:
    rep = next(r for r in body["reps"] if r["rep"] == name)
    return rep["stages"][stage]["tries"]


def _import_dials(tmp_path: Path, org: Org, person: Person, day: date, n: int) -> None:
    lines = ["external_id,person,occurred_at,type,outcome"]
    lines += [f"t-{day}-{i},{person.external_id},{day}T10:{i % 60:02d}:00Z,dial,connect"
              for i in range(n)]  # fmt: skip
    path = tmp_path / f"dials-{day}.csv"
    path.write_text("\n".join(lines) + "\n")
    summary = import_file(org, "activities", path, preset="ninety")
    assert summary.imported == n


def test_pages_and_api_share_one_team_report(story_org: Org, computed: list[int]) -> None:
    crew, dana, sam = _crew(story_org), story_org.people.get(name="Dana Reyes"), _sam(story_org)
    assert _page(dana).get(f"/dashboard/?team={crew.pk}&{Q}").status_code == 200
    assert len(computed) == 1
    # The same team's report again: the API, the rep page, the rep's own API call.
    assert _api(dana).get(f"/api/diagnosis/teams/{crew.pk}?{Q}").status_code == 200
    assert _page(dana).get(f"/reps/{sam.pk}/?{Q}").status_code == 200
    assert _api(sam).get(f"/api/diagnosis/reps/{sam.pk}?{Q}").status_code == 200
    assert len(computed) == 1
    # Another period is another report.
    assert _api(dana).get(f"/api/diagnosis/teams/{crew.pk}?period=2026-10&as_of=2026-11-27")
    assert len(computed) == 2


def test_an_import_shows_its_numbers_at_once(
    story_org: Org, computed: list[int], tmp_path: Path
) -> None:
    crew, dana, sam = _crew(story_org), story_org.people.get(name="Dana Reyes"), _sam(story_org)
    url = f"/api/diagnosis/teams/{crew.pk}?{Q}"
    before = _api(dana).get(url).json()
    _import_dials(tmp_path, story_org, sam, AS_OF - timedelta(days=1), 40)
    after = _api(dana).get(url).json()
    assert len(computed) == 2
    # 40 more dials that connected: Sam's dial stage has 40 more tries.
    assert _tries(after, "Sam Patel", "connect") == _tries(before, "Sam Patel", "connect") + 40


def test_an_import_of_days_no_report_reads_keeps_the_cache(
    story_org: Org, computed: list[int], tmp_path: Path
) -> None:
    crew, dana, sam = _crew(story_org), story_org.people.get(name="Dana Reyes"), _sam(story_org)
    url = f"/api/diagnosis/teams/{crew.pk}?{Q}"
    before = _api(dana).get(url).json()
    # Seven months back: before every evidence window of November (91 days at most).
    _import_dials(tmp_path, story_org, sam, AS_OF - timedelta(days=210), 40)
    assert _api(dana).get(url).json() == before
    assert len(computed) == 1
    # ... but October's report of a trailing 90 days reaching back there is not kept: it
    # reads its own days' versions.
    first, _ = services.activity_days(Period.parse("last-90", AS_OF), AS_OF)
    assert first > AS_OF - timedelta(days=210)


def test_roster_quota_and_playbook_changes_are_seen(story_org: Org, computed: list[int]) -> None:
    crew, dana, sam = _crew(story_org), story_org.people.get(name="Dana Reyes"), _sam(story_org)
    url = f"/api/diagnosis/teams/{crew.pk}?{Q}"
    assert "Sam Patel" in {r["rep"] for r in _api(dana).get(url).json()["reps"]}
    sam.name = "Samuel Patel"
    sam.save()
    assert "Samuel Patel" in {r["rep"] for r in _api(dana).get(url).json()["reps"]}
    Person.objects.filter(pk=sam.pk).update(is_active=False)
    versions.bump(story_org.pk)  # a bulk update's writer bumps the version itself
    assert "Samuel Patel" not in {r["rep"] for r in _api(dana).get(url).json()["reps"]}
    n = len(computed)
    stage = Stage.objects.filter(playbook__org=story_org).order_by("order").first()
    assert stage is not None
    stage.name = "Dialling"
    stage.save()
    html = _page(dana).get(f"/dashboard/?team={crew.pk}&{Q}").content.decode()
    assert len(computed) == n + 1, "a playbook change is a new report"
    assert "Dialling" in html
    assert Quota.objects.filter(person__org=story_org).exists()


def test_the_cache_lets_nobody_read_past_their_rights(story_org: Org) -> None:
    crew, dana, sam = _crew(story_org), story_org.people.get(name="Dana Reyes"), _sam(story_org)
    teammate = Person.objects.filter(team=crew, role=Role.REP).exclude(pk=sam.pk).first()
    assert teammate is not None
    # The whole team's report is in the cache now ...
    assert len(_api(dana).get(f"/api/diagnosis/teams/{crew.pk}?{Q}").json()["reps"]) > 1
    # ... and Sam still reads only himself, never a teammate nor the team.
    mine = _api(sam).get(f"/api/diagnosis/reps/{sam.pk}?{Q}").json()
    assert [r["rep"] for r in mine["reps"]] == ["Sam Patel"]
    assert "peer_strength" not in mine
    assert _api(sam).get(f"/api/diagnosis/reps/{teammate.pk}?{Q}").status_code == 404
    assert _api(sam).get(f"/api/diagnosis/teams/{crew.pk}?{Q}").status_code == 403
    assert _page(sam).get(f"/reps/{teammate.pk}/?{Q}").status_code == 404
    assert teammate.name not in _page(sam).get(f"/reps/{sam.pk}/?{Q}").content.decode()
    # A leader of another org, same cache: no team of this org.
    other = Org.objects.create(name="Else", slug="else")
    outsider = create_person(
        other, "Olive", role=Role.LEADER, username="olive", password="pw-12345678"
    )
    assert _api(outsider).get(f"/api/diagnosis/teams/{crew.pk}?{Q}").status_code == 404


def test_the_overview_and_the_dashboard_share_reports(story_org: Org, computed: list[int]) -> None:
    crew, dana = _crew(story_org), story_org.people.get(name="Dana Reyes")
    period = Period.parse("2026-11", AS_OF)
    teams_snapshot(story_org, period, AS_OF)
    n = len(computed)
    assert n >= 1
    assert _page(dana).get(f"/dashboard/?team={crew.pk}&{Q}").status_code == 200
    assert len(computed) == n, "the dashboard read the overview's report of the team"
    # After a change the dashboard computes its team; the whole org then reads it from the
    # cache with the others it computed, and a second look computes nothing.
    versions.bump(story_org.pk)
    assert _page(dana).get(f"/dashboard/?team={crew.pk}&{Q}").status_code == 200
    assert len(computed) == n + 1
    first = services.org_reports(story_org, period, AS_OF)
    m = len(computed)
    again = services.org_reports(story_org, period, AS_OF)
    assert len(computed) == m
    assert [(r.team and r.team.pk, [x.person.pk for x in r.reps]) for r in again] == [
        (r.team and r.team.pk, [x.person.pk for x in r.reps]) for r in first
    ]
    crew_report = next(r for r in again if r.team and r.team.pk == crew.pk)
    assert crew_report.for_person(_sam(story_org).pk) is not None


def test_versions_move_only_the_months_written(story_org: Org) -> None:
    nov = versions.key_for(story_org.pk, date(2026, 11, 1), date(2026, 11, 27))
    autumn = versions.key_for(story_org.pk, date(2026, 8, 30), date(2026, 11, 27))
    versions.bump_days(story_org.pk, [date(2026, 5, 11)])
    assert versions.key_for(story_org.pk, date(2026, 11, 1), date(2026, 11, 27)) == nov
    assert versions.key_for(story_org.pk, date(2026, 8, 30), date(2026, 11, 27)) == autumn
    versions.bump_days(story_org.pk, [date(2026, 9, 2)])
    assert versions.key_for(story_org.pk, date(2026, 11, 1), date(2026, 11, 27)) == nov
    assert versions.key_for(story_org.pk, date(2026, 8, 30), date(2026, 11, 27)) != autumn
    later = versions.key_from(story_org.pk, date(2026, 10, 1))
    versions.bump_days(story_org.pk, [date(2027, 3, 1)])  # a day after the range's last
    assert versions.key_from(story_org.pk, date(2026, 10, 1)) != later
    versions.bump(story_org.pk)
    assert versions.key_for(story_org.pk, date(2026, 11, 1), date(2026, 11, 27)) != nov
    assert versions.months_between(date(2025, 12, 31), date(2026, 2, 1)) == [
        "2025-12",
        "2026-01",
        "2026-02",
    ]


def test_the_cache_setting() -> None:
    assert cache_config(None, production=True)["BACKEND"].endswith("DatabaseCache")
    assert cache_config("", production=False)["BACKEND"].endswith("LocMemCache")
    redis = cache_config("redis://127.0.0.1:6379/3", production=True)
    assert redis == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/3",
    }
    with pytest.raises(Exception, match="NINETY_CACHE_URL"):
        cache_config("memcached://x", production=True)
    assert caches["reports"].__class__.__name__ == "LocMemCache"


def test_reports_keep_in_the_database_cache(
    story_org: Org, computed: list[int], settings: object
) -> None:
    settings.CACHES = {  # type: ignore[attr-defined]
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "reports": cache_config("db", production=True),
    }
    # What ninety migrate does with this setting: after the activity app's migrations, the
    # table is made.
    post_migrate.send(sender=None, app_config=apps.get_app_config("activity"), using="default")
    assert CACHE_TABLE in connection.introspection.table_names()
    crew = _crew(story_org)
    period = Period.parse("2026-11", AS_OF)
    first = services.team_report(crew, period, AS_OF)
    again = services.team_report(crew, period, AS_OF)
    assert len(computed) == 1
    assert first is not None and again is not None
    assert [r.person.name for r in again.reps] == [r.person.name for r in first.reps]
    assert again.reps[0].diagnosis.focus == first.reps[0].diagnosis.focus
