"""Image fixtures: a real S3-compatible server (moto) on loopback, and every storage backend in turn."""

import subprocess
import uuid

import pytest

from tests.servers import BIN, free_port, wait_until_up
from webapp.storage import LocalStorage, S3Storage, Storage


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """Start moto_server on a free loopback port for the session; stop it by its PID at the end."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log, "wb") as output, pytest.MonkeyPatch.context() as env:
        # moto checks no signature, but boto3 signs every request and needs credentials to do so.
        env.setenv("AWS_ACCESS_KEY_ID", "tavern-test")
        env.setenv("AWS_SECRET_ACCESS_KEY", "tavern-test-secret")
        env.delenv("AWS_SESSION_TOKEN", raising=False)
        env.delenv("AWS_PROFILE", raising=False)
        env.setenv("AWS_CONFIG_FILE", "/dev/null")
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        process = subprocess.Popen(
            [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)], stdout=output, stderr=subprocess.STDOUT
        )
        endpoint = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(endpoint + "/")
            yield endpoint
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def s3_storage(s3_endpoint) -> S3Storage:
    """S3Storage built the way production builds it (SigV4, path-style), on a bucket of its own."""
    store = S3Storage(f"tavern-test-{uuid.uuid4().hex[:12]}", endpoint_url=s3_endpoint, path_style=True)
    store.client.create_bucket(Bucket=store.bucket)
    return store


@pytest.fixture
def local_storage(tmp_path) -> LocalStorage:
    return LocalStorage(tmp_path / "uploads")


@pytest.fixture(params=["local", "s3"])
def backend(request) -> Storage:
    """Each storage backend in turn: the same test runs on the local folder and on the S3 server."""
    return request.getfixturevalue(f"{request.param}_storage")


@pytest.fixture
def install(app):
    """Install a storage as the app's for this test only: `install(store)`; the previous one comes back after."""
    previous = app.extensions.get("storage")

    def put_in_place(store: Storage) -> Storage:
        app.extensions["storage"] = store
        return store

    yield put_in_place
    if previous is None:
        app.extensions.pop("storage", None)
    else:
        app.extensions["storage"] = previous


@pytest.fixture
def installed(install, backend) -> Storage:
    """Each backend in turn, installed as the app's storage for this test."""
    return install(backend)
