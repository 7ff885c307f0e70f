"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live_server.

Screenshots land in ``bench/out/screenshots/`` so a person can look at what the tests saw.
"""

from __future__ import annotations

from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "bench" / "out" / "screenshots"


def screenshot(page: object, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def sign_in(page: object, live_server: object, username: str) -> None:
    """Sign in through the login form (every test login's password is ``pw-123456``)."""
    page.goto(f"{live_server.url}/login/")  # type: ignore[attr-defined]
    page.fill("#id_username", username)  # type: ignore[attr-defined]
    page.fill("#id_password", "pw-123456")  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_load_state()  # type: ignore[attr-defined]


# The simulated story org, shared with tests/diagnosis.
from tests.diagnosis.conftest import (  # noqa: E402, F401
    day1_org_live,
    day1_sim,
    story_org_live,
    story_sim,
)
