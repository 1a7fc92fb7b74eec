"""Creating, editing, inviting, joining, approving, removing, leaving and archiving campaigns."""

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import CampaignEvent, CampaignStatus, EventKind, Membership, MembershipStatus, Visibility
from webapp.services import campaigns
from webapp.services.errors import Conflict, Forbidden, InvalidInput, NotFound, RuleViolation


def new_campaign(**values) -> campaigns.CampaignCreate:
    """A new campaign's input from flat values, as a form sends them: details, and the rules beside them."""
    rules = {key: values.pop(key) for key in campaigns.RULE_FIELDS if key in values}
    return campaigns.CampaignCreate.read({**values, "rules": rules})


def note(body: str) -> campaigns.NoteBody:
    return campaigns.NoteBody.read({"body": body})


def kinds(campaign) -> list[EventKind]:
    query = sa.select(CampaignEvent.kind).where(CampaignEvent.campaign_id == campaign.id).order_by(CampaignEvent.id)
    return list(db.session.execute(query).scalars())


def test_creating_a_campaign_gives_it_an_invite_code_rules_and_a_first_event(gm, make):
    elf = make.race(name="Elf")
    campaign = campaigns.create_campaign(
        gm,
        new_campaign(
            name="  The   Sunken Keep ",
            description="Bring rope.",
            visibility="PRIVATE",
            level_cap=5,
            allowed_race_ids=[str(elf.id)],
            max_rarity="RARE",
            point_budget=20,
        ),
    )
    assert campaign.name == "The Sunken Keep"
    assert campaign.owner_id == gm.id and campaign.visibility == Visibility.PRIVATE
    assert len(campaign.invite_code) == 12
    assert [race.name for race in campaign.allowed_races] == ["Elf"]
    assert campaigns.rules_of(campaign).effective_level_cap == 5
    assert kinds(campaign) == [EventKind.CREATED]


def test_campaign_names_are_unique_per_gm_only(gm, make):
    campaigns.create_campaign(gm, new_campaign(name="Keep"))
    with pytest.raises(InvalidInput) as error:
        campaigns.create_campaign(gm, new_campaign(name="Keep"))
    assert error.value.violations[0].field == "name"
    assert campaigns.create_campaign(make.user(), new_campaign(name="Keep")).name == "Keep"


@pytest.mark.parametrize(
    ("field", "value"),
    [("level_cap", 0), ("level_cap", 21), ("point_budget", 55), ("max_rarity", "MYTHIC"), ("name", "x" * 101)],
)
def test_campaign_values_out_of_range_are_refused_beside_their_field(gm, field, value):
    values = {"name": "Keep", field: value}
    with pytest.raises(InvalidInput) as error:
        campaigns.create_campaign(gm, new_campaign(**values))
    assert [v.field for v in error.value.violations] == [field]


def test_a_private_race_of_someone_else_cannot_be_allowed(gm, make):
    secret = make.race(owner_id=make.user().id, visibility=Visibility.PRIVATE)
    with pytest.raises(InvalidInput) as error:
        campaigns.create_campaign(gm, new_campaign(name="Keep", allowed_race_ids=[str(secret.id)]))
    assert error.value.violations[0].field == "allowed_race_ids"


def test_editing_rules_logs_what_changed(party, gm):
    campaign, _ = party
    changes = campaigns.CampaignPatch.read({"rules": {"level_cap": 4}, "description": "Wet."})
    updated = campaigns.update_campaign(gm, campaign.id, changes)
    assert updated.level_cap == 4
    event = db.session.execute(
        sa.select(CampaignEvent).where(CampaignEvent.kind == EventKind.RULES_CHANGED)
    ).scalar_one()
    assert "Level cap: any → 4" in event.body
    assert set(event.data["changed"]) == {"level_cap", "description"}


def test_only_the_gm_edits_a_campaign(party, make):
    campaign, characters = party
    member = db.session.get(type(characters[0]), characters[0].id)
    player = db.session.get(type(make.user()), member.owner_id)
    with pytest.raises(Forbidden):
        campaigns.update_campaign(player, campaign.id, campaigns.CampaignPatch.read({"name": "Mine now"}))


def test_a_player_asks_to_join_with_a_code_and_the_gm_approves(gm, make):
    campaign = make.campaign(owner=gm, level_cap=3)
    hero = make.character(experience=1000, level=5)
    player = db.session.get(type(gm), hero.owner_id)
    membership = campaigns.request_join(player, campaign.invite_code, str(hero.id))
    assert membership.status == MembershipStatus.PENDING and membership.active
    approved = campaigns.approve_membership(gm, campaign.id, membership.id)
    assert approved.status == MembershipStatus.APPROVED and approved.joined_at is not None
    assert approved.character.level == 3  # the campaign's cap now applies to the stored level
    assert kinds(campaign) == [EventKind.JOIN_REQUESTED, EventKind.JOINED]


def an_orc_with_a_full_build_asks_to_join(gm, make):
    """A campaign for Elves on 20 points, and a PENDING Orc bought on 27: two reasons to think twice."""
    elf, orc = make.race(name="Elf"), make.race(name="Orc")
    campaign = make.campaign(owner=gm, point_budget=20, allowed_races=[elf])
    hero = make.character(name="Grusk", race=orc, visibility=Visibility.PRIVATE, **make.point_buy())
    player = db.session.get(type(gm), hero.owner_id)
    membership = campaigns.request_join(player, campaign.invite_code, hero.id)
    return campaign, hero, membership


def test_a_request_that_breaks_the_rules_carries_its_verdict_to_the_gm(gm, make):
    campaign, hero, membership = an_orc_with_a_full_build_asks_to_join(gm, make)
    (request,) = campaigns.roster(gm, campaign.id).pending
    assert [(v.field, v.message) for v in request.violations] == [
        ("race_id", "Orc is not a race this campaign allows"),
        ("attributes", "The base scores cost 27 points; the budget is 20"),
    ]
    assert campaigns.roster(db.session.get(type(gm), hero.owner_id), campaign.id).pending[0].violations is None


def test_approving_a_request_that_breaks_the_rules_needs_the_gm_to_accept_every_reason(gm, make):
    campaign, hero, membership = an_orc_with_a_full_build_asks_to_join(gm, make)
    with pytest.raises(RuleViolation) as refused:
        campaigns.approve_membership(gm, campaign.id, membership.id)
    assert [v.field for v in refused.value.violations] == ["race_id", "attributes"]
    db.session.expire_all()
    assert db.session.get(Membership, membership.id).status == MembershipStatus.PENDING
    assert kinds(campaign) == [EventKind.JOIN_REQUESTED]

    approved = campaigns.approve_membership(gm, campaign.id, membership.id, accept_violations=True)
    assert approved.status == MembershipStatus.APPROVED
    joined = db.session.execute(sa.select(CampaignEvent).where(CampaignEvent.kind == EventKind.JOINED)).scalar_one()
    assert joined.body == (
        "Grusk joined the party, approved despite the campaign's rules: Orc is not a race this campaign allows; "
        "The base scores cost 27 points; the budget is 20."
    )
    assert [v["field"] for v in joined.data["accepted_violations"]] == ["race_id", "attributes"]


def test_a_request_within_the_rules_joins_without_any_acknowledgement(gm, make):
    campaign = make.campaign(owner=gm, point_budget=27)
    hero = make.character(name="Brannoc", **make.point_buy())
    membership = campaigns.request_join(db.session.get(type(gm), hero.owner_id), campaign.invite_code, hero.id)
    campaigns.approve_membership(gm, campaign.id, membership.id)
    joined = db.session.execute(sa.select(CampaignEvent).where(CampaignEvent.kind == EventKind.JOINED)).scalar_one()
    assert joined.body == "Brannoc joined the party." and "accepted_violations" not in joined.data


def test_a_character_is_in_one_active_campaign_at_a_time(party, make):
    _, characters = party
    player = db.session.get(type(make.user()), characters[0].owner_id)
    other = make.campaign()
    with pytest.raises(RuleViolation) as error:
        campaigns.request_join(player, other.invite_code, characters[0].id)
    assert "one campaign at a time" in error.value.message


def test_asking_twice_is_a_conflict(gm, make):
    campaign = make.campaign(owner=gm)
    hero = make.character()
    player = db.session.get(type(gm), hero.owner_id)
    campaigns.request_join(player, campaign.invite_code, hero.id)
    with pytest.raises(Conflict):
        campaigns.request_join(player, campaign.invite_code, hero.id)


def test_nobody_joins_with_someone_elses_character(gm, make):
    campaign = make.campaign(owner=gm)
    public_hero = make.character()
    private_hero = make.character(visibility=Visibility.PRIVATE)
    stranger = make.user()
    with pytest.raises(Forbidden):
        campaigns.request_join(stranger, campaign.invite_code, public_hero.id)
    with pytest.raises(NotFound):
        campaigns.request_join(stranger, campaign.invite_code, private_hero.id)


def test_the_gm_does_not_join_their_own_campaign(gm, make):
    campaign = make.campaign(owner=gm)
    with pytest.raises(Forbidden):
        campaigns.request_join(gm, campaign.invite_code, make.character(owner=gm).id)


def test_rotating_the_invite_code_retires_the_old_one(gm, make):
    campaign = make.campaign(owner=gm)
    old = campaign.invite_code
    rotated = campaigns.rotate_invite_code(gm, campaign.id)
    assert rotated.invite_code != old
    with pytest.raises(NotFound):
        campaigns.find_by_invite_code(old)
    assert campaigns.find_by_invite_code(rotated.invite_code).id == campaign.id
    assert kinds(campaign) == [EventKind.INVITE_ROTATED]


def test_the_gm_rejects_a_request_and_removes_a_member(party, gm, make):
    campaign, characters = party
    newcomer = make.character()
    player = db.session.get(type(gm), newcomer.owner_id)
    request = campaigns.request_join(player, campaign.invite_code, newcomer.id)
    campaigns.remove_membership(gm, campaign.id, request.id)
    member = db.session.execute(sa.select(Membership).where(Membership.character_id == characters[0].id)).scalar_one()
    campaigns.remove_membership(gm, campaign.id, member.id)
    assert not member.active
    assert kinds(campaign)[-2:] == [EventKind.REJECTED, EventKind.REMOVED]
    # Once rejected, the player may ask again: the old row comes back as a new request.
    again = campaigns.request_join(player, campaign.invite_code, newcomer.id)
    assert again.id == request.id and again.status == MembershipStatus.PENDING


def test_a_player_leaves_and_their_level_is_no_longer_capped(make, gm):
    campaign, (hero,) = make.party(1, gm=gm, level_cap=2)
    hero.experience, hero.level = 1000, 2
    db.session.commit()
    player = db.session.get(type(gm), hero.owner_id)
    membership = db.session.execute(sa.select(Membership)).scalar_one()
    campaigns.remove_membership(player, campaign.id, membership.id)
    assert hero.level == 5
    assert kinds(campaign) == [EventKind.LEFT]


def test_other_members_cannot_remove_each_other(party, make):
    campaign, characters = party
    other_player = db.session.get(type(make.user()), characters[1].owner_id)
    membership = db.session.execute(
        sa.select(Membership).where(Membership.character_id == characters[0].id)
    ).scalar_one()
    with pytest.raises(Forbidden):
        campaigns.remove_membership(other_player, campaign.id, membership.id)


def test_archiving_frees_every_character_and_freezes_the_campaign(party, gm):
    campaign, characters = party
    code = campaign.invite_code
    archived = campaigns.archive_campaign(gm, campaign.id)
    assert archived.status == CampaignStatus.ARCHIVED
    assert not any(m.active for m in db.session.execute(sa.select(Membership)).scalars())
    with pytest.raises(NotFound):
        campaigns.find_by_invite_code(code)
    with pytest.raises(Conflict):
        campaigns.add_note(gm, campaign.id, note("Too late"))
    assert kinds(campaign)[-1] == EventKind.ARCHIVED


def test_deleting_a_campaign_keeps_its_characters(party, gm):
    campaign, characters = party
    campaigns.delete_campaign(gm, campaign.id)
    assert db.session.execute(sa.select(sa.func.count(Membership.id))).scalar_one() == 0
    assert all(db.session.get(type(c), c.id) is not None for c in characters)


def test_campaign_rules_for_a_character_in_a_campaign(make, gm):
    campaign, (hero,) = make.party(1, gm=gm, level_cap=4, point_budget=20, max_rarity="RARE")
    found = campaigns.campaign_rules_for(hero)
    assert (found.level_cap, found.point_budget, found.max_rarity) == (4, 20, "RARE")
    assert campaigns.campaign_rules_for(make.character()) is None
    pending = make.character()
    make.membership(campaign, pending, status="PENDING")
    assert campaigns.campaign_rules_for(pending.id) is None


def test_notes_are_for_the_gm_and_must_say_something(party, gm, make):
    campaign, characters = party
    written = campaigns.add_note(gm, campaign.id, note("**Bring** rope"))
    assert written.kind == EventKind.NOTE and written.actor.id == gm.id
    with pytest.raises(InvalidInput):
        campaigns.add_note(gm, campaign.id, note("   "))
    player = db.session.get(type(gm), characters[0].owner_id)
    with pytest.raises(Forbidden):
        campaigns.add_note(player, campaign.id, note("I am the GM now"))
