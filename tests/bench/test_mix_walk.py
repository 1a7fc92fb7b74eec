"""The mix walked in-process: every request of the mixed table served once, timed by view, a refusal stops it."""

import dataclasses

import pytest

from bench import mix, mix_walk, players
from tests.support import served
from webapp.seed import load_reference


@pytest.mark.committing  # the bench builds its data through the engine, on a connection of its own
def test_a_walk_serves_the_mixed_table_and_times_every_request_by_view(app, db, csrf_enabled):
    load_reference()
    players.build(db.engine, players=1)
    characters = players.read(db.engine, players=1)

    def walked():
        table = mix.mixed(characters, mix_walk.signed_in(app, characters), "https://localhost")
        return table, mix_walk.walk(app, table)

    table, result = served(walked)

    assert result.requests == len(table)
    assert set(result.wall_ms) == {*mix.VIEWS, *mix.WRITES} == set(result.cpu_ms)
    assert all(t > 0 for times in result.wall_ms.values() for t in times)
    assert result.mean_wall_ms > 0 and result.mean_cpu_ms > 0
    assert "sheet" in mix_walk.describe("pass 1", result)


@pytest.mark.committing
def test_a_request_that_does_not_answer_200_stops_the_walk(app, db):
    load_reference()
    players.build(db.engine, players=1)
    characters = players.read(db.engine, players=1)

    def walked():
        credentials = mix_walk.signed_in(app, characters)
        request = mix.views_of(characters[0], credentials[characters[0].email])[0]
        return mix_walk.walk(app, [dataclasses.replace(request, path="/characters/not-a-character")])

    with pytest.raises(RuntimeError, match="answered 404"):
        served(walked)
