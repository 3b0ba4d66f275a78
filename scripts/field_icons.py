"""Draws the field app's home-screen icons (logistics/static/field/icon-*.png) with Pillow."""

from pathlib import Path

from PIL import Image, ImageDraw

FOLDER = Path(__file__).resolve().parents[1] / "logistics" / "static" / "field"
RED = (179, 38, 30)
WHITE = (255, 255, 255)


def icon(size: int) -> Image.Image:
    # A white cross on red, kept inside the middle 60% so a round "maskable" crop keeps it whole.
    image = Image.new("RGB", (size, size), RED)
    draw = ImageDraw.Draw(image)
    arm, reach = size * 0.11, size * 0.3
    middle = size / 2
    draw.rectangle([middle - arm, middle - reach, middle + arm, middle + reach], fill=WHITE)
    draw.rectangle([middle - reach, middle - arm, middle + reach, middle + arm], fill=WHITE)
    return image


def main() -> None:
    for size in (192, 512):
        icon(size).save(FOLDER / f"icon-{size}.png", optimize=True)


if __name__ == "__main__":
    main()
