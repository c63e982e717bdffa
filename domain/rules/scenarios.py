"""What-if scenarios: operations applied on top of the real forecast inputs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast

from domain.errors import InvalidInputError
from domain.rules.forecast import Event, ForecastInputs
from domain.rules.installments import MAX_PAYMENTS
from domain.rules.loans import LoanTerms, Method, Prepayment, PrepaymentMode, check_terms
from domain.rules.money import D, MoneyError, round_money
from domain.rules.occurrences import FixedSpec, InstallmentSpec, LoanSpec, SourceInfo, SourceSpec
from domain.rules.recurrence import DateRange, Frequency, Recurrence, check_recurrence

OPERATIONS = (
    "one_off",
    "new_fixed",
    "change_fixed",
    "pause_fixed",
    "new_installment",
    "new_loan",
    "loan_prepayment",
    "change_budget",
)
MAX_OPERATIONS = 50
_SCENARIO_ID = -1  # sources that exist only in a scenario


def _money(op: dict[str, Any], name: str, index: int) -> Decimal:
    try:
        value = D(op[name])
    except (KeyError, MoneyError, TypeError) as exc:
        raise InvalidInputError(name, f"operation {index}: needs an amount", index=index) from exc
    if value <= 0:
        raise InvalidInputError(name, f"operation {index}: must be positive", index=index)
    return value


def _date(op: dict[str, Any], name: str, index: int, *, required: bool = True) -> date | None:
    raw = op.get(name)
    if raw is None and not required:
        return None
    try:
        return raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    except ValueError as exc:
        raise InvalidInputError(
            name, f"operation {index}: needs a YYYY-MM-DD date", index=index
        ) from exc


def _int(op: dict[str, Any], name: str, index: int, *, default: int | None = None) -> int | None:
    raw = op.get(name, default)
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise InvalidInputError(name, f"operation {index}: a whole number", index=index)
    try:
        return int(raw)
    except ValueError as exc:
        raise InvalidInputError(name, f"operation {index}: a whole number", index=index) from exc


def _decimal(op: dict[str, Any], name: str, index: int, default: str) -> Decimal:
    try:
        return Decimal(str(op.get(name, default)))
    except ArithmeticError as exc:
        raise InvalidInputError(name, f"operation {index}: a number", index=index) from exc


def _info(op: dict[str, Any], kind: str, index: int, household_id: int) -> SourceInfo:
    flow = op.get("type", "expense")
    if flow not in ("income", "expense"):
        raise InvalidInputError("type", f"operation {index}: income or expense", index=index)
    name = str(op.get("name") or op.get("description") or kind)[:120]
    return SourceInfo(kind, _SCENARIO_ID - index, household_id, name, flow, None, "ILS", None)  # type: ignore[arg-type]


def _one_off(inputs: ForecastInputs, op: dict[str, Any], index: int) -> ForecastInputs:
    amount = _money(op, "amount", index)
    day = cast("date", _date(op, "date", index))
    sign = 1 if op.get("type", "expense") == "income" else -1
    label = str(op.get("description") or "One-off")[:120]
    event = Event(day, amount * sign, label, "scenario")
    return replace(inputs, transactions=(*inputs.transactions, event))


def _new_fixed(inputs: ForecastInputs, op: dict[str, Any], index: int, user: int) -> ForecastInputs:
    rule = Recurrence(
        cast("Frequency", op.get("frequency", "monthly")),
        cast("date", _date(op, "start_date", index)),
        _date(op, "end_date", index, required=False),
        _int(op, "day_of_month", index),
    )
    check_recurrence(rule)
    spec = FixedSpec(_info(op, "fixed", index, user), _money(op, "amount", index), rule)
    return replace(inputs, specs=(*inputs.specs, spec))


def _find_fixed(inputs: ForecastInputs, op: dict[str, Any], index: int) -> FixedSpec:
    for spec in inputs.specs:
        if isinstance(spec, FixedSpec) and spec.info.source_id == op.get("fixed_id"):
            return spec
    raise InvalidInputError("fixed_id", f"operation {index}: no such fixed item", index=index)


def _swap(inputs: ForecastInputs, old: SourceSpec, new: list[SourceSpec]) -> ForecastInputs:
    return replace(inputs, specs=tuple(s for s in inputs.specs if s is not old) + tuple(new))


def _change_fixed(inputs: ForecastInputs, op: dict[str, Any], index: int) -> ForecastInputs:
    spec = _find_fixed(inputs, op, index)
    start = cast("date", _date(op, "from_date", index))
    factor = 1 + _decimal(op, "percent", index, "0") / 100
    if factor <= 0:
        raise InvalidInputError("percent", f"operation {index}: more than -100", index=index)
    before = replace(spec, rule=replace(spec.rule, end=start - timedelta(days=1)))
    after = replace(
        spec,
        amount=round_money(spec.amount * factor),
        rule=replace(spec.rule, pauses=(*spec.rule.pauses, DateRange(date(1, 1, 1), start))),
    )
    return _swap(inputs, spec, [before, after])


def _pause_fixed(inputs: ForecastInputs, op: dict[str, Any], index: int) -> ForecastInputs:
    spec = _find_fixed(inputs, op, index)
    pause = DateRange(
        cast("date", _date(op, "from_date", index)), _date(op, "until", index, required=False)
    )
    paused = replace(spec, rule=replace(spec.rule, pauses=(*spec.rule.pauses, pause)))
    return _swap(inputs, spec, [paused])


def _new_installment(
    inputs: ForecastInputs, op: dict[str, Any], index: int, user: int
) -> ForecastInputs:
    count = _int(op, "payments_count", index, default=0) or 0
    if not 1 <= count <= MAX_PAYMENTS:
        raise InvalidInputError("payments_count", f"operation {index}: 1 to 360", index=index)
    first = cast("date", _date(op, "first_payment_date", index))
    spec = InstallmentSpec(
        _info(op, "installment", index, user),
        _money(op, "total_amount", index),
        count,
        first,
        _int(op, "day_of_month", index) or first.day,
    )
    return replace(inputs, specs=(*inputs.specs, spec))


def _new_loan(inputs: ForecastInputs, op: dict[str, Any], index: int, user: int) -> ForecastInputs:
    terms = LoanTerms(
        _money(op, "principal", index),
        _decimal(op, "annual_rate", index, "0"),
        _int(op, "term_months", index, default=0) or 0,
        cast("date", _date(op, "first_payment_date", index)),
        _int(op, "day_of_month", index),
        cast("Method", op.get("method", "spitzer")),
    )
    check_terms(terms)
    spec = LoanSpec(replace(_info(op, "loan", index, user), type="expense"), terms)
    return replace(inputs, specs=(*inputs.specs, spec))


def _loan_prepayment(inputs: ForecastInputs, op: dict[str, Any], index: int) -> ForecastInputs:
    for spec in inputs.specs:
        if isinstance(spec, LoanSpec) and spec.info.source_id == op.get("loan_id"):
            day = cast("date", _date(op, "date", index))
            amount = _money(op, "amount", index)
            mode = cast("PrepaymentMode", op.get("mode", "shorten_term"))
            if mode not in ("shorten_term", "lower_payment"):
                raise InvalidInputError(
                    "mode", f"operation {index}: shorten_term or lower_payment", index=index
                )
            extra = Prepayment(day, amount, mode)
            changed = replace(spec, prepayments=(*spec.prepayments, extra))
            paid = Event(day, -amount, f"{spec.info.name} prepayment", "scenario")
            moved = _swap(inputs, spec, [changed])
            return replace(moved, transactions=(*moved.transactions, paid))
    raise InvalidInputError("loan_id", f"operation {index}: no such loan", index=index)


def apply_operations(
    inputs: ForecastInputs, operations: list[dict[str, Any]], *, household_id: int
) -> ForecastInputs:
    """The inputs with every operation applied in order; a bad one names its field and index."""
    if len(operations) > MAX_OPERATIONS:
        raise InvalidInputError("operations", f"at most {MAX_OPERATIONS} operations")
    for index, op in enumerate(operations):
        kind = op.get("op")
        if kind == "one_off":
            inputs = _one_off(inputs, op, index)
        elif kind == "new_fixed":
            inputs = _new_fixed(inputs, op, index, household_id)
        elif kind == "change_fixed":
            inputs = _change_fixed(inputs, op, index)
        elif kind == "pause_fixed":
            inputs = _pause_fixed(inputs, op, index)
        elif kind == "new_installment":
            inputs = _new_installment(inputs, op, index, household_id)
        elif kind == "new_loan":
            inputs = _new_loan(inputs, op, index, household_id)
        elif kind == "loan_prepayment":
            inputs = _loan_prepayment(inputs, op, index)
        elif kind == "change_budget":
            continue  # budgets are data: the budgets service turns it into plans beforehand
        else:
            raise InvalidInputError(
                "op", f"operation {index}: one of {', '.join(OPERATIONS)}", index=index
            )
    return inputs
