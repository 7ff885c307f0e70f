"""``ninety experiment analyse ID [--as-of DATE] [--json]`` · ``ninety experiment list``
· ``ninety experiment refresh`` — each ``[--org SLUG]`` (needed when there are several orgs)."""

from __future__ import annotations

import json
import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ninety.experiments.models import Experiment
from ninety.experiments.queries import with_people
from ninety.experiments.serialize import experiment_json, look_json, result_json
from ninety.experiments.services import analysis_of, refresh_running
from ninety.people.cli import org_from_option
from ninety.people.models import Org

ORG_HELP = "org slug (default: the only org)"


class Command(BaseCommand):
    help = "Behavior experiments: analyse one, list them, refresh the running ones' verdicts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        analyse = sub.add_parser("analyse", help="the verdict of one experiment, from the data")
        analyse.add_argument("id", type=int)
        analyse.add_argument("--as-of", type=date.fromisoformat, default=None)
        analyse.add_argument("--json", action="store_true")
        analyse.add_argument("--org", help=ORG_HELP)
        listing = sub.add_parser("list", help="experiments with their cached verdicts")
        listing.add_argument("--status", choices=Experiment.Status.values)
        listing.add_argument("--json", action="store_true")
        listing.add_argument("--org", help=ORG_HELP)
        refresh = sub.add_parser("refresh", help="re-analyse every running experiment of an org")
        refresh.add_argument("--org", help="org slug (default: every org)")
        refresh.add_argument("--as-of", type=date.fromisoformat, default=None)

    def handle(self, *args: Any, **opts: Any) -> None:
        getattr(self, f"_{opts['action']}")(opts)

    def _analyse(self, opts: dict[str, Any]) -> None:
        org = org_from_option(opts["org"])
        experiment = Experiment.objects.filter(org=org, pk=opts["id"]).first()
        if experiment is None:
            raise CommandError(f"no experiment {opts['id']}")
        started = time.perf_counter()
        analysis = analysis_of(experiment, opts["as_of"])
        ms = 1000 * (time.perf_counter() - started)
        if opts["json"]:
            body = experiment_json(experiment) | {
                "analysis": result_json(analysis.result),
                "over_time": [look_json(lk) for lk in analysis.looks],
                "elapsed_ms": round(ms, 1),
            }
            self.stdout.write(json.dumps(body, indent=1))
            return
        r = analysis.result
        names = ", ".join(p.name for p in experiment.subjects.all())
        self.stdout.write(f"#{experiment.pk} {names} — {experiment.hypothesis}")
        self.stdout.write(f"  {r.sentence}")
        self.stdout.write(
            f"  verdict: {r.verdict}; P(improved) {r.p_improved:.3f}; "
            f"always-valid p {r.p_value:.3f}; as of {r.as_of} ({ms:.0f} ms)"
        )

    def _list(self, opts: dict[str, Any]) -> None:
        qs = with_people(Experiment.objects.filter(org=org_from_option(opts["org"])))
        if opts.get("status"):
            qs = qs.filter(status=opts["status"])
        if opts["json"]:
            self.stdout.write(json.dumps([experiment_json(e) for e in qs], indent=1))
            return
        for e in qs:
            names = ", ".join(p.name for p in e.subjects.all())
            self.stdout.write(
                f"#{e.pk:<4} {e.status:<9} {e.start} {names} · {e.metric} · "
                f"{e.verdict or 'not analysed'}"
            )

    def _refresh(self, opts: dict[str, Any]) -> None:
        orgs = Org.objects.filter(slug=opts["org"]) if opts.get("org") else Org.objects.all()
        for org in orgs:
            started = time.perf_counter()
            n = refresh_running(org, opts["as_of"])
            ms = 1000 * (time.perf_counter() - started)
            self.stdout.write(f"{org.slug}: {n} running experiment(s) analysed in {ms:.0f} ms")
