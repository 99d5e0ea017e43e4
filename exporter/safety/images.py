"""What a resource is, read from its bytes (never from its name): raster images and
fonts by their magic numbers, markup by its first bytes; an image's pixel size from its
header, nothing decoded."""

from __future__ import annotations

import io
import warnings

__all__ = ["sniff", "image_size", "looks_like_markup"]

#: magic numbers -> the media type the bytes are, whatever the file is called
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"), (b"BM", "image/bmp"), (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff"),
    (b"\x00\x00\x01\x00", "image/x-icon"),
    (b"OTTO", "font/otf"), (b"\x00\x01\x00\x00", "font/ttf"), (b"true", "font/ttf"), (b"ttcf", "font/collection"),
    (b"wOFF", "font/woff"), (b"wOF2", "font/woff2"),
)



def sniff(data: bytes) -> str | None:
    """The media type of a raster image or a font, read from its first bytes; None for
    anything else (text: style sheets, SVG, or not a resource at all)."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    if data[4:12] in (b"ftypavif", b"ftypavis", b"ftypheic", b"ftypmif1"):
        return "image/avif"
    return None


def looks_like_markup(data: bytes) -> bool:
    """Whether the bytes could be read as XML: markup first (after a byte-order mark and
    white space), or text in a UTF-16/32 encoding."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\x00<", b"<\x00")):
        return True
    return data.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n\x0c").startswith(b"<")


def image_size(data: bytes) -> tuple[int, int] | None:
    """The pixel size from an image's header (nothing decoded), or None if not an image."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        saved, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
        try:
            with Image.open(io.BytesIO(data)) as image:
                return image.size
        except Exception:  # not an image, or a broken one: check_images reports it
            return None
        finally:
            Image.MAX_IMAGE_PIXELS = saved
