"""SPEC §4, cell by cell, against the access module itself: every kind of content × role × visibility × action."""

import pytest

from tests.access.conftest import ACTIONS, ACTORS, VISIBILITIES, expected
from webapp.models import Image, Visibility
from webapp.services import access
from webapp.services.access import Action
from webapp.services.errors import Forbidden, NotFound

KINDS = ("character", "item", "race", "archetype", "skill", "perk", "tag", "campaign", "image")


def content(make, kind: str, owner, visibility: str):
    visibility = Visibility(visibility)
    if kind == "image":
        return make._save(
            Image(owner_id=owner.id, visibility=visibility, content_type="image/webp", width=1, height=1, size=1,
                  storage_key="k", thumbnail_key="t", description="")
        )
    return getattr(make, kind)(owner_id=owner.id, visibility=visibility)


def outcome(actor, action: Action, obj) -> str:
    try:
        access.check(actor, action, obj)
    except NotFound:
        return "404"
    except Forbidden:
        return "403"
    return "ok"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("actor", ACTORS)
def test_matrix(make, people, kind, visibility, actor):
    obj = content(make, kind, people["owner"], visibility)
    got = {action: outcome(people[actor], Action(action), obj) for action in ACTIONS}
    assert got == {action: expected(actor, visibility, action) for action in ACTIONS}


@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("actor", ACTORS)
def test_load_answers_like_check(make, people, actor, visibility):
    from webapp.models import Character

    obj = make.character(owner=people["owner"], visibility=visibility)
    for action in ACTIONS:
        try:
            access.load(people[actor], Character, obj.id, Action(action))
            got = "ok"
        except NotFound:
            got = "404"
        except Forbidden:
            got = "403"
        assert got == expected(actor, visibility, action), action


def test_load_of_a_malformed_or_unknown_id_is_404(people):
    import uuid

    from webapp.models import Character

    for key in ("not-a-uuid", uuid.uuid4()):
        with pytest.raises(NotFound):
            access.load(people["admin"], Character, key)


@pytest.mark.parametrize(
    "actor, visibility, allowed",
    [
        ("owner", "PUBLIC", False),  # owners choose PUBLIC or PRIVATE; HIDDEN is moderation
        ("other", "PUBLIC", False),
        ("moderator", "PUBLIC", True),
        ("moderator", "HIDDEN", True),
        ("moderator", "PRIVATE", False),
        ("admin", "PRIVATE", True),
        ("anonymous", "PUBLIC", False),
    ],
)
def test_who_may_hide(make, people, actor, visibility, allowed):
    obj = make.character(owner=people["owner"], visibility=visibility)
    assert access.may_hide(people[actor], obj) is allowed


def test_only_staff_set_or_lift_hidden(make, people):
    public = make.character(owner=people["owner"])
    hidden = make.character(owner=people["owner"], visibility="HIDDEN")
    assert not access.may_set_visibility(people["owner"], public, Visibility.HIDDEN)
    assert not access.may_set_visibility(people["owner"], hidden, Visibility.PUBLIC)
    assert access.may_set_visibility(people["owner"], public, Visibility.PRIVATE)
    assert access.may_set_visibility(people["moderator"], public, Visibility.HIDDEN)
    assert access.may_set_visibility(people["moderator"], hidden, Visibility.PUBLIC)


def test_only_the_owner_or_an_admin_chooses_public_or_private(make, people):
    """A moderator who may edit another's PUBLIC entry takes it out of sight only by hiding it, on the record."""
    public = make.character(owner=people["owner"])
    private = make.character(owner=people["owner"], visibility="PRIVATE")
    assert not access.may_set_visibility(people["moderator"], public, Visibility.PRIVATE)
    assert access.may_set_visibility(people["moderator"], public, Visibility.PUBLIC)  # no change
    assert access.may_set_visibility(people["admin"], public, Visibility.PRIVATE)
    assert access.may_set_visibility(people["owner"], private, Visibility.PUBLIC)
    assert access.visibility_refusal(people["moderator"], public, Visibility.PRIVATE, "hiding") == access.OWNER_CHOOSES
    assert access.visibility_refusal(people["owner"], public, Visibility.HIDDEN, "hiding") == "hiding"
    assert access.visibility_refusal(people["owner"], public, Visibility.PRIVATE, "hiding") is None


@pytest.mark.parametrize("actor", ACTORS)
def test_lists_show_what_the_matrix_lets_each_role_read(db, make, people, actor):
    from webapp.models import Character

    mine = {v: make.character(owner=people["owner"], visibility=v) for v in VISIBILITIES}
    query = db.select(Character.id).where(access.visible(people[actor], Character))
    seen = set(db.session.execute(query).scalars())
    assert seen == {mine[v].id for v in VISIBILITIES if expected(actor, v, "view") == "ok"}
