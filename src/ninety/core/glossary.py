"""Plain words for every statistical term a page shows: the hover/focus help and the glossary
page read from here, so a term means the same everywhere."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    key: str  # the anchor on the glossary page
    name: str
    plain: str  # one or two sentences a sales leader can read in passing


TERMS: tuple[Term, ...] = (
    Term("posterior-rate", "Posterior rate",
         "Our best estimate of a conversion rate: the rep's own numbers, pulled toward the "
         "team's rate when the rep has few tries, so ten calls never outrank a thousand."),
    Term("interval", "Interval (80% or 90%)",
         "The range the true value is in with that probability. A wide range means few tries: "
         "wait for more data before acting on the difference."),
    Term("certainty", "Likely / certain",
         "How probable it is that the stage is materially weaker than the team's (below 0.8 "
         "of its rate), not just an unlucky month. Of the stages said to be 60% likely, about "
         "60 in 100 are; the focus needs at least 35%, and the page says how sure it is."),
    Term("focus", "Focus",
         "The factor most likely to be the rep's material weakness, when that is at least 35% "
         "likely and the rep is more likely below the team than above: where coaching pays "
         "first. Read its certainty beside it: 40% is worth a look, 95% a plan."),
    Term("log-points", "Points (log points)",
         "A stage's share of the gap, in points that add up across stages to the whole gap. "
         "For small gaps a point is about one percent of the result."),
    Term("luck", "Luck (small numbers)",
         "The part of the gap that small numbers alone would produce: with few deals a month, "
         "some months are just better or worse. Nothing to coach."),
    Term("quota-vs-typical", "Quota vs typical rep",
         "How far the rep's quota is from what the team's typical rep produces: a gap that "
         "comes from the target, not from the rep's behavior."),
    Term("pace", "Pace vs quota",
         "Where the month is heading: won so far, plus open deals weighted by how often such "
         "deals close, plus new business at the current rate. A closed period shows the final."),
    Term("p-best", "P(best)",
         "The probability that this way works better than every other way of the behavior, "
         "given how often each led to the next stage."),
    Term("thompson", "Practise next (Thompson sampling)",
         "The way to try next: usually the one most likely best, sometimes a promising way with "
         "little evidence yet, so the team keeps learning. A way nobody has tried is never "
         "suggested over one with strong evidence."),
    Term("estimate", "Rate, adjusted (90%)",
         "A way's conversion rate as estimated from the tries so far, with the range it lies "
         "in with 90% probability. It is not converted ÷ tried: each rep's own skill is taken "
         "out (a strong rep's favourite way would look better than it is), and a way with few "
         "tries is pulled toward the stage's other ways."),
    Term("always-valid", "Always-valid interval and p-value",
         "A test that stays honest however often you look, so you may check an experiment every "
         "day. The price: it needs more data before it says “improved”. A p-value near 1 means "
         "the test cannot yet tell the change from no change, even when the estimate already "
         "leans one way (“91% likely”)."),
    Term("likely-improved", "Likely improved",
         "The probability that the behavior change moved the metric up, from the data so far. "
         "Useful for deciding to keep going; the always-valid test decides when it is proven."),
    Term("control", "Control group",
         "The team mates who did not change the behavior: their change over the same days is "
         "subtracted, so a good month for everyone does not count as the experiment's effect."),
    Term("difference-in-differences", "Change vs control",
         "How much more the subjects' metric moved than the control group's over the same "
         "days (difference in differences)."),
    Term("talk-share", "Talk share",
         "The share of the one-on-one in which the rep talked. The rep should talk most: 50% "
         "or more."),
    Term("ninety-ten", "90 : 10",
         "Of the time spent on the sales floor's outcomes, 90% should go to behaviors and "
         "process and 10% to looking at results; tactical work is best delegated."),
)  # fmt: skip

BY_KEY = {t.key: t for t in TERMS}


def term(key: str) -> Term:
    """The term of ``key``; an unknown key is a programming error (KeyError names it)."""
    return BY_KEY[key]
