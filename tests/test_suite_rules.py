"""Rules the project keeps about itself: every test runs (in CI too), none is skipped or expected
to fail, so a green run means every test passed; and code and docs cite only what is in the
repository."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
# Planning notes the project was started from; they are not in the repository.
OUTSIDE = re.compile(r"\b(DESIGN|STATISTICS|WIREFRAMES|CONVENTIONS)\.md\b")
SKIPS = re.compile(r"pytest\.(skip|xfail|importorskip)\b|mark\.(skip|skipif|xfail)\b")


def test_no_test_is_skipped_or_expected_to_fail() -> None:
    found = [
        f"{path.relative_to(TESTS)}:{n}: {line.strip()}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name != Path(__file__).name
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if SKIPS.search(line)
    ]
    assert found == []


def test_nothing_cites_a_file_outside_the_repository() -> None:
    files = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    for folder in ("src", "tests", "bench", "scripts"):
        files += [p for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".html", ".md")]
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in files
        if path.resolve() != Path(__file__).resolve()
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert found == []
