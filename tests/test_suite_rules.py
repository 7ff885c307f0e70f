"""Rules the suite keeps about itself: every test runs (in CI too), none is skipped or expected
to fail, so a green run means every test passed."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
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
