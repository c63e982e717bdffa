"""Rates: the Bank of Israel's files read into rates to ILS, stored per owner, loaded as a table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from domain.config import Settings
from domain.db.models import Household
from domain.errors import InvalidInputError, NotFoundError
from domain.rules.boi_rates import parse_boi_rates
from domain.rules.currency import MissingRateError, convert
from domain.services import rates
from domain.services.rates import RateDraft
from tests.conftest import home_of, make_user

# The SDMX CSV layout (`.../BOI.STATISTICS/EXR/1.0/RER_USD_ILS,...?format=csv`), trimmed.
SDMX_CSV = b"""\
DATAFLOW,SERIES_CODE,FREQ,BASE_CURRENCY,COUNTER_CURRENCY,UNIT_MEASURE,TIME_PERIOD,OBS_VALUE
BOI.STATISTICS:EXR(1.0),RER_USD_ILS,D,USD,ILS,ILS,2026-01-01,3.7215
BOI.STATISTICS:EXR(1.0),RER_USD_ILS,D,USD,ILS,ILS,2026-01-02,3.7300
BOI.STATISTICS:EXR(1.0),RER_EUR_ILS,D,EUR,ILS,ILS,2026-01-01,4.0123
BOI.STATISTICS:EXR(1.0),RER_JPY_ILS,D,JPY,ILS,ILS,2026-01-01,2.4567
BOI.STATISTICS:EXR(1.0),NER_ILS_BSK_IDX,D,,,,2026-01-01,71.2
BOI.STATISTICS:EXR(1.0),RER_GBP_ILS,D,GBP,ILS,ILS,2026-01-01,
"""

SDMX_XML = b"""<?xml version="1.0" encoding="utf-8"?>
<message:StructureSpecificData xmlns:message="http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message">
  <message:DataSet>
    <Series SERIES_CODE="RER_USD_ILS" BASE_CURRENCY="USD" FREQ="D">
      <Obs TIME_PERIOD="2026-01-01" OBS_VALUE="3.7215"/>
      <Obs TIME_PERIOD="2026-01-02" OBS_VALUE="3.73"/>
    </Series>
    <Series SERIES_CODE="NER_ILS_BSK_PCT"><Obs TIME_PERIOD="2026-01-01" OBS_VALUE="0.1"/></Series>
  </message:DataSet>
</message:StructureSpecificData>
"""

DAILY_XML = b"""<?xml version="1.0" encoding="utf-8" standalone="yes"?>
<CURRENCIES>
  <LAST_UPDATE>2026-01-05</LAST_UPDATE>
  <CURRENCY><NAME>Dollar</NAME><UNIT>1</UNIT><CURRENCYCODE>USD</CURRENCYCODE>
    <COUNTRY>USA</COUNTRY><RATE>3.690</RATE><CHANGE>-0.3</CHANGE></CURRENCY>
  <CURRENCY><NAME>Yen</NAME><UNIT>100</UNIT><CURRENCYCODE>JPY</CURRENCYCODE>
    <COUNTRY>Japan</COUNTRY><RATE>2.4567</RATE><CHANGE>0.1</CHANGE></CURRENCY>
</CURRENCIES>
"""


def _triples(content: bytes) -> set[tuple[str, date, Decimal]]:
    return {(r.currency, r.day, r.rate) for r in parse_boi_rates(content).rates}


def test_sdmx_csv_reads_currency_series_and_skips_baskets_and_blanks() -> None:
    found = parse_boi_rates(SDMX_CSV)
    assert _triples(SDMX_CSV) == {
        ("USD", date(2026, 1, 1), Decimal("3.7215")),
        ("USD", date(2026, 1, 2), Decimal("3.73")),
        ("EUR", date(2026, 1, 1), Decimal("4.0123")),
        # the yen is quoted per 100 units
        ("JPY", date(2026, 1, 1), Decimal("0.024567")),
    }
    assert found.skipped == ("GBP 2026-01-01: no value",)


def test_sdmx_xml_and_the_daily_xml() -> None:
    assert _triples(SDMX_XML) == {
        ("USD", date(2026, 1, 1), Decimal("3.7215")),
        ("USD", date(2026, 1, 2), Decimal("3.73")),
    }
    assert _triples(DAILY_XML) == {
        ("USD", date(2026, 1, 5), Decimal("3.69")),
        ("JPY", date(2026, 1, 5), Decimal("0.024567")),
    }


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"date,rate\n2026-01-01,3.7\n",
        b"SERIES_CODE,TIME_PERIOD,OBS_VALUE\nNER_ILS_BSK_IDX,2026-01-01,70\n",
        b"<not xml",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
        b"\xff\xfe\x00bad",
        b"\x16a\rY(\x01&\r\x12",  # a bare carriage return in a field (found by make fuzz)
        b"SERIES_CODE,TIME_PERIOD,OBS_VALUE\nRER_USD_ILS,2026-01-01,\x00\n",
    ],
)
def test_a_file_without_rates_is_refused_naming_the_file(content: bytes) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_boi_rates(content)
    assert caught.value.field == "file"


def test_a_bad_line_is_skipped_with_its_reason() -> None:
    content = (
        b"SERIES_CODE,TIME_PERIOD,OBS_VALUE\n"
        b"RER_USD_ILS,2026-01-01,3.7\nRER_USD_ILS,2026-13-01,3.8\nRER_USD_ILS,2026-01-03,-1\n"
    )
    found = parse_boi_rates(content)
    assert len(found.rates) == 1
    assert len(found.skipped) == 2


def test_import_stores_per_owner_and_the_table_converts(
    session: Session, household: Household, settings: Settings
) -> None:
    imported = rates.import_boi_rates(session, household, SDMX_CSV)
    assert (imported.stored, imported.currencies) == (4, ("EUR", "JPY", "USD"))
    # importing again replaces, never duplicates
    assert rates.import_boi_rates(session, household, SDMX_CSV).stored == 4
    assert len(rates.list_rates(session, household)) == 4
    table = rates.rate_table(session, household)
    assert convert(Decimal("3000.00"), "USD", date(2026, 1, 1), table).base_amount == Decimal(
        "11164.50"
    )
    stranger = home_of(session, make_user(session, settings))
    with pytest.raises(MissingRateError):
        convert(Decimal("1.00"), "USD", date(2026, 1, 1), rates.rate_table(session, stranger))
    with pytest.raises(NotFoundError):
        rates.delete_rate(session, stranger, rates.list_rates(session, household)[0].id)


def test_a_typed_rate_replaces_the_days_rate_and_a_new_base_ignores_old_rates(
    session: Session, household: Household
) -> None:
    first = rates.set_rate(session, household, RateDraft(date(2026, 1, 1), "USD", Decimal("3.7")))
    again = rates.set_rate(session, household, RateDraft(date(2026, 1, 1), "USD", Decimal("3.8")))
    assert first.id == again.id
    assert again.rate == Decimal("3.8")
    with pytest.raises(InvalidInputError) as caught:
        rates.set_rate(session, household, RateDraft(date(2026, 1, 1), "ILS", Decimal("1")))
    assert caught.value.field == "currency"
    household.currency = "USD"
    assert rates.list_rates(session, household) == []
    with pytest.raises(InvalidInputError) as refused:
        rates.import_boi_rates(session, household, SDMX_CSV)
    assert refused.value.field == "file"
