"""Images: store an upload's objects with its row, hand them out, delete them, sweep orphans (no permissions)."""

import logging
import secrets
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice

import sqlalchemy as sa

from webapp.extensions import db
from webapp.images.processing import CONTENT_TYPE, process_upload
from webapp.models import Image, User, Visibility
from webapp.services.errors import InvalidInput, NotFound, Violation
from webapp.storage import ObjectMissing, ObjectStream, StoredObject, storage

PREFIX = "images/"
MAX_DESCRIPTION = 500
# Keys never change for an image (a new upload is a new image), so a PUBLIC one may be cached for good.
PUBLIC_CACHE = "public, max-age=31536000, immutable"
PRIVATE_CACHE = "private, no-store"
ORPHAN_GRACE = timedelta(hours=1)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """How to answer for an image: follow `redirect_url` (a short-lived signed URL) or send `stream`."""

    content_type: str
    cache_control: str
    redirect_url: str | None = None
    stream: ObjectStream | None = None


def new_keys() -> tuple[str, str]:
    """Two unguessable keys, picture and thumbnail, in one folder of their own."""
    folder = f"{PREFIX}{uuid.uuid4().hex}"
    return f"{folder}/{secrets.token_urlsafe(16)}.webp", f"{folder}/{secrets.token_urlsafe(16)}-thumb.webp"


def create_image(
    owner: User | None, data: bytes, description: str = "", visibility: Visibility | str = Visibility.PUBLIC
) -> Image:
    """Re-encode the upload, store picture and thumbnail, add the row and commit once. The caller has already
    decided, through `access`, that `owner` may create content.

    Raises TooLarge (413) above 5 MB; InvalidInput (422) for a file that is not a usable JPEG, PNG or WebP
    (field "file"), a description over 500 characters or an unknown visibility. Nothing stays in storage when
    anything fails, the commit included.
    """
    description, visibility = _checked_details(description, visibility)
    processed = process_upload(data)
    picture_key, thumbnail_key = new_keys()
    store = storage()
    stored: list[str] = []
    try:
        store.put(picture_key, processed.webp_bytes, CONTENT_TYPE)
        stored.append(picture_key)
        store.put(thumbnail_key, processed.thumb_bytes, CONTENT_TYPE)
        stored.append(thumbnail_key)
        image = Image(
            owner_id=owner.id if owner is not None else None,
            visibility=visibility,
            content_type=CONTENT_TYPE,
            width=processed.width,
            height=processed.height,
            size=len(processed.webp_bytes),
            storage_key=picture_key,
            thumbnail_key=thumbnail_key,
            description=description,
        )
        db.session.add(image)
        db.session.commit()
    except Exception:
        db.session.rollback()
        _delete_quietly(stored)
        raise
    return image


def _checked_details(description: str, visibility: Visibility | str) -> tuple[str, Visibility]:
    violations = []
    description = (description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        violations.append(Violation("description", f"A description can be at most {MAX_DESCRIPTION} characters."))
    try:
        visibility = Visibility(visibility)
    except ValueError:
        violations.append(Violation("visibility", "Visibility must be PUBLIC, PRIVATE or HIDDEN."))
    if violations:
        raise InvalidInput(violations)
    return description, visibility


def delete_image(image: Image) -> None:
    """Delete the row (what showed it falls back to a placeholder), commit, then delete both objects. The
    caller has already checked, through `access`, that the actor may delete it.

    An object that cannot be deleted now is logged and left to `remove_orphans`.
    """
    keys = [image.storage_key, image.thumbnail_key]
    db.session.delete(image)
    db.session.commit()
    _delete_quietly(keys)


def _delete_quietly(keys: Iterable[str]) -> None:
    store = storage()
    for key in keys:
        try:
            store.delete(key)
        except Exception:
            log.warning("could not delete stored object %s; remove-orphans will", key, exc_info=True)


def deliver_image(image: Image, thumbnail: bool = False, expires: int = 300) -> Delivery:
    """What to send for an image the caller has been allowed to see (checked through `access` first): a PUBLIC
    one streamed with immutable caching; any other as a signed URL valid for `expires` seconds where the
    backend has them, else streamed, never cached.

    Raises NotFound when the object is missing from storage.
    """
    key = image.thumbnail_key if thumbnail else image.storage_key
    store = storage()
    if image.visibility != Visibility.PUBLIC:
        url = store.url_for(key, expires)
        if url is not None:
            return Delivery(image.content_type, PRIVATE_CACHE, redirect_url=url)
    try:
        stream = store.open_stream(key)
    except ObjectMissing as error:
        raise NotFound("That image is no longer available.") from error
    cache = PUBLIC_CACHE if image.visibility == Visibility.PUBLIC else PRIVATE_CACHE
    return Delivery(image.content_type, cache, stream=stream)


def remove_orphans(grace: timedelta = ORPHAN_GRACE) -> int:
    """Delete stored image objects that no image row refers to; returns how many were deleted.

    Objects younger than `grace` are kept: an upload stores its objects just before its row is committed.
    """
    store = storage()
    cutoff = datetime.now(UTC) - grace
    removed = 0
    for batch in _batches(store.list_objects(PREFIX), 500):
        candidates = [obj.key for obj in batch if obj.last_modified <= cutoff]
        referenced = _referenced(candidates)
        for key in candidates:
            if key not in referenced:
                store.delete(key)
                removed += 1
    return removed


def _batches(objects: Iterator[StoredObject], size: int) -> Iterator[list[StoredObject]]:
    while batch := list(islice(objects, size)):
        yield batch


def _referenced(keys: list[str]) -> set[str]:
    if not keys:
        return set()
    query = sa.select(Image.storage_key, Image.thumbnail_key).where(
        sa.or_(Image.storage_key.in_(keys), Image.thumbnail_key.in_(keys))
    )
    return {key for row in db.session.execute(query) for key in row}
