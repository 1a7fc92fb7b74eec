"""The benchmark harness's pieces: wrk's result line, the Lua scripts, Nginx's config, the hello app, the verdicts."""

import re
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import report, servers, wrk
from bench.client import CSRF_FIELD, Client
from bench.run import Measurement, Phase

WRK_OUTPUT = """Running 10s test @ https://127.0.0.1:40001/bench/hello
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    15.10ms    4.20ms  80.00ms   90.00%
  20000 requests in 10.00s, 3.00MB read
Requests/sec:   2000.00
Transfer/sec:    307.20KB
BENCH_RESULT {"requests": 20000, "duration_us": 10000000, "bytes": 3145728, "p50_us": 14000, "p90_us": 19000, \
"p99_us": 41000, "max_us": 80000, "mean_us": 15100.50, "errors": {"connect": 0, "read": 0, "write": 0, \
"status": 3, "timeout": 0}}
"""


def test_wrk_result_line_is_read_among_wrks_own_output():
    result = wrk.parse(WRK_OUTPUT)

    assert result.requests == 20000 and result.rps == pytest.approx(2000)
    assert (result.p50_ms, result.p90_ms, result.p99_ms, result.max_ms) == (14, 19, 41, 80)
    assert result.errors["status"] == 3 and result.error_count == 3
    assert result.bytes == 3145728


def test_wrk_output_without_a_result_line_is_an_error():
    with pytest.raises(wrk.WrkError, match="no result line"):
        wrk.parse("Running 10s test @ http://127.0.0.1:1/\nunable to connect")


class _Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[str] = []

    def do_GET(self):  # noqa: N802 - the name http.server calls
        _Hello.seen.append(f"{self.path} {self.headers.get('X-Who', '')}")
        body = b"hello"
        self.send_response(200 if self.path != "/missing" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

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
    if not shutil.which("wrk"):
        pytest.skip("wrk is not installed (apt-get install wrk; .ci/run installs it)")


def test_lua_scripts_report_through_real_wrk(tmp_path, tiny_server, wrk_binary):
    single, mixed = wrk.write_scripts(tmp_path)

    plain = wrk.run(tiny_server + "/hello", single, duration=1, connections=2, threads=1)
    rotated = wrk.run(tiny_server + "/", mixed, 1, 2, 1, args=["/a|X-Who: alice", "/b", "/missing"])

    assert plain.requests > 0 and plain.p99_ms >= plain.p50_ms > 0 and plain.error_count == 0
    assert rotated.errors["status"] > 0  # /missing answers 404, which wrk counts
    assert {"/a alice", "/b ", "/missing "} <= set(_Hello.seen)


def test_projects_nginx_conf_runs_on_loopback_with_every_file_under_the_prefix(tmp_path):
    if not shutil.which("nginx") and not shutil.which("/usr/sbin/nginx"):
        pytest.skip("nginx is not installed")
    prefix = tmp_path / "nginx"

    conf = servers.render_nginx_conf(prefix, 8080, 8443, 5000)

    text = conf.read_text()
    checked = subprocess.run([servers.nginx_binary(), "-t", "-c", str(conf), "-p", str(prefix)],
                             capture_output=True, text=True)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    assert "listen 127.0.0.1:8443 ssl" in text and "listen 127.0.0.1:8080 " in text
    assert (prefix / "tavern" / "upstream.conf").read_text() == "server 127.0.0.1:5000;\n"
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


def _phase(characters: int, ceiling: float, **rps: float) -> Phase:
    measured = [Measurement(key, key, "/", rps=value, p99_ms=20) for key, value in rps.items()]
    workers = {"1": {"rss_mb": 100, "peak_mb": 120}}
    return Phase(characters, 1.0, measured, ceiling, {"workers": workers})


def test_verdicts_use_ratios_to_the_ceiling_of_the_same_phase():
    small = _phase(1000, 2000, sheet=700, api_list_first=1000)
    large = _phase(100_000, 1000, sheet=250, api_list_deep=400)

    verdicts = {v.goal.split(" ≥")[0].split(" ≤")[0]: v for v in report.verdicts([small, large])}

    assert verdicts["sheet"].ok is False and verdicts["sheet"].measured == "0.35 at 1,000, 0.25 at 100,000"
    deep = next(v for key, v in verdicts.items() if key.startswith("Deep list page"))
    assert deep.ok is True and deep.measured.startswith("1.25×")  # 0.50 / 0.40, though raw req/s fell 2.5×
    assert verdicts["home"].ok is None
    assert verdicts["Worker peak RSS"].ok is True
