"""Rules as pure functions over facts: each module exposes CODE and check(context)."""

from __future__ import annotations

from dataclasses import dataclass

from ..knowledge import KnowledgeBase
from ..pairing import Pair
from ..project import Project
from ..roles import RoledPipeline


@dataclass
class CheckContext:
    project: Project
    roled: list[RoledPipeline]
    pairs: list[Pair]
    kb: KnowledgeBase


def all_checks():
    from .dataflow import dataflow_checks
    from . import (eval_reuses_train, normalize_mismatch, normalize_missing_in_eval, random_transform_in_eval,
                   value_scale_differs)

    return [random_transform_in_eval, eval_reuses_train, normalize_mismatch, normalize_missing_in_eval,
            value_scale_differs] + dataflow_checks()
