"""CSV exports of the report tables.

Cells that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage return) get a
leading apostrophe: unit names and region names come from people, and a CSV opened in a spreadsheet must not
execute them. Numbers are written plainly (a dot for decimals) so that tools read them back exactly.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float):
        return str(int(value)) if float(value).is_integer() else repr(round(float(value), 4))
    text = str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def csv_response(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    # UTF-8 with a byte order mark: spreadsheets then read Indonesian names right.
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return response
