"""Read the Bank of Israel's representative-rates files (sha'ar yatzig) into rates to ILS.

Three layouts are read, as the Bank publishes them (layouts learned from public code that
parses them, e.g. github.com/mbk-dev/boi `boi/request_data.py` for TIME_PERIOD series, and
clients of the SDMX service at edge.boi.gov.il/FusionEdgeServer/sdmx/v2/data/dataflow/
BOI.STATISTICS/EXR/1.0, whose series are named RER_<CUR>_ILS):

- SDMX CSV (`?format=csv`): a header row with SERIES_CODE (RER_USD_ILS), TIME_PERIOD
  (YYYY-MM-DD) and OBS_VALUE, often BASE_CURRENCY too; basket series (NER_...) are skipped.
- SDMX XML (StructureSpecificData): <Series SERIES_CODE=... BASE_CURRENCY=...> holding
  <Obs TIME_PERIOD=... OBS_VALUE=...>.
- The older daily currency.xml: <CURRENCIES><LAST_UPDATE>YYYY-MM-DD</LAST_UPDATE> and
  <CURRENCY> with CURRENCYCODE, UNIT and RATE.

The SDMX series quote some currencies per 100 units (the yen); `QUOTED_PER` divides them
back to one unit. The older file states its UNIT itself.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from xml.etree import ElementTree as ET

from domain.errors import InvalidInputError
from domain.rules.currency import MAX_RATE, RATE_QUANTUM, Rate
from domain.rules.ledger import CURRENCY_RE

BOI_BASE = "ILS"
MAX_FILE_BYTES = 10 * 1024 * 1024
QUOTED_PER = {"JPY": 100}
_SERIES_RE = re.compile(r"^RER_([A-Z]{3})_ILS$")


@dataclass(frozen=True)
class RatesFile:
    """What a file held: its rates, and the lines it skipped with the reason."""

    rates: tuple[Rate, ...]
    skipped: tuple[str, ...]


def parse_boi_rates(content: bytes) -> RatesFile:
    """Read a Bank of Israel rates file (CSV or XML) into rates to ILS per one unit."""
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInputError("file", "a rates file may be at most 10 MB")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInputError("file", "not a text file (UTF-8 CSV or XML)") from None
    found = _read_xml(text) if text.lstrip().startswith("<") else _read_csv(text)
    if not found.rates:
        raise InvalidInputError(
            "file", "no representative rates found (expected RER_<CUR>_ILS series)"
        )
    return found


def _rate(currency: str, value: str, day: str, unit: str | None = None) -> Rate:
    """One observation as a rate per unit; ValueError names what is wrong."""
    try:
        number = Decimal(value.strip().replace(",", ""))
        per = Decimal(unit.strip()) if unit else Decimal(QUOTED_PER.get(currency, 1))
    except InvalidOperation:
        raise ValueError(f"{currency} {day}: not a number") from None
    if not number.is_finite() or number <= 0 or not per.is_finite() or per <= 0:
        raise ValueError(f"{currency} {day}: not a positive rate")
    rate = (number / per).quantize(RATE_QUANTUM, rounding=ROUND_HALF_UP)
    if rate <= 0 or rate >= MAX_RATE:
        raise ValueError(f"{currency} {day}: rate out of range")
    return Rate(_day(day.strip()), currency, rate)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _currency(series: str | None, base: str | None) -> str | None:
    """The currency of a series: RER_<CUR>_ILS, or BASE_CURRENCY; None for other series."""
    if series:
        match = _SERIES_RE.match(series.strip())
        return match.group(1) if match else None
    code = (base or "").strip().upper()
    return code if CURRENCY_RE.match(code) and code != BOI_BASE else None


def _collect(observations: list[tuple[str | None, str | None, str, str, str | None]]) -> RatesFile:
    rates: list[Rate] = []
    skipped: list[str] = []
    for series, base, day, value, unit in observations:
        currency = _currency(series, base)
        if currency is None:
            continue  # a basket index or another series, not a currency's rate
        if not value.strip():
            skipped.append(f"{currency} {day}: no value")
            continue
        try:
            rates.append(_rate(currency, value, day, unit))
        except ValueError as exc:
            skipped.append(str(exc))
    return RatesFile(tuple(rates), tuple(skipped))


def _read_csv(text: str) -> RatesFile:
    try:
        return _read_csv_rows(text)
    except csv.Error as exc:  # a stray carriage return, a NUL: not a CSV file
        raise InvalidInputError("file", f"not a readable CSV file ({exc})") from None


def _read_csv_rows(text: str) -> RatesFile:
    rows = csv.DictReader(io.StringIO(text, newline=""))
    columns = {name.strip().upper(): name for name in rows.fieldnames or ()}
    if "TIME_PERIOD" not in columns or "OBS_VALUE" not in columns:
        raise InvalidInputError("file", "a CSV rates file needs TIME_PERIOD and OBS_VALUE columns")
    if "SERIES_CODE" not in columns and "BASE_CURRENCY" not in columns:
        raise InvalidInputError("file", "a CSV rates file needs a SERIES_CODE column")

    def cell(row: dict[str, str | None], name: str) -> str | None:
        key = columns.get(name)
        return (row.get(key) or "") if key else None

    return _collect(
        [
            (
                cell(row, "SERIES_CODE"),
                cell(row, "BASE_CURRENCY"),
                cell(row, "TIME_PERIOD") or "",
                cell(row, "OBS_VALUE") or "",
                None,
            )
            for row in rows
        ]
    )


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _read_xml(text: str) -> RatesFile:
    if "<!DOCTYPE" in text.upper() or "<!ENTITY" in text.upper():
        raise InvalidInputError("file", "XML with a DOCTYPE or entities is not accepted")
    try:
        root = ET.fromstring(text)  # noqa: S314 - no DTD, so no entity expansion
    except ET.ParseError as exc:
        raise InvalidInputError("file", f"not well-formed XML: {exc}") from None
    if _local(root.tag) == "CURRENCIES":
        return _read_daily_xml(root)
    observations: list[tuple[str | None, str | None, str, str, str | None]] = []
    for series in root.iter():
        if _local(series.tag) != "Series":
            continue
        code, base = series.get("SERIES_CODE"), series.get("BASE_CURRENCY")
        for obs in series:
            if _local(obs.tag) == "Obs":
                day, value = obs.get("TIME_PERIOD", ""), obs.get("OBS_VALUE", "")
                observations.append((code, base, day, value, None))
    return _collect(observations)


def _read_daily_xml(root: ET.Element) -> RatesFile:
    """The older currency.xml: one day (LAST_UPDATE), one CURRENCY element per currency."""
    fields = {_local(child.tag): (child.text or "") for child in root}
    day = fields.get("LAST_UPDATE", "")
    observations: list[tuple[str | None, str | None, str, str, str | None]] = []
    for item in root:
        if _local(item.tag) == "CURRENCY":
            values = {_local(c.tag): (c.text or "").strip() for c in item}
            code = values.get("CURRENCYCODE", "")
            observations.append((None, code, day, values.get("RATE", ""), values.get("UNIT")))
    return _collect(observations)
