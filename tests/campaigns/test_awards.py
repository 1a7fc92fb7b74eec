"""Awards: experience and items for one or all of the party, in one transaction, each with its event."""

import uuid

import pytest
import sqlalchemy as sa

from webapp import rules
from webapp.extensions import db
from webapp.models import CampaignEvent, Character, EventKind, InventoryEntry, User, Visibility
from webapp.services.campaigns import awards
from webapp.services.errors import Forbidden, InvalidInput, RuleViolation


def give(actor, campaign_id, **values) -> awards.AwardResult:
    """An award as the pages and the API make it: its input read first, then given."""
    return awards.award(actor, campaign_id, awards.AwardBody.read(values))


def fresh(character: Character) -> Character:
    db.session.expire_all()
    return db.session.get(Character, character.id)


def events(kind: EventKind) -> list[CampaignEvent]:
    query = sa.select(CampaignEvent).where(CampaignEvent.kind == kind).order_by(CampaignEvent.id)
    return list(db.session.execute(query).scalars())


def test_awarding_1000_xp_to_all_levels_everyone_by_the_formula_and_logs_each(party, gm, make):
    campaign, characters = party
    characters[1].experience, characters[1].level = 250, 2
    db.session.commit()
    result = give(gm, campaign.id, experience=1000, all=True, reason="for the cellar")
    assert len(result.characters) == 3
    for character in characters:
        now = fresh(character)
        assert now.level == rules.level_for_xp(now.experience)
    assert [fresh(c).level for c in characters] == [5, 5, 5]  # 1000 → 5; 1250 → 5 (level 6 needs 1500)
    logged = events(EventKind.XP_AWARD)
    assert {e.character_id for e in logged} == {c.id for c in characters}
    assert all(e.data["experience"] == 1000 and "for the cellar" in e.body for e in logged)


def test_levels_stop_at_the_campaigns_cap(make, gm):
    campaign, (hero,) = make.party(1, gm=gm, level_cap=3)
    give(gm, campaign.id, experience=5000, character_ids=[str(hero.id)])
    assert fresh(hero).experience == 5000 and fresh(hero).level == 3


def test_a_failure_midway_through_an_award_changes_no_one(party, gm, monkeypatch):
    campaign, characters = party
    real = awards.give_experience
    calls = []

    def fail_on_the_second(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(awards, "give_experience", fail_on_the_second)
    with pytest.raises(RuntimeError):
        give(gm, campaign.id, experience=1000, all=True)
    assert len(calls) == 2
    assert [fresh(c).experience for c in characters] == [0, 0, 0]
    assert [fresh(c).level for c in characters] == [1, 1, 1]
    assert events(EventKind.XP_AWARD) == []


def test_experience_past_ten_million_for_one_member_is_awarded_to_no_one(party, gm):
    campaign, characters = party
    characters[1].experience, characters[1].level = 9_500_000, 20
    db.session.commit()
    with pytest.raises(RuleViolation) as error:
        give(gm, campaign.id, experience=1_000_000, all=True)
    assert error.value.violations == [
        rules.Violation(
            "experience",
            f"{characters[1].name} has 9,500,000 XP and can gain at most 500,000 more (the most is 10,000,000)",
        )
    ]
    assert [fresh(c).experience for c in characters] == [0, 9_500_000, 0]
    assert events(EventKind.XP_AWARD) == []


def test_an_item_too_heavy_for_one_member_is_granted_to_no_one(party, gm, make):
    campaign, characters = party
    anvil = make.item(name="Anvil", weight=45.0)
    characters[2].strength = 8  # limit 80 kg: two anvils (90 kg) are too heavy for them alone
    db.session.commit()
    with pytest.raises(RuleViolation) as error:
        give(gm, campaign.id, item_id=anvil.id, quantity=2, all=True)
    assert characters[2].name in error.value.message
    assert db.session.execute(sa.select(sa.func.count()).select_from(InventoryEntry)).scalar_one() == 0
    assert events(EventKind.ITEM_GRANT) == []


def test_granting_an_item_stacks_it_into_the_inventory_and_logs_it(party, gm, make):
    campaign, characters = party
    rope = make.item(name="Rope", weight=1.0)
    make.give(characters[0], rope, 2)
    give(gm, campaign.id, item_id=str(rope.id), quantity=3, character_ids=[characters[0].id])
    entry = db.session.get(InventoryEntry, (characters[0].id, rope.id))
    assert entry.quantity == 5
    (event,) = events(EventKind.ITEM_GRANT)
    assert event.data == {"item_id": str(rope.id), "item_name": "Rope", "quantity": 3}


def test_xp_and_an_item_together_log_two_events_per_character(party, gm, make):
    campaign, characters = party
    give(gm, campaign.id, experience=100, item_id=make.item().id, all=True)
    assert len(events(EventKind.XP_AWARD)) == len(events(EventKind.ITEM_GRANT)) == 3


def test_items_above_the_campaigns_rarity_are_refused(make, gm):
    campaign, _ = make.party(1, gm=gm, max_rarity="RARE")
    crown = make.item(name="Crown", rarity="EPIC")
    with pytest.raises(RuleViolation) as error:
        give(gm, campaign.id, item_id=crown.id, all=True)
    assert "allows up to RARE" in error.value.message


def test_a_private_homebrew_item_the_player_cannot_see_is_refused(party, gm, make):
    campaign, characters = party
    secret = make.item(owner_id=gm.id, visibility=Visibility.PRIVATE)
    with pytest.raises(RuleViolation):
        give(gm, campaign.id, item_id=secret.id, character_ids=[characters[0].id])


def test_an_item_the_gm_cannot_see_is_refused_beside_its_field_as_one_that_does_not_exist(party, gm, make):
    campaign, characters = party
    theirs = make.item(owner_id=make.user().id, visibility=Visibility.PRIVATE)
    for item_id in (theirs.id, uuid.uuid4()):
        with pytest.raises(InvalidInput) as error:
            give(gm, campaign.id, item_id=item_id, character_ids=[characters[0].id])
        assert [(v.field, v.message) for v in error.value.violations] == [("item_id", "There is no such item")]


def test_only_members_of_the_party_can_be_rewarded(party, gm, make):
    campaign, _ = party
    outsider = make.character()
    with pytest.raises(InvalidInput) as error:
        give(gm, campaign.id, experience=10, character_ids=[outsider.id])
    assert error.value.violations[0].field == "character_ids"
    assert fresh(outsider).experience == 0


def test_pending_characters_are_not_rewarded(make, gm):
    campaign, (hero,) = make.party(1, gm=gm)
    waiting = make.character()
    make.membership(campaign, waiting, status="PENDING")
    give(gm, campaign.id, experience=100, all=True)
    assert fresh(hero).experience == 100 and fresh(waiting).experience == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"all": True}, "experience"),
        ({"experience": 0, "all": True}, "experience"),
        ({"experience": 10}, "character_ids"),
        ({"experience": 10, "item_id": None, "quantity": 0, "all": True}, "quantity"),
    ],
)
def test_an_award_must_say_what_and_to_whom(party, gm, kwargs, field):
    campaign, _ = party
    with pytest.raises(InvalidInput) as error:
        give(gm, campaign.id, **kwargs)
    assert field in [v.field for v in error.value.violations]


def test_players_do_not_award_anyone(party):
    campaign, characters = party
    player = db.session.get(User, characters[0].owner_id)
    with pytest.raises(Forbidden):
        give(player, campaign.id, experience=1000, character_ids=[characters[0].id])
