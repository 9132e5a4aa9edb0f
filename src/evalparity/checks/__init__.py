"""Checks: one module per rule, each a pure function over related facts: `CODE` and `check(context)`
yielding Findings (with a fix from `fixes` where one is certain). `dataflow` and the `*_common` modules
hold what several rules share.

May import: `facts`, `findings`, `vocabulary`, `relate` (roles, pairs, call graph, mode flow) and the
fix builders in `fixes`. Must not import `extract` or libcst (a rule never sees a syntax tree: it can be
tested with hand-built facts), `report`, or the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from evalparity.relate.pairing import Pair
from evalparity.relate.project import Project
from evalparity.relate.roles import RoledPipeline
from evalparity.vocabulary.knowledge import KnowledgeBase


@dataclass
class CheckContext:
    project: Project
    roled: list[RoledPipeline]
    pairs: list[Pair]
    kb: KnowledgeBase
    codes: frozenset[str] | None = None  # the rules selected for this run; None: every rule may report

    def selected(self, code: str) -> bool:
        return self.codes is None or code in self.codes


def all_checks():
    from evalparity.checks import (
        channel_order_mismatch,
        cifar10_per_image_std,
        color_mode_mismatch,
        double_scaling,
        eval_reuses_train,
        eval_size_mismatch,
        interpolation_mismatch,
        near_known_stats,
        normalize_channels,
        normalize_mismatch,
        normalize_missing_in_eval,
        normalize_scale_mismatch,
        normalize_zero_std,
        pretrained_preprocessing,
        random_transform_in_eval,
        transform_order,
        value_scale_differs,
    )
    from evalparity.checks.dataflow import dataflow_checks

    return [random_transform_in_eval, eval_reuses_train, normalize_mismatch, normalize_missing_in_eval,
            normalize_scale_mismatch, value_scale_differs, double_scaling, normalize_channels, normalize_zero_std,
            transform_order, near_known_stats, cifar10_per_image_std, eval_size_mismatch, interpolation_mismatch,
            color_mode_mismatch, channel_order_mismatch, pretrained_preprocessing] + dataflow_checks()
