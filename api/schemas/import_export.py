"""Bodies of the import and export routes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Json

from api.schemas.common import MONTH_PATTERN, Id, QueryModel, ResponseBody, UserDate
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
    "purchase_column",
    "sheet",
)
PREVIEW_ROWS_MAX = 1000
ERRORS_MAX = 1000
TRANSFERS_MAX = 10_000
Line = Annotated[int, Field(ge=1, le=2**31 - 1)]


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
    purchase_column: str | None = Field(
        default=None,
        max_length=200,
        description="a card export's purchase amount beside the charged amount (kept in notes)",
    )
    date_format: DateFormat | None = None
    decimal_separator: Literal[".", ","] | None = None
    positive_means: FlowType | None = Field(
        default=None,
        description="what a positive amount is, without a type column; left out: as "
        "remembered, else an expense (a charge) in a card account or a card export's "
        "charged amount column, else income",
    )
    account_id: Id | None = Field(
        default=None,
        description="the account the rows go into; left out: the one remembered for files "
        "of this header, else the default account",
    )
    transfers: Json[Annotated[dict[Line, Id], Field(max_length=TRANSFERS_MAX)]] | None = Field(
        default=None,
        description='a JSON object, line of the file to a card account id ({"12": 7}): '
        "that line of money out is booked as a transfer to the card instead of an expense",
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
            purchase=self.purchase_column or None,
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
    purchase_column: str | None
    date_format: str | None
    decimal_separator: str | None
    positive_means: FlowType | None = Field(
        description="what a positive amount was read as (chosen, or decided by the account)"
    )

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
            purchase_column=mapping.purchase,
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


class ChargeMatchOut(ResponseBody):
    """The card statement charge a bank line is: nothing is added for the line."""

    transfer_id: int = Field(description="the booked transfer from the bank to the card")
    card_id: int
    card: str = Field(description="the card's name")
    date: dt.date = Field(description="the charge's date")
    amount: Decimal
    statement_close: dt.date | None = Field(description="the close of the statement charged")


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
    match: ChargeMatchOut | None = Field(
        description="the booked card charge this bank line is (not added as an expense)"
    )
    card_ids: list[int] = Field(
        description="cards this line of money out names without a matching booked charge: "
        "it may be booked as a transfer to one of them (see `transfers`)"
    )
    transfer_to: int | None = Field(description="the card chosen for this line in `transfers`")


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
    account_id: int = Field(description="the account the rows go into")
    account: str = Field(description="its name")
    account_kind: str
    total_rows: int
    new_rows: int = Field(
        description="rows a commit would book, transactions and transfers (0 while there "
        "are errors)"
    )
    duplicates: int = Field(description="rows already imported from this source")
    matched: int = Field(description="bank lines that are a booked card charge: not added")
    card_debits: int = Field(
        description="lines naming a card with no booked charge and no transfer chosen"
    )
    transfers: int = Field(description="lines chosen to be booked as transfers to a card")
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
    account_id: int
    total_rows: int
    imported: int = Field(description="transactions added")
    matched: int = Field(description="bank lines matched to a booked card charge")
    transfers: int = Field(description="lines booked as transfers to a card")
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
