#!/usr/bin/env python3
"""Screenshots of every page for every persona, into docs/screenshots/ (one command).

    .venv/bin/python scripts/screenshots.py [--as-of YYYY-MM-DD] [--out docs/screenshots]

Builds the demo org in a throw-away SQLite database (``ninety demo --no-serve``), serves it with
gunicorn on a free port, signs in as each persona of the demo story in Debian's chromium and
takes a full-page screenshot of each page on their tour (``tests/browser/tour.py``, the same
pages the phone-layout test measures). Files: ``<persona>-<page>.png`` at 1280 px, and
``phone-<persona>-<page>.png`` at 390 px for the pages a leader uses most; ``index.md`` lists them.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("NINETY_CHROMIUM", "/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
PHONE_PAGES = {
    "dashboard",
    "dashboard-compare",
    "rep-page",
    "rep-page-compare",
    "one-on-one-meeting",
    "attention",
    "my-diagnosis",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"the server did not start on port {port} within {seconds:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                        help="build the demo up to this day (default: today)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: run scripts/install-chromium.sh")
    tmp = Path(tempfile.mkdtemp(prefix="ninety-shots-"))
    env = dict(os.environ, NINETY_DATABASE_URL=f"sqlite:///{tmp / 'demo.sqlite3'}",
               NINETY_DATA_DIR=str(tmp), NINETY_DEBUG="0", DJANGO_SETTINGS_MODULE="ninety.settings")
    demo = [sys.executable, "-m", "ninety.cli", "demo", "--no-serve"]
    if args.as_of:
        demo += ["--as-of", args.as_of.isoformat()]
    subprocess.run(demo, env=env, check=True, cwd=ROOT)  # noqa: S603
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "ninety.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port)
        shots = _photograph(env, f"http://127.0.0.1:{port}", args.out, args.as_of)
    finally:
        server.terminate()
        server.wait(timeout=10)
    _write_index(args.out, shots)
    print(f"{len(shots)} screenshots in {args.out}/ (index.md lists them)")


def _photograph(env: dict[str, str], url: str, out: Path, as_of: date | None) -> list[str]:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from playwright.sync_api import sync_playwright

    from ninety.demo import DEMO_PASSWORD, DEMO_SLUG
    from ninety.people.models import Org
    from tests.browser.tour import ANONYMOUS, personas, tour

    org = Org.objects.get(slug=DEMO_SLUG)
    people = personas(org)
    walks = [("anonymous", None, ANONYMOUS)]
    walks += [(name, people[name].user.username, stops) for name, stops in tour(org, as_of).items()]
    out.mkdir(parents=True, exist_ok=True)
    shots: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for persona, username, stops in walks:
            for size, prefix in ((DESKTOP, ""), (PHONE, "phone-")):
                wanted = [s for s in stops if not prefix or s.name in PHONE_PAGES]
                if not wanted:
                    continue
                context = browser.new_context(viewport=size)
                context.set_default_timeout(120_000)  # a busy machine serves slowly
                page = context.new_page()
                if username:
                    page.goto(f"{url}/login/")
                    page.fill("#id_username", username)
                    page.fill("#id_password", DEMO_PASSWORD)
                    page.click("button[type=submit]")
                    page.wait_for_load_state()
                for stop in wanted:
                    page.goto(url + stop.path)
                    name = f"{prefix}{persona}-{stop.name}.png"
                    page.screenshot(path=str(out / name), full_page=True)
                    shots.append(name)
                context.close()
        browser.close()
    return shots


def _write_index(out: Path, shots: list[str]) -> None:
    lines = [
        "# Screenshots",
        "",
        "Every page for every persona of the demo story, regenerated by "
        "`.venv/bin/python scripts/screenshots.py` (the demo built for that day).",
        "",
    ]
    lines += [f"- [{name[:-4]}]({name})" for name in shots]
    (out / "index.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
