"""One input per campaign use case: the API validates with it, the pages map their forms to it."""

import pytest

from webapp.api.spec import REGISTRY
from webapp.services import campaigns
from webapp.services.campaigns import awards
from webapp.services.errors import InvalidInput


@pytest.mark.parametrize(
    ("method", "path", "model"),
    [
        ("POST", "/campaigns", campaigns.CampaignCreate),
        ("PATCH", "/campaigns/<uuid:campaign_id>", campaigns.CampaignPatch),
        ("POST", "/campaigns/join", campaigns.JoinRequest),
        ("POST", "/campaigns/<uuid:campaign_id>/members/<uuid:membership_id>/approve", campaigns.ApproveBody),
        ("POST", "/campaigns/<uuid:campaign_id>/awards", awards.AwardBody),
        ("POST", "/campaigns/<uuid:campaign_id>/events", campaigns.NoteBody),
    ],
)
def test_the_api_reads_each_campaign_use_case_with_the_services_input(method, path, model):
    (spec,) = [spec for spec in REGISTRY if spec.method == method and spec.path == path]
    assert spec.body is model


def test_a_campaign_name_is_one_line_and_never_blank():
    assert campaigns.CampaignCreate.read({"name": "  The \u00a0 Sunken   Keep "}).name == "The Sunken Keep"
    for blank in (" \u00a0 ", ""):
        with pytest.raises(InvalidInput) as error:
            campaigns.CampaignCreate.read({"name": blank})
        assert [(v.field, v.message) for v in error.value.violations] == [("name", "Give the campaign a name.")]


def test_a_line_break_in_a_campaign_name_is_refused_as_the_request_check_refuses_it():
    # The OpenAPI document states the input's pattern, and the request check refuses line breaks in a name.
    with pytest.raises(InvalidInput) as error:
        campaigns.CampaignCreate.read({"name": "The\nSunken Keep"})
    assert [(v.field, v.message) for v in error.value.violations] == [("name", "Keep this on one line.")]


def test_a_rename_to_nothing_is_refused_beside_the_name():
    with pytest.raises(InvalidInput) as error:
        campaigns.CampaignPatch.read({"name": None})
    assert [(v.field, v.message) for v in error.value.violations] == [("name", "Give the campaign a name.")]


def test_changes_name_only_the_keys_given_flat():
    changes = campaigns.CampaignPatch.read({"description": None, "rules": {"level_cap": None}})
    assert changes.values() == {"description": "", "level_cap": None}


def test_a_rule_out_of_range_is_named_as_the_service_names_it():
    with pytest.raises(InvalidInput) as error:
        campaigns.CampaignCreate.read({"name": "Keep", "rules": {"point_budget": campaigns.MAX_BUDGET + 1}})
    assert [v.field for v in error.value.violations] == ["point_budget"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"all": True}, "experience"),
        ({"experience": 5}, "character_ids"),
        ({"experience": 5, "all": True, "character_ids": ["0190d2a4-0000-7000-8000-000000000000"]}, "character_ids"),
    ],
)
def test_an_award_says_what_and_to_whom(values, field):
    with pytest.raises(InvalidInput) as error:
        awards.AwardBody.read(values)
    assert [v.field for v in error.value.violations] == [field]


def test_an_awards_reason_is_one_line():
    award = awards.AwardBody.read({"experience": 5, "all": True, "reason": " for the\u2003 flooded   cellar "})
    assert award.reason == "for the flooded cellar"
    with pytest.raises(InvalidInput) as error:
        awards.AwardBody.read({"experience": 5, "all": True, "reason": "for the\nflooded cellar"})
    assert [v.field for v in error.value.violations] == ["reason"]
