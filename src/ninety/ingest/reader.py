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
XLSX_BLOCK_CELLS = 500_000  # or fewer rows, when they are wide: a cancel is seen as often


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
#: openpyxl reads the workbook's small XML parts (content types, workbook, its relations,
#: styles) whole into memory, ~100 bytes an element: each is capped (Excel's are KiBs).
MAX_XLSX_PART = 16 << 20


def check_xlsx_size(path: Path, name: str) -> None:
    """FileError when the workbook's zip parts add up to more than ``MAX_XLSX_UNCOMPRESSED``,
    or an XML part read whole is over ``MAX_XLSX_PART``."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise FileError(f"{name}: not a readable .xlsx workbook ({exc})") from exc
    total = sum(info.file_size for info in infos)
    if total > MAX_XLSX_UNCOMPRESSED:
        raise FileError(
            f"{name}: the workbook unpacks to {total >> 20} MiB, over the "
            f"{MAX_XLSX_UNCOMPRESSED >> 20} MiB limit: export it as CSV instead"
        )
    for info in infos:
        streamed = info.filename.startswith("xl/worksheets/") or "sharedStrings" in info.filename
        whole = info.filename.endswith((".xml", ".rels")) and not streamed
        if whole and info.file_size > MAX_XLSX_PART:
            raise FileError(
                f"{name}: its part {info.filename} unpacks to {info.file_size >> 20} MiB, over "
                f"the {MAX_XLSX_PART >> 20} MiB a workbook's {info.filename} needs"
            )


#: Excel's own limits: a sheet claiming more rows or columns is not a workbook Excel wrote.
MAX_XLSX_ROWS = 1_048_576
MAX_XLSX_COLUMNS = 16_384


@dataclass
class _Sheet:
    """The first worksheet of a workbook, found by openpyxl's package reader.

    Not openpyxl's read-only worksheet: to size a sheet without a ``<dimension>`` it parses
    the whole sheet into memory, each sheet of the workbook, as the workbook opens.
    """

    archive: zipfile.ZipFile
    path: str
    strings: list[Any]
    epoch: Any
    date_formats: Any
    timedelta_formats: Any
    max_row: int = 0
    max_column: int = 0

    def close(self) -> None:
        self.archive.close()


def _open_xlsx(path: Path, name: str) -> _Sheet:
    try:
        from openpyxl.reader.excel import ExcelReader
        from openpyxl.styles.stylesheet import apply_stylesheet
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise FileError(f"{name}: reading .xlsx needs openpyxl") from exc
    book = None
    try:
        book = ExcelReader(path, read_only=True, data_only=True, keep_links=False)
        book.read_manifest()
        book.read_workbook()
        apply_stylesheet(book.archive, book.wb)
        targets = [rel.target for _, rel in book.parser.find_sheets()
                   if rel.target in book.valid_files and "chartsheet" not in rel.Type]  # fmt: skip
        if not targets:
            raise FileError(f"{name}: the workbook has no worksheet")
        wb = book.wb
        strings = _shared_strings(book, name)
        sheet = _Sheet(book.archive, targets[0], strings, wb.epoch,
                       wb._date_formats, wb._timedelta_formats)  # fmt: skip
        sheet.max_row, sheet.max_column = _dimension(sheet)
    except Exception as exc:
        if book is not None:
            book.archive.close()
        if isinstance(exc, FileError):
            raise
        raise FileError(f"{name}: not a readable .xlsx workbook ({exc})") from exc
    return sheet


def _shared_strings(book: Any, name: str) -> list[str]:
    """The workbook's shared strings, read as openpyxl reads them but in flat memory, and no
    more of them than its sheets have room to use (a cell takes 10 bytes of XML at least)."""
    from openpyxl.cell.text import Text
    from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

    part = book.package.find(SHARED_STRINGS)
    if part is None:
        return []
    sheets = [i for i in book.archive.infolist() if i.filename.startswith("xl/worksheets/")]
    limit = max(sum(i.file_size for i in sheets) // 10, 10_000)
    tag = f"{{{SHEET_MAIN_NS}}}si"
    strings: list[str] = []
    with book.archive.open(part.PartName[1:]) as src:
        for event, el, _ in _walk(src, tag):
            if event == "end" and el.tag == tag:
                strings.append(Text.from_tree(el).content.replace("x005F_", ""))
                if len(strings) > limit:
                    raise FileError(
                        f"{name}: the workbook has over {limit:,} shared strings, more than "
                        "its sheets have cells"
                    )
    return strings


def _inspect_xlsx(path: Path, name: str, size: int) -> SourceFile:
    check_xlsx_size(path, name)
    sheet = _open_xlsx(path, name)
    try:
        _check_dimension(sheet, name)
        rows = _sheet_rows(sheet, name)
        line, cells, _ = next(rows, (0, [], 0.0))
        rows.close()
    finally:
        sheet.close()
    # Row 1 is the header, as wide as the sheet says (blank header cells become "column N").
    width = max([c["column"] for c in cells] + [sheet.max_column]) if line == 1 else 0
    first = _values(cells, width)
    if not any(c is not None for c in first):
        raise FileError(f"{name}: the first sheet has no header row")
    headers = _unique([_cell(c).strip() for c in first])
    return SourceFile(path, name, size, sha256_of(path), headers, xlsx=True)


def _check_dimension(sheet: _Sheet, name: str) -> None:
    """FileError when the sheet's dimension claims more than a sheet can hold."""
    if sheet.max_row > MAX_XLSX_ROWS or sheet.max_column > MAX_XLSX_COLUMNS:
        raise FileError(
            f"{name}: the sheet claims {sheet.max_row:,} rows and {sheet.max_column:,} "
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


def _walk(xml: Any, keep: str) -> Iterator[tuple[str, Any, int]]:
    """(event, element, depth in ``keep`` elements) over an XML stream, each element dropped
    from its parent once ended, except inside a ``keep`` element (dropped with it): memory
    stays flat however many elements the file has."""
    from openpyxl.xml.functions import iterparse

    path: list[Any] = []  # the open elements, root first
    inside = 0
    for event, el in iterparse(xml, events=("start", "end")):
        if event == "start":
            path.append(el)
            inside += el.tag == keep
            yield event, el, inside
            continue
        path.pop()
        yield event, el, inside
        inside -= el.tag == keep
        if path and not inside:
            path[-1].remove(el)


def _dimension(sheet: _Sheet) -> tuple[int, int]:
    """(rows, columns) the sheet's ``<dimension>`` claims, (0, 0) without one."""
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG

    with sheet.archive.open(sheet.path) as src:
        for event, el, _ in _walk(src, DATA_TAG):
            if event == "start" and el.tag == DIMENSION_TAG:
                try:
                    _, _, columns, rows = range_boundaries(el.get("ref") or "")
                except (TypeError, ValueError):
                    return 0, 0
                return rows or 0, columns or 0
            if el.tag == DATA_TAG:
                break
    return 0, 0


def _sheet_rows(sheet: _Sheet, name: str) -> Iterator[tuple[int, list[dict[str, Any]], float]]:
    """(spreadsheet row, cells, share of the XML read) of each row the sheet has, in order.

    openpyxl's ``iter_rows`` makes an empty row for every row number a sheet skips (one data
    row at ``<row r="2000000000">`` is two billion of them), and its parser holds a whole row
    before reading it (a 5 KB upload of one row of a million ``<c/>`` took 460 MiB). Here the
    XML is walked element by element, each dropped once read, and only openpyxl's reading of
    a cell is used: a gap costs nothing, memory stays flat, the row numbers stay the
    spreadsheet's, and a row or column past Excel's limits stops the read at once.
    """
    from openpyxl.worksheet._reader import CELL_TAG, ROW_TAG, WorkSheetParser

    total = max(sheet.archive.getinfo(sheet.path).file_size, 1)
    with sheet.archive.open(sheet.path) as raw:
        xml = _CountingXml(raw)
        parser = WorkSheetParser(
            xml, sheet.strings, data_only=True, epoch=sheet.epoch,
            date_formats=sheet.date_formats, timedelta_formats=sheet.timedelta_formats,
        )  # fmt: skip
        line, cells = 0, []
        for event, el, in_cell in _walk(xml, CELL_TAG):
            if event == "start":
                if el.tag == ROW_TAG:
                    line = _row_number(el.get("r"), line, name)
                    parser.row_counter, parser.col_counter, cells = line, 0, []
            elif el.tag == CELL_TAG and in_cell == 1:
                try:
                    cells.append(parser.parse_cell(el))
                except (ValueError, IndexError, KeyError, TypeError) as exc:
                    # A shared-string index past the list, a number that is not one, a
                    # column reference no sheet has: the file's fault, said as such.
                    raise FileError(
                        f"{name}: row {line:,} has a cell that cannot be read ({exc})"
                    ) from exc
                if cells[-1]["column"] > MAX_XLSX_COLUMNS:
                    raise FileError(
                        f"{name}: row {line:,} has a cell beyond column {MAX_XLSX_COLUMNS:,}, "
                        "the last a sheet can hold"
                    )
            elif el.tag == ROW_TAG and not in_cell:
                yield line, cells, xml.pos / total


def _row_number(r: str | None, last: int, name: str) -> int:
    """The number of the row after row ``last`` (its ``r``, or the next one without)."""
    try:
        number = float(r) if r is not None else last + 1.0
    except ValueError:
        number = 0.0
    if not (number >= 1 and number.is_integer()):
        raise FileError(f"{name}: {r!r} after row {last:,} is not a row number")
    if number > MAX_XLSX_ROWS:
        raise FileError(
            f"{name}: row {int(number):,} is beyond the {MAX_XLSX_ROWS:,} rows a sheet can hold"
        )
    if number <= last:
        raise FileError(f"{name}: row {int(number):,} comes after row {last:,} in the sheet")
    return int(number)


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
    """Blocks of up to ``XLSX_BLOCK_ROWS`` sheet rows or ``XLSX_BLOCK_CELLS`` cells (fewer
    rows once blank ones are dropped, none for a stretch of blank rows): the importer sees a
    cancel between blocks, and the progress moves with each."""
    sheet = _open_xlsx(src.path, src.name)
    n = len(src.headers)
    try:
        _check_dimension(sheet, src.name)
        cols: list[list[str]] = [[] for _ in range(n)]
        rows: list[int] = []
        scanned = scanned_cells = 0
        for line, cells, share in _sheet_rows(sheet, src.name):
            scanned += line >= 2
            scanned_cells += max(len(cells), n)  # a kept row is padded to the header
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
            if scanned >= XLSX_BLOCK_ROWS or scanned_cells >= XLSX_BLOCK_CELLS:
                if progress:
                    progress(int(src.size * share))
                yield Block(_batch(cols, src.headers), np.array(rows, dtype=np.int64))
                cols, rows, scanned, scanned_cells = [[] for _ in range(n)], [], 0, 0
        if rows:
            yield Block(_batch(cols, src.headers), np.array(rows, dtype=np.int64))
        if progress:
            progress(src.size)
    finally:
        sheet.close()


def _batch(cols: list[list[str]], headers: list[str]) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.array(c, pa.string()) for c in cols], names=headers)
