"""The shared generations store: a bump in flight is not a failure; a bump Redis did not take is."""

import redis

from webapp.caching import RedisGenerations


class _Client:
    """Stands in for redis-py's client at the one call a bump makes."""

    def __init__(self, store_holder: list, fail: bool) -> None:
        self.store_holder, self.fail, self.settled_during_delete = store_holder, fail, None

    def delete(self, *keys):
        self.settled_during_delete = self.store_holder[0].settled()
        if self.fail:
            raise redis.ConnectionError("gone")
        return len(keys)


def _store(fail: bool) -> tuple[RedisGenerations, _Client]:
    holder: list = []
    client = _Client(holder, fail)
    store = RedisGenerations(client, "test:")
    store.RETRY_EVERY = 3600  # the retry must not run during the test
    holder.append(store)
    return store, client


def test_other_threads_still_read_generations_while_a_bump_is_on_its_way():
    store, client = _store(fail=False)
    store.bump(["pack:1"])
    assert client.settled_during_delete is True
    assert store.settled()


def test_a_bump_redis_refuses_unsettles_the_worker_until_recorded():
    store, client = _store(fail=True)
    store.bump(["pack:1"])
    assert not store.settled()
    client.fail = False
    store._record()
    assert store.settled()
