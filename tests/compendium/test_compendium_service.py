"""The generic compendium service: validation from the kind descriptions, names per owner, what uses what."""

import pytest

from webapp.api.entries import entry_out
from webapp.models import Visibility
from webapp.models.compendium_kinds import KINDS
from webapp.services import compendium
from webapp.services.errors import Conflict, Forbidden, InvalidInput, NotFound

ITEMS, RACES, ARCHETYPES, TAGS = KINDS["items"], KINDS["races"], KINDS["archetypes"], KINDS["tags"]


def fields_of(error: InvalidInput) -> dict:
    return {violation.field: violation.message for violation in error.violations}


def test_a_race_gets_its_bonuses_and_skills(make):
    user, skill = make.user(), make.skill(name="Stonecunning")
    values = {"name": "Deep Dwarf", "constitution_bonus": 2, "charisma_bonus": -1, "health_pct": 120}
    race = compendium.create_entry(user, RACES, {**values, "skill_ids": [skill.id]})
    data = entry_out(RACES, race, compendium.relation_ids_of(user, RACES, race))
    assert {key: data[key] for key in values} == values
    assert data["skill_ids"] == [str(skill.id)] and data["mana_pct"] == 100


def test_an_archetype_gets_required_races_and_a_primary_attribute(make):
    user, elf = make.user(), make.race(name="Elf")
    archetype = compendium.create_entry(
        user, ARCHETYPES, {"name": "Bladesinger", "primary_attribute": "dexterity", "required_race_ids": [elf.id]}
    )
    data = entry_out(ARCHETYPES, archetype, compendium.relation_ids_of(user, ARCHETYPES, archetype))
    assert data["required_race_ids"] == [str(elf.id)] and data["primary_attribute"] == "dexterity"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": "Odd", "rarity": "MYTHIC"}, "rarity"),
        ({"name": "Odd", "weight": -1}, "weight"),
        ({"name": "Odd", "damage": "lots"}, "damage"),
        ({"name": "Odd", "is_consumable": "yes"}, "is_consumable"),
        ({"name": "Odd", "required_level": 21}, "required_level"),
        ({"name": "Odd", "tag_ids": "not a list"}, "tag_ids"),
        ({"name": "Odd", "tag_ids": ["not-an-id"]}, "tag_ids"),
        ({"name": "Odd", "visibility": "SECRET"}, "visibility"),
        ({"name": "Odd", "colour": "red"}, "colour"),
    ],
)
def test_bad_values_are_refused_by_field(make, values, field):
    with pytest.raises(InvalidInput) as caught:
        compendium.create_entry(make.user(), ITEMS, values)
    assert field in fields_of(caught.value)


def test_a_private_name_never_blocks_nor_reveals_another_users(make):
    alice, bob = make.user(), make.user()
    compendium.create_entry(alice, TAGS, {"name": "Forbidden Lore", "visibility": "PRIVATE"})
    assert compendium.create_entry(bob, TAGS, {"name": "Forbidden Lore"}).name == "Forbidden Lore"
    with pytest.raises(InvalidInput) as caught:
        compendium.create_entry(alice, TAGS, {"name": "FORBIDDEN LORE"})
    assert fields_of(caught.value) == {"name": "You already have a tag called “FORBIDDEN LORE”. Choose another name."}


def test_renaming_onto_another_of_ones_own_names_is_refused_but_keeping_ones_own_is_fine(make):
    user = make.user()
    compendium.create_entry(user, ITEMS, {"name": "Rope"})
    torch = compendium.create_entry(user, ITEMS, {"name": "Torch"})
    assert compendium.update_entry(user, ITEMS, torch.id, {"name": "Torch", "value": 1}).value == 1
    with pytest.raises(InvalidInput):
        compendium.update_entry(user, ITEMS, torch.id, {"name": "rope"})


def test_a_patch_with_null_for_a_required_field_is_refused(make):
    user = make.user()
    item = compendium.create_entry(user, ITEMS, {"name": "Rope"})
    with pytest.raises(InvalidInput) as caught:
        compendium.update_entry(user, ITEMS, item.id, {"weight": None})
    assert fields_of(caught.value) == {"weight": "This field is required."}


def test_anonymous_and_unverified_users_cannot_create(make, app):
    with pytest.raises(Forbidden):
        compendium.create_entry(None, TAGS, {"name": "Nope"})
    app.config["EMAIL_VERIFICATION_REQUIRED"] = True
    try:
        with pytest.raises(Forbidden):
            compendium.create_entry(make.user(email_verified=False), TAGS, {"name": "Nope"})
    finally:
        app.config["EMAIL_VERIFICATION_REQUIRED"] = False


def test_moderators_may_hide_others_public_entries_owners_may_not(make):
    owner, moderator = make.user(), make.user(role="MODERATOR")
    item = make.item(name="Rude Banner", owner_id=owner.id)
    with pytest.raises(InvalidInput):
        compendium.update_entry(owner, ITEMS, item.id, {"visibility": "HIDDEN"})
    assert compendium.update_entry(moderator, ITEMS, item.id, {"visibility": "HIDDEN"}).visibility == "HIDDEN"
    with pytest.raises(NotFound):
        compendium.get_entry(make.user(), ITEMS, item.id)


def test_a_race_in_use_lists_characters_archetypes_and_campaigns(make):
    owner = make.user()
    race = make.race(name="Gnome", owner_id=owner.id)
    make.character(owner=owner, race=race, name="Fizzwick")
    make.archetype(name="Tinker", owner_id=owner.id, required_races=[race])
    with pytest.raises(Conflict) as caught:
        compendium.delete_entry(owner, RACES, race.id)
    assert {(r["kind"], r["name"]) for r in caught.value.references} == {
        ("character", "Fizzwick"),
        ("archetype", "Tinker"),
    }
    assert "is still used by 1 archetype and 1 character" in caught.value.message


def test_deleting_an_unused_entry_removes_its_own_links(make, db):
    user, tag = make.user(), make.tag(name="Shiny")
    item = compendium.create_entry(user, ITEMS, {"name": "Bauble", "tag_ids": [tag.id]})
    compendium.delete_entry(user, ITEMS, item.id)
    with pytest.raises(NotFound):
        compendium.get_entry(user, ITEMS, item.id)
    assert compendium.get_entry(user, TAGS, tag.id).name == "Shiny"


def test_references_hide_what_the_actor_cannot_see(make):
    admin = make.user(role="ADMIN")
    tag = make.tag(name="Gloomy")
    make.item(name="Private Mask", owner_id=make.user().id, visibility=Visibility.PRIVATE, tags=[tag])
    stranger = make.user()
    assert compendium.references_to(stranger, tag) == [{"kind": "item", "id": None, "name": "[hidden]"}]
    assert compendium.references_to(admin, tag)[0]["name"] == "Private Mask"
