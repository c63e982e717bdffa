"""Importing a bank or card export: a dry run that shows everything, then an all-or-nothing commit.

Both read the file the same way; lines that are not transactions (titles, section headings,
totals, footers) are skipped with their reason and never block a commit. A commit writes in
the caller's unit of work only: the batch, every new row with its at-most-once key, the
remembered mapping and the learned category rules land together or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import PurePath

from sqlalchemy.orm import Session

from domain.db import imports as store
from domain.db.models import Household, ImportBatch
from domain.errors import InvalidInputError
from domain.rules.categories import FlowType
from domain.rules.import_categories import Assignment, CategoryBook, learned_rules
from domain.rules.import_files import HEADER_SEARCH_ROWS, FileKind, RawTable, read_table
from domain.rules.import_mapping import (
    SOURCE_MAX,
    ColumnMapping,
    Layout,
    default_source,
    header_names,
    locate_header,
    looks_like_data,
    mapping_from,
)
from domain.rules.import_rows import ImportRow, LineError, SkippedLine, keyed, parse_rows
from domain.rules.import_values import check_storable

CHUNK_ROWS = 5000
FILENAME_MAX = 255
SHOWN_ERRORS = 5
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Upload:
    """A file to import and the choices that come with it (all optional)."""

    data: bytes
    filename: str = ""
    mapping: ColumnMapping = field(default_factory=ColumnMapping)
    source: str | None = None
    sheet: str | None = None
    delimiter: str | None = None


@dataclass(frozen=True)
class PreviewRow:
    """A row as it would be imported."""

    line: int
    date: date
    amount: Decimal
    type: FlowType
    description: str
    notes: str
    category_id: int | None
    category: str
    duplicate: bool


@dataclass(frozen=True)
class ImportPreview:
    """What a commit of this file would do, and every problem it has, by line."""

    filename: str
    kind: FileKind
    encoding: str
    sheet: str
    delimiter: str
    source: str
    header_line: int
    columns: tuple[str, ...]
    mapping: ColumnMapping
    remembered: bool
    total_rows: int
    rows: tuple[PreviewRow, ...]
    errors: tuple[LineError, ...]
    warnings: tuple[LineError, ...]
    duplicates: int
    uncategorised: int
    skipped: tuple[SkippedLine, ...] = ()

    @property
    def new_rows(self) -> int:
        """Rows a commit would book (none while there are errors)."""
        return 0 if self.errors else len(self.rows) - self.duplicates


@dataclass(frozen=True)
class ImportResult:
    """What a commit did."""

    batch_id: int
    source: str
    total_rows: int
    imported: int
    skipped: int
    uncategorised: int
    skipped_lines: int = 0


class ImportRejectedError(InvalidInputError):
    """A file with errors on some lines: nothing is imported; `errors` lists them all."""

    def __init__(self, errors: Sequence[LineError]) -> None:
        shown = "; ".join(f"line {e.line}: {e.field}: {e.message}" for e in errors[:SHOWN_ERRORS])
        more = f" (and {len(errors) - SHOWN_ERRORS} more)" if len(errors) > SHOWN_ERRORS else ""
        count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
        super().__init__(
            errors[0].field,
            f"{count}; nothing was imported. {shown}{more}",
            index=errors[0].line,
        )
        self.errors = tuple(errors)


@dataclass(frozen=True)
class _Analysis:
    table: RawTable
    layout: Layout
    source: str
    remembered: bool
    rows: tuple[ImportRow, ...]
    errors: tuple[LineError, ...]
    total: int
    skipped: tuple[SkippedLine, ...]
    assignments: tuple[Assignment, ...]
    keys: list[tuple[str, int]]
    book: CategoryBook


def _source(upload: Upload, remembered: str | None, layout: Layout) -> str:
    check_storable("source", upload.source)
    if upload.source is None or not upload.source.strip():
        return remembered or default_source(layout.header)
    name = " ".join(upload.source.split())
    if len(name) > SOURCE_MAX:
        raise InvalidInputError("source", f"at most {SOURCE_MAX} characters")
    return name


def _analyse(session: Session, household: Household, upload: Upload, today: date) -> _Analysis:
    """Read, map and parse the file; assign categories and keys. Writes nothing."""
    table = read_table(upload.data, sheet=upload.sheet, delimiter=upload.delimiter)
    profiles = store.load_profiles(session, household.id)
    remembered = {sig: mapping_from(p.mapping) for sig, p in profiles.items()}
    layout = locate_header(table, upload.mapping, remembered)
    profile = profiles.get(layout.signature)
    parsed = parse_rows(table, layout, today)
    book = CategoryBook(
        store.active_categories(session, household.id), store.load_rules(session, household.id)
    )
    return _Analysis(
        table=table,
        layout=layout,
        source=_source(upload, profile.source if profile else None, layout),
        remembered=profile is not None,
        rows=parsed.rows,
        errors=parsed.errors,
        total=parsed.total,
        skipped=parsed.skipped,
        assignments=tuple(book.assign(row) for row in parsed.rows),
        keys=keyed(parsed.rows),
        book=book,
    )


def _warnings(analysis: _Analysis) -> tuple[LineError, ...]:
    return tuple(
        LineError(row.line, "category", a.warning)
        for row, a in zip(analysis.rows, analysis.assignments, strict=True)
        if a.warning
    )


def _existing(session: Session, household: Household, analysis: _Analysis) -> set[tuple[str, int]]:
    found: set[tuple[str, int]] = set()
    for start in range(0, len(analysis.keys), CHUNK_ROWS):
        chunk = analysis.keys[start : start + CHUNK_ROWS]
        found |= store.existing_keys(session, household.id, analysis.source, chunk)
    return found


def preview_import(
    session: Session, household: Household, upload: Upload, today: date
) -> ImportPreview:
    """The dry run: the parsed rows, duplicates marked, and every error with its line."""
    analysis = _analyse(session, household, upload, today)
    taken = _existing(session, household, analysis)
    rows = tuple(
        PreviewRow(
            row.line,
            row.date,
            row.amount,
            row.type,
            row.description,
            row.notes,
            a.category_id,
            analysis.book.label(a.category_id),
            key in taken,
        )
        for row, a, key in zip(analysis.rows, analysis.assignments, analysis.keys, strict=True)
    )
    table, layout = analysis.table, analysis.layout
    return ImportPreview(
        filename=_filename(upload.filename),
        kind=table.kind,
        encoding=table.encoding,
        sheet=table.sheet,
        delimiter=table.delimiter,
        source=analysis.source,
        header_line=layout.header_line,
        columns=layout.header,
        mapping=layout.mapping,
        remembered=analysis.remembered,
        total_rows=analysis.total,
        rows=rows,
        errors=analysis.errors,
        warnings=_warnings(analysis),
        duplicates=sum(1 for r in rows if r.duplicate),
        uncategorised=sum(1 for r in rows if r.category_id is None),
        skipped=analysis.skipped,
    )


def _filename(name: str) -> str:
    return PurePath(name.replace("\\", "/")).name[:FILENAME_MAX] if name else ""


def _insert_all(
    session: Session,
    household: Household,
    analysis: _Analysis,
    batch: ImportBatch,
    progress: Progress,
) -> tuple[int, int]:
    """Insert in chunks, reporting progress; return (new rows, new rows uncategorised)."""
    rows = [
        (key, ordinal, r.date, r.amount, r.type, a.category_id, r.description, r.notes)
        for r, a, (key, ordinal) in zip(
            analysis.rows, analysis.assignments, analysis.keys, strict=True
        )
    ]
    inserted = uncategorised = 0
    progress(0, len(rows))
    for start in range(0, len(rows), CHUNK_ROWS):
        new, bare = store.insert_rows(
            session,
            household_id=household.id,
            currency=household.currency,
            source=analysis.source,
            batch_id=batch.id,
            rows=rows[start : start + CHUNK_ROWS],
        )
        inserted, uncategorised = inserted + new, uncategorised + bare
        progress(min(start + CHUNK_ROWS, len(rows)), len(rows))
    return inserted, uncategorised


def _no_progress(done: int, total: int) -> None:
    """Progress is optional."""


def commit_import(
    session: Session,
    household: Household,
    upload: Upload,
    today: date,
    *,
    remember: bool = True,
    progress: Progress = _no_progress,
) -> ImportResult:
    """Import every row, all or nothing; rows already imported from this source are skipped.

    Refused with every line's error when any line has one. The mapping and the categories
    the file gave are remembered (unless `remember` is off) for the next file of its shape.
    """
    analysis = _analyse(session, household, upload, today)
    if analysis.errors:
        raise ImportRejectedError(analysis.errors)
    batch = ImportBatch(
        household_id=household.id,
        source=analysis.source,
        filename=_filename(upload.filename),
        row_count=len(analysis.rows),
        imported_count=0,
        skipped_count=0,
    )
    session.add(batch)
    session.flush()
    inserted, uncategorised = _insert_all(session, household, analysis, batch, progress)
    batch.imported_count, batch.skipped_count = inserted, len(analysis.rows) - inserted
    if remember:
        _remember(session, household, analysis)
    session.flush()
    return ImportResult(
        batch_id=batch.id,
        source=analysis.source,
        total_rows=len(analysis.rows),
        imported=inserted,
        skipped=len(analysis.rows) - inserted,
        uncategorised=uncategorised,
        skipped_lines=len(analysis.skipped),
    )


def _remember(session: Session, household: Household, analysis: _Analysis) -> None:
    layout = analysis.layout
    store.save_profile(
        session,
        household.id,
        signature=layout.signature,
        source=analysis.source,
        columns=layout.header,
        mapping=layout.mapping.as_dict(),
    )
    store.save_rules(session, household.id, learned_rules(analysis.rows, analysis.assignments))


def peek_columns(upload: Upload) -> tuple[str, ...]:
    """The column names a mapping can choose from, even when none was recognised."""
    table = read_table(upload.data, sheet=upload.sheet, delimiter=upload.delimiter)
    for row in table.rows[:HEADER_SEARCH_ROWS]:
        names = header_names(row)
        if len(names) > 1 and not looks_like_data(row):
            return names
    return header_names(table.rows[0])
