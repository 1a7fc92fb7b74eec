"""Anonymous compendium lists come from the cache, every write drops them by name, and an outage is a miss."""

import pytest
from flask import g

from webapp import caching
from webapp.extensions import cache
from webapp.models import Visibility
from webapp.models.compendium_kinds import KINDS
from webapp.observability import CACHE_REQUESTS
from webapp.services import compendium


def counted(result: str) -> float:
    return CACHE_REQUESTS.labels("compendium", result)._value.get()


def names(response) -> list[str]:
    return [row["name"] for row in response.get_json()["data"]]


def test_a_second_anonymous_request_is_a_hit_without_queries(client, make, queries):
    make.item(name="Lantern")
    hits, misses = counted("hit"), counted("miss")
    client.get("/api/v1/items?rarity=COMMON")
    with queries.repeat:
        client.get("/api/v1/items?rarity=COMMON")
    assert queries.count == 0
    assert (counted("hit") - hits, counted("miss") - misses) == (1, 1)


def test_signed_in_lists_are_never_served_from_the_shared_cache(client, auth, make):
    owner = make.user()
    make.item(name="Public")
    client.get("/api/v1/items")
    make.item(name="Mine", owner_id=owner.id, visibility=Visibility.PRIVATE)
    auth.login(owner)
    assert names(client.get("/api/v1/items")) == ["Mine", "Public"]


def test_writes_from_elsewhere_invalidate_too(client, make, db):
    lantern = make.item(name="Lantern")
    assert names(client.get("/api/v1/items")) == ["Lantern"]
    lantern.visibility = Visibility.HIDDEN  # as the moderation queue does
    db.session.commit()
    assert names(client.get("/api/v1/items")) == []


def test_renaming_a_tag_invalidates_the_kinds_that_name_tags(client, make, db):
    tag = make.tag(name="Old")
    make.item(name="Lantern", tags=[tag])
    key_before = caching._generation("compendium:items")
    tag.name = "New"
    db.session.commit()
    assert caching._generation("compendium:items") != key_before


def test_a_broken_cache_is_a_miss_not_an_error(client, make, monkeypatch):
    make.item(name="Lantern")

    def broken(*_args, **_kwargs):
        raise ConnectionError("redis is down")

    for method in ("get", "set", "add"):
        monkeypatch.setattr(cache, method, broken)
    misses = counted("miss")
    assert names(client.get("/api/v1/items")) == ["Lantern"]
    assert counted("miss") > misses


def test_cached_builds_once_and_counts(app):
    calls = []

    def build():
        calls.append(1)
        return {"value": 1}

    assert caching.cached("test:key", build, name="test") == {"value": 1}
    assert caching.cached("test:key", build, name="test") == {"value": 1}
    assert len(calls) == 1


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_invalidating_one_kind_changes_only_its_generation(app, kind):
    others = {name: caching._generation(f"compendium:{name}") for name in KINDS if name != kind}
    before = caching._generation(f"compendium:{kind}")
    caching.invalidate_compendium(kind)
    assert caching._generation(f"compendium:{kind}") != before
    assert {name: caching._generation(f"compendium:{name}") for name in others} == others


def test_the_service_lists_without_the_cache_for_each_actor(app, make):
    owner = make.user()
    make.item(name="Mine", owner_id=owner.id, visibility=Visibility.PRIVATE)
    g.pop("api_caller", None)
    page = compendium.list_entries(owner, KINDS["items"], compendium.Filters(), with_total=True)
    assert [row.name for row in page.rows] == ["Mine"] and page.total == 1
    assert compendium.list_entries(None, KINDS["items"], compendium.Filters()).rows == []
