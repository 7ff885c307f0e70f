"""``ninety simulate_pipeline``: a deals-only org (no activities), with or without stage history."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from ninety.core.sim.pipeline import PipelineSimConfig, simulate_pipeline, write_pipeline_dataset
from ninety.ingest.services import import_file
from ninety.people.models import Org


class Command(BaseCommand):
    help = (
        "Simulate a pipeline-only org (people and deals, no logged activities; stage history "
        "unless --no-history) with planted weak stages; write the CSVs to --out, or --load them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = PipelineSimConfig()
        parser.add_argument("--reps", type=int, default=60)
        parser.add_argument("--days", type=int, default=defaults.days)
        parser.add_argument("--seed", type=int, default=defaults.seed)
        parser.add_argument("--out", type=Path, default=None, help="directory to write into")
        parser.add_argument("--no-history", action="store_true", help="no stage_history.csv")
        parser.add_argument("--load", action="store_true", help="import into a new org")
        parser.add_argument("--org", default="Pipeline (simulated)", help="the new org's name")

    def handle(self, *args: Any, **opts: Any) -> None:
        if not opts["out"] and not opts["load"]:
            raise CommandError("give --out DIR, --load, or both")
        if opts["reps"] < 1 or opts["days"] < 7:
            raise CommandError("--reps must be >= 1 and --days >= 7")
        cfg = PipelineSimConfig(reps=opts["reps"], days=opts["days"], seed=opts["seed"])
        sim = simulate_pipeline(cfg)
        out = opts["out"] or Path(tempfile.mkdtemp(prefix="ninety-pipeline-"))
        counts = write_pipeline_dataset(sim, out, history=not opts["no_history"])
        for name, n in counts.items():
            self.stdout.write(f"{out / name}: {n:,} rows")
        if opts["load"]:
            self._load(out, opts["org"], counts)

    def _load(self, out: Path, name: str, counts: dict[str, int]) -> None:
        if Org.objects.filter(name=name).exists():
            raise CommandError(f"an org named {name!r} exists already; pass --org")
        org = Org.objects.create(name=name, slug=_slug(name))
        steps = [("people", "people.csv"), ("deals", "deals.csv")]
        if "stage_history.csv" in counts:
            steps.append(("activities", "stage_history.csv"))
        for kind, file in steps:
            s = import_file(org, kind, out / file, preset="ninety", strict=True)
            self.stdout.write(f"{kind}: {s.imported:,} imported, {s.rejected} rejected")
        self.stdout.write(f"loaded into org {org.name!r} (slug {org.slug})")


def _slug(name: str) -> str:
    base, i = slugify(name) or "pipeline", 2
    slug = base
    while Org.objects.filter(slug=slug).exists():
        slug, i = f"{base}-{i}", i + 1
    return slug
