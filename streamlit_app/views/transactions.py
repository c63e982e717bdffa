"""The ledger page: filters, totals, a server-paged editable grid and an add form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pandas as pd
import streamlit as st

from domain.errors import DomainError, InvalidInputError
from domain.i18n import N_
from domain.rules.categories import FlowType
from domain.rules.dates import exclusive_end, local_today
from domain.rules.display import display_number
from domain.rules.ledger import LedgerFilter, TransactionDraft
from domain.services import categories, transactions
from streamlit_app.db import transaction
from streamlit_app.i18n import (
    DATE_FORMAT,
    _,
    currency,
    keyed,
    language,
    n_,
    select_code,
    show_date,
    show_money,
    word,
)
from streamlit_app.session import load_household, may_write, require_household_id
from streamlit_app.views.forms import (
    NO_CATEGORY,
    AccountChoice,
    account_choices,
    account_filter,
    category_name,
    describe,
    money,
    open_accounts,
)
from streamlit_app.views.grid import editable_grid, messages

VIEWER_NOTE = N_("You are a viewer in this household: you can look, not change.")

PAGE_SIZE = 50
# The account after the description: on a phone the first screen holds the date, the
# type, the category and the amount.
COLUMNS = [
    "date",
    "type",
    "category",
    "amount",
    "description",
    "account",
    "notes",
    "issue",
    "original",
]
ERRORS = "ledger_errors"
FRESH = "ledger_fresh"
UNDO = "ledger_undo"
ADDED = "ledger_add_note"
FLOWS = ["all", "expense", "income"]
# A new grid row is saved only once these cells are filled.
REQUIRED = ("date", "type", "amount", "description")
# What the add form clears after a save (date, type and category stay for the next one).
TYPED = (
    "add_amount",
    "add_description",
    "add_original_amount",
    "add_original_currency",
    "add_notes",
)
HIDDEN_NOTE = N_(
    "Saved. It does not match the current filter and leaves the list at the next search."
)


@dataclass(frozen=True)
class CategoryChoices:
    """Category and account labels for pickers (active, open) and for display (all)."""

    active: dict[str, int]
    label_of: dict[int, str]
    today: date
    accounts: tuple[AccountChoice, ...] = ()

    @property
    def open_accounts(self) -> dict[str, int]:
        """The open accounts by label."""
        return open_accounts(list(self.accounts))

    @property
    def several_accounts(self) -> bool:
        """Whether the household has more than one account (else no account column)."""
        return len(self.accounts) > 1

    def account_label(self, account_id: int) -> str:
        """An account's label (archived ones say so)."""
        return next((c.label for c in self.accounts if c.id == account_id), "")

    def default_label(self) -> str | None:
        """The default account's label."""
        return next((c.label for c in self.accounts if c.is_default), None)


def _choices(household_id: int) -> CategoryChoices:
    with transaction() as session:
        household = load_household(session, household_id)
        every = categories.list_categories(session, household, include_archived=True)
        today = local_today(datetime.now(UTC), household.timezone)
    archived = _("{name} (archived)")
    label_of = {
        c.id: category_name(c) if c.archived_at is None else archived.format(name=category_name(c))
        for c in every
    }
    active = {category_name(c): c.id for c in every if c.archived_at is None}
    return CategoryChoices(active, label_of, today, tuple(account_choices(household_id)))


def _filters(choices: CategoryChoices) -> LedgerFilter:
    today = choices.today
    # Every label whole at 1400 px: the date range needs its width, and the toggle sits
    # under the search box rather than in a column of its own.
    cols = st.columns([4, 3, 2, 4])
    picked = cols[0].date_input(
        _("Dates"),
        value=(today - timedelta(days=90), today),
        key="f_dates",
        format=DATE_FORMAT,
    )
    names = cols[1].multiselect(
        _("Categories"),
        sorted(choices.active),
        key="f_categories",
        placeholder=_("All categories"),
    )
    flow = select_code(cols[2], _("Type"), FLOWS, key="f_type")
    account_id = (
        account_filter(cols[2], list(choices.accounts), key="f_account")
        if choices.several_accounts
        else None
    )
    text = cols[3].text_input(_("Search description and notes"), key="f_text")
    bare = cols[3].toggle(
        _("Uncategorised"), key="f_uncategorised", help=_("rows with no category")
    )
    start, end = (picked[0], picked[-1]) if isinstance(picked, tuple) and picked else (None, None)
    return LedgerFilter(
        start=start,
        end=exclusive_end(end),
        category_ids=tuple(choices.active[name] for name in names),
        type=None if flow == "all" else cast("FlowType", flow),
        text=text.strip() or None,
        uncategorised=bare,
        account_id=account_id,
    )


def _original(row: Any) -> str:
    """The foreign amount paid beside the charge, or the row's currency when not the base."""
    if row.original_amount is not None:
        return show_money(row.original_amount, row.original_currency)
    return "" if row.currency == currency() else str(row.currency)


def _frame(rows: Any, choices: CategoryChoices, errors: Mapping[int, str]) -> pd.DataFrame:
    records = [
        {
            "date": row.date,
            "account": choices.account_label(row.account_id),
            "type": row.type,
            "category": choices.label_of.get(row.category_id, _(NO_CATEGORY))
            if row.category_id
            else _(NO_CATEGORY),
            "amount": display_number(row.amount, language(), places=2),
            "description": row.description,
            "notes": row.notes,
            "issue": errors.get(row.id, ""),
            "original": _original(row),
        }
        for row in rows
    ]
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    if not choices.several_accounts:  # one account: nothing to tell apart
        frame = frame.drop(columns="account")
    # Only a page with a foreign amount on it gives the column room.
    return frame if frame["original"].astype(bool).any() else frame.drop(columns="original")


def _column_config(choices: CategoryChoices) -> dict[str, Any]:
    labels = [_(NO_CATEGORY), *sorted(choices.active)]
    return {
        "date": st.column_config.DateColumn(
            _("Date"), required=True, format=DATE_FORMAT, default=choices.today
        ),
        "account": st.column_config.SelectboxColumn(
            _("Account"),
            options=list(choices.open_accounts),
            required=True,
            default=choices.default_label(),
        ),
        "type": st.column_config.SelectboxColumn(
            _("Type"),
            options=["expense", "income"],
            required=True,
            format_func=word,
            default="expense",
        ),
        "category": st.column_config.SelectboxColumn(_("Category"), options=labels),
        "amount": st.column_config.TextColumn(
            _("Amount"),
            required=True,
            help=_("A positive amount such as 1,234.50"),
            max_chars=20,
        ),
        "description": st.column_config.TextColumn(_("Description"), max_chars=500),
        "notes": st.column_config.TextColumn(_("Notes"), max_chars=2000),
        "issue": st.column_config.TextColumn(_("Issue"), disabled=True, width="medium"),
        "original": st.column_config.TextColumn(
            _("Original"), disabled=True, help=_("What was paid in a foreign currency")
        ),
    }


def _cell_changes(change: dict[str, Any], choices: CategoryChoices) -> dict[str, Any]:
    """Grid values to service fields: amounts parsed exactly, labels to ids."""
    out: dict[str, Any] = {}
    for column, value in change.items():
        if column == "amount":
            out["amount"] = money(str(value or ""), "amount")
        elif column == "date":
            if not value:
                raise InvalidInputError("date", "is required")
            out["date"] = date.fromisoformat(str(value)[:10])
        elif column == "category":
            out["category_id"] = choices.active.get(str(value)) if value else None
            if value and value != _(NO_CATEGORY) and out["category_id"] is None:
                raise InvalidInputError("category_id", "pick an active category")
        elif column == "account" and value:  # left empty: the default account
            out["account_id"] = choices.open_accounts.get(str(value))
            if out["account_id"] is None:
                raise InvalidInputError("account_id", "pick an open account")
        elif column in {"type", "description", "notes"}:
            out[column] = value if value is not None else ""
    return out


def _apply_edits(
    household_id: int, ids: list[int], edits: dict[Any, Any], choices: CategoryChoices
) -> dict[int, str]:
    """Save each edited row in its own unit of work; return the refused ones' messages."""
    errors: dict[int, str] = {}
    for position, change in edits.items():
        tx_id = ids[int(position)]
        try:
            with transaction() as session:
                household = load_household(session, household_id)
                transactions.update_transaction(
                    session, household, tx_id, _cell_changes(change, choices)
                )
        except DomainError as exc:
            errors[tx_id] = describe(exc)
    return errors


def _incomplete(row: Mapping[str, Any]) -> bool:
    return any(not str(row.get(column) or "").strip() for column in REQUIRED)


def _waiting(changes: Mapping[str, Any]) -> str | None:
    """Why the grid holds its changes: a new row without a date, type, amount or description."""
    if any(_incomplete(row) for row in changes.get("added_rows") or []):
        return _(
            "A new row is saved once it has a date, type, amount and description; "
            "other changes are saved with it."
        )
    return None


def _apply_additions(
    household_id: int, added: list[dict[str, Any]], choices: CategoryChoices
) -> tuple[list[str], list[int]]:
    """Record each complete new row in its own unit of work; return problems and new ids."""
    problems, created = [], []
    for index, row in enumerate(added, start=1):
        try:
            fields = _cell_changes({k: v for k, v in row.items() if k != "issue"}, choices)
            with transaction() as session:
                household = load_household(session, household_id)
                flow = cast("FlowType", fields.pop("type", None) or "expense")
                draft = TransactionDraft(type=flow, **fields)
                created.append(transactions.record_transaction(session, household, draft).id)
        except DomainError as exc:
            problems.append(
                _("New row {index}: {problem}").format(index=index, problem=describe(exc))
            )
    return problems, created


def _snapshot(row: Any) -> tuple[TransactionDraft, str]:
    """A row as the service records it again, with where it came from."""
    values = {f.name: getattr(row, f.name) for f in fields(TransactionDraft)}
    return TransactionDraft(**values), str(row.source)


def _apply_deletions(household_id: int, ids: list[int], deleted: list[int]) -> None:
    """Delete the rows in one unit of work; keep them as they were for Undo."""
    targets = [ids[int(i)] for i in deleted]
    with transaction() as session:
        household = load_household(session, household_id)
        kept = [_snapshot(transactions.get_transaction(session, household, i)) for i in targets]
        transactions.bulk_delete(session, household, targets)
    st.session_state[UNDO] = kept


def _save_grid(
    household_id: int,
    ids: list[int],
    changes: dict[str, Any],
    choices: CategoryChoices,
    spec: LedgerFilter,
) -> list[str]:
    """Turn the editor's changes into service calls; refused edits go beside their rows."""
    st.session_state[ERRORS] = _apply_edits(
        household_id, ids, changes.get("edited_rows", {}), choices
    )
    problems, created = _apply_additions(household_id, changes.get("added_rows", []), choices)
    if created:
        earlier = st.session_state.get(FRESH)
        kept = earlier[1] if earlier and earlier[0] == spec else []
        st.session_state[FRESH] = (spec, [*kept, *created])
    if changes.get("deleted_rows"):
        try:
            _apply_deletions(household_id, ids, changes["deleted_rows"])
        except DomainError as exc:
            problems.append(describe(exc))
    return problems


def _undo(household_id: int) -> None:
    """Record the last deleted rows again, as they were, in one unit of work."""
    kept: list[tuple[TransactionDraft, str]] = st.session_state.get(UNDO, [])
    try:
        with transaction() as session:
            household = load_household(session, household_id)
            for draft, source in kept:
                transactions.record_transaction(session, household, draft, source=source)
    except DomainError as exc:
        st.session_state[ADDED] = ("error", describe(exc))
        return
    st.session_state.pop(UNDO, None)
    st.session_state[ADDED] = (
        "success",
        n_("Restored {count} row.", "Restored {count} rows.", len(kept)).format(count=len(kept)),
    )


def _undo_offer(household_id: int) -> None:
    kept = st.session_state.get(UNDO)
    if not kept:
        return
    cols = st.columns([3, 1])
    cols[0].info(
        n_("Deleted {count} row.", "Deleted {count} rows.", len(kept)).format(count=len(kept))
    )
    cols[1].button(_("Undo delete"), key="ledger_undo_button", on_click=lambda: _undo(household_id))


def _typed(key: str) -> str:
    return str(st.session_state.get(key) or "")


def _record_from_form(household_id: int, choices: CategoryChoices) -> None:
    """The add form's press: record, then clear what was typed; on refusal keep all of it."""
    state = st.session_state
    words = {word(code): code for code in FLOWS[1:]}
    flow = words.get(state.get(keyed("add_type")) or "", "expense")
    try:
        paid = _typed("add_original_amount")
        draft = TransactionDraft(
            date=state.get("add_date") or choices.today,
            type=cast("FlowType", flow),
            description=_typed("add_description"),
            notes=_typed("add_notes"),
            original_amount=money(paid, "original_amount") if paid.strip() else None,
            original_currency=_typed("add_original_currency").strip().upper() or None,
            account_id=state.get("add_account") if choices.several_accounts else None,
            **_cell_changes(
                {"amount": _typed("add_amount"), "category": state.get("add_cat")}, choices
            ),
        )
        with transaction() as session:
            transactions.record_transaction(session, load_household(session, household_id), draft)
    except DomainError as exc:
        state[ADDED] = ("error", describe(exc))
        return
    for key in TYPED:
        state[key] = ""
    state[ADDED] = (
        "success",
        _("Added {amount} on {date}.").format(
            amount=show_money(draft.amount), date=show_date(draft.date)
        ),
    )


def _account_picker(container: Any, choices: CategoryChoices) -> None:
    """The add form's account: an open account by label, kept as its id in `add_account`."""
    shown = [c for c in choices.accounts if not c.archived]
    ids = [c.id for c in shown]
    labels = {c.id: c.label for c in shown}
    if st.session_state.get("add_account") not in ids:
        st.session_state["add_account"] = next((c.id for c in shown if c.is_default), ids[0])
    container.selectbox(_("Account"), ids, format_func=labels.__getitem__, key="add_account")


def _add_form(household_id: int, choices: CategoryChoices) -> None:
    note = st.session_state.pop(ADDED, None)
    adding = st.expander(_("Add a transaction"), expanded=note is not None and note[0] == "error")
    with adding, st.form("add_tx"):
        cols = st.columns([1, 1, 2, 1])
        cols[0].date_input(_("Date"), value=choices.today, key="add_date", format=DATE_FORMAT)
        select_code(cols[1], _("Type"), FLOWS[1:], key="add_type")
        cols[2].selectbox(_("Category"), [_(NO_CATEGORY), *sorted(choices.active)], key="add_cat")
        cols[3].text_input(_("Amount"), key="add_amount", placeholder="0.00")
        # A foreign purchase: what was paid, beside the description (the form keeps its height).
        cols = st.columns([3, 1, 1])
        cols[0].text_input(_("Description"), key="add_description", max_chars=500)
        cols[1].text_input(_("Original amount"), key="add_original_amount", placeholder="0.00")
        cols[2].text_input(_("Original currency"), key="add_original_currency", max_chars=3)
        last: list[Any] = st.columns([2, 1]) if choices.several_accounts else [st]
        last[0].text_input(_("Notes"), key="add_notes", max_chars=2000)
        if choices.several_accounts:
            _account_picker(last[1], choices)
        st.form_submit_button(
            _("Add"),
            type="primary",
            on_click=lambda: _record_from_form(household_id, choices),
        )
    if note is not None:
        (st.error if note[0] == "error" else st.success)(note[1])


def _totals(household_id: int, spec: LedgerFilter) -> int:
    """Show the filter's totals; return its row count."""
    with transaction() as session:
        totals = transactions.ledger_totals(session, load_household(session, household_id), spec)
    cols = st.columns(4)
    cols[0].metric(_("Income"), show_money(totals.income))
    cols[1].metric(_("Expenses"), show_money(totals.expense))
    cols[2].metric(_("Net"), show_money(totals.net))
    cols[3].metric(_("Transactions"), display_number(totals.count, language()))
    return totals.count


def _pager(total: int) -> int:
    pages = max(1, -(-total // PAGE_SIZE))
    cols = st.columns([1, 3])
    page = cols[0].number_input(_("Page"), min_value=1, max_value=pages, value=1, key="ledger_page")
    cols[1].caption(
        _("{total} transactions · page {page} of {pages} · {size} per page").format(
            total=display_number(total, language()), page=page, pages=pages, size=PAGE_SIZE
        )
    )
    return int(page)


def _fresh_rows(household_id: int, spec: LedgerFilter, shown: list[int]) -> list[Any]:
    """Rows added here that the filter hides: they stay in view until the next search."""
    fresh = st.session_state.get(FRESH)
    if not fresh or fresh[0] != spec:
        st.session_state.pop(FRESH, None)
        return []
    found = []
    with transaction() as session:
        household = load_household(session, household_id)
        for tx_id in fresh[1]:
            if tx_id in shown:
                continue
            try:
                found.append(transactions.get_transaction(session, household, tx_id))
            except DomainError:
                continue  # deleted since
    return found


def transactions_page() -> None:
    """Render the ledger."""
    household_id = require_household_id()
    st.title(_("Transactions"))
    choices = _choices(household_id)
    writable = may_write()
    if writable:
        _add_form(household_id, choices)
    else:
        st.info(_(VIEWER_NOTE))
    spec = _filters(choices)
    page = _pager(_totals(household_id, spec))
    with transaction() as session:
        household = load_household(session, household_id)
        rows = list(
            transactions.list_transactions(
                session, household, spec, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
            ).rows
        )
    hidden = _fresh_rows(household_id, spec, [row.id for row in rows])
    for problem in messages("ledger"):
        st.error(problem)
    errors: dict[int, str] = st.session_state.get(ERRORS, {})
    if errors:
        st.error(_("Some edits were refused; see the Issue column. Nothing else was changed."))
    if hidden:
        st.caption(_(HIDDEN_NOTE))
    if writable:
        _undo_offer(household_id)
    notes = {**{row.id: _(HIDDEN_NOTE) for row in hidden}, **errors}
    ids = [row.id for row in [*rows, *hidden]]
    editable_grid(
        _frame([*rows, *hidden], choices, notes),
        name="ledger",
        column_config=_column_config(choices),
        num_rows="dynamic",
        save=lambda changes: _save_grid(household_id, ids, changes, choices, spec),
        waiting=_waiting,
        confirm_deletes=True,
    )
