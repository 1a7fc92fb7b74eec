"""Ids parsed once for every service, and LIKE patterns that take the user's wildcards literally."""

import uuid

import pytest

from webapp.services.errors import NotFound
from webapp.services.ids import parse_id, uuid_or_none
from webapp.services.matching import like_pattern


def test_an_id_in_text_or_as_uuid_parses_to_the_same_uuid():
    key = uuid.uuid4()
    assert parse_id(str(key), "character") == key
    assert parse_id(key, "character") is key


@pytest.mark.parametrize("value", ["", "nope", None, 42, "1234"])
def test_a_malformed_id_is_not_found_under_its_kind(value):
    assert uuid_or_none(value) is None
    with pytest.raises(NotFound, match="No such membership."):
        parse_id(value, "membership")


def test_like_wildcards_typed_by_a_user_match_only_themselves():
    assert like_pattern("50%_off\\") == "%50\\%\\_off\\\\%"
