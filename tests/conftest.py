import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLES = ROOT / "examples"


@pytest.fixture
def in_dir():
    """Run a block with the current directory set to a folder (paths in output are relative to it)."""
    previous = os.getcwd()

    def enter(path):
        os.chdir(path)

    yield enter
    os.chdir(previous)
