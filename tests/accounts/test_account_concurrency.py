"""Accounts, tokens, sessions and moderation raced on the real PostgreSQL: twenty requests at once are answered as
one after another would be."""

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD
from tests.support import at_once, signed_in_clients, slow_reads, slowed
from webapp.extensions import db
from webapp.models import ApiToken, Character, Role, User, UserSession, Visibility
from webapp.services import accounts, credentials

pytestmark = pytest.mark.committing  # requests race in threads, each on a connection of its own

CROWD = 20


def statuses(answers) -> list[int]:
    return sorted(status for status, _ in answers)


def test_twenty_tokens_asked_for_at_once_with_one_left_make_one_and_refuse_the_rest(app, postgres, make, monkeypatch):
    owner = make.user()
    for _ in range(credentials.MAX_PERSONAL_TOKENS - 1):
        make.personal_token(owner)
    monkeypatch.setattr(credentials, "count_personal_tokens", slowed(credentials.count_personal_tokens))

    answers = at_once(
        signed_in_clients(app, owner, CROWD),
        lambda client, n: client.post("/api/v1/tokens", json={"name": f"Script {n}"}),
    )

    assert statuses(answers) == [201] + [422] * (CROWD - 1)
    refusals = {body["errors"][0]["message"] for status, body in answers if status == 422}
    assert refusals == {"You have too many tokens; revoke some you no longer use."}
    live = db.session.scalar(sa.select(sa.func.count()).where(ApiToken.user_id == owner.id))
    assert live == credentials.MAX_PERSONAL_TOKENS


def test_twenty_parallel_revocations_of_one_token_answer_one_204_and_the_rest_404(app, postgres, make):
    owner = make.user()
    token_id = make.personal_token(owner)[0].id
    url = f"/api/v1/tokens/{token_id}"
    clients = signed_in_clients(app, owner, CROWD)

    with slow_reads(ApiToken):
        answers = at_once(clients, lambda client, _: client.delete(url))

    assert statuses(answers) == [204] + [404] * (CROWD - 1)


def test_twenty_parallel_ends_of_one_other_session_answer_once_and_404_to_the_rest(app, postgres, make):
    owner = make.user()
    clients = signed_in_clients(app, owner, CROWD + 1)
    first = sa.select(UserSession.id).where(UserSession.user_id == owner.id).order_by(UserSession.created_at)
    url = f"/account/sessions/{db.session.scalars(first).first()}/end"  # the first browser's, which sends nothing

    with slow_reads(UserSession):
        answers = at_once(clients[1:], lambda client, _: client.post(url))

    assert statuses(answers) == [303] + [404] * (CROWD - 1)


def test_twenty_parallel_deletions_of_one_account_answer_one_204_and_the_rest_404(app, postgres, make):
    admin, player = make.user(role=Role.ADMIN), make.user()
    player_id = player.id
    url = f"/api/v1/users/{player_id}"
    clients = signed_in_clients(app, admin, CROWD)

    with slow_reads(User):
        answers = at_once(clients, lambda client, _: client.delete(url))

    assert statuses(answers) == [204] + [404] * (CROWD - 1)
    assert db.session.scalar(sa.select(User.id).where(User.id == player_id)) is None


def test_one_address_registered_twenty_times_at_once_makes_one_account(app, postgres, monkeypatch):
    body = {"email": "ada@example.com", "password": "a lantern in the deep mine", "display_name": "Ada"}
    monkeypatch.setattr(accounts, "find_user_by_email", slowed(accounts.find_user_by_email))

    answers = at_once(
        [app.test_client() for _ in range(CROWD)], lambda client, _: client.post("/api/v1/auth/register", json=body)
    )

    assert all(status < 500 for status, _ in answers)
    assert len({status for status, _ in answers}) <= 2  # the account made, and one answer for every other
    made = db.session.scalar(sa.select(sa.func.count()).where(User.email == "ada@example.com"))
    assert made == 1


def test_twenty_moderators_restoring_one_hidden_character_restore_it_once(app, postgres, make):
    moderator = make.user(role=Role.MODERATOR)
    character_id = make.character(visibility=Visibility.HIDDEN).id
    url = f"/admin/content/characters/{character_id}/restore"
    clients = signed_in_clients(app, moderator, CROWD)

    with slow_reads(Character):
        answers = at_once(clients, lambda client, _: client.post(url))

    # Restored as PRIVATE, the character is no longer the moderators' to see: the others find nothing.
    assert statuses(answers) == [303] + [404] * (CROWD - 1)
    db.session.expire_all()
    assert db.session.get(Character, character_id).visibility == Visibility.PRIVATE


def test_twenty_moderators_deleting_one_hidden_character_delete_it_once(app, postgres, make):
    moderator = make.user(role=Role.MODERATOR)
    character_id = make.character(visibility=Visibility.HIDDEN).id
    url = f"/admin/content/characters/{character_id}/delete"
    clients = signed_in_clients(app, moderator, CROWD)

    with slow_reads(Character):
        answers = at_once(clients, lambda client, _: client.post(url))

    assert statuses(answers) == [303] + [404] * (CROWD - 1)
    assert db.session.scalar(sa.select(Character.id).where(Character.id == character_id)) is None


def test_eight_password_changes_at_once_let_one_through_and_end_every_other_token(app, postgres, make):
    user = make.user()
    stamp = user.security_stamp or 0
    headers = {"Authorization": f"Bearer {make.access_token(user)}"}
    clients = [app.test_client() for _ in range(8)]

    with slow_reads(User):
        answers = at_once(
            clients,
            lambda client, n: client.put(
                "/api/v1/auth/password",
                json={"current_password": PASSWORD, "new_password": f"a new password number {n}"},
                headers=headers,
            ),
        )

    assert statuses(answers) == [200] + [422] * 7
    assert {body["errors"][0]["field"] for status, body in answers if status == 422} == {"current_password"}
    db.session.expire_all()
    assert db.session.get(User, user.id).security_stamp == stamp + 1
    issued = next(body["access_token"] for status, body in answers if status == 200)
    assert clients[0].get("/api/v1/users/me", headers={"Authorization": f"Bearer {issued}"}).status_code == 200
    assert clients[0].get("/api/v1/users/me", headers=headers).status_code == 401


def test_twenty_profile_changes_with_one_etag_let_one_through_and_answer_412_to_the_rest(app, postgres, make):
    user = make.user()
    _, token = make.personal_token(user, "write")
    headers = {"Authorization": f"Bearer {token}"}
    url = f"/api/v1/users/{user.id}"
    tag = app.test_client().get(url, headers=headers).headers["ETag"]

    with slow_reads(User):
        answers = at_once(
            [app.test_client() for _ in range(CROWD)],
            lambda client, n: client.patch(
                url, json={"display_name": f"Name {n}"}, headers={**headers, "If-Match": tag}
            ),
        )

    assert statuses(answers) == [200] + [412] * (CROWD - 1)
    winner = next(body["display_name"] for status, body in answers if status == 200)
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name == winner


def test_one_reset_link_used_eight_times_at_once_sets_one_password(app, postgres, make, mailbox):
    user = make.user()
    stamp = user.security_stamp or 0
    assert app.test_client().post("/forgot-password", data={"email": user.email}).status_code == 200
    link = mailbox.link(mailbox.wait_for(to=user.email, subject="Reset"), "/reset-password/")

    with slow_reads(User):
        answers = at_once(
            [app.test_client() for _ in range(8)],
            lambda client, n: client.post(link, data={"password": f"a new password number {n}"}),
        )

    assert statuses(answers) == [303] + [400] * 7  # the others: "already been used"
    db.session.expire_all()
    assert db.session.get(User, user.id).security_stamp == stamp + 1
