"""The one spreadsheet reader refuses what would exhaust memory, before parsing it: zip bombs (honest or lying
directory), too many members, sheets, rows, columns or cells, entity expansion; CSV too."""

import io
import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation

from satgas.core.spreadsheets import SpreadsheetError, SpreadsheetLimits, read_table

ROOT = Path(__file__).resolve().parents[3]
LIMITS = SpreadsheetLimits(
    max_bytes=15 * 1024 * 1024,
    max_uncompressed_bytes=5 * 1024 * 1024,
    max_members=100,
    max_sheets=5,
    max_rows=100,
    max_columns=10,
    max_cells=500,
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _workbook(sheets=1) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["nip", "nama"])
    workbook.active.append(["198609262015051001", "Budi"])
    for i in range(1, sheets):
        workbook.create_sheet(f"S{i}")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


def _with_sheet(chunks, *, base: bytes | None = None) -> bytes:
    """A real workbook whose first sheet's XML is replaced by ``chunks`` (streamed into the archive)."""
    source, target = zipfile.ZipFile(io.BytesIO(base or _workbook())), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for item in source.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with archive.open(item.filename, "w", force_zip64=True) as member:
                    for chunk in chunks:
                        member.write(chunk)
            else:
                archive.writestr(item, source.read(item.filename))
    return target.getvalue()


def _rows(count: int, *, start=1, columns=1) -> bytes:
    cells = lambda r: b"".join(b'<c r="%s%d" t="n"><v>1</v></c>' % (bytes([65 + i]), r) for i in range(columns))  # noqa: E731
    return b"".join(b'<row r="%d">%s</row>' % (r, cells(r)) for r in range(start, start + count))


def bomb(megabytes: int) -> bytes:
    """A sheet of ``megabytes`` MB of rows, compressing to a small fraction of it."""
    row = b'<row><c t="n"><v>1</v></c></row>' * 32_768  # 1 MB
    return _with_sheet([SHEET_HEAD, *(row for _ in range(megabytes)), SHEET_TAIL])


def lying(content: bytes, member: str = "xl/worksheets/sheet1.xml", declared: int = 1000) -> bytes:
    """The archive with ``member``'s uncompressed size declared as ``declared`` bytes (local header, central
    directory and zip64 extra fields)."""
    data = bytearray(content)
    archive = zipfile.ZipFile(io.BytesIO(content))
    info = archive.getinfo(member)
    name = member.encode()
    # Central directory entry: signature PK\1\2, uncompressed size at +24; local header PK\3\4 at +22.
    for signature, size_at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        at = data.find(signature)
        while at >= 0:
            name_at = at + (46 if signature == b"PK\x01\x02" else 30)
            if data[name_at : name_at + len(name)] == name:
                data[at + size_at : at + size_at + 4] = struct.pack("<L", declared)
                # zip64 extra field: uncompressed size first
                extra_at = data.find(b"\x01\x00", name_at + len(name), name_at + len(name) + 8)
                if extra_at >= 0:
                    data[extra_at + 4 : extra_at + 12] = struct.pack("<Q", declared)
            at = data.find(signature, at + 4)
    assert info.file_size > declared
    return bytes(data)


def refusal(content, filename="x.xlsx", limits=LIMITS) -> str:
    with pytest.raises(SpreadsheetError) as caught:
        read_table(content, filename, limits=limits)
    return str(caught.value)


# --- XLSX -------------------------------------------------------------------------------------------


def test_a_normal_workbook_is_read():
    assert read_table(_workbook(), "x.xlsx", limits=LIMITS) == [["nip", "nama"], ["198609262015051001", "Budi"]]


def test_a_zip_bomb_is_refused_with_a_message_before_parsing():
    content = bomb(12)
    assert len(content) < 200_000  # a small upload ...
    message = refusal(content)  # ... whose sheet is 12 MB of XML (the limit here: 5 MB)
    assert "too large to import" in message and "more than 5 MB" in message


def test_a_zip_bomb_with_a_lying_directory_is_refused():
    """The directory says 1,000 bytes; unpacking stops there (zipfile checks the CRC) or at the guard."""
    message = refusal(lying(bomb(12)))
    assert "could not be read" in message or "too large" in message


def test_rows_columns_and_cells_are_counted_before_the_sheet_is_parsed():
    assert "more than 100 rows" in refusal(_with_sheet([SHEET_HEAD, _rows(101), SHEET_TAIL]))
    # One value far down the sheet is as many rows for openpyxl.
    assert "more than 100 rows" in refusal(_with_sheet([SHEET_HEAD, _rows(1, start=1_048_576), SHEET_TAIL]))
    wide = SHEET_HEAD + b'<row r="1"><c r="ZZ1" t="n"><v>1</v></c></row>' + SHEET_TAIL
    assert "more than 10 columns" in refusal(_with_sheet([wide]))
    assert "more than 500 filled cells" in refusal(_with_sheet([SHEET_HEAD, _rows(90, columns=6), SHEET_TAIL]))


def test_empty_formatted_cells_far_away_cost_nothing():
    """Styled empty cells (what Excel writes for a formatted range) are not rows or columns to read."""
    sheet = (
        SHEET_HEAD
        + b'<row r="1"><c r="A1" t="inlineStr"><is><t>nip</t></is></c><c r="XFD1" s="1"/></row>'
        + b'<row r="1048576"><c r="A1048576" s="1"/></row>'
        + SHEET_TAIL
    )
    assert read_table(_with_sheet([sheet]), "x.xlsx", limits=LIMITS) == [["nip"]]


def test_too_many_sheets_or_members_are_refused():
    assert "more than 5 sheets" in refusal(_workbook(sheets=6))
    buffer = io.BytesIO(_workbook())
    with zipfile.ZipFile(buffer, "a") as archive:
        for i in range(150):
            archive.writestr(f"customXml/item{i}.bin", b"")
    assert "too many files" in refusal(buffer.getvalue())


def test_shared_strings_are_counted():
    source, target = zipfile.ZipFile(io.BytesIO(_workbook())), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item.filename))
        archive.writestr("xl/sharedStrings.xml", b"<sst>" + b"<si><t>x</t></si>" * 600 + b"</sst>")
    assert "more than 500 filled cells" in refusal(target.getvalue())


def test_entity_expansion_is_refused():
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    assert "could not be read" in refusal(_with_sheet([laughs]))


# --- CSV ----------------------------------------------------------------------------------------------


def test_csv_rows_columns_and_size_are_limited():
    assert "more than 100 rows" in refusal(b"nip\n" + b"1\n" * 101, "x.csv")
    assert "more than 10 columns" in refusal(b"nip" + b";x" * 11 + b"\n", "x.csv")
    assert "more than 100 rows" in refusal(b"nip\n" + b"\n" * 500, "x.csv")  # nothing but blank lines
    small = SpreadsheetLimits(**{**LIMITS.__dict__, "max_bytes": 100})
    assert "too large to import" in refusal(b"nip\n" + b"1\n" * 60, "x.csv", limits=small)
    # Trailing empty cells (Excel pads rows to the used range) are not columns.
    assert read_table(b"nip;nama;;;;;;;;;;;;;;;\n1;Budi;;;;;;;;;;;;;;\n", "x.csv", limits=LIMITS) == [
        ["nip", "nama"],
        ["1", "Budi"],
    ]


def test_the_import_settings_are_the_defaults(settings):
    settings.SATGAS_SPREADSHEET_MAX_ROWS = 3
    with pytest.raises(SpreadsheetError, match="more than 3 rows"):
        read_table(b"nip\n1\n2\n3\n", "x.csv")


# --- Memory: a real bomb, measured in a fresh process ------------------------------------------------

_MEASURE = r"""
import json, os, sys
import django
django.setup()
import openpyxl  # noqa: F401 (loaded before the baseline: importing it is not parsing)
from satgas.core.spreadsheets import SpreadsheetError, read_table

def vm(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field)) // 1024

content = open(sys.argv[1], "rb").read()
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")  # resets the peak (VmHWM) to the current size
base = vm("VmRSS:")
try:
    read_table(content, "bomb.xlsx")
    outcome = "read"
except SpreadsheetError as exc:
    outcome = str(exc)
print(json.dumps({"growth_mb": vm("VmHWM:") - base, "outcome": outcome}))
"""


def _shared_strings_bomb() -> bytes:
    source, target = zipfile.ZipFile(io.BytesIO(_workbook())), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item.filename))
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            member.write(b"<sst>")
            for _ in range(55):
                member.write(b"<si><t>tulisan</t></si>" * 45_000)  # ~1 MB
            member.write(b"</sst>")
    return target.getvalue()


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize(
    "make",
    [lambda: bomb(1024), lambda: lying(bomb(1024)), lambda: bomb(55), _shared_strings_bomb],
    ids=["1GB-sheet", "1GB-sheet-lying-directory", "55MB-sheet-under-the-size-limit", "shared-strings"],
)
def test_refusing_a_bomb_costs_less_than_100_mb(tmp_path, make):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(make())
    assert path.stat().st_size < 3 * 1024 * 1024  # deflate packs at most ~1,000:1
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "satgas.settings.test", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, timeout=120, cwd=ROOT, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["outcome"] != "read"
    assert result["growth_mb"] < 100, result
