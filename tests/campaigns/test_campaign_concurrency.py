"""Requests racing on one campaign or membership on the real PostgreSQL: the campaign (or membership) row is locked
before what a change is checked against is read, so each is answered as if it had come alone."""

import threading
import time

import pytest
import sqlalchemy as sa

from tests.support import at_once, signed_in_clients, slowed
from webapp.extensions import db
from webapp.models import Campaign, CampaignEvent, Character, EventKind, Membership, User
from webapp.services import access
from webapp.services.campaigns import lifecycle

pytestmark = pytest.mark.committing  # requests race in threads, each on a connection of its own

CROWD = 20


@pytest.fixture
def slow_checks(monkeypatch):
    """Every permission check (made right after a row is read) takes a little longer, widening the window in
    which requests that do not wait for each other would overlap."""
    slow_check = slowed(access.check)
    monkeypatch.setattr(access, "check", slow_check)
    monkeypatch.setattr(access.content, "check", slow_check)  # the one `access.load` calls


@pytest.fixture
def archiving(monkeypatch) -> threading.Event:
    """Set while an archiving is under way (its changes made, not yet committed), which then takes a moment more:
    requests sent once it is set arrive while the campaign is being archived."""
    started = threading.Event()
    record = lifecycle.record

    def slow_archive_record(campaign, kind, *args, **kwargs):
        event = record(campaign, kind, *args, **kwargs)
        if kind == EventKind.ARCHIVED:
            started.set()
            time.sleep(0.5)
        return event

    monkeypatch.setattr(lifecycle, "record", slow_archive_record)
    return started


def kinds_logged(campaign_id) -> list[EventKind]:
    query = sa.select(CampaignEvent.kind).where(CampaignEvent.campaign_id == campaign_id).order_by(CampaignEvent.id)
    return list(db.session.scalars(query))


def statuses(answers) -> list[int]:
    return sorted(status for status, _ in answers)


def test_twenty_parallel_archivings_archive_once_and_answer_409_to_the_rest(app, postgres, make, slow_checks):
    gm = make.user()
    campaign, _party = make.party(2, gm=gm)
    url = f"/api/v1/campaigns/{campaign.id}/archive"

    answers = at_once(signed_in_clients(app, gm, CROWD), lambda client, _: client.post(url))

    assert statuses(answers) == [200] + [409] * (CROWD - 1)
    assert kinds_logged(campaign.id).count(EventKind.ARCHIVED) == 1


def test_nothing_is_noted_rotated_or_awarded_in_a_campaign_while_it_is_archived(app, postgres, make, archiving):
    gm = make.user()
    campaign, (hero, _other) = make.party(2, gm=gm)
    base = f"/api/v1/campaigns/{campaign.id}"
    changes = [
        lambda client: client.post(f"{base}/events", json={"body": "The gates close."}),
        lambda client: client.post(f"{base}/invite-code"),
        lambda client: client.post(f"{base}/awards", json={"experience": 100, "all": True}),
    ]

    def send(client, n):
        if n == 0:
            return client.post(f"{base}/archive")
        assert archiving.wait(timeout=30)
        return changes[n % len(changes)](client)

    answers = at_once(signed_in_clients(app, gm, CROWD), send)

    assert answers[0][0] == 200
    assert statuses(answers[1:]) == [409] * (CROWD - 1)
    assert kinds_logged(campaign.id) == [EventKind.ARCHIVED]
    db.session.expire_all()
    assert db.session.get(Character, hero.id).experience == 0


def test_no_one_joins_a_campaign_while_it_is_archived(app, postgres, make, archiving):
    gm = make.user()
    campaign = make.campaign(owner=gm, invite_code="deep-roads")
    players = [make.user() for _ in range(CROWD - 1)]
    character_ids = [str(make.character(owner=player).id) for player in players]
    clients = signed_in_clients(app, gm, 1) + [signed_in_clients(app, player, 1)[0] for player in players]
    archive = f"/api/v1/campaigns/{campaign.id}/archive"

    def send(client, n):
        if n == 0:
            return client.post(archive)
        assert archiving.wait(timeout=30)
        body = {"invite_code": "deep-roads", "character_id": character_ids[n - 1]}
        return client.post("/api/v1/campaigns/join", json=body)

    answers = at_once(clients, send)

    assert answers[0][0] == 200
    assert statuses(answers[1:]) == [404] * (CROWD - 1)
    joined = db.session.scalars(sa.select(Membership.id).where(Membership.campaign_id == campaign.id))
    assert joined.all() == []


def test_experience_given_by_the_gm_while_the_campaign_is_archived_is_refused(app, postgres, make, archiving):
    gm = make.user()
    campaign, (hero,) = make.party(1, gm=gm, level_cap=2)
    clients = signed_in_clients(app, gm, 2)
    archive, award = f"/api/v1/campaigns/{campaign.id}/archive", f"/api/v1/characters/{hero.id}/experience"

    def send(client, n):
        if n == 0:
            return client.post(archive)
        assert archiving.wait(timeout=30)
        return client.post(award, json={"amount": 1000})

    answers = at_once(clients, send)

    # Once archived the GM no longer runs the character: as if the award had come after the archiving.
    assert [status for status, _ in answers] == [200, 403]
    db.session.expire_all()
    assert (db.session.get(Character, hero.id).experience, db.session.get(Character, hero.id).level) == (0, 1)


@pytest.mark.parametrize("who", ["gm", "player"])
def test_twenty_parallel_removals_of_one_membership_end_it_once_and_answer_404_to_the_rest(
    app, postgres, make, slow_checks, who
):
    gm = make.user()
    campaign, (hero,) = make.party(1, gm=gm)
    membership_id = db.session.scalar(sa.select(Membership.id).where(Membership.character_id == hero.id))
    actor = gm if who == "gm" else db.session.get(User, hero.owner_id)
    url = f"/api/v1/campaigns/{campaign.id}/members/{membership_id}"

    answers = at_once(signed_in_clients(app, actor, CROWD), lambda client, _: client.delete(url))

    assert statuses(answers) == [204] + [404] * (CROWD - 1)
    ended = EventKind.REMOVED if who == "gm" else EventKind.LEFT
    assert kinds_logged(campaign.id) == [ended]


def test_twenty_parallel_campaign_changes_sent_with_one_etag_save_one_and_answer_412_to_the_rest(
    app, postgres, make, slow_checks
):
    gm = make.user()
    campaign = make.campaign(owner=gm, name="Deep Roads")
    url = f"/api/v1/campaigns/{campaign.id}"
    clients = signed_in_clients(app, gm, CROWD)
    etag = clients[0].get(url).headers["ETag"]

    answers = at_once(
        clients,
        lambda client, n: client.patch(url, json={"description": f"Version {n}"}, headers={"If-Match": etag}),
    )

    assert statuses(answers) == [200] + [412] * (CROWD - 1)
    assert kinds_logged(campaign.id) == [EventKind.RULES_CHANGED]


def test_twenty_parallel_deletes_of_one_campaign_answer_one_204_and_the_rest_404(app, postgres, make, slow_checks):
    gm = make.user()
    campaign, (hero,) = make.party(1, gm=gm)
    campaign_id = campaign.id
    url = f"/api/v1/campaigns/{campaign_id}"

    answers = at_once(signed_in_clients(app, gm, CROWD), lambda client, _: client.delete(url))

    assert statuses(answers) == [204] + [404] * (CROWD - 1)
    assert db.session.scalar(sa.select(Campaign.id).where(Campaign.id == campaign_id)) is None
    assert db.session.scalar(sa.select(Character.id).where(Character.id == hero.id)) == hero.id


def test_a_member_removed_while_the_campaign_is_archived_is_freed_once(app, postgres, make, archiving):
    gm = make.user()
    campaign, (hero,) = make.party(1, gm=gm, level_cap=2)
    hero.experience, hero.level = 1000, 2
    db.session.commit()
    membership_id = db.session.scalar(sa.select(Membership.id).where(Membership.character_id == hero.id))
    archive = f"/api/v1/campaigns/{campaign.id}/archive"
    removal = f"/api/v1/campaigns/{campaign.id}/members/{membership_id}"

    def send(client, n):
        if n == 0:
            return client.post(archive)
        assert archiving.wait(timeout=30)
        return client.delete(removal)

    answers = at_once(signed_in_clients(app, gm, 2), send)

    # The archiving ended the membership first: the removal finds nothing left to end.
    assert [status for status, _ in answers] == [200, 404]
    assert kinds_logged(campaign.id) == [EventKind.ARCHIVED]
    db.session.expire_all()
    assert db.session.get(Character, hero.id).level == 5
