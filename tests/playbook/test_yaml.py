"""The playbook as YAML: an exact round trip (property test), the CLI and the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ninety.api.services import create_token
from ninety.core.playbook_spec import (
    BehaviorSpec,
    PlaybookSpec,
    PlaybookSpecError,
    StageSpec,
    WaySpec,
    load_playbook_yaml,
)
from ninety.people.models import Org
from ninety.playbook.models import Playbook
from ninety.playbook.services import install_playbook, playbook_spec
from tests.conftest import World

# Printable text of any script, with quotes, colons, '#' and leading dashes that YAML must quote.
TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp", "Co", "Cn")),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip() == s and s != "")
KEY = st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)


def _unique(items: list[Any]) -> list[Any]:
    seen: set[str] = set()
    return [x for x in items if not (x.key in seen or seen.add(x.key))]


WAYS = st.lists(
    st.builds(
        WaySpec, key=KEY, text=TEXT, source=st.sampled_from(["leader", "rep"]),
        status=st.sampled_from(["approved", "proposed", "retired"]),
    ),
    max_size=6,
).map(lambda ws: tuple(_unique(ws)))  # fmt: skip
BEHAVIORS = st.lists(
    st.builds(BehaviorSpec, key=KEY, name=TEXT, questions=st.lists(TEXT, max_size=3).map(tuple),
              ways=WAYS),
    max_size=3,
).map(lambda bs: tuple(_unique(bs)))  # fmt: skip
STAGES = st.lists(
    st.builds(StageSpec, key=KEY, name=TEXT, entry=KEY, exit=KEY, behaviors=BEHAVIORS),
    min_size=1,
    max_size=4,
).map(lambda ss: tuple(_unique(ss)))
SPECS = st.builds(PlaybookSpec, name=TEXT, version=st.integers(1, 50), stages=STAGES)


@settings(max_examples=60, deadline=None)
@given(SPECS)
def test_the_yaml_round_trip_is_exact(spec: PlaybookSpec) -> None:
    assert load_playbook_yaml(spec.to_yaml()) == spec


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SPECS)
def test_a_stored_playbook_exports_exactly_what_was_imported(spec: PlaybookSpec) -> None:
    org = Org.objects.create(name="Round", slug=f"round-{Org.objects.count()}")
    assert playbook_spec(install_playbook(org, spec)) == spec


def test_export_then_import_through_the_cli_is_exact(playbook: Playbook, tmp_path: Path) -> None:
    out = tmp_path / "pb.yaml"
    call_command("playbook", "export", str(out), "--org", "acme")
    other = Org.objects.get(slug="other")
    call_command("playbook", "import", str(out), "--org", "other")
    imported = Playbook.objects.get(org=other)
    assert imported.status == "published"
    assert playbook_spec(imported) == playbook_spec(playbook)
    assert out.read_text() == playbook_spec(imported).to_yaml()


def test_an_import_with_an_error_names_the_line(world: World, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: X\nstages:\n  - key: a\n    name: A\n    entry: dial\n    exit: connect\n"
        "    behaviors:\n      - key: b\n        name: B\n        ways:\n"
        "          - key: w1\n            text: One\n          - key: w2\n"
    )
    with pytest.raises(CommandError, match=r"line 13: stages\[0\]\.behaviors\[0\]\.ways\[1\]: "
                       r"missing 'text'"):  # fmt: skip
        call_command("playbook", "import", str(bad), "--org", "acme")
    assert not Playbook.objects.exists()


def test_an_unknown_way_status_is_rejected_with_its_line() -> None:
    text = (
        "name: X\nstages:\n  - key: a\n    name: A\n    entry: dial\n    exit: connect\n"
        "    behaviors:\n      - key: b\n        name: B\n        ways:\n"
        "          - {key: w, text: T, status: maybe}\n"
    )
    with pytest.raises(PlaybookSpecError, match=r"line 11: .*status one of") as info:
        load_playbook_yaml(text)
    assert info.value.line == 11


def test_the_cli_needs_an_org_when_there_are_several(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--org"):
        call_command("playbook", "export", str(tmp_path / "x.yaml"))


def test_the_api_serves_the_playbook_as_json_and_yaml(
    world: World, client_for: Any, playbook: Playbook
) -> None:
    _, token = create_token(world.rep, "t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    data = client_for(None).get("/api/playbook", **auth).json()
    assert data["version"] == 1 and data["spec"] == playbook_spec(playbook).to_dict()
    text = client_for(None).get("/api/playbook.yaml", **auth).content.decode()
    assert load_playbook_yaml(text) == playbook_spec(playbook)


def test_the_api_import_reports_the_line_of_an_error(world: World, client_for: Any) -> None:
    _, token = create_token(world.leader, "t")
    response = client_for(None).post(
        "/api/playbook/import", {"yaml": "name: X\nstages:\n  - key: a\n"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}",
    )  # fmt: skip
    assert response.status_code == 422
    assert "line 3: stages[0]: missing 'name'" in response.json()["detail"]
    assert not Playbook.objects.exists()


def test_proposing_and_deciding_through_the_api(
    world: World, client_for: Any, playbook: Playbook
) -> None:
    _, rep_token = create_token(world.rep, "t")
    _, leader_token = create_token(world.leader, "t")
    proposed = client_for(None).post(
        "/api/playbook/ways",
        {"stage": "conversation", "behavior": "compelling-reason-to-speak", "text": "Say hi"},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {rep_token}",
    )  # fmt: skip
    assert proposed.status_code == 201
    way_id = proposed.json()["id"]
    approved = client_for(None).post(
        f"/api/playbook/ways/{way_id}/approve", {"text": "Say hi, then their name."},
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {leader_token}",
    )  # fmt: skip
    assert approved.json()["status"] == "approved"
    assert approved.json()["author_id"] == world.rep.pk
    stats = client_for(None).get("/api/playbook/ways", HTTP_AUTHORIZATION=f"Bearer {rep_token}")
    behaviors = stats.json()["items"]
    greeting = next(b for b in behaviors if b["behavior"] == "compelling-reason-to-speak")
    assert len(greeting["ways"]) == 11 and greeting["suggestion"]
