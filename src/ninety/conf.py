"""Typed readers for settings that come from the environment; bad values fail at start."""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r}: expected one of 1/0, true/false, yes/no, on/off")


def env_dir(name: str, default: Path) -> Path:
    """A folder from ``name``, created if it does not exist yet (else SQLite failed later with
    "unable to open database file"); one that cannot be made fails at start, naming ``name``.
    Blank is the default; the spaces around a value are not part of the folder's name."""
    raw = os.environ.get(name) or ""
    if not raw.strip():
        return default
    path = Path(raw.strip()).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        msg = f"{name}={raw!r}: cannot create the folder ({exc.strerror})"
        raise ImproperlyConfigured(msg) from exc
    if not path.is_dir():
        raise ImproperlyConfigured(f"{name}={raw!r}: not a folder")
    return path


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected an integer") from exc


def env_date(name: str) -> date | None:
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a day, YYYY-MM-DD") from exc


def today() -> date:
    """The day the pages read as today: ``NINETY_TODAY`` when set (``ninety demo --as-of``
    serves a demo as of that day), else the local date. Stamps (when something was done) keep
    the real clock."""
    from django.conf import settings
    from django.utils import timezone

    return getattr(settings, "NINETY_TODAY", None) or timezone.localdate()


def now_as_served() -> datetime:
    """The moment pages read as now: :func:`today` at the real time of day (the real clock
    when ``NINETY_TODAY`` is not set), e.g. how much of this week's calendar has passed."""
    from django.conf import settings
    from django.utils import timezone

    real = timezone.localtime(timezone.now())
    day = getattr(settings, "NINETY_TODAY", None)
    return real if day is None else real.replace(year=day.year, month=day.month, day=day.day)


def database_config(url: str | None, default_path: Path) -> dict[str, Any]:
    """Turn ``NINETY_DATABASE_URL`` into a Django ``DATABASES['default']`` entry.

    Accepts a PostgreSQL URL, a ``sqlite:///path`` URL, or a bare file path (taken as SQLite).
    """
    import dj_database_url

    if not url:
        url = f"sqlite:///{default_path}"
    elif "://" not in url:
        url = f"sqlite:///{Path(url).expanduser().resolve()}"
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"NINETY_DATABASE_URL: {exc}") from exc
    engine = config["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        config["CONN_MAX_AGE"] = 0
        config["CONN_HEALTH_CHECKS"] = False
        # WAL lets the web server read while an import writes; IMMEDIATE avoids lock upgrades
        # failing half-way through a write transaction.
        config["OPTIONS"] = {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
                "PRAGMA foreign_keys=ON;"
            ),
            "transaction_mode": "IMMEDIATE",
        }
        # Tests run on a file, as production does: the live server's threads, the task worker
        # and the test each hold their own connection. An in-memory test database is one
        # connection shared by every thread, whose transactions then interleave.
        config["TEST"] = {
            "NAME": str(Path(tempfile.gettempdir()) / f"ninety-test-{os.getpid()}.sqlite3")
        }
    elif engine not in ("django.db.backends.postgresql",):
        raise ImproperlyConfigured(
            f"NINETY_DATABASE_URL: engine {engine} is not supported (use SQLite or PostgreSQL)"
        )
    return config


CACHE_TABLE = "ninety_cache"


def cache_config(raw: str | None, production: bool) -> dict[str, Any]:
    """Turn ``NINETY_CACHE_URL`` into the ``reports`` cache (the diagnosis's report cache).

    ``redis://host:port/db`` (shared by every process, needs the ``redis`` package), ``db`` (the
    database's ``ninety_cache`` table, created by ``ninety migrate``: shared, no other service),
    ``memory`` (each process its own). Default: ``db`` in production, ``memory`` otherwise.
    """
    value = (raw or "").strip() or ("db" if production else "memory")
    if value.startswith(("redis://", "rediss://", "unix://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": value}
    if value == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    if value == "memory":
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "ninety-reports",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    raise ImproperlyConfigured(f"NINETY_CACHE_URL={raw!r}: expected redis://…, db or memory")
