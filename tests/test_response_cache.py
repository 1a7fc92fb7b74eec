"""Kept answers (sheet, inventory, API character, compendium, home) are replayed only while nothing they read moved."""

import logging
import re

import pytest

from tests.factories import PASSWORD
from webapp.caching import WorkerCopies
from webapp.extensions import db as _db
from webapp.models import Visibility
from webapp.services import character_growth

CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')
LOGIN_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@pytest.fixture
def owner(make):
    return make.user(display_name="Maren")


@pytest.fixture
def hero(make, owner):
    return make.character(owner=owner, name="Brannoc", visibility=Visibility.PUBLIC)


@pytest.fixture
def player(client, auth, owner):
    assert auth.login(owner).status_code == 303
    return client


def sheet(client, character):
    answer = client.get(f"/characters/{character.id}")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def inventory(client, character):
    answer = client.get(f"/characters/{character.id}/inventory")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_a_repeat_view_runs_no_query(player, hero, queries):
    first = sheet(player, hero)
    with queries.warm:
        again = sheet(player, hero)
    assert queries.count == 0, queries.statements
    assert again == first


def test_workers_keep_nothing_when_no_shared_store_tells_them_what_changed(app, player, hero, queries, monkeypatch):
    monkeypatch.setitem(app.config, "WORKER_COPIES", False)
    sheet(player, hero)
    with queries.warm:
        sheet(player, hero)
    assert queries.count > 0  # the session and the sheet, read again


def test_each_browser_gets_its_own_csrf_token_in_a_kept_page(app, owner, hero, csrf_enabled):
    one, two = app.test_client(), app.test_client()
    for client in (one, two):
        found = LOGIN_CSRF.search(client.get("/login").get_data(as_text=True))
        token = found.group(1) or found.group(2)
        form = {"email": owner.email, "password": PASSWORD, "csrf_token": token}
        assert client.post("/login", data=form).status_code == 303

    token_one = CSRF.search(sheet(one, hero)).group(1)
    page_two = sheet(two, hero)  # the copy one's request kept
    token_two = CSRF.search(page_two).group(1)

    assert token_one != token_two
    assert token_one not in page_two
    assert CSRF.search(sheet(one, hero)).group(1) == token_one  # its own session's token, as it was built
    path = f"/characters/{hero.id}/visibility"
    assert one.post(path, data={"visibility": "PRIVATE", "csrf_token": token_two}).status_code == 400
    assert two.post(path, data={"visibility": "PRIVATE", "csrf_token": token_two}).status_code == 303


def _rename_character(make, hero, owner):
    hero.name = "Brannoc the Renamed"
    return "Brannoc the Renamed"


def _rename_owner_viewer(make, hero, owner):
    owner.display_name = "Maren Stormborn"
    return "Maren Stormborn"


def _change_race_name(make, hero, owner):
    hero.race.name = "Stonefolk Elder"
    return "Stonefolk Elder"


def _join_a_campaign(make, hero, owner):
    campaign = make.campaign(name="The Sunken Crown")
    make.membership(campaign, hero)
    return "The Sunken Crown"


def _gain_experience(make, hero, owner):
    character_growth.add_experience(owner, hero.id, 900)
    return "900"


@pytest.mark.parametrize(
    "change", [_rename_character, _rename_owner_viewer, _change_race_name, _join_a_campaign, _gain_experience]
)
def test_a_committed_write_reaches_the_kept_sheet(player, make, hero, owner, change):
    before = sheet(player, hero)
    expected = change(make, hero, owner)
    _db.session.commit()
    assert expected not in before
    assert expected in sheet(player, hero)


def test_items_given_and_renamed_reach_the_kept_inventory(player, make, hero):
    inventory(player, hero)
    sword = make.item(name="Dawnsteel Blade")
    make.give(hero, sword)
    assert "Dawnsteel Blade" in inventory(player, hero)

    sword.name = "Duskglass Blade"
    _db.session.commit()
    page = inventory(player, hero)
    assert "Duskglass Blade" in page and "Dawnsteel Blade" not in page


def test_a_character_made_private_stops_showing_to_others_at_once(client, auth, make, hero):
    stranger = make.user()
    auth.login(stranger)
    assert client.get(f"/characters/{hero.id}").status_code == 200
    assert client.get(f"/api/v1/characters/{hero.id}").status_code == 200

    hero.visibility = Visibility.PRIVATE
    _db.session.commit()

    assert client.get(f"/characters/{hero.id}").status_code == 404
    assert client.get(f"/api/v1/characters/{hero.id}").status_code == 404


def test_a_revoked_token_gets_no_kept_answer(client, make, hero, owner, queries):
    row, secret = make.personal_token(owner)
    headers = {"Authorization": f"Bearer {secret}"}
    path = f"/api/v1/characters/{hero.id}"
    assert client.get(path, headers=headers).status_code == 200
    with queries.warm:
        assert client.get(path, headers=headers).status_code == 200
    assert queries.count == 0, queries.statements

    row.revoked_at = row.created_at
    _db.session.commit()

    assert client.get(path, headers=headers).status_code == 401


def test_a_pending_flash_is_shown_not_a_kept_copy(player, hero):
    sheet(player, hero)
    answer = player.post(f"/characters/{hero.id}/experience", data={"amount": "150"})
    assert answer.status_code == 303
    page = sheet(player, hero)
    assert "data-toast" in page
    assert "data-toast" not in sheet(player, hero)


def test_while_redis_cannot_say_what_changed_answers_are_built_each_time(app, player, hero, monkeypatch, queries):
    sheet(player, hero)
    monkeypatch.setattr(app.extensions["generations"], "read", lambda names: None)  # down, or refusing writes
    with queries.warm:
        assert "Brannoc" in sheet(player, hero)
    assert queries.count > 0


def test_signed_out_visitors_share_the_compendium_copy_and_see_new_entries(client, make, queries, htmx):
    make.item(name="Steel Lantern", visibility=Visibility.PUBLIC)
    assert "Steel Lantern" in client.get("/compendium/items?search=steel", headers=htmx).get_data(as_text=True)
    with queries.warm:
        client.get("/compendium/items?search=steel", headers=htmx)
    assert queries.count == 0, queries.statements

    make.item(name="Steel Buckler", visibility=Visibility.PUBLIC)
    assert "Steel Buckler" in client.get("/compendium/items?search=steel", headers=htmx).get_data(as_text=True)


def test_worker_copies_keep_the_latest_within_their_count_and_byte_budget():
    copies = WorkerCopies(3, budget=10, weigh=len)
    for key, value in [("a", "1234"), ("b", "1234"), ("c", "12")]:
        copies.put(key, value)
    assert [copies.get(key) for key in "abc"] == ["1234", "1234", "12"] and copies.weight == 10

    copies.put("d", "12345")  # 15 bytes: the oldest go until 10 or less remain
    assert [copies.get(key) for key in "abcd"] == [None, None, "12", "12345"] and copies.weight == 7

    copies.put("d", "1")  # a key stored again weighs what its new value weighs
    copies.put("e", "1")
    copies.put("f", "1")  # four entries: the least recently used ("c") goes
    assert copies.get("c") is None and copies.weight == 3
    assert copies.get("d", max_age=0) is None  # older than max_age: not returned


def test_the_kept_character_list_follows_new_and_hidden_characters(client, make, owner, hero, queries):
    _, secret = make.personal_token(owner)
    headers = {"Authorization": f"Bearer {secret}"}

    def names():
        answer = client.get("/api/v1/characters?limit=50", headers=headers)
        assert answer.status_code == 200
        return {row["name"] for row in answer.get_json()["data"]}

    assert names() == {"Brannoc"}
    with queries.warm:
        names()
    assert queries.count == 0, queries.statements

    other = make.character(name="Seraphine", visibility=Visibility.PUBLIC)
    assert names() == {"Brannoc", "Seraphine"}

    other.visibility = Visibility.PRIVATE
    _db.session.commit()
    assert names() == {"Brannoc"}


def test_a_deep_list_page_is_kept_only_once_asked_for_again(client, make, owner, queries):
    for number in range(3):
        make.character(owner=owner, name=f"Walker {number}", visibility=Visibility.PUBLIC)
    _, secret = make.personal_token(owner)
    headers = {"Authorization": f"Bearer {secret}"}
    cursor = client.get("/api/v1/characters?limit=1", headers=headers).get_json()["pagination"]["next_cursor"]
    deep = f"/api/v1/characters?limit=1&cursor={cursor}"

    def asked() -> int:
        with queries.warm:
            assert client.get(deep, headers=headers).status_code == 200
        return queries.count

    assert asked() > 0  # built, and only remembered as asked for
    assert asked() > 0  # built again, and kept this time
    assert asked() == 0, queries.statements


def test_a_kept_api_answer_names_the_tokens_user_in_the_log_without_loading_it(
    client, make, hero, owner, caplog, monkeypatch
):
    from webapp.auth import remembered

    _, secret = make.personal_token(owner)
    headers = {"Authorization": f"Bearer {secret}"}
    path = f"/api/v1/characters/{hero.id}"
    assert client.get(path, headers=headers).status_code == 200
    attached = []
    monkeypatch.setattr(remembered, "attach", lambda held: attached.append(held) or held.user)
    with caplog.at_level(logging.INFO, logger="tavern.request"):
        assert client.get(path, headers=headers).status_code == 200
    assert attached == []  # the kept answer needed only the id
    logged = [record.user_id for record in caplog.records if record.name == "tavern.request"]
    assert logged == [str(owner.id)]

    assert client.get(f"/api/v1/characters/{hero.id}/inventory", headers=headers).status_code == 200
    assert len(attached) == 1  # a view that reads the user gets it, once


def test_a_kept_page_names_its_signed_in_viewer_in_the_log_without_loading_them(
    player, hero, owner, caplog, monkeypatch
):
    from webapp.auth import remembered

    sheet(player, hero)
    attached = []
    original = remembered.attach
    monkeypatch.setattr(remembered, "attach", lambda held: attached.append(held) or original(held))
    with caplog.at_level(logging.INFO, logger="tavern.request"):
        sheet(player, hero)
    assert attached == []  # the kept page needed only the id
    logged = [record.user_id for record in caplog.records if record.name == "tavern.request"]
    assert logged == [str(owner.id)]

    assert player.get("/characters").status_code == 200  # a page that shows the user loads them
    assert len(attached) == 1
