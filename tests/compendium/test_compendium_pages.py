"""Compendium pages: active search, filters, infinite scroll, detail, and homebrew forms with errors by the field."""

import re

import pytest

from webapp.api.entries import entry_out
from webapp.models import Item, Visibility
from webapp.models.compendium_kinds import KINDS
from webapp.services import compendium


@pytest.fixture
def player(make, auth):
    user = make.user()
    auth.login(user)
    return user


def rows_in(body: str) -> list[str]:
    return re.findall(r'<th scope="row" data-label="Name"><a [^>]*>([^<]+)</a>', body)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_kind_has_a_list_page_with_search_and_filters(client, kind):
    response = client.get(f"/compendium/{kind}")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'hx-trigger="input changed delay:300ms, search"' in body and 'hx-push-url="true"' in body
    assert 'aria-current="page">' + KINDS[kind].label in body
    assert response.headers["Vary"].startswith("HX-Request")


def test_an_htmx_search_answers_only_the_results_with_a_count(client, make, htmx):
    make.item(name="Iron Sword")
    make.item(name="Swordfish Pie")
    make.item(name="Rope")
    response = client.get("/compendium/items?search=sword", headers=htmx)
    body = response.get_data(as_text=True)
    assert "<html" not in body and "compendium-filters" not in body
    assert "<strong>2</strong> items match" in body
    assert rows_in(body) == ["Iron Sword", "Swordfish Pie"]


def test_filters_by_rarity_slot_level_tag_and_attribute(client, make):
    tag = make.tag(name="Holy")
    make.item(name="Crown", rarity="LEGENDARY", slot="HEAD", required_level=15, tags=[tag])
    make.item(name="Cap", rarity="COMMON", slot="HEAD", required_level=1)
    make.item(name="Sword", rarity="RARE", slot="ONE_HAND", required_level=6)
    make.race(name="Orc", strength_bonus=2)
    make.race(name="Elf", dexterity_bonus=2)
    assert rows_in(client.get("/compendium/items?rarity=LEGENDARY").get_data(as_text=True)) == ["Crown"]
    assert rows_in(client.get("/compendium/items?slot=HEAD&max_level=5").get_data(as_text=True)) == ["Cap"]
    assert rows_in(client.get(f"/compendium/items?tag={tag.id}").get_data(as_text=True)) == ["Crown"]
    ordered = client.get("/compendium/items?sort=required_level&order=desc").get_data(as_text=True)
    assert rows_in(ordered) == ["Crown", "Sword", "Cap"]
    assert rows_in(client.get("/compendium/races?bonus=strength").get_data(as_text=True)) == ["Orc"]


def test_a_bad_filter_is_ignored_and_said(client, make):
    make.item(name="Cap")
    body = client.get("/compendium/items?min_level=9&max_level=2&rarity=MYTHIC").get_data(as_text=True)
    assert "Some filters were ignored" in body
    assert "<li>The highest required level (2) is below the lowest (9), so it was left out.</li>" in body
    assert "<li>The rarity has no choice “MYTHIC”, so it was left out.</li>" in body
    assert "Value error" not in body and "max_level" not in body.split('id="results"')[-1]  # no validator text
    body = client.get("/compendium/items?min_level=0&max_level=abc").get_data(as_text=True)
    assert "The lowest required level goes from 1 to 20, so 0 was left out." in body
    assert "The highest required level must be a whole number, so it was left out." in body


def test_the_items_list_filtered_by_rarity_takes_at_most_three_queries(client, make, queries):
    for n in range(40):
        make.item(name=f"Blade {n:02}", rarity="RARE" if n % 2 else "COMMON", tags=[make.tag()])
    with queries:
        response = client.get("/compendium/items?rarity=RARE")
    assert response.status_code == 200 and len(rows_in(response.get_data(as_text=True))) == 20
    assert queries.count <= 3
    with queries.repeat:
        client.get("/compendium/items?rarity=RARE")
    assert queries.count <= 1  # the results come from the cache; only the tag picker may ask, and it is cached too


def test_the_signed_in_items_list_stays_within_three_queries_plus_the_session(client, player, make, queries):
    for n in range(30):
        make.item(name=f"Blade {n:02}", rarity="RARE")
    client.get("/compendium/items")
    with queries:
        client.get("/compendium/items?rarity=RARE")
    with queries as baseline:
        client.get("/api/v1/")  # the session lookup alone
    assert queries.count <= 3 + baseline.count


def test_infinite_scroll_fetches_the_next_rows_when_revealed(client, make, htmx):
    for n in range(30):
        make.item(name=f"Arrow {n:02}")
    first = client.get("/compendium/items?search=arrow").get_data(as_text=True)
    assert len(rows_in(first)) == 25
    more = re.search(r'<tr class="load-more" hx-get="([^"]+)" hx-trigger="revealed"', first)
    assert more
    url = more.group(1).replace("&amp;", "&")
    rest = client.get(url, headers=htmx).get_data(as_text=True)
    assert rows_in(rest) == [f"Arrow {n:02}" for n in range(25, 30)]
    assert "<table" not in rest and "load-more" not in rest
    assert "<strong>30</strong>" in client.get(url).get_data(as_text=True)  # without JS: the whole page


def test_anonymous_lists_and_details_come_from_the_cache(client, make, queries):
    lantern = make.item(name="Lantern")
    client.get("/compendium/tags")
    client.get(f"/compendium/items/{lantern.id}")
    with queries.repeat:
        client.get("/compendium/tags")
    assert queries.count == 0
    with queries.repeat:
        client.get(f"/compendium/items/{lantern.id}")
    assert queries.count == 1  # only the access check; the rendered detail is cached


def test_a_detail_page_shows_every_field_and_its_links(client, make):
    skill = make.skill(name="Fencing")
    secret = make.perk(name="Secret Perk", owner_id=make.user().id, visibility=Visibility.PRIVATE)
    item = make.item(
        name="Rapier", rarity="RARE", slot="ONE_HAND", damage=7, bonus_dexterity=2, bonus_skills=[skill],
        bonus_perks=[secret], is_throwable=True,
    )  # fmt: skip
    body = client.get(f"/compendium/items/{item.id}").get_data(as_text=True)
    assert 'class="item-name rarity-rare">Rapier</h1>' in body
    assert "<dt>Damage</dt><dd>7</dd>" in body and "<dt>Dexterity bonus</dt><dd>+2</dd>" in body
    assert "<dt>Throwable</dt><dd>Yes</dd>" in body
    assert f'href="/compendium/skills/{skill.id}">Fencing</a>' in body
    assert "Secret Perk" not in body and "[hidden]" in body
    assert "Edit" not in body


def test_creating_homebrew_with_bonuses_and_links(client, player, make, db):
    skill, tag = make.skill(name="Fencing"), make.tag(name="Blade")
    form = client.get("/compendium/items/new").get_data(as_text=True)
    assert 'name="bonus_strength"' in form and 'type="checkbox"' in form and "Fencing" in form
    data = {
        "name": "Duelist's Rapier", "description": "Quick.", "rarity": "RARE", "slot": "ONE_HAND",
        "required_level": "3", "weight": "1.2", "value": "300", "damage": "7", "defense": "0",
        "durability": "80", "max_durability": "90", "bonus_strength": "0", "bonus_constitution": "0",
        "bonus_dexterity": "2", "bonus_intelligence": "0", "bonus_wisdom": "0", "bonus_charisma": "0",
        "bonus_health": "5", "bonus_mana": "0", "bonus_stamina": "0", "is_throwable": "y", "is_tradeable": "y",
        "bonus_skill_ids": [str(skill.id)], "tag_ids": [str(tag.id)], "visibility": "PRIVATE",
    }  # fmt: skip
    response = client.post("/compendium/items/new", data=data)
    assert response.status_code == 303
    item = db.session.execute(db.select(Item).where(Item.name == "Duelist's Rapier")).scalar_one()
    assert response.headers["Location"].endswith(f"/compendium/items/{item.id}")
    saved = entry_out(KINDS["items"], item, compendium.relation_ids_of(player, KINDS["items"], item))
    assert (saved["bonus_dexterity"], saved["bonus_health"], saved["weight"]) == (2, 5, 1.2)
    assert saved["bonus_skill_ids"] == [str(skill.id)] and saved["tag_ids"] == [str(tag.id)]
    assert (saved["is_throwable"], saved["is_consumable"], saved["visibility"]) == (True, False, "PRIVATE")


def test_form_errors_come_back_beside_the_field_with_422(client, player, make, htmx):
    make.race(name="Gnome", owner_id=player.id)
    response = client.post(
        "/compendium/races/new",
        data={"name": "gnome", "strength_bonus": "0", "constitution_bonus": "0", "dexterity_bonus": "0",
              "intelligence_bonus": "0", "wisdom_bonus": "0", "charisma_bonus": "9", "health_pct": "100",
              "mana_pct": "100", "stamina_pct": "100", "visibility": "PUBLIC"},
        headers=htmx,
    )  # fmt: skip
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "<html" not in body
    assert 'id="name-error">You already have a race called “gnome”.' in body
    assert 'id="charisma_bonus-error">Must be between -3 and 3.' in body


@pytest.mark.parametrize("name", ["\u200b", "\u202e", "\u3164 "], ids=["zero-width", "override", "filler"])
def test_a_name_that_shows_nothing_is_blank_as_in_the_api(client, player, htmx, name):
    response = client.post("/compendium/skills/new", data={"name": name, "required_level": "1"}, headers=htmx)
    assert response.status_code == 422
    assert 'id="name-error">Give it a name.' in response.get_data(as_text=True)


def test_invisible_ends_do_not_make_a_new_name(client, player, make, htmx):
    make.skill(name="Dagger", owner_id=player.id)
    data = {"name": "\u200bDagger\u2069", "description": "  Sharp.  ", "required_level": "1"}
    response = client.post("/compendium/skills/new", data=data, headers=htmx)
    assert response.status_code == 422
    assert 'id="name-error">You already have a skill called “Dagger”.' in response.get_data(as_text=True)


def test_editing_is_prefilled_and_saves(client, player, make):
    tag = make.tag(name="Old")
    skill = make.skill(name="Skill", owner_id=player.id, tags=[tag])
    form = client.get(f"/compendium/skills/{skill.id}/edit").get_data(as_text=True)
    assert 'value="Skill"' in form and "checked" in form
    response = client.post(
        f"/compendium/skills/{skill.id}/edit",
        data={"name": "Skill", "description": "Better.", "required_level": "4", "visibility": "PUBLIC"},
    )
    assert response.status_code == 303
    body = client.get(f"/compendium/skills/{skill.id}").get_data(as_text=True)
    assert "Better." in body and "<dt>Required level</dt><dd>4</dd>" in body


def test_only_the_owner_edits_and_visitors_are_sent_to_sign_in(client, auth, make):
    item = make.item(name="Theirs", owner_id=make.user().id)
    assert client.get("/compendium/items/new").status_code in (302, 303)
    auth.login(make.user())
    assert client.get(f"/compendium/items/{item.id}/edit").status_code == 403
    assert client.post(f"/compendium/items/{item.id}/delete").status_code == 403


def test_deleting_something_in_use_lists_what_uses_it(client, player, make, htmx):
    sword = make.item(name="Heirloom", owner_id=player.id)
    make.give(make.character(owner=player, name="Brannoc"), sword)
    response = client.post(f"/compendium/items/{sword.id}/delete", headers=htmx)
    body = response.get_data(as_text=True)
    assert response.status_code == 409 and "<html" not in body
    assert "is still used by 1 character" in body and "Character: Brannoc" in body
    unused = make.item(name="Junk", owner_id=player.id)
    gone = client.post(f"/compendium/items/{unused.id}/delete", headers=htmx)
    assert gone.status_code == 204 and gone.headers["HX-Redirect"] == "/compendium/items"


def test_a_moderator_editing_anothers_entry_keeps_its_visibility_to_choose_from(client, auth, make):
    owner = make.user()
    item = make.item(name="Banner", owner_id=owner.id)
    auth.login(make.user(role="MODERATOR"))
    form = client.get(f"/compendium/items/{item.id}/edit").get_data(as_text=True)
    assert 'value="PUBLIC"' in form and 'value="PRIVATE"' not in form
    assert "Only its owner makes it public or private." in form
    auth.login(owner)
    mine = client.get(f"/compendium/items/{item.id}/edit").get_data(as_text=True)
    assert 'value="PUBLIC"' in mine and 'value="PRIVATE"' in mine


def test_a_moderator_hides_an_entry_from_its_page_and_visitors_stop_seeing_it_at_once(client, auth, make):
    item = make.item(name="Rude Banner", owner_id=make.user().id)
    assert "Rude Banner" in client.get("/compendium/items").get_data(as_text=True)  # now cached for visitors
    auth.login(make.user(role="MODERATOR"))
    page = client.get(f"/compendium/items/{item.id}").get_data(as_text=True)
    assert f'action="/admin/content/items/{item.id}/hide"' in page
    client.post(f"/admin/content/items/{item.id}/hide", data={"next": f"/compendium/items/{item.id}"})
    auth.logout()
    assert "Rude Banner" not in client.get("/compendium/items").get_data(as_text=True)
    assert client.get(f"/compendium/items/{item.id}").status_code == 404
