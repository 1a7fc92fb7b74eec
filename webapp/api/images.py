"""Images over JSON: upload (multipart), list, read, describe, delete, stats, and the picture files themselves."""

import dataclasses
import uuid
from typing import Literal

from flask import Response, redirect, request, url_for
from pydantic import Field
from werkzeug.exceptions import RequestEntityTooLarge

from webapp.api.responses import json_response, no_content, require_fresh
from webapp.api.spec import UnsupportedMediaType, endpoint
from webapp.api.wire import Moment, Out, id_or_null, iso, page_json, page_of
from webapp.list_queries import ListQuery
from webapp.models import Image, Visibility
from webapp.services import images
from webapp.services.errors import InvalidInput, TooLarge, Violation
from webapp.services.image_processing import MAX_BYTES
from webapp.services.images import ImagePatch, ImageUpload
from webapp.services.pagination import paginate

TAG = "images"
SORTS = {"created_at": Image.created_at, "size": Image.size}
FORM_FIELDS = {"description", "visibility"}
TOO_LARGE = f"Images can be at most {MAX_BYTES // (1024 * 1024)} MB."
PICTURE = {
    "description": "The picture as WebP. A PUBLIC image is sent with `Cache-Control: public, max-age=300` (it may "
    "turn PRIVATE, and every cache lets it go within five minutes); any other is sent with `private, no-store`, "
    "or answered 302 to a signed URL valid for five minutes when the storage is S3.",
    "content": {"image/webp": {"schema": {"type": "string", "format": "binary"}}},
}
SIGNED_REDIRECT = {
    "description": "A picture that is not PUBLIC, stored on S3: a signed URL valid for five minutes (`Location`).",
    "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
}
PICTURE_NOT_MODIFIED = {"description": "A PUBLIC picture you hold already (If-None-Match): it never changes."}
PICTURE_ANSWERS = {200: PICTURE, 302: SIGNED_REDIRECT, 304: PICTURE_NOT_MODIFIED}


class ImageOut(Out):
    id: uuid.UUID
    owner_id: uuid.UUID | None
    content_type: Literal["image/webp"]
    width: int
    height: int
    size: int = Field(description="Bytes of the stored WebP picture.")
    url: str = Field(description="Path of the picture (GET; same origin as the API).")
    thumbnail_url: str = Field(description="Path of the 256 px thumbnail.")
    visibility: Visibility
    description: str
    created_at: Moment
    updated_at: Moment


class ImageListQuery(ListQuery):
    mine: bool = Field(False, description="Only the caller's own images.")
    visibility: Literal["PUBLIC", "PRIVATE", "HIDDEN"] | None = None
    sort: Literal["created_at", "size"] = "created_at"


class ImageStatsOut(Out):
    total: int
    total_size: int
    by_visibility: dict[str, int]


def serialise(image: Image) -> dict:
    """The image shape of SPEC §6.1, plus owner, description and times; URLs are paths on this server."""
    return {
        "id": str(image.id),
        "owner_id": id_or_null(image.owner_id),
        "content_type": image.content_type,
        "width": image.width,
        "height": image.height,
        "size": image.size,
        "url": url_for("api.image_file", image_id=image.id),
        "thumbnail_url": url_for("api.image_thumbnail", image_id=image.id),
        "visibility": Visibility(image.visibility).value,
        "description": image.description,
        "created_at": iso(image.created_at),
        "updated_at": iso(image.updated_at),
    }


def _public(caller) -> bool:
    return caller.user is None


def read_upload() -> tuple[bytes, ImageUpload]:
    """The multipart body's `file`, and its `description` and `visibility` (default PRIVATE) as the upload's input.

    Raises TooLarge (413) above the request limit, UnsupportedMediaType (415) when the body is not multipart,
    InvalidInput (422) for unknown fields or a missing file.
    """
    if request.mimetype != "multipart/form-data":
        raise UnsupportedMediaType("Send the picture as multipart/form-data with a `file` field.")
    try:
        files, form = request.files, request.form
    except RequestEntityTooLarge:
        raise TooLarge(TOO_LARGE) from None
    unknown = [Violation(key, "Unknown field.") for key in [*form, *files] if key not in FORM_FIELDS | {"file"}]
    unknown += [Violation(key, "Send files only as `file`.") for key in files if key in FORM_FIELDS]
    if unknown:
        raise InvalidInput(unknown, unknown[0].message)
    upload = files.get("file")
    data = upload.read() if upload is not None else b""
    if not data:
        message = "Attach a JPEG, PNG or WebP picture as the `file` field."
        raise InvalidInput([Violation("file", message)], message)
    return data, ImageUpload.read(form.to_dict())


def send_picture(image: Image, thumbnail: bool) -> Response:
    """A picture the caller may see: streamed, or a redirect to a short-lived signed URL. A PUBLIC picture never
    changes (a new picture is a new image), so its ETag is its id and a revalidation needs no storage at all."""
    tag = f'"{image.id.hex}{"-thumb" if thumbnail else ""}"'
    if image.visibility == Visibility.PUBLIC and tag in request.headers.get("If-None-Match", ""):
        return Response(status=304, headers={"ETag": tag, "Cache-Control": images.PUBLIC_CACHE})
    delivery = images.deliver_image(image, thumbnail=thumbnail)
    headers = {"Cache-Control": delivery.cache_control, "X-Content-Type-Options": "nosniff"}
    if delivery.redirect_url is not None:
        response = redirect(delivery.redirect_url, 302)
        response.headers.update(headers)
        return response
    stream = delivery.stream
    response = Response(stream, mimetype=delivery.content_type, headers=headers, direct_passthrough=True)
    if stream.content_length is not None:
        response.content_length = stream.content_length
    if delivery.cache_control == images.PUBLIC_CACHE:
        response.headers["ETag"] = tag
    else:
        response.headers["Vary"] = "Authorization, Cookie"
    return response


@endpoint(
    "POST",
    "/images",
    "Upload an image (multipart: file, description, visibility)",
    TAG,
    response=ImageOut,
    status=201,
    auth="write",
    multipart=ImageUpload,
    links={"image_id": "$response.body#/id"},
)
def image_create(caller):
    data, details = read_upload()
    image = images.upload_image(caller.user, data, details)
    location = url_for("api.image_get", image_id=image.id)
    return json_response(serialise(image), status=201, headers={"Location": location})


@endpoint(
    "GET", "/images", "List images", TAG, query=ImageListQuery, response=page_of(ImageOut), errors={403}  # mine=true
)
def image_list(caller, query: ImageListQuery):
    select = images.image_query(caller.user, mine=query.mine, search=query.search, visibility=query.visibility)
    rows, pagination = paginate(select, Image, SORTS[query.sort], query.limit, query.cursor, query.order)
    return json_response(page_json([serialise(i) for i in rows], pagination), public=_public(caller))


@endpoint("GET", "/images/stats", "Image statistics", TAG, response=ImageStatsOut)
def image_stats(caller):
    return json_response(dataclasses.asdict(images.image_stats(caller.user)), public=_public(caller))


@endpoint("GET", "/images/<uuid:image_id>", "Get an image's details", TAG, response=ImageOut)
def image_get(caller, image_id):
    return json_response(serialise(images.get_image(caller.user, image_id)), public=_public(caller))


@endpoint(
    "PATCH",
    "/images/<uuid:image_id>",
    "Change an image's description or visibility",
    TAG,
    body=ImagePatch,
    response=ImageOut,
    auth="write",
    if_match=True,
)
def image_update(caller, image_id, body: ImagePatch):
    image = images.update_image(
        caller.user, image_id, body, expect=lambda current: require_fresh(serialise(current), ImageOut)
    )
    return json_response(serialise(image))


@endpoint(
    "DELETE",
    "/images/<uuid:image_id>",
    "Delete an image and its files; portraits, avatars and entries showing it fall back to placeholders",
    TAG,
    status=204,
    auth="write",
    if_match=True,
)
def image_delete(caller, image_id):
    images.remove_image(caller.user, image_id, expect=lambda current: require_fresh(serialise(current), ImageOut))
    return no_content()


@endpoint(
    "GET",
    "/images/<uuid:image_id>/file",
    "The picture (WebP, at most 2048 px)",
    TAG,
    answers=PICTURE_ANSWERS,
)
def image_file(caller, image_id):
    return send_picture(images.get_image(caller.user, image_id), thumbnail=False)


@endpoint(
    "GET",
    "/images/<uuid:image_id>/thumbnail",
    "The thumbnail (WebP, at most 256 px)",
    TAG,
    answers=PICTURE_ANSWERS,
)
def image_thumbnail(caller, image_id):
    return send_picture(images.get_image(caller.user, image_id), thumbnail=True)
