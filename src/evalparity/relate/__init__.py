"""Relate: facts of all files → the project's structure and roles, across files.

`project` resolves names across modules, `callgraph` and `callees` follow calls (into files the screen
skipped, when needed), `roles` and `loader_roles` decide train / eval / unknown from weighted evidence,
`pairing` pairs each evaluation pipeline with its training twin, `mode_flow` and `eval_loops` follow the
model's train/eval mode, and `image_state` computes what each step does to the image.

May import: `facts`, `vocabulary`. Must not import `extract` (no syntax trees here: only facts),
`checks`, `fixes` or `report`.
"""
