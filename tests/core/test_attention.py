"""The attention core: ISO weeks, calendar rules, the split, what to delegate, who to ask."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from ninety.core import attention as a
from ninety.core.attention import (
    BEHAVIOR,
    RESULTS,
    SKIP,
    TACTICAL,
    UNTITLED,
    CalendarEvent,
    DelegateFacts,
    IsoWeek,
    Rule,
    TimeItem,
)


def event(title: str = "x", minutes: int = 60, **kw: object) -> CalendarEvent:
    start = datetime(2026, 11, 23, 17, tzinfo=UTC)
    return CalendarEvent(key=title, series=title, start=start, minutes=minutes, title=title, **kw)  # type: ignore[arg-type]


def test_the_core_imports_without_django() -> None:
    code = (
        "import sys; sys.modules['django'] = None; import ninety.core.attention; "
        "assert not any(m.startswith('django') and sys.modules[m] for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_an_iso_week_parses_prints_and_knows_its_days() -> None:
    w = IsoWeek.parse("2026-W48")
    assert str(w) == "2026-W48"
    assert w.start == date(2026, 11, 23) and w.end == date(2026, 11, 30)
    assert IsoWeek.of(date(2026, 11, 29)) == w
    assert IsoWeek.of(date(2027, 1, 1)) == IsoWeek(2026, 53)  # 2026 has 53 ISO weeks
    assert w.shift(6) == IsoWeek(2027, 1)


@pytest.mark.parametrize("text", ["2026-48", "2026-W60", "2025-W53", "W48"])
def test_it_rejects_a_week_that_does_not_exist(text: str) -> None:
    with pytest.raises(ValueError, match="week"):
        IsoWeek.parse(text)


def test_the_first_matching_rule_wins_and_own_rules_come_before_the_defaults() -> None:
    own = [Rule(RESULTS, title="schedule", name="mine")]
    assert a.categorise(event("Weekly schedule building"), own).category == RESULTS
    assert a.categorise(event("Weekly schedule building"), []).category == TACTICAL
    assert a.categorise(event("Ride-along: Sam"), []).category == BEHAVIOR
    assert a.categorise(event("Forecast with Morgan"), []).category == RESULTS
    assert a.categorise(event("Report review"), []).category == TACTICAL


def test_rules_match_calendar_categories_and_attendees_case_insensitively() -> None:
    rules = [
        Rule(RESULTS, calendar_category="numbers"),
        Rule(TACTICAL, attendee="HR@acme"),
    ]
    assert a.categorise(event("Month-end", categories=("Numbers",)), rules).category == RESULTS
    hr = a.categorise(event(UNTITLED, attendees=("hr@acme.example",)), rules)
    assert hr.category == TACTICAL and hr.rule


def test_an_untitled_event_skips_title_rules_and_falls_back_to_tactical() -> None:
    c = a.categorise(event(UNTITLED), [Rule(BEHAVIOR, title=".*")])
    assert c.category == a.FALLBACK == TACTICAL and c.rule == ""


def test_all_day_events_are_skipped_unless_a_rule_counts_them() -> None:
    offsite = event("Team offsite", minutes=1440, all_day=True)
    assert a.categorise(offsite, []).category == SKIP
    counted = a.categorise(offsite, [Rule(BEHAVIOR, title="offsite", all_day_minutes=240)])
    assert (counted.category, counted.minutes) == (BEHAVIOR, 240)


def test_a_rule_with_a_broken_pattern_or_category_is_refused() -> None:
    with pytest.raises(ValueError, match="pattern"):
        Rule(BEHAVIOR, title="(unclosed")
    with pytest.raises(ValueError, match="category"):
        Rule("coaching")


def test_the_split_gives_shares_of_all_time_and_the_90_10_ratio() -> None:
    s = a.split([(BEHAVIOR, 1320), (RESULTS, 600), (TACTICAL, 480), ("other", 99)])
    assert s.total == 2400
    assert s.shares == pytest.approx({BEHAVIOR: 0.55, RESULTS: 0.25, TACTICAL: 0.20})
    assert s.behavior_vs_results == pytest.approx(1320 / 1920)  # 68.75%
    assert s.gap_points == pytest.approx(21.25) and not s.on_target
    assert a.split([(BEHAVIOR, 90), (RESULTS, 10)]).on_target


def test_an_empty_week_has_no_ratio() -> None:
    s = a.split([])
    assert s.total == 0 and s.behavior_vs_results is None and s.tactical_share is None
    assert a.rounded_percentages(s.shares) == {BEHAVIOR: 0, RESULTS: 0, TACTICAL: 0}


def test_rounded_percentages_add_up_to_100() -> None:
    assert sum(a.rounded_percentages({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3}).values()) == 100
    assert a.rounded_percentages({"a": 0.555, "b": 0.25, "c": 0.195}) == {"a": 56, "b": 25, "c": 19}


def test_only_recurring_tactical_items_are_suggested_biggest_first() -> None:
    w, earlier = IsoWeek(2026, 48), IsoWeek(2026, 47)
    items = [
        TimeItem("Weekly schedule building", TACTICAL, 120, w, recurring=True),
        TimeItem("Report review", TACTICAL, 30, w),
        TimeItem("Report review (Wed)", TACTICAL, 30, w),
        TimeItem("report review", TACTICAL, 30, w),
        TimeItem("Expense approvals", TACTICAL, 60, w),  # once: not worth a delegation
        TimeItem("Vendor call", TACTICAL, 45, w),
        TimeItem("Vendor call", TACTICAL, 45, earlier),  # seen last week too: recurring
        TimeItem("Ride-along", BEHAVIOR, 180, w, recurring=True),  # not tactical
        TimeItem(UNTITLED, TACTICAL, 30, w, recurring=True),
    ]
    found = a.delegation_candidates(items, w)
    assert [(c.title, c.minutes_this_week) for c in found] == [
        ("Weekly schedule building", 120),
        ("Report review", 90),
        ("Vendor call", 45),
    ]
    assert found[0].task_category == "scheduling"
    assert found[1].task_category == "reviewing_reports" and found[1].occurrences == 3
    already = a.delegation_candidates(items, w, already_delegated=["Weekly  Schedule building"])
    assert [c.title for c in already] == ["Report review", "Vendor call"]


def facts(pid: int, name: str, **kw: object) -> DelegateFacts:
    base = {"is_leader": False, "high_potential": False, "strong_at_focus": False,
            "open_delegations": 0}  # fmt: skip
    return DelegateFacts(person_id=pid, name=name, **(base | kw))  # type: ignore[arg-type]


def test_a_strong_high_potential_rep_ranks_first_and_busy_people_drop() -> None:
    ranked = a.rank_delegates(
        [
            facts(1, "Alex", high_potential=True, strong_at_focus=True),
            facts(2, "Chris", is_leader=True),
            facts(3, "Jo", strong_at_focus=True),
            facts(4, "Priya", high_potential=True, strong_at_focus=True, open_delegations=3),
            facts(5, "Omar"),  # neither strong nor high-potential: not a candidate
        ],
        focus_label="Greeting",
    )
    assert [s.facts.name for s in ranked] == ["Alex", "Jo", "Priya", "Chris"]
    assert ranked[0].score == 5.0
    assert ranked[0].reasons == ("reliably strong at Greeting", "high-potential",
                                 "no open delegations")  # fmt: skip
    assert "3 open delegations" in ranked[2].reasons


def test_rules_read_as_words_and_words_become_rules() -> None:
    pattern_in_words, words_to_pattern = a.pattern_in_words, a.words_to_pattern
    assert pattern_in_words(r"\breports?\b|\bexpenses?\b") == "title contains “report” or “expense”"
    assert pattern_in_words("offsite") == "title contains “offsite”"
    assert pattern_in_words(r"one[- ]on[- ]one|1:1") == "title contains “one on one” or “1:1”"
    # A pattern words cannot say exactly is shown as it is.
    assert pattern_in_words(r"^Q\d") == r"title matches the pattern ^Q\d"
    assert all(not pattern_in_words(r.title).startswith("title matches") for r in a.DEFAULT_RULES)
    pattern = words_to_pattern("report or expenses, Q1 (plan)")
    assert pattern == r"report|expenses|Q1\ \(plan\)"
    rule = Rule(TACTICAL, title=pattern)
    assert rule.matches(event("Q1 (plan) review")) and rule.matches(event("Expenses"))
    assert not rule.matches(event("Quarterly planning"))
