"""Uploads are judged by content, bounded in bytes and pixels, and come out as clean WebP."""

import io
import subprocess
import sys
import textwrap

import pytest
from PIL import Image, ImageCms

from tests.images.samples import jpeg_claiming, picture, png_claiming, save, webp_claiming
from tests.servers import ROOT
from webapp.services.errors import InvalidInput, TooLarge
from webapp.services.image_processing import NOT_AN_IMAGE, UNREADABLE, process_upload

MB = 1024 * 1024


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def refusal(data: bytes) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        process_upload(data)
    assert caught.value.status == 422
    assert [v.field for v in caught.value.violations] == ["file"]
    return caught.value


def test_3000_by_2000_png_becomes_2048_wide_webp_and_256_px_thumbnail():
    result = process_upload(picture(3000, 2000))

    full, thumb = decoded(result.webp_bytes), decoded(result.thumb_bytes)
    assert (full.format, full.size) == ("WEBP", (2048, 1365))
    assert (result.width, result.height) == (2048, 1365)
    assert (thumb.format, thumb.size) == ("WEBP", (256, 171))


def test_large_jpeg_photo_decoded_at_reduced_scale_still_comes_out_2048_wide():
    result = process_upload(picture(6000, 4000, "JPEG"))

    assert (result.width, result.height) == (2048, 1365)


def test_tall_picture_fits_2048_high():
    result = process_upload(picture(2000, 3000, "JPEG"))

    assert (result.width, result.height) == (1365, 2048)
    assert decoded(result.thumb_bytes).size == (171, 256)


def test_small_picture_is_not_enlarged():
    result = process_upload(picture(120, 80, "JPEG"))

    assert (result.width, result.height) == (120, 80)
    assert decoded(result.thumb_bytes).size == (120, 80)


def test_webp_is_lossy_at_quality_80_rather_than_a_copy_of_the_upload():
    upload = picture(800, 600, "PNG")
    result = process_upload(upload)

    assert result.webp_bytes[12:16] == b"VP8 "  # lossy WebP
    assert result.webp_bytes != upload


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_each_accepted_format_is_read_by_its_content(fmt):
    result = process_upload(picture(64, 48, fmt))

    assert decoded(result.webp_bytes).size == (64, 48)


def test_exif_orientation_is_applied_then_all_metadata_is_stripped():
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the camera was turned, show rotated 90° clockwise
    exif[0x010F] = "Nosy Camera Co."
    exif[0x0131] = "Firmware 1.0"
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    upload = save(Image.new("RGB", (400, 200), "red"), "JPEG", exif=exif, icc_profile=icc, xmp=b"<x:xmpmeta/>")

    result = decoded(process_upload(upload).webp_bytes)

    assert result.size == (200, 400)
    assert not result.getexif()
    assert {"exif", "icc_profile", "xmp"}.isdisjoint(result.info)
    assert b"Nosy Camera" not in process_upload(upload).webp_bytes


def test_transparency_is_kept():
    image = Image.new("RGBA", (100, 100), (0, 128, 255, 255))
    image.paste((0, 0, 0, 0), (0, 0, 50, 50))

    result = decoded(process_upload(save(image, "PNG")).webp_bytes)

    assert result.mode == "RGBA"
    assert result.getpixel((10, 10))[3] == 0
    assert result.getpixel((90, 90))[3] == 255


def test_transparency_survives_a_colour_profile():
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = Image.new("RGBA", (100, 100), (200, 40, 40, 255))
    image.paste((0, 0, 0, 0), (0, 0, 50, 50))

    result = decoded(process_upload(save(image, "PNG", icc_profile=icc)).webp_bytes)

    assert result.getpixel((10, 10))[3] == 0
    assert result.getpixel((90, 90))[3] == 255
    assert "icc_profile" not in result.info


def test_palette_picture_with_a_transparent_colour_keeps_it():
    image = Image.new("P", (40, 40), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.paste(0, (0, 0, 20, 20))

    result = decoded(process_upload(save(image, "PNG", transparency=0)).webp_bytes)

    assert result.mode == "RGBA"
    assert result.getpixel((5, 5))[3] == 0


def test_sixteen_bit_greyscale_stays_grey_instead_of_turning_white():
    result = decoded(process_upload(save(Image.new("I;16", (32, 32), 32768), "PNG")).webp_bytes)

    red, green, blue = result.convert("RGB").getpixel((16, 16))
    assert 110 < red < 145 and red == green == blue


def test_cmyk_jpeg_becomes_rgb():
    result = decoded(process_upload(save(Image.new("CMYK", (32, 32), (0, 255, 255, 0)), "JPEG")).webp_bytes)

    red, green, blue = result.convert("RGB").getpixel((16, 16))
    assert red > 200 and green < 60 and blue < 60


def test_six_megabyte_file_is_refused_as_too_large_before_it_is_opened(monkeypatch):
    monkeypatch.setattr(Image, "open", lambda *a, **k: pytest.fail("a file over 5 MB must not be opened"))

    with pytest.raises(TooLarge) as caught:
        process_upload(b"\x89PNG\r\n\x1a\n" + b"\x00" * (6 * MB))

    assert caught.value.status == 413
    assert caught.value.code == "payload_too_large"
    assert "5 MB" in caught.value.message


def test_file_of_exactly_5_mb_is_not_too_large():
    assert refusal(b"\x00" * (5 * MB)).message == NOT_AN_IMAGE


def test_text_file_renamed_png_is_refused():
    error = refusal(b"Dear diary, today I renamed a text file to portrait.png.\n" * 40)

    assert error.violations[0].message == "That file is not a JPEG, PNG or WebP image."


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_refused(fmt):
    assert refusal(picture(32, 32, fmt)).violations[0].message == NOT_AN_IMAGE


def test_empty_file_is_refused():
    assert refusal(b"").violations[0].message == NOT_AN_IMAGE


def test_truncated_png_is_refused_as_unreadable():
    upload = picture(600, 400, "PNG")

    assert refusal(upload[: len(upload) // 2]).violations[0].message == UNREADABLE


@pytest.mark.parametrize(
    "upload",
    [png_claiming(7000, 6000), jpeg_claiming(7000, 6000)],
    ids=["png", "jpeg"],
)
def test_picture_over_40_megapixels_is_refused_from_its_header_alone(upload):
    # These files hold no picture data: reaching the decoder would say "unreadable", not "megapixels".
    message = refusal(upload).violations[0].message

    assert "7000 × 6000" in message and "40 megapixels" in message


def test_40_megapixels_exactly_is_within_the_limit():
    # The header passes the pixel check; the missing picture data then makes it unreadable.
    assert refusal(png_claiming(8000, 5000)).violations[0].message == UNREADABLE


@pytest.mark.parametrize(
    "builder, width, height",
    [(png_claiming, 50_000, 50_000), (jpeg_claiming, 60_000, 60_000), (webp_claiming, 16_000, 16_000)],
    ids=["png", "jpeg", "webp"],
)
def test_pixel_bomb_is_refused(builder, width, height):
    assert "megapixels" in refusal(builder(width, height)).violations[0].message


def test_pixel_bomb_is_refused_without_exhausting_memory():
    """Peak RSS is measured in a fresh interpreter, so that nothing else the suite did counts against it: VmHWM
    starts again at exec, while getrusage's ru_maxrss keeps the forked parent's (the whole test session's)."""
    script = textwrap.dedent(
        r"""
        import re
        from tests.images.samples import jpeg_claiming, png_claiming, webp_claiming
        from webapp.services.image_processing import process_upload
        from webapp.services.errors import InvalidInput

        bombs = [png_claiming(50_000, 50_000), png_claiming(7_000, 6_000), jpeg_claiming(60_000, 60_000),
                 jpeg_claiming(7_000, 6_000), webp_claiming(16_000, 16_000)]
        for bomb in bombs:
            try:
                process_upload(bomb)
            except InvalidInput:
                continue
            raise SystemExit("a pixel bomb was accepted")
        with open("/proc/self/status") as status:
            print(re.search(r"VmHWM:\s+(\d+) kB", status.read()).group(1))
        """
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)

    assert run.returncode == 0, run.stderr
    peak_kb = int(run.stdout.split()[-1])  # kilobytes on Linux
    assert peak_kb < 300 * 1024, f"peak RSS {peak_kb / 1024:.0f} MB"
