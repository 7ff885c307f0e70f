"""Load a whole simulator output directory (``ninety simulate``) into an org."""

from __future__ import annotations

from pathlib import Path

from django.utils.text import slugify

from ninety.core.playbook_spec import load_playbook_yaml
from ninety.ingest.services import ImportError_, ImportSummary, import_file
from ninety.people.models import Org
from ninety.playbook.services import current_playbook, install_playbook, playbook_spec

ORDER = ("people", "deals", "activities", "quotas")


def load_dataset_dir(
    path: Path,
    org: Org | None = None,
    *,
    org_name: str = "Simulated Org",
    slug: str = "",
    progress: bool = False,
) -> Org:
    """Install ``playbook.yaml`` and import people, deals, activities and quotas; return the org.

    Uses the ``ninety`` preset (the simulator's canonical headers). Any rejected row is an
    error here: the simulator's files must load exactly.
    """
    path = Path(path)
    if org is None:
        # Loading the same directory again finds its org and imports nothing new.
        org, _ = Org.objects.get_or_create(
            slug=slug or slugify(org_name), defaults={"name": org_name}
        )
    playbook = path / "playbook.yaml"
    if playbook.exists() and not _same_playbook(org, playbook):
        install_playbook(org, load_playbook_yaml(playbook.read_text(encoding="utf-8")))
    for kind in ORDER:
        file = path / f"{kind}.csv"
        if not file.exists():
            continue
        summary = import_file(
            org, kind, file, preset="ninety", progress=_bar(kind) if progress else None
        )
        if summary.rejected:
            raise ImportError_(_describe(summary))
    return org


def _same_playbook(org: Org, path: Path) -> bool:
    current = current_playbook(org)
    if current is None:
        return False
    wanted = load_playbook_yaml(path.read_text(encoding="utf-8"))
    return playbook_spec(current).stages == wanted.stages


def _describe(s: ImportSummary) -> str:
    first = "; ".join(f"row {e.row} {e.field}: {e.reason}" for e in s.errors[:3])
    return f"{s.file_name}: {s.rejected} rows rejected ({first})"


def _bar(kind: str):  # type: ignore[no-untyped-def]
    from rich.console import Console

    console = Console(stderr=True)
    last = [-1]

    def report(done: int, total: int) -> None:
        pct = int(100 * done / max(total, 1))
        if pct // 10 != last[0]:
            last[0] = pct // 10
            console.print(f"  {kind}: {pct}%")

    return report
