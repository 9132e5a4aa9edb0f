"""Extract: each file's source → its FileFacts, the only stage that touches syntax trees (libcst).

`files` decides, for many files at once, which to read, screen, take from the cache or extract, in
worker processes; `source` extracts one file with the visitors of the other modules here (pipelines
and their steps, loaders, loops and model calls, scopes and folded values).

May import: `facts`, `vocabulary`, `discovery` (reading, screening, the cache). Must not import
`relate`, `checks`, `fixes` or `report`: facts are per file and know nothing of the project. Importing
this package does not import libcst; `source` does, and only a file that needs parsing loads it.
"""
