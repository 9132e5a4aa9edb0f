"""EP504: `model.eval` / `model.train` without the call, or `with torch.no_grad:` without the call."""

from __future__ import annotations

from evalparity.findings import Finding
from evalparity.fixes.rules import call_parens

CODE = "EP504"


def check(ctx):
    for facts in list(ctx.project.files.values()):
        for misuse in facts.misuses:
            if misuse.kind == "bare":
                message, help = f"`{misuse.text}` without parentheses", f"call `{misuse.text}()`"
            elif misuse.kind == "grad-not-called":
                message, help = f"`with {misuse.text}:` without parentheses", f"write `with {misuse.text}():`"
            else:
                continue
            yield Finding(CODE, message, misuse.location, fix=call_parens(ctx.project, misuse), help=help)
