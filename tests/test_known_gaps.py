"""Known wrong answers, pinned with strict xfail: when the engine is fixed the test passes, xfail strict
turns that into a failure, and the mark is removed with the fix."""

import pytest

from evalparity.engine import check

EMA_EVALUATED_IN_THE_EPOCH_LOOP = '''
import copy

import torch
import torch.nn.functional as F


def fit(model, train_loader, val_loader, optimizer, epochs):
    ema = copy.deepcopy(model)
    model.train()
    for epoch in range(epochs):
        for x, y in train_loader:
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
        ema.eval()
        with torch.no_grad():
            for x, y in val_loader:
                ema(x)
'''


@pytest.mark.xfail(strict=True, reason="false positive found in #20: with inline training, every model called in the "
                                       "epoch loop counts as trained, so an EMA copy switched to eval there is EP502")
def test_an_ema_copy_switched_to_eval_in_the_epoch_loop_is_not_ep502(tmp_path, in_dir):
    (tmp_path / "fit.py").write_text(EMA_EVALUATED_IN_THE_EPOCH_LOOP)
    in_dir(tmp_path)
    assert [f.code for f in check(["fit.py"]).findings if f.code == "EP502"] == []
