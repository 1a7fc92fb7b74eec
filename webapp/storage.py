"""Object storage behind one interface: a local folder (the default) and S3 or an S3-compatible server."""

import os
import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app

from webapp.config import ConfigError

CHUNK_SIZE = 64 * 1024
_KEY = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*")


class ObjectMissing(LookupError):
    """No object is stored under the key."""


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    last_modified: datetime


class ObjectStream:
    """An object's bytes in chunks; a WSGI server calls close() when the response is done."""

    def __init__(self, chunks: Iterator[bytes], close: Callable[[], None], content_length: int | None) -> None:
        self._chunks = chunks
        self._close = close
        self.content_length = content_length

    def __iter__(self) -> Iterator[bytes]:
        return self._chunks

    def close(self) -> None:
        self._close()

    def __enter__(self) -> "ObjectStream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_key(key: str) -> str:
    """Return the key; raises ValueError unless it is relative slash-separated segments that cannot climb out."""
    if len(key) > 200 or not _KEY.fullmatch(key) or ".." in key.split("/"):
        raise ValueError(f"Not a valid storage key: {key!r}")
    return key


class Storage(ABC):
    """Where uploaded bytes live. Keys are relative paths such as "images/<hex>/<token>.webp"."""

    @abstractmethod
    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store the bytes under the key, replacing what was there; raises ValueError for an invalid key."""

    @abstractmethod
    def get(self, key: str) -> bytes:
        """The bytes under the key; raises ObjectMissing when there are none."""

    @abstractmethod
    def open_stream(self, key: str, chunk_size: int = CHUNK_SIZE) -> ObjectStream:
        """The bytes under the key, in chunks; raises ObjectMissing at once (not while iterating)."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; deleting a missing key is not an error."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def list_objects(self, prefix: str = "") -> Iterator[StoredObject]:
        """Every object whose key starts with the prefix, in no guaranteed order."""

    @abstractmethod
    def url_for(self, key: str, expires: int = 300) -> str | None:
        """A URL that serves the object for `expires` seconds without the app, or None if the backend has none."""

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        return (obj.key for obj in self.list_objects(prefix))

    def origin(self) -> str | None:
        """Scheme, host and port of the URLs `url_for` hands out (pages must allow them as image sources)."""
        try:
            url = self.url_for("images/origin-probe.webp", 60)
        except Exception:  # signing needs credentials; without them there are no URLs to allow either
            return None
        if not url:
            return None
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}"


class LocalStorage(Storage):
    """Files under one folder; writes are atomic (a temporary file renamed into place)."""

    _INCOMING = ".incoming"

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        incoming = self.root / self._INCOMING
        incoming.mkdir(parents=True, exist_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = incoming / secrets.token_hex(16)
        try:
            temporary.write_bytes(data)
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as error:
            raise ObjectMissing(key) from error

    def open_stream(self, key: str, chunk_size: int = CHUNK_SIZE) -> ObjectStream:
        try:
            handle = self._path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as error:
            raise ObjectMissing(key) from error
        size = os.fstat(handle.fileno()).st_size
        return ObjectStream(iter(lambda: handle.read(chunk_size), b""), handle.close, size)

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        # Drop the folders the key left empty, but never a top-level one such as "images/": another
        # upload may be about to write into it.
        for parent in path.parents:
            if parent.parent == self.root or self.root not in parent.parents:
                break
            try:
                parent.rmdir()
            except OSError:
                break

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list_objects(self, prefix: str = "") -> Iterator[StoredObject]:
        if not self.root.is_dir():
            return
        for folder, subfolders, files in os.walk(self.root):
            subfolders[:] = [name for name in subfolders if not name.startswith(".")]
            for name in files:
                path = Path(folder, name)
                key = path.relative_to(self.root).as_posix()
                if key.startswith(prefix):
                    stat = path.stat()
                    yield StoredObject(key, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))

    def url_for(self, key: str, expires: int = 300) -> str | None:
        return None


class S3Storage(Storage):
    """A bucket on AWS S3 or an S3-compatible server (MinIO, moto), signed with SigV4."""

    def __init__(
        self,
        bucket: str,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        path_style: bool = False,
        client: Any = None,
    ) -> None:
        self.bucket = bucket
        self.client = client or self._client(endpoint_url, region, path_style)

    @staticmethod
    def _client(endpoint_url: str | None, region: str, path_style: bool) -> Any:
        import boto3
        from botocore.config import Config

        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path" if path_style else "auto"},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=3,
            read_timeout=10,
        )
        return boto3.client("s3", endpoint_url=endpoint_url, region_name=region, config=config)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=check_key(key), Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        with self.open_stream(key) as stream:
            return b"".join(stream)

    def open_stream(self, key: str, chunk_size: int = CHUNK_SIZE) -> ObjectStream:
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=check_key(key))
        except ClientError as error:
            if _is_missing(error):
                raise ObjectMissing(key) from error
            raise
        body = response["Body"]
        return ObjectStream(body.iter_chunks(chunk_size), body.close, response.get("ContentLength"))

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=check_key(key))
        except ClientError as error:
            if _is_missing(error):
                return False
            raise
        return True

    def list_objects(self, prefix: str = "") -> Iterator[StoredObject]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        for page in pages:
            for entry in page.get("Contents", []):
                yield StoredObject(entry["Key"], entry["Size"], entry["LastModified"])

    def url_for(self, key: str, expires: int = 300) -> str | None:
        params = {
            "Bucket": self.bucket,
            "Key": check_key(key),
            # The signed URL is personal: nobody between the browser and the bucket may keep a copy.
            "ResponseCacheControl": f"private, max-age={expires}",
        }
        return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires)


def _is_missing(error: Exception) -> bool:
    return getattr(error, "response", {}).get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}


def build_storage(config: dict) -> Storage:
    """The backend STORAGE_BACKEND names; raises ConfigError for an unknown backend or S3 without a bucket."""
    backend = (config.get("STORAGE_BACKEND") or "local").lower()
    if backend == "local":
        return LocalStorage(config["STORAGE_PATH"])
    if backend == "s3":
        if not config.get("S3_BUCKET"):
            raise ConfigError("S3_BUCKET must be set when STORAGE_BACKEND is s3")
        endpoint = config.get("S3_ENDPOINT_URL") or None
        # S3-compatible servers (MinIO, moto) usually need path-style URLs; AWS itself prefers virtual hosts.
        path_style = config.get("S3_PATH_STYLE")
        return S3Storage(
            config["S3_BUCKET"],
            endpoint_url=endpoint,
            region=config.get("AWS_REGION") or "us-east-1",
            path_style=bool(endpoint) if path_style is None else bool(path_style),
        )
    raise ConfigError(f"STORAGE_BACKEND must be local or s3, not {backend!r}")


def init_app(app: Flask) -> None:
    """Build the configured backend once per app; raises ConfigError when the configuration cannot work."""
    app.extensions["storage"] = build_storage(app.config)


def storage() -> Storage:
    """The current app's storage (built on first use if init_app was not called)."""
    if "storage" not in current_app.extensions:
        init_app(current_app)
    return current_app.extensions["storage"]
