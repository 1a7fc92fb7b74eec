"""SPEC §4 for campaigns: the GM reads the party's sheets, members see the roster, outsiders see nothing private."""

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Campaign, Character, Membership, User, Visibility
from webapp.services import access, campaigns
from webapp.services.access import Action
from webapp.services.errors import Forbidden, NotFound


def player_of(character: Character) -> User:
    return db.session.get(User, character.owner_id)


@pytest.fixture
def private_member(party, make):
    campaign, _ = party
    hero = make.character(name="Secret Sable", visibility=Visibility.PRIVATE)
    make.membership(campaign, hero)
    return hero


def test_the_gm_reads_a_members_private_character_and_another_gm_does_not(party, gm, make, private_member):
    other_gm = make.user()
    make.campaign(owner=other_gm)
    assert access.load(gm, Character, private_member.id).id == private_member.id
    with pytest.raises(NotFound):
        access.load(other_gm, Character, private_member.id)


def test_a_pending_characters_sheet_stays_private_from_the_gm(gm, make):
    campaign = make.campaign(owner=gm)
    hero = make.character(visibility=Visibility.PRIVATE)
    make.membership(campaign, hero, status="PENDING")
    with pytest.raises(NotFound):
        access.load(gm, Character, hero.id)


def test_a_removed_characters_sheet_is_private_again(party, gm, private_member):
    campaign, _ = party
    membership = db.session.execute(sa.select(Membership).where(Membership.character_id == private_member.id))
    campaigns.remove_membership(gm, campaign.id, membership.scalar_one().id)
    with pytest.raises(NotFound):
        access.load(gm, Character, private_member.id)


def test_members_do_not_read_each_others_private_sheets(party, private_member):
    _, characters = party
    with pytest.raises(NotFound):
        access.load(player_of(characters[0]), Character, private_member.id)


def test_nobody_outside_sees_a_private_campaign(gm, make):
    campaign, characters = make.party(1, gm=gm, visibility=Visibility.PRIVATE)
    waiting = make.character()
    make.membership(campaign, waiting, status="PENDING")
    outsider = make.user()
    with pytest.raises(NotFound):
        campaigns.load_campaign(outsider, campaign.id)
    with pytest.raises(NotFound):
        campaigns.load_campaign(None, campaign.id)
    for viewer in (gm, player_of(characters[0]), player_of(waiting)):
        assert campaigns.load_campaign(viewer, campaign.id).id == campaign.id

    def listed(actor):
        return {c.id for c in db.session.execute(campaigns.campaigns_query(actor)).scalars()}

    assert campaign.id not in listed(outsider)
    assert campaign.id not in listed(None)
    assert campaign.id in listed(player_of(characters[0]))


def test_a_public_campaigns_party_is_for_its_members(party, make):
    campaign, _ = party
    assert campaigns.load_campaign(None, campaign.id).id == campaign.id
    with pytest.raises(Forbidden):
        campaigns.roster(make.user(), campaign.id)


@pytest.mark.parametrize("in_campaign", [True, False])
def test_a_character_in_a_campaign_gains_experience_only_from_its_gm(party, gm, make, in_campaign):
    campaign, characters = party
    hero = characters[0] if in_campaign else make.character()
    owner = player_of(hero)
    assert access.can(owner, Action.AWARD, hero) is not in_campaign
    assert access.can(gm, Action.AWARD, hero) is in_campaign
    assert access.can(make.user(), Action.AWARD, hero) is False
    assert access.can(player_of(characters[1]), Action.AWARD, hero) is False


def test_moderators_cannot_run_someone_elses_public_campaign(party, make):
    campaign, _ = party
    moderator = make.user(role="MODERATOR")
    assert not access.can(moderator, Action.RUN, db.session.get(Campaign, campaign.id))


def test_the_gm_sees_every_members_numbers_and_members_only_what_they_may(party, gm, private_member):
    campaign, characters = party
    as_gm = campaigns.roster(gm, campaign.id)
    assert as_gm.runs
    assert all(entry.sheet is not None for entry in as_gm.members)
    as_player = campaigns.roster(player_of(characters[0]), campaign.id)
    assert not as_player.runs
    names = {entry.character.name: entry for entry in as_player.members}
    assert "Secret Sable" in names  # the roster shows the name and level...
    assert names["Secret Sable"].sheet is None  # ...but not the private sheet
    assert names[characters[1].name].sheet is not None  # PUBLIC characters' numbers are public anyway


def test_a_pending_player_sees_only_their_own_request(gm, make):
    campaign, _ = make.party(2, gm=gm)
    waiting = make.character()
    make.membership(campaign, waiting, status="PENDING")
    view = campaigns.roster(player_of(waiting), campaign.id)
    assert view.members == [] and [m.character_id for m in view.own] == [waiting.id]
    assert [entry.character.id for entry in view.pending] == [waiting.id]


def test_the_gm_reads_a_join_requests_sheet_only_where_the_character_itself_allows(gm, make):
    campaign = make.campaign(owner=gm)
    secret = make.character(name="Secret Sable", visibility=Visibility.PRIVATE)
    open_hero = make.character(name="Open Olwen")
    for character in (secret, open_hero):
        make.membership(campaign, character, status="PENDING")
    view = campaigns.roster(gm, campaign.id)
    sheets = {entry.character.name: entry.sheet for entry in view.pending}
    assert sheets["Secret Sable"] is None and sheets["Open Olwen"] is not None
    assert {entry.character.name for entry in view.pending} == {"Secret Sable", "Open Olwen"}  # named, to answer


def test_the_dashboard_shows_a_pending_private_character_by_name_only(client, auth, gm, make):
    campaign = make.campaign(owner=gm)
    secret = make.character(name="Secret Sable", visibility=Visibility.PRIVATE)
    make.membership(campaign, secret, status="PENDING")
    auth.login(gm)
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Secret Sable" in page and f"/characters/{secret.id}" not in page and f"hp-{secret.id}" not in page
