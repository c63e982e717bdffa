"""The import and export page: upload, map, preview with errors, commit; downloads."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta
from functools import partial
from typing import cast

import pandas as pd
import streamlit as st

from domain.errors import DomainError
from domain.rules.categories import FlowType
from domain.rules.import_files import MAX_BYTES
from domain.rules.import_mapping import COLUMN_FIELDS, ColumnMapping, mapping_from
from domain.rules.import_values import DATE_FORMATS
from domain.rules.ledger import LedgerFilter
from domain.rules.money import format_money
from domain.services import categories, category_rules, exports, imports, reports
from streamlit_app.session import require_user_id
from streamlit_app.views.forms import describe, today_of, user_work

AUTO = "(recognise)"
PREVIEW_ROWS = 500
PREVIEW = "io_preview"
RESULT = "io_result"
LABELS = {
    "date": "Date",
    "amount": "Amount (signed)",
    "debit": "Debit (money out)",
    "credit": "Credit (money in)",
    "type": "Type (income/expense)",
    "description": "Description",
    "category": "Category",
    "notes": "Notes",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The uploader's own limit (Streamlit's default is 200 MB) is the one the import enforces.
UPLOAD_MB = MAX_BYTES // (1024 * 1024)


def _choice(key: str) -> str | None:
    value = st.session_state.get(key)
    return None if value in (None, AUTO) else str(value)


def _mapping() -> ColumnMapping:
    """The mapping chosen in the widgets; unchosen fields are recognised or remembered."""
    chosen = {name: _choice(f"io_map_{name}") for name in COLUMN_FIELDS}
    chosen |= {
        "date_format": _choice("io_date_format"),
        "decimal": _choice("io_decimal"),
        "positive_means": _choice("io_positive"),
    }
    return mapping_from(chosen)


def _upload(data: bytes, name: str) -> imports.Upload:
    source = str(st.session_state.get("io_source") or "").strip() or None
    return imports.Upload(data=data, filename=name, mapping=_mapping(), source=source)


def _preview(user_id: int, upload: imports.Upload) -> imports.ImportPreview | str:
    """The dry run, cached for this file and these choices; a file error as text."""
    key = (hashlib.sha256(upload.data).hexdigest(), upload.mapping, upload.source)
    cached = st.session_state.get(PREVIEW)
    if cached and cached[0] == key:
        return cast("imports.ImportPreview | str", cached[1])
    try:
        with user_work(user_id) as (session, user):
            found: imports.ImportPreview | str = imports.preview_import(
                session, user, upload, today_of(user_id)
            )
    except DomainError as exc:
        found = describe(exc)
    st.session_state[PREVIEW] = (key, found)
    return found


def _columns(upload: imports.Upload, preview: imports.ImportPreview | str) -> list[str]:
    if isinstance(preview, imports.ImportPreview):
        return [c for c in preview.columns if c]
    try:
        return [c for c in imports.peek_columns(upload) if c]
    except DomainError:
        return []


def _mapping_widgets(columns: list[str], preview: imports.ImportPreview | str) -> None:
    with st.expander("Column mapping", expanded=isinstance(preview, str)):
        if isinstance(preview, imports.ImportPreview):
            how = "remembered from an earlier file" if preview.remembered else "recognised"
            st.caption(f"Columns not chosen here are {how}; the mapping is saved on import.")
        cols = st.columns(4)
        for index, name in enumerate(COLUMN_FIELDS):
            cols[index % 4].selectbox(LABELS[name], [AUTO, *columns], key=f"io_map_{name}")
        cols = st.columns(4)
        cols[0].selectbox("Date format", [AUTO, *DATE_FORMATS], key="io_date_format")
        cols[1].selectbox("Decimal mark", [AUTO, ".", ","], key="io_decimal")
        cols[2].selectbox("A positive amount is", [AUTO, "income", "expense"], key="io_positive")
        cols[3].checkbox("Remember for next time", value=True, key="io_remember")


def _summary(preview: imports.ImportPreview) -> None:
    mapping = preview.mapping
    st.caption(
        f"{preview.kind.upper()} · {preview.encoding} · header on line {preview.header_line} · "
        f"source **{preview.source}** · dates {mapping.date_format} · decimal mark "
        f"'{mapping.decimal}'"
    )
    cols = st.columns(6)
    cols[0].metric("Rows", f"{preview.total_rows:,}")
    cols[1].metric("New", f"{preview.new_rows:,}")
    cols[2].metric("Already imported", f"{preview.duplicates:,}")
    cols[3].metric("Errors", f"{len(preview.errors):,}")
    cols[4].metric("Uncategorised", f"{preview.uncategorised:,}")
    cols[5].metric("Skipped lines", f"{len(preview.skipped):,}")


def _problems(preview: imports.ImportPreview) -> None:
    if preview.errors:
        count = len(preview.errors)
        st.error(
            f"{count:,} problem{'' if count == 1 else 's'} in the file: nothing can be imported "
            "until every line reads. Fix the file (or the mapping) and upload it again."
        )
        frame = pd.DataFrame(
            [e.__dict__ for e in preview.errors], columns=["line", "field", "message"]
        )
        st.dataframe(frame, hide_index=True, width="stretch", key="io_errors")
    if preview.warnings:
        with st.expander(f"{len(preview.warnings):,} warnings"):
            frame = pd.DataFrame([w.__dict__ for w in preview.warnings])
            st.dataframe(frame, hide_index=True, width="stretch")
    if preview.skipped:
        count = len(preview.skipped)
        with st.expander(f"{count:,} line{'' if count == 1 else 's'} skipped: not transactions"):
            st.caption("Titles, section headings, totals and repeated headers are not imported.")
            frame = pd.DataFrame(
                [s.__dict__ for s in preview.skipped], columns=["line", "reason", "text"]
            )
            st.dataframe(frame, hide_index=True, width="stretch", key="io_skipped")


def _rows_table(preview: imports.ImportPreview) -> None:
    records = [
        {
            "line": r.line,
            "date": r.date,
            "type": r.type,
            "amount": format_money(r.amount),
            "description": r.description,
            "category": r.category or "(uncategorised)",
            "already imported": r.duplicate,
        }
        for r in preview.rows[:PREVIEW_ROWS]
    ]
    st.dataframe(pd.DataFrame.from_records(records), hide_index=True, width="stretch")
    if len(preview.rows) > PREVIEW_ROWS:
        st.caption(f"The first {PREVIEW_ROWS} of {len(preview.rows):,} rows.")


def _commit(user_id: int, upload: imports.Upload) -> None:
    bar = st.progress(0.0, text="Importing…")

    def progress(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"Importing… {done:,} of {total:,} rows")

    try:
        with user_work(user_id) as (session, user):
            result = imports.commit_import(
                session,
                user,
                upload,
                today_of(user_id),
                remember=bool(st.session_state.get("io_remember", True)),
                progress=progress,
            )
    except DomainError as exc:
        bar.empty()
        st.error(describe(exc))
        return
    bar.progress(1.0, text="Done")
    st.session_state[RESULT] = result
    st.session_state.pop(PREVIEW, None)


def _result_message() -> None:
    result = st.session_state.get(RESULT)
    if isinstance(result, imports.ImportResult):
        st.success(
            f"Imported {result.imported:,} transactions from {result.source}; "
            f"{result.skipped:,} already imported were skipped; "
            f"{result.uncategorised:,} have no category yet (sort them out below); "
            f"{result.skipped_lines:,} lines that are not transactions were skipped."
        )


def _import_tab(user_id: int) -> None:
    st.write(
        "Upload a CSV or Excel export of your bank or card (UTF-8 or Windows-1255, at most "
        f"{UPLOAD_MB} MB or 100,000 rows), as the bank gives it: title lines, section "
        "headings and totals lines are skipped. Nothing is written until you press **Import**."
    )
    st.text_input(
        "Source (account or card)", key="io_source", placeholder="recognised from the file"
    )
    uploaded = st.file_uploader(
        "Bank or card file",
        type=["csv", "txt", "xlsx"],
        key="io_file",
        max_upload_size=UPLOAD_MB,
        help=f"CSV or Excel (.xlsx), at most {UPLOAD_MB} MB",
    )
    _result_message()
    if uploaded is None:
        return
    upload = _upload(uploaded.getvalue(), uploaded.name)
    preview = _preview(user_id, upload)
    _mapping_widgets(_columns(upload, preview), preview)
    if isinstance(preview, str):
        st.error(f"This file cannot be imported: {preview}")
        return
    _summary(preview)
    _problems(preview)
    _rows_table(preview)
    ready = not preview.errors and preview.new_rows > 0
    label = f"Import {preview.new_rows:,} transactions" if ready else "Import"
    if st.button(label, type="primary", disabled=not ready, key="io_commit"):
        _commit(user_id, upload)
        st.rerun()


def _uncategorised(user_id: int) -> None:
    with user_work(user_id) as (session, user):
        groups = category_rules.uncategorised_groups(session, user)
        active = categories.list_categories(session, user)
    if not groups:
        return
    names = {c.name: (c.id, c.type) for c in active}
    with st.expander(f"Sort out uncategorised transactions ({sum(g.count for g in groups):,})"):
        st.caption("Pick a category per description; it is also remembered for future imports.")
        frame = pd.DataFrame(
            [
                {
                    "description": g.example,
                    "type": g.type,
                    "count": g.count,
                    "total": format_money(g.total),
                    "category": None,
                }
                for g in groups
            ]
        )
        edited = st.data_editor(
            frame,
            key="io_uncategorised",
            hide_index=True,
            disabled=["description", "type", "count", "total"],
            column_config={
                "category": st.column_config.SelectboxColumn("Category", options=sorted(names))
            },
        )
        if st.button("Apply categories", key="io_apply_categories"):
            _apply(user_id, groups, edited, names)


def _apply(
    user_id: int,
    groups: list[category_rules.UncategorisedGroup],
    edited: pd.DataFrame,
    names: dict[str, tuple[int, str]],
) -> None:
    choices: dict[tuple[str, FlowType], int] = {}
    for group, picked in zip(groups, edited["category"], strict=True):
        if isinstance(picked, str) and picked in names:
            choices[(group.key, group.type)] = names[picked][0]
    try:
        with user_work(user_id) as (session, user):
            changed = category_rules.categorise_groups(session, user, choices)
    except DomainError as exc:
        st.error(describe(exc))
        return
    st.success(f"Categorised {changed:,} transactions.")


def _csv_bytes(user_id: int, start: date | None, end: date | None) -> bytes:
    spec = LedgerFilter(start=start, end=end + timedelta(days=1) if end else None)
    with user_work(user_id) as (session, user):
        return exports.export_transactions_csv(session, user, spec)


def _workbook_bytes(user_id: int, today: date) -> bytes:
    out = io.BytesIO()
    with user_work(user_id) as (session, user):
        exports.export_workbook(session, user, today, out)
    return out.getvalue()


def _report_bytes(user_id: int, month: date, today: date) -> bytes:
    with user_work(user_id) as (session, user):
        return reports.monthly_report_pdf(session, user, month, today)


def _months(today: date, count: int = 24) -> list[date]:
    months = [today.replace(day=1)]
    while len(months) < count:
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return months


def _export_tab(user_id: int) -> None:
    today = today_of(user_id)
    st.subheader("Transactions as CSV")
    cols = st.columns(2)
    start = cols[0].date_input("From (optional)", value=None, key="io_csv_from")
    end = cols[1].date_input("To (optional)", value=None, key="io_csv_to")
    st.download_button(
        "Download CSV",
        data=partial(_csv_bytes, user_id, start, end),
        file_name="cashflow-transactions.csv",
        mime="text/csv",
        on_click="ignore",
        key="io_dl_csv",
    )
    st.subheader("Everything as an Excel workbook")
    st.caption("Transactions, categories, fixed items, installments, loans and the forecast.")
    st.download_button(
        "Download workbook",
        data=partial(_workbook_bytes, user_id, today),
        file_name=f"cashflow-{today:%Y-%m-%d}.xlsx",
        mime=XLSX,
        on_click="ignore",
        key="io_dl_xlsx",
    )
    st.subheader("Monthly report (PDF)")
    month = st.selectbox(
        "Month", _months(today), format_func=lambda m: f"{m:%B %Y}", key="io_month"
    )
    st.download_button(
        "Download report",
        data=partial(_report_bytes, user_id, month, today),
        file_name=f"cashflow-report-{month:%Y-%m}.pdf",
        mime="application/pdf",
        on_click="ignore",
        key="io_dl_pdf",
    )


def import_export_page() -> None:
    """Render the page."""
    user_id = require_user_id()
    st.title("Import & export")
    tab_in, tab_out = st.tabs(["Import", "Export"])
    with tab_in:
        _import_tab(user_id)
        _uncategorised(user_id)
    with tab_out:
        _export_tab(user_id)
