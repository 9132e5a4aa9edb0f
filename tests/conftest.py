import hashlib
import os
import pickle
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
        # xdist's "load", handing out at most four tests at a time once the first share is given: one at a time
        # ("loadgroup", which the suite used while tests shared a worker) cost each worker 3 s of round trips,
        # and the default chunks left one worker with the slow end of the run alone.
        if config.option.dist == "no":
            config.option.dist = "load"
            config.option.maxschedchunk = 4


def pytest_configure(config):
    if not hasattr(config, "workerinput") and getattr(config.option, "dist", "no") != "no":
        config.evalparity_shared = tempfile.mkdtemp(prefix="evalparity-test-shared-")  # see fixture_case_check
        _compile_the_package()


def _compile_the_package() -> None:
    """Compile evalparity's modules once, before the workers start: the workers and the real processes the
    tests start would each compile them again (0.45 s) where PYTHONDONTWRITEBYTECODE is set, as it is on
    machines that keep bytecode out of checkouts. The bytecode goes where Python itself would write it
    (__pycache__, ignored by git); a module changed later is compiled again, as always."""
    import compileall

    compileall.compile_dir(str(ROOT / "src" / "evalparity"), quiet=1)


def pytest_unconfigure(config):
    if hasattr(config, "evalparity_shared"):
        shutil.rmtree(config.evalparity_shared, ignore_errors=True)


# The longest tests, longest first (measured: `--durations=30`). xdist hands tests to its workers in collection
# order (the first quarter in turn, then a few at a time), so a long test collected late keeps one worker busy
# alone at the end of the run; these start first instead.
SLOW_FIRST = (
    "test_never_harm.py::test_every_fix_on_the_fixtures_parses_and_introduces_nothing",
    "test_cache.py::test_same_output_with_cache_and_any_jobs_and_from_settled_facts",
    "test_precommit.py::test_pre_commit_try_repo_fails_the_commit_with_the_finding",
    "test_never_harm.py::test_fixing_this_repository_leaves_its_fixtures_and_examples_alone",
    "test_server.py::test_the_first_check_of_a_project_without_a_cache_fills_it_in_a_process_of_its_own",
    "test_server.py::test_a_session_publishes_findings_offers_fixes_and_clears_them",
    "test_hostile.py::test_engine_never_raises_and_is_deterministic",
    "test_loaders_extract.py::test_loader_and_flow_facts_survive_the_cache_round_trip",
    "test_knowledge.py::test_yaml_reader_gives_safe_load_data_and_errors",
    "test_never_harm.py::test_a_closed_pipe_ends_quietly_with_the_result_code",
    "test_never_harm.py::test_a_terminal_that_cannot_show_unicode_gets_escapes",
    "test_flags.py::test_rule_fix_metadata_agrees_with_the_fixes_the_rules_make",
    "test_never_harm.py::test_a_signal_to_the_main_process_stops_the_workers",
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """In an xdist worker (every worker sorts the same way), the SLOW_FIRST tests first; the others keep their
    order. A run in one process is left in file order."""
    if not hasattr(config, "workerinput"):
        return
    rank = {name: index for index, name in enumerate(SLOW_FIRST)}

    def key(item):
        return rank.get(f"{item.path.name}::{item.originalname}", len(rank))

    items.sort(key=key)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """Tell each xdist worker where the run's workers share fixture results."""
    node.workerinput["evalparity_shared"] = getattr(node.config, "evalparity_shared", None)


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
def fixture_case_check(request):
    """`check` of one fixture case (a file or folder in tests/fixtures/<CODE>/, from its folder, with the default
    rules plus the folder's own rule), run once per session: test_fixtures, test_headers and test_fixture_output
    read the same result. Under xdist, once for all workers: the worker that runs a case first leaves the result
    in a folder the run's workers share (pickled), and the others read it. Nothing may change a result it is given."""
    from evalparity.engine import check, enabled_codes

    shared = getattr(request.config, "workerinput", {}).get("evalparity_shared")
    results = {}

    def result(case):
        if case in results:
            return results[case]
        stored = Path(shared) / f"{hashlib.sha256(str(case).encode()).hexdigest()}.pickle" if shared else None
        if stored is not None and stored.exists():
            results[case] = pickle.loads(stored.read_bytes())
            return results[case]
        previous = os.getcwd()
        os.chdir(case.parent)
        try:
            results[case] = check([case.name], select=tuple(enabled_codes()) + (case.parent.name,))
        finally:
            os.chdir(previous)
        if stored is not None:
            partial = stored.with_name(f"{stored.name}.{os.getpid()}")
            partial.write_bytes(pickle.dumps(results[case]))
            os.replace(partial, stored)
        return results[case]

    return result


@pytest.fixture(scope="session")
def warm_process():
    """Runs `python -m evalparity` as a real process forked from a warm one (tests/warm_start.py)."""
    from warm_start import WarmStart

    warm = WarmStart()
    yield warm
    warm.close()
