"""The focus rule is stated in three places (the core's docstring, the README, the diagnosis
docs); each must give the thresholds the code uses, so a change of threshold fails here until
every statement says the new one."""

from pathlib import Path

import ninety.core.diagnosis as diagnosis
from ninety.core.diagnosis import DiagnosisConfig

ROOT = Path(__file__).resolve().parents[2]
CFG = DiagnosisConfig()


def test_the_core_docstring_states_the_codes_thresholds() -> None:
    doc = diagnosis.__doc__ or ""
    assert f"``focus_certainty`` ({CFG.focus_certainty:g})" in doc
    assert f"``material_ratio`` ({CFG.material_ratio:g})" in doc


def test_the_readme_states_the_codes_thresholds() -> None:
    text = " ".join((ROOT / "README.md").read_text().split())
    assert f"at least {100 * CFG.focus_certainty:.0f} %" in text
    assert f"below {CFG.material_ratio:g} × the team's" in text


def test_the_docs_state_the_codes_thresholds() -> None:
    text = " ".join((ROOT / "docs" / "diagnosis.md").read_text().split())
    assert f"at least **{CFG.focus_certainty:g}**" in text
    assert f"(P ≥ {CFG.focus_certainty:g}) nor a settled clean bill (P ≤ {CFG.settled:g})" in text
