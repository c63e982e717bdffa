"""Analysis for notebooks: the household's ledger as an exact DataFrame."""

from __future__ import annotations

import pandas as pd
from sqlalchemy.orm import Session

from domain.db.exports import stream_transactions
from domain.db.models import Household
from domain.rules.analysis import transactions_frame
from domain.rules.ledger import LedgerFilter


def ledger_frame(
    session: Session, household: Household, spec: LedgerFilter | None = None
) -> pd.DataFrame:
    """The household's transactions (filtered when asked) with Decimal money, oldest first."""
    rows = stream_transactions(session, household.id, spec or LedgerFilter())
    return transactions_frame(
        (r.date, r.type, r.category, r.amount, r.description, r.source) for r in rows
    )
