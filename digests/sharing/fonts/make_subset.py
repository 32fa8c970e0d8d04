"""Make the share card's font: Noto Sans CJK SC cut down to GB 2312's characters.

Run by hand when the font needs remaking (fontTools is needed only here, not by Newsroom):

    pip install fonttools
    python digests/sharing/fonts/make_subset.py /usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc

The collection's Simplified Chinese face is kept with the 6,763 hanzi of GB 2312 (all of
its characters, decoded from Python's own codec, so the list is reproducible), printable
ASCII, Latin-1, CJK punctuation and full-width forms. Anything else on a card is drawn
only where the font has it (``digests/sharing/card.py``).
"""

import contextlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

HERE = Path(__file__).resolve().parent
TARGET = HERE / "NotoSansSC-Bold-GB2312.otf"


def characters():
    chars = {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0xA0, 0x100)}
    chars |= {chr(c) for c in range(0x3000, 0x3040)}  # CJK punctuation
    chars |= {chr(c) for c in range(0xFF00, 0xFFF0)}  # full-width forms
    chars |= set("—–‘’“”…·•‹›€™")
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                chars.add(bytes([high, low]).decode("gb2312"))
    return chars


def main(collection):
    faces = TTCollection(collection).fonts
    face = next(f for f in faces if "SC" in f["name"].getDebugName(1))
    options = subset.Options()
    options.layout_features = ["kern", "palt", "vert", "locl"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in characters()])
    subsetter.subset(face)
    face.save(TARGET)
    print(f"{TARGET.name}: {TARGET.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
