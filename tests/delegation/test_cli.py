"""``ninety attention import-ics FILE --leader NAME`` and ``ninety attention --json``."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ninety.delegation.models import TimeEntry
from tests.conftest import World
from tests.delegation.conftest import FIXTURES


def run(*args: str) -> str:
    out = StringIO()
    call_command("attention", *args, stdout=out)
    return out.getvalue()


def test_it_imports_a_calendar_and_prints_the_week_as_json(world: World) -> None:
    out = run("import-ics", str(FIXTURES / "google_dana.ics"), "--leader", "Dana",
              "--org", "acme", "--since", "2026-11-01", "--until", "2026-11-30")  # fmt: skip
    assert "google_dana.ics → Dana:" in out and "not counted" in out
    again = run("import-ics", str(FIXTURES / "google_dana.ics"), "--leader", "dana@example.com",
                "--since", "2026-11-01", "--until", "2026-11-30")  # fmt: skip
    assert again.startswith("google_dana.ics → Dana: 0 new")
    body = json.loads(run("--leader", "Dana", "--week", "2026-W48", "--json"))
    assert body["week"] == "2026-W48" and body["total_minutes"] == 420
    assert body["target_behavior_vs_results"] == 0.9
    assert [c["title"] for c in body["delegate_next"]] == [
        "Weekly schedule building",
        "Report review",
    ]


def test_the_table_output_names_the_target(world: World) -> None:
    out = run("--leader", "Dana", "--week", "2026-W48")
    assert "target 90 : 10" in out


def test_a_malformed_file_fails_with_the_reason_and_imports_nothing(world: World) -> None:
    with pytest.raises(CommandError, match=r"nothing imported — event 2 .*DTSTART"):
        run("import-ics", str(FIXTURES / "malformed.ics"), "--leader", "Dana")
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--leader", "Nobody"), "no such leader"),
        (("--leader", "Dana", "--week", "2026-48"), "expected YYYY-Www"),
        (("import-ics", "--leader", "Dana"), "needs a FILE"),
        (("import-ics", "/nope.ics", "--leader", "Dana"), "no such file"),
    ],
)
def test_it_names_the_bad_argument(world: World, args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)
