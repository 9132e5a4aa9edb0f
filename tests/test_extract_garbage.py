"""Extraction must leave its syntax tree to reference counting: a tree kept alive by a reference cycle stays in
memory until the cyclic collector runs, and every collection meanwhile scans all of it (a cold run once spent
an eighth of its time so)."""

import gc

import libcst

from evalparity.extract.source import extract_source
from evalparity.vocabulary.knowledge import default_knowledge

SOURCE = b'''
import random
import torch
from torchvision import transforms


class Jitter:
    def __init__(self, mean):
        self.mean = mean

    def __call__(self, img):
        if random.random() < 0.5:
            img = img + 1
        return (img - self.mean) / 2


class Frames(torch.utils.data.Dataset):
    def __init__(self, split):
        self.split = split
        self.tf = transforms.Compose([Jitter(0.5), transforms.ToTensor()])

    def __getitem__(self, i):
        return self.tf(i)


loader = torch.utils.data.DataLoader(Frames("val"), batch_size=4)
'''


def test_no_syntax_node_is_left_in_a_reference_cycle():
    kb = default_knowledge()
    extract_source("data.py", SOURCE, kb)  # imports and caches warmed up
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        facts = extract_source("data.py", SOURCE, kb)
        gc.collect()
        nodes = [o for o in gc.garbage if isinstance(o, libcst.CSTNode)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    assert facts.pipelines and facts.transform_summaries
    assert nodes == []
