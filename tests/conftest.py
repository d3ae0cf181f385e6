"""Shared test fixtures: where ../shared is, and a skip with a reason when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a skip that says why the test cannot run without it."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (the project's shared corpus and reference data beside the checkout)")
    return path
