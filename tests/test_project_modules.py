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
