"""The benchmark harness's pieces: wrk's result line and request tables, Nginx's config, the hello app, the client."""

import re
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import servers, wrk
from bench.client import CSRF_FIELD, Client
from tests.deploy.stack import require_tool

WRK_OUTPUT = """Running 10s test @ https://127.0.0.1:40001/bench/hello
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    15.10ms    4.20ms  80.00ms   90.00%
  20000 requests in 10.00s, 3.00MB read
Requests/sec:   2000.00
Transfer/sec:    307.20KB
BENCH_RESULT {"requests": 20000, "duration_us": 10000000, "bytes": 3145728, "p50_us": 14000, "p90_us": 19000, \
"p99_us": 41000, "max_us": 80000, "mean_us": 15100.50, "errors": {"connect": 0, "read": 0, "write": 0, \
"status": 3, "timeout": 0}, "non_2xx": 5, "statuses": {"302": 2, "500": 3}}
"""


def test_wrk_result_line_is_read_among_wrks_own_output():
    result = wrk.parse(WRK_OUTPUT)

    assert result.requests == 20000 and result.rps == pytest.approx(2000)
    assert (result.p50_ms, result.p90_ms, result.p99_ms, result.max_ms) == (14, 19, 41, 80)
    assert result.errors["status"] == 3 and result.statuses == {"302": 2, "500": 3}
    assert result.error_count == 5  # wrk's own "status" (>= 400) is within the answers other than 2xx
    assert result.bytes == 3145728


def test_wrk_output_without_a_result_line_is_an_error():
    with pytest.raises(wrk.WrkError, match="no result line"):
        wrk.parse("Running 10s test @ http://127.0.0.1:1/\nunable to connect")


class _Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[str] = []

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        _Hello.seen.append(f"{self.command} {self.path} {self.headers.get('X-Who', '')} {body}".rstrip())
        status = {"/missing": 404, "/moved": 302}.get(self.path, 200)
        self.send_response(status)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")

    do_GET = do_POST = do_PATCH = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def tiny_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Hello.seen.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def wrk_binary():
    require_tool("wrk")


def test_request_table_is_sent_as_built_and_every_answer_but_2xx_is_an_error(tmp_path, tiny_server, wrk_binary):
    script = wrk.write_script(tmp_path)
    table = wrk.write_table(
        tmp_path / "requests.lua",
        [
            wrk.Request("GET", "/a", {"X-Who": 'al"i\\ce'}),
            wrk.Request("PATCH", "/b", {"Content-Type": "application/json"}, '{"quantity": 3, "note": "é\\n"}'),
            wrk.Request("GET", "/missing"),
            wrk.Request("GET", "/moved"),
        ],
    )

    run = wrk.run(tiny_server, script, table, duration=1, connections=2, threads=2)

    assert run.requests > 4 and run.p99_ms >= run.p50_ms > 0
    assert set(run.statuses) == {"404", "302"} and run.non_2xx == sum(run.statuses.values())
    assert run.error_count == run.non_2xx  # a redirect is an error too, though wrk itself counts only >= 400
    sent = {'GET /a al"i\\ce', 'PATCH /b  {"quantity": 3, "note": "é\\n"}', "GET /missing", "GET /moved"}
    assert sent <= set(_Hello.seen)


def test_each_thread_starts_its_walk_at_its_own_share_of_the_table(tmp_path, tiny_server, wrk_binary):
    script = wrk.write_script(tmp_path)
    table = wrk.write_table(tmp_path / "requests.lua", [wrk.Request("GET", f"/{n}") for n in range(1000)])

    wrk.run(tiny_server, script, table, duration=1, connections=2, threads=2, start=10)

    walked = sorted(int(line.split("/")[1]) for line in _Hello.seen)
    first_thread = [n for n in walked if n < 510]
    second_thread = [n for n in walked if n >= 510]
    # wrk asks the first thread for one request before the run, to check the script: it may start one later
    assert first_thread[0] in (10, 11) and second_thread[0] == 510  # from 10, and from 10 + 1000 / 2


def test_projects_nginx_conf_runs_on_loopback_with_every_file_under_the_prefix(tmp_path):
    require_tool("nginx", "/usr/sbin/nginx")
    prefix = tmp_path / "nginx"

    conf = servers.render_nginx_conf(prefix, 8080, 8443, 5000, 5001)

    text = conf.read_text()
    checked = subprocess.run([servers.nginx_binary(), "-t", "-c", str(conf), "-p", str(prefix)],
                             capture_output=True, text=True)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "listen 127.0.0.1:8443 ssl" in text and "listen 127.0.0.1:8080 " in text
    assert (prefix / "tavern" / "upstream.conf").read_text() == "server 127.0.0.1:5000;\n"
    assert (prefix / "tavern" / "stream_upstream.conf").read_text() == "server 127.0.0.1:5001;\n"
    assert not re.search(r"/var/|/etc/nginx/(certs|tavern)|/srv/", text)


def test_hello_route_exists_only_in_the_benchmarks_app(monkeypatch, tmp_path):
    import webapp
    from bench import hello
    from webapp.config import TestingConfig

    def testing_app():
        config = TestingConfig()
        config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'hello.db'}"
        return real(config)

    real = webapp.create_app
    monkeypatch.setattr(webapp, "create_app", testing_app)

    bench_app, plain_app = hello.create_app(), testing_app()

    answer = bench_app.test_client().get("/bench/hello")
    assert answer.status_code == 200 and answer.data == b"hello"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"  # the same hooks run as for every page
    assert plain_app.test_client().get("/bench/hello").status_code == 404


def test_sign_in_form_token_is_found_in_either_attribute_order():
    assert CSRF_FIELD.search('<input id="csrf_token" name="csrf_token" type="hidden" value="abc.def">').group(1)
    assert CSRF_FIELD.search('<input value="xyz" type="hidden" name="csrf_token">').group(2) == "xyz"


def test_client_keeps_cookies_and_forgets_deleted_ones():
    client = Client("https://127.0.0.1:1")
    client._remember("session=abc; Secure; HttpOnly; Path=/; SameSite=Lax")
    client._remember("remember_token=xyz; Path=/")
    client._remember("remember_token=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/")

    assert client.cookie_header() == "session=abc"


def test_the_floor_routes_answer_no_one_who_is_not_signed_in(monkeypatch, tmp_path):
    import webapp
    from bench import hello
    from webapp.config import TestingConfig

    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'floors.db'}"
    real = webapp.create_app
    monkeypatch.setattr(webapp, "create_app", lambda: real(config))
    client = hello.create_app().test_client()

    assert client.get("/bench/token").status_code == 401
    assert client.get("/bench/token", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
    assert client.get("/bench/signed-in").status_code in (302, 303, 401)
