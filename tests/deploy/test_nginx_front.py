"""The project's nginx.conf, with a self-signed certificate, in front of two Gunicorn instances that share
PostgreSQL and Redis: TLS, redirects, headers, static files, gzip, the upload limit, shared sessions."""

import gzip
import http.client
import json
import re
import socket
import ssl
import uuid
from urllib.parse import urlsplit

import psycopg
import pytest

from tests.deploy.conftest import client_ip, production_env
from tests.deploy.stack import Browser, csrf_token, libpq_url, nginx
from tests.servers import ROOT, free_port, gunicorn

# Production-like stacks share the Redis key names of production: one worker runs them, one after another.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("deploy")]

HSTS = "max-age=31536000; includeSubDomains"


@pytest.fixture(scope="module")
def front(deploy_database, real_services, tmp_path_factory):
    _, redis_url = real_services
    env = production_env(deploy_database, redis_url, LOG_LEVEL="INFO")  # request lines show who served
    logs = tmp_path_factory.mktemp("front")
    with (
        gunicorn(env, workers=1, log_path=logs / "a.log") as a,
        gunicorn(env, workers=1, log_path=logs / "b.log") as b,
        nginx(logs, [a, b]) as server,
    ):
        yield {"a": a, "b": b, "nginx": server, "logs": logs}


@pytest.fixture
def visitor(front) -> Browser:
    return Browser(cafile=front["nginx"].cafile, headers={"X-Forwarded-For": client_ip()})


def _handshake(front, version: ssl.TLSVersion) -> str:
    context = ssl.create_default_context(cafile=str(front["nginx"].cafile))
    context.minimum_version = context.maximum_version = version
    if version < ssl.TLSVersion.TLSv1_2:
        context.set_ciphers("ALL:@SECLEVEL=0")
    with (
        socket.create_connection(("127.0.0.1", front["nginx"].https_port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        return tls.version()


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
def test_tls_answers_with_tls_1_2_and_1_3_only(front):
    assert _handshake(front, ssl.TLSVersion.TLSv1_3) == "TLSv1.3"
    assert _handshake(front, ssl.TLSVersion.TLSv1_2) == "TLSv1.2"
    for old in (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1):
        with pytest.raises(ssl.SSLError):
            _handshake(front, old)


def test_plain_http_is_redirected_to_https_with_the_path_kept(front, visitor):
    response = visitor.get(f"http://127.0.0.1:{front['nginx'].http_port}/characters?page=2")
    assert response.status == 301
    assert response.header("Location") == "https://127.0.0.1/characters?page=2"


def test_pages_carry_hsts_and_the_apps_security_headers(front, visitor):
    for path in ("/", "/login", "/no/such/page"):
        response = visitor.get(front["nginx"].base + path)
        assert response.status in (200, 404), path
        assert response.header("Strict-Transport-Security") == HSTS, path
        assert "default-src 'self'" in response.header("Content-Security-Policy"), path
        assert response.header("X-Content-Type-Options") == "nosniff", path
        assert response.header("X-Frame-Options") == "DENY", path
        assert response.header("Referrer-Policy"), path
        assert response.header("Server") == "nginx", "server_tokens off hides the version"


def test_static_files_come_from_nginx_with_long_caching_for_versioned_urls(front, visitor):
    original = (ROOT / "static/css/app.css").read_bytes()
    versioned = visitor.get(front["nginx"].base + "/static/css/app.css?v=3f2a")
    assert versioned.status == 200
    assert versioned.body == original
    assert versioned.header("Cache-Control") == "public, max-age=31536000, immutable"
    assert versioned.header("Strict-Transport-Security") == HSTS
    assert versioned.header("X-Content-Type-Options") == "nosniff"
    # The app stamps every answer with X-Request-ID; a file served by Nginx has none.
    assert versioned.header("X-Request-ID") is None
    plain = visitor.get(front["nginx"].base + "/static/css/app.css")
    assert plain.header("Cache-Control") == "public, max-age=3600"
    missing = visitor.get(front["nginx"].base + "/static/css/nothing-here.css")
    assert missing.status == 404 and missing.header("X-Request-ID") is None
    logs = (front["logs"] / "a.log").read_text() + (front["logs"] / "b.log").read_text()
    assert "/static/" not in logs, "a static file reached Gunicorn"


def test_text_is_gzipped(front, visitor):
    response = visitor.get(front["nginx"].base + "/static/vendor/htmx.min.js", headers={"Accept-Encoding": "gzip"})
    assert response.header("Content-Encoding") == "gzip"
    assert gzip.decompress(response.body) == (ROOT / "static/vendor/htmx.min.js").read_bytes()
    assert "Accept-Encoding" in response.header("Vary")
    page = visitor.get(front["nginx"].base + "/login", headers={"Accept-Encoding": "gzip"})
    assert page.header("Content-Encoding") == "gzip"
    assert b"Sign in" in gzip.decompress(page.body)


def test_metrics_are_not_published_at_the_edge(front, visitor):
    assert visitor.get(front["nginx"].base + "/metrics").status == 404
    assert visitor.get(front["a"] + "/metrics").status == 200


def test_uploads_above_the_apps_limit_are_refused_by_nginx(front, visitor):
    too_big = b"x" * (6 * 1024 * 1024 + 1)
    response = visitor.request("POST", front["nginx"].base + "/login", too_big, {"Content-Type": "text/plain"})
    assert response.status == 413
    assert response.header("X-Request-ID") is None, "Nginx, not the app, refused it"
    within = visitor.request(
        "POST", front["nginx"].base + "/login", b"x" * (5 * 1024 * 1024), {"Content-Type": "text/plain"}
    )
    assert within.status != 413
    assert within.header("X-Request-ID"), "the app answered"


def test_a_body_the_app_refused_unread_leaves_gunicorns_connection_open_for_the_next_request(front):
    # Gunicorn throws away at most 64 KiB of an unread body, then closes the connection with the rest unread: Nginx,
    # still sending it, then saw a reset and answered 502 (about once in 60) and counted the instance as failed.
    host, port = urlsplit(front["a"]).hostname, urlsplit(front["a"]).port
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.request("POST", "/login", b"x" * (5 * 1024 * 1024), {"Content-Type": "text/plain"})
        refused = connection.getresponse()
        refused.read()
        connection.request("GET", "/health")  # on the same connection
        health = connection.getresponse()
        health.read()
    finally:
        connection.close()
    assert 400 <= refused.status < 500
    assert health.status == 200


def test_request_ids_and_https_reach_the_app(front, visitor):
    response = visitor.get(front["nginx"].base + "/health", headers={"X-Request-ID": "edge-check-42"})
    assert response.status == 200
    assert response.header("X-Request-ID") == "edge-check-42"
    generated = visitor.get(front["nginx"].base + "/health").header("X-Request-ID")
    assert re.fullmatch(r"[0-9a-f]{32}", generated), "Nginx's own request id is passed on"
    # On HTTPS the app's CSRF check also demands a same-origin Referer: it only does so when Gunicorn
    # believed Nginx's X-Forwarded-Proto, and it compares with the Host that Nginx passed on.
    login = front["nginx"].base + "/login"
    token = csrf_token(visitor.get(login).text)
    form = {"csrf_token": token, "email": "nobody@example.com", "password": "not the right password"}
    without_referer = visitor.post_form(login, form)
    assert without_referer.status == 400
    with_referer = visitor.post_form(login, form, headers={"Referer": login})
    assert with_referer.status == 422, "a wrong password, past the CSRF check"


def test_a_session_started_on_one_instance_is_valid_on_the_other(front, deploy_database):
    ip = client_ip()
    visitor = Browser(headers={"X-Forwarded-For": ip})
    name = f"Wanderer {uuid.uuid4().hex[:6]}"
    register = front["a"] + "/register"
    token = csrf_token(visitor.get(register).text)
    form = {"csrf_token": token, "display_name": name, "email": f"{uuid.uuid4().hex[:10]}@example.com",
            "password": "a lantern in the deep mine"}  # fmt: skip
    assert visitor.post_form(register, form).status == 200
    sign_in = {"csrf_token": csrf_token(visitor.get(front["a"] + "/login").text), "email": form["email"],
               "password": form["password"]}  # fmt: skip
    assert visitor.post_form(front["a"] + "/login", sign_in).status == 303
    on_b = visitor.get(front["b"] + "/")
    assert on_b.status == 200
    assert name in on_b.text, "instance B does not know the session started on instance A"
    # The client address recorded with the session is the one Nginx / the proxy chain vouched for.
    with psycopg.connect(libpq_url(deploy_database)) as connection:
        recorded = {row[0] for row in connection.execute("SELECT ip_address FROM user_sessions")}
    assert ip in recorded


def test_a_session_started_through_nginx_holds_whichever_instance_answers(front):
    visitor = Browser(cafile=front["nginx"].cafile, headers={"X-Forwarded-For": client_ip()})
    base = front["nginx"].base
    name = f"Traveller {uuid.uuid4().hex[:6]}"
    token = csrf_token(visitor.get(base + "/register").text)
    form = {"csrf_token": token, "display_name": name, "email": f"{uuid.uuid4().hex[:10]}@example.com",
            "password": "a lantern in the deep mine"}  # fmt: skip
    assert visitor.post_form(base + "/register", form, headers={"Referer": base + "/register"}).status == 200
    sign_in = {"csrf_token": csrf_token(visitor.get(base + "/login").text), "email": form["email"],
               "password": form["password"]}  # fmt: skip
    assert visitor.post_form(base + "/login", sign_in, headers={"Referer": base + "/login"}).status == 303
    pages = [visitor.get(base + "/") for _ in range(8)]
    assert all(p.status == 200 and name in p.text for p in pages)
    served = [(front["logs"] / f"{x}.log").read_text().count('"route": "/"') for x in ("a", "b")]
    assert all(count > 0 for count in served), f"both instances should have served pages, saw {served}"


def test_nginx_keeps_a_visitors_public_pages_and_nothing_of_a_signed_in_player(front, visitor):
    base = front["nginx"].base
    path = f"/?visitor-cache-{uuid.uuid4().hex[:8]}"  # a key of this test's own
    first, second = visitor.get(base + path), visitor.get(base + path)
    assert first.status == second.status == 200
    assert first.header("Cache-Control") == "public, max-age=60" and first.header("Set-Cookie") is None
    assert (first.header("X-Cache-Status"), second.header("X-Cache-Status")) == ("MISS", "HIT")
    assert second.header("Strict-Transport-Security") == HSTS

    login = visitor.get(base + "/login")  # a form: private, with the session's token
    assert login.header("Cache-Control") == "private, no-cache" and login.header("X-Cache-Status") == "MISS"
    player = Browser(cafile=front["nginx"].cafile, headers={"X-Forwarded-For": client_ip()}, cookies={"session": "x"})
    assert player.get(base + path).header("X-Cache-Status") == "BYPASS"
    script = visitor.get(base + "/api/v1/characters", headers={"Authorization": "Bearer not-a-token"})
    assert script.status == 401 and script.header("X-Cache-Status") == "BYPASS"


def _edge_problem(response, status: int, code: str) -> dict:
    """A problem+json Nginx wrote itself: the app never saw the request (no X-Request-ID of its own)."""
    assert response.status == status, response.text[:300]
    assert response.header("Content-Type") == "application/problem+json"
    assert response.header("X-Request-ID") is None, "Nginx, not the app, answered"
    problem = json.loads(response.body)
    assert (problem["status"], problem["code"], problem["errors"]) == (status, code, [])
    assert problem["type"].endswith(code.replace("_", "-")) and problem["detail"]
    return problem


def test_a_request_line_too_long_is_refused_by_nginx_as_problem_json(front, visitor):
    base = front["nginx"].base
    refused = visitor.get(base + "/api/v1/characters?search=" + "x" * 8100)
    assert re.fullmatch(r"[0-9a-f]{32}", _edge_problem(refused, 414, "uri_too_long")["request_id"])
    # Just under Nginx's limit the request reaches the app, which names the parameter (Gunicorn took it too).
    reached = visitor.get(base + "/api/v1/characters?search=" + "x" * 7900)
    assert reached.status == 400 and reached.header("X-Request-ID")
    assert json.loads(reached.body)["errors"][0]["field"] == "search"
    errors = (front["nginx"].prefix / "logs" / "error.log").read_text()
    assert "not enough for cache key" not in errors, "the cache key of a long request line fits Nginx's buffer"


def test_headers_too_long_are_refused_by_nginx_and_many_headers_still_reach_the_app(front, visitor):
    base = front["nginx"].base
    hostile = visitor.get(base + "/api/v1/characters", headers={"X-Padding": "y" * 8100, "X-Request-ID": '"}'})
    problem = _edge_problem(hostile, 400, "bad_request")
    assert re.fullmatch(r"[0-9a-f]{32}", problem["request_id"]), "a request id that would break the JSON is not echoed"
    many = visitor.get(base + "/api/v1/characters", headers={f"X-Extra-{n}": "1" for n in range(150)})
    assert many.status == 200, "more headers than Gunicorn's default limit (100) are not refused with its own page"


def test_a_body_too_large_for_the_api_is_refused_by_nginx_as_problem_json(front, visitor):
    too_big = b"x" * (6 * 1024 * 1024 + 1)
    response = visitor.request(
        "POST", front["nginx"].base + "/api/v1/characters", too_big, {"Content-Type": "application/json"}
    )
    _edge_problem(response, 413, "payload_too_large")


def test_with_no_instance_answering_the_api_gets_problem_json_and_pages_get_a_page(tmp_path):
    with nginx(tmp_path, [f"http://127.0.0.1:{free_port()}"]) as server:
        visitor = Browser(cafile=server.cafile)
        api = visitor.get(server.base + "/api/v1/characters")
        _edge_problem(api, 503, "service_unavailable")
        assert api.header("Retry-After") == "30" and api.header("Strict-Transport-Security") == HSTS
        page = visitor.get(server.base + "/characters")
        assert page.status == 503 and page.header("Content-Type").startswith("text/html")
        assert "Back shortly" in page.text
