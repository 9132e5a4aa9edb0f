"""Bad input never crashes the run: each hostile file yields EP901, an error entry or nothing, and the
other files are still checked."""

import json
import os
import random

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalparity.cli import cli
from evalparity.engine import check

MARK = b"import torchvision.transforms as T\n"
FINDING = b"val_tf = T.Compose([T.RandomCrop(8), T.ToTensor()])\n"


def build_hostile_tree(root):
    (root / "good.py").write_bytes(MARK + FINDING)
    (root / "invalid_utf8.py").write_bytes(MARK + b"name = '\xff\xfe\xfa'\n" + FINDING)
    (root / "bom.py").write_bytes(b"\xef\xbb\xbf" + MARK + FINDING)
    (root / "latin1.py").write_bytes(b"# -*- coding: latin-1 -*-\n" + MARK + b"# f\xfcr\n" + FINDING)
    (root / "crlf.py").write_bytes((MARK + FINDING).replace(b"\n", b"\r\n"))
    (root / "mixed_endings.py").write_bytes(MARK + b"a = 1\r\nb = 2\rc = 3\n" + FINDING)
    (root / "tabs.py").write_bytes(MARK + b"def f():\n\tval_tf = T.Compose([T.RandomCrop(8)])\n\treturn val_tf\n")
    (root / "nul.py").write_bytes(MARK + b"x = 1\x00\n")
    (root / "huge.py").write_bytes(MARK + b"x = 1\n" * (20 * 1024 * 1024 // 6))
    (root / "deep.py").write_bytes(MARK + FINDING + b"x = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n")
    (root / "deep_unary.py").write_bytes(MARK + FINDING + b"x = " + b"-" * 5000 + b"1\n")
    (root / "python2.py").write_bytes(MARK + b'print "transforms", T.Compose\n')
    (root / "empty.py").write_bytes(b"")
    rng = random.Random(0)
    (root / "binary.py").write_bytes(bytes(rng.randrange(256) for _ in range(4096)) + b"\x00Compose")
    (root / "broken_link.py").symlink_to(root / "nowhere.py")
    (root / "loop_a.py").symlink_to(root / "loop_b.py")
    (root / "loop_b.py").symlink_to(root / "loop_a.py")
    (root / "folder.py").mkdir()
    (root / "folder.py" / "inner.py").write_bytes(MARK + FINDING)
    os.mkfifo(root / "pipe.py")


def test_hostile_tree_is_checked_without_crash(tmp_path, monkeypatch):
    build_hostile_tree(tmp_path)
    (tmp_path / "unreadable.py").write_bytes(MARK + FINDING)
    original = type(tmp_path).read_bytes

    def refuse(self):
        if self.name == "unreadable.py":
            raise PermissionError(13, "Permission denied")
        return original(self)

    monkeypatch.setattr(type(tmp_path), "read_bytes", refuse)
    result = CliRunner().invoke(cli, ["check", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    data = json.loads(result.output)
    flagged = {(os.path.basename(f["path"]), f["code"]) for f in data["findings"]}
    errors = {os.path.basename(e["path"]): e["kind"] for e in data["errors"]}
    for name in ("good.py", "bom.py", "latin1.py", "crlf.py", "mixed_endings.py", "tabs.py", "inner.py"):
        assert (name, "EP101") in flagged, name
    for name in ("invalid_utf8.py", "deep.py", "python2.py"):
        assert (name, "EP901") in flagged, name
    for name in ("nul.py", "binary.py", "unreadable.py", "broken_link.py", "loop_a.py", "pipe.py"):
        assert (name, "EP903") in flagged, name
    assert errors == {"huge.py": "too-large", "deep_unary.py": "too-complex"}


def test_line_numbers_survive_odd_line_endings(tmp_path):
    (tmp_path / "mixed.py").write_bytes(MARK + b"a = 1\r\nb = 2\rc = 3\n" + FINDING)
    (finding,) = check([str(tmp_path)]).findings
    assert finding.location.line == 5


TRANSFORMS = ["RandomCrop(8)", "CenterCrop(8)", "ToTensor()", "PILToTensor()", "RandomHorizontalFlip(p=0.5)",
              "Normalize((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))", "Normalize(mean, std)", "Resize(10)",
              "Grayscale()", "ColorJitter()", "Lambda(lambda x: x / 255)", "RandomApply([T.RandomCrop(4)], p=0.3)"]
NAMES = ["train_tf", "val_tf", "test_transform", "tf", "transform_train", "eval_aug"]


@st.composite
def programs(draw):
    lines = ["import torch", "import torchvision.transforms as T", "from torchvision import datasets",
             "mean, std = compute()"]
    for index in range(draw(st.integers(1, 4))):
        name = draw(st.sampled_from(NAMES)) + str(index)
        steps = draw(st.lists(st.sampled_from(TRANSFORMS), max_size=5))
        lines.append(f"{name} = T.Compose([{', '.join('T.' + s for s in steps)}])")
        if draw(st.booleans()):
            lines.append(f"ds{index} = datasets.CIFAR10('d', train={draw(st.booleans())}, transform={name})")
            lines.append(f"loader{index} = torch.utils.data.DataLoader(ds{index}, "
                         f"shuffle={draw(st.booleans())}, drop_last={draw(st.booleans())})")
    return "\n".join(lines) + "\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(programs())
def test_engine_never_raises_and_is_deterministic(tmp_path, source):
    target = tmp_path / "generated.py"
    target.write_text(source)
    first = check([str(target)], select=("EP",))
    second = check([str(target)], select=("EP",))
    assert [e for e in first.errors if e.kind == "internal"] == []
    assert [(f.code, f.location, f.message) for f in first.findings] == \
           [(f.code, f.location, f.message) for f in second.findings]
