"""Helpers shared by the ``ninety`` management commands."""

from __future__ import annotations

from typing import IO

from django.core.management.base import CommandError
from rich.console import Console

from ninety.people.models import Org

#: Columns when the output is not a terminal (a pipe or a file): rich's default of 80 cut the
#: names to 'Car… Bak…'.
PIPE_WIDTH = 160


def console_for(stream: IO[str]) -> Console:
    """A console on ``stream``: a terminal's own width, else :data:`PIPE_WIDTH` columns."""
    tty = hasattr(stream, "isatty") and stream.isatty()
    return Console(file=stream, width=None if tty else PIPE_WIDTH)


def org_from_option(slug: str | None) -> Org:
    """The org a command works on: ``--org SLUG``, or the only org there is."""
    if slug:
        org = Org.objects.filter(slug=slug).first()
        if org is None:
            raise CommandError(f"--org {slug}: no such org")
        return org
    orgs = list(Org.objects.order_by("slug")[:2])
    if len(orgs) == 1:
        return orgs[0]
    if not orgs:
        raise CommandError("there is no org yet: import people or run `ninety demo`")
    names = ", ".join(Org.objects.order_by("slug").values_list("slug", flat=True)[:20])
    raise CommandError(f"name the org with --org SLUG (orgs: {names})")
