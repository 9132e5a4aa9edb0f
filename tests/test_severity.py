"""Notes and warnings: which findings are info, and that info findings print but pass by default."""

import json

from click.testing import CliRunner

from evalparity.cli import cli

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
