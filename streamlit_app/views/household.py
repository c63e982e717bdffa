"""The household page: who is in it and with what role, invitations, and the owner's choices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import streamlit as st

from domain.i18n import N_
from domain.rules.roles import INVITABLE, MANAGE_MEMBERS, OWN, allows
from domain.services import households, invitations
from domain.services.households import Scope
from streamlit_app.db import settings, transaction
from streamlit_app.i18n import _, show_date, show_table
from streamlit_app.session import HOUSEHOLD, load_user, require_user_id
from streamlit_app.views.forms import run_action

ROLE_WORDS = {
    "owner": N_("owner"),
    "admin": N_("admin"),
    "member": N_("member"),
    "viewer": N_("viewer"),
}
NEW_CODE = "household_new_code"  # an invitation code, shown once after it is made


def role_word(role: str) -> str:
    """A role as the reader's word."""
    return _(ROLE_WORDS.get(role, role))


def _act(action: Callable[[], Any], success: str) -> bool:
    """Run a person's call (the services check the role); show its refusal or success."""
    return run_action(action, success, money=False)


def _scope(session: Any, user_id: int) -> Scope:
    return households.open_scope(session, load_user(session, user_id), st.session_state[HOUSEHOLD])


def _yours(user_id: int) -> None:
    st.subheader(_("Your households"))
    with transaction() as session:
        user = load_user(session, user_id)
        rows = [
            {"name": h.name, "role": role_word(role), "default": h.id == user.default_household_id}
            for h, role in households.memberships_of(session, user)
        ]
    show_table(
        pd.DataFrame(rows), {"name": N_("Name"), "role": N_("Role"), "default": N_("Default")}
    )
    with st.form("household_new", clear_on_submit=True):
        name = st.text_input(_("New household's name"), key="household_new_name")
        if st.form_submit_button(_("Start a new household")):

            def start() -> None:
                with transaction() as session:
                    made = households.create_household(
                        session, settings(), load_user(session, user_id), name=name
                    )
                    st.session_state[HOUSEHOLD] = made.id

            if _act(start, _("Household started.")):
                st.rerun()


def _invitations_for_you(user_id: int) -> None:
    with transaction() as session:
        waiting = invitations.my_invitations(
            session, load_user(session, user_id), datetime.now(UTC)
        )
    st.subheader(_("Invitations for you"))
    if not waiting:
        st.caption(_("No invitation is waiting for you."))
    for invitation in waiting:
        cols = st.columns([3, 1, 1])
        cols[0].write(
            _("{who} invites you to {household} as {role}.").format(
                who=invitation.invited_by or "?",
                household=invitation.household_name,
                role=role_word(invitation.role),
            )
        )
        if cols[1].button(_("Accept"), key=f"accept_{invitation.id}", type="primary"):
            _answer(user_id, invitation.id, accept=True)
        if cols[2].button(_("Decline"), key=f"decline_{invitation.id}"):
            _answer(user_id, invitation.id, accept=False)
    with st.form("household_redeem", clear_on_submit=True):
        code = st.text_input(_("Invitation code"), key="household_code")
        if st.form_submit_button(_("Join with a code")):

            def redeem() -> None:
                with transaction() as session:
                    joined = invitations.redeem_code(
                        session, load_user(session, user_id), code, datetime.now(UTC)
                    )
                    st.session_state[HOUSEHOLD] = joined.household_id

            if _act(redeem, _("You joined the household.")):
                st.rerun()


def _answer(user_id: int, invitation_id: int, *, accept: bool) -> None:
    def answer() -> None:
        with transaction() as session:
            user, now = load_user(session, user_id), datetime.now(UTC)
            if accept:
                joined = invitations.accept_invitation(session, user, invitation_id, now)
                st.session_state[HOUSEHOLD] = joined.household_id
            else:
                invitations.decline_invitation(session, user, invitation_id, now)

    if _act(answer, _("You joined the household.") if accept else _("Invitation declined.")):
        st.rerun()


def _members(user_id: int) -> None:
    with transaction() as session:
        scope = _scope(session, user_id)
        people = households.list_members(session, scope)
        role, name = scope.role, scope.household.name
    st.subheader(_("Members of {household}").format(household=name))
    st.caption(_("Your role: {role}").format(role=role_word(role)))
    frame = pd.DataFrame(
        [
            {
                "name": p.display_name,
                "username": p.username,
                "role": role_word(p.role),
                "joined": show_date(p.joined_at.date()),
                "two_factor": p.two_factor,
            }
            for p in people
        ]
    )
    show_table(
        frame,
        {
            "name": N_("Name"),
            "username": N_("Username"),
            "role": N_("Role"),
            "joined": N_("Joined"),
            "two_factor": N_("Two-factor login"),
        },
    )
    if allows(role, MANAGE_MEMBERS):
        _manage(user_id, [p for p in people if p.role != OWN and p.user_id != user_id])
        _invite(user_id)
    if role == OWN:
        _owner(user_id, [p for p in people if p.user_id != user_id])
    else:
        _leave(user_id)


def _manage(user_id: int, others: list[households.Member]) -> None:
    if not others:
        return
    with st.form("household_role"):
        st.write(_("Change a member's role"))
        cols = st.columns(2)
        names = {p.user_id: f"{p.display_name} ({p.username})" for p in others}
        person = cols[0].selectbox(_("Member"), list(names), format_func=names.__getitem__)
        role = cols[1].selectbox(_("Role"), list(INVITABLE), format_func=role_word)
        change, remove = st.columns(2)
        if change.form_submit_button(_("Change role")):

            def set_role() -> None:
                with transaction() as session:
                    households.change_role(session, _scope(session, user_id), int(person), role)

            _act(set_role, _("Role changed."))
        if remove.form_submit_button(_("Remove from the household")):

            def drop() -> None:
                with transaction() as session:
                    households.remove_member(
                        session, settings(), _scope(session, user_id), int(person)
                    )

            _act(drop, _("Removed from the household."))


def _invite(user_id: int) -> None:
    st.write(_("Invite someone"))
    with st.form("household_invite", clear_on_submit=True):
        cols = st.columns(2)
        username = cols[0].text_input(
            _("Username (leave empty for a code to share)"), key="household_invitee"
        )
        role = cols[1].selectbox(_("Role"), list(INVITABLE), index=1, format_func=role_word)
        if st.form_submit_button(_("Invite"), type="primary"):

            def invite() -> None:
                with transaction() as session:
                    scope, now = _scope(session, user_id), datetime.now(UTC)
                    if username.strip():
                        invitations.invite_person(session, scope, username, role, now)
                    else:
                        made = invitations.invite_by_code(session, scope, role, now)
                        st.session_state[NEW_CODE] = made.code

            _act(invite, _("Invitation sent."))
    if code := st.session_state.get(NEW_CODE):
        st.info(_("Share this code; it works once, for 7 days, and is not shown again:"))
        st.code(code, language=None)
    _open_invitations(user_id)


def _open_invitations(user_id: int) -> None:
    with transaction() as session:
        found = invitations.household_invitations(
            session, _scope(session, user_id), datetime.now(UTC)
        )
    if not found:
        return
    st.write(_("Open invitations"))
    for invitation in found:
        cols = st.columns([3, 1])
        cols[0].write(
            _("{who} as {role}, until {day}").format(
                who=invitation.invitee or _("anyone with the code"),
                role=role_word(invitation.role),
                day=show_date(invitation.expires_at.date()),
            )
        )
        if cols[1].button(_("Withdraw"), key=f"revoke_{invitation.id}"):

            def revoke(chosen: int = invitation.id) -> None:
                with transaction() as session:
                    invitations.revoke_invitation(
                        session, _scope(session, user_id), chosen, datetime.now(UTC)
                    )

            if _act(revoke, _("Invitation withdrawn.")):
                st.rerun()


def _owner(user_id: int, others: list[households.Member]) -> None:
    st.subheader(_("Owner's choices"))
    with transaction() as session:
        required = _scope(session, user_id).household.require_two_factor
    wanted = st.toggle(_("Require two-factor login of every member"), value=required)
    if wanted != required:

        def rule() -> None:
            with transaction() as session:
                households.set_two_factor_rule(session, _scope(session, user_id), required=wanted)

        if _act(rule, _("Saved.")):
            st.rerun()
    if others:
        with st.form("household_transfer"):
            names = {p.user_id: f"{p.display_name} ({p.username})" for p in others}
            heir = st.selectbox(_("New owner"), list(names), format_func=names.__getitem__)
            if st.form_submit_button(_("Transfer ownership")):

                def transfer() -> None:
                    with transaction() as session:
                        households.transfer_ownership(session, _scope(session, user_id), int(heir))

                if _act(transfer, _("Ownership transferred; you are an admin now.")):
                    st.rerun()
    with st.form("household_delete"):
        sure = st.checkbox(_("I understand: this deletes the household and all its money."))
        if st.form_submit_button(_("Delete the household")) and sure:

            def remove() -> None:
                with transaction() as session:
                    households.delete_household(session, settings(), _scope(session, user_id))
                st.session_state.pop(HOUSEHOLD, None)

            if _act(remove, _("Household deleted.")):
                st.rerun()


def _leave(user_id: int) -> None:
    with st.form("household_leave"):
        sure = st.checkbox(_("I want to leave this household."))
        if st.form_submit_button(_("Leave the household")) and sure:

            def leave() -> None:
                with transaction() as session:
                    households.leave_household(session, settings(), _scope(session, user_id))
                st.session_state.pop(HOUSEHOLD, None)

            if _act(leave, _("You left the household.")):
                st.rerun()


def household_page() -> None:
    """Render the household page."""
    user_id = require_user_id()
    st.title(_("Household"))
    if st.session_state.get(HOUSEHOLD) is not None:
        _members(user_id)
    _invitations_for_you(user_id)
    _yours(user_id)
