from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ninety.core.playbook_spec import default_playbook
from ninety.playbook.services import install_playbook
from tests.conftest import World

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def imports_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "imports"
    monkeypatch.setenv("NINETY_IMPORTS_DIR", str(folder))
    return folder


@pytest.fixture
def acme(world: World) -> World:
    """The personas' world with the default playbook published for Acme."""
    install_playbook(world.org, default_playbook())
    return world


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the fixture files (rejects CSVs are written beside them)."""
    out = tmp_path / "data"
    shutil.copytree(DATA, out)
    return out
