"""EP506: `F.dropout` in `forward` that ignores the module's mode."""

from __future__ import annotations

from evalparity.findings import Finding
from evalparity.relate.model_layers import off_by_default

CODE = "EP506"
DEFAULT_ON = {"dropout", "dropout1d", "dropout2d", "dropout3d"}


def check(ctx):
    for path, facts in list(ctx.project.files.items()):
        for call in facts.dropouts:
            if call.spread:
                continue
            if call.training is None and call.callee in DEFAULT_ON:
                cls = call.function.rpartition(".")[0]
                off = call.flag is not None and cls and off_by_default(ctx.project, path, cls, call.flag)
                notes = [f"behind `self.{call.flag}`, off by default"] if off else []
                yield Finding(CODE, f"`F.{call.callee}` in `{call.function}` without `training=`", call.location,
                              cap="info" if off else None, notes=notes,
                              help="pass `training=self.training` or use an `nn.Dropout` module")
            elif call.training is not None and call.training.is_const and call.training.const is True:
                # written out: usually deliberate (MC dropout, Tacotron's prenet), so a note
                yield Finding(CODE, f"`F.{call.callee}` in `{call.function}` with `training=True`",
                              call.location, cap="info",
                              help="unless deliberate (MC dropout), pass `training=self.training`")
