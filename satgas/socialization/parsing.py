"""Reading lists of NIP/NIK numbers typed, pasted or uploaded as a spreadsheet."""

import re

from django.utils.translation import gettext as _

from satgas.personnel.spreadsheets import ImportFileError, number_text, read_table, text

_CHUNKS = re.compile(r"[\r\n,;]+")
IDENTITY_LENGTHS = (16, 18)  # NIK, NIP / NI PPPK
NUMBER_COLUMNS = ("nip", "nik", "nip_nik", "nik_nip", "ni_pppk")


def numbers_from_text(value: str) -> list[str]:
    """Numbers separated by new lines, commas, semicolons or spaces, in order, without repeats.

    A chunk that becomes one 16- or 18-digit number once its spaces are
    removed is one number written in groups (``19860926 201505 1 001``);
    otherwise spaces separate numbers.
    """
    out: list[str] = []
    for chunk in _CHUNKS.split(value or ""):
        chunk = chunk.strip()
        if not chunk:
            continue
        joined = "".join(chunk.split())
        if joined.isdigit() and len(joined) in IDENTITY_LENGTHS:
            out.append(joined)
        else:
            out.extend(chunk.split())
    return list(dict.fromkeys(out))


def numbers_from_file(content: bytes, filename: str) -> list[str]:
    """The numbers of the ``nip`` / ``nik`` column(s) of a CSV or XLSX file.

    Raises ``ImportFileError`` with a message for the user when the file cannot
    be read or has no such column.
    """
    table = read_table(content, filename)
    header_at = next((i for i, row in enumerate(table) if any(text(v) for v in row)), None)
    if header_at is None:
        raise ImportFileError(_("The file is empty."))
    positions = [
        i
        for i, cell in enumerate(table[header_at])
        if re.sub(r"[\s\-_/]+", "_", text(cell).lower()).strip("_") in NUMBER_COLUMNS
    ]
    if not positions:
        raise ImportFileError(_("The first row of the file must name a column “nip” or “nik”."))
    out: list[str] = []
    for row in table[header_at + 1 :]:
        for position in positions:
            if position < len(row):
                value = "".join(number_text(row[position]).split())
                if value:
                    out.append(value)
    return list(dict.fromkeys(out))
