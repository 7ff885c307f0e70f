"""A chunk of rows as one JSON array of arrays, built by Arrow kernels (for SQLite's json_each).

Going through Python objects (``to_pylist`` + ``json.dumps``) and ``pc.strftime`` cost about
7 CPU seconds per million activity rows, more than SQLite's insert itself; here each column
becomes JSON literals in C (numbers and dates by a cast, text quoted and escaped), the cells are
joined per row and the rows into one text: about a tenth of that.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pyarrow as pa
import pyarrow.compute as pc

Column = pa.Array | pa.ChunkedArray
CONTROL_RE = r"[\x00-\x1f]"


def sqlite_datetimes(col: Column) -> Column:
    """Timestamps as Django's SQLite text (``YYYY-MM-DD HH:MM:SS``, UTC): a cast, not strftime
    (thirty times faster)."""
    if col.type.tz is not None:
        col = pc.cast(col, pa.timestamp(col.type.unit))  # the UTC wall clock, no zone suffix
    return pc.cast(pc.cast(col, pa.timestamp("s")), pa.string())


def _literals(col: Column) -> Column:
    """Each value as a JSON literal (text); null as ``null``."""
    t = col.type
    if pa.types.is_timestamp(t):
        col, t = sqlite_datetimes(col), pa.string()
    elif pa.types.is_date(t):
        col, t = pc.cast(col, pa.string()), pa.string()
    if pa.types.is_integer(t):
        out = pc.cast(col, pa.string())
    elif pa.types.is_boolean(t):
        out = pc.if_else(col, "true", "false")
    elif pa.types.is_string(t) or pa.types.is_large_string(t):
        if pc.any(pc.match_substring_regex(col, CONTROL_RE)).as_py():
            # Rare (a tab or line break inside a cell): Python's encoder escapes them.
            values = col.to_pylist()
            out = pa.array(
                [None if v is None else json.dumps(v, ensure_ascii=False) for v in values],
                pa.string(),
            )
        else:
            text = pc.replace_substring(pc.replace_substring(col, "\\", "\\\\"), '"', '\\"')
            out = pc.binary_join_element_wise('"', text, '"', "")
    else:  # floats and the rest: exact JSON from Python (NaN and infinities are refused)
        out = pa.array(
            [None if v is None else json.dumps(v, allow_nan=False) for v in col.to_pylist()],
            pa.string(),
        )
    return pc.fill_null(out, "null")


def json_rows(columns: Sequence[Column]) -> str:
    """``[[c1, c2, …], …]``: one array per row of ``columns`` (equal lengths)."""
    if not columns or len(columns[0]) == 0:
        return "[]"
    cells = [_literals(c) for c in columns]
    rows = pc.binary_join_element_wise("[", pc.binary_join_element_wise(*cells, ","), "]", "")
    if isinstance(rows, pa.ChunkedArray):
        rows = rows.combine_chunks()
    whole = pa.ListArray.from_arrays(pa.array([0, len(rows)], pa.int32()), rows)
    return "[" + pc.binary_join(whole, ",")[0].as_py() + "]"
