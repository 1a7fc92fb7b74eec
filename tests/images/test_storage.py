"""One storage interface, two backends: a local folder and a real S3-compatible server."""

import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from webapp.config import ConfigError
from webapp.storage import LocalStorage, ObjectMissing, S3Storage, build_storage, storage


def test_stored_bytes_come_back(backend):
    backend.put("images/abc/picture.webp", b"RIFF-some-webp", "image/webp")

    assert backend.get("images/abc/picture.webp") == b"RIFF-some-webp"
    assert backend.exists("images/abc/picture.webp")


def test_putting_again_replaces_the_object(backend):
    backend.put("images/abc/picture.webp", b"first", "image/webp")
    backend.put("images/abc/picture.webp", b"second", "image/webp")

    assert backend.get("images/abc/picture.webp") == b"second"


def test_stream_yields_the_bytes_in_chunks_with_their_length(backend):
    data = bytes(range(256)) * 1000
    backend.put("images/abc/big.webp", data, "image/webp")

    with backend.open_stream("images/abc/big.webp", chunk_size=10_000) as stream:
        chunks = list(stream)

    assert b"".join(chunks) == data
    assert len(chunks) > 1
    assert stream.content_length == len(data)


def test_missing_object_is_reported_at_once(backend):
    with pytest.raises(ObjectMissing):
        backend.get("images/nothing/here.webp")
    with pytest.raises(ObjectMissing):
        backend.open_stream("images/nothing/here.webp")
    assert not backend.exists("images/nothing/here.webp")


def test_deleted_object_is_gone_and_deleting_twice_is_fine(backend):
    backend.put("images/abc/picture.webp", b"x", "image/webp")

    backend.delete("images/abc/picture.webp")
    backend.delete("images/abc/picture.webp")

    assert not backend.exists("images/abc/picture.webp")
    assert list(backend.list_keys("images/")) == []


def test_listing_is_by_prefix_with_sizes_and_times(backend):
    backend.put("images/a/1.webp", b"one", "image/webp")
    backend.put("images/b/2.webp", b"two!", "image/webp")
    backend.put("exports/3.csv", b"three", "text/csv")

    objects = {obj.key: obj for obj in backend.list_objects("images/")}

    assert sorted(objects) == ["images/a/1.webp", "images/b/2.webp"]
    assert objects["images/b/2.webp"].size == 4
    assert objects["images/b/2.webp"].last_modified.tzinfo is not None
    assert sorted(backend.list_keys()) == ["exports/3.csv", "images/a/1.webp", "images/b/2.webp"]


@pytest.mark.parametrize("key", ["../escape.webp", "images/../../escape", "/etc/passwd", "a//b", ".incoming/x", ""])
def test_keys_that_could_climb_out_are_refused(backend, key):
    with pytest.raises(ValueError):
        backend.put(key, b"x", "image/webp")


def test_local_folder_has_no_urls_and_tidies_empty_folders(local_storage):
    local_storage.put("images/abc/picture.webp", b"x", "image/webp")
    assert local_storage.url_for("images/abc/picture.webp", 60) is None

    local_storage.delete("images/abc/picture.webp")

    assert not (local_storage.root / "images" / "abc").exists()
    assert (local_storage.root / "images").is_dir()


def test_local_folder_lists_nothing_before_the_first_upload(tmp_path):
    assert list(LocalStorage(tmp_path / "not-yet").list_keys()) == []


def test_s3_signed_url_serves_the_object_for_a_short_time(s3_storage, s3_endpoint):
    s3_storage.put("images/abc/private.webp", b"secret pixels", "image/webp")

    url = s3_storage.url_for("images/abc/private.webp", expires=120)

    query = parse_qs(urlsplit(url).query)
    assert url.startswith(f"{s3_endpoint}/{s3_storage.bucket}/images/abc/private.webp?")  # path-style
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]  # SigV4
    assert query["X-Amz-Expires"] == ["120"]
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.read() == b"secret pixels"
        assert response.headers["Content-Type"] == "image/webp"
        assert response.headers["Cache-Control"] == "private, max-age=120"


def test_s3_objects_keep_their_content_type(s3_storage):
    s3_storage.put("images/abc/picture.webp", b"x", "image/webp")

    head = s3_storage.client.head_object(Bucket=s3_storage.bucket, Key="images/abc/picture.webp")

    assert head["ContentType"] == "image/webp"


def test_local_backend_is_the_default(tmp_path):
    store = build_storage({"STORAGE_PATH": str(tmp_path)})

    assert isinstance(store, LocalStorage)
    assert store.root == tmp_path.resolve()


def test_s3_backend_is_built_from_the_configuration(s3_endpoint):
    store = build_storage(
        {"STORAGE_BACKEND": "s3", "S3_BUCKET": "portraits", "S3_ENDPOINT_URL": s3_endpoint, "AWS_REGION": "eu-west-1"}
    )

    assert isinstance(store, S3Storage)
    assert store.bucket == "portraits"
    assert store.client.meta.region_name == "eu-west-1"
    assert store.client.meta.config.signature_version == "s3v4"
    assert store.client.meta.config.s3["addressing_style"] == "path"  # an endpoint means S3-compatible


def test_path_style_can_be_switched_off(s3_endpoint):
    store = build_storage(
        {"STORAGE_BACKEND": "s3", "S3_BUCKET": "b", "S3_ENDPOINT_URL": s3_endpoint, "S3_PATH_STYLE": False}
    )

    assert store.client.meta.config.s3["addressing_style"] == "auto"


def test_s3_without_a_bucket_is_a_configuration_error():
    with pytest.raises(ConfigError, match="S3_BUCKET"):
        build_storage({"STORAGE_BACKEND": "s3"})


def test_unknown_backend_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigError, match="STORAGE_BACKEND"):
        build_storage({"STORAGE_BACKEND": "floppy", "STORAGE_PATH": str(tmp_path)})


def test_app_storage_follows_the_configured_folder(app):
    previous = app.extensions.pop("storage", None)
    try:
        assert isinstance(storage(), LocalStorage)
        assert str(storage().root) == str(LocalStorage(app.config["STORAGE_PATH"]).root)
    finally:
        if previous is not None:
            app.extensions["storage"] = previous
