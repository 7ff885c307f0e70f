"""``parse_datetimes``: the fast Arrow cast for ISO with a zone, and its fallback to the per-format
parse when one value in the block is not (the ``except`` in ``convert.py`` is that fallback)."""

import pyarrow as pa

from ninety.ingest.convert import parse_datetimes


def _seconds(arr: pa.Array) -> list[int | None]:
    return [None if v is None else int(v.timestamp()) for v in arr.to_pylist()]


def test_iso_with_a_zone_takes_the_fast_cast() -> None:
    arr = pa.array(["2026-11-02T09:00:00Z", "2026-11-02T10:30:00+01:00"])
    ts, bad, ambiguous = parse_datetimes(arr, [], "UTC")
    assert _seconds(ts) == [1793610000, 1793611800]
    assert not bad.any() and not ambiguous.any()


def test_one_value_the_cast_cannot_read_falls_back_to_the_formats_for_the_block() -> None:
    # First value ISO with a zone (the fast cast is tried), the second a US date the cast
    # rejects: every value goes through the mapping's formats, none lost or marked bad.
    arr = pa.array(["2026-11-02T09:00:00Z", "11/02/2026 10:30 AM", "2026-11-02 11:00:00"])
    ts, bad, ambiguous = parse_datetimes(arr, ["%m/%d/%Y %I:%M %p"], "America/New_York")
    # 10:30 and 11:00 New York time (EST, UTC-5) on 2 Nov 2026: 15:30 and 16:00 UTC.
    assert _seconds(ts) == [1793610000, 1793610000 + 23400, 1793610000 + 25200]
    assert not bad.any() and not ambiguous.any()


def test_the_fallback_still_marks_what_no_format_reads() -> None:
    arr = pa.array(["2026-11-02T09:00:00Z", "next Tuesday"])
    ts, bad, _ = parse_datetimes(arr, ["%m/%d/%Y %I:%M %p"], "UTC")
    assert _seconds(ts)[0] == 1793610000
    assert bad.tolist() == [False, True]
