"""Discovery: paths → the files to lint, and what can be known about a file without parsing it.

`paths` walks folders (excludes, .gitignore, files that cannot be read), `notebooks` turns a notebook
into one module of code cells, `prefilter` and `screen` decide cheaply whether a file can contribute
anything, and `cache` keeps each file's facts between runs.

May import: `facts`, `config`, `atomic` and `vocabulary`. Must not import `extract` (libcst), `relate`,
`checks`, `fixes` or `report`: discovery runs before any of them, often in a warm run that never parses.
"""
