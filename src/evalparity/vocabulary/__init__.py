"""Vocabulary: what evalparity knows before it reads any code.

The knowledge base of transforms and constants (`knowledge`, loaded from rules/ via `resources`), what
each step does to an image (`semantics`), the words that give roles (`naming`) and model modes
(`mode_words`), the names of calls and syntax (`call_names`, `ast_names`), folded values (`values`),
and the rule metadata (`rulebook`).

May import: `facts`. Must not import any stage: `discovery`, `extract`, `relate`, `checks`, `fixes`,
`report` all build on this layer.
"""
