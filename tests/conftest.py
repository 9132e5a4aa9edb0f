import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLES = ROOT / "examples"

# Property tests run the same examples on every machine and every run (derandomize: the examples come
# from a hash of each test, not from a seed or the example database), few enough to stay within seconds.
# `HYPOTHESIS_PROFILE=explore` searches longer and at random, for local hunting; failures it finds are
# printed with a @reproduce_failure line to pin as an explicit example.
settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None, database=None,
                          print_blob=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", max_examples=2000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@pytest.hookimpl(tryfirst=True)
def pytest_cmdline_main(config):
    """The whole suite (`pytest` with no paths: the `testpaths`) runs on every core with pytest-xdist, as if
    `-n auto` were given: on two cores it takes half the time. Anything else is left as asked: `-n 0` or
    `-p no:xdist` (mutmut's runs, see pyproject.toml) run in this process, `-n N` is honoured, a run of chosen
    files or tests stays in one process (starting workers would cost more than it saves), and so do
    --collect-only and --pdb. Runs before xdist's own hook, which turns "auto" into a number of workers."""
    if (config.pluginmanager.hasplugin("xdist") and getattr(config.option, "numprocesses", 0) is None
            and not hasattr(config, "workerinput") and config.args_source is pytest.Config.ArgsSource.TESTPATHS
            and not config.option.collectonly and not config.option.usepdb and _cores() > 1):
        config.option.numprocesses = "auto"
        if config.option.dist == "no":  # as xdist's "load", but tests marked xdist_group share a worker
            config.option.dist = "loadgroup"


def pytest_configure(config):
    # pytest-xdist registers it too; without xdist (`-p no:xdist`, mutmut) the mark must still be known
    config.addinivalue_line("markers", "xdist_group(name): tests that share a module fixture run in one worker")
    if getattr(config, "workerinput", {}).get("evalparity_loadgroup"):
        config.option.loadgroup = True  # a worker learns the mode from its arguments, which did not name it


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """Tell each xdist worker that the run groups tests (set above, not on the command line)."""
    node.workerinput["evalparity_loadgroup"] = node.config.option.dist == "loadgroup"


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


@pytest.fixture(scope="session")
def fixture_case_check():
    """`check` of one fixture case (a file or folder in tests/fixtures/<CODE>/, from its folder, with the default
    rules plus the folder's own rule), run once per session: test_fixtures and test_headers read the same result.
    Nothing may change a result it is given."""
    from evalparity.engine import check, enabled_codes

    results = {}

    def result(case):
        if case not in results:
            previous = os.getcwd()
            os.chdir(case.parent)
            try:
                results[case] = check([case.name], select=tuple(enabled_codes()) + (case.parent.name,))
            finally:
                os.chdir(previous)
        return results[case]

    return result
