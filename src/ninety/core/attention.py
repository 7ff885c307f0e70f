"""Where a leader's attention goes: categorise time, split it, and say what to delegate next.

Plain Python, no Django. The Django side (``ninety.delegation``) loads time entries and calendar
events, calls these functions and renders the result.

Three categories (docs/attention.md):

- ``behavior_process`` — coaching, one-on-one behavior reviews, process design, observing calls;
- ``results`` — forecast, pipeline and quota reviews;
- ``tactical`` — scheduling, reports, admin, employee concerns, hiring logistics.

The target is **90 : 10** between behavior & process and results: a leader should spend nine
hours on how results are produced for every hour spent looking at the results themselves. The
tactical share is reported next to it: it is the time that could be handed to someone else.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ninety.core.dates import day_text
from ninety.core.periods import FIRST_DAY, LAST_DAY, OutOfRange

BEHAVIOR = "behavior_process"
RESULTS = "results"
TACTICAL = "tactical"
SKIP = "skip"
CATEGORIES: tuple[str, ...] = (BEHAVIOR, RESULTS, TACTICAL)
CATEGORY_LABELS = {
    BEHAVIOR: "Behavior & process",
    RESULTS: "Results",
    TACTICAL: "Tactical",
    SKIP: "Not counted",
}
TARGET_BEHAVIOR_SHARE = 0.9
UNTITLED = "(no title)"

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True, order=True)
class IsoWeek:
    """An ISO 8601 week (Monday to Sunday), written ``YYYY-Www``."""

    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        m = _WEEK.match(text.strip())
        if not m:
            raise ValueError(f"week {text!r}: expected YYYY-Www, e.g. 2026-W48")
        year, week = int(m.group(1)), int(m.group(2))
        if not FIRST_DAY.year <= year <= LAST_DAY.year:
            raise OutOfRange(
                f"week {text!r}: expected a week from {FIRST_DAY.year} to {LAST_DAY.year}"
            )
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError as exc:
            raise ValueError(f"week {text!r}: {year} has no week {week}") from exc
        return cls(year, week)

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    @property
    def start(self) -> date:
        """The Monday."""
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def end(self) -> date:
        """The Monday after (exclusive end)."""
        return self.start + timedelta(days=7)

    def shift(self, weeks: int) -> IsoWeek:
        return IsoWeek.of(self.start + timedelta(weeks=weeks))

    def label(self) -> str:
        last = self.end - timedelta(days=1)
        return f"{self} ({day_text(self.start)} – {day_text(last)})"


# --- Calendar rules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEvent:
    """One occurrence of a calendar event, already expanded and converted to UTC.

    ``key`` identifies the occurrence across re-imports (the event's UID and its original start,
    i.e. its RECURRENCE-ID when the occurrence was moved), so importing the same file twice, or a
    newer export where an occurrence moved, never duplicates time.
    """

    key: str
    series: str
    start: datetime
    minutes: int
    title: str
    all_day: bool = False
    recurring: bool = False
    categories: tuple[str, ...] = ()
    attendees: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """Map events to a category. Every given condition must hold; an empty rule matches all.

    ``title`` is a case-insensitive regular expression searched in the event title;
    ``calendar_category`` matches one of the event's CATEGORIES (Outlook's colour categories)
    case-insensitively; ``attendee`` is a case-insensitive substring of one attendee's address
    (``@acme.example``, ``morgan``). All-day events are skipped unless the rule gives them
    ``all_day_minutes``.
    """

    category: str
    title: str = ""
    calendar_category: str = ""
    attendee: str = ""
    all_day_minutes: int = 0
    name: str = ""

    def __post_init__(self) -> None:
        if self.category not in (*CATEGORIES, SKIP):
            raise ValueError(f"rule category {self.category!r}: expected one of {CATEGORIES}")
        if self.title:
            try:
                re.compile(self.title)
            except re.error as exc:
                raise ValueError(f"rule title pattern {self.title!r}: {exc}") from exc

    def matches(self, event: CalendarEvent) -> bool:
        if self.title and not re.search(self.title, event.title, re.IGNORECASE):
            return False
        if self.calendar_category and self.calendar_category.lower() not in {
            c.lower() for c in event.categories
        }:
            return False
        return not self.attendee or any(self.attendee.lower() in a.lower() for a in event.attendees)


# Ninety's defaults, tried after the leader's and the org's own rules. Tactical patterns come
# first: "report review" (compiling and checking the daily reports) is the article's tactical
# "reviewing reports", while forecast and pipeline reviews are looking at results.
DEFAULT_RULES: tuple[Rule, ...] = (
    Rule(TACTICAL, title=r"schedul|rota|roster|shift plan", name="scheduling"),
    Rule(TACTICAL, title=r"\breports?\b|\bexpenses?\b|\badmin\b|payroll|invoice", name="admin"),
    Rule(
        TACTICAL,
        title=r"concern|complaint|\bhr\b|interview|hiring|onboard|logistics",
        name="people admin",
    ),
    Rule(
        RESULTS,
        title=r"forecast|pipeline|\bqbr\b|quota|numbers|results|revenue|commit",
        name="results reviews",
    ),
    Rule(
        BEHAVIOR,
        title=r"coach|1:1|1-1|one[- ]on[- ]one|ride[- ]?along|shadow|observ|"
        r"call review|role[- ]?play|playbook|process|training|huddle|skills",
        name="coaching and process",
    ),
)
FALLBACK = TACTICAL  # time that is neither coaching nor results is tactical until a rule says so


@dataclass(frozen=True)
class Categorised:
    event: CalendarEvent
    category: str  # one of CATEGORIES, or SKIP
    minutes: int
    rule: str  # the rule's name, or "" when no rule matched (the fallback was used)


def categorise(event: CalendarEvent, rules: Sequence[Rule]) -> Categorised:
    """The first matching rule decides; all-day events count only when a rule gives minutes.

    Untitled events ("busy" blocks) match only rules without a title condition, then fall back.
    """
    for rule in (*rules, *DEFAULT_RULES):
        if rule.title and event.title == UNTITLED:
            continue
        if rule.matches(event):
            name = rule.name or "rule"
            if event.all_day:
                minutes = rule.all_day_minutes
                return Categorised(event, rule.category if minutes else SKIP, minutes, name)
            return Categorised(event, rule.category, event.minutes, name)
    if event.all_day:
        return Categorised(event, SKIP, 0, "")
    return Categorised(event, FALLBACK, event.minutes, "")


# --- The split ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """Minutes per category, and the two ratios the meter shows.

    ``behavior_vs_results`` = B / (B + R): the 90 : 10 ratio, target 0.9.
    ``shares`` are of all counted time (B + R + T), so they add up to 1.
    """

    minutes: dict[str, int]
    total: int
    shares: dict[str, float]
    behavior_vs_results: float | None
    tactical_share: float | None
    target: float = TARGET_BEHAVIOR_SHARE

    @property
    def on_target(self) -> bool:
        return self.behavior_vs_results is not None and self.behavior_vs_results >= self.target

    @property
    def gap_points(self) -> float | None:
        """How far the B : R ratio is below the 90% target, in percentage points (≥ 0)."""
        if self.behavior_vs_results is None:
            return None
        return max(0.0, 100 * (self.target - self.behavior_vs_results))


def split(entries: Iterable[tuple[str, int]]) -> Split:
    """Sum ``(category, minutes)`` pairs into a :class:`Split`; other categories are ignored."""
    minutes = dict.fromkeys(CATEGORIES, 0)
    for category, m in entries:
        if category in minutes and m > 0:
            minutes[category] += int(m)
    total = sum(minutes.values())
    shares = {c: (minutes[c] / total if total else 0.0) for c in CATEGORIES}
    br = minutes[BEHAVIOR] + minutes[RESULTS]
    return Split(
        minutes=minutes,
        total=total,
        shares=shares,
        behavior_vs_results=minutes[BEHAVIOR] / br if br else None,
        tactical_share=minutes[TACTICAL] / total if total else None,
    )


def rounded_percentages(shares: dict[str, float]) -> dict[str, int]:
    """Whole percentages that add up to 100 (largest remainder), for bars and labels."""
    if not any(shares.values()):
        return dict.fromkeys(shares, 0)
    raw = {k: 100 * v for k, v in shares.items()}
    out = {k: int(v) for k, v in raw.items()}
    left = 100 - sum(out.values())
    for k in sorted(raw, key=lambda k: raw[k] - out[k], reverse=True)[:left]:
        out[k] += 1
    return out


# --- What to delegate next ---------------------------------------------------------------------


@dataclass(frozen=True)
class TimeItem:
    """One block of a leader's time, as the suggestion ranking needs it."""

    title: str
    category: str
    minutes: int
    week: IsoWeek
    recurring: bool = False


@dataclass(frozen=True)
class DelegationCandidate:
    """A recurring tactical item worth handing to someone else."""

    title: str
    minutes_this_week: int
    occurrences: int
    weeks_seen: int
    task_category: str

    @property
    def hours(self) -> float:
        return self.minutes_this_week / 60


def normalise_title(title: str) -> str:
    """Group "Report review (Mon)" and "report review" together: lower case, no brackets/dates."""
    t = re.sub(r"\(.*?\)|\[.*?\]", " ", title.lower())
    t = re.sub(r"\b\d{1,2}[/.]\d{1,2}([/.]\d{2,4})?\b", " ", t)
    return " ".join(re.sub(r"[^a-z0-9:&+ ]+", " ", t).split())


# Task categories of the article, guessed from a title (the leader can change it on the form).
_TASK_CATEGORY_PATTERNS: tuple[tuple[str, str], ...] = (
    ("scheduling", r"schedul|rota|roster|shift"),
    ("reviewing_reports", r"report"),
    ("one_on_ones", r"1:1|1-1|one[- ]on[- ]one"),
    ("training", r"training|onboard|role[- ]?play"),
    ("employee_concerns", r"concern|complaint|\bhr\b"),
    ("coaching", r"coach|ride[- ]?along|shadow"),
)


def task_category_for(title: str) -> str:
    for key, pattern in _TASK_CATEGORY_PATTERNS:
        if re.search(pattern, title, re.IGNORECASE):
            return key
    return "custom"


def delegation_candidates(
    items: Iterable[TimeItem],
    week: IsoWeek,
    *,
    already_delegated: Iterable[str] = (),
    limit: int = 5,
) -> list[DelegationCandidate]:
    """Recurring tactical items of ``week``, the biggest first.

    An item is recurring when it comes from a recurring calendar series, occurs more than once in
    the week, or its title was also seen in an earlier week of ``items``. Items whose normalised
    title is in ``already_delegated`` (open delegated tasks) are left out. Ties break on title.
    """
    skip = {normalise_title(t) for t in already_delegated}
    this_week: dict[str, list[TimeItem]] = defaultdict(list)
    weeks: dict[str, set[IsoWeek]] = defaultdict(set)
    for item in items:
        if item.category != TACTICAL or item.minutes <= 0:
            continue
        key = normalise_title(item.title) or UNTITLED
        if key == UNTITLED or key in skip:
            continue
        weeks[key].add(item.week)
        if item.week == week:
            this_week[key].append(item)
    out = []
    for key, group in this_week.items():
        recurring = any(i.recurring for i in group) or len(group) > 1 or len(weeks[key]) > 1
        if not recurring:
            continue
        title = max(group, key=lambda i: i.minutes).title
        out.append(
            DelegationCandidate(
                title=title,
                minutes_this_week=sum(i.minutes for i in group),
                occurrences=len(group),
                weeks_seen=len(weeks[key]),
                task_category=task_category_for(title),
            )
        )
    out.sort(key=lambda c: (-c.minutes_this_week, c.title.lower()))
    return out[:limit]


# --- Who to delegate to ------------------------------------------------------------------------


@dataclass(frozen=True)
class DelegateFacts:
    """What the ranking knows about one possible delegate."""

    person_id: int
    name: str
    is_leader: bool
    high_potential: bool
    strong_at_focus: bool
    open_delegations: int


@dataclass(frozen=True)
class DelegateSuggestion:
    facts: DelegateFacts
    score: float
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def person_id(self) -> int:
        return self.facts.person_id


# Weights: being reliably strong at the coachee's weak stage matters most (they can show the
# way), then the high-potential flag (the article's "high-potential employees"), then another
# leader; each open delegation costs availability.
W_STRONG, W_HIGH_POTENTIAL, W_LEADER, W_PER_OPEN = 3.0, 2.0, 1.0, 1.0


def rank_delegates(
    people: Iterable[DelegateFacts], *, focus_label: str | None = None, limit: int = 5
) -> list[DelegateSuggestion]:
    """Score and sort possible delegates; reps need to be strong or high-potential to appear.

    score = 3·strong_at_focus + 2·high_potential + 1·leader − 1·open_delegations.
    Ties break on fewer open delegations, then name.
    """
    out = []
    for p in people:
        if not p.is_leader and not (p.high_potential or p.strong_at_focus):
            continue
        reasons = []
        if p.strong_at_focus:
            reasons.append(f"reliably strong at {focus_label}" if focus_label else "strong")
        if p.high_potential:
            reasons.append("high-potential")
        if p.is_leader:
            reasons.append("leader")
        reasons.append(
            "no open delegations"
            if p.open_delegations == 0
            else f"{p.open_delegations} open delegation{'s' if p.open_delegations > 1 else ''}"
        )
        score = (
            W_STRONG * p.strong_at_focus
            + W_HIGH_POTENTIAL * p.high_potential
            + W_LEADER * p.is_leader
            - W_PER_OPEN * p.open_delegations
        )
        out.append(DelegateSuggestion(p, score, tuple(reasons)))
    out.sort(key=lambda s: (-s.score, s.facts.open_delegations, s.facts.name))
    return out[:limit]


# --- Rules in words ------------------------------------------------------------------------------

_WORD_SEPARATORS = re.compile(r"\s*(?:,|;|\bor\b)\s*", re.IGNORECASE)
_SIMPLE = re.compile(r"[\w :'&/.-]+")


def words_to_pattern(words: str) -> str:
    """ "report or expenses, payroll" → a title pattern matching any of them (case-insensitive)."""
    parts = [p.strip() for p in _WORD_SEPARATORS.split(words) if p.strip()]
    return "|".join(re.escape(p) for p in parts)


def _alternative_in_words(alt: str) -> str | None:
    text = alt.replace(r"\b", "").replace("[- ]?", " ").replace("[- ]", " ").replace("\\ ", " ")
    text = re.sub(r"(\w)s\?$", r"\1", text)  # "reports?" reads as "report"
    text = text.replace("\\-", "-").replace("\\.", ".")
    return text if _SIMPLE.fullmatch(text) else None


def pattern_in_words(pattern: str) -> str:
    """A title pattern as a person would say it: "title contains report or expenses".

    Patterns beyond alternatives of plain words (a leader's own regular expression) are shown
    as they are, so the words never claim more than the rule does.
    """
    words = [_alternative_in_words(a) for a in pattern.split("|")]
    if not words or any(w is None for w in words):
        return f"title matches the pattern {pattern}"
    quoted = [f"“{w}”" for w in words if w]
    if len(quoted) == 1:
        return f"title contains {quoted[0]}"
    return f"title contains {', '.join(quoted[:-1])} or {quoted[-1]}"
