"""API answers say how much of the rate limit is left, and a 429 is problem+json with Retry-After."""

from webapp.api.limits import ANONYMOUS_LIMIT


def test_api_responses_carry_rate_limit_headers(client, rate_limits):
    response = client.get("/api/v1/items")
    assert response.status_code == 200
    assert response.headers["X-RateLimit-Limit"] == ANONYMOUS_LIMIT.split("/")[0]
    assert int(response.headers["X-RateLimit-Remaining"]) == int(ANONYMOUS_LIMIT.split("/")[0]) - 1
    assert "X-RateLimit-Reset" in response.headers


def test_anonymous_caller_over_the_limit_gets_problem_json_429(client, rate_limits):
    limit = int(ANONYMOUS_LIMIT.split("/")[0])
    statuses = [client.get("/api/v1/tags").status_code for _ in range(limit)]
    assert set(statuses) == {200}
    refused = client.get("/api/v1/tags")
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert int(refused.headers["Retry-After"]) > 0
