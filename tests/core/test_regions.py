"""The team-against-region comparison of the director's view (no database)."""

from __future__ import annotations

import math

from ninety.core.regions import focus_stage, pooled_rate, versus_region


def test_a_team_below_the_region_has_a_negative_log_ratio_and_certainty_grows_with_tries():
    few = versus_region(0.2, 20, 0.3)
    many = versus_region(0.2, 2000, 0.3)
    assert few is not None and many is not None
    assert math.isclose(few.log_ratio, math.log(2 / 3))
    assert 0.5 < few.certainty < many.certainty <= 1.0
    assert many.certainty > 0.999


def test_same_rate_is_a_coin_flip_and_unknowns_give_none():
    same = versus_region(0.3, 500, 0.3)
    assert same is not None and same.certainty == 0.5 and same.log_ratio == 0.0
    assert versus_region(math.nan, 10, 0.3) is None
    assert versus_region(0.3, 0, 0.3) is None
    assert versus_region(0.0, 10, 0.3) is None


def test_pooled_rate_and_focus():
    assert pooled_rate([1, 3], [10, 10]) == 0.2
    assert math.isnan(pooled_rate([0], [0]))
    assert focus_stage(["greet", None, "greet", "close"]) == ("greet", 2)
    assert focus_stage([None, None]) == (None, 0)
    # One rep's focus is not the team's: nine reps, each another focus, share none.
    assert focus_stage(["volume", "greet", "close", None]) == (None, 0)
    # As many reps at two factors: the surer pair.
    assert focus_stage(["volume", "greet", "volume", "greet"], [0.4, 0.99, 0.4, 0.9]) == (
        "greet", 2,
    )  # fmt: skip
    assert focus_stage(["volume", "greet", "volume", "greet"], [0.9, 0.5, 0.9, 0.5]) == (
        "volume", 2,
    )  # fmt: skip
