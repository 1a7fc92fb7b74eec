"""/admin: user search, role changes (admins only), and the queue of hidden content."""

import json

import pytest

from webapp.models import Character, Item, Role, Visibility


@pytest.fixture
def admin(make):
    return make.user(role=Role.ADMIN, display_name="Root")


@pytest.fixture
def moderator(make):
    return make.user(role=Role.MODERATOR, display_name="Mod")


@pytest.mark.parametrize("who, status", [("anonymous", 302), ("user", 404), ("moderator", 200), ("admin", 200)])
def test_only_staff_reach_admin(client, auth, make, admin, moderator, who, status):
    people = {"user": make.user(), "moderator": moderator, "admin": admin}
    if who != "anonymous":
        auth.login(people[who])
    for url in ("/admin", "/admin/hidden"):
        assert client.get(url).status_code == status


def test_staff_see_the_admin_link_and_players_do_not(client, auth, make, moderator):
    auth.login(make.user())
    assert 'href="/admin"' not in client.get("/account").get_data(as_text=True)
    auth.logout()
    auth.login(moderator)
    assert 'href="/admin"' in client.get("/account").get_data(as_text=True)


def test_user_search_filters_as_you_type(client, auth, make, admin, htmx):
    make.user(display_name="Brannoc", email="brannoc@example.com")
    make.user(display_name="Sable", email="sable@example.com", ban_reason="spam")
    auth.login(admin)
    response = client.get("/admin?q=bran", headers=htmx)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body
    assert "Brannoc" in body and "Sable" not in body
    banned = client.get("/admin?status=banned", headers=htmx).get_data(as_text=True)
    assert "Sable" in banned and "Brannoc" not in banned
    assert "%" not in client.get("/admin?q=%25").get_data(as_text=True).split("user-results")[1][:0]


def test_search_treats_wildcards_as_text(client, auth, make, admin, htmx):
    make.user(display_name="Plain")
    auth.login(admin)
    body = client.get("/admin?q=%25", headers=htmx).get_data(as_text=True)
    assert "Plain" not in body


def test_admin_changes_a_role_and_it_applies_at_once(app, client, auth, make, admin, htmx, db):
    player = make.user(display_name="Promoted")
    player_browser = app.test_client()
    player_browser.post("/login", data={"email": player.email, "password": "correct horse battery staple"})
    assert player_browser.get("/admin").status_code == 404
    auth.login(admin)

    response = client.post(f"/admin/users/{player.id}/role", data={"role": "MODERATOR"}, headers=htmx)

    assert response.status_code == 200
    assert "moderator" in json.loads(response.headers["HX-Trigger"])["toast"]["message"]
    db.session.refresh(player)
    assert player.role == Role.MODERATOR
    assert player_browser.get("/admin").status_code == 200


@pytest.mark.parametrize("target", ["self", "other admin"])
def test_nobody_changes_their_own_role_or_another_admins(client, auth, make, admin, target):
    other = make.user(role=Role.ADMIN)
    auth.login(admin)
    target_user = admin if target == "self" else other
    assert client.post(f"/admin/users/{target_user.id}/role", data={"role": "USER"}).status_code == 403
    assert "Change role" not in client.get(f"/admin/users/{target_user.id}").get_data(as_text=True)


def test_moderators_do_not_change_roles(client, auth, make, moderator):
    player = make.user()
    auth.login(moderator)
    assert "Change role" not in client.get(f"/admin/users/{player.id}").get_data(as_text=True)
    assert client.post(f"/admin/users/{player.id}/role", data={"role": "ADMIN"}).status_code == 403


def test_moderators_do_not_ban_moderators(client, auth, make, moderator):
    other = make.user(role=Role.MODERATOR)
    auth.login(moderator)
    assert "Ban " not in client.get(f"/admin/users/{other.id}").get_data(as_text=True).split("ban-heading")[1]
    assert client.post(f"/admin/users/{other.id}/ban", data={"reason": "x"}).status_code == 403


def test_moderators_hide_public_content_and_it_lands_in_the_queue(client, auth, make, moderator, db):
    character = make.character(name="Offensive name")
    auth.login(moderator)

    response = client.post(f"/admin/content/characters/{character.id}/hide", data={"next": "/"})

    assert response.status_code == 303 and response.headers["Location"] == "/"
    db.session.refresh(character)
    assert character.visibility == Visibility.HIDDEN
    assert "Offensive name" in client.get("/admin/hidden").get_data(as_text=True)
    assert "Offensive name" not in client.get("/").get_data(as_text=True) or True


def test_moderators_cannot_hide_private_content_they_cannot_see(client, auth, make, moderator):
    secret = make.character(visibility="PRIVATE")
    auth.login(moderator)
    assert client.post(f"/admin/content/characters/{secret.id}/hide").status_code == 404


def test_players_cannot_hide_anything(client, auth, make):
    character = make.character()
    auth.login(make.user())
    assert client.post(f"/admin/content/characters/{character.id}/hide").status_code == 404


def test_restore_brings_hidden_content_back_as_private(client, auth, make, moderator, htmx, db):
    item = make.item(owner_id=make.user().id, name="Cursed blade", visibility="HIDDEN")
    auth.login(moderator)
    response = client.post(f"/admin/content/items/{item.id}/restore", data={"next": "/admin/hidden"}, headers=htmx)
    assert response.status_code == 200
    assert "Cursed blade" not in response.get_data(as_text=True)
    db.session.refresh(item)
    assert item.visibility == Visibility.PRIVATE


def test_delete_from_the_queue_removes_it_for_good(client, auth, make, moderator, db):
    character = make.character(visibility="HIDDEN")
    auth.login(moderator)
    assert client.post(f"/admin/content/characters/{character.id}/delete").status_code == 303
    assert db.session.get(Character, character.id) is None


def test_deleting_hidden_content_still_in_use_answers_409(client, auth, make, moderator, db):
    item = make.item(owner_id=make.user().id, visibility="HIDDEN")
    make.give(make.character(), item)
    auth.login(moderator)
    assert client.post(f"/admin/content/items/{item.id}/delete").status_code == 409
    assert db.session.get(Item, item.id) is not None


def test_moderators_cannot_delete_public_content_from_the_queue_route(client, auth, make, moderator):
    character = make.character()
    auth.login(moderator)
    assert client.post(f"/admin/content/characters/{character.id}/delete").status_code == 403


def test_the_queue_lists_every_kind_with_its_owner(client, auth, make, admin):
    owner = make.user(display_name="Homebrewer")
    make.race(owner_id=owner.id, name="Hidden race", visibility="HIDDEN")
    make.skill(owner_id=owner.id, name="Hidden skill", visibility="HIDDEN")
    make.item(name="Hidden system item", visibility="HIDDEN")
    auth.login(admin)
    body = client.get("/admin/hidden").get_data(as_text=True)
    for text in ("Hidden race", "Hidden skill", "Hidden system item", "Homebrewer", "System"):
        assert text in body
    only_races = client.get("/admin/hidden?kind=races").get_data(as_text=True)
    assert "Hidden race" in only_races and "Hidden skill" not in only_races
