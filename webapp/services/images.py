"""Images: store an upload's objects with its row, hand them out, change, list and delete them, sweep orphans."""

import logging
import secrets
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Annotated, Literal

import sqlalchemy as sa
from pydantic import Field

from webapp.extensions import db
from webapp.models import Image, User, Visibility
from webapp.services import access
from webapp.services.access import Action, Actor
from webapp.services.errors import InvalidInput, NotFound, Violation
from webapp.services.image_processing import CONTENT_TYPE, process_upload
from webapp.services.inputs import Input, Patch, reworded, trimmed
from webapp.services.matching import contains
from webapp.storage import ObjectMissing, ObjectStream, StoredObject, storage

PREFIX = "images/"
MAX_DESCRIPTION = 500
# A PUBLIC picture's bytes never change (a new upload is a new image), but the picture may turn PRIVATE or be hidden
# by a moderator: browsers and Nginx keep it five minutes, then ask again (a 304 by its ETag while it is still
# PUBLIC), so a takedown reaches every cache within that time.
PUBLIC_CACHE = "public, max-age=300"
PRIVATE_CACHE = "private, no-store"
ORPHAN_GRACE = timedelta(hours=1)

Description = trimmed(
    MAX_DESCRIPTION, lines=True, too_long=f"A description can be at most {MAX_DESCRIPTION} characters."
)
AnyVisibility = Annotated[
    Literal["PUBLIC", "PRIVATE", "HIDDEN"], reworded("Visibility must be PUBLIC, PRIVATE or HIDDEN.")
]


class ImageDetails(Input):
    """What is said about a stored picture: its description and who may see it."""

    description: Description = ""
    visibility: AnyVisibility = "PUBLIC"


class ImageUpload(ImageDetails):
    """What an upload says about its picture (the multipart fields beside `file`); only staff hide an image."""

    visibility: Annotated[Literal["PUBLIC", "PRIVATE"], reworded("Choose PUBLIC or PRIVATE.")] = "PRIVATE"


class ImagePatch(Patch):
    """The details to change; a field left out or null stays as it is."""

    description: Description | None = None
    visibility: AnyVisibility | None = Field(
        None, description="Owners choose PUBLIC or PRIVATE; only staff hide an image or bring it back."
    )

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
    owner: User | None,
    data: bytes,
    description: str = "",
    visibility: Visibility | str = Visibility.PUBLIC,
    *,
    then: Callable[[Image], object] | None = None,
) -> Image:
    """Re-encode the upload, store picture and thumbnail, add the row and commit once. The caller has already
    decided, through `access`, that `owner` may create content.

    `then(image)`, when given, is the service that puts the new image to use (a portrait, an avatar): it runs
    before the commit and commits the row with its own change, so the upload and its use succeed or fail as one.
    Raises TooLarge (413) above 5 MB; InvalidInput (422) for a file that is not a usable JPEG, PNG or WebP
    (field "file"), a description over 500 characters or an unknown visibility; whatever `then` raises. Nothing
    stays in storage when anything fails, the commit included.
    """
    details = ImageDetails.read({"description": description, "visibility": visibility})
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
            visibility=Visibility(details.visibility),
            content_type=CONTENT_TYPE,
            width=processed.width,
            height=processed.height,
            size=len(processed.webp_bytes),
            storage_key=picture_key,
            thumbnail_key=thumbnail_key,
            description=details.description,
        )
        db.session.add(image)
        if then is None:
            db.session.commit()
        else:
            db.session.flush()
            then(image)
    except Exception:
        db.session.rollback()
        _delete_quietly(stored)
        raise
    return image


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
    one streamed, cached for a few minutes (PUBLIC_CACHE); any other as a signed URL valid for `expires` seconds
    where the backend has them, else streamed, never cached.

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


def upload_image(
    actor: Actor, data: bytes, details: ImageUpload, *, then: Callable[[Image], object] | None = None
) -> Image:
    """Store an upload owned by the actor; commits once (with what `then` does with it: see create_image).

    Raises Forbidden (not signed in, or unverified where that is required), TooLarge (413) above 5 MB, or
    InvalidInput (422) for a file that is not a usable JPEG, PNG or WebP.
    """
    owner = access.require_creator(actor)
    return create_image(owner, data, details.description, details.visibility, then=then)


def get_image(actor: Actor, image_id, action: Action = Action.VIEW, for_update: bool = False) -> Image:
    """One image; NotFound when the actor may not see it (a PRIVATE image of someone else, unless it shows what
    the actor reads: see access.can_see_picture), Forbidden when seen but `action` is not allowed. `for_update`
    locks it until the commit and reads it afresh."""
    if action == Action.VIEW and not for_update:
        return access.load_picture(actor, image_id)
    return access.load(actor, Image, image_id, action, for_update=for_update)


def image_query(actor: Actor, mine: bool = False, search: str | None = None, visibility: Visibility | None = None):
    """A select of the images the actor may see, optionally only their own, by description or visibility.

    Raises Forbidden when `mine` is asked without signing in.
    """
    query = sa.select(Image).where(access.visible(actor, Image))
    if mine:
        user = access.require_signed_in(actor, "Sign in to see your images.")
        query = query.where(Image.owner_id == user.id)
    if visibility is not None:
        query = query.where(Image.visibility == Visibility(visibility))
    if search:
        query = query.where(contains(Image.description, search))
    return query


@dataclass(frozen=True)
class ImageCounts:
    total: int
    total_size: int  # bytes of the stored pictures
    by_visibility: dict[str, int]


def image_stats(actor: Actor) -> ImageCounts:
    """Counts and bytes over the images the actor may see: total, total_size, by_visibility."""
    rows = db.session.execute(
        sa.select(Image.visibility, sa.func.count(), sa.func.coalesce(sa.func.sum(Image.size), 0))
        .where(access.visible(actor, Image))
        .group_by(Image.visibility)
    ).all()
    by_visibility = {choice.value: 0 for choice in Visibility}
    for visibility, count, _ in rows:
        by_visibility[Visibility(visibility).value] = count
    return ImageCounts(
        total=sum(count for _, count, _ in rows),
        total_size=int(sum(size for _, _, size in rows)),
        by_visibility=by_visibility,
    )


def update_image(actor: Actor, image_id, patch: ImagePatch, expect=None) -> Image:
    """Change an image's description and visibility; commits once. The picture itself never changes: a new
    picture is a new upload.

    `expect(image)` runs before any change (the API's If-Match). Raises NotFound, Forbidden, or InvalidInput (a
    visibility only staff may set).
    """
    image = get_image(actor, image_id, Action.EDIT, for_update=True)
    if expect is not None:
        expect(image)
    description = patch.description if patch.description is not None else image.description
    visibility = Visibility(patch.visibility) if patch.visibility is not None else image.visibility
    message = access.visibility_refusal(actor, image, visibility, "Only moderators hide an image or bring it back.")
    if message is not None:
        raise InvalidInput([Violation("visibility", message)], message)
    image.description, image.visibility = description, visibility
    db.session.commit()
    return image


def remove_image(actor: Actor, image_id, expect=None) -> None:
    """Delete an image and its stored objects; whatever showed it (a portrait, an avatar, an entry's picture)
    is set to no image by the database and falls back to a placeholder.

    Raises NotFound (may not see it) or Forbidden (may see it but not delete it).
    """
    # Locked: of parallel deletes one deletes, the others find nothing (404).
    image = get_image(actor, image_id, Action.DELETE, for_update=True)
    if expect is not None:
        expect(image)
    delete_image(image)


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
