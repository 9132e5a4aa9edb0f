"""Chains written by hand (extract/handprep.py), as facts: what a reader of the function would say it does."""

from evalparity.extract.source import extract_source
from evalparity.vocabulary.knowledge import default_knowledge

DEAD_CODE_AFTER_RETURN = b'''
import cv2
import numpy as np
import torch


class Photos(torch.utils.data.Dataset):
    def __getitem__(self, index):
        photo = cv2.imread(self.files[index])
        photo = cv2.cvtColor(photo, cv2.COLOR_BGR2RGB)
        photo = photo.astype(np.float32) / 255.0
        return {"photo": photo}

        sample = self.transform(photo=photo)
        photo = sample["photo"]
        return photo
'''

CONSUMED_BY_A_TRANSFORM = b'''
import cv2
import torch


class Photos(torch.utils.data.Dataset):
    def __getitem__(self, index):
        photo = cv2.imread(self.files[index])
        return self.transform(image=photo)["image"]
'''


def _chains(source: bytes):
    facts = extract_source("photos.py", source, default_knowledge())
    return [(c.consumer, c.pipeline.binding, [s.name for s in c.pipeline.steps]) for c in facts.hand_chains]


def test_statements_after_a_return_are_not_followed():
    assert _chains(DEAD_CODE_AFTER_RETURN) == [("", "photo", ["ReadBGR", "FlipChannels", "ToFloat", "Divide255"])]


def test_a_chain_taken_by_a_call_is_named_after_the_variable_passed():
    assert _chains(CONSUMED_BY_A_TRANSFORM) == [("self.transform", "photo", ["ReadBGR"]), ("", "photo", ["ReadBGR"])]
