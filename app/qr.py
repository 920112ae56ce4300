"""QR codes as inline SVG: sharp at any size, printable, no image files to serve."""

import re

import qrcode
import qrcode.image.svg
from markupsafe import Markup


def qr_svg(data: str, label: str) -> Markup:
    """An SVG QR code of the text, sized by CSS (class "qr"), named for screen readers.

    Error correction M survives a creased or smudged print."""
    image = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    svg = image.to_string(encoding="unicode")
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'\s(width|height)="[^"]*"', "", svg, count=2)
    label = str(Markup.escape(label))
    return Markup(svg.replace("<svg ", f'<svg class="qr" role="img" aria-label="{label}" ', 1))
