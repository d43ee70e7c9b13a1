"""Shared fixtures: the real exports in ../shared/data, and temporary result folders."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of real WoS / Scopus / OpenAlex exports; skips when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real-data tests need {SHARED_DATA} (the project's shared data folder), which is absent")
    return SHARED_DATA
