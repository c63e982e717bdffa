"""Importing a bank or card export: a dry run that shows everything, then an all-or-nothing commit.

Both read the file the same way; lines that are not transactions (titles, section headings,
totals, footers) are skipped with their reason and never block a commit. Every import goes
into an account (the one chosen, else the one remembered for files of this shape, else the
default). In a card account a positive amount is a charge. In a bank account a line that is
a card's booked statement charge is matched to it instead of added, and a line naming a card
may be booked as a transfer to a card the user picks. A commit writes in the caller's unit
of work only: the batch, every new row with its at-most-once key (matched rows and transfers
keep theirs too), the remembered mapping and the learned category rules land together or not
at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from sqlalchemy.orm import Session

from domain.db import imports as store
from domain.db.card_bookings import claim_charge
from domain.db.cards import CARD_KINDS, cycle_of, household_accounts
from domain.db.models import Account, Household, ImportBatch, Transfer
from domain.errors import InvalidInputError
from domain.rules.cards import statement_charged_near
from domain.rules.categories import FlowType
from domain.rules.import_categories import Assignment, CategoryBook, learned_rules
from domain.rules.import_files import HEADER_SEARCH_ROWS, FileKind, RawTable, read_table
from domain.rules.import_mapping import (
    SOURCE_MAX,
    ColumnMapping,
    Layout,
    default_source,
    header_names,
    locate_header,
    looks_like_data,
    mapping_from,
    positive_flow,
)
from domain.rules.import_matching import (
    MATCH_DAYS,
    BookedCharge,
    Card,
    card_debits,
    match_charges,
)
from domain.rules.import_rows import ImportRow, LineError, SkippedLine, keyed, parse_rows
from domain.rules.import_values import check_storable
from domain.services.accounts import check_account_for
from domain.services.transfers import TransferDraft, record_transfer

CHUNK_ROWS = 5000
FILENAME_MAX = 255
SHOWN_ERRORS = 5
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Upload:
    """A file to import and the choices that come with it (all optional)."""

    data: bytes
    filename: str = ""
    mapping: ColumnMapping = field(default_factory=ColumnMapping)
    source: str | None = None
    sheet: str | None = None
    delimiter: str | None = None
    account_id: int | None = None
    # Line of the file to the card account its money out is paid to, as a transfer.
    transfers: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ChargeMatch:
    """The booked statement charge a bank line is: the card, the transfer, its close."""

    transfer_id: int
    card_id: int
    card: str
    date: dt.date
    amount: Decimal
    statement_close: dt.date | None


@dataclass(frozen=True)
class PreviewRow:
    """A row as it would be imported.

    `match` is the card charge it is (nothing is added); `card_ids` the cards a line of
    money out names, offered as a transfer; `transfer_to` the card chosen for it.
    """

    line: int
    date: date
    amount: Decimal
    type: FlowType
    description: str
    notes: str
    category_id: int | None
    category: str
    duplicate: bool
    match: ChargeMatch | None = None
    card_ids: tuple[int, ...] = ()
    transfer_to: int | None = None


@dataclass(frozen=True)
class ImportPreview:
    """What a commit of this file would do, and every problem it has, by line."""

    filename: str
    kind: FileKind
    encoding: str
    sheet: str
    delimiter: str
    source: str
    header_line: int
    columns: tuple[str, ...]
    mapping: ColumnMapping
    remembered: bool
    total_rows: int
    rows: tuple[PreviewRow, ...]
    errors: tuple[LineError, ...]
    warnings: tuple[LineError, ...]
    duplicates: int
    uncategorised: int
    skipped: tuple[SkippedLine, ...] = ()
    account_id: int = 0
    account: str = ""
    account_kind: str = "bank"
    matched: int = 0
    card_debits: int = 0
    transfers: int = 0

    @property
    def new_rows(self) -> int:
        """Rows a commit would book, transactions and transfers (none while there are errors)."""
        return 0 if self.errors else len(self.rows) - self.duplicates - self.matched


@dataclass(frozen=True)
class ImportResult:
    """What a commit did."""

    batch_id: int
    source: str
    total_rows: int
    imported: int
    skipped: int
    uncategorised: int
    skipped_lines: int = 0
    account_id: int = 0
    matched: int = 0
    transfers: int = 0


class ImportRejectedError(InvalidInputError):
    """A file with errors on some lines: nothing is imported; `errors` lists them all."""

    def __init__(self, errors: Sequence[LineError]) -> None:
        shown = "; ".join(f"line {e.line}: {e.field}: {e.message}" for e in errors[:SHOWN_ERRORS])
        more = f" (and {len(errors) - SHOWN_ERRORS} more)" if len(errors) > SHOWN_ERRORS else ""
        count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
        super().__init__(
            errors[0].field,
            f"{count}; nothing was imported. {shown}{more}",
            index=errors[0].line,
        )
        self.errors = tuple(errors)


@dataclass(frozen=True)
class _Analysis:
    table: RawTable
    layout: Layout  # as chosen and remembered: what the profile keeps
    reading: Layout  # as the rows were read: the sign convention decided
    source: str
    remembered: bool
    account: Account
    cards: tuple[Account, ...]
    rows: tuple[ImportRow, ...]
    errors: tuple[LineError, ...]
    total: int
    skipped: tuple[SkippedLine, ...]
    assignments: tuple[Assignment, ...]
    keys: list[tuple[str, int]]
    legacy_keys: list[tuple[str, int]]
    book: CategoryBook


@dataclass(frozen=True)
class _Plan:
    """What becomes of each row (by index) besides a new transaction."""

    duplicates: frozenset[int]
    matches: dict[int, ChargeMatch]
    offered: dict[int, tuple[int, ...]]
    transfers: dict[int, int]

    def books(self, index: int) -> bool:
        """Whether the row is booked as a new transaction."""
        return not (index in self.duplicates or index in self.matches or index in self.transfers)


def _source(upload: Upload, remembered: str | None, layout: Layout) -> str:
    check_storable("source", upload.source)
    if upload.source is None or not upload.source.strip():
        return remembered or default_source(layout.header)
    name = " ".join(upload.source.split())
    if len(name) > SOURCE_MAX:
        raise InvalidInputError("source", f"at most {SOURCE_MAX} characters")
    return name


def _remembered_mapping(stored: Mapping[str, Any]) -> ColumnMapping:
    """A stored mapping; before accounts, "income" was stored for every unchosen sign."""
    values = dict(stored)
    if "account_id" not in values and values.get("positive_means") == "income":
        values.pop("positive_means")
    return mapping_from(values)


def _account(
    session: Session, household: Household, chosen: int | None, remembered: object
) -> tuple[Account, tuple[Account, ...]]:
    """The account the file goes into, and the household's cards (archived ones too)."""
    every = household_accounts(session, household.id)
    cards = tuple(a for a in every if a.kind in CARD_KINDS)
    if chosen is not None:
        return check_account_for(session, household, chosen), cards
    for account in every:
        if account.id == remembered and account.archived_at is None:
            return account, cards
    return next(a for a in every if a.is_default), cards


def _analyse(session: Session, household: Household, upload: Upload, today: date) -> _Analysis:
    """Read, map and parse the file; assign categories and keys. Writes nothing."""
    table = read_table(upload.data, sheet=upload.sheet, delimiter=upload.delimiter)
    profiles = store.load_profiles(session, household.id)
    remembered = {sig: _remembered_mapping(p.mapping) for sig, p in profiles.items()}
    layout = locate_header(table, upload.mapping, remembered)
    profile = profiles.get(layout.signature)
    account, cards = _account(
        session,
        household,
        upload.account_id,
        profile.mapping.get("account_id") if profile else None,
    )
    signs = positive_flow(layout.mapping, card_account=account.kind in CARD_KINDS)
    reading = replace(layout, mapping=replace(layout.mapping, positive_means=signs))
    parsed = parse_rows(table, reading, today)
    book = CategoryBook(
        store.active_categories(session, household.id), store.load_rules(session, household.id)
    )
    return _Analysis(
        table=table,
        layout=layout,
        reading=reading,
        source=_source(upload, profile.source if profile else None, layout),
        remembered=profile is not None,
        account=account,
        cards=cards,
        rows=parsed.rows,
        errors=parsed.errors,
        total=parsed.total,
        skipped=parsed.skipped,
        assignments=tuple(book.assign(row) for row in parsed.rows),
        keys=keyed(parsed.rows, f"account {account.id}"),
        legacy_keys=keyed(parsed.rows),
        book=book,
    )


def _warnings(analysis: _Analysis) -> tuple[LineError, ...]:
    return tuple(
        LineError(row.line, "category", a.warning)
        for row, a in zip(analysis.rows, analysis.assignments, strict=True)
        if a.warning
    )


def _duplicates(session: Session, household: Household, analysis: _Analysis) -> frozenset[int]:
    """Rows already imported into this account from this source (or before accounts were)."""
    both = [*analysis.keys, *analysis.legacy_keys]
    found: set[tuple[str, int]] = set()
    for start in range(0, len(both), CHUNK_ROWS):
        chunk = both[start : start + CHUNK_ROWS]
        found |= store.existing_keys(session, household.id, analysis.source, chunk)
    pairs = zip(analysis.keys, analysis.legacy_keys, strict=True)
    return frozenset(i for i, (key, old) in enumerate(pairs) if key in found or old in found)


def _matches(
    session: Session, household: Household, analysis: _Analysis, fresh: list[tuple[int, ImportRow]]
) -> dict[int, ChargeMatch]:
    """New rows that are statement charges booked out of this account, with their charge."""
    if not fresh:
        return {}
    span = timedelta(days=MATCH_DAYS)
    charges = store.booked_charges(
        session,
        household.id,
        analysis.account.id,
        start=min(row.date for _, row in fresh) - span,
        end=max(row.date for _, row in fresh) + span,
    )
    names = {card.id: card.name for card in analysis.cards}
    matched = match_charges(fresh, charges, _known(analysis.cards))
    return {index: _charge_match(charge, names) for index, charge in matched.items()}


def _known(cards: Sequence[Account]) -> list[Card]:
    return [Card(card.id, card.name, card.institution) for card in cards]


def _charge_match(charge: BookedCharge, names: Mapping[int, str]) -> ChargeMatch:
    return ChargeMatch(
        charge.transfer_id,
        charge.card_id,
        names.get(charge.card_id, ""),
        charge.date,
        charge.amount,
        charge.statement_close,
    )


def _plan(
    session: Session, household: Household, analysis: _Analysis, chosen: Mapping[int, int]
) -> _Plan:
    """Duplicates, matched card charges, card debits offered and the transfers chosen."""
    duplicates = _duplicates(session, household, analysis)
    if analysis.account.kind in CARD_KINDS:
        if chosen:
            raise InvalidInputError("transfers", "only lines of a bank file are paid to a card")
        return _Plan(duplicates, {}, {}, {})
    fresh = [(i, row) for i, row in enumerate(analysis.rows) if i not in duplicates]
    matches = _matches(session, household, analysis, fresh)
    open_cards = [card for card in analysis.cards if card.archived_at is None]
    unmatched = [(i, row) for i, row in fresh if i not in matches]
    offered = card_debits(unmatched, _known(open_cards))
    transfers = _chosen_transfers(analysis, chosen, duplicates, matches, open_cards)
    return _Plan(duplicates, matches, offered, transfers)


def _chosen_transfers(
    analysis: _Analysis,
    chosen: Mapping[int, int],
    duplicates: frozenset[int],
    matches: Mapping[int, ChargeMatch],
    cards: Sequence[Account],
) -> dict[int, int]:
    """Row index to card id for each line chosen as a transfer; a wrong choice is refused.

    A choice for a line already imported is left alone (the same request may be sent again).
    """
    by_line = {row.line: index for index, row in enumerate(analysis.rows)}
    broken = {error.line for error in analysis.errors}
    by_id = {card.id: card for card in cards}
    transfers: dict[int, int] = {}
    for line, card_id in sorted(chosen.items()):
        index = by_line.get(line)
        if index is None and line in broken:
            continue
        if index is None:
            raise InvalidInputError("transfers", "no transaction on this line", index=line)
        if index in duplicates:
            continue
        _check_transfer(analysis, analysis.rows[index], matches.get(index), by_id.get(card_id))
        transfers[index] = card_id
    return transfers


def _check_transfer(
    analysis: _Analysis, row: ImportRow, match: ChargeMatch | None, card: Account | None
) -> None:
    def refuse(message: str) -> InvalidInputError:
        return InvalidInputError("transfers", message, index=row.line)

    if row.type != "expense":
        raise refuse("money in; only money out is paid to a card")
    if match is not None:
        raise refuse(f"already the booked charge of {match.card} on {match.date:%d/%m/%Y}")
    if card is None:
        raise refuse("no such card: choose one of your open card accounts")
    if card.currency != analysis.account.currency:
        raise refuse(f"the card is in {card.currency}, the account in {analysis.account.currency}")


def preview_import(
    session: Session, household: Household, upload: Upload, today: date
) -> ImportPreview:
    """The dry run: the parsed rows, duplicates and card charges marked, every error by line."""
    analysis = _analyse(session, household, upload, today)
    plan = _plan(session, household, analysis, upload.transfers)
    rows = tuple(_preview_row(analysis, plan, index) for index in range(len(analysis.rows)))
    table, layout = analysis.table, analysis.layout
    return ImportPreview(
        filename=_filename(upload.filename),
        kind=table.kind,
        encoding=table.encoding,
        sheet=table.sheet,
        delimiter=table.delimiter,
        source=analysis.source,
        header_line=layout.header_line,
        columns=layout.header,
        mapping=analysis.reading.mapping,
        remembered=analysis.remembered,
        total_rows=analysis.total,
        rows=rows,
        errors=analysis.errors,
        warnings=_warnings(analysis),
        duplicates=len(plan.duplicates),
        uncategorised=sum(1 for i, r in enumerate(rows) if r.category_id is None and plan.books(i)),
        skipped=analysis.skipped,
        account_id=analysis.account.id,
        account=analysis.account.name,
        account_kind=analysis.account.kind,
        matched=len(plan.matches),
        card_debits=sum(1 for i in plan.offered if i not in plan.transfers),
        transfers=len(plan.transfers),
    )


def _preview_row(analysis: _Analysis, plan: _Plan, index: int) -> PreviewRow:
    row, assignment = analysis.rows[index], analysis.assignments[index]
    return PreviewRow(
        row.line,
        row.date,
        row.amount,
        row.type,
        row.description,
        row.notes,
        assignment.category_id,
        analysis.book.label(assignment.category_id),
        index in plan.duplicates,
        match=plan.matches.get(index),
        card_ids=plan.offered.get(index, ()),
        transfer_to=plan.transfers.get(index),
    )


def _filename(name: str) -> str:
    return PurePath(name.replace("\\", "/")).name[:FILENAME_MAX] if name else ""


def _insert_all(
    session: Session,
    household: Household,
    analysis: _Analysis,
    plan: _Plan,
    batch: ImportBatch,
    *,
    progress: Progress,
) -> tuple[int, int]:
    """Insert in chunks, reporting progress; return (new rows, new rows uncategorised)."""
    rows = [
        (key, ordinal, r.date, r.amount, r.type, a.category_id, r.description, r.notes)
        for index, (r, a, (key, ordinal)) in enumerate(
            zip(analysis.rows, analysis.assignments, analysis.keys, strict=True)
        )
        if plan.books(index)
    ]
    inserted = uncategorised = 0
    progress(0, len(rows))
    for start in range(0, len(rows), CHUNK_ROWS):
        new, bare = store.insert_rows(
            session,
            household_id=household.id,
            account_id=analysis.account.id,
            currency=analysis.account.currency,
            source=analysis.source,
            batch_id=batch.id,
            rows=rows[start : start + CHUNK_ROWS],
        )
        inserted, uncategorised = inserted + new, uncategorised + bare
        progress(min(start + CHUNK_ROWS, len(rows)), len(rows))
    return inserted, uncategorised


def _no_progress(done: int, total: int) -> None:
    """Progress is optional."""


def commit_import(
    session: Session,
    household: Household,
    upload: Upload,
    today: date,
    *,
    remember: bool = True,
    progress: Progress = _no_progress,
) -> ImportResult:
    """Import every row, all or nothing; rows already imported from this source are skipped.

    Refused with every line's error when any line has one. A bank line matched to a booked
    card charge adds nothing, a line chosen as a transfer is booked as one; both keep their
    key. The mapping, the account and the categories the file gave are remembered (unless
    `remember` is off) for the next file of its shape.
    """
    analysis = _analyse(session, household, upload, today)
    if analysis.errors:
        raise ImportRejectedError(analysis.errors)
    plan = _plan(session, household, analysis, upload.transfers)
    batch = ImportBatch(
        household_id=household.id,
        source=analysis.source,
        filename=_filename(upload.filename),
        row_count=len(analysis.rows),
        imported_count=0,
        skipped_count=0,
    )
    session.add(batch)
    session.flush()
    inserted, uncategorised = _insert_all(
        session, household, analysis, plan, batch, progress=progress
    )
    matched = len(_claim(session, household, analysis, batch, plan.matches))
    moved = _book_transfers(session, household, analysis, plan, batch)
    written = inserted + moved
    batch.imported_count, batch.skipped_count = written, len(analysis.rows) - written
    if remember:
        _remember(session, household, analysis)
    session.flush()
    return ImportResult(
        batch_id=batch.id,
        source=analysis.source,
        total_rows=len(analysis.rows),
        imported=inserted,
        skipped=len(analysis.rows) - written - matched,
        uncategorised=uncategorised,
        skipped_lines=len(analysis.skipped),
        account_id=analysis.account.id,
        matched=matched,
        transfers=moved,
    )


def _claim(
    session: Session,
    household: Household,
    analysis: _Analysis,
    batch: ImportBatch,
    indices: Mapping[int, object],
) -> list[int]:
    """Write the keys of rows that book no transaction; the indices not taken before."""
    keys = {analysis.keys[index]: index for index in indices}
    claimed = store.claim_keys(
        session,
        household_id=household.id,
        source=analysis.source,
        batch_id=batch.id,
        keys=list(keys),
    )
    return sorted(keys[key] for key in claimed)


def _book_transfers(
    session: Session, household: Household, analysis: _Analysis, plan: _Plan, batch: ImportBatch
) -> int:
    """Record each chosen line as a transfer from the account to its card; how many."""
    claimed = _claim(session, household, analysis, batch, plan.transfers)
    for index in claimed:
        row = analysis.rows[index]
        draft = TransferDraft(
            date=row.date,
            amount=row.amount,
            from_account_id=analysis.account.id,
            to_account_id=plan.transfers[index],
            description=row.description,
            notes=row.notes,
        )
        transfer = record_transfer(session, household, draft, source="import")
        _as_statement_charge(session, household, transfer)
    return len(claimed)


def _as_statement_charge(session: Session, household: Household, transfer: Transfer) -> None:
    """A card debit paid about a statement's charge day is that statement's charge.

    It takes the statement's key, so the scheduler does not charge the statement again,
    and it is not read as a payment by hand that would lower a later statement.
    """
    card = session.get(Account, transfer.to_account_id)
    if card is None or card.kind != "credit_card":
        return
    closes = statement_charged_near(cycle_of(card), transfer.date)
    if closes is not None and claim_charge(session, household.id, card.id, closes, transfer.id):
        transfer.source = "card_statement"
        session.flush()


def _remember(session: Session, household: Household, analysis: _Analysis) -> None:
    layout = analysis.layout
    store.save_profile(
        session,
        household.id,
        signature=layout.signature,
        source=analysis.source,
        columns=layout.header,
        mapping={**layout.mapping.as_dict(), "account_id": analysis.account.id},
    )
    store.save_rules(session, household.id, learned_rules(analysis.rows, analysis.assignments))


def peek_columns(upload: Upload) -> tuple[str, ...]:
    """The column names a mapping can choose from, even when none was recognised."""
    table = read_table(upload.data, sheet=upload.sheet, delimiter=upload.delimiter)
    for row in table.rows[:HEADER_SEARCH_ROWS]:
        names = header_names(row)
        if len(names) > 1 and not looks_like_data(row):
            return names
    return header_names(table.rows[0])
