"""Installments and loans edited and deleted in the UI, with a confirmation; viewers see neither.

Nor the Fixed page's add form.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.db.models import InstallmentPlan, Loan, Membership, User
from domain.rules.dates import local_today
from domain.services import installment_plans, loans
from tests.conftest import home_of
from tests.test_ui_ledger import _logged_in, db

__all__ = ["db"]  # the committed-data session, as a fixture of this module


def _plan(db: Session, user: User) -> InstallmentPlan:
    home = home_of(db, user)
    today = local_today(datetime.now(UTC), home.timezone)
    plan = installment_plans.create_plan(
        db,
        home,
        name="Fridge",
        total_amount=Decimal("1000.00"),
        payments_count=3,
        first_payment_date=today,
    )
    db.commit()
    return plan


def _loan(db: Session, user: User) -> Loan:
    home = home_of(db, user)
    today = local_today(datetime.now(UTC), home.timezone)
    loan = loans.create_loan(
        db,
        home,
        name="Car",
        principal=Decimal("100000.00"),
        annual_rate=Decimal("5.0"),
        term_months=12,
        first_payment_date=today,
    )
    db.commit()
    return loan


def _count(db: Session, model: type[InstallmentPlan] | type[Loan], user: User) -> int:
    db.expire_all()
    home = home_of(db, user).id
    return len(db.scalars(select(model).where(model.household_id == home)).all())


def test_an_installment_plan_is_edited_keeps_a_refused_value_and_is_deleted_after_asking(
    committed_user: User, db: Session
) -> None:
    plan = _plan(db, committed_user)
    at = _logged_in(committed_user, "installments")
    key = f"plan_edit_{plan.id}"
    assert f"{key}_total" not in {t.key for t in at.text_input}  # the form opens on asking
    at.toggle(key=f"{key}_open").set_value(True).run()
    at.text_input(key=f"{key}_total").input("12.345")
    at.button(key=f"FormSubmitter:{key}-Save changes").click().run()
    assert any("total_amount" in e.value for e in at.error)
    assert at.text_input(key=f"{key}_total").value == "12.345"
    at.text_input(key=f"{key}_total").input("1200")
    at.text_input(key=f"{key}_name").input("Big fridge")
    at.number_input(key=f"{key}_count").set_value(4)
    at.button(key=f"FormSubmitter:{key}-Save changes").click().run()
    assert not at.exception, at.exception
    db.expire_all()
    stored = db.get(InstallmentPlan, plan.id)
    assert stored is not None
    assert (stored.name, stored.total_amount, stored.payments_count) == (
        "Big fridge",
        Decimal("1200.00"),
        4,
    )
    assert at.subheader[0].value == "Big fridge"
    at.button(key=f"plan_delete_{plan.id}").click().run()
    assert any("Delete Big fridge?" in w.value for w in at.warning)
    at.button(key=f"plan_delete_{plan.id}_no").click().run()
    assert _count(db, InstallmentPlan, committed_user) == 1
    at.button(key=f"plan_delete_{plan.id}").click().run()
    at.button(key=f"plan_delete_{plan.id}_yes").click().run()
    assert not at.exception, at.exception
    assert _count(db, InstallmentPlan, committed_user) == 0
    assert any("Deleted." in s.value for s in at.success)
    assert any("No installment plans yet." in i.value for i in at.info)


def test_a_loan_is_edited_and_deleted_after_asking(committed_user: User, db: Session) -> None:
    loan = _loan(db, committed_user)
    at = _logged_in(committed_user, "loans")
    key = f"loan_edit_{loan.id}"
    at.toggle(key=f"{key}_open").set_value(True).run()
    at.number_input(key=f"{key}_term").set_value(24)
    at.text_input(key=f"{key}_rate").input("4")
    at.button(key=f"FormSubmitter:{key}-Save changes").click().run()
    assert not at.exception, at.exception
    db.expire_all()
    stored = db.get(Loan, loan.id)
    assert stored is not None
    assert (stored.term_months, stored.annual_rate) == (24, Decimal("4.00"))
    assert any("Saved." in s.value for s in at.success)
    assert not at.dataframe  # the amortization table shows on asking
    at.toggle(key=f"loan_table_{loan.id}").set_value(True).run()
    assert len(at.dataframe[0].value) == 24
    at.button(key=f"loan_delete_{loan.id}").click().run()
    assert any("Delete Car?" in w.value for w in at.warning)
    assert _count(db, Loan, committed_user) == 1
    at.button(key=f"loan_delete_{loan.id}_yes").click().run()
    assert not at.exception, at.exception
    assert _count(db, Loan, committed_user) == 0
    assert any("No loans yet." in i.value for i in at.info)


def _viewer_in(db: Session, owner: User, viewer: User) -> None:
    """`viewer` joins the owner's household as a viewer, and opens it by default."""
    home = home_of(db, owner)
    db.add(Membership(household_id=home.id, user_id=viewer.id, role="viewer"))
    row = db.get(User, viewer.id)
    assert row is not None
    row.default_household_id = home.id
    db.commit()


def test_a_viewer_sees_no_edit_delete_or_payment_controls(
    committed_people: Callable[[], User], db: Session
) -> None:
    owner, viewer = committed_people(), committed_people()
    plan, loan = _plan(db, owner), _loan(db, owner)
    _viewer_in(db, owner, viewer)
    for page, key, thing in (("installments", "plan", plan.id), ("loans", "loan", loan.id)):
        at = _logged_in(viewer, page)
        keys = {b.key for b in at.button}
        assert not {k for k in keys if k and k.startswith(f"{key}_")}, keys
        fields = {t.key for t in at.text_input}
        assert not {k for k in fields if k and k.startswith(f"{key}_")}, fields
        assert at.subheader[0].value in {"Fridge", "Car"}
        owner_view = _logged_in(owner, page)
        assert f"{key}_delete_{thing}" in {b.key for b in owner_view.button}
        # the form opens on asking, and a viewer cannot ask
        assert f"{key}_edit_{thing}_open" not in {t.key for t in at.toggle}
        owner_view.toggle(key=f"{key}_edit_{thing}_open").set_value(True).run()
        assert f"{key}_edit_{thing}_name" in {t.key for t in owner_view.text_input}


def test_a_viewer_sees_the_fixed_items_without_the_add_form(
    committed_people: Callable[[], User], db: Session
) -> None:
    owner, viewer = committed_people(), committed_people()
    _viewer_in(db, owner, viewer)
    empty = _logged_in(viewer, "fixed")
    assert not [t for t in empty.text_input if t.key and t.key.startswith("fixed_add")]
    assert [i.value for i in empty.info] == ["No fixed items yet."]
    assert "fixed_add_name" in {t.key for t in _logged_in(owner, "fixed").text_input}
