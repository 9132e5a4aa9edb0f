"""Notes and warnings: which findings are info, and that info findings print but pass by default."""

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import FIXTURES

from evalparity.cli import cli
from evalparity.engine import check

EVAL_DISTRIBUTED = """\
import torchvision
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler

val_set = torchvision.datasets.CIFAR10("data", train=False)
val_loader = DataLoader(val_set, batch_size=128, sampler=DistributedSampler(val_set, shuffle=False))
"""

DROPOUTS = """\
import torch.nn as nn
import torch.nn.functional as F


class MCHead(nn.Module):
    def forward(self, x):
        return F.dropout(x, p=0.5, training=True)


class Head(nn.Module):
    def forward(self, x):
        return F.dropout(x, p=0.5)
"""


def _check(tmp_path, source, *args):
    (tmp_path / "a.py").write_text(source)
    return CliRunner().invoke(cli, ["check", str(tmp_path / "a.py"), "--isolated", "--no-cache",
                                    "--format", "json", *args])


def _said(finding) -> str:
    """Everything a JSON finding says: its header, its notes and help, and its related locations (as
    `label (line N)`)."""
    related = [f"{r['kind']}: {r['message']} (line {r['line']})" for r in finding["related"]]
    return "\n".join([finding["message"], *finding["notes"], finding["help"] or "", *related])


def _severities(result):
    return {(f["code"], f["line"]): f["severity"] for f in json.loads(result.output)["findings"]}


def test_eval_distributed_sampler_is_a_note_that_passes_by_default(tmp_path):
    result = _check(tmp_path, EVAL_DISTRIBUTED)
    assert _severities(result) == {("EP402", 6): "info"}
    assert result.exit_code == 0


def test_fail_on_info_fails_on_notes(tmp_path):
    result = _check(tmp_path, EVAL_DISTRIBUTED, "--fail-on", "info")
    assert result.exit_code == 1


def test_written_out_training_true_is_a_note_and_the_default_a_warning(tmp_path):
    result = _check(tmp_path, DROPOUTS)
    assert _severities(result) == {("EP506", 7): "info", ("EP506", 12): "warning"}
    assert result.exit_code == 1


def test_fail_on_from_configuration_still_wins(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.evalparity]\nfail-on = "info"\n')
    (tmp_path / "a.py").write_text(EVAL_DISTRIBUTED)
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "a.py"), "--no-cache",
                                      "--config", str(tmp_path / "pyproject.toml")])
    assert result.exit_code == 1, result.output


MODE_SCRIPT = """\
import torch
import torch.nn as nn
from torch.utils.data import DataLoader


class {name}(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.act = nn.ReLU()
        {extra}
        self.fc2 = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


net = {name}()
opt = torch.optim.SGD(net.parameters(), lr=0.1)
train_loader = DataLoader(list(range(8)), batch_size=4, shuffle=True)
test_loader = DataLoader(list(range(8)), batch_size=4)
for x in train_loader:
    opt.zero_grad()
    net(x).sum().backward()
    opt.step()
with torch.no_grad():
    for x in test_loader:
        net(x)
"""


def test_mode_finding_on_a_model_without_mode_layers_is_a_note_that_says_so(tmp_path):
    result = _check(tmp_path, MODE_SCRIPT.format(name="Plain", extra="self.norm = nn.LayerNorm(8)"))
    [finding] = json.loads(result.output)["findings"]
    assert (finding["code"], finding["severity"]) == ("EP501", "info")
    assert "`Plain` has no BatchNorm, Dropout or other mode-dependent layer" in _said(finding)
    assert not [r for r in finding["related"] if "depends on the mode" in r["message"]]


def test_mode_finding_names_the_layer_that_makes_the_mode_matter(tmp_path):
    result = _check(tmp_path, MODE_SCRIPT.format(name="Regularised", extra="self.drop = nn.Dropout(0.2)"))
    [finding] = json.loads(result.output)["findings"]
    assert (finding["code"], finding["severity"]) == ("EP501", "error")
    assert "`Regularised` has `nn.Dropout`, which depends on the mode (line 11)" in _said(finding)


def test_an_rnn_without_dropout_and_instance_norm_without_statistics_do_not_depend_on_the_mode(tmp_path):
    extra = "self.rnn = nn.LSTM(8, 8, dropout=0.0); self.inorm = nn.InstanceNorm1d(8)"
    result = _check(tmp_path, MODE_SCRIPT.format(name="Recurrent", extra=extra))
    [finding] = json.loads(result.output)["findings"]
    assert finding["severity"] == "info"
    extra = "self.rnn = nn.LSTM(8, 8, num_layers=2, dropout=0.3)"
    result = _check(tmp_path, MODE_SCRIPT.format(name="Recurrent", extra=extra))
    [finding] = json.loads(result.output)["findings"]
    assert finding["severity"] == "error" and "`Recurrent` has `nn.LSTM`" in _said(finding)


def test_a_model_built_by_a_library_keeps_the_general_warning(tmp_path):
    source = MODE_SCRIPT.format(name="Plain", extra="pass").replace("net = Plain()", "import timm\nnet = timm.create_model('x')")
    result = _check(tmp_path, source)
    [finding] = json.loads(result.output)["findings"]
    assert finding["severity"] == "error" and "has no BatchNorm" not in _said(finding)
    assert not [r for r in finding["related"] if "depends on the mode" in r["message"]]  # no layer is claimed


def test_a_loaded_model_or_a_library_backbone_is_not_known_to_be_mode_free(tmp_path):
    loaded = MODE_SCRIPT.format(name="Plain", extra="pass").replace("net = Plain()", "net = torch.load('m.pt').to('cpu')")
    [finding] = json.loads(_check(tmp_path, loaded).output)["findings"]
    assert finding["severity"] == "error"
    backbone = MODE_SCRIPT.format(name="Plain", extra="import torchvision; self.backbone = torchvision.models.resnet18()")
    [finding] = json.loads(_check(tmp_path, backbone).output)["findings"]
    assert finding["severity"] == "error"


TRAINER = """\
import torch
import torch.nn as nn


class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        {extra}

    def forward(self, x):
        return self.fc(x)


class Trainer:
    def __init__(self, model, train_loader, val_loader):
        self.model = {wrapped}
        self.train_loader, self.val_loader = train_loader, val_loader
        self.opt = torch.optim.SGD(model.parameters(), lr=0.1)

    def train_epoch(self):
        self.model.train()
        for x, y in self.train_loader:
            self.opt.zero_grad()
            nn.functional.cross_entropy(self.model(x), y).backward()
            self.opt.step()

    @torch.no_grad()
    def validate(self):
        return [self.model(x) for x, _ in self.val_loader]

    def fit(self):
        for _ in range(5):
            self.train_epoch()
            self.validate()


def main(train_loader, val_loader):
    {build}
    Trainer({passed}, train_loader, val_loader).fit()
"""


def _trainer(tmp_path, extra="pass", wrapped="model", build="pass", passed="Small()"):
    source = TRAINER.format(extra=extra, wrapped=wrapped, build=build, passed=passed)
    [finding] = json.loads(_check(tmp_path, source).output)["findings"]
    assert finding["code"] == "EP501"
    return finding


def test_a_model_handed_to_a_trainer_constructor_is_read_where_it_is_built(tmp_path):
    finding = _trainer(tmp_path)
    assert finding["severity"] == "info" and "`Small` has no BatchNorm" in _said(finding)
    finding = _trainer(tmp_path, extra="self.drop = nn.Dropout(0.1)")
    assert finding["severity"] == "error" and "`Small` has `nn.Dropout`, which depends on the mode (line 9)" in \
        _said(finding)


def test_a_wrapped_or_renamed_model_is_followed_to_its_class(tmp_path):
    finding = _trainer(tmp_path, wrapped="nn.DataParallel(model).cuda()", build="net = Small()\n    net = net.to('cpu')",
                       passed="net")
    assert finding["severity"] == "info" and "`Small`" in _said(finding)


def test_a_constructor_argument_not_followed_keeps_the_warning(tmp_path):
    for build, passed in (("net = torch.load('m.pt')", "net"), ("pass", "val_loader.model")):
        finding = _trainer(tmp_path, build=build, passed=passed)
        assert finding["severity"] == "error", (build, finding["message"])
        assert "has no BatchNorm" not in _said(finding)


def test_a_parameter_is_mode_free_only_when_every_caller_passes_a_mode_free_model(tmp_path):
    source = MODE_SCRIPT.format(name="Plain", extra="pass").split("net = Plain()")[0] + """\

def run(net, train_loader, test_loader):
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    for x in train_loader:
        opt.zero_grad()
        net(x).sum().backward()
        opt.step()
    with torch.no_grad():
        for x in test_loader:
            net(x)


run(Plain(), DataLoader([1], shuffle=True), DataLoader([2]))
"""
    [finding] = json.loads(_check(tmp_path, source).output)["findings"]
    assert finding["severity"] == "info"
    both = source + "run(torch.load('other.pt'), DataLoader([1], shuffle=True), DataLoader([2]))\n"
    [finding] = json.loads(_check(tmp_path, both).output)["findings"]
    assert finding["severity"] == "error"


def test_a_file_parsed_as_python36_is_analysed_with_a_note_and_offers_no_fix(tmp_path):
    source = ("import torchvision.transforms as T\nfrom torch.utils.data import DataLoader\n"
              "val_loader = DataLoader(range(8), batch_size=4, drop_last=True)\n"
              "for x in val_loader:\n    x = x.cuda(async=True)\n    model(x)\n")
    findings = json.loads(_check(tmp_path, source).output)["findings"]
    assert {("EP401", "error"), ("EP901", "info")} <= {(f["code"], f["severity"]) for f in findings}
    assert all(f["fix"] is None for f in findings)
    result = CliRunner().invoke(cli, ["check", str(tmp_path / "a.py"), "--isolated", "--no-cache", "--fix"])
    assert "async=True" in (tmp_path / "a.py").read_text() and "drop_last=True" in (tmp_path / "a.py").read_text()
    assert result.exit_code == 1


def test_findings_in_a_folder_marked_deprecated_are_notes(tmp_path):
    (tmp_path / "deprecated").mkdir()
    (tmp_path / "deprecated" / "old_eval.py").write_text(EVAL_DISTRIBUTED.replace(
        "sampler=DistributedSampler(val_set, shuffle=False))", "drop_last=True)"))
    (tmp_path / "current.py").write_text(EVAL_DISTRIBUTED.replace(
        "sampler=DistributedSampler(val_set, shuffle=False))", "drop_last=True)"))
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--isolated", "--no-cache", "--format", "json"])
    found = {(f["path"].rpartition("/")[2], f["code"], f["severity"]) for f in json.loads(result.output)["findings"]}
    assert found == {("old_eval.py", "EP401", "info"), ("current.py", "EP401", "error")}


def test_functional_dropout_behind_a_flag_off_by_default_is_a_note(tmp_path):
    from conftest import FIXTURES

    result = _check(tmp_path, (FIXTURES / "EP506" / "flag_off_by_default.py").read_text())
    found = {(f["line"], f["severity"]) for f in json.loads(result.output)["findings"]}
    assert found == {(19, "info"), (30, "warning")}
    assert "behind `self.dropout`, off by default" in result.output


def test_a_training_loader_of_a_few_steps_demo_is_a_note(tmp_path):
    from conftest import FIXTURES

    result = _check(tmp_path, (FIXTURES / "EP404" / "few_steps_demo.py").read_text())
    found = {(f["line"], f["severity"]) for f in json.loads(result.output)["findings"]}
    assert found == {(9, "info"), (21, "warning")}
    assert "training stops after 20 batches" in result.output


def test_inference_on_a_model_without_mode_layers_is_not_reported(in_dir):
    from conftest import FIXTURES

    in_dir(FIXTURES / "EP501")
    result = CliRunner().invoke(cli, ["check", "inference_scripts", "--isolated", "--no-cache", "--format", "json"])
    found = {(f["path"].rpartition("/")[2], f["severity"]) for f in json.loads(result.output)["findings"]}
    assert found == {("predict.py", "error"), ("demo_class.py", "error"), ("whole_model.py", "error")}


def test_a_mode_layer_imported_by_its_bare_name_makes_the_mode_matter(tmp_path):
    script = MODE_SCRIPT.format(name="Bare", extra="self.bn = BatchNorm1d(8)").replace(
        "import torch.nn as nn\n", "import torch.nn as nn\nfrom torch.nn import BatchNorm1d\n")
    [finding] = json.loads(_check(tmp_path, script).output)["findings"]
    assert (finding["code"], finding["severity"]) == ("EP501", "error")
    assert "`Bare` has `nn.BatchNorm1d`, which depends on the mode" in _said(finding)


def test_a_model_that_reads_self_training_depends_on_the_mode(tmp_path):
    script = MODE_SCRIPT.format(name="Noisy", extra="self.scale = 1.0").replace(
        "        return self.fc2(self.act(self.fc1(x)))",
        "        if self.training:\n            x = x + torch.randn_like(x)\n        return self.fc2(self.act(self.fc1(x)))")
    [finding] = json.loads(_check(tmp_path, script).output)["findings"]
    assert (finding["code"], finding["severity"]) == ("EP501", "error")
    assert "`Noisy` has `self.training`" in _said(finding)


def test_an_evaluation_said_to_run_in_training_mode_on_purpose_is_a_note(tmp_path):
    said = MODE_SCRIPT.format(name="Sampler", extra="self.drop = nn.Dropout(0.5)").replace(
        "with torch.no_grad():", "# sample in train mode on purpose: dropout is the noise source\nwith torch.no_grad():")
    [finding] = json.loads(_check(tmp_path, said).output)["findings"]
    assert (finding["code"], finding["severity"]) == ("EP501", "info")
    assert "a comment beside it says the training mode is meant" in _said(finding)
    silent = MODE_SCRIPT.format(name="Sampler", extra="self.drop = nn.Dropout(0.5)")
    [finding] = json.loads(_check(tmp_path, silent).output)["findings"]
    assert finding["severity"] == "error"


def test_a_shuffling_distributed_sampler_is_ep402s_unless_ep402_is_not_selected(tmp_path):
    shuffled = EVAL_DISTRIBUTED.replace("DistributedSampler(val_set, shuffle=False)", "DistributedSampler(val_set)")
    codes = [f["code"] for f in json.loads(_check(tmp_path, shuffled, "--fail-on", "info").output)["findings"]]
    assert codes == ["EP402"]
    codes = [f["code"] for f in json.loads(_check(tmp_path, shuffled, "--ignore", "EP402").output)["findings"]]
    assert codes == ["EP403"]


def test_a_draw_turned_on_by_naming_the_evaluation_mode_is_a_note(tmp_path):
    """`if self.mode == "fit" or self.mode == "holdout-eval":` shares the draw with that evaluation on
    purpose; under `self.mode != "test"`, or in a branch for the evaluation alone, it is an error."""
    source = (FIXTURES / "EP101" / "dataset_class_named_eval_mode.py").read_text()
    (tmp_path / "named.py").write_text(source)
    (tmp_path / "slipped.py").write_text(source.replace('self.mode == "fit" or self.mode == "holdout-eval"',
                                                         'self.mode != "test"'))
    # a branch for the evaluation alone that draws: a slip (AdaptFormer's random validation clip)
    (tmp_path / "own_branch.py").write_text(source.replace('self.mode == "fit" or self.mode == "holdout-eval"',
                                                            'self.mode == "holdout-eval"'))
    result = check([str(tmp_path)], select=("EP101",))
    severities = {Path(f.location.path).name: f.severity for f in result.findings}
    assert severities == {"named.py": "info", "slipped.py": "error", "own_branch.py": "error"}
