"""A kept answer's stamp: which reference entries it read, in what version, told apart after a change."""

import pickle
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace

from webapp import reference


def entry(changed):
    return SimpleNamespace(updated_at=changed)


def test_a_version_is_the_same_instant_however_the_database_hands_it_over():
    naive = datetime(2026, 12, 6, 22, 30, 15, 123456)
    aware = naive.replace(tzinfo=UTC)
    elsewhere = aware.astimezone(timezone(timedelta(hours=-5)))

    assert reference.version_of(entry(naive)) == reference.version_of(entry(aware)) == reference.version_of(
        entry(elsewhere)
    )


def test_a_change_a_microsecond_later_is_a_new_version():
    changed = datetime(2026, 12, 6, 22, 30, 15, 123456, tzinfo=UTC)

    assert reference.version_of(entry(changed + timedelta(microseconds=1))) == reference.version_of(entry(changed)) + 1
    assert reference.version_of(entry(None)) == 0


def test_a_stamp_holds_only_strings_and_integers_so_it_reads_back_fast(app, make):
    item = make.item(name="Lantern")
    snapshot = reference.current()
    kept = snapshot.get("items", item.id)

    stamp = snapshot.stamp([("items", kept)], kinds=["perks"])

    assert {type(part) for row in stamp.entries for part in row} == {str, int}
    assert pickle.loads(pickle.dumps(stamp)) == stamp  # noqa: S301 - our own bytes
    assert snapshot.still(stamp)


def test_a_renamed_entry_no_longer_matches_a_stamp_taken_before(app, make, db):
    item = make.item(name="Lantern")
    snapshot = reference.current()
    stamp = snapshot.stamp([("items", snapshot.get("items", item.id))])
    assert snapshot.still(stamp)

    item.name, item.updated_at = "Hooded Lantern", item.updated_at + timedelta(microseconds=1)
    db.session.commit()

    assert not reference.current().still(stamp)
