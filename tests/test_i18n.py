"""Hebrew first: complete, compiling catalogs, no bare UI text, money and dates as people read."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from domain.config import PROJECT_ROOT, Settings
from domain.i18n import (
    LANGUAGES,
    accept_language,
    as_language,
    catalog_path,
    translate,
    translate_plural,
)
from domain.rules.display import (
    display_date,
    display_money,
    display_month,
    money_axis,
    month_names,
)
from tests.conftest import make_user
from tests.i18n_scan import scan_source, scan_tree

RLM = "\u200f"
LRM = "\u200e"
# Views not yet converted; empty: every view goes through the gettext function.
NOT_YET_CONVERTED: frozenset[str] = frozenset()


def _catalog(language: str) -> list[tuple[object, object]]:
    with Path(catalog_path(language, "po")).open("rb") as handle:  # type: ignore[arg-type]
        return [(m.id, m.string) for m in read_po(handle) if m.id]


def _untranslated(entries: list[tuple[object, object]]) -> list[object]:
    missing = []
    for msgid, msgstr in entries:
        strings = msgstr if isinstance(msgstr, tuple) else (msgstr,)
        if not all(strings):
            missing.append(msgid)
    return missing


def test_every_msgid_has_a_hebrew_translation() -> None:
    entries = _catalog("he")
    assert len(entries) > 200
    assert _untranslated(entries) == []


def test_the_missing_translation_check_lists_what_is_missing() -> None:
    entries: list[tuple[object, object]] = [
        ("Save", "שמירה"),
        ("Cancel", ""),
        (("a row", "rows"), ("שורה", "")),
    ]
    assert _untranslated(entries) == ["Cancel", ("a row", "rows")]


def test_english_and_hebrew_catalogs_hold_the_same_msgids() -> None:
    assert {m for m, _s in _catalog("en")} == {m for m, _s in _catalog("he")}


def test_every_hebrew_translation_keeps_the_placeholders_of_its_msgid() -> None:
    import string

    def names(text: object) -> set[str]:
        return {f for _l, f, _s, _c in string.Formatter().parse(str(text)) if f}

    wrong = [
        msgid
        for msgid, msgstr in _catalog("he")
        if isinstance(msgid, str) and names(msgid) != names(msgstr)
    ]
    assert wrong == []


def test_no_view_passes_a_bare_literal_to_a_streamlit_call() -> None:
    found = scan_tree(PROJECT_ROOT / "streamlit_app")
    assert [str(b) for b in found if b.path not in NOT_YET_CONVERTED] == []
    still = {b.path for b in found}
    assert still >= NOT_YET_CONVERTED, "a converted view is still allow-listed"


@pytest.mark.parametrize(
    ("source", "texts"),
    [
        ('st.button("Save")', ["Save"]),
        ('cols[0].metric("Income", total)', ["Income"]),
        ('st.sidebar.warning(f"{n} unread alerts")', [" unread alerts"]),
        ('st.selectbox("Type", ["all", "income"])', ["Type", "all", "income"]),
        ('st.column_config.TextColumn("Amount", help="such as 1.50")', ["Amount", "such as 1.50"]),
        ('st.expander("Add " + name)', ["Add "]),
        ('st.Page("page_scripts/home.py", title="Home")', ["Home"]),
        ('st.button(_("Save"))', []),
        ('st.selectbox(_("Type"), ["all", "income"], format_func=word)', []),
        ('st.text_input(_("Amount"), key="add_amount", type="password")', []),
        ('st.metric(_("Rows"), f"{count:,}")', []),
        ('st.Page(f"page_scripts/{name}.py", title=_(title))', []),
    ],
)
def test_the_scan_fails_on_a_bare_literal_and_passes_a_translated_one(
    source: str, texts: list[str]
) -> None:
    assert [b.text for b in scan_source(source)] == texts


@pytest.mark.parametrize(
    ("amount", "currency", "language", "shown"),
    [
        ("22309.42", "ILS", "he", f"{RLM}22,309.42\xa0{RLM}₪"),
        ("22309.42", "ILS", "en", "₪22,309.42"),
        ("-22309.42", "ILS", "he", f"{RLM}{LRM}-22,309.42\xa0{RLM}₪"),
        ("-22309.42", "ILS", "en", "-₪22,309.42"),
        ("0.00", "ILS", "en", "₪0.00"),
        ("1234567.5", "USD", "en", "US$1,234,567.50"),
        ("1234567.5", "ILS", "he", f"{RLM}1,234,567.50\xa0{RLM}₪"),
    ],
)
def test_money_reads_with_currency_separators_and_sign(
    amount: str, currency: str, language: str, shown: str
) -> None:
    assert display_money(Decimal(amount), currency, as_language(language)) == shown


def test_dates_are_day_first_and_months_are_named_in_the_language() -> None:
    day = date(2026, 3, 5)
    assert display_date(day, "he") == "05/03/2026"
    assert display_date(day, "en") == "05/03/2026"
    assert display_month(day, "he") == "מרץ 2026"
    assert display_month(day, "en") == "March 2026"
    assert month_names("he")[1] == "ינואר"


def test_chart_money_axis_has_separators_and_currency_never_si_units() -> None:
    assert money_axis("ILS", "en") == {"tickformat": ",.0f", "tickprefix": "₪"}
    assert money_axis("ILS", "he") == {"tickformat": ",.0f", "ticksuffix": " ₪"}


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("he", "he"),
        ("he-IL,he;q=0.9,en-US;q=0.8", "he"),
        ("en-US,en;q=0.9,he;q=0.8", "en"),
        ("fr-FR, he;q=0.5", "he"),
        ("fr-FR", "en"),
        ("iw", "he"),
        ("he;q=0, en", "en"),
        ("he;q=bad", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_accept_language_picks_he_or_en_with_english_fallback(
    header: str | None, language: str
) -> None:
    assert accept_language(header) == language


def test_translation_looks_up_hebrew_and_falls_back_to_english() -> None:
    assert translate("Transactions", "he") == "תנועות"
    assert translate("Transactions", "en") == "Transactions"
    assert translate("a text nobody wrote", "he") == "a text nobody wrote"
    assert translate_plural("{count} warning", "{count} warnings", 3, "he") == "{count} אזהרות"


def test_catalogs_compile_with_pybabel_and_make_install_builds_them(tmp_path: Path) -> None:
    pybabel = shutil.which("pybabel", path=str(PROJECT_ROOT / ".venv" / "bin")) or "pybabel"
    for language in LANGUAGES:
        out = tmp_path / f"{language}.mo"
        result = subprocess.run(
            [pybabel, "compile", "-l", language, "-i", catalog_path(language, "po"), "-o", out],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        assert out.stat().st_size > 0
    # `make install` rebuilds a catalog whose .po changed (dry run: nothing is touched).
    po = "domain/locale/he/LC_MESSAGES/messages.po"
    plan = subprocess.run(
        ["make", "-n", "install", "-W", po],  # noqa: S607 - make from PATH, as a developer runs it
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "pybabel compile" in plan
    assert "domain/locale/he/LC_MESSAGES/messages.mo" in plan


def test_new_users_get_the_default_language(
    session: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    hebrew = settings.model_copy(update={"default_language": "he"})
    english = settings.model_copy(update={"default_language": "en"})
    for config, language in ((hebrew, "he"), (english, "en")):
        user = make_user(session, config)
        session.expire(user)  # read what was stored
        assert user.language == language
    monkeypatch.delenv("DEFAULT_LANGUAGE")  # the test run sets English for the other tests
    assert Settings(_env_file=None).default_language == "he"


def test_api_error_detail_follows_accept_language(
    client: TestClient, headers: dict[str, str]
) -> None:
    url = "/api/v1/transactions/999999999"
    english = client.get(url, headers=headers)
    hebrew = client.get(url, headers={**headers, "Accept-Language": "he-IL,he;q=0.9"})
    french = client.get(url, headers={**headers, "Accept-Language": "fr"})
    assert english.status_code == hebrew.status_code == 404
    assert english.json() == {"detail": "transaction not found"}
    assert hebrew.json() == {"detail": "התנועה לא נמצאה"}
    assert french.json() == english.json()


def test_api_validation_details_follow_accept_language_and_keep_english_codes(
    client: TestClient, headers: dict[str, str]
) -> None:
    body = {"date": "2026-03-05", "type": "expense", "amount": "12.345"}
    hebrew = client.post(
        "/api/v1/transactions", json=body, headers={**headers, "Accept-Language": "he"}
    )
    english = client.post("/api/v1/transactions", json=body, headers=headers)
    assert hebrew.status_code == english.status_code == 422
    (he_error,) = hebrew.json()["detail"]
    (en_error,) = english.json()["detail"]
    assert he_error["loc"] == en_error["loc"]
    assert he_error["type"] == en_error["type"]
    assert en_error["msg"] != he_error["msg"]
    assert any("\u0590" <= ch <= "\u05ff" for ch in he_error["msg"])
    missing = client.post(
        "/api/v1/transactions",
        json={"type": "expense"},
        headers={**headers, "Accept-Language": "he"},
    )
    assert missing.status_code == 422
    assert "שדה חובה" in {e["msg"] for e in missing.json()["detail"]}


def test_the_health_texts_the_dashboard_shows_are_in_the_catalog() -> None:
    from domain.messages import SHOWN
    from domain.services.dashboard import HEALTH_FORMULA, NOT_ENOUGH_DATA

    assert {HEALTH_FORMULA, NOT_ENOUGH_DATA} <= set(SHOWN)
    assert translate(HEALTH_FORMULA, "he") != HEALTH_FORMULA


def test_alert_texts_keep_their_english_and_read_again_in_hebrew() -> None:
    from domain.rules.alert_rules import BookingFailure, Ending, booking_failures, endings
    from domain.rules.alert_texts import TEXT, render

    today = date(2026, 3, 1)
    (ending,) = endings([Ending("loan", 7, "Car", date(2026, 3, 20))], today=today)
    assert (ending.title, ending.message) == (
        "Car ends soon",
        "The last payment of Car is on 20/03/2026.",
    )
    wording = ending.data[TEXT]
    assert isinstance(wording, dict)
    assert render(wording["title"], wording["values"], "he") == "Car מסתיים בקרוב"
    assert render(wording["message"], wording["values"], "he") == (
        "התשלום האחרון של Car הוא בתאריך 20/03/2026."
    )
    (failed,) = booking_failures([BookingFailure("fixed", 3, "Rent", "category not found")])
    assert failed.message.startswith('The fixed item "Rent" could not be booked (category')
    values = failed.data[TEXT]["values"]  # type: ignore[index]
    hebrew = render(failed.data[TEXT]["message"], values, "he")  # type: ignore[index]
    assert hebrew.startswith('פריט קבוע "Rent" לא נרשם (הקטגוריה לא נמצאה)')


def test_alert_amounts_show_the_readers_currency() -> None:
    from domain.rules.alert_texts import money, render

    values = {"level": money(Decimal("-1500.5"))}
    assert render("Balance forecast below {level}", values, "en") == (
        "Balance forecast below -1,500.50"
    )
    assert render("Balance forecast below {level}", values, "en", "ILS") == (
        "Balance forecast below -₪1,500.50"
    )
    assert render("Balance forecast below {level}", values, "he", "ILS") == (
        f"תחזית היתרה מתחת ל-{RLM}{LRM}-1,500.50\xa0{RLM}₪"
    )


def test_the_monthly_report_pdf_speaks_the_users_language() -> None:
    import io

    from pypdf import PdfReader

    from domain.rules.monthly_report import MonthlyReport
    from domain.rules.report_pdf import render_report
    from domain.services.reports import report_fonts

    fonts = report_fonts()
    if fonts.regular is None:
        pytest.skip("no Unicode font (fonts-dejavu-core) on this machine")
    month = date(2026, 3, 1)
    report = MonthlyReport(
        title="Household",
        currency="ILS",
        month=month,
        generated_on=date(2026, 3, 5),
        income=Decimal("14000.00"),
        expense=Decimal("22309.42"),
        count=2,
        opening=Decimal("1000.00"),
        balances=((month, Decimal("1000.00")),),
        categories=(),
        upcoming=(),
        largest=(),
    )

    def text(language: str) -> str:
        pdf = render_report(report, fonts, language=as_language(language))
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)

    english, hebrew = text("en"), text("he")
    assert "Monthly report - March 2026" in english
    assert "22,309.42" in english
    assert "Monthly report" not in hebrew
    assert "דוח חודשי" in hebrew  # words kept whole; the extracted order is the PDF's visual one
    assert "מרץ" in hebrew
    assert "הוצאות" in hebrew
    assert "22,309.42" in hebrew
    assert "05/03/2026" in hebrew
