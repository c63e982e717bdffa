"""Import and export routes: bank files in; CSV, Excel and the PDF report out."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date
from typing import IO, Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import Response, StreamingResponse

from api.deps import CurrentUser, HouseholdDep, SessionDep, TodayDep
from api.schemas.import_export import (
    ERRORS_MAX,
    PREVIEW_ROWS_MAX,
    ExportQuery,
    ImportForm,
    ImportPreviewOut,
    ImportResultOut,
    ImportRowOut,
    LineErrorOut,
    MappingOut,
    ReportQuery,
    SkippedLineOut,
)
from domain.db.models import User
from domain.rules.dates import exclusive_end
from domain.rules.export_labels import Language
from domain.rules.import_files import MAX_BYTES, refuse
from domain.rules.ledger import LedgerFilter
from domain.services import exports, imports, reports

# Room for the form's fields and the multipart boundaries beside a file at its limit.
FORM_SLACK_BYTES = 64 * 1024

router = APIRouter(tags=["import and export"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SPOOL_BYTES = 16 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024


def _file(media_type: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"content": {media_type: {"schema": {"type": "string", "format": "binary"}}}}}


def _attachment(name: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{name}"'}


def _upload(file: UploadFile, form: ImportForm) -> imports.Upload:
    if file.size is not None and file.size > MAX_BYTES:
        size = file.size / (1024 * 1024)
        raise refuse(f"the file is {size:.1f} MB; the limit is {MAX_BYTES // (1024 * 1024)} MB")
    return imports.Upload(
        data=file.file.read(MAX_BYTES + 1),
        filename=file.filename or "",
        mapping=form.mapping(),
        source=form.source,
        sheet=form.sheet,
        delimiter=form.delimiter,
        account_id=form.account_id,
        transfers=form.transfers or {},
    )


def _preview_out(preview: imports.ImportPreview) -> ImportPreviewOut:
    return ImportPreviewOut(
        filename=preview.filename,
        kind=preview.kind,
        encoding=preview.encoding,
        sheet=preview.sheet,
        delimiter=preview.delimiter,
        source=preview.source,
        header_line=preview.header_line,
        columns=list(preview.columns),
        mapping=MappingOut.of(preview.mapping),
        remembered=preview.remembered,
        account_id=preview.account_id,
        account=preview.account,
        account_kind=preview.account_kind,
        total_rows=preview.total_rows,
        new_rows=preview.new_rows,
        duplicates=preview.duplicates,
        matched=preview.matched,
        card_debits=preview.card_debits,
        transfers=preview.transfers,
        uncategorised=preview.uncategorised,
        error_count=len(preview.errors),
        errors=[LineErrorOut.model_validate(e) for e in preview.errors[:ERRORS_MAX]],
        warnings=[LineErrorOut.model_validate(w) for w in preview.warnings[:ERRORS_MAX]],
        skipped_count=len(preview.skipped),
        skipped=[SkippedLineOut.model_validate(s) for s in preview.skipped[:ERRORS_MAX]],
        rows=[ImportRowOut.model_validate(r) for r in preview.rows[:PREVIEW_ROWS_MAX]],
    )


@router.post("/import/transactions", max_body_size=MAX_BYTES + FORM_SLACK_BYTES)
def import_transactions(
    file: Annotated[UploadFile, File(description="CSV or .xlsx, at most 10 MB")],
    form: Annotated[ImportForm, Form()],
    household: HouseholdDep,
    session: SessionDep,
    today: TodayDep,
) -> ImportPreviewOut | ImportResultOut:
    """Import transactions from a bank or card export: a dry run first, then a commit.

    The dry run (the default) returns the parsed rows, every error with its line number,
    and the lines passed over as not transactions (titles, section headings, totals
    lines, repeated headers), each with its reason; those never block a commit. A commit
    (`dry_run=false`) is all or nothing, refused while any line has an error, and skips
    rows already imported into the account from the same source.

    The rows go into `account_id` (remembered with the mapping). In a card account a
    positive amount is a charge. In a bank account a line that is a card's booked
    statement charge (same account, amount within 0.01, date within 3 days, the card's
    name or institution in the description) is shown with its `match` and not added; a
    line naming a card without one lists the cards in `card_ids`, and `transfers`
    (line to card id) books it as a transfer to that card instead of an expense.
    """
    upload = _upload(file, form)
    if form.dry_run:
        return _preview_out(imports.preview_import(session, household, upload, today))
    result = imports.commit_import(session, household, upload, today, remember=form.remember)
    return ImportResultOut(
        batch_id=result.batch_id,
        source=result.source,
        account_id=result.account_id,
        total_rows=result.total_rows,
        imported=result.imported,
        matched=result.matched,
        transfers=result.transfers,
        skipped_duplicates=result.skipped,
        uncategorised=result.uncategorised,
        skipped_lines=result.skipped_lines,
    )


def _filter(query: ExportQuery) -> LedgerFilter:
    return LedgerFilter(start=query.date_from, end=exclusive_end(query.date_to))


@router.get("/export/transactions.csv", response_class=Response, responses=_file("text/csv"))
def export_transactions_csv(
    query: Annotated[ExportQuery, Query()],
    household: HouseholdDep,
    user: CurrentUser,
    session: SessionDep,
) -> Response:
    """The ledger as CSV in your language (UTF-8 with BOM; formula-like text is neutralised)."""
    body = exports.export_transactions_csv(
        session, household, _filter(query), language=language_of(user)
    )
    headers = _attachment("cashflow-transactions.csv")
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


def language_of(user: User) -> Language:
    """The language a person reads files in."""
    return "he" if user.language == "he" else "en"


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    try:
        spool.seek(0)
        while chunk := spool.read(CHUNK_BYTES):
            yield chunk
    finally:
        spool.close()


@router.get("/export/workbook.xlsx", response_class=StreamingResponse, responses=_file(XLSX))
def export_workbook(
    household: HouseholdDep, user: CurrentUser, session: SessionDep, today: TodayDep
) -> StreamingResponse:
    """Everything as an Excel workbook, with the schedules and the monthly forecast.

    Sheets: transactions, categories, fixed items, installment plans and their schedules,
    loans and their amortization, the monthly forecast and a summary.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed by _chunks
    exports.export_workbook(session, household, today, spool, language=language_of(user))
    headers = _attachment(f"cashflow-{today:%Y-%m-%d}.xlsx")
    return StreamingResponse(_chunks(spool), media_type=XLSX, headers=headers)


@router.get("/export/report.pdf", response_class=Response, responses=_file("application/pdf"))
def export_report(
    query: Annotated[ReportQuery, Query()],
    household: HouseholdDep,
    user: CurrentUser,
    session: SessionDep,
    today: TodayDep,
) -> Response:
    """The monthly report: KPIs, the balance chart, spending by category, upcoming payments."""
    month = date.fromisoformat(f"{query.month}-01") if query.month else today.replace(day=1)
    body = reports.monthly_report_pdf(session, household, month, today, language=language_of(user))
    headers = _attachment(f"cashflow-report-{month:%Y-%m}.pdf")
    return Response(body, media_type="application/pdf", headers=headers)
