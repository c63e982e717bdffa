"""Where the booking pass's time goes: its steps timed one by one on one chunk, rolled back.

It follows `domain.services.booking._book_chunk` for the pass's first chunk of households
(the same functions, the same chunk size); the pass repeats that for every chunk. It runs
twice: as the pass does, and with the audit trigger off, to show what the audit log costs.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.db.actors import set_local
from domain.db.models import Household
from domain.db.recurring import advance_watermarks, book_occurrences, load_specs
from domain.rules.occurrences import Occurrence, SourceKind, SourceSpec, due_to_book
from domain.services.booking import CHUNK_HOUSEHOLDS


@dataclass
class Breakdown:
    """Seconds spent in each step of the pass for one chunk of households; expansion by kind."""

    load: float = 0.0
    expand: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    insert: float = 0.0
    watermarks: float = 0.0
    sources: Counter[str] = field(default_factory=Counter)  # how many of each kind
    households: int = 0
    audited: bool = True

    @property
    def total(self) -> float:
        """Seconds of all the steps together."""
        return self.load + sum(self.expand.values()) + self.insert + self.watermarks


@contextmanager
def _timed(add: dict[str, float], key: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    add[key] += time.perf_counter() - started


def _expand(specs: Sequence[SourceSpec], as_of: date, parts: Breakdown) -> list[Occurrence]:
    """Every spec's due occurrences, timing each source kind apart."""
    due: list[Occurrence] = []
    for spec in specs:
        started = time.perf_counter()
        due.extend(due_to_book(spec, as_of))
        parts.expand[spec.info.kind] += time.perf_counter() - started
        parts.sources[spec.info.kind] += 1
    return due


def _chunk(session: Session, ids: Sequence[int], as_of: date, parts: Breakdown) -> None:
    """One chunk of households, as the pass books it, step by step."""
    steps: defaultdict[str, float] = defaultdict(float)
    with _timed(steps, "load"):
        specs = load_specs(session, ids)
    parts.households += len(ids)
    due = _expand(specs, as_of, parts)
    through: dict[tuple[SourceKind, int], date] = {
        (spec.info.kind, spec.info.source_id): as_of for spec in specs
    }
    with _timed(steps, "insert"):
        book_occurrences(session, due)
    with _timed(steps, "watermarks"):
        advance_watermarks(session, through)
    parts.load += steps["load"]
    parts.insert += steps["insert"]
    parts.watermarks += steps["watermarks"]


def measure_parts(factory: sessionmaker[Session], as_of: date, *, audited: bool) -> Breakdown:
    """Time the pass's steps over its first chunk of households, then roll back."""
    parts = Breakdown(audited=audited)
    with factory() as session:
        if not audited:
            set_local(session, "cashflow.audit", "off")
        query = select(Household.id).order_by(Household.id).limit(CHUNK_HOUSEHOLDS)
        _chunk(session, list(session.scalars(query)), as_of, parts)
        session.rollback()
    return parts
