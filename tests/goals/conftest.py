"""The simulated story org (Sam weak at Greeting), shared with tests/diagnosis."""

from tests.diagnosis.conftest import story_org, story_org_live, story_sim  # noqa: F401
