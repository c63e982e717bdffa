"""The monthly report as a PDF (fpdf2): KPIs, the balance chart, categories, what is due.

Charts are drawn with the PDF's own lines and rectangles, so no browser or plotting
library is needed; floats appear only as drawing coordinates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.bidi import BidiParagraph, auto_detect_base_direction
from fpdf.enums import TextDirection

from domain.i18n import N_, Language, translate
from domain.rules.display import display_date, display_month, display_number
from domain.rules.monthly_report import MonthlyReport

PAGE_WIDTH = 210.0
MARGIN = 15.0
CONTENT = PAGE_WIDTH - 2 * MARGIN
CHART_HEIGHT = 45.0
ACCENT = (21, 101, 192)
GREY = (110, 110, 110)
_HEBREW = re.compile("[\u0590-\u05ff]")
_MIRROR = str.maketrans("()[]{}<>", ")(][}{><")
FONT = "report"


@dataclass(frozen=True)
class Fonts:
    """TrueType files for Unicode text (Hebrew); None falls back to the PDF's core font."""

    regular: Path | None = None
    bold: Path | None = None


def visual(text: str) -> str:
    """Hebrew runs in visual order, since the PDF draws glyphs left to right."""
    if not _HEBREW.search(text):
        return text
    base = auto_detect_base_direction(text)
    fragments = BidiParagraph(text=text, base_direction=base).get_bidi_fragments()
    pieces = [
        part[::-1].translate(_MIRROR) if direction == TextDirection.RTL else part
        for part, direction in fragments
    ]
    return "".join(reversed(pieces) if base == TextDirection.RTL else pieces)


def money(amount: Decimal, language: Language = "en") -> str:
    """An amount with thousands separators and two places (the currency is in the title)."""
    return display_number(amount, language, places=2)


class _Pdf(FPDF):
    def __init__(self, fonts: Fonts, language: Language) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.language = language
        self.unicode = fonts.regular is not None
        if fonts.regular is not None:
            self.add_font(FONT, "", str(fonts.regular))
            self.add_font(FONT, "B", str(fonts.bold or fonts.regular))
        self.family = FONT if self.unicode else "helvetica"
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN)

    def say(self, text: str) -> str:
        shown = visual(text)
        return shown if self.unicode else shown.encode("latin-1", "replace").decode("latin-1")

    def word(self, text: str) -> str:
        """A catalog text in the report's language (Hebrew needs the Unicode font)."""
        return translate(text, self.language) if self.unicode else text

    def money(self, amount: Decimal) -> str:
        return money(amount, self.language)

    def day(self, value: date) -> str:
        return display_date(value, self.language)

    def style(
        self, size: float, *, bold: bool = False, color: tuple[int, int, int] = (0, 0, 0)
    ) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.set_text_color(*color)


def render_report(report: MonthlyReport, fonts: Fonts, *, language: Language = "en") -> bytes:
    """The report as PDF bytes, its words in `language` (English without a Unicode font)."""
    pdf = _Pdf(fonts, language)
    pdf.add_page()
    _title(pdf, report)
    _kpis(pdf, report)
    _balance_chart(pdf, report)
    _categories(pdf, report)
    _largest(pdf, report)
    _upcoming(pdf, report)
    return bytes(pdf.output())


def _title(pdf: _Pdf, report: MonthlyReport) -> None:
    pdf.style(18, bold=True, color=ACCENT)
    month = display_month(report.month, pdf.language if pdf.unicode else "en")
    title = pdf.word(N_("Monthly report - {month}")).format(month=month)
    pdf.cell(0, 9, pdf.say(title), new_x="LMARGIN", new_y="NEXT")
    pdf.style(9, color=GREY)
    line = pdf.word(N_("{title} · amounts in {currency} · generated {date}")).format(
        title=report.title, currency=report.currency, date=pdf.day(report.generated_on)
    )
    pdf.cell(0, 5, pdf.say(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _kpi_pairs(pdf: _Pdf, report: MonthlyReport) -> list[tuple[str, str]]:
    rate = report.savings_rate
    change = "-"
    if report.previous_expense:
        delta = (report.expense - report.previous_expense) * 100 / report.previous_expense
        change = f"{delta:+.1f}%"
    return [
        (N_("Income"), pdf.money(report.income)),
        (N_("Expenses"), pdf.money(report.expense)),
        (N_("Net"), pdf.money(report.net)),
        (N_("Savings rate"), f"{rate}%" if rate is not None else "-"),
        (N_("Opening balance"), pdf.money(report.opening)),
        (N_("Closing balance"), pdf.money(report.closing)),
        (N_("Transactions"), f"{report.count:,}"),
        (N_("Expenses vs last month"), change),
    ]


def _kpis(pdf: _Pdf, report: MonthlyReport) -> None:
    width = CONTENT / 4
    top = pdf.get_y()
    for index, (name, value) in enumerate(_kpi_pairs(pdf, report)):
        x = MARGIN + (index % 4) * width
        y = top + (index // 4) * 17
        pdf.set_draw_color(220, 220, 220)
        pdf.rect(x + 1, y, width - 2, 15)
        pdf.set_xy(x + 3, y + 1.5)
        pdf.style(8, color=GREY)
        pdf.cell(width - 6, 4, pdf.say(pdf.word(name)))
        pdf.set_xy(x + 3, y + 6.5)
        pdf.style(12, bold=True)
        pdf.cell(width - 6, 6, pdf.say(value))
    pdf.set_xy(MARGIN, top + 36)


def _heading(pdf: _Pdf, text: str) -> None:
    pdf.ln(2)
    pdf.style(12, bold=True, color=ACCENT)
    pdf.cell(0, 7, pdf.say(pdf.word(text)), new_x="LMARGIN", new_y="NEXT")


def _balance_chart(pdf: _Pdf, report: MonthlyReport) -> None:
    _heading(pdf, N_("Balance, day by day"))
    path = report.balances
    if not path:
        pdf.style(9, color=GREY)
        pdf.cell(0, 6, pdf.say(pdf.word(N_("No days to show."))), new_x="LMARGIN", new_y="NEXT")
        return
    top, left, width = pdf.get_y() + 2, MARGIN + 22, CONTENT - 24
    values = [float(v) for _, v in path]
    low, high = min([*values, 0.0]), max([*values, 0.0])
    span = (high - low) or 1.0

    def y_of(value: float) -> float:
        return top + CHART_HEIGHT - (value - low) / span * CHART_HEIGHT

    pdf.set_draw_color(200, 200, 200)
    pdf.rect(left, top, width, CHART_HEIGHT)
    pdf.set_draw_color(*GREY)
    pdf.line(left, y_of(0.0), left + width, y_of(0.0))
    step = width / max(len(values) - 1, 1)
    points = [(left + i * step, y_of(v)) for i, v in enumerate(values)]
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.6)
    pdf.polyline(points)
    pdf.set_line_width(0.2)
    pdf.style(7, color=GREY)
    for value in (high, low):
        pdf.set_xy(MARGIN, y_of(value) - 2)
        pdf.cell(21, 4, pdf.money(Decimal(str(round(value, 2)))), align="R")
    pdf.set_xy(left, top + CHART_HEIGHT + 1)
    pdf.cell(width / 2, 4, f"{path[0][0]:%d/%m}")
    pdf.cell(width / 2, 4, f"{path[-1][0]:%d/%m}", align="R")
    pdf.set_xy(MARGIN, top + CHART_HEIGHT + 7)


def _table(
    pdf: _Pdf, headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float]
) -> None:
    pdf.style(8, bold=True, color=GREY)
    for header, width in zip(headers, widths, strict=True):
        shown = pdf.say(pdf.word(header))
        pdf.cell(width, 5, shown, align="R" if header in ("Amount", "Share") else "L")
    pdf.ln(5)
    pdf.style(9)
    for row in rows:
        for index, (text, width) in enumerate(zip(row, widths, strict=True)):
            numeric = headers[index] in ("Amount", "Share")
            pdf.cell(width, 5, pdf.say(_fit(pdf, text, width)), align="R" if numeric else "L")
        pdf.ln(5)


def _fit(pdf: _Pdf, text: str, width: float) -> str:
    if pdf.get_string_width(pdf.say(text)) <= width - 1:
        return text
    while text and pdf.get_string_width(pdf.say(text + "...")) > width - 1:
        text = text[:-1]
    return text + "..."


def _categories(pdf: _Pdf, report: MonthlyReport) -> None:
    _heading(pdf, N_("Spending by category"))
    if not report.categories:
        pdf.style(9, color=GREY)
        none = pdf.say(pdf.word(N_("No expenses this month.")))
        pdf.cell(0, 6, none, new_x="LMARGIN", new_y="NEXT")
        return
    biggest = float(max(c.amount for c in report.categories))
    for item in report.categories:
        y = pdf.get_y()
        pdf.style(9)
        pdf.cell(55, 5, pdf.say(_fit(pdf, item.name, 55)))
        bar = 80 * float(item.amount) / biggest if biggest else 0
        pdf.set_fill_color(*ACCENT)
        pdf.rect(MARGIN + 56, y + 1, max(bar, 0.5), 3, style="F")
        pdf.set_x(MARGIN + 138)
        pdf.cell(28, 5, pdf.money(item.amount), align="R")
        pdf.cell(14, 5, f"{item.share}%", align="R", new_x="LMARGIN", new_y="NEXT")


def _largest(pdf: _Pdf, report: MonthlyReport) -> None:
    _heading(pdf, N_("Largest expenses"))
    rows = [
        (pdf.day(e.date), e.description, e.category, pdf.money(e.amount)) for e in report.largest
    ]
    _table(
        pdf,
        (N_("Date"), N_("Description"), N_("Category"), N_("Amount")),
        rows or [("-", "", "", "")],
        (25, 85, 45, 25),
    )


def _upcoming(pdf: _Pdf, report: MonthlyReport) -> None:
    _heading(pdf, N_("Upcoming payments (next 30 days)"))
    rows = [
        (
            pdf.day(d.date),
            d.description,
            pdf.word(d.type),
            pdf.money(d.amount if d.type == "income" else -d.amount),
        )
        for d in report.upcoming
    ]
    _table(
        pdf,
        (N_("Date"), N_("Description"), N_("Type"), N_("Amount")),
        rows or [("-", pdf.word(N_("Nothing due")), "", "")],
        (25, 100, 30, 25),
    )
    if report.overdue:
        pdf.style(8, color=GREY)
        note = pdf.word(
            N_("{count} earlier payments are due and wait for the scheduler to book them.")
        ).format(count=report.overdue)
        pdf.cell(0, 6, pdf.say(note), new_x="LMARGIN", new_y="NEXT")
