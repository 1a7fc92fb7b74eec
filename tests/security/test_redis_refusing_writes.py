"""A Redis that answers reads but refuses writes (full, or a read-only replica), or one that is gone when a write
is made: nothing cached is served and no remembered credential trusted until the invalidation is recorded."""

import subprocess
import time

import pytest

from tests.deploy.stack import throwaway_redis
from tests.support import AuthActions, forget_worker_copies
from webapp import create_app
from webapp.config import TestingConfig
from webapp.extensions import db as _db
from webapp.models import Visibility

pytestmark = pytest.mark.committing  # the test builds an app of its own on the test database


@pytest.fixture
def redis(tmp_path):
    with throwaway_redis(tmp_path) as server:
        yield server


@pytest.fixture
def cached_app(app, redis):
    """An app like the suite's, but sharing its generations through a Redis this test may break."""
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
    config.SQLALCHEMY_ENGINE_OPTIONS = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    config.REDIS_URL = config.CACHE_REDIS_URL = redis.url
    config.CACHE_TYPE = "RedisCache"
    config.RATELIMIT_ENABLED = False
    config.WTF_CSRF_ENABLED = False
    config.STORAGE_PATH = app.config["STORAGE_PATH"]
    built = create_app(config)
    forget_worker_copies()
    with built.app_context():
        yield built
        _db.session.remove()
    forget_worker_copies()


def _cli(redis, *args: str) -> str:
    done = subprocess.run(["redis-cli", "-p", str(redis.port), *args], capture_output=True, text=True, timeout=10)
    return done.stdout + done.stderr


def _store(app):
    return app.extensions["generations"]


@pytest.mark.parametrize(
    "refuse",
    [("CONFIG", "SET", "maxmemory", "1"), ("CONFIG", "SET", "min-replicas-to-write", "1")],
    ids=["full", "read-only"],
)
def test_a_character_made_private_is_not_served_from_a_kept_answer_while_redis_refuses_writes(
    cached_app, redis, make, refuse
):
    owner, stranger = make.user(), make.user()
    hero = make.character(owner=owner, name="Brannoc", visibility=Visibility.PUBLIC)
    visitor, viewer = cached_app.test_client(), cached_app.test_client()
    AuthActions(viewer).login(stranger)
    paths = [f"/characters/{hero.id}", f"/api/v1/characters/{hero.id}"]
    # A script's token: its check read from the database brings the character's row along (api/caller.py).
    _row, secret = make.personal_token(stranger)
    script, token = cached_app.test_client(), {"Authorization": f"Bearer {secret}"}
    for _ in range(2):
        assert [visitor.get(path).status_code for path in paths] == [200, 200]
        assert [viewer.get(path).status_code for path in paths] == [200, 200]
        assert script.get(paths[1], headers=token).status_code == 200

    assert "OK" in _cli(redis, *refuse)
    hero.visibility = Visibility.PRIVATE
    _db.session.commit()

    for client in (visitor, viewer):
        assert [client.get(path).status_code for _ in range(6) for path in paths] == [404] * 12
    assert [script.get(paths[1], headers=token).status_code for _ in range(6)] == [404] * 6

    _take_writes_again(cached_app, redis)
    for client in (visitor, viewer):
        assert [client.get(path).status_code for path in paths] == [404, 404]


def test_a_revoked_token_is_refused_while_redis_refuses_writes(cached_app, redis, make):
    owner = make.user()
    row, secret = make.personal_token(owner, scope="read")
    script = cached_app.test_client()
    bearer = {"Authorization": f"Bearer {secret}"}
    assert script.get("/api/v1/characters?mine=true", headers=bearer).status_code == 200

    assert "OK" in _cli(redis, "CONFIG", "SET", "min-replicas-to-write", "1")
    row.revoked_at = row.created_at
    _db.session.commit()

    assert [script.get("/api/v1/characters?mine=true", headers=bearer).status_code for _ in range(5)] == [401] * 5
    _take_writes_again(cached_app, redis)
    assert script.get("/api/v1/characters?mine=true", headers=bearer).status_code == 401


def _take_writes_again(app, redis) -> None:
    """Redis takes writes again: the bump this worker could not record is recorded within a few seconds."""
    assert "OK" in _cli(redis, "CONFIG", "SET", "maxmemory", "0")
    assert "OK" in _cli(redis, "CONFIG", "SET", "min-replicas-to-write", "0")
    deadline = time.monotonic() + 10
    while not _store(app).settled() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _store(app).settled()


def test_a_bump_redis_did_not_take_is_retried_and_until_then_nothing_is_vouched_for(cached_app, redis):
    store = _store(cached_app)
    before = store.read(["character:x"])[0]["character:x"]
    redis.stop()
    store.bump(["character:x"])
    assert not store.settled()
    redis.start()
    assert store.read(["character:x"]) is not None  # another worker, which never tried to write, reads on

    deadline = time.monotonic() + 10
    while not store.settled() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert store.settled(), "the bump was never recorded"
    assert store.read(["character:x"])[0]["character:x"] != before


def test_a_full_redis_still_records_a_bump_and_vouches_again_once_it_has_room(cached_app, redis):
    store = _store(cached_app)
    before = store.read(["character:y"])[0]["character:y"]
    assert "OK" in _cli(redis, "CONFIG", "SET", "maxmemory", "1")
    store.bump(["character:y"])
    assert store.settled()  # deletions are taken even when Redis is full
    assert store.read(["character:y"]) is None  # the probe is refused: no worker vouches for anything

    assert "OK" in _cli(redis, "CONFIG", "SET", "maxmemory", "0")
    assert store.read(["character:y"])[0]["character:y"] != before


def test_a_change_whose_bump_redis_refused_is_not_hidden_by_a_kept_answer(cached_app, redis, make):
    """Another worker's bump that Redis refused leaves the old generations in place, and this worker never tried
    one: each read of a request must carry the probe until one is taken, or a read after the sign-in's refused
    one would vouch for those generations."""
    import sqlalchemy as sa

    from webapp.models import Character

    owner = make.user()
    hero = make.character(owner=owner, name="Brannoc", visibility=Visibility.PUBLIC)
    viewer = cached_app.test_client()
    AuthActions(viewer).login(owner)
    page, record = f"/characters/{hero.id}", f"/api/v1/characters/{hero.id}"
    for _ in range(2):
        assert viewer.get(record).get_json()["name"] == "Brannoc"
        assert "Brannoc" in viewer.get(page).get_data(as_text=True)

    assert "OK" in _cli(redis, "CONFIG", "SET", "min-replicas-to-write", "1")
    with _db.engine.begin() as connection:  # that worker's write: its bump is refused, so none is recorded
        connection.execute(sa.update(Character).where(Character.id == hero.id).values(name="Brannoc the Old"))
    _db.session.expire_all()

    assert viewer.get(record).get_json()["name"] == "Brannoc the Old"
    assert "Brannoc the Old" in viewer.get(page).get_data(as_text=True)
    _take_writes_again(cached_app, redis)
