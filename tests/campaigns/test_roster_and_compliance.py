"""The roster's numbers and cost, and the compliance report."""

import pytest

from webapp.extensions import db
from webapp.models import User, Visibility
from webapp.services import campaigns
from webapp.services.errors import Forbidden


def test_the_roster_shows_level_health_and_load_under_the_campaigns_cap(make, gm):
    campaign, (hero,) = make.party(1, gm=gm, level_cap=2)
    hero.experience, hero.level = 1000, 2
    make.give(hero, make.item(weight=3.5), 2)
    (entry,) = campaigns.roster(gm, campaign.id).members
    assert entry.sheet.level == 2
    assert entry.sheet.load.value == 7.0
    assert entry.sheet.max_health.value > 0


@pytest.mark.parametrize("viewer", ["gm", "member"])
def test_the_roster_costs_the_same_queries_whatever_the_party_size(make, queries, viewer):
    counts = []
    for size in (2, 6):
        gm = make.user()
        campaign, characters = make.party(size, gm=gm)
        for character in characters:
            make.give(character, make.item(), 1)
            make.equip(character, make.item(slot="HEAD"), "head")
            character.visibility = Visibility.PRIVATE
        make.membership(campaign, make.character(), status="PENDING")
        db.session.commit()
        actor = gm if viewer == "gm" else db.session.get(User, characters[0].owner_id)
        db.session.expire_all()
        with queries:
            view = campaigns.roster(actor, campaign.id)
            _ = view.version
        counts.append(queries.count)
    assert counts[0] == counts[1]


def test_the_roster_version_changes_with_what_it_shows(party, gm, make):
    campaign, characters = party
    before = campaigns.roster(gm, campaign.id).version
    assert campaigns.roster(gm, campaign.id).version == before
    make.give(characters[0], make.item(weight=2.0), 1)
    db.session.expire_all()
    assert campaigns.roster(gm, campaign.id).version != before


def test_a_lower_cap_is_no_breach_in_itself_but_gear_above_the_capped_level_is(make, gm):
    campaign, characters = make.party(4, gm=gm)
    for character, xp in zip(characters, (0, 300, 600, 1500), strict=True):  # levels 1, 3, 4, 6
        character.experience = xp
    boots = make.item(name="Seven-League Boots", slot="FEET", required_level=6)
    make.give(characters[3], boots)
    make.equip(characters[3], boots, "feet")
    _, report = campaigns.compliance_report(gm, campaign.id)
    assert report == []
    campaigns.update_campaign(gm, campaign.id, campaigns.CampaignPatch.read({"rules": {"level_cap": 3}}))
    _, (entry,) = campaigns.compliance_report(gm, campaign.id)
    assert entry.character.id == characters[3].id
    assert [v.message for v in entry.violations] == [
        f"Seven-League Boots needs level 6; {characters[3].name} is level 3 in this campaign"
    ]


def test_the_report_gives_every_reason_a_character_breaks_the_rules(make, gm):
    elf, orc = make.race(name="Elf"), make.race(name="Orc")
    campaign, _ = make.party(0, gm=gm)
    hero = make.character(race=orc, strength=15, constitution=15, dexterity=15)
    make.give(hero, make.item(name="Sunblade", rarity="LEGENDARY"))
    make.membership(campaign, hero)
    rules = {"allowed_race_ids": [elf.id], "max_rarity": "RARE", "point_budget": 20}
    campaigns.update_campaign(gm, campaign.id, campaigns.CampaignPatch.read({"rules": rules}))
    _, (entry,) = campaigns.compliance_report(gm, campaign.id)
    fields = [v.field for v in entry.violations]
    assert "race_id" in fields and "inventory" in fields
    assert any("Sunblade" in v.message for v in entry.violations)
    assert any(v.field in {"attributes", "strength"} for v in entry.violations)


def test_the_compliance_report_is_for_the_gm(party):
    campaign, characters = party
    with pytest.raises(Forbidden):
        campaigns.compliance_report(db.session.get(User, characters[0].owner_id), campaign.id)
