"""The contract holds by construction and is watched over the whole suite: answers are written by their documented
models, and the watch (tests/contract.py) catches a status or a body the document does not describe."""

import copy

import pytest

from tests.contract import ContractWatch
from webapp.api import characters


@pytest.fixture
def hero(make):
    owner = make.user()
    return make.character(owner=owner, visibility="PUBLIC")


@pytest.fixture
def doctored(app):
    """A second watch over the app, reading a document the test may change; it stops watching after the test."""
    watch = ContractWatch(app)
    watch.document = copy.deepcopy(watch.document)
    yield watch
    watch.close()


def test_a_serialiser_that_adds_an_undocumented_key_fails_instead_of_sending_it(client, hero, monkeypatch, app,
                                                                                 api_contract):
    original = characters.serialise
    monkeypatch.setattr(characters, "serialise", lambda character: {**original(character), "secret": "x"})
    response = client.get(f"/api/v1/characters/{hero.id}")
    assert response.status_code == 500
    assert "secret" not in response.get_data(as_text=True)
    assert api_contract.take() == ["character_get answered 500, which its document does not list"]


def test_the_watch_catches_a_status_the_document_does_not_list(client, hero, doctored):
    operation = doctored.document["paths"]["/api/v1/characters/{character_id}"]["get"]
    del operation["responses"]["404"]
    assert client.get("/api/v1/characters/00000000-0000-0000-0000-000000000000").status_code == 404
    assert doctored.take() == ["character_get answered 404, which its document does not list"]
    assert client.get(f"/api/v1/characters/{hero.id}").status_code == 200
    assert doctored.take() == []


def test_the_watch_catches_a_body_outside_the_documented_schema(client, hero, doctored):
    schemas = doctored.document["components"]["schemas"]
    schemas["Character"]["properties"]["level"] = {"type": "string"}
    assert client.get(f"/api/v1/characters/{hero.id}").status_code == 200
    (breach,) = doctored.take()
    assert breach.startswith("character_get answered 200 against its schema at 'level'")


def test_the_watch_checks_problem_answers_too(client, doctored):
    doctored.document["components"]["schemas"]["Problem"]["required"].append("missing_key")
    assert client.get("/api/v1/characters?limit=0").status_code == 400
    (breach,) = doctored.take()
    assert "character_list answered 400 against its schema" in breach and "missing_key" in breach
