"""Settings from the environment: the database URL, typed readers, the production posture."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from ninety.conf import database_config, env_bool, env_date


def _ninety(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("NINETY_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, "-m", "ninety", *args],
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_sqlite_is_the_default(tmp_path: Path) -> None:
    config = database_config(None, tmp_path / "db.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"] == str(tmp_path / "db.sqlite3")
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_a_bare_path_means_sqlite(tmp_path: Path) -> None:
    config = database_config(str(tmp_path / "x.db"), tmp_path / "unused")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert config["NAME"].endswith("x.db")


def test_a_postgres_url_means_postgres(tmp_path: Path) -> None:
    config = database_config("postgresql://postgres@127.0.0.1:5432/test", tmp_path / "unused")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("127.0.0.1", 5432, "test")


def test_an_unsupported_engine_fails_at_start(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="not supported"):
        database_config("mysql://root@localhost/x", tmp_path / "unused")


def test_a_bad_boolean_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NINETY_HTTPS", "maybe")
    with pytest.raises(ImproperlyConfigured, match="NINETY_HTTPS"):
        env_bool("NINETY_HTTPS", False)


def test_a_data_dir_that_does_not_exist_yet_is_created(tmp_path: Path) -> None:
    # `ninety demo` stopped with "sqlite3.OperationalError: unable to open database file".
    folder = tmp_path / "new" / "data"
    result = _ninety("migrate", "--noinput", NINETY_DATA_DIR=str(folder))
    assert result.returncode == 0, result.stderr
    assert (folder / "ninety.sqlite3").is_file()


def test_a_data_dir_that_cannot_be_made_names_the_variable(tmp_path: Path) -> None:
    taken = tmp_path / "a-file"
    taken.write_text("")
    result = _ninety("check", NINETY_DATA_DIR=str(taken / "data"))
    assert result.returncode != 0
    assert "NINETY_DATA_DIR=" in result.stderr and "cannot create the folder" in result.stderr
    assert "OperationalError" not in result.stderr and "Traceback" not in result.stderr


def test_ninety_today_is_a_day_or_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NINETY_TODAY", "2026-12-01")
    assert str(env_date("NINETY_TODAY")) == "2026-12-01"
    monkeypatch.setenv("NINETY_TODAY", "")
    assert env_date("NINETY_TODAY") is None
    monkeypatch.setenv("NINETY_TODAY", "1 Dec")
    with pytest.raises(ImproperlyConfigured, match="NINETY_TODAY='1 Dec': expected a day"):
        env_date("NINETY_TODAY")


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _ninety("check", NINETY_ENV="production", NINETY_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "NINETY_SECRET_KEY must be set" in result.stderr


def test_the_production_settings_pass_the_deploy_checks(tmp_path: Path) -> None:
    result = _ninety(
        "check", "--deploy", "--fail-level", "WARNING",
        NINETY_ENV="production", NINETY_SECRET_KEY=secrets.token_urlsafe(50),
        NINETY_ALLOWED_HOSTS="ninety.example.com", NINETY_DATA_DIR=str(tmp_path),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_deploy_checks_fail_when_https_is_switched_off(tmp_path: Path) -> None:
    result = _ninety(
        "check", "--deploy", "--fail-level", "WARNING",
        NINETY_ENV="production", NINETY_SECRET_KEY=secrets.token_urlsafe(50),
        NINETY_ALLOWED_HOSTS="ninety.example.com", NINETY_DATA_DIR=str(tmp_path),
        NINETY_HTTPS="0",
    )  # fmt: skip
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stdout + result.stderr


def test_the_cli_keeps_the_traceback_of_an_error_that_is_not_a_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Settings loaded, then a command fails with ImproperlyConfigured: Django says so of a code
    # bug too (a circular import in a urls module), whose traceback names the cause; only a
    # bad NINETY_* setting (the settings did not load) is one line without it.
    import django.core.management as management

    from ninety import cli

    def broken(argv: list[str]) -> None:
        raise ImproperlyConfigured(
            "The included URLconf 'ninety.urls' does not appear to have any patterns in it"
        )

    monkeypatch.setattr(management, "execute_from_command_line", broken)
    with pytest.raises(ImproperlyConfigured, match="URLconf"):
        cli.main(["check"])


def test_a_data_dir_is_read_as_the_other_settings_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Blank means the default, and the spaces around a value (an env file's "= /srv/ninety ")
    # are not part of the folder's name: no folder "   " or "ninety " beside the real one.
    from ninety.conf import env_dir

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NINETY_DATA_DIR", "   ")
    assert env_dir("NINETY_DATA_DIR", tmp_path / "default") == tmp_path / "default"
    monkeypatch.setenv("NINETY_DATA_DIR", f" {tmp_path / 'data'} ")
    assert env_dir("NINETY_DATA_DIR", tmp_path / "default") == tmp_path / "data"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
