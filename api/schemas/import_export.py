"""Bodies of the import and export routes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import MONTH_PATTERN, QueryModel, ResponseBody, UserDate
from domain.rules.import_mapping import SOURCE_MAX, ColumnMapping
from domain.rules.import_values import DateFormat, check_storable

FlowType = Literal["income", "expense"]
ColumnName = Field(default=None, max_length=200, description="a header name of the file")
TEXT_FIELDS = (
    "source",
    "date_column",
    "amount_column",
    "debit_column",
    "credit_column",
    "type_column",
    "description_column",
    "category_column",
    "notes_column",
    "sheet",
)
PREVIEW_ROWS_MAX = 1000
ERRORS_MAX = 1000


class ImportForm(BaseModel):
    """Form fields of an import; every mapping field is optional.

    Unset fields come from the mapping remembered for files of the same header, or are
    recognised from the header's names (English and Hebrew).
    """

    model_config = ConfigDict(str_strip_whitespace=True)

    dry_run: bool = Field(default=True, description="parse and report only; false commits")
    source: str | None = Field(
        default=None, max_length=SOURCE_MAX, description="account or card the file comes from"
    )
    date_column: str | None = ColumnName
    amount_column: str | None = ColumnName
    debit_column: str | None = ColumnName
    credit_column: str | None = ColumnName
    type_column: str | None = ColumnName
    description_column: str | None = ColumnName
    category_column: str | None = ColumnName
    notes_column: str | None = ColumnName
    date_format: DateFormat | None = None
    decimal_separator: Literal[".", ","] | None = None
    positive_means: FlowType | None = Field(
        default=None, description="what a positive amount is, without a type column"
    )
    delimiter: Literal[",", ";", "\t", "|"] | None = None
    sheet: str | None = Field(default=None, max_length=31, description="Excel sheet name")
    remember: bool = Field(default=True, description="remember the mapping and categories")

    def mapping(self) -> ColumnMapping:
        """The chosen columns and formats as a domain mapping."""
        for name in TEXT_FIELDS:  # checked here: a 422 that echoed them could not be encoded
            check_storable(name, getattr(self, name))
        return ColumnMapping(
            date=self.date_column or None,
            amount=self.amount_column or None,
            debit=self.debit_column or None,
            credit=self.credit_column or None,
            type=self.type_column or None,
            description=self.description_column or None,
            category=self.category_column or None,
            notes=self.notes_column or None,
            date_format=self.date_format,
            decimal=self.decimal_separator,
            positive_means=self.positive_means,
        )


class MappingOut(ResponseBody):
    """The mapping a file was read with."""

    date_column: str | None
    amount_column: str | None
    debit_column: str | None
    credit_column: str | None
    type_column: str | None
    description_column: str | None
    category_column: str | None
    notes_column: str | None
    date_format: str | None
    decimal_separator: str | None
    positive_means: FlowType | None

    @classmethod
    def of(cls, mapping: ColumnMapping) -> MappingOut:
        """The response form of a domain mapping."""
        return cls(
            date_column=mapping.date,
            amount_column=mapping.amount,
            debit_column=mapping.debit,
            credit_column=mapping.credit,
            type_column=mapping.type,
            description_column=mapping.description,
            category_column=mapping.category,
            notes_column=mapping.notes,
            date_format=mapping.date_format,
            decimal_separator=mapping.decimal,
            positive_means=mapping.positive_means,
        )


class LineErrorOut(ResponseBody):
    """A problem of one line of the file."""

    line: int
    field: str
    message: str


class SkippedLineOut(ResponseBody):
    """A line under the header that is not a transaction: a heading, a total, a footer."""

    line: int
    reason: str = Field(description="no date and no amount, a totals line, a repeated header...")
    text: str = Field(description="what the line said, shortened")


class ImportRowOut(ResponseBody):
    """A row as it would be imported."""

    line: int
    date: dt.date
    amount: Decimal
    type: FlowType
    description: str
    notes: str
    category_id: int | None
    category: str
    duplicate: bool


class ImportPreviewOut(ResponseBody):
    """The dry run: what a commit would do, the rows, every error by line."""

    dry_run: Literal[True] = True
    filename: str
    kind: Literal["csv", "xlsx"]
    encoding: str
    sheet: str
    delimiter: str
    source: str
    header_line: int
    columns: list[str]
    mapping: MappingOut
    remembered: bool = Field(description="the mapping came from an earlier file of this shape")
    total_rows: int
    new_rows: int = Field(description="rows a commit would book (0 while there are errors)")
    duplicates: int = Field(description="rows already imported from this source")
    uncategorised: int
    error_count: int
    errors: list[LineErrorOut] = Field(description=f"the first {ERRORS_MAX} errors")
    warnings: list[LineErrorOut]
    skipped_count: int = Field(description="lines that are not transactions; never block a commit")
    skipped: list[SkippedLineOut] = Field(
        description=f"the first {ERRORS_MAX} lines passed over, with the reason"
    )
    rows: list[ImportRowOut] = Field(description=f"the first {PREVIEW_ROWS_MAX} rows")


class ImportResultOut(ResponseBody):
    """What a commit did."""

    dry_run: Literal[False] = False
    batch_id: int
    source: str
    total_rows: int
    imported: int
    skipped_duplicates: int
    uncategorised: int = Field(description="imported rows left without a category")
    skipped_lines: int = Field(description="lines that are not transactions (headings, totals)")


class ExportQuery(QueryModel):
    """Which transactions to export (dates inclusive; all when omitted)."""

    date_from: UserDate | None = None
    date_to: UserDate | None = None


class ReportQuery(QueryModel):
    """Which month the report covers (default: the current month)."""

    month: str | None = Field(default=None, pattern=MONTH_PATTERN, examples=["2026-11"])
