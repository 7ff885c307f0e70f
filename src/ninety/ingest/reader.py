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
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

SAMPLE_BYTES = 1 << 16
# Rows per transaction follow from the block size (about 100,000 activity rows per 8 MiB).
BLOCK_BYTES = int(os.environ.get("NINETY_IMPORT_BLOCK_BYTES") or 8 << 20)
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
    head = "\n".join(text.splitlines()[:20])
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    first = next(csv.reader([text.splitlines()[0]], delimiter=delimiter), [])
    headers = [h.strip() for h in first]
    if not any(headers):
        raise FileError(f"{display}: the first line has no column names")
    return SourceFile(
        path=path,
        name=display,
        size=size,
        sha256=sha256_of(path),
        headers=_unique(headers),
        delimiter=delimiter,
        encoding=encoding,
        quoted='"' in text,
    )


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

    def __init__(self, path: Path) -> None:
        self._f = path.open("rb")
        self.pos = 0

    def read(self, n: int = -1) -> bytes:
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


def iter_blocks(
    src: SourceFile, progress: Callable[[int], None] | None = None
) -> Iterator[pa.RecordBatch]:
    """Record batches of text columns named as the headers; bad lines go to ``src.bad_lines``."""
    if src.xlsx:
        yield from _iter_xlsx(src, progress)
        return

    def on_invalid(row: pacsv.InvalidRow) -> str:
        line = row.number
        src.bad_lines.append(
            BadLine(
                line,
                f"has {row.actual_columns} fields, the header has {row.expected_columns}",
                row.text or "",
            )
        )
        return "skip"

    stream = CountingFile(src.path)
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
            yield batch
    except pa.ArrowInvalid as exc:
        raise FileError(f"{src.name}: {exc}") from exc
    finally:
        stream.close()


def _inspect_xlsx(path: Path, name: str, size: int) -> SourceFile:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        raise FileError(f"{name}: reading .xlsx needs openpyxl") from exc
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise FileError(f"{name}: not a readable .xlsx workbook ({exc})") from exc
    try:
        ws = wb.worksheets[0]
        first = next(ws.iter_rows(values_only=True, max_row=1), None)
    finally:
        wb.close()
    if not first or not any(c is not None for c in first):
        raise FileError(f"{name}: the first sheet has no header row")
    headers = _unique([_cell(c).strip() for c in first])
    return SourceFile(path, name, size, sha256_of(path), headers, xlsx=True)


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


def _iter_xlsx(src: SourceFile, progress: Callable[[int], None] | None) -> Iterator[pa.RecordBatch]:
    import openpyxl

    wb = openpyxl.load_workbook(src.path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        n = len(src.headers)
        cols: list[list[str]] = [[] for _ in range(n)]
        for line, row in enumerate(ws.iter_rows(values_only=True, min_row=2), start=2):
            if row is None or all(c is None for c in row):
                continue
            if len(row) > n and any(c is not None for c in row[n:]):
                src.bad_lines.append(BadLine(line, f"has {len(row)} cells, the header has {n}", ""))
                continue
            for i in range(n):
                cols[i].append(_cell(row[i]) if i < len(row) else "")
            if len(cols[0]) >= XLSX_BLOCK_ROWS:
                yield _batch(cols, src.headers)
                cols = [[] for _ in range(n)]
        if cols[0]:
            yield _batch(cols, src.headers)
        if progress:
            progress(src.size)
    finally:
        wb.close()


def _batch(cols: list[list[str]], headers: list[str]) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([pa.array(c, pa.string()) for c in cols], names=headers)
