"""Regenerate the application icons from resources/icons/aigc-desktop.svg.

    python packaging/make_icons.py

Writes, next to the SVG (all committed, so a build needs none of these tools):
  aigc-desktop-{16,22,24,32,48,64,128,256,512}.png   rsvg-convert (librsvg2-bin), else ImageMagick
  aigc-desktop.ico                                   ImageMagick `convert` (Windows: 16..256 in one file)
  aigc-desktop.icns                                  png2icns (icnsutils), if installed

On macOS the .icns can be made with Apple's own tool instead (see packaging/README.md):
  iconutil -c icns build/aigc-desktop.iconset -o resources/icons/aigc-desktop.icns
after `python packaging/make_icons.py --iconset build/aigc-desktop.iconset`.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "aigc-desktop.svg"
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICNS_SIZES = (16, 32, 128, 256, 512)  # what png2icns accepts from this set


def png_path(size: int) -> Path:
    return ICONS / f"aigc-desktop-{size}.png"


def render(size: int, out: Path) -> None:
    if shutil.which("rsvg-convert"):
        cmd = ["rsvg-convert", "-w", str(size), "-h", str(size), str(SVG), "-o", str(out)]
    elif shutil.which("convert"):
        cmd = ["convert", "-background", "none", "-density", "384", str(SVG), "-resize", f"{size}x{size}",
               f"PNG32:{out}"]
    else:
        sys.exit("make_icons: needs rsvg-convert (apt install librsvg2-bin) or ImageMagick")
    subprocess.run(cmd, check=True)


def make_iconset(folder: Path) -> None:
    """The folder layout Apple's iconutil wants (icon_16x16.png, icon_16x16@2x.png, ...)."""
    folder.mkdir(parents=True, exist_ok=True)
    for size in (16, 32, 128, 256, 512):
        render(size, folder / f"icon_{size}x{size}.png")
        render(size * 2, folder / f"icon_{size}x{size}@2x.png")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iconset", type=Path, help="only write an .iconset folder for macOS iconutil")
    args = parser.parse_args(argv)
    if args.iconset:
        make_iconset(args.iconset)
        print(f"wrote {args.iconset}; now: iconutil -c icns {args.iconset} -o {ICONS / 'aigc-desktop.icns'}")
        return 0
    for size in PNG_SIZES:
        render(size, png_path(size))
    if shutil.which("convert"):
        subprocess.run(["convert", *[str(png_path(s)) for s in ICO_SIZES], str(ICONS / "aigc-desktop.ico")],
                       check=True)
    else:
        print("make_icons: ImageMagick not found, aigc-desktop.ico not updated", file=sys.stderr)
    if shutil.which("png2icns"):
        subprocess.run(["png2icns", str(ICONS / "aigc-desktop.icns"), *[str(png_path(s)) for s in ICNS_SIZES]],
                       check=True, stdout=subprocess.DEVNULL)
    else:
        print("make_icons: png2icns not found (apt install icnsutils), aigc-desktop.icns not updated",
              file=sys.stderr)
    print(f"icons written to {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
