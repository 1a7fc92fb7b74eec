"""Who signs in, awards, joins, removes and reads a campaign's log: decided by access, by role and membership."""

import pytest
from flask_login import AnonymousUserMixin

from webapp.extensions import db
from webapp.models import Role, User
from webapp.services import access
from webapp.services.errors import Forbidden


@pytest.fixture
def table(make):
    """A campaign run by its GM with one APPROVED member, one PENDING request, and a stranger's free character."""
    gm = make.user(display_name="GM")
    campaign, (member,) = make.party(1, gm=gm)
    hopeful = make.character()
    request = make.membership(campaign, hopeful, status="PENDING")
    return {
        "gm": gm,
        "campaign": campaign,
        "member": member,
        "hopeful": hopeful,
        "request": request,
        "free": make.character(),
        "admin": make.user(role=Role.ADMIN),
        "stranger": make.user(),
    }


def player_of(character) -> User:
    return db.session.get(User, character.owner_id)


@pytest.mark.parametrize("actor", [None, AnonymousUserMixin()])
def test_an_anonymous_visitor_is_asked_to_sign_in(actor):
    assert access.user_of(actor) is None and access.user_id_of(actor) is None
    with pytest.raises(Forbidden, match="Sign in to see your images."):
        access.require_signed_in(actor, "Sign in to see your images.")


def test_a_signed_in_user_is_who_they_are(make):
    user = make.user()
    assert access.require_signed_in(user) is user and access.user_id_of(user) == user.id


@pytest.mark.parametrize(
    ("who", "character", "allowed"),
    [
        ("gm", "member", True),  # the GM awards the party
        ("admin", "member", True),
        ("owner", "member", False),  # in a campaign only its GM awards
        ("owner", "free", True),  # a free character's owner awards it
        ("gm", "free", False),
        ("stranger", "free", False),
        ("anonymous", "free", False),
    ],
)
def test_who_may_award_a_character(table, who, character, allowed):
    target = table[character]
    actor = {"owner": player_of(target), "anonymous": None}.get(who) or table.get(who)
    assert access.may_award(actor, target) is allowed


def test_may_award_takes_the_callers_word_on_the_campaign(table):
    assert access.may_award(player_of(table["free"]), table["free"], in_campaign=True) is False
    assert access.may_award(player_of(table["member"]), table["member"], in_campaign=False) is True


def test_a_player_asks_to_join_with_their_own_character_and_never_their_own_campaign(table, make):
    campaign = table["campaign"]
    player = player_of(table["free"])
    assert access.can_request_join(player, campaign, table["free"])
    assert not access.can_request_join(table["stranger"], campaign, table["free"])
    own = make.character(owner_id=table["gm"].id)
    assert not access.can_request_join(table["gm"], campaign, own)


def test_the_gm_or_the_player_removes_a_membership(table):
    campaign, request = table["campaign"], table["request"]
    assert access.can_remove_membership(table["gm"], campaign, request)
    assert access.can_remove_membership(player_of(table["hopeful"]), campaign, request)
    assert not access.can_remove_membership(table["stranger"], campaign, request)
    assert not access.can_remove_membership(player_of(table["member"]), campaign, request)


def test_the_log_is_read_by_the_gm_and_the_approved_party(table):
    campaign = table["campaign"]
    assert access.can_read_log(table["gm"], campaign)
    assert access.can_read_log(player_of(table["member"]), campaign)
    assert not access.can_read_log(player_of(table["hopeful"]), campaign)
    assert not access.can_read_log(table["stranger"], campaign)
    assert not access.can_read_log(None, campaign)
