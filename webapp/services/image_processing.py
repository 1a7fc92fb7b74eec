"""Uploads to clean WebP: judged by content, bounded in bytes and pixels, re-encoded without metadata."""

import contextlib
import io
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from webapp.services.errors import InvalidInput, TooLarge, Violation

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2048
THUMBNAIL_SIDE = 256
QUALITY = 80
CONTENT_TYPE = "image/webp"
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
# Pillow's JPEG reader reports a JPEG with a second picture (many phone photos) as MPO: a JPEG all the same.
_REPORTED_FORMATS = {*ACCEPTED_FORMATS, "MPO"}

NOT_AN_IMAGE = "That file is not a JPEG, PNG or WebP image."
UNREADABLE = "That image could not be read; it may be damaged or incomplete."


@dataclass(frozen=True)
class ProcessedImage:
    webp_bytes: bytes
    thumb_bytes: bytes
    width: int
    height: int


def process_upload(data: bytes) -> ProcessedImage:
    """Re-encode an upload as WebP (≤ 2048 × 2048, quality 80, no metadata) plus a thumbnail (≤ 256 px).

    Raises TooLarge (413) above 5 MB, before anything is decoded; InvalidInput (422, field "file") when the
    content is not a JPEG, PNG or WebP whatever its name, when the header claims more than 40 megapixels
    (checked before the pixels are decoded), or when the pixels cannot be decoded.
    """
    if len(data) > MAX_BYTES:
        raise TooLarge(f"That file is {len(data) / 1_000_000:.1f} MB; images can be at most 5 MB.")
    picture = _decode(_open(data))
    picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    thumbnail = picture.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return ProcessedImage(_webp(picture), _webp(thumbnail), picture.width, picture.height)


def _refuse(message: str) -> InvalidInput:
    return InvalidInput([Violation("file", message)], message)


def _open(data: bytes) -> Image.Image:
    """Read only the header: the format and the claimed size, never the pixels."""
    try:
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError as error:
        raise _refuse(f"That image has more than {MAX_PIXELS // 1_000_000} megapixels.") from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise _refuse(NOT_AN_IMAGE) from error
    if image.format not in _REPORTED_FORMATS:
        image.close()
        raise _refuse(NOT_AN_IMAGE)
    width, height = image.size
    if width * height > MAX_PIXELS:
        image.close()
        raise _refuse(
            f"That image is {width} × {height} pixels ({width * height / 1_000_000:.0f} megapixels); "
            f"the limit is {MAX_PIXELS // 1_000_000} megapixels."
        )
    if width < 1 or height < 1:
        image.close()
        raise _refuse(UNREADABLE)
    return image


def _decode(image: Image.Image) -> Image.Image:
    """Decode the pixels upright, in sRGB, as RGB or RGBA; raises InvalidInput when decoding fails."""
    if image.format in {"JPEG", "MPO"}:
        # JPEG can decode at 1/2, 1/4 or 1/8 scale (never below the final size): a large photo never
        # occupies its full size in memory.
        image.draft(None, _fitted(image.size, MAX_SIDE))
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise _refuse(UNREADABLE) from error
    _apply_orientation(image)
    return _to_rgb(_to_srgb(image))


def _fitted(size: tuple[int, int], side: int) -> tuple[int, int]:
    """The size after shrinking (never enlarging) to fit a side × side square, keeping the aspect ratio."""
    scale = min(1.0, side / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _apply_orientation(image: Image.Image) -> None:
    """Turn the pixels the way the EXIF orientation says, since the EXIF itself is about to be dropped."""
    # Unreadable EXIF: keep the pixels as stored rather than refuse the picture.
    with contextlib.suppress(SyntaxError, ValueError, TypeError, KeyError, OSError):
        ImageOps.exif_transpose(image, in_place=True)


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert from an embedded colour profile to sRGB, because the profile is stripped with the metadata."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in {"RGB", "RGBA", "CMYK"}:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        # A fresh sRGB profile per call: LittleCMS profiles are not safe to share between threads.
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # a broken profile: the pixels as they are beat a refusal
    return converted or image


def _to_rgb(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when the image has any transparency (WebP keeps alpha)."""
    if image.mode == "RGBA" or (image.mode == "RGB" and not image.has_transparency_data):
        return image
    if image.mode.startswith("I"):
        # 16-bit greyscale: scale to 8 bits instead of letting every value above 255 turn white.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    return image.convert("RGBA" if image.has_transparency_data else "RGB")


def _webp(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.info.clear()  # nothing of the original's metadata travels on
    image.save(buffer, "WEBP", quality=QUALITY, method=4)
    return buffer.getvalue()
