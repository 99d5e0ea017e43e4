"""Draw the pictures used by the sample articles in sources/ (run once; output committed).

Both images are drawn here from code, so the project owns them outright:
* sources/images/ledger-chart.png — entries per decade in the sample ledger article;
* sources/type-case.png — a diagram of a printer's type case for the sample interview.
"""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent / "sources"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def font(size, bold=False):
    return ImageFont.truetype(BOLD if bold else FONT, size)


def ledger_chart(path: Path) -> None:
    data = [("1900s", 212), ("1910s", 180), ("1920s", 305), ("1930s", 344), ("1940s", 121),
            ("1950s", 410), ("1960s", 388), ("1970s", 256)]
    width, height = 1500, 900
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    left, bottom, top = 140, height - 120, 90
    draw.text((left, 25), "Ledger entries per decade", font=font(44, True), fill="#1a1a1a")
    scale = (bottom - top) / 450
    for tick in range(0, 451, 100):
        y = bottom - tick * scale
        draw.line((left, y, width - 60, y), fill="#dddddd", width=2)
        draw.text((left - 20, y), str(tick), font=font(28), fill="#555555", anchor="rm")
    bar = (width - left - 80) / len(data)
    for index, (label, value) in enumerate(data):
        x0 = left + index * bar + bar * 0.18
        x1 = left + (index + 1) * bar - bar * 0.18
        draw.rectangle((x0, bottom - value * scale, x1, bottom), fill="#b3261e" if value == 410 else "#3d5a80")
        draw.text(((x0 + x1) / 2, bottom + 20), label, font=font(30), fill="#1a1a1a", anchor="ma")
        draw.text(((x0 + x1) / 2, bottom - value * scale - 10), str(value), font=font(28), fill="#1a1a1a",
                  anchor="md")
    draw.line((left, bottom, width - 60, bottom), fill="#1a1a1a", width=3)
    image.save(path, optimize=True, dpi=(300, 300))


def type_case(path: Path) -> None:
    width, height = 1600, 1000
    image = Image.new("RGB", (width, height), "#f4efe6")
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, width - 40, height - 40), outline="#5b3a1e", width=14)
    letters = "abcdefghijklmnopqrstuvwxyz"
    cols, lines = 16, 8
    cell_w = (width - 120) / cols
    cell_h = (height - 120) / lines
    for r in range(lines):
        for c in range(cols):
            x0 = 60 + c * cell_w
            y0 = 60 + r * cell_h
            span = 2 if (r >= 2 and c in (5, 6)) else 1
            draw.rectangle((x0 + 4, y0 + 4, x0 + cell_w * span - 4, y0 + cell_h - 4), outline="#8a5a2b", width=4,
                           fill="#fbf8f2")
            glyph = letters[(r * cols + c) % len(letters)]
            if c >= 8:
                glyph = glyph.upper()
            draw.text((x0 + cell_w / 2, y0 + cell_h / 2), glyph, font=font(46, bold=(c >= 8)), fill="#3b2a1a",
                      anchor="mm")
    image.save(path, optimize=True, dpi=(300, 300))


if __name__ == "__main__":
    ledger_chart(ROOT / "images" / "ledger-chart.png")
    type_case(ROOT / "type-case.png")
