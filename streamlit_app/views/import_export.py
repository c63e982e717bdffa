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
from domain.i18n import N_
from domain.rules.categories import FlowType
from domain.rules.dates import exclusive_end
from domain.rules.display import display_number
from domain.rules.import_files import MAX_BYTES
from domain.rules.import_mapping import COLUMN_FIELDS, ColumnMapping, mapping_from
from domain.rules.import_values import DATE_FORMATS
from domain.rules.ledger import LedgerFilter
from domain.services import accounts, categories, category_rules, exports, imports, reports
from streamlit_app.i18n import (
    DATE_FORMAT,
    _,
    language,
    n_,
    show_date,
    show_money,
    show_month,
    show_table,
    word,
)
from streamlit_app.session import require_household_id
from streamlit_app.views.forms import category_name, describe, household_work, today_of

AUTO = "(recognise)"  # a widget value; shown through _()
PREVIEW_ROWS = 500
PREVIEW = "io_preview"
RESULT = "io_result"
ACCOUNT = "io_account"
ACCOUNT_FILE = "io_account_file"
TRANSFER = "io_transfer_"  # one select per line of a card debit: "io_transfer_<line>"
KEEP = 0  # a card debit's select: kept as an expense
CARD_KINDS = ("credit_card", "debit_card")
LABELS = {
    "date": N_("Date"),
    "amount": N_("Amount (signed)"),
    "debit": N_("Debit (money out)"),
    "credit": N_("Credit (money in)"),
    "type": N_("Type (income/expense)"),
    "description": N_("Description"),
    "category": N_("Category"),
    "notes": N_("Notes"),
    "purchase": N_("Purchase amount (cards)"),
}
KIND_WORDS = {
    "bank": N_("bank account"),
    "savings": N_("savings"),
    "cash": N_("cash"),
    "credit_card": N_("credit card"),
    "debit_card": N_("debit card"),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The uploader's own limit (Streamlit's default is 200 MB) is the one the import enforces.
UPLOAD_MB = MAX_BYTES // (1024 * 1024)


def _count(value: int) -> str:
    return display_number(value, language())


def _auto(value: object) -> str:
    """Widget options: the automatic choice and codes in words, column names as they are."""
    return _("(recognise)") if value == AUTO else word(value)


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


def _transfers() -> dict[int, int]:
    """The card chosen for each card debit's line (the lines kept as expenses left out)."""
    chosen = {}
    for key, value in st.session_state.items():
        if str(key).startswith(TRANSFER) and isinstance(value, int) and value != KEEP:
            chosen[int(str(key).removeprefix(TRANSFER))] = value
    return chosen


def _upload(data: bytes, name: str, named: dict[int, tuple[str, str]]) -> imports.Upload:
    source = str(st.session_state.get("io_source") or "").strip() or None
    account = st.session_state.get(ACCOUNT)
    chosen = account if isinstance(account, int) else None
    # A card's own file pays no card: choices left from a bank account are not sent.
    into_card = chosen is not None and named.get(chosen, ("", ""))[1] in CARD_KINDS
    return imports.Upload(
        data=data,
        filename=name,
        mapping=_mapping(),
        source=source,
        account_id=chosen,
        transfers={} if into_card else _transfers(),
    )


def _new_file(data: bytes) -> None:
    """A file not seen before starts with its remembered account and no transfers chosen."""
    digest = hashlib.sha256(data).hexdigest()
    if st.session_state.get(ACCOUNT_FILE) == digest:
        return
    for key in [k for k in st.session_state if str(k).startswith(TRANSFER)]:
        del st.session_state[key]
    st.session_state.pop(ACCOUNT, None)
    st.session_state[ACCOUNT_FILE] = digest


def _preview(household_id: int, upload: imports.Upload) -> imports.ImportPreview | str:
    """The dry run, cached for this file and these choices; a file error as text."""
    choices = (upload.account_id, tuple(sorted(upload.transfers.items())))
    key = (hashlib.sha256(upload.data).hexdigest(), upload.mapping, upload.source, choices)
    cached = st.session_state.get(PREVIEW)
    if cached and cached[0] == key:
        return cast("imports.ImportPreview | str", cached[1])
    try:
        with household_work(household_id) as (session, household):
            found: imports.ImportPreview | str = imports.preview_import(
                session, household, upload, today_of(household_id)
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
    with st.expander(_("Column mapping"), expanded=isinstance(preview, str)):
        if isinstance(preview, imports.ImportPreview):
            st.caption(
                _(
                    "Columns not chosen here are remembered from an earlier file; "
                    "the mapping is saved on import."
                )
                if preview.remembered
                else _("Columns not chosen here are recognised; the mapping is saved on import.")
            )
        cols = st.columns(4)
        for index, name in enumerate(COLUMN_FIELDS):
            cols[index % 4].selectbox(
                _(LABELS[name]), [AUTO, *columns], key=f"io_map_{name}", format_func=_auto
            )
        cols = st.columns(4)
        cols[0].selectbox(
            _("Date format"), [AUTO, *DATE_FORMATS], key="io_date_format", format_func=_auto
        )
        cols[1].selectbox(_("Decimal mark"), [AUTO, ".", ","], key="io_decimal", format_func=_auto)
        cols[2].selectbox(
            _("A positive amount is"),
            [AUTO, "income", "expense"],
            key="io_positive",
            format_func=_auto,
        )
        cols[3].checkbox(_("Remember for next time"), value=True, key="io_remember")


def _open_accounts(household_id: int) -> dict[int, tuple[str, str]]:
    """The household's open accounts in their order: id to (name, kind)."""
    with household_work(household_id) as (session, household):
        return {a.id: (a.name, a.kind) for a in accounts.list_accounts(session, household)}


def _account_name(named: dict[int, tuple[str, str]], account_id: int) -> str:
    name, kind = named.get(account_id, ("", ""))
    return f"{name} ({_(KIND_WORDS[kind])})" if kind in KIND_WORDS else name


def _account_widget(
    named: dict[int, tuple[str, str]], preview: imports.ImportPreview | str
) -> None:
    """The account the file goes into: the remembered one (or the default) until changed."""
    if isinstance(preview, imports.ImportPreview) and st.session_state.get(ACCOUNT) not in named:
        st.session_state[ACCOUNT] = preview.account_id
    st.selectbox(
        _("Into the account"),
        list(named),
        key=ACCOUNT,
        format_func=partial(_account_name, named),
        help=_(
            "Remembered for files of this shape. In a card account a positive amount is a "
            "charge and a negative one a refund, unless you choose otherwise below."
        ),
    )


def _summary(preview: imports.ImportPreview) -> None:
    mapping = preview.mapping
    st.caption(
        _(
            "{kind} · {encoding} · header on line {line} · source **{source}** · "
            "dates {date_format} · decimal mark '{decimal}'"
        ).format(
            kind=preview.kind.upper(),
            encoding=preview.encoding,
            line=preview.header_line,
            source=preview.source,
            date_format=mapping.date_format,
            decimal=mapping.decimal,
        )
        + " · "
        + _("a positive amount is {flow}").format(flow=word(mapping.positive_means))
    )
    cols = st.columns(6)
    cols[0].metric(_("Rows"), _count(preview.total_rows))
    cols[1].metric(_("New"), _count(preview.new_rows))
    cols[2].metric(_("Already imported"), _count(preview.duplicates))
    cols[3].metric(_("Errors"), _count(len(preview.errors)))
    cols[4].metric(_("Uncategorised"), _count(preview.uncategorised))
    cols[5].metric(_("Skipped lines"), _count(len(preview.skipped)))


def _problems(preview: imports.ImportPreview) -> None:
    if preview.errors:
        count = len(preview.errors)
        st.error(
            n_(
                "{count} problem in the file: nothing can be imported until every line reads. "
                "Fix the file (or the mapping) and upload it again.",
                "{count} problems in the file: nothing can be imported until every line reads. "
                "Fix the file (or the mapping) and upload it again.",
                count,
            ).format(count=_count(count))
        )
        frame = pd.DataFrame(
            [e.__dict__ for e in preview.errors], columns=["line", "field", "message"]
        )
        show_table(frame, HEADERS, key="io_errors")
    if preview.warnings:
        count = len(preview.warnings)
        with st.expander(n_("{count} warning", "{count} warnings", count).format(count=count)):
            show_table(pd.DataFrame([w.__dict__ for w in preview.warnings]), HEADERS)
    if preview.skipped:
        count = len(preview.skipped)
        with st.expander(
            n_(
                "{count} line skipped: not transactions",
                "{count} lines skipped: not transactions",
                count,
            ).format(count=_count(count))
        ):
            st.caption(_("Titles, section headings, totals and repeated headers are not imported."))
            frame = pd.DataFrame(
                [s.__dict__ for s in preview.skipped], columns=["line", "reason", "text"]
            )
            show_table(frame, HEADERS, key="io_skipped")


def _card_lines(preview: imports.ImportPreview, named: dict[int, tuple[str, str]]) -> None:
    """Bank lines that are card charges: the matched ones said, a card picked for the rest."""
    if preview.matched:
        st.info(
            n_(
                "{count} line is a card charge already booked: it is matched to it, "
                "not added again.",
                "{count} lines are card charges already booked: they are matched to them, "
                "not added again.",
                preview.matched,
            ).format(count=_count(preview.matched))
        )
    offered = [r for r in preview.rows if r.card_ids and not r.duplicate and r.match is None]
    if not offered:
        return
    cards = [i for i, (_name, kind) in named.items() if kind in CARD_KINDS]
    with st.expander(
        _("Card debits without a booked charge ({count})").format(count=len(offered)), expanded=True
    ):
        st.caption(
            _(
                "These lines name a card, but no booked statement charge matches them. Pick "
                "the card a line paid to book it as a transfer to the card (not an expense), "
                "or keep it as an expense."
            )
        )
        for row in offered:
            first = [c for c in row.card_ids if c in cards]
            st.selectbox(
                _("Line {line}: {date} · {description} · {amount}").format(
                    line=row.line,
                    date=show_date(row.date),
                    description=row.description,
                    amount=show_money(row.amount),
                ),
                [KEEP, *first, *(c for c in cards if c not in first)],
                key=f"{TRANSFER}{row.line}",
                format_func=lambda c: (
                    _("Keep as an expense")
                    if c == KEEP
                    else _("Transfer to {card}").format(card=_account_name(named, c))
                ),
            )


def _card_charge(row: imports.PreviewRow, named: dict[int, tuple[str, str]]) -> str:
    if row.match is not None:
        return _("charge of {card} on {date}").format(
            card=row.match.card, date=show_date(row.match.date)
        )
    if row.transfer_to is not None:
        return _("transfer to {card}").format(card=_account_name(named, row.transfer_to))
    return ""


HEADERS = {
    "line": N_("line"),
    "field": N_("field"),
    "message": N_("message"),
    "reason": N_("reason"),
    "text": N_("text"),
    "date": N_("date"),
    "type": N_("type"),
    "amount": N_("amount"),
    "description": N_("description"),
    "category": N_("category"),
    "already imported": N_("already imported"),
    "card": N_("card charge"),
    "count": N_("count"),
    "total": N_("total"),
}


def _rows_table(preview: imports.ImportPreview, named: dict[int, tuple[str, str]]) -> None:
    cards = preview.matched or preview.transfers
    records = [
        {
            "line": r.line,
            "date": show_date(r.date),
            "type": word(r.type),
            "amount": show_money(r.amount),
            "description": r.description,
            "category": r.category or _("(uncategorised)"),
            "already imported": r.duplicate,
            **({"card": _card_charge(r, named)} if cards else {}),
        }
        for r in preview.rows[:PREVIEW_ROWS]
    ]
    show_table(pd.DataFrame.from_records(records), HEADERS)
    if len(preview.rows) > PREVIEW_ROWS:
        st.caption(
            _("The first {shown} of {total} rows.").format(
                shown=PREVIEW_ROWS, total=_count(len(preview.rows))
            )
        )


def _commit(household_id: int, upload: imports.Upload) -> None:
    bar = st.progress(0.0, text=_("Importing…"))

    def progress(done: int, total: int) -> None:
        text = _("Importing… {done} of {total} rows").format(done=_count(done), total=_count(total))
        bar.progress(done / total if total else 1.0, text=text)

    try:
        with household_work(household_id) as (session, household):
            result = imports.commit_import(
                session,
                household,
                upload,
                today_of(household_id),
                remember=bool(st.session_state.get("io_remember", True)),
                progress=progress,
            )
    except DomainError as exc:
        bar.empty()
        st.error(describe(exc))
        return
    bar.progress(1.0, text=_("Done"))
    st.session_state[RESULT] = result
    st.session_state.pop(PREVIEW, None)


def _result_message() -> None:
    result = st.session_state.get(RESULT)
    if isinstance(result, imports.ImportResult):
        st.success(
            _(
                "Imported {imported} transactions from {source}; {skipped} already imported "
                "were skipped; {uncategorised} have no category yet (sort them out below); "
                "{lines} lines that are not transactions were skipped."
            ).format(
                imported=_count(result.imported),
                source=result.source,
                skipped=_count(result.skipped),
                uncategorised=_count(result.uncategorised),
                lines=_count(result.skipped_lines),
            )
        )
        if result.matched or result.transfers:
            st.success(
                _(
                    "{matched} card charges were matched to their booked charge; "
                    "{transfers} lines were booked as transfers to a card."
                ).format(matched=_count(result.matched), transfers=_count(result.transfers))
            )


def _import_tab(household_id: int) -> None:
    st.write(
        _(
            "Upload a CSV or Excel export of your bank or card (UTF-8 or Windows-1255, at most "
            "{mb} MB or 100,000 rows), as the bank gives it: title lines, section headings and "
            "totals lines are skipped. Nothing is written until you press **Import**."
        ).format(mb=UPLOAD_MB)
    )
    st.text_input(
        _("Source (account or card)"), key="io_source", placeholder=_("recognised from the file")
    )
    uploaded = st.file_uploader(
        _("Bank or card file"),
        type=["csv", "txt", "xlsx"],
        key="io_file",
        max_upload_size=UPLOAD_MB,
        help=_("CSV or Excel (.xlsx), at most {mb} MB").format(mb=UPLOAD_MB),
    )
    _result_message()
    if uploaded is None:
        return
    _new_file(uploaded.getvalue())
    named = _open_accounts(household_id)
    upload = _upload(uploaded.getvalue(), uploaded.name, named)
    preview = _preview(household_id, upload)
    _account_widget(named, preview)
    _mapping_widgets(_columns(upload, preview), preview)
    if isinstance(preview, str):
        st.error(_("This file cannot be imported: {reason}").format(reason=preview))
        return
    _summary(preview)
    _problems(preview)
    _card_lines(preview, named)
    _rows_table(preview, named)
    ready = not preview.errors and preview.new_rows + preview.matched > 0
    label = (
        _("Import {count} transactions").format(count=_count(preview.new_rows))
        if ready
        else _("Import")
    )
    if st.button(label, type="primary", disabled=not ready, key="io_commit"):
        _commit(household_id, upload)
        st.rerun()


def _uncategorised(household_id: int) -> None:
    with household_work(household_id) as (session, household):
        groups = category_rules.uncategorised_groups(session, household)
        active = categories.list_categories(session, household)
    if not groups:
        return
    names = {category_name(c): (c.id, c.type) for c in active}
    total = _count(sum(g.count for g in groups))
    with st.expander(_("Sort out uncategorised transactions ({count})").format(count=total)):
        st.caption(_("Pick a category per description; it is also remembered for future imports."))
        frame = pd.DataFrame(
            [
                {
                    "description": g.example,
                    "type": word(g.type),
                    "count": g.count,
                    "total": show_money(g.total),
                    "category": None,
                }
                for g in groups
            ]
        )
        order = list(frame.columns)
        edited = st.data_editor(
            frame,
            key="io_uncategorised",
            hide_index=True,
            disabled=["description", "type", "count", "total"],
            column_order=list(reversed(order)) if language() == "he" else order,
            column_config={
                **{name: _(HEADERS[name]) for name in order if name != "category"},
                "category": st.column_config.SelectboxColumn(_("Category"), options=sorted(names)),
            },
        )
        if st.button(_("Apply categories"), key="io_apply_categories"):
            _apply(household_id, groups, edited, names)


def _apply(
    household_id: int,
    groups: list[category_rules.UncategorisedGroup],
    edited: pd.DataFrame,
    names: dict[str, tuple[int, str]],
) -> None:
    choices: dict[tuple[str, FlowType], int] = {}
    for group, picked in zip(groups, edited["category"], strict=True):
        if isinstance(picked, str) and picked in names:
            choices[(group.key, group.type)] = names[picked][0]
    try:
        with household_work(household_id) as (session, household):
            changed = category_rules.categorise_groups(session, household, choices)
    except DomainError as exc:
        st.error(describe(exc))
        return
    st.success(_("Categorised {count} transactions.").format(count=_count(changed)))


def _csv_bytes(household_id: int, start: date | None, end: date | None) -> bytes:
    spec = LedgerFilter(start=start, end=exclusive_end(end))
    with household_work(household_id) as (session, household):
        return exports.export_transactions_csv(session, household, spec, language=language())


def _workbook_bytes(household_id: int, today: date) -> bytes:
    out = io.BytesIO()
    with household_work(household_id) as (session, household):
        exports.export_workbook(session, household, today, out, language=language())
    return out.getvalue()


def _report_bytes(household_id: int, month: date, today: date) -> bytes:
    with household_work(household_id) as (session, household):
        return reports.monthly_report_pdf(session, household, month, today, language=language())


def _months(today: date, count: int = 24) -> list[date]:
    months = [today.replace(day=1)]
    while len(months) < count:
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return months


def _export_tab(household_id: int) -> None:
    today = today_of(household_id)
    st.subheader(_("Transactions as CSV"))
    cols = st.columns(2)
    start = cols[0].date_input(
        _("From (optional)"), value=None, key="io_csv_from", format=DATE_FORMAT
    )
    end = cols[1].date_input(_("To (optional)"), value=None, key="io_csv_to", format=DATE_FORMAT)
    st.download_button(
        _("Download CSV"),
        data=partial(_csv_bytes, household_id, start, end),
        file_name="cashflow-transactions.csv",
        mime="text/csv",
        on_click="ignore",
        key="io_dl_csv",
    )
    st.subheader(_("Everything as an Excel workbook"))
    st.caption(_("Transactions, categories, fixed items, installments, loans and the forecast."))
    st.download_button(
        _("Download workbook"),
        data=partial(_workbook_bytes, household_id, today),
        file_name=f"cashflow-{today:%Y-%m-%d}.xlsx",
        mime=XLSX,
        on_click="ignore",
        key="io_dl_xlsx",
    )
    st.subheader(_("Monthly report (PDF)"))
    month = st.selectbox(_("Month"), _months(today), format_func=show_month, key="io_month")
    st.download_button(
        _("Download report"),
        data=partial(_report_bytes, household_id, month, today),
        file_name=f"cashflow-report-{month:%Y-%m}.pdf",
        mime="application/pdf",
        on_click="ignore",
        key="io_dl_pdf",
    )


def import_export_page() -> None:
    """Render the page."""
    household_id = require_household_id()
    st.title(_("Import & export"))
    tab_in, tab_out = st.tabs([_("Import"), _("Export")])
    with tab_in:
        _import_tab(household_id)
        _uncategorised(household_id)
    with tab_out:
        _export_tab(household_id)
