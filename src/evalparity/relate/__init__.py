"""Relate: facts of all files → the project's structure and roles, across files.

`project` resolves names across modules, `callgraph` and `callees` follow calls (into files the screen
skipped, when needed), `roles` and `loader_roles` decide train / eval / unknown from weighted evidence,
`pairing` pairs each evaluation pipeline with its training twin, `mode_flow` and `eval_loops` follow the
model's train/eval mode, `image_state` computes what each step does to the image, `mmconfig` reads
OpenMMLab-style configuration files as pipelines and loaders (their `_base_` chains merged), and
`dataconfig` the pipelines and loaders of YAML and JSON files (Hydra `_target_`, albumentations' `A.save`).

May import: `facts`, `vocabulary`, and `discovery`'s readers of raw files (`paths.read_source`,
`mmconfig.read_config` for a base configuration nothing extracted). Must not import `extract` (no syntax trees here: only facts),
`checks`, `fixes` or `report`.
"""
