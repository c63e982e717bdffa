"""Which category an imported row gets: the file's, a remembered rule's, or none."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.rules.categories import FlowType
from domain.rules.import_mapping import fold
from domain.rules.import_rows import ImportRow

PATTERN_MAX = 200
_DIGITS = re.compile(r"\d+")


def rule_key(description: str) -> str:
    """A description as rules match it: case-folded, digits dropped (card and order numbers)."""
    return " ".join(_DIGITS.sub(" ", fold(description)).split())[:PATTERN_MAX]


@dataclass(frozen=True)
class ActiveCategory:
    """One of the user's active categories, with both its names."""

    id: int
    name: str
    name_he: str | None
    type: FlowType


@dataclass(frozen=True)
class Assignment:
    """A row's category and where it came from: 'file', 'rule' or '' (uncategorised)."""

    category_id: int | None
    origin: str
    warning: str | None = None


class CategoryBook:
    """The user's active categories by (folded name, type), and their remembered rules."""

    def __init__(self, categories: Sequence[ActiveCategory], rules: dict[str, int]) -> None:
        self.rules = rules
        self._names = {c.id: c.name for c in categories}
        self._types = {c.id: c.type for c in categories}
        self._by_name: dict[tuple[str, str], int] = {}
        for category in categories:
            for name in (category.name, category.name_he):
                if name:
                    self._by_name.setdefault((fold(name), category.type), category.id)

    def label(self, category_id: int | None) -> str:
        """The name of a category (empty when none)."""
        return self._names.get(category_id, "") if category_id else ""

    def assign(self, row: ImportRow) -> Assignment:
        """The file's category when it names one of the row's type, else a rule's, else none."""
        warning = None
        if row.category:
            found = self._by_name.get((fold(row.category), row.type))
            if found is not None:
                return Assignment(found, "file")
            warning = (
                f'"{row.category}" is not one of your active {row.type} categories; '
                "left uncategorised"
            )
        ruled = self.rules.get(rule_key(row.description))
        if ruled is not None and self._types.get(ruled) == row.type:
            return Assignment(ruled, "rule")
        return Assignment(None, "", warning)


def learned_rules(rows: Iterable[ImportRow], assignments: Iterable[Assignment]) -> dict[str, int]:
    """Rules to remember from rows the file categorised: each key's most frequent category."""
    votes: dict[str, Counter[int]] = defaultdict(Counter)
    for row, assignment in zip(rows, assignments, strict=True):
        key = rule_key(row.description)
        if assignment.origin == "file" and key and assignment.category_id is not None:
            votes[key][assignment.category_id] += 1
    return {key: counter.most_common(1)[0][0] for key, counter in votes.items()}
