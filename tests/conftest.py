import os
import shutil
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLES = ROOT / "examples"


@pytest.fixture(autouse=True, scope="session")
def cache_outside_the_repository():
    """Commands run by the tests cache into a folder of their own, never into the checkout."""
    folder = tempfile.mkdtemp(prefix="evalparity-test-cache-")
    previous = os.environ.get("EVALPARITY_CACHE_DIR")
    os.environ["EVALPARITY_CACHE_DIR"] = folder
    yield
    if previous is None:
        os.environ.pop("EVALPARITY_CACHE_DIR", None)
    else:
        os.environ["EVALPARITY_CACHE_DIR"] = previous
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def in_dir():
    """Run a block with the current directory set to a folder (paths in output are relative to it)."""
    previous = os.getcwd()

    def enter(path):
        os.chdir(path)

    yield enter
    os.chdir(previous)
