"""The campaign pages: my campaigns, new, the GM dashboard and its fragments, and /join/<code>."""

import json
import re

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import (
    Campaign,
    CampaignEvent,
    Character,
    EventKind,
    InventoryEntry,
    Membership,
    MembershipStatus,
    Role,
    User,
    Visibility,
)
from webapp.services import campaigns


def player_of(character) -> User:
    return db.session.get(User, character.owner_id)


def fresh(model, key):
    db.session.expire_all()
    return db.session.get(model, key)


def test_a_gm_creates_a_campaign_and_sees_its_invite_link(client, auth, gm, make):
    elf = make.race(name="Elf")
    auth.login(gm)
    response = client.post(
        "/campaigns/new",
        data={"name": "The Sunken Keep", "visibility": "PRIVATE", "level_cap": "6", "allowed_races": [str(elf.id)]},
    )
    assert response.status_code == 303
    campaign = campaigns.load_campaign(gm, db.session.execute(sa.select(Campaign.id)).scalar_one())
    assert response.headers["Location"].endswith(f"/campaigns/{campaign.id}")
    assert (campaign.level_cap, [r.name for r in campaign.allowed_races]) == (6, ["Elf"])
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert f"/join/{campaign.invite_code}" in page
    assert 'id="invite-link"' in page and "Copy link" in page


def test_the_form_shows_service_errors_beside_the_field(client, auth, gm, make, htmx):
    make.campaign(owner=gm, name="Keep")
    auth.login(gm)
    response = client.post("/campaigns/new", data={"name": "Keep", "visibility": "PUBLIC"}, headers=htmx)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "You already run a campaign called" in body and 'aria-invalid="true"' in body and "<html" not in body


@pytest.mark.parametrize("visibility", ["HIDDEN", "x"])
def test_a_refused_visibility_is_said_beside_its_choices(client, auth, gm, htmx, visibility):
    auth.login(gm)
    response = client.post("/campaigns/new", data={"name": "Keep", "visibility": visibility}, headers=htmx)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'aria-describedby="visibility-error"' in body and '<p class="field-error" id="visibility-error"' in body


def test_my_campaigns_lists_what_i_run_and_where_my_characters_play(client, auth, gm, make):
    campaign, (hero,) = make.party(1, gm=gm, name="The Sunken Keep")
    auth.login(gm)
    assert "The Sunken Keep" in client.get("/campaigns").get_data(as_text=True)
    auth.logout()
    auth.login(player_of(hero))
    page = client.get("/campaigns").get_data(as_text=True)
    assert "The Sunken Keep" in page and hero.name in page


def test_a_player_opens_the_invite_link_and_asks_to_join(client, auth, gm, make):
    campaign = make.campaign(owner=gm, name="The Sunken Keep")
    hero = make.character(name="Brannoc")
    busy = make.character(name="Ysolde", owner_id=hero.owner_id)
    make.membership(make.campaign(name="Elsewhere"), busy)
    auth.login(player_of(hero))
    page = client.get(f"/join/{campaign.invite_code}").get_data(as_text=True)
    assert "Brannoc" in page and "Plays in “Elsewhere”" in page
    assert re.search(r'value="' + str(busy.id) + r'"\s+disabled', page)
    response = client.post(f"/join/{campaign.invite_code}", data={"character_id": str(hero.id)})
    assert response.status_code == 303
    membership = db.session.execute(sa.select(Membership).where(Membership.character_id == hero.id)).scalar_one()
    assert membership.status == MembershipStatus.PENDING
    assert "waiting for the game master" in client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)


def test_the_join_page_needs_a_sign_in_and_a_live_code(client, auth, gm, make):
    campaign = make.campaign(owner=gm)
    assert client.get(f"/join/{campaign.invite_code}").status_code == 302
    auth.login(make.user())
    assert client.get("/join/not-a-real-code").status_code == 404
    old = campaign.invite_code
    auth.logout()
    auth.login(gm)
    client.post(f"/campaigns/{campaign.id}/invite-code")
    auth.logout()
    auth.login(make.user())
    assert client.get(f"/join/{old}").status_code == 404


def test_the_gm_approves_from_the_dashboard_and_the_roster_fragment_comes_back(client, auth, gm, make, htmx):
    campaign = make.campaign(owner=gm)
    hero = make.character(name="Brannoc")
    membership = make.membership(campaign, hero, status="PENDING")
    auth.login(gm)
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Join requests" in page and "Approve Brannoc" in page
    response = client.post(f"/campaigns/{campaign.id}/members/{membership.id}/approve", headers=htmx)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="roster"') and "Brannoc" in body and "Join requests" not in body
    assert "campaign-changed" in response.headers["HX-Trigger"]
    assert fresh(Membership, membership.id).status == MembershipStatus.APPROVED


def test_a_request_that_breaks_the_rules_shows_why_and_is_approved_anyway_from_the_dashboard(
    client, auth, gm, make, htmx
):
    elf, orc = make.race(name="Elf"), make.race(name="Orc")
    campaign = make.campaign(owner=gm, point_budget=20, allowed_races=[elf])
    grusk = make.character(name="Grusk", race=orc, **make.point_buy())
    membership = make.membership(campaign, grusk, status="PENDING")
    auth.login(gm)
    url = f"/campaigns/{campaign.id}/members/{membership.id}/approve"

    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    request = page[page.index('id="requests-heading"') :]
    assert "Orc is not a race this campaign allows" in request
    assert "The base scores cost 27 points; the budget is 20" in request
    form = re.search(rf'<form[^>]*action="{re.escape(url)}".*?</form>', request, re.S).group(0)
    assert '<input type="hidden" name="accept_violations" value="true">' in form and "Approve anyway" in form

    refused = client.post(url, headers=htmx)  # the rules changed while the page was open, say
    assert refused.status_code == 422
    assert refused.get_data(as_text=True).lstrip().startswith('<section id="roster"')
    assert "Approve anyway" in refused.get_data(as_text=True)
    assert json.loads(refused.headers["HX-Trigger"])["toast"]["level"] == "error"
    assert fresh(Membership, membership.id).status == MembershipStatus.PENDING

    accepted = client.post(url, data={"accept_violations": "true"}, headers=htmx)
    assert accepted.status_code == 200
    assert fresh(Membership, membership.id).status == MembershipStatus.APPROVED
    log = client.get(f"/campaigns/{campaign.id}/log", headers=htmx).get_data(as_text=True)
    assert "Grusk joined the party, approved despite the campaign" in log


def test_awarding_xp_to_all_from_the_dashboard(client, auth, gm, party, htmx):
    campaign, characters = party
    auth.login(gm)
    response = client.post(
        f"/campaigns/{campaign.id}/awards", data={"target": "all", "experience": "1000", "item_id": ""}, headers=htmx
    )
    assert response.status_code == 200
    assert "Awarded to" in response.headers["HX-Trigger"]
    assert {fresh(Character, c.id).level for c in characters} == {5}
    log = client.get(f"/campaigns/{campaign.id}/log", headers=htmx).get_data(as_text=True)
    assert log.count("earned 1000 XP") == 3


def test_an_award_past_ten_million_for_someone_is_422_beside_the_experience(client, auth, gm, party, htmx):
    campaign, characters = party
    characters[0].experience = 9_900_000
    db.session.commit()
    auth.login(gm)
    response = client.post(
        f"/campaigns/{campaign.id}/awards", data={"target": "all", "experience": "200000", "item_id": ""}, headers=htmx
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="experience-error"' in body and "can gain at most 100,000 more" in body
    assert [fresh(Character, c.id).experience for c in characters] == [9_900_000, 0, 0]


def test_an_award_without_anything_to_give_is_422_beside_the_field(client, auth, gm, party, htmx):
    campaign, _ = party
    auth.login(gm)
    response = client.post(f"/campaigns/{campaign.id}/awards", data={"target": "all"}, headers=htmx)
    assert response.status_code == 422
    assert "Award experience, an item, or both." in response.get_data(as_text=True)


def test_a_refused_award_says_no_item_matches_only_after_a_search(client, auth, gm, party, htmx):
    campaign, _ = party
    auth.login(gm)
    unsearched = client.post(
        f"/campaigns/{campaign.id}/awards", data={"target": "all", "experience": "-50"}, headers=htmx
    )
    assert unsearched.status_code == 422 and "No item matches" not in unsearched.get_data(as_text=True)
    searched = client.post(
        f"/campaigns/{campaign.id}/awards",
        data={"target": "all", "experience": "-50", "item_search": "zzzz"},
        headers=htmx,
    )
    assert "No item matches “zzzz”." in searched.get_data(as_text=True)


def test_granting_an_item_found_by_search(client, auth, gm, party, make, htmx):
    campaign, characters = party
    make.item(name="Coil of Rope", weight=1.0)
    crown = make.item(name="Crown of Ropes", rarity="LEGENDARY")
    campaign.max_rarity = "RARE"
    db.session.commit()
    auth.login(gm)
    found = client.get(f"/campaigns/{campaign.id}/award-items?item_search=rope", headers=htmx).get_data(as_text=True)
    assert "Coil of Rope" in found and re.search(r'value="' + str(crown.id) + r'"\s+disabled', found)
    rope_id = re.search(r'value="([0-9a-f-]{36})"\s*>', found).group(1)
    response = client.post(
        f"/campaigns/{campaign.id}/awards",
        data={"target": str(characters[0].id), "item_id": rope_id, "quantity": "2"},
        headers=htmx,
    )
    assert response.status_code == 200
    assert db.session.execute(sa.select(CampaignEvent).where(CampaignEvent.kind == EventKind.ITEM_GRANT)).scalar_one()


def kin_party(make, gm, size: int):
    """A party of Dwarf Paladins, the archetype requiring the race (as the reference content's classes do)."""
    dwarf = make.race(name=f"Dwarf {size}", skills=[make.skill()])
    paladin = make.archetype(name=f"Paladin {size}", required_races=[dwarf])
    campaign = make.campaign(owner=gm)
    characters = [make.character(race=dwarf, archetype=paladin) for _ in range(size)]
    for character in characters:
        make.membership(campaign, character)
    return campaign, characters


def test_gm_awards_an_item_to_the_whole_party_from_the_dashboard(client, auth, make, htmx, queries):
    counts = []
    for size in (2, 5):
        gm = make.user()
        campaign, characters = kin_party(make, gm, size)
        rope = make.item(name=f"Coil of Rope {size}", weight=1.0)
        auth.login(gm)
        form = {  # every field of the award form, as htmx sends it
            "target": "all",
            "experience": "",
            "item_search": "rope",
            "item_id": str(rope.id),
            "quantity": "1",
            "reason": "from the flooded cellar",
        }
        with queries:
            response = client.post(f"/campaigns/{campaign.id}/awards", data=form, headers=htmx)
        counts.append(queries.count)
        assert response.status_code == 200
        assert "Awarded to" in response.headers["HX-Trigger"]
        log = client.get(f"/campaigns/{campaign.id}/log", headers=htmx).get_data(as_text=True)
        assert log.count(f"received 1 × Coil of Rope {size} from the flooded cellar") == size
        carried = db.session.execute(sa.select(InventoryEntry.character_id).where(InventoryEntry.item_id == rope.id))
        assert set(carried.scalars()) == {character.id for character in characters}
        auth.logout()
    assert counts[0] == counts[1]


def test_the_roster_answers_304_while_nothing_changes(client, auth, gm, party, make, htmx):
    campaign, characters = party
    auth.login(gm)
    first = client.get(f"/campaigns/{campaign.id}/roster", headers=htmx)
    assert first.status_code == 200 and first.headers["ETag"]
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'hx-trigger="sse:party, campaign-changed from:body"' in page and first.headers["ETag"].strip('"') in page
    unchanged = client.get(f"/campaigns/{campaign.id}/roster", headers={**htmx, "If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.data == b""
    make.give(characters[0], make.item(weight=4.0), 3)
    changed = client.get(f"/campaigns/{campaign.id}/roster", headers={**htmx, "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "12 kg" in changed.get_data(as_text=True)


@pytest.mark.parametrize("viewer", ["gm", "member"])
def test_the_dashboard_costs_the_same_queries_whatever_the_party_size(client, auth, make, queries, viewer):
    counts = []
    for size in (2, 7):
        gm = make.user()
        campaign, characters = make.party(size, gm=gm)
        for character in characters:
            make.give(character, make.item(), 2)
            make.equip(character, make.item(slot="HEAD"), "head")
        make.membership(campaign, make.character(), status="PENDING")
        auth.login(gm if viewer == "gm" else player_of(characters[0]))
        with queries:
            assert client.get(f"/campaigns/{campaign.id}").status_code == 200
        counts.append(queries.count)
        auth.logout()
    assert counts[0] == counts[1]


def test_members_see_names_and_levels_but_not_each_others_private_sheets(client, auth, party, make):
    campaign, characters = party
    secret = make.character(name="Secret Sable", visibility=Visibility.PRIVATE)
    make.membership(campaign, secret)
    auth.login(player_of(characters[0]))
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Secret Sable" in page and "Private sheet." in page
    assert f"/characters/{secret.id}" not in page
    assert "Invite players" not in page and "Award experience" not in page and "Rules check" not in page


def test_outsiders_see_a_public_campaign_but_not_its_party_and_never_a_private_one(client, auth, gm, make):
    public, (hero,) = make.party(1, gm=gm, name="Open Table", visibility=Visibility.PUBLIC)
    private, _ = make.party(1, gm=gm, name="Closed Table", visibility=Visibility.PRIVATE)
    auth.login(make.user())
    page = client.get(f"/campaigns/{public.id}").get_data(as_text=True)
    assert "Open Table" in page and hero.name not in page and public.invite_code not in page
    assert client.get(f"/campaigns/{private.id}").status_code == 404


def test_notes_are_rendered_as_sanitised_markdown(client, auth, gm, party, htmx):
    campaign, _ = party
    auth.login(gm)
    response = client.post(
        f"/campaigns/{campaign.id}/notes", data={"body": "**Rope** <script>alert(1)</script>"}, headers=htmx
    )
    assert response.status_code == 200
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "<strong>Rope</strong>" in page and "<script>alert(1)</script>" not in page


def test_the_compliance_panel_lists_who_breaks_the_rules_at_the_capped_level(client, auth, gm, make):
    campaign, characters = make.party(2, gm=gm, level_cap=3)
    characters[0].experience = characters[1].experience = 1000  # level 5, capped at 3
    crown = make.item(name="Crown of Ages", slot="HEAD", required_level=5)
    make.give(characters[1], crown)
    make.equip(characters[1], crown, "head")
    auth.login(gm)
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert f"Crown of Ages needs level 5; {characters[1].name} is level 3 in this campaign" in page
    assert "above the campaign" not in page and f"<strong>{characters[0].name}</strong>" not in page


def test_a_player_leaves_from_the_dashboard(client, auth, party):
    campaign, characters = party
    membership = db.session.execute(sa.select(Membership).where(Membership.character_id == characters[0].id))
    membership = membership.scalar_one()
    auth.login(player_of(characters[0]))
    response = client.post(f"/campaigns/{campaign.id}/members/{membership.id}/remove")
    assert response.status_code == 303 and response.headers["Location"].endswith("/campaigns")
    assert not fresh(Membership, membership.id).active


def test_archiving_from_the_dashboard(client, auth, gm, party):
    campaign, _ = party
    auth.login(gm)
    response = client.post(f"/campaigns/{campaign.id}/archive")
    assert response.status_code == 303
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "This campaign is archived" in page and "Award experience" not in page


def test_the_dashboard_keeps_to_the_csp(client, auth, gm, party):
    campaign, _ = party
    auth.login(gm)
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert " style=" not in page and "<script>" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)


def test_a_refused_award_keeps_the_item_chosen_and_says_when_its_target_left_the_party(
    client, auth, gm, party, make, htmx
):
    campaign, characters = party
    rope = make.item(name="Coil of Rope", weight=1.0)
    auth.login(gm)
    left = make.character()  # never (or no longer) in the party, as after leaving while the page was open
    response = client.post(
        f"/campaigns/{campaign.id}/awards",
        data={"target": str(left.id), "item_id": str(rope.id), "quantity": "2", "item_search": "rope"},
        headers=htmx,
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "They are no longer in the party: choose again." in body
    assert f'id="item-{rope.id}" value="{rope.id}" checked' in body
    assert 'value="rope"' in body and 'name="quantity"' in body


def test_who_gets_it_follows_the_party_and_keeps_a_choice_still_in_it(client, auth, gm, party, make, htmx):
    campaign, characters = party
    newcomer = make.character(name="Newcomer")
    make.membership(campaign, newcomer)
    auth.login(gm)
    url = f"/campaigns/{campaign.id}/award-targets"
    answer = client.get(url, query_string={"target": str(characters[0].id)}, headers=htmx).get_data(as_text=True)
    assert answer.lstrip().startswith('<div id="award-target"') and "Newcomer" in answer
    assert f'<option selected value="{characters[0].id}">' in answer
    assert client.get(url).status_code == 302  # a browser without htmx goes to the dashboard


@pytest.mark.parametrize("viewer", ["stranger", "moderator", "member", "pending player"])
def test_the_gms_forms_answer_403_to_whoever_does_not_run_the_campaign(client, auth, gm, make, htmx, viewer):
    hidden = viewer == "moderator"  # a moderator sees a hidden campaign, and still does not run it
    campaign, (hero,) = make.party(1, gm=gm, visibility=Visibility.HIDDEN if hidden else Visibility.PUBLIC)
    waiting = make.character()
    make.membership(campaign, waiting, status="PENDING")
    viewers = {"stranger": make.user, "moderator": lambda: make.user(role=Role.MODERATOR)}
    viewers |= {"member": lambda: player_of(hero), "pending player": lambda: player_of(waiting)}
    auth.login(viewers[viewer]())
    award = {"target": "all", "experience": "5"}
    answers = [
        client.get(f"/campaigns/{campaign.id}/award-targets", headers=htmx).status_code,
        client.post(f"/campaigns/{campaign.id}/awards", data=award, headers=htmx).status_code,
        client.post(f"/campaigns/{campaign.id}/awards", data=award).status_code,
        client.post(f"/campaigns/{campaign.id}/notes", data={"body": ""}, headers=htmx).status_code,
    ]
    assert answers == [403, 403, 403, 403]
    assert fresh(Character, hero.id).experience == 0


def test_the_gms_forms_answer_404_where_the_campaign_cannot_be_seen(client, auth, gm, make, htmx):
    campaign, _ = make.party(1, gm=gm, visibility=Visibility.PRIVATE)
    auth.login(make.user())
    assert client.get(f"/campaigns/{campaign.id}/award-targets", headers=htmx).status_code == 404
    assert client.post(f"/campaigns/{campaign.id}/awards", data={"target": "all", "experience": "5"}).status_code == 404


def test_an_award_refused_without_htmx_shows_the_dashboard_with_the_reason_and_gives_no_one_anything(
    client, auth, gm, make
):
    campaign, (rich, poor) = make.party(2, gm=gm, name="The Sunken Keep")
    rich.experience = 9_999_990
    db.session.commit()
    campaign_id, rich_id, poor_id = campaign.id, rich.id, poor.id
    auth.login(gm)
    db.session.remove()  # each request reads afresh, as it does in production
    response = client.post(f"/campaigns/{campaign_id}/awards", data={"target": "all", "experience": "100"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<html" in page and 'id="roster"' in page and "The Sunken Keep" in page
    assert re.search(r'<p class="field-error" id="experience-error">[^<]*can gain at most 10 more', page)
    assert [fresh(Character, key).experience for key in (rich_id, poor_id)] == [9_999_990, 0]
    assert db.session.execute(sa.select(CampaignEvent).where(CampaignEvent.kind == EventKind.XP_AWARD)).first() is None


def test_a_hidden_campaigns_invite_link_answers_like_an_unknown_one(client, auth, gm, make):
    campaign = make.campaign(owner=gm, name="Moderated Den", visibility=Visibility.HIDDEN)
    hero = make.character()
    auth.login(player_of(hero))
    for url in (f"/join/{campaign.invite_code}", "/join/no-such-code"):
        shown, asked = client.get(url), client.post(url, data={"character_id": str(hero.id)})
        assert (shown.status_code, asked.status_code) == (404, 404)
        assert "Moderated Den" not in shown.get_data(as_text=True) + asked.get_data(as_text=True)
    assert db.session.execute(sa.select(Membership)).first() is None


@pytest.mark.parametrize("status", ["PENDING", "APPROVED"])
def test_a_player_takes_their_character_back_from_a_campaign_a_moderator_hid(client, auth, gm, make, status):
    campaign = make.campaign(owner=gm, name="Moderated Den")
    hero = make.character(name="Brannoc")
    membership = make.membership(campaign, hero, status=status)
    campaign.visibility = Visibility.HIDDEN
    db.session.commit()
    auth.login(player_of(hero))
    listed = client.get("/campaigns").get_data(as_text=True)
    assert "Hidden by a moderator" in listed and f"/campaigns/{campaign.id}/members/{membership.id}/remove" in listed
    assert f'href="/campaigns/{campaign.id}"' not in listed  # its page is gone for its players
    response = client.post(f"/campaigns/{campaign.id}/members/{membership.id}/remove")
    assert response.status_code == 303 and response.headers["Location"].endswith("/campaigns")
    assert not fresh(Membership, membership.id).active
