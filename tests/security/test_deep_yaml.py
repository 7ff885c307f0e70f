"""YAML nested deeper than Python's stack: every reader of YAML answers with a clear error
(playbook API, the import page's mapping as preview and as import, the CLI), never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from ninety.api.services import create_token
from ninety.core import safe_yaml
from ninety.core.playbook_spec import PlaybookSpecError, load_playbook_yaml
from ninety.ingest.mapping import MappingError, parse_mapping_text
from ninety.ingest.models import ImportBatch
from ninety.playbook.models import Playbook
from tests.conftest import World

DEEP = ["[" * 500, "[" * 1000, "{a: " * 400, "- " * 400 + "x", "[" * 200_000]


@pytest.mark.parametrize("text", DEEP, ids=["flow-500", "flow-1000", "maps", "block", "flow-200k"])
def test_nesting_deeper_than_the_cap_is_a_yaml_error_with_its_place(text: str) -> None:
    with pytest.raises(safe_yaml.UnsafeYaml, match="nested more than 64 levels deep") as err:
        safe_yaml.load(text)
    assert isinstance(err.value, safe_yaml.yaml.YAMLError)
    assert err.value.problem_mark.line == 0  # the message says where


def test_nesting_up_to_the_cap_still_reads() -> None:
    depth = safe_yaml.MAX_YAML_DEPTH
    assert safe_yaml.load("[" * depth + "]" * depth) is not None
    nested = {"a": {"b": [{"c": [1, {"d": 2}]}]}}
    assert safe_yaml.load("a:\n  b:\n    - c: [1, {d: 2}]\n") == nested


def test_a_recursion_error_becomes_the_modules_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # A caller already deep in its own stack may hit the limit below the cap.
    def boom(self: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(safe_yaml._BoundedLoader, "get_single_data", boom)
    with pytest.raises(safe_yaml.UnsafeYaml, match="nested too deep"):
        safe_yaml.load("a: 1")


def test_playbook_and_mapping_readers_say_it_clearly() -> None:
    with pytest.raises(PlaybookSpecError, match=r"line 1: playbook: not valid YAML: nested"):
        load_playbook_yaml("[" * 500)
    with pytest.raises(MappingError, match="mapping: not valid YAML: nested more than 64"):
        parse_mapping_text("[" * 1000)


def test_the_playbook_api_answers_422(world: World, client) -> None:
    _, token = create_token(world.leader, "deep")
    response = client.post(
        "/api/playbook/import",
        {"yaml": "[" * 500},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422
    assert "nested more than 64 levels deep" in response.json()["detail"]
    assert not Playbook.objects.exists()


@pytest.mark.parametrize("step", ["preview", "import"])
def test_the_import_page_answers_400(
    world: World, client_for, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    monkeypatch.setenv("NINETY_IMPORTS_DIR", str(tmp_path / "imports"))
    csv = tmp_path / "a.csv"
    csv.write_text("external_id,person,occurred_at,type\nx1,Sam,2026-10-01 09:00,dial\n")
    with csv.open("rb") as f:
        response = client_for(world.admin).post(
            "/import/", {"kind": "activities", "file": f, "mapping": "[" * 1000, "step": step}
        )
    assert response.status_code == 400
    assert b"nested more than 64 levels deep" in response.content
    assert not ImportBatch.objects.exists()


def test_the_cli_readers_raise_command_errors(world: World, tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("[" * 1000)
    with pytest.raises(CommandError, match="nested more than 64 levels deep"):
        call_command("playbook", "import", str(deep), "--org", "acme")
    csv = tmp_path / "a.csv"
    csv.write_text("external_id,person,occurred_at,type\nx1,Sam,2026-10-01 09:00,dial\n")
    with pytest.raises(CommandError, match="nested more than 64 levels deep"):
        call_command("import", "activities", str(csv), "--org", "acme", "--mapping", str(deep))
    assert not Playbook.objects.exists()
