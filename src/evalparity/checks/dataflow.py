"""The data-loading (EP4) and model-mode (EP5) checks, in code order."""

from __future__ import annotations


def dataflow_checks():
    from evalparity.checks import (
        eval_distributed_sampler,
        eval_loader_drop_last,
        eval_loader_random_order,
        eval_on_train_split,
        eval_without_eval_mode,
        eval_without_no_grad,
        functional_dropout_mode,
        loader_settings_differ,
        mode_call_missing_parens,
        sampler_with_shuffle,
        train_in_eval_fn,
        train_loader_no_shuffle,
        train_mode_not_restored,
    )

    return [eval_loader_drop_last, eval_distributed_sampler, eval_loader_random_order, train_loader_no_shuffle,
            sampler_with_shuffle, loader_settings_differ, eval_on_train_split, eval_without_eval_mode,
            train_mode_not_restored, train_in_eval_fn, mode_call_missing_parens, eval_without_no_grad,
            functional_dropout_mode]
