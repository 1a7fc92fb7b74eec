"""The characters API: create, read, list with filters, change and delete, with the same rules as the pages."""

import pytest

from webapp.models import Visibility


@pytest.fixture
def ref(make):
    return make.reference()


@pytest.fixture
def player(make, auth):
    user = make.user(display_name="Brannoc's player")
    auth.login(user)
    return user


def body(ref, **overrides):
    data = {
        "name": "Brannoc",
        "race_id": str(ref["race"]["Dwarf"].id),
        "archetype_id": str(ref["archetype"]["Sellsword"].id),
        **{
            "strength": 15,
            "constitution": 14,
            "dexterity": 13,
            "intelligence": 8,
            "wisdom": 12,
            "charisma": 10,
        },
    }
    data.update(overrides)
    return data


def errors_of(response) -> dict:
    return {error["field"]: error["message"] for error in response.get_json()["errors"]}


def test_creating_a_character_answers_201_with_the_spec_shape(client, ref, player):
    response = client.post("/api/v1/characters", json=body(ref, sex="male", age=87, description="Stubborn."))
    assert response.status_code == 201
    data = response.get_json()
    assert response.headers["Location"] == f"/api/v1/characters/{data['id']}"
    assert set(data) == {
        "id", "owner_id", "name", "sex", "age", "description", "race_id", "archetype_id", "strength",
        "constitution", "dexterity", "intelligence", "wisdom", "charisma", "visibility", "image_id", "level",
        "experience", "created_at", "updated_at",
    }  # fmt: skip
    assert data["owner_id"] == str(player.id)
    assert (data["level"], data["experience"], data["visibility"]) == (1, 0, "PRIVATE")
    assert data["strength"] == 15  # base score, not the effective one
    assert data["created_at"].endswith("+00:00")


def test_overspending_points_is_422_with_the_field_and_sentence(client, ref, player):
    response = client.post("/api/v1/characters", json=body(ref, charisma=15))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert errors_of(response) == {"attributes": "The base scores cost 34 points; the budget is 27"}


def test_a_score_outside_the_point_buy_range_names_that_attribute(client, ref, player):
    response = client.post("/api/v1/characters", json=body(ref, wisdom=16))
    assert response.status_code == 422
    assert errors_of(response) == {"wisdom": "Wisdom must be between 8 and 15"}


def test_an_archetype_whose_races_exclude_the_race_is_422(client, ref, player):
    response = client.post(
        "/api/v1/characters",
        json=body(ref, race_id=str(ref["race"]["Elf"].id), archetype_id=str(ref["archetype"]["Runesmith"].id)),
    )
    assert response.status_code == 422
    assert errors_of(response) == {"archetype_id": "Runesmith requires a Dwarf; Brannoc is an Elf"}


def test_unknown_fields_are_rejected_not_ignored(client, ref, player):
    response = client.post("/api/v1/characters", json=body(ref, level=20))
    assert response.status_code == 422
    assert errors_of(response) == {"level": "Unknown field."}


def test_a_race_one_may_not_see_is_an_unknown_race(client, ref, player, make):
    secret = make.race(name="Secret Folk", owner_id=make.user().id, visibility=Visibility.PRIVATE)
    response = client.post("/api/v1/characters", json=body(ref, race_id=str(secret.id)))
    assert response.status_code == 422
    assert errors_of(response) == {"race_id": "There is no such race"}


@pytest.mark.parametrize(("first", "second"), [("Élan", "élan"), ("Ægis", "ÆGIS"), ("Όμηρος", "όμηρος")])
def test_names_are_unique_whatever_their_letters(client, ref, player, first, second):
    assert client.post("/api/v1/characters", json=body(ref, name=first)).status_code == 201
    again = client.post("/api/v1/characters", json=body(ref, name=second))
    assert again.status_code == 409 and again.get_json()["code"] == "name_taken"
    assert errors_of(again) == {"name": f"You already have a character called {second}"}


def test_a_lower_strength_may_not_leave_the_pack_past_twice_the_new_capacity(client, ref, player, make):
    hero_id = client.post("/api/v1/characters", json=body(ref)).get_json()["id"]
    anvil = make.item(name="Anvil", weight=100.0)  # 5 kg a point of effective strength, twice that at most
    assert client.post(f"/api/v1/characters/{hero_id}/inventory", json={"item_id": str(anvil.id)}).status_code == 201
    weaker = client.patch(f"/api/v1/characters/{hero_id}", json={"strength": 8, "intelligence": 15})
    assert weaker.status_code == 422
    assert errors_of(weaker) == {
        "strength": "Too heavy: Brannoc carries 100 kg; after this change the limit would be 90 kg"
    }  # STR 8, and the Dwarf's +1
    assert client.get(f"/api/v1/characters/{hero_id}").get_json()["strength"] == 15
    lighter = client.patch(f"/api/v1/characters/{hero_id}", json={"strength": 12, "intelligence": 12})
    assert lighter.status_code == 200  # STR 12 + 1: a limit of 130 kg, and the anvil still fits


def test_names_are_unique_per_owner_not_across_users(client, ref, player, make):
    make.character(name="Brannoc", owner=make.user())
    assert client.post("/api/v1/characters", json=body(ref)).status_code == 201
    again = client.post("/api/v1/characters", json=body(ref, name="brannoc"))
    assert again.status_code == 409
    assert again.get_json()["code"] == "name_taken"
    assert errors_of(again) == {"name": "You already have a character called brannoc"}


def test_a_rename_to_a_taken_name_is_409_and_among_other_mistakes_one_more_field_of_the_422(client, ref, player):
    hero = client.post("/api/v1/characters", json=body(ref)).get_json()
    other = client.post("/api/v1/characters", json=body(ref, name="Ysolde")).get_json()
    renamed = client.patch(f"/api/v1/characters/{other['id']}", json={"name": "BRANNOC"})
    assert renamed.status_code == 409 and errors_of(renamed) == {"name": "You already have a character called BRANNOC"}
    hidden = client.patch(f"/api/v1/characters/{other['id']}", json={"name": "BRANNOC", "visibility": "HIDDEN"})
    assert hidden.status_code == 422
    assert set(errors_of(hidden)) == {"name", "visibility"}
    assert client.patch(f"/api/v1/characters/{hero['id']}", json={"name": "Brannoc"}).status_code == 200


def test_anonymous_callers_cannot_create(client, ref):
    response = client.post("/api/v1/characters", json=body(ref))
    assert response.status_code == 401


def test_private_characters_are_404_to_others_and_public_ones_cacheable_for_anonymous(client, make):
    owner = make.user()
    public = make.character(owner=owner, name="Open Ola")
    private = make.character(owner=owner, name="Secret Sable", visibility=Visibility.PRIVATE)
    shown = client.get(f"/api/v1/characters/{public.id}")
    assert shown.status_code == 200
    assert shown.headers["Cache-Control"].startswith("public")
    assert client.get(f"/api/v1/characters/{private.id}").status_code == 404
    assert client.get(f"/api/v1/characters/{shown.headers['ETag']}").status_code == 404


def test_own_private_character_is_private_cache_and_304_on_matching_etag(client, make, auth):
    owner = make.user()
    mine = make.character(owner=owner, visibility=Visibility.PRIVATE)
    auth.login(owner)
    first = client.get(f"/api/v1/characters/{mine.id}")
    assert first.headers["Cache-Control"].startswith("private")
    again = client.get(f"/api/v1/characters/{mine.id}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_patch_changes_only_named_fields_and_checks_the_rules(client, ref, player):
    created = client.post("/api/v1/characters", json=body(ref)).get_json()
    url = f"/api/v1/characters/{created['id']}"
    changed = client.patch(url, json={"description": "Now with a beard.", "visibility": "PUBLIC"})
    assert changed.status_code == 200
    assert changed.get_json()["description"] == "Now with a beard."
    assert changed.get_json()["name"] == "Brannoc"
    overspent = client.patch(url, json={"charisma": 15})
    assert overspent.status_code == 422
    assert errors_of(overspent) == {"attributes": "The base scores cost 34 points; the budget is 27"}
    elf = client.patch(
        url, json={"race_id": str(ref["race"]["Elf"].id), "archetype_id": str(ref["archetype"]["Runesmith"].id)}
    )
    assert errors_of(elf) == {"archetype_id": "Runesmith requires a Dwarf; Brannoc is an Elf"}


def test_patch_cannot_hide_or_null_a_name(client, ref, player):
    created = client.post("/api/v1/characters", json=body(ref)).get_json()
    url = f"/api/v1/characters/{created['id']}"
    hidden = client.patch(url, json={"visibility": "HIDDEN"})
    assert hidden.status_code == 422
    assert errors_of(hidden) == {"visibility": "Only moderators hide a character or bring it back"}
    assert errors_of(client.patch(url, json={"name": None})) == {"name": "This can't be empty"}


def test_a_new_race_or_archetype_must_still_teach_the_skills_learned(client, make, auth):
    from webapp.extensions import db

    haggle, parry = make.skill(name="Haggle"), make.skill(name="Parry")
    trader, orc = make.race(name="Trader-folk", skills=[haggle]), make.race(name="Orc")
    fighter, bard = make.archetype(name="Fighter", skills=[parry]), make.archetype(name="Bard", skills=[haggle])
    owner = make.user()
    hero = make.character(owner=owner, name="Brannoc", race=trader, archetype=fighter, skills=[haggle, parry])
    auth.login(owner)
    url = f"/api/v1/characters/{hero.id}"

    to_orc = client.patch(url, json={"race_id": str(orc.id), "description": "Changed."})
    assert to_orc.status_code == 422
    assert errors_of(to_orc) == {
        "race_id": "Neither Orc nor Fighter teaches Haggle, which Brannoc knows; forget it first"
    }
    to_bard = client.patch(url, json={"archetype_id": str(bard.id)})
    assert errors_of(to_bard) == {
        "archetype_id": "Neither Trader-folk nor Bard teaches Parry, which Brannoc knows; forget it first"
    }
    db.session.expire_all()
    shown = client.get(url).get_json()
    assert (shown["race_id"], shown["archetype_id"], shown["description"]) == (str(trader.id), str(fighter.id), "")

    assert client.delete(f"{url}/skills/{haggle.id}").status_code == 204
    assert client.patch(url, json={"race_id": str(orc.id)}).get_json()["race_id"] == str(orc.id)


def test_stale_if_match_is_412_and_fresh_one_passes(client, ref, player):
    created = client.post("/api/v1/characters", json=body(ref)).get_json()
    url = f"/api/v1/characters/{created['id']}"
    etag = client.get(url).headers["ETag"]
    assert client.patch(url, json={"sex": "male"}, headers={"If-Match": etag}).status_code == 200
    assert client.patch(url, json={"sex": "female"}, headers={"If-Match": etag}).status_code == 412
    assert client.delete(url, headers={"If-Match": etag}).status_code == 412
    fresh = client.get(url).headers["ETag"]
    assert client.delete(url, headers={"If-Match": fresh}).status_code == 204
    assert client.get(url).status_code == 404


def test_others_may_read_a_public_character_but_not_change_it(client, make, auth):
    public = make.character(name="Open Ola")
    auth.login(make.user())
    assert client.patch(f"/api/v1/characters/{public.id}", json={"sex": "x"}).status_code == 403
    assert client.delete(f"/api/v1/characters/{public.id}").status_code == 403


def test_a_moderator_may_hide_a_public_character(client, make, auth):
    public = make.character(name="Rude Name")
    auth.login(make.user(role="MODERATOR"))
    response = client.patch(f"/api/v1/characters/{public.id}", json={"visibility": "HIDDEN"})
    assert response.status_code == 200
    assert response.get_json()["visibility"] == "HIDDEN"


def test_a_moderator_may_not_make_anothers_character_private(client, make, auth):
    public = make.character(name="Open Book")
    auth.login(make.user(role="MODERATOR"))
    url = f"/api/v1/characters/{public.id}"
    response = client.patch(url, json={"visibility": "PRIVATE", "description": "Tidied."})
    assert response.status_code == 422
    assert errors_of(response) == {"visibility": "Only its owner makes it public or private."}
    shown = client.get(url).get_json()
    assert (shown["visibility"], shown["description"]) == ("PUBLIC", public.description)  # nothing half-written
    assert client.patch(url, json={"description": "Tidied."}).status_code == 200  # editing stays theirs


def test_deleting_a_character_in_an_active_campaign_is_409_with_the_reference(client, make, auth):
    from webapp.extensions import db
    from webapp.models import Membership, MembershipStatus

    owner = make.user()
    hero = make.character(owner=owner)
    campaign = make.campaign(name="The Long Winter")
    db.session.add(
        Membership(campaign_id=campaign.id, user_id=owner.id, character_id=hero.id, status=MembershipStatus.APPROVED)
    )
    db.session.commit()
    auth.login(owner)
    response = client.delete(f"/api/v1/characters/{hero.id}")
    assert response.status_code == 409
    assert response.get_json()["references"] == [
        {"kind": "campaign", "id": str(campaign.id), "name": "The Long Winter"}
    ]


class TestLists:
    @pytest.fixture
    def roster(self, make):
        dwarf, elf = make.race(name="Dwarfish"), make.race(name="Elvish")
        fighter = make.archetype(name="Fighter")
        owner = make.user()
        return {
            "owner": owner,
            "dwarf": dwarf,
            "fighter": fighter,
            "heroes": [
                make.character(owner=owner, name="Alda", race=dwarf, archetype=fighter, level=1, strength=15),
                make.character(owner=owner, name="Bryn", race=elf, archetype=fighter, level=3, strength=9),
                make.character(name="Cato", race=dwarf, level=5, strength=12),
                make.character(name="Hush", race=dwarf, level=5, visibility=Visibility.PRIVATE),
            ],
        }

    def names(self, response) -> list[str]:
        return [row["name"] for row in response.get_json()["data"]]

    def test_lists_show_only_visible_characters_newest_first(self, client, roster):
        response = client.get("/api/v1/characters")
        assert self.names(response) == ["Cato", "Bryn", "Alda"]
        assert response.get_json()["pagination"] == {"limit": 20, "has_next": False, "next_cursor": None}
        assert response.headers["Cache-Control"].startswith("public")

    def test_filters_by_race_archetype_level_and_attribute(self, client, roster):
        dwarf, fighter = roster["dwarf"].id, roster["fighter"].id
        assert self.names(client.get(f"/api/v1/characters?race_id={dwarf}&order=asc")) == ["Alda", "Cato"]
        assert self.names(client.get(f"/api/v1/characters?archetype_id={fighter}&sort=name&order=asc")) == [
            "Alda",
            "Bryn",
        ]
        assert self.names(client.get("/api/v1/characters?min_level=3&max_level=4")) == ["Bryn"]
        assert self.names(client.get("/api/v1/characters?min_strength=12&sort=name&order=asc")) == ["Alda", "Cato"]
        assert self.names(client.get("/api/v1/characters?search=YN")) == ["Bryn"]

    def test_the_first_names_of_the_ranges_still_work_as_deprecated_aliases(self, client, roster):
        assert self.names(client.get("/api/v1/characters?level_min=3&level_max=4")) == ["Bryn"]
        assert self.names(client.get("/api/v1/characters?strength_min=12&sort=name&order=asc")) == ["Alda", "Cato"]
        assert self.names(client.get("/api/v1/characters?level_min=3&max_level=4")) == ["Bryn"]
        assert self.names(client.get("/api/v1/characters?level_min=3&min_level=3&max_level=4")) == ["Bryn"]
        clash = client.get("/api/v1/characters?level_min=3&min_level=2")
        assert clash.status_code == 400
        assert clash.get_json()["errors"] == [
            {"field": "level_min", "message": "level_min is the old name of min_level: give one of them."}
        ]
        doc = client.get("/api/v1/openapi.json").get_json()
        params = {p["name"]: p for p in doc["paths"]["/api/v1/characters"]["get"]["parameters"]}
        assert params["level_min"]["deprecated"] is True and "min_level" in params["level_min"]["description"]
        assert "deprecated" not in params["min_level"] and "deprecated" not in params["max_strength"]

    def test_a_minimum_above_its_maximum_is_400_as_in_the_compendium(self, client, roster):
        response = client.get("/api/v1/characters?min_level=5&max_level=2")
        assert response.status_code == 400
        assert response.get_json()["errors"] == [
            {"field": "max_level", "message": "max_level (2) is below min_level (5)"}
        ]
        assert client.get("/api/v1/characters?min_wisdom=14&max_wisdom=9").status_code == 400
        assert client.get("/api/v1/characters?wisdom_min=14&wisdom_max=9").status_code == 400
        items = client.get("/api/v1/items?min_level=5&max_level=2")
        assert items.status_code == 400
        assert items.get_json()["errors"][0]["message"] == "Value error, max_level (2) is below min_level (5)"

    def test_cursor_pages_through_every_row_once(self, client, roster):
        first = client.get("/api/v1/characters?limit=2&sort=name&order=asc").get_json()
        assert [row["name"] for row in first["data"]] == ["Alda", "Bryn"]
        assert first["pagination"]["has_next"] is True
        rest = client.get(f"/api/v1/characters?limit=2&sort=name&order=asc&cursor={first['pagination']['next_cursor']}")
        assert self.names(rest) == ["Cato"]

    def test_mine_lists_own_characters_including_private(self, client, roster, auth):
        auth.login(roster["owner"])
        response = client.get("/api/v1/characters?mine=true&sort=name&order=asc")
        assert self.names(response) == ["Alda", "Bryn"]
        assert response.headers["Cache-Control"].startswith("private")

    def test_list_runs_a_constant_number_of_queries(self, client, roster, make, queries):
        with queries:
            client.get("/api/v1/characters")
        few = queries.count
        for n in range(10):
            make.character(name=f"Extra {n}")
        with queries:
            client.get("/api/v1/characters")
        assert queries.count == few

    def test_stats_count_visible_characters(self, client, roster):
        stats = client.get("/api/v1/characters/stats").get_json()
        assert stats["total"] == 3
        assert stats["by_level"] == {"1": 1, "3": 1, "5": 1}
        assert stats["by_race"][0] == {"race_id": str(roster["dwarf"].id), "name": "Dwarfish", "count": 2}


def test_leaving_an_archetype_that_requires_the_race_keeps_the_race_whole(client, ref, player):
    # The character's archetype lists its race among its required races, so the locked read meets the race twice:
    # joined with its skills, and again among the archetype's races, which must not drop the skills read first.
    runesmith = client.post("/api/v1/characters", json=body(ref, archetype_id=str(ref["archetype"]["Runesmith"].id)))
    assert runesmith.status_code == 201
    url = f"/api/v1/characters/{runesmith.get_json()['id']}"
    changed = client.patch(url, json={"archetype_id": str(ref["archetype"]["Sellsword"].id)})
    assert changed.status_code == 200
    assert changed.get_json()["archetype_id"] == str(ref["archetype"]["Sellsword"].id)
    back = client.patch(url, json={"archetype_id": str(ref["archetype"]["Runesmith"].id)})
    assert back.status_code == 200
