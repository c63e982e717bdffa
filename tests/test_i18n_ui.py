"""A Hebrew user's pages, driven with AppTest against the real database."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from domain.config import PROJECT_ROOT
from domain.db.models import User
from domain.rules.dates import local_today
from domain.services.users import set_language
from tests.builders import make_transaction
from tests.conftest import PASSWORD, home_of

APP = str(PROJECT_ROOT / "streamlit_app" / "app.py")
RLM = "\u200f"
DAY_FIRST = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session on committed data (the app runs its own units of work)."""
    with sessionmaker(bind=engine, expire_on_commit=False)() as session:
        yield session


@pytest.fixture
def hebrew_user(committed_user: User, db: Session) -> User:
    """The committed user, reading Hebrew, with one large expense today."""
    user = db.get(User, committed_user.id)
    assert user is not None
    set_language(db, user, "he")
    home = home_of(db, user)
    today = local_today(datetime.now(UTC), home.timezone)
    make_transaction(db, home, amount="22309.42", on=today, description="שכר דירה")
    db.commit()
    return committed_user


def _logged_in(user: User, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input[0].input(user.username)
    at.text_input[1].input(PASSWORD)
    at.button[0].click().run()
    if page:
        at.switch_page(f"page_scripts/{page}.py").run()
    assert not at.exception, at.exception
    return at


def test_a_hebrew_users_ledger_is_in_hebrew_with_shekels_and_day_first_dates(
    hebrew_user: User,
) -> None:
    at = _logged_in(hebrew_user, "transactions")
    assert at.title[0].value == "תנועות"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["הוצאות"] == f"{RLM}22,309.42\xa0{RLM}₪"
    assert metrics["מספר תנועות" if "מספר תנועות" in metrics else "תנועות"] == "1"
    assert at.sidebar.button[0].label == "יציאה"
    assert at.text_input(key="f_text").label == "חיפוש בתיאור ובהערות"
    assert at.selectbox(key="f_type.he").options == ["הכול", "הוצאה", "הכנסה"]
    frame = at.data_editor[0].value
    assert frame.loc[0, "amount"] == "22,309.42"
    at.text_input(key="add_amount").input("1234.5")
    at.button(key="FormSubmitter:add_tx-הוספה").click().run()
    (message,) = [s.value for s in at.success]
    assert message.startswith("נוספה תנועה של")
    assert "1,234.50" in message
    assert "₪" in message
    assert DAY_FIRST.search(message), message


def test_switching_language_in_settings_takes_effect_on_the_next_click(
    hebrew_user: User,
) -> None:
    at = _logged_in(hebrew_user, "settings")
    assert at.title[0].value == "הגדרות"
    at.selectbox(key="set_language.he").set_value("אנגלית")
    at.button(key="FormSubmitter:settings_form-שמירת ההגדרות").click().run()
    assert not at.exception
    assert at.title[0].value == "Settings"
    assert at.sidebar.button[0].label == "Log out"
    assert [s.value for s in at.success] == ["Settings saved."]
    at.selectbox(key="set_language").set_value("Hebrew")
    at.button(key="FormSubmitter:settings_form-Save settings").click().run()
    assert at.title[0].value == "הגדרות"
    assert at.sidebar.button[0].label == "יציאה"


def test_the_login_page_follows_english_without_a_browser_language() -> None:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert [t.label for t in at.text_input] == ["Username", "Password"]


def test_a_hebrew_users_home_page_is_in_hebrew_with_shekels_dates_and_charts(
    hebrew_user: User,
) -> None:
    at = _logged_in(hebrew_user)
    assert at.title[0].value == f"שלום, {hebrew_user.display_name}"
    assert DAY_FIRST.search(at.caption[0].value), at.caption[0].value
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["הוצאות החודש"] == f"{RLM}22,309.42\xa0{RLM}₪"
    assert {s.value for s in at.subheader} >= {"יתרה: עבר ותחזית", "הכנסות מול הוצאות"}
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    layout = figure["layout"]
    assert layout["yaxis"]["tickformat"] == ",.0f"
    assert layout["yaxis"]["ticksuffix"] == " ₪"
    assert layout["xaxis"]["hoverformat"] == "%d/%m/%Y"
    hebrew_months = {"ינו׳", "פבר׳", "מרץ", "אפר׳", "מאי", "יוני", "יולי", "אוג׳", "ספט׳"}
    hebrew_months |= {"אוק׳", "נוב׳", "דצמ׳"}
    assert any(text.split()[0] in hebrew_months for text in layout["xaxis"]["ticktext"])
    assert "תחזית (P50)" in {trace.get("name") for trace in figure["data"]}


def test_a_hebrew_users_alerts_read_in_hebrew_with_shekels(
    hebrew_user: User,
) -> None:
    at = _logged_in(hebrew_user, "alerts")
    assert at.title[0].value == "התראות"
    texts = [m.value for m in at.markdown]
    # The day's large expense takes the forecast below zero: the critical alert, in Hebrew.
    assert any(t.startswith(":material/error: **תחזית היתרה מתחת ל-") for t in texts), texts
    assert any("צפויה לרדת מתחת ל-" in t and "22,309.42" in t and "₪" in t for t in texts)
    assert any("התראה" in w.value for w in at.sidebar.warning)


def test_a_hebrew_users_monthly_forecast_names_months_in_hebrew(hebrew_user: User) -> None:
    at = _logged_in(hebrew_user, "forecast")
    assert at.title[0].value == "תחזית"
    at.radio(key="forecast_view.he").set_value("חודשי").run()
    assert not at.exception
    figure = json.loads(at.get("plotly_chart")[0].proto.spec)
    periods = at.dataframe[0].value["period"].tolist()
    months = {"ינואר", "פברואר", "מרץ", "אפריל", "מאי", "יוני", "יולי", "אוגוסט"}
    months |= {"ספטמבר", "אוקטובר", "נובמבר", "דצמבר"}
    assert periods
    assert all(p.split()[0] in months for p in periods), periods
    assert "יתרת סגירה" in {trace.get("name") for trace in figure["data"]}
    assert figure["layout"]["yaxis"]["ticksuffix"] == " ₪"
