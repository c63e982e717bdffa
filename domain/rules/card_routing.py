"""Which accounts a forecast path follows, and card movements placed on charge days.

A path follows a set of accounts (a view): the household follows every account that
holds its own money (bank, savings, cash and debit cards, whose purchases leave the bank
on the purchase day); a bank account follows itself and its debit cards; a credit card
is a liability beside them. What moves on a credit card reaches the bank as one debit
per statement on the card's charge day, so before the engine runs this module turns a
card's purchases, refunds, payments by hand, future-dated transactions and unbooked
recurring parts into statement debits (`cards.build_statements`), and its everyday
spending into a `Deferral` the engine applies to its spread. The engine never sees a card.

All amounts here are in the base currency.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from domain.rules.cards import CardCycle, CardLine, build_statements, charge_date, statement_close
from domain.rules.forecast import (
    CategoryHistory,
    Deferral,
    Event,
    ForecastInputs,
    occurrence_events,
)
from domain.rules.money import ZERO
from domain.rules.occurrences import SourceSpec

OWN_MONEY_KINDS = ("bank", "savings", "cash", "debit_card")
STATEMENT_KIND = "card_statement"
TRANSFER_KIND = "transfer"


class UnknownAccountError(LookupError):
    """A view asked for an account the household does not have."""


@dataclass(frozen=True)
class AccountRef:
    """An account as the forecast sees it; a credit card with its cycle and watermark.

    `booked_through` is the last statement close whose charge is history (the scheduler's
    watermark, or the last charged close when the card has none).
    """

    id: int
    kind: str
    name: str
    charged_to_id: int | None = None
    cycle: CardCycle | None = None
    booked_through: date | None = None
    is_default: bool = False


@dataclass(frozen=True)
class Move:
    """A future transfer: what leaves one account and what arrives in the other."""

    date: date
    out: Decimal
    arrives: Decimal
    from_id: int
    to_id: int
    label: str


@dataclass(frozen=True)
class View:
    """Which accounts a path follows.

    `own`: accounts whose movements show on their own days; `charged`: credit cards whose
    statements this path pays on charge days; `settled`: credit cards whose statements pay
    this path back (a card's own, liability path); `plans`: whether budgets are followed
    (they are the household's, so they ride on its default account).
    """

    own: frozenset[int]
    charged: frozenset[int] = frozenset()
    settled: frozenset[int] = frozenset()
    plans: bool = False


@dataclass(frozen=True)
class Book:
    """The household's money placed on its accounts, before a view is taken.

    `inputs` holds what is not per account (horizon, history, settings) and every
    future transaction and source with its account, none routed yet; `balances` each
    account's current balance; `card_past` each credit card's lines after its
    `booked_through`, up to today.
    """

    inputs: ForecastInputs
    accounts: tuple[AccountRef, ...]
    balances: Mapping[int, Decimal] = field(default_factory=dict)
    moves: tuple[Move, ...] = ()
    card_past: Mapping[int, tuple[CardLine, ...]] = field(default_factory=dict)

    @property
    def default_id(self) -> int | None:
        """The default account's id (None only in tests without accounts)."""
        return next((a.id for a in self.accounts if a.is_default), None)


def view_of(accounts: Sequence[AccountRef], account_id: int | None) -> View:
    """The household's view (None) or one account's."""
    if account_id is None:
        return View(
            own=frozenset(a.id for a in accounts if a.kind in OWN_MONEY_KINDS),
            charged=frozenset(a.id for a in accounts if a.kind == "credit_card"),
            plans=True,
        )
    found = next((a for a in accounts if a.id == account_id), None)
    if found is None:
        raise UnknownAccountError(account_id)
    if found.kind == "credit_card":
        return View(own=frozenset({found.id}), settled=frozenset({found.id}))
    if found.kind != "bank":
        return View(own=frozenset({found.id}))
    paid_by = [a for a in accounts if a.charged_to_id == found.id]
    return View(
        own=frozenset({found.id} | {a.id for a in paid_by if a.kind == "debit_card"}),
        charged=frozenset(a.id for a in paid_by if a.kind == "credit_card"),
        plans=found.is_default,
    )


@dataclass(frozen=True)
class ComingCharge:
    """A statement not charged yet: its close, its charge day, the day expected, its total."""

    card_id: int
    closes: date
    charge: date
    day: date
    total: Decimal


def coming_charges(
    card: AccountRef, lines: Iterable[CardLine], inputs: ForecastInputs
) -> list[ComingCharge]:
    """The card's statements still to be charged, expected inside the horizon.

    Statements closed on or before the card's watermark, or whose charge is booked
    already, are history; an overdue charge is expected today.
    """
    if card.cycle is None or card.booked_through is None:
        raise ValueError("only a credit card with a watermark has statements")
    coming = []
    for s in build_statements(card.cycle, lines):
        booked = (STATEMENT_KIND, card.id, s.closes) in inputs.booked_keys
        day = max(s.charge, inputs.today)
        if s.closes > card.booked_through and not booked and day < inputs.end and s.total > ZERO:
            coming.append(ComingCharge(card.id, s.closes, s.charge, day, s.total))
    return coming


def deferral_of(card: AccountRef, inputs: ForecastInputs, *, own_days: bool) -> Deferral:
    """The card's statement closes from today's on and their charge days, through the horizon."""
    if card.cycle is None:
        raise ValueError("only a credit card defers its spending")
    closes, lands = [], []
    close = statement_close(card.cycle, inputs.today)
    while True:
        charge = charge_date(card.cycle, close)
        closes.append(close)
        lands.append(charge)
        if charge >= inputs.end:
            break
        close = statement_close(card.cycle, close + timedelta(days=1))
    return Deferral(card.id, tuple(closes), tuple(lands), own_days=own_days)


def _line(day: date, amount: Decimal, label: str) -> CardLine:
    return CardLine(day, abs(amount), "income" if amount > 0 else "expense", label)


def _account_of(account_id: int | None, default: int | None) -> int | None:
    return default if account_id is None else account_id


def _spec_account(spec: SourceSpec, default: int | None) -> int | None:
    return _account_of(spec.info.account_id, default)


def card_lines(book: Book, card: AccountRef) -> list[CardLine]:
    """Everything on a card after its watermark: past lines, future ones, unbooked parts.

    An unbooked recurring part due on or before the watermark (its statement is history)
    lands on the next statement.
    """
    inputs, default = book.inputs, book.default_id
    first = (card.booked_through or date.min) + timedelta(days=1)
    lines = list(book.card_past.get(card.id, ()))
    for e in inputs.transactions:
        if _account_of(e.account_id, default) == card.id and e.amount:
            lines.append(_line(e.date, e.amount, e.label))
    for m in book.moves:
        if m.to_id == card.id and m.arrives:
            lines.append(CardLine(m.date, m.arrives, "income", m.label))
        if m.from_id == card.id and m.out:
            lines.append(CardLine(m.date, m.out, "expense", m.label))
    for spec in inputs.specs:
        if _spec_account(spec, default) == card.id:
            for e in occurrence_events(spec, inputs):
                if e.amount:
                    lines.append(_line(max(e.due or e.date, first), e.amount, e.label))
    return lines


def _statement_events(book: Book, view: View) -> list[Event]:
    """Each routed card's coming statements: a debit of the bank, or the card's repayment."""
    events = []
    for card in book.accounts:
        paying = card.id in view.charged
        if paying or card.id in view.settled:
            for c in coming_charges(card, card_lines(book, card), book.inputs):
                events.append(
                    Event(
                        c.day,
                        -c.total if paying else c.total,
                        card.name,
                        STATEMENT_KIND,
                        source_id=card.id,
                        due=c.charge,
                        account_id=card.charged_to_id if paying else card.id,
                    )
                )
    return events


def _move_events(book: Book, own: frozenset[int]) -> list[Event]:
    """Future transfers as this path sees them: a leg in or out, nothing between own accounts.

    Between two accounts the path follows a transfer moves nothing, but for what a
    currency exchange gains or loses.
    """
    events = []
    for m in book.moves:
        delta = (m.arrives if m.to_id in own else ZERO) - (m.out if m.from_id in own else ZERO)
        if delta and (m.to_id in own or m.from_id in own):
            where = m.to_id if delta > 0 and m.to_id in own else m.from_id
            events.append(Event(m.date, delta, m.label, TRANSFER_KIND, account_id=where))
    return events


def _history(book: Book, view: View) -> tuple[CategoryHistory, ...]:
    """The histories of the accounts the path follows or pays.

    A card's stays its own (its deferral is keyed by it); a debit card's rides on its
    bank, whose path carries it, so that a bank's path spreads the same months whether
    it is drawn alone or inside the household's.
    """
    default, cards = book.default_id, view.charged | view.settled
    banks = {a.id: a.charged_to_id for a in book.accounts if a.kind == "debit_card"}
    chosen = []
    for h in book.inputs.history:
        account = _account_of(h.account_id, default)
        if account in cards:
            chosen.append(replace(h, account_id=account))
        elif account in view.own:
            chosen.append(replace(h, account_id=banks.get(account or 0) or account))
    return tuple(chosen)


def _plan_events(book: Book, view: View) -> tuple[Event, ...]:
    """Known items in budgeted categories that this path does not carry on their own days."""
    inputs, default = book.inputs, book.default_id
    planned = {p.category_id for p in inputs.plans}
    if not (view.plans and planned):
        return ()
    known = [e for e in inputs.transactions if _account_of(e.account_id, default) not in view.own]
    for spec in inputs.specs:
        if spec.info.category_id in planned and _spec_account(spec, default) not in view.own:
            known.extend(occurrence_events(spec, inputs))
    return tuple(e for e in known if e.category_id in planned)


def _placed(book: Book, items: Iterable[Event]) -> list[Event]:
    """Events with their account named (a scenario's land in the default account)."""
    default = book.default_id
    return [e if e.account_id is not None else replace(e, account_id=default) for e in items]


def compose(book: Book, view: View) -> ForecastInputs:
    """The engine's inputs for one view: opening, own events, statement debits, deferrals."""
    inputs, default = book.inputs, book.default_id
    own = view.own
    transactions = [
        e for e in _placed(book, inputs.transactions) if _account_of(e.account_id, default) in own
    ]
    transactions += _move_events(book, own) + _statement_events(book, view)
    specs = tuple(
        s if s.info.account_id is not None else replace(s, info=replace(s.info, account_id=default))
        for s in inputs.specs
    )
    cards = {a.id: a for a in book.accounts if a.id in view.charged | view.settled}
    deferrals = tuple(
        deferral_of(card, inputs, own_days=card.id in view.settled) for card in cards.values()
    )
    return replace(
        inputs,
        opening=sum((book.balances.get(a, ZERO) for a in own), ZERO),
        transactions=tuple(transactions),
        specs=specs,
        accounts=own,
        history=_history(book, view),
        deferrals=deferrals,
        plans=inputs.plans if view.plans else (),
        plan_events=_plan_events(book, view),
    )
