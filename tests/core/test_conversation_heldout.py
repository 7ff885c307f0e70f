"""The held-out openings of the ways-detection bench (#22): large enough, with enough openings
that use no way, and sharing no opening (nor written line) with the tuning set, so that the
figure on it is not a figure on lines the thresholds and example lines were set on."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from ninety.core.conversations.analysis import way_examples

DATA = Path(__file__).resolve().parents[2] / "bench" / "data"


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", text.lower()).split())


def _openings(name: str) -> tuple[list[tuple[str, str]], set[str]]:
    """(opening, label) as the bench builds them (each line after each greeting), and the
    written lines."""
    data = yaml.safe_load((DATA / name).read_text())
    lines = {line: key for key, group in data["openings"].items() for line in group}
    return [(f"{g} {line}", k) for line, k in lines.items() for g in data["greetings"]], set(lines)


def test_the_held_out_set_is_large_and_has_openings_without_a_way() -> None:
    held_out, lines = _openings("openings_heldout.yaml")
    assert len(held_out) >= 200
    assert sum(1 for _, key in held_out if key == "none") >= 60
    assert len(lines) >= 150  # mostly distinct phrasings, not one line under many greetings


def test_no_opening_is_shared_with_the_tuning_set_or_the_example_lines() -> None:
    held_out, held_lines = _openings("openings_heldout.yaml")
    tuning, tuning_lines = _openings("openings.yaml")
    assert not {_norm(t) for t, _ in held_out} & {_norm(t) for t, _ in tuning}
    assert not {_norm(x) for x in held_lines} & {_norm(x) for x in tuning_lines}
    examples = {_norm(x) for lines in way_examples().values() for x in lines}
    assert not {_norm(x) for x in held_lines} & examples


def test_labels_are_the_greeting_ways_or_none() -> None:
    data = yaml.safe_load((DATA / "openings_heldout.yaml").read_text())
    tuning = yaml.safe_load((DATA / "openings.yaml").read_text())
    assert set(data["openings"]) == set(tuning["openings"])
