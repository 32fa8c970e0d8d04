"""Newsroom's own demo briefings, one plain-text file per day, loaded by ``load_demo``."""

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent


def demo_files():
    return sorted(DEMO_DIR.glob("briefing-*.txt"))
