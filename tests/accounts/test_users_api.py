"""/api/v1/users: one's own profile; for staff, search and stats; admins change roles; deleting accounts."""

import pytest

from webapp.models import Role, User


def bearer(make, user):
    return {"Authorization": f"Bearer {make.access_token(user)}"}


def test_anyone_signed_in_reads_their_own_profile_and_nobody_elses(client, make):
    me, other = make.user(display_name="Me"), make.user()
    assert client.get("/api/v1/users/me", headers=bearer(make, me)).get_json()["display_name"] == "Me"
    assert client.get(f"/api/v1/users/{me.id}", headers=bearer(make, me)).status_code == 200
    assert client.get(f"/api/v1/users/{other.id}", headers=bearer(make, me)).status_code == 404
    assert client.get(f"/api/v1/users/{me.id}").status_code == 401


def test_profile_answers_carry_etags_and_private_caching(client, make):
    me = make.user()
    response = client.get("/api/v1/users/me", headers=bearer(make, me))
    assert response.headers["Cache-Control"].startswith("private")
    again = client.get("/api/v1/users/me", headers={**bearer(make, me), "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_patch_with_a_stale_if_match_answers_412(client, make):
    me = make.user()
    headers = bearer(make, me)
    etag = client.get(f"/api/v1/users/{me.id}", headers=headers).headers["ETag"]
    fresh = client.patch(f"/api/v1/users/{me.id}", json={"bio": "one"}, headers={**headers, "If-Match": etag})
    assert fresh.status_code == 200
    stale = client.patch(f"/api/v1/users/{me.id}", json={"bio": "two"}, headers={**headers, "If-Match": etag})
    assert stale.status_code == 412


def test_patch_refuses_unknown_fields_and_role_changes_by_non_admins(client, make):
    me = make.user()
    headers = bearer(make, me)
    assert client.patch(f"/api/v1/users/{me.id}", json={"email": "x@example.com"}, headers=headers).status_code == 422
    assert client.patch(f"/api/v1/users/{me.id}", json={"role": "ADMIN"}, headers=headers).status_code == 403


def test_staff_list_and_search_users_with_cursor_pagination(client, make):
    moderator = make.user(role=Role.MODERATOR)
    for n in range(3):
        make.user(display_name=f"Searchable {n}")
    page = client.get("/api/v1/users?search=searchable&limit=2", headers=bearer(make, moderator)).get_json()
    assert len(page["data"]) == 2 and page["pagination"]["has_next"]
    rest = client.get(
        f"/api/v1/users?search=searchable&limit=2&cursor={page['pagination']['next_cursor']}",
        headers=bearer(make, moderator),
    ).get_json()
    assert len(rest["data"]) == 1 and not rest["pagination"]["has_next"]


def test_players_do_not_list_users(client, make):
    assert client.get("/api/v1/users", headers=bearer(make, make.user())).status_code == 404
    assert client.get("/api/v1/users/stats", headers=bearer(make, make.user())).status_code == 404


def test_stats_count_roles_bans_and_unverified(client, make):
    admin = make.user(role=Role.ADMIN)
    make.user(ban_reason="spam")
    make.user(email_verified=False)
    stats = client.get("/api/v1/users/stats", headers=bearer(make, admin)).get_json()
    assert stats["total"] == 3
    assert stats["by_role"] == {"USER": 2, "MODERATOR": 0, "ADMIN": 1}
    assert stats["banned"] == 1 and stats["unverified"] == 1


@pytest.mark.parametrize(
    "actor, target, status",
    [("ADMIN", "USER", 200), ("ADMIN", "ADMIN", 403), ("MODERATOR", "USER", 403), ("USER", "USER", 404)],
)
def test_role_changes(client, make, actor, target, status):
    me, them = make.user(role=Role(actor)), make.user(role=Role(target))
    response = client.put(f"/api/v1/users/{them.id}/role", json={"role": "MODERATOR"}, headers=bearer(make, me))
    assert response.status_code == status


def test_a_banned_account_is_not_made_an_admin_whose_ban_nobody_could_lift(client, make):
    admin, banned = make.user(role=Role.ADMIN), make.user(ban_reason="spam")
    response = client.put(f"/api/v1/users/{banned.id}/role", json={"role": "ADMIN"}, headers=bearer(make, admin))
    assert response.status_code == 422 and response.get_json()["errors"][0]["field"] == "role"
    assert client.post(f"/api/v1/users/{banned.id}/unban", headers=bearer(make, admin)).status_code == 200
    assert (
        client.put(f"/api/v1/users/{banned.id}/role", json={"role": "ADMIN"}, headers=bearer(make, admin)).status_code
        == 200
    )


def test_admin_role_change_through_patch(client, make, db):
    admin, player = make.user(role=Role.ADMIN), make.user()
    response = client.patch(f"/api/v1/users/{player.id}", json={"role": "MODERATOR"}, headers=bearer(make, admin))
    assert response.status_code == 200
    assert response.get_json()["role"] == "MODERATOR"


def test_a_patch_refused_for_an_unknown_avatar_changes_neither_the_role_nor_the_profile(client, make, db):
    admin, player = make.user(role=Role.ADMIN), make.user(display_name="Ada")
    body = {"role": "MODERATOR", "display_name": "Ada Lovelace", "image_id": "0190a5f0-0000-7000-8000-000000000000"}
    response = client.patch(f"/api/v1/users/{player.id}", json=body, headers=bearer(make, admin))
    assert response.status_code == 422
    assert [error["field"] for error in response.get_json()["errors"]] == ["image_id"]
    db.session.expire_all()
    player = db.session.get(User, player.id)
    assert (player.role, player.display_name) == (Role.USER, "Ada")


def test_a_patch_with_a_refused_role_changes_nothing_else(client, make, db):
    me = make.user(role=Role.ADMIN, display_name="Ada")
    response = client.patch(f"/api/v1/users/{me.id}", json={"role": "USER", "bio": "changed"}, headers=bearer(make, me))
    assert response.status_code == 403
    db.session.expire_all()
    assert (db.session.get(User, me.id).role, db.session.get(User, me.id).bio) == (Role.ADMIN, "")


def test_deleting_ones_own_account(client, make, db):
    me = make.user()
    make.character(owner=me)
    assert client.delete(f"/api/v1/users/{me.id}", headers=bearer(make, me)).status_code == 204
    assert db.session.get(User, me.id) is None


def test_admins_delete_players_but_not_admins(client, make):
    admin, player, other_admin = make.user(role=Role.ADMIN), make.user(), make.user(role=Role.ADMIN)
    assert client.delete(f"/api/v1/users/{other_admin.id}", headers=bearer(make, admin)).status_code == 403
    assert client.delete(f"/api/v1/users/{player.id}", headers=bearer(make, admin)).status_code == 204


def test_deleting_an_account_whose_items_others_carry_answers_409(client, make):
    me = make.user()
    make.give(make.character(), make.item(owner_id=me.id))
    response = client.delete(f"/api/v1/users/{me.id}", headers=bearer(make, me))
    assert response.status_code == 409
    assert response.get_json()["references"]
