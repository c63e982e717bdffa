"""Find texts a Streamlit page shows without passing them through the gettext function."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

# Streamlit calls (on `st`, a column, a tab, a form or a column_config) that show text.
UI_CALLS = frozenset(
    {
        "title", "header", "subheader", "caption", "write", "markdown", "text", "info",
        "success", "warning", "error", "toast", "button", "form_submit_button",
        "download_button", "link_button", "page_link", "text_input", "text_area",
        "number_input", "date_input", "time_input", "selectbox", "multiselect", "radio",
        "checkbox", "toggle", "slider", "select_slider", "file_uploader", "metric",
        "expander", "tabs", "popover", "progress", "spinner", "status", "Page", "dialog",
        "Column", "TextColumn", "NumberColumn", "SelectboxColumn", "DateColumn",
        "DatetimeColumn", "CheckboxColumn", "LinkColumn", "ProgressColumn", "ListColumn",
        "LineChartColumn", "BarChartColumn", "AreaChartColumn", "segmented_control", "pills",
    }
)  # fmt: skip
# Keyword arguments people read; the others (key, type, format, icon, mime...) are code.
TEXT_KEYWORDS = frozenset(
    {"label", "help", "placeholder", "caption", "text", "body", "title", "delta", "options"}
)


@dataclass(frozen=True)
class Bypass:
    """A literal text shown by a Streamlit call without the gettext function."""

    path: str
    line: int
    call: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.call}({self.text!r})"


def _wordy(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def _literal_texts(node: ast.expr, *, formatted: bool) -> list[str]:
    """Texts with letters written literally in an argument (not inside a call such as _())."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value] if _wordy(node.value) else []
    if isinstance(node, ast.JoinedStr):
        parts = [v.value for v in node.values if isinstance(v, ast.Constant)]
        return ["".join(str(p) for p in parts)] if any(_wordy(str(p)) for p in parts) else []
    if isinstance(node, ast.BinOp):
        return _literal_texts(node.left, formatted=formatted) + _literal_texts(
            node.right, formatted=formatted
        )
    if isinstance(node, ast.IfExp):
        return _literal_texts(node.body, formatted=formatted) + _literal_texts(
            node.orelse, formatted=formatted
        )
    if isinstance(node, ast.List | ast.Tuple) and not formatted:
        return [t for item in node.elts for t in _literal_texts(item, formatted=formatted)]
    return []


def scan_source(source: str, path: str = "<sample>") -> list[Bypass]:
    """Every literal text passed to a Streamlit display call in `source`."""
    found: list[Bypass] = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        if name not in UI_CALLS:
            continue
        # Option lists of codes are fine when a format_func turns them into words.
        formatted = any(k.arg == "format_func" for k in node.keywords)
        positional = [] if name == "Page" else list(node.args)  # a Page's first argument is a path
        args = positional + [k.value for k in node.keywords if k.arg in TEXT_KEYWORDS]
        for arg in args:
            for text in _literal_texts(arg, formatted=formatted):
                found.append(Bypass(path, node.lineno, name, text))
    return found


def scan_tree(root: Path) -> list[Bypass]:
    """Every bypass in the Python files under `root`."""
    found: list[Bypass] = []
    for path in sorted(root.rglob("*.py")):
        relative = str(path.relative_to(root.parent))
        found += scan_source(path.read_text(encoding="utf-8"), relative)
    return found
