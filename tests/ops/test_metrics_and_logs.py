"""Prometheus metrics (also across Gunicorn workers) and JSON request logs."""

import json
import logging
import re
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.servers import app_env, gunicorn, migrate
from webapp.models import Visibility
from webapp.observability import JsonFormatter


def _counter(text: str, route: str, status: str = "200") -> float:
    total = 0.0
    pattern = re.compile(r"^http_requests_total\{(?P<labels>[^}]*)\} (?P<value>[0-9.e+]+)$", re.M)
    for match in pattern.finditer(text):
        labels = match.group("labels")
        if f'route="{route}"' in labels and f'status="{status}"' in labels and 'method="GET"' in labels:
            total += float(match.group("value"))
    return total


def test_metrics_count_requests_by_route_rule_not_raw_path(client):
    client.get("/")
    client.get("/no/such/page")
    text = client.get("/metrics").get_data(as_text=True)
    assert "http_request_duration_seconds_bucket" in text
    assert _counter(text, "/") >= 1
    assert _counter(text, "<unmatched>", "404") >= 1
    assert 'route="/no/such/page"' not in text
    assert "db_pool" in text


def test_request_gets_an_id_and_one_json_log_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="tavern.request"):
        response = client.get("/health", headers={"X-Request-ID": "req-42", "Authorization": "Bearer sekrit"})
    assert response.headers["X-Request-ID"] == "req-42"
    records = [r for r in caplog.records if r.name == "tavern.request"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["request_id"] == "req-42"
    assert line["route"] == "/health"
    assert line["status"] == 200
    assert line["method"] == "GET"
    assert {"timestamp", "level", "message", "duration_ms", "user_id"} <= line.keys()
    assert "sekrit" not in json.dumps(line)


def test_unsafe_request_ids_are_replaced(client):
    response = client.get("/health", headers={"X-Request-ID": "bad id <script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


@pytest.mark.slow
def test_metrics_under_gunicorn_count_requests_of_every_worker(tmp_path):
    (tmp_path / "prom").mkdir()
    env = app_env(
        f"sqlite:///{tmp_path / 'metrics.db'}",
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "prom"),
        GUNICORN_WORKER_CLASS="sync",
        # Workers retire after 25 requests, so many processes serve (and some exit) during the run:
        # the count must still include every request, whichever worker served it.
        GUNICORN_MAX_REQUESTS="25",
        GUNICORN_MAX_REQUESTS_JITTER="0",
    )
    migrate(env)
    log_path = tmp_path / "gunicorn.log"
    requests = 80
    with gunicorn(env, workers=2, log_path=log_path) as base:

        def fetch(_):
            request = urllib.request.Request(base + "/health", headers={"Connection": "close"})
            with urllib.request.urlopen(request, timeout=45) as response:
                return response.status

        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = list(pool.map(fetch, range(requests)))
        with urllib.request.urlopen(base + "/metrics", timeout=10) as response:
            text = response.read().decode()

    assert statuses == [200] * requests
    pids = {
        json.loads(line)["pid"]
        for line in log_path.read_text().splitlines()
        if line.startswith("{") and '"route": "/health"' in line
    }
    assert len(pids) >= 2, f"expected several workers to serve /health, saw pids {pids}"
    # The readiness wait of the test harness also hit /health, so at least `requests` are counted.
    assert _counter(text, "/health") >= requests
    assert _counter(text, "/health") <= requests + 100


def test_a_refused_request_names_its_caller_in_the_log_without_reading_them_again(client, make, queries, caplog):
    owner, stranger = make.user(), make.user()
    hidden = make.character(owner=owner, visibility=Visibility.PRIVATE)
    headers = {"Authorization": f"Bearer {make.personal_token(stranger)[1]}"}
    with caplog.at_level(logging.INFO, logger="tavern.request"), queries:
        response = client.get(f"/api/v1/characters/{hidden.id}", headers=headers)
    assert response.status_code == 404  # the refusal rolled the session back: its objects are expired
    line = json.loads(JsonFormatter().format([r for r in caplog.records if r.name == "tavern.request"][-1]))
    assert line["user_id"] == str(stranger.id)
    assert [s for s in queries.statements if s.lstrip().upper().startswith("SELECT USERS.")] == []
