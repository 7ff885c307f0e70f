"""One human format for dates ("Thu 3 Dec 2026") and moments ("Thu 3 Dec 2026, 10:00") on every
page, through ninety.core.dates and the day/when filters; ISO stays in the API, CSV and URLs."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from django.template import Context, Template
from django.utils import timezone

from ninety.core.attention import IsoWeek
from ninety.core.dates import day_text, week_text, when_text

SRC = Path(__file__).resolve().parents[1] / "src" / "ninety"


def test_the_house_format() -> None:
    assert day_text(date(2026, 12, 3)) == "Thu 3 Dec 2026"
    assert when_text(datetime(2026, 12, 3, 9, 5)) == "Thu 3 Dec 2026, 09:05"
    assert week_text(date(2026, 11, 30)) == "week of Mon 30 Nov 2026"
    assert IsoWeek(2026, 49).label() == "2026-W49 (Mon 30 Nov 2026 – Sun 6 Dec 2026)"


def test_the_filters_and_djangos_own_formats_write_the_same() -> None:
    moment = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    text = Template(
        "{% load ninety_format %}{{ d|day }}|{{ iso|day }}|{{ m|when }}|{{ d }}|{{ m }}|"
        "{{ iso|week_of }}|{{ bad|day }}"
    ).render(Context({"d": date(2026, 12, 3), "iso": "2026-11-30", "m": moment, "bad": "soon"}))
    with timezone.override("America/Los_Angeles"):
        local = Template("{% load ninety_format %}{{ m|when }}").render(Context({"m": moment}))
    assert text == (
        "Thu 3 Dec 2026|Mon 30 Nov 2026|Thu 3 Dec 2026, 18:00|Thu 3 Dec 2026|"
        "Thu 3 Dec 2026, 18:00|week of Mon 30 Nov 2026|"
    )
    assert local == "Thu 3 Dec 2026, 10:00"  # the viewer's wall clock


def test_no_template_writes_a_date_its_own_way() -> None:
    # |date:"..." only for machine values (URL parameters, form inputs: Y-m-d); people read
    # dates through |day and |when.
    odd = []
    for path in SRC.rglob("*.html"):
        for fmt in re.findall(r"""\|date:["']([^"']*)["']""", path.read_text()):
            if fmt != "Y-m-d":
                odd.append(f"{path.relative_to(SRC)}: {fmt}")
    assert not odd, odd


def test_no_python_writes_a_human_date_with_strftime() -> None:
    # "%d %b" (zero-padded, no weekday) was one of the mixed formats: a person's date goes
    # through ninety.core.dates; machine formats (ISO, iCalendar, SQL, import parsing) may stay.
    pattern = re.compile(r"%-?[ad][^\"']*%[bB]")
    allowed = {"ingest", "core/pipeline.py", "delegation/ics.py", "diagnosis/deal_rows.py"}
    odd = []
    for path in SRC.rglob("*.py"):
        rel = str(path.relative_to(SRC))
        if any(rel.startswith(a) for a in allowed):
            continue
        for line in path.read_text().splitlines():
            if pattern.search(line) and "strptime" not in line:
                odd.append(f"{rel}: {line.strip()}")
    assert not odd, odd
