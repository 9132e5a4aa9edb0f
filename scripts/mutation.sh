#!/bin/sh
# Mutation testing with mutmut 3 (a dev-only tool: pip install -e '.[dev]'); see docs/contributing.md.
#   scripts/mutation.sh 'evalparity.suppress*'          mutants of one module (names are fnmatch patterns)
#   scripts/mutation.sh                                 every mutant of [tool.mutmut] only_mutate (hours)
# Then: mutmut results (survivors), mutmut show NAME (the diff), mutmut export-cicd-stats.
set -e
cd "$(dirname "$0")/.."
# evalparity skips files that git ignores, and mutants/ is ignored by this repository's .gitignore: a
# repository of its own inside mutants/ keeps the copied tests and fixtures visible to the copied code.
mkdir -p mutants
[ -e mutants/.git ] || git init -q mutants
# the copied tests must be the current ones (mutmut copies a file only when it is missing)
rm -rf mutants/tests
exec nice -n "${NICE:-10}" "${MUTMUT:-mutmut}" run --max-children "${JOBS:-1}" "$@"
