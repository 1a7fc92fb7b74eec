"""A character's own rows kept between writes: of the views a write leaves stale, the first reads the rows from the
database and keeps them, the next read them back with their own kept answer; access and names stay each viewer's."""

import threading
import time
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD
from webapp import caching, invalidation
from webapp.extensions import db as _db
from webapp.models import InventoryEntry, Visibility
from webapp.services import accounts
from webapp.services.access.content import HIDDEN_LABEL
from webapp.services.sheets import kept_rows


@dataclass(frozen=True)
class Scene:
    owner: Any
    hero: Any  # the owner's PUBLIC character
    rope: Any  # one in the hero's pack, 2 kg


@pytest.fixture
def scene(make) -> Scene:
    owner = make.user(display_name="Maren")
    hero = make.character(owner=owner, name="Brannoc", visibility=Visibility.PUBLIC)
    rope = make.item(name="Hemp Rope", weight=2.0)
    make.give(hero, rope)
    return Scene(owner, hero, rope)


@pytest.fixture
def owner(scene):
    return scene.owner


@pytest.fixture
def hero(scene):
    return scene.hero


@pytest.fixture
def rope(scene):
    return scene.rope


@pytest.fixture
def player(client, auth, scene):
    assert auth.login(scene.owner).status_code == 303
    return client


@pytest.fixture
def recalled(monkeypatch):
    """Whether each load of a character's rows found them kept (True) or read them from the database (False)."""
    seen: list[bool] = []
    real = kept_rows.recalled

    def spy(character_id):
        found = real(character_id)
        seen.append(found is not None)
        return found

    monkeypatch.setattr(kept_rows, "recalled", spy)
    return seen


def _token(make, owner, scope="write") -> dict:
    _row, secret = make.personal_token(owner, scope=scope)
    return {"Authorization": f"Bearer {secret}"}


def test_after_a_write_the_second_view_reads_no_row_of_the_character(player, hero, rope, queries, recalled):
    path = f"/characters/{hero.id}/inventory/{rope.id}/quantity"
    changed = player.post(path, data={"quantity": 4}, headers={"HX-Request": "true"})
    assert changed.status_code == 200
    with queries.repeat:
        assert player.get(f"/characters/{hero.id}").status_code == 200
    assert queries.count == 1, queries.statements  # the character with its campaign and what it owns
    with queries.repeat:
        page = player.get(f"/characters/{hero.id}/inventory").get_data(as_text=True)
    assert queries.count == 0, queries.statements
    assert recalled == [False, True]
    assert "8 kg" in page  # four ropes of 2 kg


def test_rows_kept_before_a_write_are_not_read_after_it(client, make, owner, hero, rope, recalled):
    headers = _token(make, owner)
    sheet_url, rope_url = f"/api/v1/characters/{hero.id}/sheet", f"/api/v1/characters/{hero.id}/inventory/{rope.id}"
    assert client.get(sheet_url, headers=headers).get_json()["load"]["value"] == 2.0

    assert client.patch(rope_url, json={"quantity": 5}, headers=headers).status_code == 200
    assert client.get(sheet_url, headers=headers).get_json()["load"]["value"] == 10.0
    assert client.get(f"/api/v1/characters/{hero.id}", headers=headers).status_code == 200

    assert client.patch(rope_url, json={"quantity": 3}, headers=headers).status_code == 200
    assert client.get(sheet_url, headers=headers).get_json()["load"]["value"] == 6.0
    assert recalled == [False, False, False]  # each read came after a write: nothing kept could be used


def test_kept_rows_serve_the_next_view_with_what_the_write_left(client, make, owner, hero, rope, recalled, auth):
    headers = _token(make, owner)
    rope_url = f"/api/v1/characters/{hero.id}/inventory/{rope.id}"
    assert client.patch(rope_url, json={"quantity": 5}, headers=headers).status_code == 200
    assert client.get(f"/api/v1/characters/{hero.id}/sheet", headers=headers).status_code == 200  # keeps the rows

    assert auth.login(owner).status_code == 303
    page = client.get(f"/characters/{hero.id}").get_data(as_text=True)
    assert recalled == [False, True]
    assert "10 kg" in page


def test_a_private_character_kept_for_its_owner_stays_hidden_from_others(app, make, owner, hero, rope, recalled):
    hero.visibility = Visibility.PRIVATE
    _db.session.commit()
    owners, strangers = app.test_client(), app.test_client()
    stranger = make.user()
    for client, user in ((owners, owner), (strangers, stranger)):
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 303
    assert owners.get(f"/characters/{hero.id}").status_code == 200
    paths = [f"/characters/{hero.id}", f"/characters/{hero.id}/inventory", f"/api/v1/characters/{hero.id}/sheet"]
    for path in paths:
        headers = _token(make, stranger, "read") if path.startswith("/api/") else {}
        assert strangers.get(path, headers=headers).status_code == 404
    assert recalled == [False, True, True, True]  # the stranger's views found the owner's rows, and were refused


def test_kept_rows_hold_no_names_a_viewer_may_not_see(app, make, owner, hero, recalled):
    secret = make.item(name="Owner's Secret Charm", owner_id=owner.id, visibility=Visibility.PRIVATE)
    make.give(hero, secret)
    owners, others = app.test_client(), app.test_client()
    other = make.user()
    for client, user in ((owners, owner), (others, other)):
        assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 303
    assert "Owner&#39;s Secret Charm" in owners.get(f"/characters/{hero.id}/inventory").get_data(as_text=True)

    page = others.get(f"/characters/{hero.id}/inventory").get_data(as_text=True)
    assert recalled == [False, True]
    assert "Secret Charm" not in page and HIDDEN_LABEL in page


def test_a_deleted_accounts_character_is_gone_for_every_viewer_at_once(app, make, owner, hero):
    """The database deletes an account's characters with it, unseen by the flush: what was kept of them goes too."""
    other, visitor = app.test_client(), app.test_client()
    assert other.post("/login", data={"email": make.user().email, "password": PASSWORD}).status_code == 303
    for client in (other, visitor):
        for path in (f"/characters/{hero.id}", f"/characters/{hero.id}/inventory"):
            assert client.get(path).status_code == 200
    hero_id = hero.id

    accounts.delete_account(owner, owner.id)

    for client in (other, visitor):
        for path in (f"/characters/{hero_id}", f"/characters/{hero_id}/inventory"):
            assert client.get(path).status_code == 404


def test_a_deleted_game_masters_campaign_leaves_its_members_sheets(player, make, hero):
    game_master = make.user()
    make.membership(make.campaign(owner=game_master, name="The Sunken Crown"), hero)
    assert "The Sunken Crown" in player.get(f"/characters/{hero.id}").get_data(as_text=True)
    assert player.get(f"/characters/{hero.id}/inventory").status_code == 200  # rows kept with the campaign

    accounts.delete_account(game_master, game_master.id)

    assert "The Sunken Crown" not in player.get(f"/characters/{hero.id}").get_data(as_text=True)


def test_rows_are_kept_under_the_shape_of_their_models(hero):
    """A release that maps other columns reads none of the rows an earlier one kept."""
    from webapp.models import Campaign, Character, Membership

    shape = kept_rows.shape_of((Character, Membership, Campaign))
    assert kept_rows.key(hero.id) == f"rows:{shape}:{hero.id}"
    assert kept_rows.shape_of((Character, Membership)) != shape


def test_rows_are_used_only_under_the_generations_they_were_kept_under(app, hero):
    names = kept_rows.names(hero.id)
    assert names == [invalidation.character(hero.id), invalidation.pack(hero.id), invalidation.CAMPAIGNS]
    kept = kept_rows.Rows(dict.fromkeys(names, "before"), object(), None, None, [])
    with app.test_request_context():
        assert caching.generations(names) is not None  # this request reads the current ones
        kept_rows.asked(hero.id, caching.Held(kept))
        assert kept_rows.recalled(hero.id) is None
    with app.test_request_context():
        current = caching.generations(names)
        kept_rows.asked(hero.id, caching.Held(kept_rows.Rows(current, object(), None, None, [])))
        assert kept_rows.recalled(hero.id) is not None
        kept_rows.asked(hero.id, caching.Held(None))
        assert kept_rows.recalled(hero.id) is None


def test_rows_read_after_this_requests_own_commit_are_not_kept(app, hero):
    """A request's generations are forgotten when its own commit moves some: rows read after it are not kept
    under the generations read before it."""
    with app.test_request_context():
        caching.generations(kept_rows.names(hero.id))
        kept_rows.asked(hero.id, caching.Held(None))
        caching.forget_read_generations()
        kept_rows.keep(hero.id, object(), None, None, [])
        assert kept_rows.to_write() == {}


@pytest.mark.committing  # requests race in threads, on two app instances with engines of their own
def test_reads_racing_writes_on_two_workers_end_on_the_last_write(
    app, postgres, redis_url, make, owner, hero, rope, monkeypatch
):
    """Nine writers and ten readers at once, on two instances sharing PostgreSQL and Redis, three times over. Each
    reader that reads the rows from the database waits before keeping them, so writes land between its read and
    its keep. When the writes are done, every view on either instance shows what the last one left."""
    from tests.test_character_views import redis_worker

    _db.session.commit()
    one, two = redis_worker(app, redis_url), redis_worker(app, redis_url)
    headers = _token(make, owner)
    _db.session.commit()
    real_keep = kept_rows.keep

    def slow_keep(*args):
        time.sleep(0.05)
        real_keep(*args)

    monkeypatch.setattr(kept_rows, "keep", slow_keep)
    record, page = f"/api/v1/characters/{hero.id}", f"/characters/{hero.id}"
    held = sa.select(InventoryEntry.quantity).where(InventoryEntry.item_id == rope.id)
    for _round in range(3):
        _race(one, two, f"{record}/inventory/{rope.id}", record, headers)
        _db.session.expire_all()
        quantity = _db.session.scalar(held.where(InventoryEntry.character_id == hero.id))
        for worker in (one, two):
            client = worker.test_client()
            assert client.get(f"{record}/sheet", headers=headers).get_json()["load"]["value"] == 2.0 * quantity
            assert client.post("/login", data={"email": owner.email, "password": PASSWORD}).status_code == 303
            assert f"{2 * quantity} kg" in client.get(page).get_data(as_text=True)


def _race(one, two, stack: str, record: str, headers: dict) -> None:
    """Nine writes of different quantities through `one`, while ten readers on both instances read the API sheet
    and record until the last write is done."""
    quantities = range(2, 11)
    barrier, answers, written = threading.Barrier(len(quantities) + 10), [], threading.Event()

    def write(quantity: int) -> None:
        client = one.test_client()
        barrier.wait()
        answers.append(client.patch(stack, json={"quantity": quantity}, headers=headers))

    def read(worker) -> None:
        client = worker.test_client()
        barrier.wait()
        while not written.is_set():  # reading until the last write is done, so some reads straddle it
            for path in (f"{record}/sheet", record):
                answers.append(client.get(path, headers=headers))

    writers = [threading.Thread(target=write, args=(quantity,)) for quantity in quantities]
    readers = [threading.Thread(target=read, args=(worker,)) for worker in (one, two) * 5]
    for thread in writers + readers:
        thread.start()
    for thread in writers:
        thread.join(timeout=60)
    written.set()
    for thread in readers:
        thread.join(timeout=60)
    assert len(answers) > 30 and all(answer.status_code == 200 for answer in answers)
