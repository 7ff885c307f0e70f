"""Read CSV (any delimiter, UTF-8 with or without BOM, UTF-16 with BOM) and .xlsx in blocks.

Every column is read as text: the importer converts and validates it, so that a bad value
rejects one row instead of failing the file. Blocks are pyarrow record batches; memory stays
bounded by the block size whatever the file size.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

SAMPLE_BYTES = 1 << 16
# Rows per transaction follow from the block size (about 40,000 activity rows per 2 MiB):
# smaller blocks keep the peak memory flat (the 208 MB benchmark file peaks at 402 MiB with
# 2 MiB blocks, 606 MiB with 4 MiB, 922 MiB with 8 MiB).
BLOCK_BYTES = int(os.environ.get("NINETY_IMPORT_BLOCK_BYTES") or 2 << 20)
XLSX_BLOCK_ROWS = 20_000


class FileError(ValueError):
    """The file as a whole cannot be read (encoding, header, format); nothing was imported."""


@dataclass
class BadLine:
    line: int | None
    reason: str
    text: str


@dataclass
class SourceFile:
    """What the importer learnt about a file before reading it."""

    path: Path
    name: str
    size: int
    sha256: str
    headers: list[str]
    delimiter: str = ","
    encoding: str = "utf-8"
    xlsx: bool = False
    quoted: bool = False
    bad_lines: list[BadLine] = field(default_factory=list)
    #: Where a report footer starts (bytes), and how many lines it has: read up to there only.
    footer_at: int | None = None
    footer_lines: int = 0
    #: Spreadsheet rows of the records with the wrong number of fields (found when the first
    #: such record is met, by one pass of Python's csv module over the file: rare).
    _bad_rows: list[int] | None = None

    def bad_rows(self) -> list[int]:
        if self._bad_rows is None:
            self._bad_rows = _wrong_width_rows(self)
        return self._bad_rows


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _utf8_error(sample: bytes) -> str | None:
    """Where ``sample`` stops being UTF-8 (ignoring a character cut at the sample's end)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(sample, final=False)
    except UnicodeDecodeError as exc:
        line = sample[: exc.start].count(b"\n") + 1
        return f"line {line}: byte 0x{sample[exc.start]:02x} is not UTF-8"
    return None


def inspect(
    path: Path, *, encoding: str | None = None, delimiter: str | None = None, name: str = ""
) -> SourceFile:
    """Detect format, encoding, delimiter and header of ``path``; raise :class:`FileError`."""
    path = Path(path)
    if not path.exists():
        raise FileError(f"{path}: no such file")
    size = path.stat().st_size
    display = name or path.name
    with path.open("rb") as f:
        sample = f.read(SAMPLE_BYTES)
    if sample[:4] == b"PK\x03\x04":
        return _inspect_xlsx(path, display, size)
    if not sample.strip():
        raise FileError(f"{display}: the file is empty")
    if encoding is None:
        if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        else:
            err = _utf8_error(sample)
            if err:
                raise FileError(
                    f"{display}: {err}. The file looks like Windows-1252/Latin-1 text; save it "
                    "as CSV UTF-8, or add 'encoding: cp1252' to the mapping."
                )
            encoding = "utf-8"
    try:
        text = sample.decode(encoding, errors="ignore")
    except LookupError as exc:
        raise FileError(f"{display}: unknown encoding '{encoding}'") from exc
    text = text.lstrip("\ufeff")
    if size > len(sample) and not re.search("[\r\n]", text):
        # The header row is read from the first 64 KiB: a longer one would be cut silently.
        raise FileError(
            f"{display}: the first line is over {SAMPLE_BYTES >> 10} KiB long: a header row "
            "that long is not one Ninety reads (is this a CSV file?)"
        )
    head = "\n".join(text.splitlines()[:20])
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    lines = text.splitlines()
    first = next(csv.reader([lines[0]], delimiter=delimiter), [])
    headers = [h.strip() for h in first]
    if not any(headers):
        raise FileError(f"{display}: the first line has no column names")
    if size <= SAMPLE_BYTES and not any(line.strip() for line in lines[1:]):
        raise FileError(
            f"{display}: the file has a header row ({', '.join(headers[:6])}"
            f"{', …' if len(headers) > 6 else ''}) but no data rows"
        )
    src = SourceFile(
        path=path,
        name=display,
        size=size,
        sha256=sha256_of(path),
        headers=_unique(headers),
        delimiter=delimiter,
        encoding=encoding,
        quoted='"' in text,
    )
    if encoding == "utf-8" and len(headers) > 1:
        src.footer_at, src.footer_lines = find_footer(path, size, delimiter)
    return src


FOOTER_RE = re.compile(
    r"^\W*(copyright|confidential|generated by|grand totals?\b|total\b|records? count)", re.I
)
FOOTER_TAIL_BYTES = 4096


def find_footer(path: Path, size: int, delimiter: str) -> tuple[int | None, int]:
    """(byte offset, line count) of a report footer at the end of the file, or (None, 0).

    Report exports (Salesforce's "Details Only" CSV among them) end with a few lines of one
    cell each: a blank line, the copyright, "Confidential Information - Do Not Distribute",
    "Generated By: …", the company. Such a tail is a footer only when one of its lines says
    so (copyright, confidential, generated by, grand total): a one-cell line elsewhere stays
    a bad row.
    """
    start = max(0, size - FOOTER_TAIL_BYTES)
    with path.open("rb") as f:
        f.seek(start)
        tail = f.read()
    lines = tail.split(b"\n")
    offsets, pos = [], start
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    if start:  # the first piece may be a cut line
        lines, offsets = lines[1:], offsets[1:]
    found, first, count = False, None, 0
    for line, at in zip(reversed(lines), reversed(offsets), strict=True):
        text = line.decode("utf-8", errors="replace").strip()
        if not text and first is None:
            continue  # the final newline(s)
        cells = next(csv.reader([text], delimiter=delimiter), [])
        if len([c for c in cells if c.strip()]) > 1 or (len(cells) > 1 and text.count(delimiter)):
            break
        found = found or bool(FOOTER_RE.match(cells[0] if cells else ""))
        first, count = at, count + 1
    if not found or first is None:
        return None, 0
    return first, count


def _wrong_width_rows(src: SourceFile) -> list[int]:
    """Spreadsheet rows (header = 1) whose number of fields differs from the header's."""
    n = len(src.headers)
    out: list[int] = []
    with src.path.open("rb") as raw:
        limited = LimitedReader(raw, src.footer_at)
        text = io.TextIOWrapper(limited, encoding=src.encoding, newline="", errors="replace")  # type: ignore[arg-type]
        reader = csv.reader(text, delimiter=src.delimiter)
        next(reader, None)
        for row_no, record in enumerate(reader, start=2):
            if record and len(record) != n:
                out.append(row_no)
    return out


class LimitedReader(io.RawIOBase):
    """The first ``limit`` bytes of a binary file (all of it when ``limit`` is None)."""

    def __init__(self, f: BinaryIO, limit: int | None) -> None:
        self._f, self._left = f, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buf: Any) -> int:
        want = len(buf) if self._left is None else min(len(buf), self._left)
        data = self._f.read(want)
        buf[: len(data)] = data
        if self._left is not None:
            self._left -= len(data)
        return len(data)


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(headers):
        h = h or f"column {i + 1}"
        if h in seen:
            seen[h] += 1
            h = f"{h} ({seen[h]})"
        else:
            seen[h] = 1
        out.append(h)
    return out


class CountingFile:
    """A binary file wrapper that counts the bytes read (for the progress bar)."""

    def __init__(self, path: Path, limit: int | None = None) -> None:
        self._f = path.open("rb")
        self.pos = 0
        self._limit = limit

    def read(self, n: int = -1) -> bytes:
        if self._limit is not None:
            left = self._limit - self.pos
            n = left if n < 0 else min(n, left)
        data = self._f.read(n)
        self.pos += len(data)
        return data

    def close(self) -> None:
        self._f.close()

    @property
    def closed(self) -> bool:
        return self._f.closed

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False


class Block(NamedTuple):
    """Rows read from a file: text columns named as the headers, and each row's spreadsheet
    row number (the header is row 1), so errors point at the right cell whatever was skipped."""

    batch: pa.RecordBatch
    rows: np.ndarray


def iter_blocks(src: SourceFile, progress: Callable[[int], None] | None = None) -> Iterator[Block]:
    """The file's rows in blocks; blank rows are skipped, bad lines go to ``src.bad_lines``."""
    if src.xlsx:
        yield from _iter_xlsx(src, progress)
        return

    def on_invalid(row: pacsv.InvalidRow) -> str:
        src.bad_lines.append(
            BadLine(
                None,
                f"has {row.actual_columns} fields, the header has {row.expected_columns}",
                row.text or "",
            )
        )
        return "skip"

    stream = CountingFile(src.path, src.footer_at)
    done = 0  # data rows (valid records) before this block
    try:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(
                block_size=BLOCK_BYTES,
                column_names=src.headers,
                skip_rows=1,
                encoding=src.encoding,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=src.delimiter,
                newlines_in_values=src.quoted,
                invalid_row_handler=on_invalid,
                # Blank lines stay rows (dropped below), so that row numbers stay right.
                ignore_empty_lines=False,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={h: pa.string() for h in src.headers},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=False,
            ),
        )
        for batch in reader:
            if progress:
                progress(stream.pos)
            n = batch.num_rows
            bad_rows = src.bad_rows() if src.bad_lines else []
            for bad, row in zip(src.bad_lines, bad_rows, strict=False):
                bad.line = row
            rows = _row_numbers(done, n, bad_rows)
            done += n
            yield _without_blank_rows(Block(batch, rows))
        for bad, row in zip(src.bad_lines, src.bad_rows() if src.bad_lines else [], strict=False):
            bad.line = row
    except pa.ArrowInvalid as exc:
        raise FileError(f"{src.name}: {_arrow_message(exc)}") from exc
    finally:
        stream.close()


def _arrow_message(exc: Exception) -> str:
    text = str(exc)
    if "Empty CSV file" in text:
        return "the file has a header row but no data rows"
    return text.split("\n")[0]


def _row_numbers(done: int, n: int, bad_rows: list[int]) -> np.ndarray:
    """Spreadsheet rows of data rows ``done .. done + n - 1``, skipping ``bad_rows``."""
    rows = np.arange(done + 2, done + 2 + n, dtype=np.int64)
    if not bad_rows:
        return rows
    bad = np.asarray(bad_rows, dtype=np.int64)
    # row = index + 2 + (bad rows at or before row): a fixed point, reached in a few steps.
    shift = np.zeros(n, dtype=np.int64)
    while True:
        new = np.searchsorted(bad, rows + shift, side="right")
        if np.array_equal(new, shift):
            return rows + shift
        shift = new


def _without_blank_rows(block: Block) -> Block:
    batch = block.batch
    if batch.num_rows == 0 or batch.num_columns == 0:
        return block
    length = pc.utf8_length(batch.column(0))
    for col in batch.columns[1:]:
        length = pc.add(length, pc.utf8_length(col))
    blank = pc.equal(length, 0)
    if not pc.any(blank).as_py():
        return block
    keep = pc.invert(blank)
    return Block(batch.filter(keep), block.rows[np.asarray(keep)])


#: An .xlsx is a zip: a 1 MiB upload can unpack to gigabytes. Ninety refuses a workbook whose
#: parts add up to more than this uncompressed (a CRM export of 100k rows is ~30 MiB; bigger
#: exports belong in CSV, which streams).
MAX_XLSX_UNCOMPRESSED = 128 << 20


def check_xlsx_size(path: Path, name: str) -> None:
    """FileError when the workbook's zip parts add up to more than ``MAX_XLSX_UNCOMPRESSED``."""
    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except zipfile.BadZipFile as exc:
        raise FileError(f"{name}: not a readable .xlsx workbook ({exc})") from exc
    if total > MAX_XLSX_UNCOMPRESSED:
        raise FileError(
            f"{name}: the workbook unpacks to {total >> 20} MiB, over the "
            f"{MAX_XLSX_UNCOMPRESSED >> 20} MiB limit: export it as CSV instead"
        )


#: Excel's own limits: a sheet claiming more rows or columns is not a workbook Excel wrote.
MAX_XLSX_ROWS = 1_048_576
MAX_XLSX_COLUMNS = 16_384


def _open_xlsx(path: Path, name: str) -> Any:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise FileError(f"{name}: reading .xlsx needs openpyxl") from exc
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise FileError(f"{name}: not a readable .xlsx workbook ({exc})") from exc


def _inspect_xlsx(path: Path, name: str, size: int) -> SourceFile:
    check_xlsx_size(path, name)
    wb = _open_xlsx(path, name)
    try:
        ws = wb.worksheets[0]
        _check_dimension(ws, name)
        rows = _sheet_rows(ws, name)
        line, cells, _ = next(rows, (0, [], 0.0))
        rows.close()
    finally:
        wb.close()
    # Row 1 is the header, as wide as the sheet says (blank header cells become "column N").
    width = max([c["column"] for c in cells] + [ws.max_column or 0]) if line == 1 else 0
    first = _values(cells, width)
    if not any(c is not None for c in first):
        raise FileError(f"{name}: the first sheet has no header row")
    headers = _unique([_cell(c).strip() for c in first])
    return SourceFile(path, name, size, sha256_of(path), headers, xlsx=True)


def _check_dimension(ws: Any, name: str) -> None:
    """FileError when the sheet's dimension claims more than a sheet can hold."""
    if (ws.max_row or 0) > MAX_XLSX_ROWS or (ws.max_column or 0) > MAX_XLSX_COLUMNS:
        raise FileError(
            f"{name}: the sheet claims {ws.max_row or 0:,} rows and {ws.max_column or 0:,} "
            f"columns, over the {MAX_XLSX_ROWS:,} rows and {MAX_XLSX_COLUMNS:,} columns a "
            "sheet can hold"
        )


class _CountingXml:
    """The sheet's XML as read by the parser, counting the bytes (for the progress bar)."""

    def __init__(self, f: Any) -> None:
        self._f, self.pos = f, 0

    def read(self, n: int = -1) -> bytes:
        data = self._f.read(n)
        self.pos += len(data)
        return data


def _sheet_rows(ws: Any, name: str) -> Iterator[tuple[int, list[dict[str, Any]], float]]:
    """(spreadsheet row, cells, share of the XML read) of each row the sheet has, in order.

    openpyxl's ``iter_rows`` makes an empty row for every row number a sheet skips (one data
    row at ``<row r="2000000000">`` is two billion of them); rows here are only the ones the
    file has, so a gap costs nothing and the row numbers stay the spreadsheet's.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    wb = ws.parent
    total = max(wb._archive.getinfo(ws._worksheet_path).file_size, 1)
    with ws._get_source() as raw:
        xml = _CountingXml(raw)
        parser = WorkSheetParser(
            xml, ws._shared_strings, data_only=wb.data_only, epoch=wb.epoch,
            date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats,
        )  # fmt: skip
        last = 0
        for line, cells in parser.parse():
            if line > MAX_XLSX_ROWS:
                raise FileError(
                    f"{name}: row {line:,} is beyond the {MAX_XLSX_ROWS:,} rows a sheet can hold"
                )
            if line <= last:
                raise FileError(f"{name}: row {line:,} comes after row {last:,} in the sheet")
            if cells and max(c["column"] for c in cells) > MAX_XLSX_COLUMNS:
                raise FileError(
                    f"{name}: row {line:,} has a cell beyond column {MAX_XLSX_COLUMNS:,}, "
                    "the last a sheet can hold"
                )
            last = line
            yield line, cells, xml.pos / total


def _values(cells: list[dict[str, Any]], width: int) -> list[Any]:
    """The first ``width`` cell values of a row, by column (None where the row has no cell)."""
    out: list[Any] = [None] * width
    for c in cells:
        if c["column"] <= width:
            out[c["column"] - 1] = c["value"]
    return out


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _iter_xlsx(src: SourceFile, progress: Callable[[int], None] | None) -> Iterator[Block]:
    """Blocks of up to ``XLSX_BLOCK_ROWS`` sheet rows (fewer once blank rows are dropped, none
    at all for a stretch of blank rows): the importer sees a cancel between blocks."""
    wb = _open_xlsx(src.path, src.name)
    n = len(src.headers)
    try:
        ws = wb.worksheets[0]
        _check_dimension(ws, src.name)
        cols: list[list[str]] = [[] for _ in range(n)]
        rows: list[int] = []
        scanned = 0
        for line, cells, share in _sheet_rows(ws, src.name):
            scanned += line >= 2
            if line >= 2 and any(c["value"] is not None and c["value"] != "" for c in cells):
                if any(c["column"] > n and c["value"] is not None for c in cells):
                    width = max(c["column"] for c in cells)
                    src.bad_lines.append(
                        BadLine(line, f"has {width} cells, the header has {n}", "")
                    )
                else:
                    for i, value in enumerate(_values(cells, n)):
                        cols[i].append(_cell(value))
                    rows.append(line)
            if scanned >= XLSX_BLOCK_ROWS:
                if progress:
                    progress(int(src.size * share))
                yield Block(_batch(cols, src.headers), np.array(rows, dtype=np.int64))
                cols, rows, scanned = [[] for _ in range(n)], [], 0
        if rows:
            yield Block(_batch(cols, src.headers), np.array(rows, dtype=np.int64))
        if progress:
            progress(src.size)
    finally:
        wb.close()


def _batch(cols: list[list[str]], headers: list[str]) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.array(c, pa.string()) for c in cols], names=headers)
