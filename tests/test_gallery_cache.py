"""Visitors share one cached gallery; any change to what a card shows makes it stale at once."""

import pytest
import sqlalchemy as sa

from webapp.extensions import db
from webapp.models import Character, Role, Visibility


def test_a_visitors_second_look_at_the_gallery_runs_no_query(client, make, queries):
    make.character(name="Brannoc the Bold")
    client.get("/")
    with queries.repeat:
        page = client.get("/").get_data(as_text=True)
    assert queries.count == 0
    assert "Brannoc the Bold" in page


def test_a_new_public_character_shows_at_once(client, make):
    make.character(name="Brannoc the Bold")
    client.get("/")
    make.character(name="Ysolde")
    assert "Ysolde" in client.get("/").get_data(as_text=True)


def test_a_character_made_private_leaves_the_gallery_at_once(client, make):
    hero = make.character(name="Brannoc the Bold")
    client.get("/")
    hero.visibility = Visibility.PRIVATE
    db.session.commit()
    assert "Brannoc the Bold" not in client.get("/").get_data(as_text=True)


def test_a_bulk_update_makes_the_gallery_stale_too(client, make):
    hero = make.character(name="Brannoc the Bold")
    client.get("/")
    db.session.execute(sa.update(Character).where(Character.id == hero.id).values(level=7))
    db.session.commit()
    assert "Level 7" in client.get("/").get_data(as_text=True)


def test_a_renamed_race_shows_at_once(client, make):
    dwarf = make.race(name="Dwarf")
    make.character(name="Brannoc the Bold", race=dwarf)
    client.get("/")
    dwarf.name = "Mountain dwarf"
    db.session.commit()
    assert "Mountain dwarf" in client.get("/").get_data(as_text=True)


def test_visitors_copy_never_reaches_staff_and_staff_copy_never_reaches_visitors(client, make, auth):
    secret = make.race(name="Shadowkin", visibility=Visibility.HIDDEN)
    make.character(name="Brannoc the Bold", race=secret)
    visitor = client.get("/").get_data(as_text=True)
    auth.login(make.user(role=Role.MODERATOR))
    moderator = client.get("/").get_data(as_text=True)
    auth.logout()
    visitor_again = client.get("/").get_data(as_text=True)

    assert "Shadowkin" not in visitor and "[hidden]" in visitor
    assert "Shadowkin" in moderator
    assert "Shadowkin" not in visitor_again


def test_a_hit_asks_the_shared_cache_for_the_generation_and_the_gallery_only(app, client, make, monkeypatch):
    from webapp.extensions import cache

    make.character(name="Brannoc the Bold")
    client.get("/")
    reads = []
    store = app.extensions["generations"]
    real_get, real_get_many, real_read = cache.get, cache.get_many, store.read
    monkeypatch.setattr(cache, "get", lambda key: reads.append(key) or real_get(key))
    monkeypatch.setattr(cache, "get_many", lambda *keys: reads.append(keys) or real_get_many(*keys))
    monkeypatch.setattr(
        store, "read", lambda names, *args, **kwargs: reads.append(tuple(names)) or real_read(names, *args, **kwargs)
    )

    assert "Brannoc the Bold" in client.get("/").get_data(as_text=True)
    assert len(reads) == 2 and reads[0] == ("gallery",) and reads[1].startswith("gallery:"), reads


@pytest.mark.committing  # the other worker writes on a connection of its own
def test_another_workers_invalidation_reaches_this_workers_copy(app, client, make):
    hero = make.character(name="Brannoc the Bold")
    client.get("/")
    with db.engine.begin() as connection:  # a write this process's session never sees, as in another worker
        connection.execute(sa.update(Character).where(Character.id == hero.id).values(name="Brannoc the Old"))
    before = client.get("/").get_data(as_text=True)
    app.extensions["generations"].bump(["gallery"])  # that worker's commit bumps the generation
    db.session.expire_all()  # the tests share one session; a worker's next request starts a fresh one

    assert "Brannoc the Bold" in before
    assert "Brannoc the Old" in client.get("/").get_data(as_text=True)
