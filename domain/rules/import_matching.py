"""Counted once: a bank line that is a card's statement charge is matched, not added again.

A card purchase is an expense once, on its card. The bank's debit of the card's statement
is the transfer the scheduler booked on the charge day; an imported bank line matches it
when it is money out of the same bank account, within a agora of the amount, within three
days of the date, and names the card (its name or institution) in its description. A bank
line that names a card but matches no booked charge is offered as a transfer to a card.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from domain.rules.import_rows import ImportRow
from domain.rules.import_values import one_line

MATCH_DAYS = 3
MATCH_CENTS = Decimal("0.01")
# How Israeli banks print the card companies in a statement's description, beside the
# names people give them: a card called "Isracard" matches "ישראכרט" and the other way.
INSTITUTION_ALIASES: tuple[tuple[str, ...], ...] = (
    ("isracard", "ישראכרט"),
    ("max", "מקס", "max it", "לאומי קארד", "leumi card"),
    ("cal", "כאל", "ויזה כאל", "visa cal"),
    ("american express", "amex", "אמריקן אקספרס", "אמקס"),
    ("diners", "דיינרס"),
)
# A name counts where it stands alone: no letter right before it (one Hebrew prefix
# letter, as in "לישראכרט", is allowed) and none right after it (a card number may follow).
_LETTER = r"[^\W\d_]"
_BEFORE = rf"(?:(?<!{_LETTER})|(?<=(?<!{_LETTER})[ובלהמש]))"
_AFTER = rf"(?!{_LETTER})"


@dataclass(frozen=True)
class Card:
    """A card account as the matcher knows it."""

    id: int
    name: str
    institution: str = ""


@dataclass(frozen=True)
class BookedCharge:
    """A statement's charge the scheduler booked: a transfer out of the bank to the card."""

    transfer_id: int
    card_id: int
    date: dt.date
    amount: Decimal
    statement_close: dt.date | None = None


def _folded(text: str) -> str:
    return one_line(text).casefold()


def card_words(card: Card) -> tuple[str, ...]:
    """The words that name a card in a bank line: its name, institution and their aliases."""
    words = {_folded(card.name), _folded(card.institution)} - {""}
    for group in INSTITUTION_ALIASES:
        if words & set(group):
            words |= set(group)
    return tuple(sorted(words, key=lambda w: (-len(w), w)))


def names_card(description: str, card: Card) -> bool:
    """Whether a description names the card (case-insensitive, as a whole word)."""
    text = _folded(description)
    return any(
        re.search(_BEFORE + re.escape(word) + _AFTER, text) is not None for word in card_words(card)
    )


def _fits(row: ImportRow, charge: BookedCharge) -> bool:
    return (
        row.type == "expense"
        and abs(row.amount - charge.amount) <= MATCH_CENTS
        and abs((row.date - charge.date).days) <= MATCH_DAYS
    )


def match_charges(
    rows: Sequence[tuple[int, ImportRow]],
    charges: Iterable[BookedCharge],
    cards: Iterable[Card],
) -> dict[int, BookedCharge]:
    """Each row (by index) matched to at most one booked charge, each charge to one row.

    The closest pairs are taken first: fewest days apart, then the smallest difference in
    amount, then file order.
    """
    by_id = {card.id: card for card in cards}
    pairs = [
        (abs((row.date - charge.date).days), abs(row.amount - charge.amount), index, charge)
        for index, row in rows
        for charge in charges
        if charge.card_id in by_id
        and _fits(row, charge)
        and names_card(row.description, by_id[charge.card_id])
    ]
    pairs.sort(key=lambda p: (p[0], p[1], p[2], p[3].transfer_id))
    matched: dict[int, BookedCharge] = {}
    taken: set[int] = set()
    for _days, _cents, index, charge in pairs:
        if index not in matched and charge.transfer_id not in taken:
            matched[index] = charge
            taken.add(charge.transfer_id)
    return matched


def card_debits(
    rows: Sequence[tuple[int, ImportRow]], cards: Sequence[Card]
) -> dict[int, tuple[int, ...]]:
    """Rows (by index) of money out that name cards, with the ids of the cards they name."""
    found: dict[int, tuple[int, ...]] = {}
    for index, row in rows:
        if row.type != "expense":
            continue
        named = tuple(card.id for card in cards if names_card(row.description, card))
        if named:
            found[index] = named
    return found
