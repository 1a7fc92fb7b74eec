"""Answers about a character kept in the shared cache: a repeat runs only the sign-in's query, every write that
changes what an answer shows reaches the next read (on any worker), and nothing else throws an answer away."""

import re
import uuid

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD
from webapp import caching, create_app, invalidation
from webapp.config import TestingConfig
from webapp.extensions import db as _db
from webapp.models import Race, Visibility
from webapp.observability import CACHE_REQUESTS
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


def hits(name: str) -> float:
    return CACHE_REQUESTS.labels(name, "hit")._value.get()


@pytest.mark.parametrize("view", ["/characters/{id}", "/characters/{id}/inventory"])
def test_a_repeat_view_runs_no_query(player, hero, queries, view):
    path = view.format(id=hero.id)
    first = player.get(path).get_data(as_text=True)
    with queries.repeat:
        again = player.get(path).get_data(as_text=True)
    assert queries.count == 0, queries.statements  # the session's check is kept too (services/sign_in_checks.py)
    assert again == first


@pytest.mark.parametrize("view", ["/api/v1/characters/{id}", "/api/v1/characters/{id}/sheet"])
def test_a_repeat_api_read_runs_no_query(client, make, owner, hero, queries, view):
    _row, secret = make.personal_token(owner)
    headers, path = {"Authorization": f"Bearer {secret}"}, view.format(id=hero.id)
    first = client.get(path, headers=headers)
    with queries.repeat:
        again = client.get(path, headers=headers)
    assert queries.count == 0, queries.statements
    assert again.get_json() == first.get_json() and again.headers["ETag"] == first.headers["ETag"]


def test_each_browser_gets_its_own_csrf_token_in_a_kept_page(app, owner, hero, csrf_enabled):
    one, two = app.test_client(), app.test_client()
    for client in (one, two):
        found = LOGIN_CSRF.search(client.get("/login").get_data(as_text=True))
        form = {"email": owner.email, "password": PASSWORD, "csrf_token": found.group(1) or found.group(2)}
        assert client.post("/login", data=form).status_code == 303

    token_one = CSRF.search(sheet(one, hero)).group(1)
    page_two = sheet(two, hero)  # the same viewer, another session: the kept page with its own token
    token_two = CSRF.search(page_two).group(1)

    assert token_one not in page_two
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
    _db.session.get(Race, hero.race_id).name = "Stonefolk Elder"
    return "Stonefolk Elder"


def _join_a_campaign(make, hero, owner):
    campaign = make.campaign(name="The Sunken Crown")
    make.membership(campaign, hero)
    return "The Sunken Crown"


def _rename_its_campaign(make, hero, owner):
    campaign = make.campaign(name="The Sunken Crown")
    make.membership(campaign, hero)
    campaign.name = "The Drowned Crown"
    return "The Drowned Crown"


def _gain_experience(make, hero, owner):
    character_growth.add_experience(owner, hero.id, character_growth.ExperienceAward(amount=900))
    return "900"


@pytest.mark.parametrize(
    "change",
    [_rename_character, _rename_owner_viewer, _change_race_name, _join_a_campaign, _rename_its_campaign,
     _gain_experience],
)  # fmt: skip
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


def test_another_players_homebrew_keeps_a_sheet_that_does_not_show_it(player, make, hero, queries):
    """A homebrew item, skill or race of someone else moves its kind's generation, not this sheet."""
    make.give(hero, make.item(name="Plain Lantern"))
    path = f"/characters/{hero.id}"
    player.get(path)
    stranger = make.user()
    for kind in ("item", "skill", "race", "archetype"):
        getattr(make, kind)(owner_id=stranger.id, name=f"A homebrew {kind}")
    before = hits("sheet")
    with queries.repeat:
        page = player.get(path).get_data(as_text=True)
    assert hits("sheet") == before + 1 and "Plain Lantern" in page
    assert queries.count == 0, queries.statements  # the kinds were loaded again before the count began


def test_a_new_perk_the_owner_may_take_reaches_the_perk_choices(player, make, hero, owner):
    assert "The Owner Perk" not in sheet(player, hero)
    make.perk(owner_id=owner.id, name="The Owner Perk")
    assert "The Owner Perk" in sheet(player, hero)


def test_a_character_made_private_stops_showing_to_others_at_once(client, auth, make, hero):
    auth.login(make.user())
    assert client.get(f"/characters/{hero.id}").status_code == 200
    assert client.get(f"/api/v1/characters/{hero.id}").status_code == 200

    hero.visibility = Visibility.PRIVATE
    _db.session.commit()

    assert client.get(f"/characters/{hero.id}").status_code == 404
    assert client.get(f"/api/v1/characters/{hero.id}").status_code == 404


def test_a_revoked_token_gets_no_kept_answer(client, make, hero, owner):
    row, secret = make.personal_token(owner)
    headers, path = {"Authorization": f"Bearer {secret}"}, f"/api/v1/characters/{hero.id}"
    assert client.get(path, headers=headers).status_code == 200
    assert client.get(path, headers=headers).status_code == 200

    row.revoked_at = row.created_at
    _db.session.commit()

    assert client.get(path, headers=headers).status_code == 401


def test_a_kept_page_ends_with_its_session(client, auth, make, owner, monkeypatch):
    """A kept page answers for the session its cookie names without loading anyone: it must not outlive that
    session, which runs out without any write moving a generation."""
    from datetime import datetime, timedelta

    from webapp import character_views
    from webapp.services import sessions, sign_in_checks

    hero = make.character(owner=owner, name="Brannoc", visibility=Visibility.PRIVATE)
    assert auth.login(owner).status_code == 303
    assert "Brannoc" in sheet(client, hero)
    kept = hits("sheet")
    assert "Brannoc" in sheet(client, hero) and hits("sheet") == kept + 1

    class Later(datetime):  # the clock, a day on: past the end of a session not remembered (12 hours)
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(days=1)

    for module in (character_views, sessions, sign_in_checks):
        monkeypatch.setattr(module, "datetime", Later)

    assert client.get(f"/characters/{hero.id}").status_code == 404  # signed out now, and it is private
    assert hits("sheet") == kept + 1


def test_a_remembered_browser_without_its_session_cookie_is_still_its_user_and_no_one_else(app, make, owner):
    """Signed in with "remember me", the session cookie gone: Flask-Login signs the browser in again from the
    remember cookie, so the page is theirs (not a visitor's kept one), and a visitor still gets no copy of it."""
    hero = make.character(owner=owner, name="Brannoc", visibility=Visibility.PRIVATE)
    browser, visitor = app.test_client(), app.test_client()
    form = {"email": owner.email, "password": PASSWORD, "remember": "y"}
    assert browser.post("/login", data=form).status_code == 303
    assert "Brannoc" in sheet(browser, hero)
    assert visitor.get(f"/characters/{hero.id}").status_code == 404

    browser.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    assert browser.get_cookie(app.config.get("REMEMBER_COOKIE_NAME", "remember_token")) is not None
    for _ in range(2):
        assert "Brannoc" in sheet(browser, hero)
    assert visitor.get(f"/characters/{hero.id}").status_code == 404


def test_a_revoked_session_gets_no_kept_page(client, auth, make, owner):
    from webapp.services import sessions

    hero = make.character(owner=owner, name="Brannoc", visibility=Visibility.PRIVATE)
    assert auth.login(owner).status_code == 303
    assert "Brannoc" in sheet(client, hero)
    assert "Brannoc" in sheet(client, hero)

    for row in sessions.active_sessions(owner):
        row.revoked_at = row.created_at
    _db.session.commit()

    assert client.get(f"/characters/{hero.id}").status_code == 404


def test_a_pending_flash_is_shown_not_a_kept_copy(player, hero):
    sheet(player, hero)
    assert player.post(f"/characters/{hero.id}/experience", data={"amount": "150"}).status_code == 303
    page = sheet(player, hero)
    assert "data-toast" in page
    assert "data-toast" not in sheet(player, hero)


def test_while_redis_cannot_say_what_changed_answers_are_built_each_time(app, player, hero, monkeypatch, queries):
    sheet(player, hero)
    monkeypatch.setattr(
        app.extensions["generations"], "read", lambda names, *_args, **_kwargs: None
    )  # down, or refusing writes
    with queries.repeat:
        assert "Brannoc" in sheet(player, hero)
    assert queries.count >= 3  # the session, the character, its rows


def test_a_cache_that_keeps_nothing_costs_no_generation_reads(app, make, owner, hero, monkeypatch):
    """With CACHE_TYPE=NullCache no answer or sign-in check can be kept: asking what changed would be waste."""
    from flask_caching.backends.nullcache import NullCache

    from webapp.extensions import cache

    read = []
    monkeypatch.setattr(
        app.extensions["generations"], "read", lambda names, *_args, **_kwargs: read.append(names) or None
    )
    monkeypatch.setitem(app.extensions["cache"], cache, NullCache())
    _row, secret = make.personal_token(owner)
    answer = app.test_client().get(f"/api/v1/characters/{hero.id}", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200 and answer.get_json()["name"] == "Brannoc"
    assert read == []


def redis_worker(app, redis_url, rate_limited: bool = False):
    """An app instance sharing the test's database and Redis, as another worker or instance does (its rate limits
    counted in memory, when on)."""
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
    config.SQLALCHEMY_ENGINE_OPTIONS = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    config.REDIS_URL = config.CACHE_REDIS_URL = redis_url
    config.CACHE_TYPE, config.CACHE_KEY_PREFIX = "RedisCache", app.config["CACHE_KEY_PREFIX"]
    config.RATELIMIT_ENABLED, config.WTF_CSRF_ENABLED = rate_limited, False
    config.RATELIMIT_STORAGE_URI = "memory://"
    config.STORAGE_PATH = app.config["STORAGE_PATH"]
    return create_app(config)


@pytest.mark.committing  # each worker is an app with an engine of its own
def test_a_write_through_one_worker_is_seen_by_the_next_read_on_another(app, redis_url, make, hero, owner):
    """Two app instances sharing the database and Redis, as two workers or instances do."""

    def worker():
        return redis_worker(app, redis_url)

    one, two = worker(), worker()
    _row, secret = make.personal_token(owner, scope="write")
    headers, path = {"Authorization": f"Bearer {secret}"}, f"/api/v1/characters/{hero.id}"
    reader, writer = two.test_client(), one.test_client()
    assert reader.get(path, headers=headers).get_json()["name"] == "Brannoc"
    assert reader.get(path, headers=headers).get_json()["name"] == "Brannoc"  # kept now

    renamed = writer.patch(path, json={"name": "Brannoc the Far-Travelled"}, headers=headers)
    assert renamed.status_code == 200

    assert reader.get(path, headers=headers).get_json()["name"] == "Brannoc the Far-Travelled"


def test_what_a_character_carries_leaves_its_api_record_kept_and_reaches_its_sheet(client, make, owner, hero):
    """Generations as fine as what an answer shows: the API's character is the row alone."""
    rope = make.item(name="Hemp Rope")
    make.give(hero, rope)
    _row, secret = make.personal_token(owner, scope="write")
    headers = {"Authorization": f"Bearer {secret}"}
    record, sheet_url = f"/api/v1/characters/{hero.id}", f"/api/v1/characters/{hero.id}/sheet"
    client.get(record, headers=headers)
    load_before = client.get(sheet_url, headers=headers).get_json()["load"]["value"]
    kept = hits("api_character")

    changed = client.patch(f"{record}/inventory/{rope.id}", json={"quantity": 5}, headers=headers)
    assert changed.status_code == 200

    assert client.get(record, headers=headers).status_code == 200 and hits("api_character") == kept + 1
    assert client.get(sheet_url, headers=headers).get_json()["load"]["value"] == load_before * 5


@pytest.mark.committing  # the worker is an app with an engine of its own
@pytest.mark.parametrize("limited", [False, True], ids=["no-limits", "rate-limited"])
@pytest.mark.parametrize("rebuilt", [False, True], ids=["kept", "rebuilt"])
@pytest.mark.parametrize("view", ["/characters/{id}", "/api/v1/characters/{id}/sheet", "/api/v1/characters/{id}"])
def test_an_answer_costs_one_trip_to_redis_and_no_query_for_its_sign_in(
    app, redis_url, make, owner, hero, view, rebuilt, limited, monkeypatch
):
    """A page comes back with the generations it was kept under in one round trip, for the session its cookie
    names; a script's token is checked with what was read in that same trip (its check kept the same way), also
    when the API's rate limit resolves the caller before the view. An answer built afresh after a write reads its
    sign-in's check in that trip too. Nothing else asks Redis's generations, and the sign-in asks no database."""
    from webapp.extensions import cache

    worker = redis_worker(app, redis_url, limited)
    _row, secret = make.personal_token(owner)
    client = worker.test_client()
    if view.startswith("/api/"):
        client = worker.test_client(use_cookies=False)
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    else:
        assert client.post("/login", data={"email": owner.email, "password": PASSWORD}).status_code == 303
    path = view.format(id=hero.id)
    first = client.get(path)
    client.get(f"/api/v1/characters/{hero.id}/sheet")  # the worker holds the compendium, as it soon does
    trips, gets = [], []
    store, backend = worker.extensions["generations"], worker.extensions["cache"][cache]
    real_read, real_get = store.read, backend.get
    monkeypatch.setattr(store, "read", lambda *args, **kwargs: trips.append(args) or real_read(*args, **kwargs))
    monkeypatch.setattr(backend, "get", lambda key: gets.append(key) or real_get(key))
    statements = []

    def seen(_connection, _cursor, statement, *_rest):
        statements.append(statement)

    with worker.app_context():
        engine = _db.engine
    if rebuilt:
        with worker.app_context():
            caching.bump(invalidation.pack(hero.id), invalidation.character(hero.id))
    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        again = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert again.status_code == 200 and again.headers["ETag"] == first.headers["ETag"]
    assert ("X-RateLimit-Limit" in again.headers) is (limited and view.startswith("/api/"))
    assert len(trips) == 1 and all(value_keys for _names, value_keys in trips), trips
    assert gets == []
    assert [s for s in statements if "user_sessions" in s or "api_tokens" in s] == []
    assert len(statements) == (1 if rebuilt else 0), statements  # the character with what it owns


def test_a_request_reads_a_key_once_until_it_writes_it_or_a_commit_moves_its_generations(app, redis_url, monkeypatch):
    worker = redis_worker(app, redis_url)
    store = worker.extensions["generations"]
    trips, real_read = [], store.read
    monkeypatch.setattr(store, "read", lambda *args, **kwargs: trips.append(args) or real_read(*args, **kwargs))
    key, name = f"test:held:{uuid.uuid4()}", f"character:{uuid.uuid4()}"
    with worker.test_request_context("/"):
        caching.prefetch([key], [name])
        first = caching.recall_many([key], [name])
        assert first[0][0].value is None and len(trips) == 1  # the prefetch's trip served the recall
        caching.write(key, "written")
        assert caching.recall(key, [name])[0] == "written" and len(trips) == 2
        assert caching.recall(key, [name])[0] == "written" and len(trips) == 2
        before = caching.recall(key, [name])[1][name]
        caching.bump(name)
        assert caching.recall(key, [name])[1][name] != before and len(trips) == 3


def test_once_redis_failed_a_request_asks_it_nothing_more(app, redis_url, monkeypatch):
    """Each try could wait out a timeout: the request builds everything at once instead (fail closed)."""
    worker = redis_worker(app, redis_url)
    store = worker.extensions["generations"]
    trips = []
    monkeypatch.setattr(store, "read", lambda *args, **kwargs: trips.append(args))  # answers nothing: None
    with worker.test_request_context("/"):
        assert caching.recall_many(["test:a"], ["character:a"]) is None
        assert caching.recall("test:b", ["character:b"]) is None
        assert caching.generations(["campaigns"]) is None
    assert len(trips) == 1
    with worker.test_request_context("/"):  # the next request tries again
        assert caching.generations(["campaigns"]) is None
    assert len(trips) == 2


@pytest.mark.committing  # the worker is an app with an engine of its own
def test_a_kept_sign_in_check_holds_no_password_hash(app, redis_url, make, owner, hero):
    import redis

    worker = redis_worker(app, redis_url)
    client = worker.test_client()
    assert client.post("/login", data={"email": owner.email, "password": PASSWORD}).status_code == 303
    assert client.get(f"/characters/{hero.id}").status_code == 200
    stored = _db.session.execute(sa.text("SELECT password_hash FROM users WHERE id = :id"), {"id": owner.id.hex})
    password_hash = stored.scalar_one().encode()
    server = redis.Redis.from_url(redis_url)
    checks = list(server.scan_iter(f"{app.config['CACHE_KEY_PREFIX']}signin:*"))
    assert checks, "the session's check is kept"
    assert all(password_hash not in server.get(key) for key in checks)
