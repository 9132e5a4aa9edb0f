"""Which project file an import names (relate/project.py: Project.module_file), including the ranking
that settles a module name several files could be."""

import pytest

from evalparity.relate.project import Project

FILES = ["lib/single.py", "pkg/sub/train.py", "pkg/sub/data.py", "pkg/data.py", "proj/train.py",
         "proj/utils/io.py", "other/utils/io.py", "a/b/c/train.py", "a/b/x/helpers.py", "a/y/helpers.py",
         "m/b/train.py", "m/x/tools.py", "m/y/tools.py"]


@pytest.fixture(scope="module")
def project():
    return Project({path: None for path in FILES})


@pytest.mark.parametrize("importer, module, expected", [
    ("proj/train.py", "single", "lib/single.py"),  # the only file with that name
    ("proj/train.py", "nowhere", None),
    ("pkg/sub/train.py", ".data", "pkg/sub/data.py"),  # relative: the importer's folder
    ("pkg/sub/train.py", "..data", "pkg/data.py"),  # one folder up
    ("pkg/sub/train.py", ".missing", None),
    ("proj/train.py", "utils.io", "proj/utils/io.py"),  # rooted in the importer's own folder
    ("other/x.py", "utils.io", "other/utils/io.py"),
    ("a/b/c/train.py", "helpers", "a/b/x/helpers.py"),  # neither rooted: the longer shared folder prefix wins
    ("a/y/z/train.py", "helpers", "a/y/helpers.py"),
    ("m/b/train.py", "tools", None),  # a tie: nothing is claimed
])
def test_module_file(project, importer, module, expected):
    assert project.module_file(importer, module) == expected


def test_a_copy_of_a_described_library_is_followed_only_from_inside_it():
    """`torch` vendored next to the project means what the installed library means to the project's files;
    the copy's own modules still import each other."""
    files = ["vendor/torch/__init__.py", "vendor/torch/nn/functional.py", "vendor/torch/nn/init.py", "app/train.py",
             "app/torchutils.py"]
    project = Project({path: None for path in files}, libraries=frozenset({"torch"}))
    assert project.module_file("app/train.py", "torch.nn.functional") is None
    assert project.split_qualname("app/train.py", "torch.nn.functional.dropout") is None
    assert project.module_file("vendor/torch/nn/init.py", "torch.nn.functional") == "vendor/torch/nn/functional.py"
    assert project.module_file("app/train.py", "torchutils") == "app/torchutils.py"
    assert Project({path: None for path in files}).module_file("app/train.py", "torch.nn.functional") == \
        "vendor/torch/nn/functional.py"
