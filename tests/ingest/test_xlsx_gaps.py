"""A small .xlsx must not pin a worker: rows a sheet skips cost nothing, row numbers stay the
spreadsheet's, and a sheet claiming more than Excel's 1,048,576 rows is a clear file error."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl.worksheet import _read_only

from ninety.activity.models import Deal
from ninety.ingest import reader
from ninety.ingest.models import ImportBatch
from ninety.ingest.reader import FileError, inspect, iter_blocks
from ninety.ingest.services import import_file
from tests.conftest import World

HEADER = ["external_id", "person", "occurred_at", "type"]
ROW = ["x1", "Sam", "2026-10-01T09:00:00Z", "dial"]
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
        'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
        '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target='
        '"xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.'
        'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id='
        '"rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target='
        '"worksheets/sheet1.xml"/></Relationships>'
    ),
}


def _row(r: int, values: list[str], columns: Any = "ABCDEFGHIJ") -> str:
    cells = "".join(
        f'<c r="{col}{r}" t="inlineStr"><is><t>{v}</t></is></c>'
        for col, v in zip(columns, values, strict=False)
    )
    return f'<row r="{r}">{cells}</row>'


def _xlsx(
    path: Path, rows: dict[int, list[str]], dimension: str = "", more: str = "",
    parts: dict[str, str] | None = None,
) -> Path:  # fmt: skip
    """A workbook written by hand: the rows as given (row number → cells), nothing between,
    then the XML ``more``; ``parts`` replace or add parts of the package."""
    body = "".join(_row(r, v) for r, v in rows.items()) + more
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.'
        f'openxmlformats.org/spreadsheetml/2006/main">{dim}<sheetData>{body}</sheetData>'
        "</worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in (PARTS | (parts or {})).items():
            zf.writestr(name, text)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


@pytest.fixture(autouse=True)
def no_filled_rows(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """openpyxl's row filler, counted: a read that makes more than 100,000 rows fails (the
    hostile file would make two billion, over minutes)."""
    made: list[int] = []
    original = _read_only.ReadOnlyWorksheet._cells_by_row

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        for row in original(self, *args, **kwargs):
            made.append(1)
            assert len(made) <= 100_000, "every missing row was made"
            yield row

    monkeypatch.setattr(_read_only.ReadOnlyWorksheet, "_cells_by_row", counted)
    return made


def test_the_reported_file_is_small_and_a_clear_error(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "gap.xlsx", {1: HEADER, 2_000_000_000: ROW})
    assert path.stat().st_size < 1600
    src = inspect(path)
    with pytest.raises(FileError, match=r"gap.xlsx: row 2,000,000,000 is beyond the 1,048,576"):
        list(iter_blocks(src))


def test_a_gap_costs_nothing_and_rows_keep_their_numbers(acme: World, tmp_path: Path) -> None:
    bad = ["x3", "Sam", "not a date", "dial"]
    path = _xlsx(tmp_path / "gap.xlsx", {1: HEADER, 2: ROW, 1_048_576: bad})
    blocks = list(iter_blocks(inspect(path)))
    assert [list(b.rows) for b in blocks] == [[2, 1_048_576]]
    s = import_file(acme.org, "activities", path)
    assert (s.read, s.imported, s.rejected) == (2, 1, 1)
    assert s.errors[0].row == 1_048_576 and s.errors[0].field == "occurred_at"


def test_a_dimension_over_the_limit_is_refused_at_once(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "dim.xlsx", {1: HEADER, 2: ROW}, dimension="A1:D2000000000")
    with pytest.raises(FileError, match=r"dim.xlsx: the sheet claims 2,000,000,000 rows"):
        inspect(path)


def test_rows_out_of_order_and_cells_past_xfd_are_file_errors(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "order.xlsx", {1: HEADER, 5: ROW, 3: ROW})
    with pytest.raises(FileError, match="row 3 comes after row 5"):
        list(iter_blocks(inspect(path)))
    wide = _xlsx(tmp_path / "wide.xlsx", {1: HEADER}, more=_row(2, ["x"], columns=["XFE"]))
    with pytest.raises(FileError, match="row 2 has a cell beyond column 16,384"):
        list(iter_blocks(inspect(wide)))


def test_the_preview_answers_with_the_error(world: World, client_for, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "gap.xlsx", {1: HEADER, 2_000_000_000: ROW})
    with path.open("rb") as f:
        response = client_for(world.admin).post(
            "/import/", {"kind": "activities", "file": f, "step": "preview"}
        )
    assert response.status_code == 400
    assert "gap.xlsx: row 2,000,000,000 is beyond" in response.content.decode()


def test_the_background_import_fails_with_the_error(acme: World, tmp_path: Path) -> None:
    from ninety.ingest.background import run_import

    path = _xlsx(tmp_path / "1-1-0123.xlsx", {1: HEADER, 2: ROW, 2_000_000_000: ROW})
    batch = ImportBatch.objects.create(
        org=acme.org, created_by=acme.admin, kind="activities", file_name="calls.xlsx",
        sha256="", status="queued", upload_path=str(path), options={"preset": "ninety"},
    )  # fmt: skip
    run_import.call(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert batch.message.startswith("calls.xlsx: row 2,000,000,000 is beyond the 1,048,576")


def test_progress_moves_and_a_cancel_is_seen_between_blocks(
    acme: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "XLSX_BLOCK_ROWS", 2)
    deal = ["external_id", "owner", "opened_at", "value", "notes"]
    note = "n" * 30_000  # the parser reads the XML 16 KiB at a time: a few reads a row
    rows = {1: deal} | {r: [f"d{r}", "Sam", "2026-10-01", "100", note] for r in range(2, 12)}
    rows[500_000] = ["d-late", "Sam", "2026-10-01", "100", note]
    path = _xlsx(tmp_path / "deals.xlsx", rows)
    batch = ImportBatch.objects.create(
        org=acme.org, created_by=acme.admin, kind="deals", file_name="deals.xlsx",
        sha256="", status="queued",
    )  # fmt: skip
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if len(seen) == 3:  # after two blocks: the user cancels
            ImportBatch.objects.filter(pk=batch.pk).update(cancel_requested=True)

    import_file(acme.org, "deals", path, progress=progress, batch=batch)
    batch.refresh_from_db()
    assert 0 < seen[0] < seen[1] < seen[2] < path.stat().st_size  # the bar moves before the end
    assert batch.status == "cancelled" and Deal.objects.count() == batch.imported == 4
    assert 0 < batch.bytes_read < batch.bytes_total


def test_an_ordinary_workbook_reads_as_before(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([*HEADER, None, "notes"])
    ws.append(ROW)
    ws.append([])
    ws.append(["x2", "Sam", "2026-10-02T09:00:00Z", "dial", None, "ok", "past the header"])
    path = tmp_path / "ok.xlsx"
    wb.save(path)
    src = inspect(path)  # as wide as the sheet's dimension says
    assert src.headers == [*HEADER, "column 5", "notes", "column 7"]
    blocks = list(iter_blocks(src))
    assert [list(b.rows) for b in blocks] == [[2, 4]]
    assert blocks[0].batch.column("column 7").to_pylist() == ["", "past the header"]
    assert blocks[0].batch.column("occurred_at").to_pylist()[0] == ROW[2]


def test_a_row_wider_than_the_header_and_a_missing_header(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "w.xlsx", {1: HEADER[:3], 2: ROW[:3], 3: ROW})
    src = inspect(path)
    assert [list(b.rows) for b in iter_blocks(src)] == [[2]]
    assert [(b.line, b.reason) for b in src.bad_lines] == [(3, "has 4 cells, the header has 3")]
    with pytest.raises(FileError, match=r"no\.xlsx: the first sheet has no header row"):
        inspect(_xlsx(tmp_path / "no.xlsx", {2: ROW}))


def test_a_stretch_of_blank_rows_still_checks_for_a_cancel(
    acme: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ninety.ingest.services import Importer

    monkeypatch.setattr(reader, "XLSX_BLOCK_ROWS", 3)
    checks: list[int] = []
    monkeypatch.setattr(Importer, "_check_cancel", lambda self: checks.append(1))
    rows = {1: HEADER} | {r: ["", "", "", ""] for r in range(2, 11)} | {20: ROW}
    s = import_file(acme.org, "activities", _xlsx(tmp_path / "blank.xlsx", rows))
    assert (s.read, s.imported) == (1, 1)
    assert len(checks) == 4  # three blocks of blank rows, then the one with the row


def test_a_row_of_a_million_cells_stops_at_the_column_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from openpyxl.worksheet._reader import WorkSheetParser

    path = _xlsx(
        tmp_path / "wide.xlsx", {1: HEADER}, more='<row r="2">' + "<c/>" * 10**6 + "</row>"
    )
    assert path.stat().st_size < 10_000
    read: list[int] = []
    parse_cell = WorkSheetParser.parse_cell
    monkeypatch.setattr(
        WorkSheetParser, "parse_cell", lambda self, el: read.append(1) or parse_cell(self, el)
    )
    with pytest.raises(FileError, match="row 2 has a cell beyond column 16,384"):
        list(iter_blocks(inspect(path)))
    # Read cell by cell and stopped at the first too many (openpyxl read the whole row first).
    assert len(read) <= len(HEADER) * 2 + reader.MAX_XLSX_COLUMNS + 1


def test_a_sheet_is_not_parsed_whole_to_open_the_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # openpyxl's read-only sheet sizes a sheet without <dimension> by parsing all of it.
    def refused(*args: Any) -> None:
        raise AssertionError("openpyxl's read-only worksheet was made")

    monkeypatch.setattr(_read_only.ReadOnlyWorksheet, "__init__", refused)
    path = _xlsx(tmp_path / "ok.xlsx", {1: HEADER, 2: ROW})
    assert [list(b.rows) for b in iter_blocks(inspect(path))] == [[2]]


SST_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
SST = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{}</sst>'


def test_shared_strings_are_read_and_capped_by_what_the_sheets_can_use(tmp_path: Path) -> None:
    types = PARTS["[Content_Types].xml"].replace("</Types>", SST_TYPE)
    strings = "<si><t>x1</t></si><si><r><t>Sa</t></r><r><t>m</t></r></si>"
    cells = '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c></row>'
    parts = {"[Content_Types].xml": types, "xl/sharedStrings.xml": SST.format(strings)}
    ok = _xlsx(tmp_path / "ok.xlsx", {1: HEADER}, more=cells, parts=parts)
    block = next(iter_blocks(inspect(ok)))
    assert block.batch.column("external_id").to_pylist() == ["x1"]
    assert block.batch.column("person").to_pylist() == ["Sam"]
    parts["xl/sharedStrings.xml"] = SST.format("<si/>" * 2_000_000)
    bomb = _xlsx(tmp_path / "sst.xlsx", {1: HEADER}, parts=parts)
    assert bomb.stat().st_size < 30_000
    with pytest.raises(FileError, match=r"sst\.xlsx: the workbook has over 10,000 shared strings"):
        inspect(bomb)


def test_a_workbook_part_read_whole_is_capped(tmp_path: Path) -> None:
    big = PARTS["xl/workbook.xml"].replace("<sheets>", "<!--" + "x" * (17 << 20) + "--><sheets>")
    path = _xlsx(tmp_path / "wb.xlsx", {1: HEADER, 2: ROW}, parts={"xl/workbook.xml": big})
    with pytest.raises(FileError, match=r"its part xl/workbook\.xml unpacks to 17 MiB, over"):
        inspect(path)


def test_wide_rows_make_smaller_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "XLSX_BLOCK_CELLS", 8)  # two rows of four cells
    rows = {1: HEADER} | {r: [f"x{r}", "Sam", "2026-10-01T09:00:00Z", "dial"] for r in range(2, 7)}
    blocks = list(iter_blocks(inspect(_xlsx(tmp_path / "w.xlsx", rows))))
    assert [list(b.rows) for b in blocks] == [[2], [3, 4], [5, 6]]  # the header's cells count


def test_a_header_widened_by_the_dimension_makes_small_blocks(tmp_path: Path) -> None:
    """A sheet whose <dimension> says XFD gives 16,384 headers: each row kept is padded to
    them, so a block holds 500,000 cells of that width (30 rows), not 20,000 rows (5 GB)."""
    rows = {1: ["external_id"]} | {r: [f"x{r}"] for r in range(2, 202)}
    src = inspect(_xlsx(tmp_path / "dim.xlsx", rows, dimension="A1:XFD201"))
    assert len(src.headers) == 16_384
    blocks = list(iter_blocks(src))
    assert max(len(b.rows) for b in blocks) <= reader.XLSX_BLOCK_CELLS // 16_384 + 1
    assert sum(len(b.rows) for b in blocks) == 200


@pytest.mark.parametrize(
    "cell",
    ['<c r="A2" t="s"><v>99</v></c>', '<c r="A2"><v>abc</v></c>', '<c r="A2" t="n"><v>1e</v></c>'],
)
def test_a_cell_that_cannot_be_read_is_a_file_error(tmp_path: Path, cell: str) -> None:
    """A shared-string index past the list, a number that is not one: a clear file error
    (it escaped as an IndexError or ValueError: HTTP 500 on the import page)."""
    path = _xlsx(tmp_path / "cell.xlsx", {1: HEADER}, more=f'<row r="2">{cell}</row>')
    with pytest.raises(FileError, match=r"cell.xlsx: row 2 has a cell that cannot be read"):
        list(iter_blocks(inspect(path)))
