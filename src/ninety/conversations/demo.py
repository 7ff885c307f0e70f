"""The demo story's calls: a few transcripts attached to Sam's and Alex's recent connects, so
the rep page lists calls, the call page shows the way found, and the prep sheet has evidence.

Each transcript opens with the way already logged on its activity (Sam: mostly the price hook;
Alex: a local customer), so the rollups and the story's figures do not change.
"""

from __future__ import annotations

from datetime import date, timedelta

from ninety.activity.models import Activity
from ninety.conversations.services import CallFile, import_call
from ninety.core.conversations.analysis import way_examples
from ninety.core.conversations.detect import LexicalEmbedder
from ninety.people.models import Org, Person, Role

CALLS_PER_REP = 3
PROSPECT_LINES = ("Who is this?", "Okay, I'm listening, but I'm busy.", "What's the catch?",
                  "Hmm. Send me something in writing.")  # fmt: skip


def _vtt(rep: str, opening: str, long_pitch: bool) -> str:
    """A short call: the rep's opening, the prospect's answers, a rep who talks on or asks."""
    rep_lines = [f"Hi, this is {rep.split()[0]} from Sunny Solar. {opening}",
                 "We have installers in your area this month and the panels pay for themselves, "
                 "and there is a warranty of twenty five years, and financing too."
                 if long_pitch else "What matters most to you about your energy bill?",
                 "Could we book a short visit next week?"]  # fmt: skip
    cues, t = ["WEBVTT", ""], 0.0
    for i, line in enumerate(rep_lines):
        span = 2 + len(line.split()) / 2.6
        cues += [f"{_ts(t)} --> {_ts(t + span)}", f"<v {rep}>{line}</v>", ""]
        t += span + (0.3 if long_pitch else 1.2)
        answer = PROSPECT_LINES[i % len(PROSPECT_LINES)]
        cues += [f"{_ts(t)} --> {_ts(t + 2.5)}", f"<v Prospect>{answer}</v>", ""]
        t += 3.0
    return "\n".join(cues)


def _ts(seconds: float) -> str:
    m, s = divmod(seconds, 60)
    return f"{int(m):02d}:{s:06.3f}"


def seed_calls(org: Org, as_of: date, reps: list[Person]) -> int:
    """Attach :data:`CALLS_PER_REP` transcripts to each rep's last connects with a way."""
    admin = Person.objects.filter(org=org, role=Role.ADMIN).order_by("pk").first()
    examples = way_examples()
    done = 0
    for rep in reps:
        recent = (Activity.objects.filter(person=rep, type="connect", way__isnull=False,
                                          occurred_at__date__lte=as_of,
                                          occurred_at__date__gt=as_of - timedelta(days=14))
                  .exclude(external_id="").select_related("way")
                  .order_by("-occurred_at")[:CALLS_PER_REP])  # fmt: skip
        for k, activity in enumerate(recent):
            lines = examples.get(activity.way.key) or (activity.way.text,)
            text = _vtt(rep.name, lines[k % len(lines)], long_pitch=rep.pk % 2 == 0 or k == 0)
            call = CallFile(f"call-{activity.external_id}.vtt", text,
                            activity_external_id=activity.external_id)  # fmt: skip
            # The lexical fallback: the demo reads the same on every install.
            import_call(admin or rep, call, LexicalEmbedder())
            done += 1
    return done
