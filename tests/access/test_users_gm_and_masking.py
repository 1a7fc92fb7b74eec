"""The "users" column of SPEC §4, the GM rule, and "[hidden]" for nested entities one may not see."""

import pytest

from webapp.models import Role
from webapp.services import access
from webapp.services.access import Action
from webapp.services.errors import Forbidden, NotFound


@pytest.fixture
def cast(make):
    return {
        "user": make.user(),
        "user2": make.user(),
        "moderator": make.user(role=Role.MODERATOR),
        "moderator2": make.user(role=Role.MODERATOR),
        "admin": make.user(role=Role.ADMIN),
        "admin2": make.user(role=Role.ADMIN),
    }


@pytest.mark.parametrize(
    "actor, target, view, edit, ban, set_role",
    [
        ("user", "user", True, True, False, False),  # own profile; nobody bans themselves or sets their own role
        ("user", "user2", False, False, False, False),
        ("moderator", "user", True, False, True, False),  # moderators ban USERs only
        ("moderator", "moderator2", True, False, False, False),
        ("moderator", "admin", True, False, False, False),
        ("admin", "user", True, True, True, True),
        ("admin", "moderator", True, True, True, True),
        ("admin", "admin2", True, False, False, False),  # all but other admins
        ("admin", "admin", True, True, False, False),
    ],
)
def test_users_column(cast, actor, target, view, edit, ban, set_role):
    me, them = cast[actor], cast[target]
    assert access.can_view_user(me, them) is view
    assert access.can_edit_user(me, them) is edit
    assert access.can_ban(me, them) is ban
    assert access.can_set_role(me, them) is set_role


def test_anonymous_sees_no_users(cast):
    assert not access.can_view_user(None, cast["user"])
    with pytest.raises(NotFound):
        access.load_user(None, cast["user"].id)


def test_a_user_looking_at_another_gets_404_and_changing_gets_403_only_when_visible(cast):
    with pytest.raises(NotFound):
        access.load_user(cast["user"], cast["user2"].id)
    with pytest.raises(Forbidden):
        access.load_user(cast["moderator"], cast["user"].id, manage=True)


def test_ban_and_role_loaders(cast):
    with pytest.raises(NotFound):
        access.load_user_to_ban(cast["user"], cast["user2"].id)
    with pytest.raises(Forbidden):
        access.load_user_to_ban(cast["moderator"], cast["moderator2"].id)
    assert access.load_user_to_ban(cast["moderator"], cast["user"].id) == cast["user"]
    with pytest.raises(Forbidden):
        access.load_user_to_promote(cast["moderator"], cast["user"].id)
    with pytest.raises(Forbidden):
        access.load_user_to_promote(cast["admin"], cast["admin"].id)


def test_gm_reads_private_characters_of_approved_members_only(make):
    gm, player = make.user(), make.user()
    campaign = make.campaign(owner=gm)
    approved = make.character(owner=player, visibility="PRIVATE")
    pending = make.character(owner=player, visibility="PRIVATE")
    outsider = make.character(owner=player, visibility="PRIVATE")
    make.membership(campaign, approved)
    make.membership(campaign, pending, status="PENDING")

    assert access.can(gm, Action.VIEW, approved)
    assert access.can(gm, Action.AWARD, approved)
    assert not access.can(gm, Action.EDIT, approved)
    assert not access.can(gm, Action.DELETE, approved)
    for character in (pending, outsider):
        assert not access.can(gm, Action.VIEW, character)
        assert not access.can(gm, Action.AWARD, character)


def test_gm_loses_access_when_the_membership_ends(make, db):
    gm = make.user()
    character = make.character(visibility="PRIVATE")
    membership = make.membership(make.campaign(owner=gm), character)
    membership.active = False
    db.session.commit()
    assert not access.can(gm, Action.VIEW, character)


def test_hidden_nested_entities_show_as_hidden_to_those_who_cannot_see_them(make):
    owner, stranger = make.user(), make.user()
    moderator = make.user(role=Role.MODERATOR)
    race = make.race(owner_id=owner.id, name="Shadowkin", description="Secret lore", visibility="HIDDEN")
    assert access.shown_name(stranger, race) == "[hidden]"
    assert access.shown_description(None, race) == "[hidden]"
    assert access.nested(stranger, race) == {
        "id": race.id, "name": "[hidden]", "description": "[hidden]", "hidden": True
    }
    assert access.shown_name(owner, race) == "Shadowkin"
    assert access.shown_name(moderator, race) == "Shadowkin"
    assert access.nested(moderator, race)["description"] == "Secret lore"


def test_public_nested_entities_show_their_name(make):
    race = make.race(name="Dwarf")
    assert access.shown_name(None, race) == "Dwarf"
    assert access.nested(None, race)["hidden"] is False


def test_personal_tokens_never_manage_credentials():
    with pytest.raises(Forbidden):
        access.require_account_credential("token")
    for via in ("session", "jwt"):
        access.require_account_credential(via)


def test_only_staff_reach_admin_and_only_admins_do_admin_things(cast):
    with pytest.raises(NotFound):
        access.require_staff(cast["user"])
    with pytest.raises(NotFound):
        access.require_staff(None)
    assert access.require_staff(cast["moderator"]) == cast["moderator"]
    with pytest.raises(Forbidden):
        access.require_admin(cast["moderator"])
    assert access.require_admin(cast["admin"]) == cast["admin"]
