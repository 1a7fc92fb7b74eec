"""Campaign fixtures: a GM with a party of players' characters."""

import pytest


@pytest.fixture
def gm(make):
    return make.user(display_name="Greta the GM")


@pytest.fixture
def party(make, gm):
    """A campaign run by `gm` with three APPROVED characters of three different players."""
    return make.party(3, gm=gm, name="The Sunken Keep")
