"""The domain's fixed messages, marked for the catalog so adapters can show them translated.

Errors carry English text (logs and the API's default); the API answers in the language
of `Accept-Language` by looking the text up in the catalog (api/errors.py), and the UI the
same way through its gettext function. A message built with values (a count, a limit)
stays English.
"""

from __future__ import annotations

from domain.i18n import N_

# Job-run statuses and the dashboard's health texts (domain/services/dashboard.py), as shown.
SHOWN: tuple[str, ...] = (
    N_("ok"),
    N_("running"),
    N_("partial"),
    N_("failed"),
    N_("skipped"),
    N_(
        "score = 40 x min(savings rate / 20%, 1) + 30 x min(buffer months / 3, 1) "
        "+ 20 x (1 - min(max(debt ratio - 10%, 0) / 30%, 1)) + 10 if the forecast stays above "
        "the warning level; savings rate = net / income over the last 3 whole months; buffer "
        "months = current balance / average monthly expenses; debt ratio = monthly installment "
        "and loan payments / average monthly income"
    ),
    N_(
        "Not enough data yet: the score needs income or expenses recorded in the last 3 whole "
        "months."
    ),
)

MESSAGES: tuple[str, ...] = (
    N_("incorrect username or password"),
    N_("must be '.' or ','"),
    N_("must be 'income' or 'expense'"),
    N_("choose the column that holds the date"),
    N_("choose an amount column or debit and credit"),
    N_("choose the amount column, or the debit and credit columns"),
    N_("must not contain a NUL character (\\u0000) or a lone surrogate"),
    N_("must be a decimal amount"),
    N_("must be greater than zero"),
    N_("at most 2 decimal places"),
    N_("must be a 3-letter ISO code such as ILS"),
    N_("must be 0 to 100 percent"),
    N_("must be 1 to 31"),
    N_("must be 'spitzer' or 'equal_principal'"),
    N_("amounts must be finite"),
    N_("send amounts as decimal strings, not floating-point numbers"),
    N_("send amounts as decimal strings such as '1234.50'"),
    N_("must be a decimal string such as '1234.50' (at most 2 places)"),
    N_("not a decimal number"),
    N_("must not be before the start date"),
    N_("token expired"),
    N_("invalid token"),
    N_("alert not found"),
    N_("must be a future day"),
    N_("too many failed attempts; try again later"),
    N_("token revoked"),
    N_("refresh token reused; all sessions ended"),
    N_("is not the current password"),
    N_("a balance cannot be recorded for a future day"),
    N_("no balance recorded yet: record one first"),
    N_("category not found"),
    N_("must look like #RRGGBB"),
    N_("must be a category of the same type"),
    N_("each id may appear once"),
    N_("no such category"),
    N_("the category is archived"),
    N_("an active category with this name exists"),
    N_("a category cannot be its own parent"),
    N_("must not be before date_from"),
    N_("applies to monthly, quarterly and yearly items"),
    N_("must be after the pause starts"),
    N_("the item is already paused"),
    N_("the item is not paused"),
    N_("must not be in the past"),
    N_("must be 'shorten_term' or 'lower_payment'"),
    N_("scenario not found"),
    N_("every payment is already recorded"),
    N_("is not a field that can be set here"),
    N_("no payment has been recorded"),
    N_("this payment was recorded by another call just now"),
    N_("transaction not found"),
    N_("cannot be changed"),
    N_("must not be negative"),
    N_("not a known timezone, such as Asia/Jerusalem"),
    N_("must be 1 to 36"),
    N_("must be 'en' or 'he'"),
    N_("must be 'sunday' or 'monday'"),
    N_("must be above 0 and at most 10"),
    N_("is not a setting"),
    N_("must not be above the warning threshold"),
    N_("3 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"),
    N_("user not found"),
    N_("username is taken"),
    N_("not authenticated"),
    N_("give a scenario id or operations"),
    N_("not found (deleted meanwhile)"),
    N_("internal server error"),
    N_("Field required"),
    N_("Input should be a valid integer, unable to parse string as an integer"),
    N_("Input should be a valid date or datetime, input is too short"),
    N_("Input should be a valid string"),
    N_("Input should be a valid boolean, unable to interpret input"),
    N_("Extra inputs are not permitted"),
    N_("JSON decode error"),
    N_("at least 8 bytes"),
    # Accounts, cards and transfers (domain/services/accounts.py, transfers.py, statements.py).
    N_("a card is charged to a bank account"),
    N_("a credit card needs it"),
    N_("account not found"),
    N_("cards are charged to this account"),
    N_("cards are charged to this account: archive or move them first"),
    N_("must be a bank account"),
    N_("must be zero or more"),
    N_("must be zero or more, at most 13 digits"),
    N_("must differ from the account it leaves"),
    N_("must list each of the household's accounts once"),
    N_("no such account"),
    N_("only a card has it"),
    N_("only a credit card has it"),
    N_("only a credit card has statements"),
    N_("only between accounts in different currencies"),
    N_("the account holds transactions or sources: archive it instead"),
    N_("the account is archived"),
    N_("the default account cannot be archived: choose another default first"),
    N_("the default account cannot be deleted"),
    N_("the default account stays a bank account"),
    N_("the default must be an open bank account"),
    N_("transfer not found"),
)
