"""Images as a use case: upload, serve, delete and sweep, on the local folder and on the S3 server."""

import io
import re
import urllib.request
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image as PillowImage

from tests.images.samples import picture
from webapp import cli
from webapp.extensions import db
from webapp.models import Character, Image, Visibility
from webapp.services.errors import InvalidInput, NotFound, TooLarge
from webapp.services.images import (
    PRIVATE_CACHE,
    PUBLIC_CACHE,
    create_image,
    delete_image,
    deliver_image,
    remove_orphans,
)

KEY = re.compile(r"images/[0-9a-f]{32}/[A-Za-z0-9_-]{22}(-thumb)?\.webp")


def stored_keys(store) -> list[str]:
    return sorted(store.list_keys("images/"))


def image_rows() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Image)).scalar_one()


def test_3000_by_2000_png_is_stored_as_2048_wide_webp_and_256_px_thumbnail(installed, make):
    owner = make.user()

    image = create_image(owner, picture(3000, 2000), "Brannoc at dawn", Visibility.PRIVATE)

    stored = db.session.get(Image, image.id)
    assert (stored.width, stored.height, stored.content_type) == (2048, 1365, "image/webp")
    assert (stored.owner_id, stored.visibility, stored.description) == (owner.id, Visibility.PRIVATE, "Brannoc at dawn")
    full = PillowImage.open(io.BytesIO(installed.get(stored.storage_key)))
    thumb = PillowImage.open(io.BytesIO(installed.get(stored.thumbnail_key)))
    assert (full.format, full.size) == ("WEBP", (2048, 1365))
    assert (thumb.format, thumb.size) == ("WEBP", (256, 171))
    assert stored.size == len(installed.get(stored.storage_key))


def test_keys_are_unguessable_and_never_repeat(installed, make):
    owner = make.user()

    first = create_image(owner, picture(40, 40))
    second = create_image(owner, picture(40, 40))

    keys = [first.storage_key, first.thumbnail_key, second.storage_key, second.thumbnail_key]
    assert all(KEY.fullmatch(key) for key in keys), keys
    assert len(set(keys)) == 4
    assert str(owner.id) not in "".join(keys) and str(first.id) not in first.storage_key


def test_refused_upload_stores_nothing(installed, make):
    with pytest.raises(InvalidInput):
        create_image(make.user(), b"just some text, renamed to portrait.png")
    with pytest.raises(TooLarge):
        create_image(make.user(), b"\x00" * (6 * 1024 * 1024))

    assert stored_keys(installed) == []
    assert image_rows() == 0


def test_overlong_description_is_refused_by_its_field(installed, make):
    with pytest.raises(InvalidInput) as caught:
        create_image(make.user(), picture(40, 40), "x" * 501)

    assert [v.field for v in caught.value.violations] == ["description"]
    assert stored_keys(installed) == []


def test_unknown_visibility_is_refused_by_its_field(installed, make):
    with pytest.raises(InvalidInput) as caught:
        create_image(make.user(), picture(40, 40), visibility="SECRET")

    assert [v.field for v in caught.value.violations] == ["visibility"]


def test_failed_commit_leaves_no_objects_behind(installed, make, monkeypatch):
    owner = make.user()

    def broken_commit():
        raise sa.exc.OperationalError("COMMIT", {}, Exception("the database went away"))

    monkeypatch.setattr(db.session, "commit", broken_commit)
    with pytest.raises(sa.exc.OperationalError):
        create_image(owner, picture(300, 200))
    monkeypatch.undo()

    assert stored_keys(installed) == []
    assert image_rows() == 0


def test_failed_thumbnail_write_removes_the_picture_already_written(installed, make, monkeypatch):
    owner = make.user()
    real_put = installed.put

    def put(key, data, content_type):
        if key.endswith("-thumb.webp"):
            raise OSError("disk full")
        real_put(key, data, content_type)

    monkeypatch.setattr(installed, "put", put)
    with pytest.raises(OSError, match="disk full"):
        create_image(owner, picture(300, 200))

    assert stored_keys(installed) == []
    assert image_rows() == 0


def test_deleting_an_image_deletes_its_objects_and_what_showed_it_falls_back(installed, make):
    owner = make.user()
    image = create_image(owner, picture(300, 200))
    hero = make.character(owner=owner, image_id=image.id)
    keep = create_image(owner, picture(30, 20))

    delete_image(image)

    assert db.session.get(Image, image.id) is None
    assert db.session.execute(sa.select(Character.image_id).where(Character.id == hero.id)).scalar_one() is None
    assert stored_keys(installed) == sorted([keep.storage_key, keep.thumbnail_key])


def test_public_image_is_streamed_with_short_public_caching(installed, make):
    image = create_image(make.user(), picture(300, 200), visibility=Visibility.PUBLIC)

    delivery = deliver_image(image)

    assert delivery.cache_control == PUBLIC_CACHE == "public, max-age=300"
    assert delivery.redirect_url is None and delivery.content_type == "image/webp"
    with delivery.stream as stream:
        assert b"".join(stream) == installed.get(image.storage_key)


def test_public_thumbnail_is_streamed_too(installed, make):
    image = create_image(make.user(), picture(300, 200))

    with deliver_image(image, thumbnail=True).stream as stream:
        assert PillowImage.open(io.BytesIO(b"".join(stream))).size == (256, 171)


@pytest.mark.parametrize("visibility", [Visibility.PRIVATE, Visibility.HIDDEN])
def test_private_image_on_the_local_folder_is_streamed_and_never_cached(install, local_storage, make, visibility):
    install(local_storage)
    image = create_image(make.user(), picture(300, 200), visibility=visibility)

    delivery = deliver_image(image)

    assert delivery.cache_control == PRIVATE_CACHE == "private, no-store"
    assert delivery.redirect_url is None
    with delivery.stream as stream:
        assert b"".join(stream) == local_storage.get(image.storage_key)


def test_private_image_on_s3_is_a_short_lived_signed_url(install, s3_storage, make):
    install(s3_storage)
    image = create_image(make.user(), picture(300, 200), visibility=Visibility.PRIVATE)

    delivery = deliver_image(image, expires=60)

    assert delivery.cache_control == PRIVATE_CACHE and delivery.stream is None
    assert "X-Amz-Expires=60" in delivery.redirect_url
    with urllib.request.urlopen(delivery.redirect_url, timeout=5) as response:
        assert response.read() == s3_storage.get(image.storage_key)


def test_image_whose_object_vanished_is_not_found(installed, make):
    image = create_image(make.user(), picture(30, 20))
    installed.delete(image.storage_key)

    with pytest.raises(NotFound):
        deliver_image(image)


def test_orphaned_objects_are_removed_and_referenced_ones_kept(installed, make):
    image = create_image(make.user(), picture(30, 20))
    installed.put("images/0123456789abcdef0123456789abcdef/left-over.webp", b"x", "image/webp")
    installed.put("images/fedcba9876543210fedcba9876543210/left-over-thumb.webp", b"x", "image/webp")
    installed.put("exports/not-an-image.csv", b"x", "text/csv")

    assert remove_orphans(grace=timedelta(0)) == 2

    assert stored_keys(installed) == sorted([image.storage_key, image.thumbnail_key])
    assert installed.exists("exports/not-an-image.csv")


def test_objects_younger_than_the_grace_period_are_kept(installed):
    installed.put("images/0123456789abcdef0123456789abcdef/upload-in-progress.webp", b"x", "image/webp")

    assert remove_orphans(grace=timedelta(hours=1)) == 0
    assert installed.exists("images/0123456789abcdef0123456789abcdef/upload-in-progress.webp")


def test_remove_orphans_command_reports_how_many_it_removed(app, installed, make):
    create_image(make.user(), picture(30, 20))
    installed.put("images/0123456789abcdef0123456789abcdef/left-over.webp", b"x", "image/webp")

    result = app.test_cli_runner().invoke(cli.images, ["remove-orphans", "--grace-minutes", "0"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Removed 1 orphaned object."
    assert len(stored_keys(installed)) == 2


def test_remove_orphans_command_keeps_recent_uploads_by_default(app, installed):
    installed.put("images/0123456789abcdef0123456789abcdef/left-over.webp", b"x", "image/webp")

    result = app.test_cli_runner().invoke(cli.images, ["remove-orphans"])

    assert result.output.strip() == "Removed 0 orphaned objects."
