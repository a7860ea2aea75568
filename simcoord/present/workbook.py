"""A report's tables as an Excel workbook a client can sort, filter and sum.

Notebooks show some numbers as text for reading (``9,669,090 ± 875,444``, ``+4.4%``,
``-4.8% to +23.4%``). The workbook turns them back into numbers: a ``±`` column becomes the
value and its half-width, a range becomes its low and high end, percentages become fractions
with a percent format. Every sheet has a bold, frozen header row with filters, columns as wide
as their content and no merged cells; the run manifest is a sheet of field/value rows.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from simcoord.kpis import KPIS
from simcoord.present.deliverable import kpi_words, people_label

#: Excel number formats of KPI values by unit (counts and other units: thousands separated).
FORMAT_BY_UNIT = {"fraction": "0.0%", "currency": "#,##0", "hours": "#,##0.0", "days": "#,##0.0"}
MAX_SHEET_NAME = 31
MAX_COLUMN_WIDTH = 60
NUMBER = r"[+\-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
#: Text cells read back as numbers: (pattern, scale, Excel number format).
NUMERIC_TEXT = ((re.compile(rf"^({NUMBER})\s?%$"), 0.01, "+0.0%;-0.0%;0.0%"),
                (re.compile(rf"^({NUMBER})\s?pp$"), 1.0, '+0.0" pp";-0.0" pp";0.0" pp"'),
                (re.compile(rf"^({NUMBER})$"), 1.0, None))
#: Text columns split into parts: (pattern, suffixes of the new columns).
COMPOUND_TEXT = ((re.compile(r"^(.+?) ± (.+)$"), ("", " ± (95 % CI half-width)")),
                 (re.compile(r"^(.+?) \((.+?) to (.+?)\)$"), ("", ", CI low", ", CI high")),
                 (re.compile(r"^(.+?) to (.+?)$"), (", low", ", high")))


def _number(text: str) -> float:
    return float(text.replace(",", "").replace("−", "-"))


def cell_value(value: Any) -> tuple[Any, str | None]:
    """A table cell as Excel should hold it, and its number format (None: general): numbers as
    numbers, numeric text (``4.4%``, ``+1.2 pp``, ``1,234``) as numbers, booleans as yes/no."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None, None
    if isinstance(value, bool):
        return ("yes" if value else "no"), None
    if isinstance(value, (int, float)):
        return value, "#,##0" if float(value).is_integer() else "#,##0.0##"
    text = str(value).strip()
    for pattern, scale, number_format in NUMERIC_TEXT:
        match = pattern.match(text)
        if match:
            number = round(_number(match.group(1)) * scale, 12)  # 9.3% is 0.093, not 0.09300000000000001
            return cell_value(number) if number_format is None else (number, number_format)
    return (None if text in ("", "n/a", "–", "nan", "NaN") else kpi_words(text)), None


Column = tuple[str, list[Any], "str | None"]  # header, values, number format (None: by value)


def split_column(name: str, values: pd.Series) -> list[Column]:
    """A column as one or more (header, values, format): text like ``a ± b`` or ``a (b to c)``
    in every filled cell becomes one column per part; a KPI's numbers get its unit's format."""
    filled = [str(v) for v in values if isinstance(v, str) and v.strip() not in ("", "n/a", "–")]
    for pattern, suffixes in COMPOUND_TEXT:
        if filled and all(pattern.match(text) for text in filled):
            parts = [pattern.match(v).groups() if isinstance(v, str) and pattern.match(v) else (None,) * len(suffixes)
                     for v in values]
            return [(f"{_header(name)}{suffix}", [part[i] for part in parts], None)
                    for i, suffix in enumerate(suffixes)]
    unit = KPIS[name].unit if isinstance(name, str) and name in KPIS else None
    return [(_header(name), list(values), FORMAT_BY_UNIT.get(unit))]


def _header(column: Any) -> str:
    return " / ".join(str(people_label(part)) for part in column) if isinstance(column, tuple) \
        else str(people_label(column))


def sheet_columns(table: pd.DataFrame) -> list[Column]:
    """The columns a table's sheet shows: its index first (unless it is only positions), every
    header in words, compound text split into parts."""
    bare = table.index.nlevels == 1 and table.index.name is None and \
        list(table.index) == list(range(len(table)))
    flat = table if bare else table.reset_index()
    return [column for name in flat.columns for column in split_column(name, flat[name])]


def _write_sheet(sheet, columns: list[Column]) -> None:
    """Header and values into ``sheet``; bold frozen header with filters, widths to fit."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for col, (header, values, column_format) in enumerate(columns, start=1):
        sheet.cell(row=1, column=col, value=header).font = Font(bold=True)
        widths = [len(header)]
        for row, raw in enumerate(values, start=2):
            value, number_format = cell_value(raw)
            cell = sheet.cell(row=row, column=col, value=value)
            if number_format:
                cell.number_format = column_format if column_format and not isinstance(raw, str) else number_format
            widths.append(len(f"{value:,.3f}" if isinstance(value, float) else str(value or "")))
        sheet.column_dimensions[get_column_letter(col)].width = min(max(widths) + 2, MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(columns[0][1]) + 1, 1)}"


def sheet_names(names: Iterable[str], taken: set[str]) -> list[str]:
    """Excel sheet names for ``names``: safe characters, at most 31 long, none used twice."""
    used, sheets = set(taken), []
    for name in names:
        sheet = (re.sub(r"[^\w.-]+", "-", name).strip("-") or "table")[:MAX_SHEET_NAME]
        while sheet in used:
            sheet = sheet[: MAX_SHEET_NAME - 2] + f"_{len(used)}"
        used.add(sheet)
        sheets.append(sheet)
    return sheets


def write_workbook(tables: dict[str, pd.DataFrame], path: Path, manifest_rows: list[tuple[str, str]]) -> Path:
    """One sheet of field/value rows for the run manifest, then one sheet per table."""
    from openpyxl import Workbook

    workbook = Workbook()
    manifest = workbook.active
    manifest.title = "run manifest"
    _write_sheet(manifest, [("field", [k for k, _ in manifest_rows], None),
                            ("value", [v for _, v in manifest_rows], None)])
    for sheet, table in zip(sheet_names(tables, {"run manifest"}), tables.values()):
        _write_sheet(workbook.create_sheet(sheet), sheet_columns(table))
    workbook.save(path)
    return path
