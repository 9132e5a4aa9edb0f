"""Adds the data-loading and model-mode facts (EP4, EP5) to a file's FileFacts."""

from __future__ import annotations

import libcst as cst

from evalparity.extract.boolfold import BoolFolder
from evalparity.extract.collector import Collected
from evalparity.extract.folding import Folder
from evalparity.extract.loaders import LoaderExtractor
from evalparity.extract.loopvisitor import collect_flow
from evalparity.facts import FileFacts
from evalparity.vocabulary.knowledge import KnowledgeBase

# a file with none of these has no loader, mode, gradient context or training step worth a second pass
RELEVANT = (b"DataLoader", b".eval", b".train", b"no_grad", b"inference_mode", b"grad_enabled", b"dropout",
            b".backward(", b".step(", b"loader", b"datasets",
            b"def eval_", b"def evaluate",  # evaluation helpers (`eval_net(net, pairs)`)
            b"load_state_dict(", b"torch.load(")  # inference on loaded weights


def add_dataflow_facts(facts: FileFacts, module: cst.Module, data: Collected, kb: KnowledgeBase, text, loc,
                       source: str | bytes = b"") -> None:
    raw = source.encode("utf-8", "surrogateescape") if isinstance(source, str) else source
    if raw and not any(marker in raw for marker in RELEVANT):
        return
    folder = BoolFolder(Folder(text, loc, kb.library_constant), text)
    records = collect_flow(module, facts.path, data, folder, text, loc)
    facts.functions = records.functions
    facts.misuses = records.misuses
    facts.dropouts = records.dropouts
    facts.trims = records.trims
    extractor = LoaderExtractor(facts.path, data, records, folder, text, loc)
    loaders = extractor.loaders()
    located = {loader.location for loader in loaders}
    # keep any loader the pipeline builder found that this pass did not (same fields, no settings)
    facts.loaders = loaders + [loader for loader in facts.loaders if loader.location not in located]
    facts.dataset_calls = extractor.dataset_calls()
