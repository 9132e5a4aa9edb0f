"""Reads of configuration: what extraction records (argparse options, `config` values, constants of a
configuration module) and what the project stage resolves them to."""

from evalparity.extract.source import extract_source
from evalparity.relate.project import Project
from evalparity.vocabulary.knowledge import default_knowledge
from evalparity.vocabulary.values import split_config_key


def _facts(source: str, path: str = "train.py"):
    return extract_source(path, source.encode(), default_knowledge())


def _options(source: str) -> dict:
    return {o.dest: (o.default.const if o.default.is_const else "?") for o in _facts(source).options}


def test_option_dest_and_default_follow_argparse():
    options = _options(
        "import argparse\np = argparse.ArgumentParser()\n"
        "p.add_argument('-b', '--val-batch-size', type=int, default=1)\n"
        "p.add_argument('--bs', dest='batch', type=int, default='8')\n"
        "p.add_argument('--full', action='store_true')\n"
        "p.add_argument('--keep', dest='drop_last', action='store_false')\n"
        "p.add_argument('--lr', type=float)\n"
        "p.add_argument('--data', required=True)\n"
        "p.add_argument('root')\n"
        "p.add_argument('-w', type=int, default=4)\n"
        "p.add_argument('--size', type=int, default=SIZE)\n"
        "p.set_defaults(epochs=90)\n")
    assert options == {"val_batch_size": 1, "batch": 8, "full": False, "drop_last": True, "lr": None,
                       "data": "?", "root": "?", "w": 4, "size": "?", "epochs": 90}


def _loader_values(source: str, path: str = "train.py") -> dict:
    loader = _facts(source, path).loaders[0]
    return {a.name: a.value for a in loader.args}


HEAD = "import yaml, argparse\nfrom torch.utils.data import DataLoader\n"


def test_reads_are_recorded_by_key_and_left_to_the_project():
    values = _loader_values(HEAD + "args = argparse.ArgumentParser().parse_args()\n"
                                   "cfg = yaml.safe_load(open('configs/a.yaml'))\n"
                                   "def make(ds, opt, other):\n"
                                   "    return DataLoader(ds, batch_size=args.bs, shuffle=opt.shuffle,"
                                   " drop_last=cfg['val']['drop_last'], num_workers=other.workers)\n")
    assert split_config_key(values["batch_size"].key) == ("argparse", "local", ("bs",))
    assert split_config_key(values["shuffle"].key) == ("argparse", "any", ("shuffle",))
    assert split_config_key(values["drop_last"].key) == ("yaml", "configs/a.yaml", ("val", "drop_last"))
    assert values["num_workers"].kind == "unknown"  # `other` names no namespace


def test_parsed_from_a_list_or_a_computed_path_is_not_a_read():
    values = _loader_values(HEAD + "import sys\nargs = argparse.ArgumentParser().parse_args(['--bs', '4'])\n"
                                   "cfg = yaml.safe_load(open(sys.argv[1]))\n"
                                   "loader = DataLoader(ds, batch_size=args.bs, drop_last=cfg['drop_last'])\n")
    assert values["batch_size"].kind == values["drop_last"].kind == "unknown"


def test_configuration_module_constants_by_dotted_name():
    facts = _facts("from easydict import EasyDict as edict\n__C = edict()\ncfg = __C\n__C.VAL = edict()\n"
                   "__C.VAL.BS = 1\nif FAST:\n    __C.VAL.WORKERS = 0\nD = {'val': {'bs': 2, 'size': (1, 2)}}\n",
                   "config.py")
    constants = {name: v.const for name, v in facts.constants.items() if v.is_const}
    assert constants["__C.VAL.BS"] == constants["cfg.VAL.BS"] == 1
    assert constants["D.val.bs"] == 2 and constants["D.val.size"] == (1, 2)
    assert "__C.VAL.WORKERS" not in constants  # set under a branch


def test_project_resolves_only_what_it_defines_once():
    parser = _facts("import argparse\np = argparse.ArgumentParser()\np.add_argument('--bs', type=int, default=1)\n"
                    "p.add_argument('--workers', type=int, default=4)\n", "main.py")
    other = _facts("import argparse\np = argparse.ArgumentParser()\np.add_argument('--workers', type=int, default=8)\n",
                   "other.py")
    reader = _facts(HEAD + "def make(ds, args):\n    return DataLoader(ds, batch_size=args.bs, num_workers=args.workers)\n",
                    "data.py")
    project = Project({"main.py": parser, "other.py": other, "data.py": reader})
    values = {a.name: project.resolve_value("data.py", a.value) for a in reader.loaders[0].args}
    assert values["batch_size"].const == 1 and "argparse default of `--bs` (main.py:3)" in values["batch_size"].source
    assert values["num_workers"].kind == "config"  # two parsers disagree


def test_written_namespace_is_not_resolved():
    parser = _facts("import argparse\np = argparse.ArgumentParser()\np.add_argument('--bs', type=int, default=1)\n"
                    "args = p.parse_args()\nargs.bs *= 2\n", "main.py")
    reader = _facts(HEAD + "def make(ds, args):\n    return DataLoader(ds, batch_size=args.bs)\n", "data.py")
    project = Project({"main.py": parser, "data.py": reader})
    assert project.resolve_value("data.py", reader.loaders[0].args[1].value).kind == "config"


def test_data_file_outside_the_run_folder_is_not_read(tmp_path, monkeypatch):
    (tmp_path / "run").mkdir()
    (tmp_path / "a.yaml").write_text("bs: 1\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "run")
    reader = _facts(HEAD + "cfg = yaml.safe_load(open('../a.yaml'))\nloader = DataLoader(ds, batch_size=cfg['bs'])\n")
    project = Project({"train.py": reader})
    assert project.resolve_value("train.py", reader.loaders[0].args[1].value).kind == "config"
    monkeypatch.chdir(tmp_path)
    inside = _facts(HEAD + "cfg = yaml.safe_load(open('a.yaml'))\nloader = DataLoader(ds, batch_size=cfg['bs'])\n",
                    "run/train.py")
    resolved = Project({"run/train.py": inside}).resolve_value("run/train.py", inside.loaders[0].args[1].value)
    assert resolved.const == 1 and resolved.source == "`bs` in a.yaml:1"


def test_deferred_parsers_are_extracted_only_when_they_can_change_the_answer(tmp_path, monkeypatch):
    """Two analysed parsers that disagree on `--workers` leave it unknown: the skipped script that also
    defines it is not extracted for it; `--bs`, which the analysed files agree on, still needs it."""
    monkeypatch.chdir(tmp_path)
    script = "import argparse\np = argparse.ArgumentParser()\np.add_argument('--workers', type=int, default=2)\n" \
             "p.add_argument('--bs', type=int, default=1)\n"
    (tmp_path / "skipped.py").write_text(script)
    parser = _facts("import argparse\np = argparse.ArgumentParser()\np.add_argument('--bs', type=int, default=1)\n"
                    "p.add_argument('--workers', type=int, default=4)\n", "main.py")
    other = _facts("import argparse\np = argparse.ArgumentParser()\np.add_argument('--workers', type=int, default=8)\n",
                   "other.py")
    reader = _facts(HEAD + "def make(ds, args):\n    return DataLoader(ds, batch_size=args.bs, num_workers=args.workers)\n",
                    "data.py")
    loaded = []

    def load():
        loaded.append("skipped.py")
        return _facts(script, "skipped.py")

    project = Project({"main.py": parser, "other.py": other, "data.py": reader}, {"skipped.py": load})
    workers = next(a for a in reader.loaders[0].args if a.name == "num_workers")
    assert project.resolve_value("data.py", workers.value).kind == "config"
    assert loaded == []
    size = next(a for a in reader.loaders[0].args if a.name == "batch_size")
    assert project.resolve_value("data.py", size.value).const == 1
    assert loaded == ["skipped.py"]
