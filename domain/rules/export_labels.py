"""Words of the exports in the user's language: sheet titles, column headers, types."""

from __future__ import annotations

from typing import Literal

Language = Literal["en", "he"]

_HE = {
    "Transactions": "תנועות",
    "Categories": "קטגוריות",
    "Fixed items": "הכנסות והוצאות קבועות",
    "Installment plans": "עסקאות תשלומים",
    "Installment schedule": "לוח תשלומים",
    "Loans": "הלוואות",
    "Loan amortization": "לוח סילוקין",
    "Forecast": "תחזית חודשית",
    "Summary": "סיכום",
    "Date": "תאריך",
    "Type": "סוג",
    "Category": "קטגוריה",
    "Amount": "סכום",
    "Description": "תיאור",
    "Notes": "הערות",
    "Currency": "מטבע",
    "Source": "מקור",
    "Name": "שם",
    "Hebrew name": "שם בעברית",
    "Parent": "קטגוריית אב",
    "Colour": "צבע",
    "Icon": "סמל",
    "Archived": "בארכיון",
    "Order": "סדר",
    "Frequency": "תדירות",
    "Day of month": "יום בחודש",
    "Start": "התחלה",
    "End": "סיום",
    "Paused": "מושהה",
    "Total": "סה״כ",
    "Payments": "מספר תשלומים",
    "First payment": "תשלום ראשון",
    "Paid": "שולם",
    "Remaining": "נותר",
    "Next date": "התאריך הבא",
    "Plan": "עסקה",
    "Number": "מספר",
    "Loan": "הלוואה",
    "Principal": "קרן",
    "Annual rate %": "ריבית שנתית %",
    "Term (months)": "תקופה (חודשים)",
    "Method": "שיטה",
    "Monthly payment": "תשלום חודשי",
    "Remaining balance": "יתרה לסילוק",
    "Payment": "תשלום",
    "Interest": "ריבית",
    "Prepayment": "פירעון מוקדם",
    "Balance": "יתרה",
    "Month": "חודש",
    "Opening": "פתיחה",
    "Income": "הכנסות",
    "Expenses": "הוצאות",
    "Net": "נטו",
    "Closing": "סגירה",
    "Lowest": "נקודה נמוכה",
    "Lowest date": "תאריך הנקודה הנמוכה",
    "Item": "פריט",
    "Value": "ערך",
    "income": "הכנסה",
    "expense": "הוצאה",
    "yes": "כן",
    "no": "לא",
}


def label(text: str, language: Language) -> str:
    """The text in the language (English is the key itself)."""
    return _HE.get(text, text) if language == "he" else text
