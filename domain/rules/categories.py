"""The categories every new user starts with, in English and Hebrew."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FlowType = Literal["income", "expense"]
FLOW_TYPES: tuple[FlowType, ...] = ("income", "expense")


@dataclass(frozen=True)
class DefaultCategory:
    """A category of the starter set."""

    name: str
    name_he: str
    type: FlowType
    color: str
    icon: str


DEFAULT_CATEGORIES: tuple[DefaultCategory, ...] = (
    DefaultCategory("Salary", "משכורת", "income", "#2E7D32", "💼"),
    DefaultCategory("Freelance", "עבודה עצמאית", "income", "#388E3C", "🧾"),
    DefaultCategory("Benefits", "קצבאות", "income", "#43A047", "🏛️"),
    DefaultCategory("Refunds", "החזרים", "income", "#66BB6A", "↩️"),
    DefaultCategory("Other income", "הכנסה אחרת", "income", "#81C784", "➕"),
    DefaultCategory("Rent", "שכר דירה", "expense", "#C62828", "🏠"),
    DefaultCategory("Mortgage", "משכנתא", "expense", "#B71C1C", "🏦"),
    DefaultCategory("Groceries", "מכולת וסופר", "expense", "#EF6C00", "🛒"),
    DefaultCategory("Utilities", "חשבונות", "expense", "#F9A825", "💡"),
    DefaultCategory("Arnona", "ארנונה", "expense", "#FBC02D", "🏙️"),
    DefaultCategory("Transport", "תחבורה", "expense", "#1565C0", "🚌"),
    DefaultCategory("Car", "רכב", "expense", "#1976D2", "🚗"),
    DefaultCategory("Health", "בריאות", "expense", "#00838F", "🩺"),
    DefaultCategory("Education", "חינוך", "expense", "#6A1B9A", "🎓"),
    DefaultCategory("Childcare", "ילדים", "expense", "#8E24AA", "🧸"),
    DefaultCategory("Insurance", "ביטוחים", "expense", "#455A64", "🛡️"),
    DefaultCategory("Phone & internet", "טלפון ואינטרנט", "expense", "#546E7A", "📱"),
    DefaultCategory("Leisure", "פנאי", "expense", "#AD1457", "🎭"),
    DefaultCategory("Dining out", "מסעדות", "expense", "#D81B60", "🍽️"),
    DefaultCategory("Clothing", "ביגוד", "expense", "#5D4037", "👕"),
    DefaultCategory("Gifts & donations", "מתנות ותרומות", "expense", "#6D4C41", "🎁"),
    DefaultCategory("Loan payments", "החזרי הלוואות", "expense", "#37474F", "💳"),
    DefaultCategory("Other expenses", "הוצאות אחרות", "expense", "#757575", "➖"),
)
