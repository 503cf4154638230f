"""Camera-like test photos made with Pillow: procedural pixels, EXIF with GPS and a rotation,
XMP naming the place, so tests can prove none of it reaches the output."""

from __future__ import annotations

import io

from PIL import ExifTags, Image, ImageDraw

GPS_XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
           b'02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/"'
           b' exif:GPSLatitude="38,42.5N"/></rdf:RDF></x:xmpmeta>')


def picture(width: int, height: int, mode: str = "RGB") -> Image.Image:
    """A picture with structure (bands and circles), so encoders have work to do."""
    image = Image.new("RGB", (width, height), (30, 90, 160))
    draw = ImageDraw.Draw(image)
    for i in range(0, width, max(1, width // 12)):
        draw.rectangle((i, 0, i + width // 24, height), fill=(200, (i * 7) % 255, 60))
    draw.ellipse((width // 4, height // 4, width * 3 // 4, height * 3 // 4), fill=(250, 240, 90))
    return image.convert(mode) if mode != "RGB" else image


def camera_jpeg(width: int = 640, height: int = 480, orientation: int = 1) -> bytes:
    """A JPEG as a phone writes it: EXIF (camera, artist, copyright, GPS) and XMP."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Velmar Optics"
    exif[ExifTags.Base.Artist] = "Ana Lima"
    exif[ExifTags.Base.Copyright] = "(c) The Velmar Ledger"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps.update({1: "N", 2: (38.0, 42.0, 30.0), 3: "W", 4: (9.0, 8.0, 15.0)})
    buffer = io.BytesIO()
    picture(width, height).save(buffer, "JPEG", quality=90, exif=exif.tobytes(), xmp=GPS_XMP)
    return buffer.getvalue()


def png(width: int = 300, height: int = 200, mode: str = "RGBA") -> bytes:
    buffer = io.BytesIO()
    image = picture(width, height, mode)
    if mode == "RGBA":
        image.putalpha(Image.linear_gradient("L").resize((width, height)))
    image.save(buffer, "PNG")
    return buffer.getvalue()


def webp(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    picture(width, height).save(buffer, "WEBP")
    return buffer.getvalue()


def has_gps(data: bytes) -> bool:
    """Whether an image file carries a GPS position, in EXIF or XMP."""
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        if exif.get_ifd(ExifTags.IFD.GPSInfo) or ExifTags.IFD.GPSInfo in exif:
            return True
        return b"GPS" in (image.info.get("xmp") or b"") or b"GPSLatitude" in data


def same_picture(published: bytes, source: bytes) -> bool:
    """The same pixels at the same size (a published copy is re-encoded, not copied)."""
    with Image.open(io.BytesIO(published)) as a, Image.open(io.BytesIO(source)) as b:
        return a.size == b.size and a.convert("RGBA").tobytes() == b.convert("RGBA").tobytes()
