"""Vectorised conversion and validation of text columns (pyarrow), one block at a time.

Each function takes a text array and returns the converted array plus a boolean NumPy mask of
the rows it rejects; the caller turns masks into row errors. Nothing here loops over rows in
Python except to explain the (rare) rejected values.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ISO_RE = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$"
ISO_FORMATS = (
    "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%d %H:%M%z",
    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d",
)  # fmt: skip
# Day and month both first: 03/04/2026 is March 4 or April 3; we never guess.
AMBIGUOUS_RE = r"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}"
FORMULA_START_RE = r"^[=+\-@\t\r]"
PLAIN_NUMBER_RE = r"^[+-]?[0-9][0-9.,]*$"
INT_RE = r"^[+-]?\d{1,18}$"  # int64 holds 18 digits whatever they are
DECIMAL_RE = r"^[+-]?(\d{1,3}(,\d{3})+|\d{1,18})(\.\d+)?$"
DECIMAL_COMMA_RE = r"^[+-]?(\d{1,3}(\.\d{3})+|\d{1,18})(,\d+)?$"
CURRENCY_RE = r"^([A-Z]{3}|[$€£¥]|R\$|CHF|kr)\s*|\s*([A-Z]{3}|[$€£¥]|CHF|kr)$"


def mask(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A boolean pyarrow array as a NumPy mask (null = False)."""
    filled = pc.fill_null(arr, False)
    if isinstance(filled, pa.ChunkedArray):
        filled = filled.combine_chunks()
    return filled.to_numpy(zero_copy_only=False)


def one(n: int, i: int) -> np.ndarray:
    """A mask of ``n`` rows with row ``i`` set."""
    m = np.zeros(n, bool)
    m[i] = True
    return m


def is_empty(arr: pa.Array) -> np.ndarray:
    return mask(pc.equal(pc.utf8_length(arr), 0))


def invalid_utf8(arr: pa.Array) -> np.ndarray | None:
    """Rows whose bytes are not UTF-8 (None when the whole array is valid, the usual case)."""
    try:
        arr.validate(full=True)
    except pa.ArrowInvalid:
        out = np.zeros(len(arr), dtype=bool)
    else:
        return None
    # Only for a file that is not UTF-8 (rare): find the offending rows one by one.
    for i, b in enumerate(pc.cast(arr, pa.binary()).to_pylist()):
        try:
            b.decode("utf-8")
        except UnicodeDecodeError:
            out[i] = True
    return out


def formula(arr: pa.Array) -> np.ndarray:
    """Cells a spreadsheet would run as a formula (``=HYPERLINK(...)``, ``@SUM``, ``+cmd``)."""
    starts = mask(pc.match_substring_regex(arr, FORMULA_START_RE))
    if not starts.any():
        return starts
    return starts & ~mask(pc.match_substring_regex(arr, PLAIN_NUMBER_RE))


def map_values(
    arr: pa.Array,
    table: dict[str, str],
    *,
    lower: bool = False,
    patterns: Sequence[tuple[str, str]] = (),
) -> pa.Array:
    """Translate values by ``table`` (keys case-folded), then by ``patterns`` (case-insensitive
    regular expressions, in order); ``*`` in the table = every other non-empty value."""
    if not table and not lower and not patterns:
        return arr
    key = pc.utf8_lower(arr)
    out = key if lower else arr
    fallback = table.get("*")
    pairs = {k: v for k, v in table.items() if k != "*"}
    hit = pa.array(np.zeros(len(arr), bool))
    if pairs:
        idx = pc.index_in(key, value_set=pa.array(list(pairs), pa.string()))
        mapped = pc.take(pa.array(list(pairs.values()), pa.string()), idx)
        out = pc.coalesce(mapped, out)
        hit = pc.is_valid(idx)
    for pattern, value in patterns:
        m = pc.and_(pc.invert(hit), pc.match_substring_regex(arr, pattern, ignore_case=True))
        out = pc.if_else(m, value, out)
        hit = pc.or_(hit, m)
    if fallback is not None:
        nonempty = pc.greater(pc.utf8_length(arr), 0)
        out = pc.if_else(pc.and_(nonempty, pc.invert(hit)), fallback, out)
    return out


def parse_datetimes(
    arr: pa.Array, formats: Sequence[str], tz: str
) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Parse date/times to ``timestamp[s, UTC]``.

    ISO 8601 is always accepted (with ``Z``/offset, or as local time in ``tz``); other
    formats only when listed. Returns (timestamps, bad mask, ambiguous mask): an ambiguous
    value is one like ``03/04/2026`` when no format says which part is the day.
    """
    n = len(arr)
    utc = pa.timestamp("s", tz="UTC")
    # The common case: every value ISO with a zone. Only tried when the first value looks
    # like one: a failing cast costs ~1 µs a row (a US-date file would pay it every block).
    first = arr[0].as_py() if n else ""
    if re.match(r"\d{4}-", first or ""):
        try:
            fast = pc.cast(arr, utc)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            # One value that is not plain ISO with a zone: every value by the formats.
            return _parse_listed(arr, formats, tz)
        return fast, np.zeros(n, bool), np.zeros(n, bool)
    return _parse_listed(arr, formats, tz)


def _parse_listed(
    arr: pa.Array, formats: Sequence[str], tz: str
) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """The per-format parse of :func:`parse_datetimes`: the mapping's formats, then ISO."""
    n = len(arr)
    utc = pa.timestamp("s", tz="UTC")
    # The mapping's formats first: a file in one of them is parsed in one pass. Fractions of a
    # second are cut off only when values are left over (a pass over every value costs).
    epoch = _parse_formats(arr, (*formats, *ISO_FORMATS), tz, pa.nulls(n, pa.int64()))
    if epoch.null_count and pc.any(pc.match_substring(arr, ".")).as_py():
        text = pc.replace_substring_regex(arr, r"(:\d{2})\.\d+", r"\1")
        epoch = _parse_formats(text, (*formats, *ISO_FORMATS), tz, epoch)
    bad = mask(pc.is_null(epoch))
    ambiguous = np.zeros(n, bool)
    if bad.any() and not formats:
        ambiguous = bad & mask(pc.match_substring_regex(arr, AMBIGUOUS_RE))
    return pc.cast(epoch, utc), bad, ambiguous


def _parse_formats(text: pa.Array, formats: Sequence[str], tz: str, epoch: pa.Array) -> pa.Array:
    """``epoch`` (int64 seconds, null = not parsed yet) filled from each format in turn."""
    utc = pa.timestamp("s", tz="UTC")
    for fmt in formats:
        parsed = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
        if parsed.type.tz is None:
            # A naive time in UTC is UTC already: a cast (assume_timezone costs a lookup a row).
            parsed = (
                pc.cast(parsed, utc)
                if tz == "UTC"
                else pc.assume_timezone(parsed, tz, ambiguous="earliest", nonexistent="latest")
            )
        epoch = pc.coalesce(epoch, pc.cast(pc.cast(parsed, utc), pa.int64()))
        if epoch.null_count == 0:
            break
    return epoch


def parse_dates(arr: pa.Array, formats: Sequence[str]) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Dates (``date32``); a date/time value keeps its calendar date."""
    ts, bad, amb = parse_datetimes(arr, formats, "UTC")
    return pc.cast(ts, pa.date32()), bad, amb


def parse_ints(arr: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Whole numbers (``int64``; empty = null); ``bad`` marks text that is not one (or one
    too long for 64 bits)."""
    empty = pc.equal(pc.utf8_length(arr), 0)
    ok = pc.or_(empty, pc.match_substring_regex(arr, INT_RE))
    bad = ~mask(ok)
    clean = pc.if_else(pc.or_(empty, pc.invert(ok)), pa.scalar(None, pa.string()), arr)
    clean = pc.replace_substring_regex(clean, r"^\+", "")  # Arrow's cast refuses "+5"
    return pc.cast(clean, pa.int64()), bad


def parse_decimals(arr: pa.Array, *, decimal: str = ".") -> tuple[pa.Array, np.ndarray]:
    """Amounts (``float64``; empty = null).

    A currency sign or code before or after (``$``, ``€``, ``USD 2,500.00``, ``2.500,00 EUR``),
    thousands separators and accounting negatives (``($1,000.00)``) are read; ``decimal=","``
    reads ``1.234,50``. Anything else is ``bad``.
    """
    text = pc.utf8_trim_whitespace(arr)
    negative = pc.match_substring_regex(text, r"^\(.*\)$")
    text = pc.replace_substring_regex(text, r"^\((.*)\)$", r"\1")
    text = pc.replace_substring_regex(text, r"^([+-]?)\s*", r"\1")
    sign = pc.match_substring_regex(text, r"^-")
    text = pc.replace_substring_regex(text, r"^[+-]", "")
    text = pc.replace_substring_regex(text, CURRENCY_RE, "")
    text = pc.replace_substring_regex(text, CURRENCY_RE, "")  # a sign and a code
    text = pc.replace_substring_regex(text, r"^-\s*", "")
    text = pc.utf8_trim_whitespace(text)
    empty = pc.equal(pc.utf8_length(text), 0)
    pattern = DECIMAL_COMMA_RE if decimal == "," else DECIMAL_RE
    ok = pc.or_(empty, pc.match_substring_regex(text, pattern))
    bad = ~mask(ok)
    clean = pc.if_else(pc.or_(empty, pc.invert(ok)), pa.scalar(None, pa.string()), text)
    if decimal == ",":
        clean = pc.replace_substring(pc.replace_substring(clean, ".", ""), ",", ".")
    else:
        clean = pc.replace_substring(clean, ",", "")
    value = pc.cast(clean, pa.float64())
    flip = pc.or_(pc.fill_null(negative, False), pc.fill_null(sign, False))
    return pc.if_else(flip, pc.negate(value), value), bad


def parse_durations(arr: pa.Array, unit: str) -> tuple[pa.Array, np.ndarray]:
    """Durations in whole seconds from ``s``, ``ms``, ``min`` or ``hms`` (``[H]H:MM[:SS]``)."""
    if unit == "hms":
        parts = pc.extract_regex(arr, r"^(?P<h>\d+):(?P<m>[0-5]?\d)(?::(?P<s>[0-5]?\d))?$")
        empty = mask(pc.equal(pc.utf8_length(arr), 0))
        bad = mask(pc.is_null(parts)) & ~empty
        h = pc.cast(pc.struct_field(parts, "h"), pa.int64(), safe=False)
        m = pc.cast(pc.struct_field(parts, "m"), pa.int64())
        s = pc.struct_field(parts, "s")
        s = pc.cast(pc.if_else(pc.equal(pc.utf8_length(s), 0), "0", s), pa.int64())
        secs = pc.add(pc.add(pc.multiply(h, 3600), pc.multiply(m, 60)), s)
        return secs, bad
    if unit == "s":
        return parse_ints(arr)
    num, bad = parse_decimals(arr)
    factor = {"ms": 0.001, "min": 60.0}[unit]
    return pc.cast(pc.round(pc.multiply(num, factor)), pa.int64()), bad


def describe(value: object, limit: int = 60) -> str:
    """A value for an error message: shortened and with control characters shown."""
    text = re.sub(r"[\x00-\x1f]", lambda m: f"\\x{ord(m.group()):02x}", str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"
