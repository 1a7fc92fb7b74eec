"""The deployment files without a Docker engine or a cloud: hadolint, docker-compose config, an HCL parse of
every .tf file, shellcheck, the CI workflow's shape, and the numbers that must agree between the files."""

import fnmatch
import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.deploy.stack import render_nginx_conf, require_module, require_tool, self_signed_certificate
from tests.servers import ROOT, free_port
from webapp.config import BaseConfig

COMPOSE_SECRETS = {
    "SECRET_KEY": "s" * 40,
    "JWT_SECRET": "j" * 40,
    "POSTGRES_PASSWORD": "postgres-password",
    "REDIS_PASSWORD": "redis-password",
    "S3_ACCESS_KEY": "tavern",
    "S3_SECRET_KEY": "s3-secret-key",
    "PUBLIC_URL": "https://tavern.example",
}
SHELL_SCRIPTS = [
    *sorted((ROOT / "deploy").glob("*.sh")),
    *sorted((ROOT / "deploy/blue-green.d").glob("*.sh")),
    ROOT / "tests/deploy/bluegreen_driver.sh",
]


def _run(*command: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)


def test_dockerfile_is_clean_under_hadolint():
    hadolint = require_tool("hadolint")
    result = _run(hadolint, "--failure-threshold", "warning", "Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr


def _instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n\s*", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def test_dockerfile_builds_in_stages_and_runs_gunicorn_as_uid_1001_with_a_health_check():
    steps = _instructions()
    stages = [args for op, args in steps if op == "FROM"]
    assert len(stages) >= 2, "multi-stage"
    assert "ARG PYTHON_IMAGE=python:3.11-slim" in (ROOT / "Dockerfile").read_text()
    assert any(op == "COPY" and "deploy/requirements.lock" in args for op, args in steps)
    assert any(op == "RUN" and "--require-hashes" in args and "requirements.lock" in args for op, args in steps)
    runtime = steps[max(i for i, (op, _) in enumerate(steps) if op == "FROM") :]
    assert ("USER", "1001:1001") in runtime
    assert any(op == "HEALTHCHECK" and "healthcheck.py" in args for op, args in runtime)
    assert ("CMD", '["gunicorn", "--config", "deploy/gunicorn.conf.py"]') in runtime
    assert any(op == "COPY" and args.startswith("--from=build") for op, args in runtime)


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern that matches decides; `!` re-includes."""
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        candidates = [pattern, pattern.replace("**/", "")]
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if any(fnmatch.fnmatchcase(p, c) for p in prefixes for c in candidates):
            ignored = not negate
    return ignored


def test_dockerignore_lets_in_what_the_image_copies_and_nothing_private():
    patterns = [
        line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip() and line[0] != "#"
    ]
    copied = []
    for op, args in _instructions():
        if op == "COPY" and not args.startswith("--from"):
            copied += [a for a in args.split()[:-1] if not a.startswith("--")]
    assert copied
    for source in copied:
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which does not exist"
        assert not _ignored(source, patterns), f".dockerignore leaves out {source}"
    for private in (".git/HEAD", ".venv/bin/python", "var/tavern.db", ".env", "tests/conftest.py",
                    "webapp/__pycache__/config.cpython-311.pyc", "deploy/certs/privkey.pem"):  # fmt: skip
        assert _ignored(private, patterns), f"{private} would be sent to the Docker daemon"


def test_the_lock_pins_what_pyproject_pins():
    """The image installs deploy/requirements.lock: it must agree with pyproject.toml's runtime pins."""
    wanted = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    locked = dict(
        re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", (ROOT / "deploy/requirements.lock").read_text(), re.M)
    )
    locked = {name.lower().replace("_", "-"): version for name, version in locked.items()}
    regenerate = "regenerate it with the command at the top of deploy/requirements.lock"
    for requirement in wanted:
        name, _, version = re.sub(r"\[.*?\]", "", requirement).partition("==")
        name = name.strip().lower().replace("_", "-")
        assert name in locked, f"{name} is missing from deploy/requirements.lock; {regenerate}"
        assert locked[name] == version.strip(), (
            f"{name}: pyproject pins {version}, the lock {locked[name]}; {regenerate}"
        )
    assert "--hash=sha256:" in (ROOT / "deploy/requirements.lock").read_text()


def _compose(env_extra: dict) -> subprocess.CompletedProcess:
    docker_compose = require_tool("docker-compose")
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **env_extra}
    return _run(docker_compose, "-f", "docker-compose.yml", "config", env=env)


def test_docker_compose_config_is_valid_with_the_secrets_set():
    result = _compose(COMPOSE_SECRETS)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    services = config["services"]
    assert {"app-blue", "app-green", "postgres", "redis", "nginx", "s3", "migrate", "backup"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["migrate"]["restart"] == "no"
    for colour in ("app-blue", "app-green"):
        app = services[colour]
        assert int(app["deploy"]["replicas"]) >= 2, "several replicas"
        assert "container_name" not in app and "ports" not in app, "a fixed name or host port forbids scaling"
        assert app["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert app["environment"]["SECRET_KEY"] == COMPOSE_SECRETS["SECRET_KEY"], "secrets come from the environment"


def test_docker_compose_refuses_to_start_without_a_secret():
    result = _compose({k: v for k, v in COMPOSE_SECRETS.items() if k != "JWT_SECRET"})
    assert result.returncode != 0
    assert "JWT_SECRET" in result.stderr


def test_no_secret_is_written_into_the_compose_file():
    text = (ROOT / "docker-compose.yml").read_text()
    for name in COMPOSE_SECRETS:
        for line in text.splitlines():
            if re.match(rf"\s*{name}:", line):
                assert "${" in line, f"{name} must come from the environment: {line.strip()}"


def _gunicorn_settings(metrics_dir: Path, **env: str) -> dict:
    """The settings deploy/gunicorn.conf.py produces under the given environment."""
    namespace: dict = {}
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith(("GUNICORN_", "WEB_CONCURRENCY", "PORT", "TRUSTED_PROXIES")):
            del os.environ[name]
    os.environ.update(env, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir))
    try:
        exec(compile((ROOT / "deploy/gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return namespace


def _seconds(value: str) -> int:
    return int(value.rstrip("s"))


def test_nginx_limits_and_timeouts_match_the_app_and_gunicorn(tmp_path):
    conf = (ROOT / "nginx.conf").read_text()
    body_limit = re.search(r"client_max_body_size (\d+)m;", conf)
    assert body_limit and int(body_limit.group(1)) * 1024 * 1024 == BaseConfig().MAX_CONTENT_LENGTH
    gunicorn = _gunicorn_settings(tmp_path)
    read_timeout = _seconds(re.search(r"proxy_read_timeout (\w+);", conf).group(1))
    assert read_timeout == gunicorn["timeout"], "Nginx waits as long as a request may run"
    upstream = re.search(r"upstream tavern_app \{(.*?)\}", conf, re.S).group(1)
    assert _seconds(re.search(r"keepalive_timeout (\w+);", upstream).group(1)) < gunicorn["keepalive"]
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in conf
    assert 'Strict-Transport-Security "max-age=31536000' in conf
    # Nginx refuses a long request line or header first (as problem+json), never Gunicorn (with its own page): the
    # line Nginx sends on is at most 17 bytes longer ("OPTIONS " and " HTTP/1.1"), a header line is as it came,
    # and each header line takes at least 4 bytes of Nginx's buffers.
    buffers, size = map(int, re.search(r"large_client_header_buffers (\d+) (\d+);", conf).groups())
    assert size + 17 <= gunicorn["limit_request_line"]
    assert size <= gunicorn["limit_request_field_size"]
    assert buffers * size // 4 + 20 <= gunicorn["limit_request_fields"]


def test_nginx_keeps_no_visitor_waiting_behind_a_cache_lock():
    # Requests held by proxy_cache_lock look again every 500 ms; when the answer cannot be kept (a form with its
    # session's token) they waited for nothing: anonymous visitors arriving together waited up to 5 s, and the
    # benchmark's bare route measured 1,271 req/s with a p99 of 4.4 s instead of 3,939 and 27 ms.
    conf = (ROOT / "nginx.conf").read_text()
    assert "proxy_cache tavern_pages;" in conf and "proxy_cache_use_stale updating;" in conf
    assert not re.search(r"^\s*proxy_cache_lock\s+on;", conf, re.M)


def test_a_worker_leaves_what_loading_the_app_made_out_of_garbage_collection(tmp_path):
    import gc

    settings = _gunicorn_settings(tmp_path)
    assert gc.get_freeze_count() == 0
    try:
        settings["post_worker_init"](None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_nginx_accepts_the_configuration(tmp_path):
    nginx = require_tool("nginx", "/usr/sbin/nginx")
    for sub in ("logs", "cache", "tavern"):
        (tmp_path / sub).mkdir()
    self_signed_certificate(tmp_path / "certs")
    for name, host in (("upstream.conf", "app-blue"), ("stream_upstream.conf", "stream")):
        (tmp_path / "tavern" / name).write_text((ROOT / "deploy/nginx" / name).read_text().replace(host, "127.0.0.1"))
    conf = tmp_path / "nginx.conf"
    conf.write_text(render_nginx_conf(tmp_path, free_port(), free_port(), ROOT / "static"))
    result = _run(nginx, "-t", "-c", str(conf), "-p", str(tmp_path))
    assert result.returncode == 0, result.stderr


def test_gunicorn_settings_read_the_environment(tmp_path):
    defaults = _gunicorn_settings(tmp_path)
    assert defaults["worker_class"] == "gthread" and defaults["workers"] == 2 and defaults["threads"] == 3
    assert defaults["control_socket_disable"] is True
    assert callable(defaults["child_exit"]) and callable(defaults["on_starting"])
    tuned = _gunicorn_settings(
        tmp_path,
        PORT="8123", WEB_CONCURRENCY="3", GUNICORN_WORKER_CLASS="sync", GUNICORN_THREADS="2", GUNICORN_TIMEOUT="45",
        GUNICORN_MAX_REQUESTS="500", GUNICORN_MAX_REQUESTS_JITTER="50", GUNICORN_KEEPALIVE="75",
        TRUSTED_PROXIES="10.0.0.0/16",
    )  # fmt: skip
    assert tuned["bind"] == "127.0.0.1:8123"
    assert (tuned["workers"], tuned["worker_class"], tuned["threads"], tuned["timeout"]) == (3, "sync", 2, 45)
    assert (tuned["max_requests"], tuned["max_requests_jitter"], tuned["keepalive"]) == (500, 50, 75)
    assert tuned["forwarded_allow_ips"] == "10.0.0.0/16"
    container = _gunicorn_settings(tmp_path, GUNICORN_BIND="0.0.0.0:8000")  # noqa: S104 - as in the image
    assert container["bind"] == "0.0.0.0:8000"  # noqa: S104


def _terraform() -> dict:
    hcl2 = require_module("hcl2", "python-hcl2")
    merged: dict = {}
    for path in sorted((ROOT / "deploy/terraform").glob("*.tf")):
        parsed = hcl2.loads(path.read_text())  # raises on a syntax error, naming the line
        for block, entries in parsed.items():
            if not block.startswith("__"):
                merged.setdefault(block, []).extend(entries)
    return merged


def _resources(tf: dict) -> dict[str, dict]:
    found = {}
    for entry in tf["resource"]:
        for kind, named in entry.items():
            for name, body in named.items():
                found[f"{kind.strip(chr(34))}.{name.strip(chr(34))}"] = body
    return found


def _value(body: dict, key: str):
    value = body[key]
    return value.strip('"') if isinstance(value, str) else value


def test_every_terraform_file_parses_and_declares_what_the_issue_asks_for():
    tf = _terraform()
    resources = _resources(tf)
    wanted = [
        "aws_ecs_service.app", "aws_lb.main", "aws_lb_target_group.app", "aws_db_instance.main",
        "aws_elasticache_replication_group.main", "aws_s3_bucket.main", "aws_s3_bucket_versioning.main",
        "aws_s3_bucket_server_side_encryption_configuration.main", "aws_s3_bucket_public_access_block.main",
        "aws_secretsmanager_secret.app", "aws_security_group.app", "aws_security_group.db",
        "aws_cloudwatch_log_group.app", "aws_scheduler_schedule.backup",
    ]  # fmt: skip
    for name in wanted:
        assert name in resources, f"deploy/terraform declares no {name}"
    assert "${var.desired_count}" in str(resources["aws_ecs_service.app"]["desired_count"])
    desired = next(v for entry in tf["variable"] for k, v in entry.items() if k.strip('"') == "desired_count")
    assert desired["default"] >= 2 and "var.desired_count >= 2" in str(desired["validation"])
    db = resources["aws_db_instance.main"]
    assert _value(db, "engine") == "postgres" and _value(db, "engine_version").startswith("15")
    assert db["storage_encrypted"] is True
    assert "rate(1 hour)" in str(resources["aws_scheduler_schedule.backup"]["schedule_expression"])
    assert "TLS13-1-2" in str(resources["aws_lb_listener.https"]["ssl_policy"])
    assert {"variable", "output"} <= set(tf)
    assert (ROOT / "deploy/terraform/README.md").exists()


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_shell_scripts_pass_shellcheck(script):
    shellcheck = require_tool("shellcheck")
    result = _run(shellcheck, "-x", str(script))
    assert result.returncode == 0, result.stdout


def test_deploy_scripts_are_executable():
    for path in [*(ROOT / "deploy").glob("*.sh"), ROOT / "deploy/smoke.py", ROOT / "deploy/backup_tool.py"]:
        assert os.access(path, os.X_OK), f"{path.relative_to(ROOT)} is not executable"


def test_ci_workflow_follows_the_pipeline_of_the_spec():
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in on and "pull_request" in on
    jobs = workflow["jobs"]
    order = ["lint", "test", "image", "migrations", "staging", "production"]
    assert list(jobs) == order
    for earlier, job in zip(order, order[1:], strict=False):
        needs = jobs[job].get("needs", [])
        assert earlier in ([needs] if isinstance(needs, str) else needs), f"{job} must wait for {earlier}"
    services = jobs["test"]["services"]
    assert services["postgres"]["image"].startswith("postgres:15") and services["redis"]["image"].startswith("redis:7")
    steps = " ".join(str(step) for job in jobs.values() for step in job["steps"])
    for must in (
        "ruff",
        "hadolint",
        "make test",
        "trivy",
        "flask db upgrade",
        "deploy/smoke.py",
        "blue-green.sh deploy",
    ):
        assert must in steps, f"the workflow never runs {must}"
    assert jobs["production"]["environment"]["name"] == "production"
