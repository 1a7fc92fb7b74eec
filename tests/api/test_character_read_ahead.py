"""A personal token's read of one character brings the character's row with the token's check (api/caller.py): the
answers are those of a character loaded on its own, whoever asks and whatever the token's state."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from webapp.models import Role, Visibility


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def _get(client, character_id, secret):
    return client.get(f"/api/v1/characters/{character_id}", headers=bearer(secret))


def test_the_owner_reads_their_private_character(client, make):
    owner = make.user()
    character = make.character(owner=owner, visibility=Visibility.PRIVATE)
    _, secret = make.personal_token(owner)
    first, again = _get(client, character.id, secret), _get(client, character.id, secret)  # checked, then kept
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()
    assert first.get_json()["id"] == str(character.id)


def test_another_players_private_character_is_as_missing_as_one_that_is_not_there(client, make):
    character = make.character(visibility=Visibility.PRIVATE)
    _, secret = make.personal_token(make.user())
    hidden, missing = _get(client, character.id, secret), _get(client, uuid.uuid4(), secret)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json()["detail"] == missing.get_json()["detail"]


def test_a_moderator_reads_a_hidden_character(client, make):
    character = make.character(visibility=Visibility.HIDDEN)
    _, secret = make.personal_token(make.user(role=Role.MODERATOR))
    assert _get(client, character.id, secret).status_code == 200


@pytest.mark.parametrize(
    "token_state",
    [
        {"revoked_at": datetime.now(UTC)},
        {"expires_at": datetime.now(UTC) - timedelta(seconds=1)},
    ],
)
def test_a_revoked_or_expired_token_answers_401_and_not_the_character(client, make, token_state):
    owner = make.user()
    character = make.character(owner=owner)
    _, secret = make.personal_token(owner, **token_state)
    answer = _get(client, character.id, secret)
    assert answer.status_code == 401
    assert character.name not in answer.get_data(as_text=True)


def test_a_banned_players_token_answers_401(client, make, db):
    owner = make.user()
    character = make.character(owner=owner)
    _, secret = make.personal_token(owner)
    assert _get(client, character.id, secret).status_code == 200
    owner.ban_reason = "Spamming the gallery"
    db.session.commit()
    assert _get(client, character.id, secret).status_code == 401


def test_a_token_tied_to_a_campaign_reads_only_its_characters(client, make):
    owner = make.user()
    inside, outside = make.character(owner=owner), make.character(owner=owner)
    campaign = make.campaign()
    make.membership(campaign, inside)
    _, secret = make.personal_token(owner, campaign_id=campaign.id)
    assert _get(client, inside.id, secret).status_code == 200
    assert _get(client, outside.id, secret).status_code == 404


def test_a_gm_reads_a_private_character_of_their_party_and_no_other(client, make):
    gm = make.user()
    campaign = make.campaign(owner=gm)
    member, stranger = make.character(visibility=Visibility.PRIVATE), make.character(visibility=Visibility.PRIVATE)
    make.membership(campaign, member)
    _, secret = make.personal_token(gm)
    assert _get(client, member.id, secret).get_json()["id"] == str(member.id)
    assert _get(client, stranger.id, secret).status_code == 404
