"""The campaigns API: campaigns, members, events, awards and compliance, with the SPEC §6.1 shapes."""

import pytest

from webapp.extensions import db
from webapp.models import ApiToken, Character, TokenScope, User, Visibility
from webapp.services.tokens import PERSONAL_PREFIX, digest, issue_access_token, new_secret


def bearer(make, user) -> dict:
    return {"Authorization": f"Bearer {issue_access_token(user.id, user.security_stamp)}"}


def campaign_token(user, campaign) -> str:
    """A personal write token of `user` tied to one campaign; returns the secret."""
    secret = new_secret(PERSONAL_PREFIX)
    db.session.add(
        ApiToken(
            user_id=user.id,
            name="Campaign bot",
            scope=TokenScope.WRITE,
            campaign_id=campaign.id,
            token_hash=digest(secret),
            prefix=secret[:8],
        )
    )
    db.session.commit()
    return secret


def player_of(character) -> User:
    return db.session.get(User, character.owner_id)


@pytest.fixture
def gm(make):
    return make.user(display_name="Greta the GM")


@pytest.fixture
def party(make, gm):
    return make.party(3, gm=gm, name="The Sunken Keep")


@pytest.fixture
def as_gm(make, gm):
    return bearer(make, gm)


def test_a_gm_running_a_campaign_of_that_name_already_gets_409_naming_the_field(client, make, gm, as_gm):
    make.campaign(owner=make.user(), name="The Sunken Keep")  # another GM's: no clash
    assert client.post("/api/v1/campaigns", json={"name": "The Sunken Keep"}, headers=as_gm).status_code == 201
    again = client.post("/api/v1/campaigns", json={"name": "The Sunken Keep"}, headers=as_gm)
    assert again.status_code == 409
    assert again.get_json()["code"] == "name_taken"
    assert [error["field"] for error in again.get_json()["errors"]] == ["name"]
    other = client.post("/api/v1/campaigns", json={"name": "Deep Roads"}, headers=as_gm).get_json()
    renamed = client.patch(f"/api/v1/campaigns/{other['id']}", json={"name": "The Sunken Keep"}, headers=as_gm)
    assert renamed.status_code == 409 and renamed.get_json()["errors"][0]["field"] == "name"


def test_creating_a_campaign_answers_201_with_rules_and_the_invite_code_for_the_gm_only(client, make, gm, as_gm):
    elf = make.race(name="Elf")
    response = client.post(
        "/api/v1/campaigns",
        json={
            "name": "The Sunken Keep",
            "description": "Bring rope.",
            "visibility": "PUBLIC",
            "rules": {"level_cap": 5, "allowed_race_ids": [str(elf.id)], "max_rarity": "RARE", "point_budget": 20},
        },
        headers=as_gm,
    )
    assert response.status_code == 201
    data = response.get_json()
    assert response.headers["Location"] == f"/api/v1/campaigns/{data['id']}"
    assert data["rules"] == {
        "level_cap": 5,
        "allowed_race_ids": [str(elf.id)],
        "allowed_archetype_ids": [],
        "max_rarity": "RARE",
        "point_budget": 20,
    }
    assert data["gm"]["id"] == str(gm.id) and data["status"] == "ACTIVE"
    assert len(data["invite_code"]) == 12
    seen_by_other = client.get(f"/api/v1/campaigns/{data['id']}", headers=bearer(make, make.user())).get_json()
    assert "invite_code" not in seen_by_other
    anonymous = client.get(f"/api/v1/campaigns/{data['id']}")
    assert "invite_code" not in anonymous.get_json() and "public" in anonymous.headers["Cache-Control"]


def test_unknown_fields_and_bad_rules_are_refused(client, as_gm):
    assert client.post("/api/v1/campaigns", json={"name": "K", "colour": "red"}, headers=as_gm).status_code == 422
    response = client.post("/api/v1/campaigns", json={"name": "K", "rules": {"level_cap": 21}}, headers=as_gm)
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["field"] == "rules.level_cap"


def test_join_approve_award_and_the_log(client, make, gm, as_gm):
    campaign = make.campaign(owner=gm)
    heroes = [make.character(), make.character()]
    for hero in heroes:
        response = client.post(
            "/api/v1/campaigns/join",
            json={"invite_code": campaign.invite_code, "character_id": str(hero.id)},
            headers=bearer(make, player_of(hero)),
        )
        assert response.status_code == 201
        membership = response.get_json()
        assert membership["status"] == "PENDING" and membership["character"]["id"] == str(hero.id)
        approved = client.post(f"/api/v1/campaigns/{campaign.id}/members/{membership['id']}/approve", headers=as_gm)
        assert approved.status_code == 200 and approved.get_json()["status"] == "APPROVED"

    response = client.post(
        f"/api/v1/campaigns/{campaign.id}/awards", json={"experience": 1000, "all": True}, headers=as_gm
    )
    assert response.status_code == 200
    result = response.get_json()
    assert {c["level"] for c in result["characters"]} == {5}
    assert [e["kind"] for e in result["events"]] == ["XP_AWARD", "XP_AWARD"]

    page = client.get(f"/api/v1/campaigns/{campaign.id}/events?limit=3", headers=as_gm).get_json()
    assert [e["kind"] for e in page["data"]] == ["XP_AWARD", "XP_AWARD", "JOINED"]
    assert page["pagination"]["has_next"]
    rest = client.get(
        f"/api/v1/campaigns/{campaign.id}/events?limit=3&cursor={page['pagination']['next_cursor']}", headers=as_gm
    ).get_json()
    assert [e["kind"] for e in rest["data"]] == ["JOIN_REQUESTED", "JOINED", "JOIN_REQUESTED"]
    assert not rest["pagination"]["has_next"]


def test_the_gm_sees_each_requests_verdict_and_approves_a_rule_breaker_only_knowingly(client, make, gm, as_gm):
    elf, orc = make.race(name="Elf"), make.race(name="Orc")
    campaign = make.campaign(owner=gm, point_budget=20, allowed_races=[elf])
    grusk = make.character(name="Grusk", race=orc, **make.point_buy())
    asked = client.post(
        "/api/v1/campaigns/join",
        json={"invite_code": campaign.invite_code, "character_id": str(grusk.id)},
        headers=bearer(make, player_of(grusk)),
    ).get_json()
    reasons = [
        {"field": "race_id", "message": "Orc is not a race this campaign allows"},
        {"field": "attributes", "message": "The base scores cost 27 points; the budget is 20"},
    ]

    (member,) = client.get(f"/api/v1/campaigns/{campaign.id}/members", headers=as_gm).get_json()["data"]
    assert member["status"] == "PENDING" and member["compliance"] == {"complies": False, "violations": reasons}
    own = client.get(f"/api/v1/campaigns/{campaign.id}/members", headers=bearer(make, player_of(grusk)))
    assert own.get_json()["data"][0]["compliance"] is None

    url = f"/api/v1/campaigns/{campaign.id}/members/{asked['id']}/approve"
    refused = client.post(url, headers=as_gm)
    assert refused.status_code == 422
    assert refused.get_json()["code"] == "rule_violation" and refused.get_json()["errors"] == reasons
    assert client.post(url, json={"accept_violations": False}, headers=as_gm).status_code == 422
    assert client.post(url, json={"accept_violations": "yes"}, headers=as_gm).status_code == 422

    approved = client.post(url, json={"accept_violations": True}, headers=as_gm)
    assert approved.status_code == 200 and approved.get_json()["status"] == "APPROVED"
    joined = client.get(f"/api/v1/campaigns/{campaign.id}/events?kind=JOINED", headers=as_gm).get_json()["data"]
    assert "approved despite the campaign's rules: Orc is not a race this campaign allows" in joined[0]["body"]
    assert joined[0]["data"]["accepted_violations"] == reasons


def test_a_compliant_request_is_approved_with_no_body_at_all(client, make, gm, as_gm):
    campaign = make.campaign(owner=gm)
    hero = make.character()
    membership = make.membership(campaign, hero, status="PENDING")
    (listed,) = client.get(f"/api/v1/campaigns/{campaign.id}/members", headers=as_gm).get_json()["data"]
    assert listed["compliance"] == {"complies": True, "violations": []}
    url = f"/api/v1/campaigns/{campaign.id}/members/{membership.id}/approve"
    assert client.post(url, headers=as_gm).status_code == 200


def test_the_approval_body_is_documented_and_optional(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    operation = doc["paths"]["/api/v1/campaigns/{campaign_id}/members/{membership_id}/approve"]["post"]
    assert operation["requestBody"]["required"] is False
    schema = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert doc["components"]["schemas"][schema]["properties"]["accept_violations"]["type"] == "boolean"


def test_after_rotating_the_invite_code_the_old_one_answers_404(client, make, gm, as_gm):
    campaign = make.campaign(owner=gm)
    old = campaign.invite_code
    rotated = client.post(f"/api/v1/campaigns/{campaign.id}/invite-code", headers=as_gm).get_json()
    assert rotated["invite_code"] != old
    hero = make.character()
    for code, status in ((old, 404), (rotated["invite_code"], 201)):
        response = client.post(
            "/api/v1/campaigns/join",
            json={"invite_code": code, "character_id": str(hero.id)},
            headers=bearer(make, player_of(hero)),
        )
        assert response.status_code == status


def test_another_campaigns_gm_gets_404_for_a_members_private_character_and_its_gm_gets_200(client, make, gm):
    campaign = make.campaign(owner=gm)
    hero = make.character(visibility=Visibility.PRIVATE)
    make.membership(campaign, hero)
    other_gm = make.user()
    make.party(1, gm=other_gm)
    assert client.get(f"/api/v1/characters/{hero.id}", headers=bearer(make, other_gm)).status_code == 404
    assert client.get(f"/api/v1/characters/{hero.id}", headers=bearer(make, gm)).status_code == 200
    assert client.get(f"/api/v1/characters/{hero.id}/sheet", headers=bearer(make, gm)).status_code == 200


def test_in_a_campaign_only_the_gm_adds_experience(client, make, party, gm):
    campaign, characters = party
    hero = characters[0]
    own = client.post(
        f"/api/v1/characters/{hero.id}/experience", json={"amount": 500}, headers=bearer(make, player_of(hero))
    )
    assert own.status_code in {403, 422}
    by_gm = client.post(f"/api/v1/characters/{hero.id}/experience", json={"amount": 500}, headers=bearer(make, gm))
    assert by_gm.status_code == 200 and by_gm.get_json()["experience"] == 500


def test_members_list_shows_numbers_only_where_the_sheet_may_be_read(client, make, party, gm, as_gm):
    campaign, characters = party
    secret = make.character(name="Secret Sable", visibility=Visibility.PRIVATE)
    make.membership(campaign, secret)
    as_gm_data = client.get(f"/api/v1/campaigns/{campaign.id}/members", headers=as_gm).get_json()["data"]
    assert len(as_gm_data) == 4 and all(m["stats"] is not None for m in as_gm_data)
    as_member = client.get(
        f"/api/v1/campaigns/{campaign.id}/members", headers=bearer(make, player_of(characters[0]))
    ).get_json()["data"]
    by_name = {m["character"]["name"]: m for m in as_member}
    assert by_name["Secret Sable"]["stats"] is None and by_name["Secret Sable"]["character"]["level"] == 1
    assert by_name[characters[1].name]["stats"]["max_health"] > 0
    outsider = client.get(f"/api/v1/campaigns/{campaign.id}/members", headers=bearer(make, make.user()))
    assert outsider.status_code == 403


def test_an_unchanged_member_list_answers_304(client, party, as_gm, make):
    campaign, characters = party
    first = client.get(f"/api/v1/campaigns/{campaign.id}/members", headers=as_gm)
    again = client.get(
        f"/api/v1/campaigns/{campaign.id}/members", headers={**as_gm, "If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304 and again.data == b""
    make.give(characters[0], make.item(weight=5.0))
    changed = client.get(
        f"/api/v1/campaigns/{campaign.id}/members", headers={**as_gm, "If-None-Match": first.headers["ETag"]}
    )
    assert changed.status_code == 200


def test_lowering_the_level_cap_lists_who_then_wears_gear_above_their_level(client, make, party, as_gm):
    campaign, characters = party
    for character, xp, level in zip(characters, (100, 600, 1000), (2, 4, 5), strict=True):
        character.experience = xp
        helm = make.item(name=f"Helm of level {level}", slot="HEAD", required_level=level)
        make.give(character, helm)
        make.equip(character, helm, "head")
    before = client.get(f"/api/v1/campaigns/{campaign.id}/compliance", headers=as_gm).get_json()
    assert before["data"] == []
    patched = client.patch(f"/api/v1/campaigns/{campaign.id}", json={"rules": {"level_cap": 3}}, headers=as_gm)
    assert patched.status_code == 200 and patched.get_json()["rules"]["level_cap"] == 3
    report = client.get(f"/api/v1/campaigns/{campaign.id}/compliance", headers=as_gm).get_json()
    assert {entry["character"]["id"] for entry in report["data"]} == {str(characters[1].id), str(characters[2].id)}
    assert [entry["violations"] for entry in report["data"]][0] == [
        {
            "field": "equipment",
            "message": f"Helm of level 4 needs level 4; {characters[1].name} is level 3 in this campaign",
        }
    ]
    member = bearer(make, player_of(characters[0]))
    assert client.get(f"/api/v1/campaigns/{campaign.id}/compliance", headers=member).status_code == 403


def test_a_stale_if_match_answers_412(client, party, as_gm):
    campaign, _ = party
    etag = client.get(f"/api/v1/campaigns/{campaign.id}", headers=as_gm).headers["ETag"]
    assert (
        client.patch(
            f"/api/v1/campaigns/{campaign.id}", json={"name": "A"}, headers={**as_gm, "If-Match": etag}
        ).status_code
        == 200
    )
    stale = client.patch(f"/api/v1/campaigns/{campaign.id}", json={"name": "B"}, headers={**as_gm, "If-Match": etag})
    assert stale.status_code == 412


def test_a_player_leaves_and_the_gm_removes(client, make, party, as_gm):
    campaign, characters = party
    members = client.get(f"/api/v1/campaigns/{campaign.id}/members", headers=as_gm).get_json()["data"]
    mine = next(m for m in members if m["character"]["id"] == str(characters[0].id))
    other = next(m for m in members if m["character"]["id"] == str(characters[1].id))
    player = bearer(make, player_of(characters[0]))
    assert client.delete(f"/api/v1/campaigns/{campaign.id}/members/{other['id']}", headers=player).status_code == 403
    assert client.delete(f"/api/v1/campaigns/{campaign.id}/members/{mine['id']}", headers=player).status_code == 204
    assert client.delete(f"/api/v1/campaigns/{campaign.id}/members/{other['id']}", headers=as_gm).status_code == 204
    kinds = [e["kind"] for e in client.get(f"/api/v1/campaigns/{campaign.id}/events", headers=as_gm).get_json()["data"]]
    assert kinds[:2] == ["REMOVED", "LEFT"]


def test_notes_are_markdown_rendered_sanitised(client, party, as_gm):
    campaign, _ = party
    response = client.post(
        f"/api/v1/campaigns/{campaign.id}/events",
        json={"body": "**Rope** <script>alert(1)</script> [x](javascript:alert(1))"},
        headers=as_gm,
    )
    assert response.status_code == 201
    html = response.get_json()["body_html"]
    assert "<strong>Rope</strong>" in html and "<script>" not in html and 'href="javascript' not in html


def test_a_private_campaign_is_invisible_outside(client, make, gm, as_gm):
    campaign, (hero,) = make.party(1, gm=gm, visibility=Visibility.PRIVATE)
    outsider = bearer(make, make.user())
    assert client.get(f"/api/v1/campaigns/{campaign.id}", headers=outsider).status_code == 404
    assert client.get(f"/api/v1/campaigns/{campaign.id}/events", headers=outsider).status_code == 404
    assert client.get(f"/api/v1/campaigns/{campaign.id}").status_code == 404
    listed = client.get("/api/v1/campaigns", headers=outsider).get_json()["data"]
    assert listed == []
    member_list = client.get("/api/v1/campaigns", headers=bearer(make, player_of(hero))).get_json()["data"]
    assert [c["id"] for c in member_list] == [str(campaign.id)]


def test_campaign_stats_count_what_the_caller_sees(client, make, gm, as_gm):
    make.party(2, gm=gm)
    make.campaign(owner=gm, visibility=Visibility.PRIVATE)
    make.campaign(visibility=Visibility.PRIVATE)
    stats = client.get("/api/v1/campaigns/stats", headers=as_gm).get_json()
    assert stats["total"] == 2 and stats["members"] == 2
    assert stats["by_visibility"]["PRIVATE"] == 1
    assert client.get("/api/v1/campaigns/stats").get_json()["total"] == 1


def test_archive_then_changes_are_409_and_delete_is_204(client, party, as_gm):
    campaign, _ = party
    archived = client.post(f"/api/v1/campaigns/{campaign.id}/archive", headers=as_gm)
    assert archived.get_json()["status"] == "ARCHIVED"
    award = client.post(f"/api/v1/campaigns/{campaign.id}/awards", json={"experience": 5, "all": True}, headers=as_gm)
    assert award.status_code == 409
    assert client.delete(f"/api/v1/campaigns/{campaign.id}", headers=as_gm).status_code == 204
    assert client.get(f"/api/v1/campaigns/{campaign.id}", headers=as_gm).status_code == 404


def test_a_token_tied_to_one_campaign_reaches_no_other(client, make, gm):
    mine, _ = make.party(1, gm=gm)
    other = make.campaign(owner=gm)
    headers = {"Authorization": f"Bearer {campaign_token(gm, mine)}"}
    assert client.get(f"/api/v1/campaigns/{mine.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/campaigns/{other.id}", headers=headers).status_code == 404
    assert [c["id"] for c in client.get("/api/v1/campaigns", headers=headers).get_json()["data"]] == [str(mine.id)]


def test_a_public_campaigns_log_is_its_partys_and_the_document_says_403_to_anyone_else(client, make):
    campaign, _party = make.party(1, visibility=Visibility.PUBLIC)
    stranger = make.user()
    url = f"/api/v1/campaigns/{campaign.id}/events"
    assert client.get(f"/api/v1/campaigns/{campaign.id}").status_code == 200
    assert client.get(url).status_code == 403
    assert client.get(url, headers=bearer(make, stranger)).status_code == 403
    documented = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/campaigns/{campaign_id}/events"]["get"]
    assert "403" in documented["responses"]


def test_a_token_tied_to_one_campaign_reaches_only_its_characters_and_changes_nothing_else(client, make, gm):
    mine, (member,) = make.party(1, gm=gm)
    other, (stranger,) = make.party(1, gm=gm)
    stranger.visibility = Visibility.PRIVATE
    db.session.commit()
    headers = {"Authorization": f"Bearer {campaign_token(gm, mine)}"}

    assert client.get(f"/api/v1/characters/{member.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/characters/{stranger.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/characters/{stranger.id}/sheet", headers=headers).status_code == 404
    award = client.post(f"/api/v1/characters/{stranger.id}/experience", json={"amount": 500}, headers=headers)
    assert award.status_code == 404
    listed = client.get("/api/v1/characters", headers=headers).get_json()["data"]
    assert [c["id"] for c in listed] == [str(member.id)]
    for url, body in [("/api/v1/campaigns", {"name": "Another table"}), ("/api/v1/items", {"name": "Lantern"})]:
        refused = client.post(url, json=body, headers=headers)
        assert refused.status_code == 403, url
        assert "tied to one campaign" in refused.get_json()["detail"]
    given = client.post(f"/api/v1/campaigns/{mine.id}/awards", json={"experience": 10, "all": True}, headers=headers)
    assert given.status_code == 200, given.get_json()
    db.session.expire_all()
    assert (db.session.get(Character, stranger.id).experience, db.session.get(Character, member.id).experience) == (
        0,
        10,
    )


def test_a_campaign_a_moderator_hid_leaves_its_members_lists_as_it_left_their_reach(client, make, gm):
    campaign, (hero,) = make.party(1, gm=gm, name="Hushed Table", visibility=Visibility.HIDDEN)
    member = db.session.get(User, hero.owner_id)
    headers = bearer(make, member)
    assert client.get(f"/api/v1/campaigns/{campaign.id}", headers=headers).status_code == 404
    listed = client.get("/api/v1/campaigns", headers=headers).get_json()["data"]
    assert "Hushed Table" not in [c["name"] for c in listed]
    assert "Hushed Table" in [
        c["name"] for c in client.get("/api/v1/campaigns", headers=bearer(make, gm)).get_json()["data"]
    ]


def test_a_hidden_campaigns_invite_code_answers_like_an_unknown_one(client, make, gm):
    campaign = make.campaign(owner=gm, name="Hushed Table", visibility=Visibility.HIDDEN)
    hero = make.character()
    answers = [
        client.post(
            "/api/v1/campaigns/join",
            json={"invite_code": code, "character_id": str(hero.id)},
            headers=bearer(make, player_of(hero)),
        )
        for code in (campaign.invite_code, "no-such-code")
    ]
    assert [a.status_code for a in answers] == [404, 404]
    hidden, unknown = ({k: v for k, v in a.get_json().items() if k != "request_id"} for a in answers)
    assert hidden == unknown


@pytest.mark.parametrize("status", ["PENDING", "APPROVED"])
def test_a_player_leaves_a_campaign_a_moderator_hid_and_joins_another(client, make, gm, status):
    campaign = make.campaign(owner=gm, name="Hushed Table")
    hero, other = make.character(), make.character()
    mine, theirs = make.membership(campaign, hero, status=status), make.membership(campaign, other)
    campaign.visibility = Visibility.HIDDEN
    db.session.commit()
    player = bearer(make, player_of(hero))
    url = f"/api/v1/campaigns/{campaign.id}/members"
    assert client.delete(f"{url}/{theirs.id}", headers=player).status_code == 404  # another's stays out of reach
    assert client.delete(f"{url}/{mine.id}", headers=player).status_code == 204
    assert client.delete(f"{url}/{mine.id}", headers=player).status_code == 404  # ended already
    elsewhere = make.campaign(owner=make.user())
    joined = client.post(
        "/api/v1/campaigns/join",
        json={"invite_code": elsewhere.invite_code, "character_id": str(hero.id)},
        headers=player,
    )
    assert joined.status_code == 201


def test_past_a_hidden_campaign_the_gm_still_removes_moderators_still_may_not_and_strangers_find_nothing(
    client, make, gm
):
    campaign = make.campaign(owner=gm, visibility=Visibility.HIDDEN)
    first, second = make.membership(campaign, make.character()), make.membership(campaign, make.character())
    url = f"/api/v1/campaigns/{campaign.id}/members"
    moderator = bearer(make, make.user(role="MODERATOR"))
    assert client.delete(f"{url}/{first.id}", headers=bearer(make, make.user())).status_code == 404
    assert client.delete(f"{url}/{first.id}", headers=moderator).status_code == 403
    assert client.delete(f"{url}/{first.id}", headers=bearer(make, gm)).status_code == 204
    assert client.delete(f"{url}/{second.id}", headers=bearer(make, gm)).status_code == 204


def test_the_gm_gets_no_numbers_for_a_pending_private_character_whose_sheet_they_may_not_read(client, make, gm, as_gm):
    campaign = make.campaign(owner=gm)
    waiting = make.character(name="Secret Sable", visibility=Visibility.PRIVATE)
    make.membership(campaign, waiting, status="PENDING")
    open_hero = make.character(name="Open Olwen")
    make.membership(campaign, open_hero, status="PENDING")
    assert client.get(f"/api/v1/characters/{waiting.id}/sheet", headers=as_gm).status_code == 404
    members = client.get(f"/api/v1/campaigns/{campaign.id}/members", headers=as_gm).get_json()["data"]
    by_name = {m["character"]["name"]: m for m in members}
    assert by_name["Secret Sable"]["stats"] is None and by_name["Secret Sable"]["compliance"] is not None
    assert by_name["Open Olwen"]["stats"] is not None  # a PUBLIC sheet is anyone's to read
    approved = client.post(
        f"/api/v1/campaigns/{campaign.id}/members/{by_name['Secret Sable']['id']}/approve", headers=as_gm
    )
    assert approved.status_code == 200
    assert client.get(f"/api/v1/characters/{waiting.id}/sheet", headers=as_gm).status_code == 200
    members = client.get(f"/api/v1/campaigns/{campaign.id}/members", headers=as_gm).get_json()["data"]
    assert next(m for m in members if m["character"]["name"] == "Secret Sable")["stats"] is not None
