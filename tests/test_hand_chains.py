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


PADDED_INTO_A_CANVAS = b'''
import cv2
import numpy as np


def prepare(path, model):
    image = cv2.imread(path)
    canvas = np.zeros((640, 640, 3), dtype=np.float32)
    canvas[:image.shape[0], :image.shape[1], :] = image
    channel = np.zeros((640, 640), dtype=np.float32)
    channel[:, :] = image[:, :, 0]
    return model(canvas / 255)
'''

RETURNED_BY_A_LOADER = b'''
import numpy as np
import skimage.color
import skimage.io


class Photos:
    def load_image(self, index):
        img = skimage.io.imread(self.files[index])
        if img.ndim == 2:
            img = skimage.color.gray2rgb(img)
        return img.astype(np.float32) / 255.0
'''


def test_an_image_padded_into_a_new_array_goes_on_as_that_array():
    chains = _chains(PADDED_INTO_A_CANVAS)
    assert ("model", None, ["ReadBGR", "Divide255"]) in chains
    assert not any(binding == "channel" for _, binding, _ in chains)  # one channel picked: not the image


def test_a_returned_image_is_a_chain_of_its_method_and_grey_to_colour_keeps_the_order():
    assert _chains(RETURNED_BY_A_LOADER) == [("", "load_image", ["ReadRGB", "ToFloat", "Divide255"]),
                                             ("", "img", ["ReadRGB"])]


AS_A_PIL_IMAGE = b'''
import cv2
import torch
from PIL import Image


class Flowers(torch.utils.data.Dataset):
    def __getitem__(self, index):
        img = cv2.imread(self.files[index])
        img = Image.fromarray(img)
        grey = Image.fromarray(cv2.imread(self.masks[index]), mode="L")
        return self.transform(img), self.transform(grey)
'''


def test_an_array_made_a_pil_image_keeps_its_values_and_order_unless_a_mode_is_given():
    chains = _chains(AS_A_PIL_IMAGE)
    assert ("self.transform", "img", ["ReadBGR"]) in chains
    assert any(steps[0] == "ReadBGR" and len(steps) == 2 for _, _, steps in chains)  # `mode="L"`: not followed


def test_conditions_of_one_value_against_literals_are_consistent_only_when_some_value_is_left():
    from evalparity.relate.image_state import _consistent

    assert _consistent({"x == 'a'": True, "args.mode in ('a', 'b')": True})
    assert not _consistent({"x == 'a'": True, "x in ('b', 'c')": True})
    # a false or unreadable comparison says nothing, and the ones after it are still compared
    assert not _consistent({"flag": True, "x == 'a'": False, "x == 'b'": True, "x == 'c'": True})
    assert _consistent({"x == 'a'": False, "x == 'b'": True})


def test_a_dataset_class_built_by_a_training_script_reads_training_images(in_dir):
    from conftest import FIXTURES

    from evalparity.engine import analyze
    from evalparity.relate.handprep import hand_prep

    in_dir(FIXTURES / "EP304")
    prep = hand_prep(analyze(["bgr_demo_rgb_training"]).project)
    assert [(i.pipeline.path, i.pipeline.location.line, i.role, [(e.role, e.reason) for e in i.evidence])
            for i in prep.train_items] == [
        ("bgr_demo_rgb_training/leaves.py", 16, "train",
         [("train", "read by `LeafImages`, which a training script constructs")])]


def _steps_with_conditions(source: bytes):
    facts = extract_source("photos.py", source, default_knowledge())
    return [[(s.name, s.condition) for s in c.pipeline.steps] for c in facts.hand_chains]


READ_EITHER_WAY = b'''
import cv2
from PIL import Image


def load(path):
    if path.endswith(".png"):
        image = Image.open(path)
    else:
        image = cv2.imread(path)
    return image
'''

CONVERTED_ON_ONE_ARM_ONLY = b'''
import cv2


def load(path, rgb):
    image = cv2.imread(path)
    if rgb:
        image = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    else:
        image = cv2.resize(image, (224, 224))
    return image
'''

AN_ARM_THAT_RETURNS = b'''
import cv2
from PIL import Image


def load(path):
    image = cv2.imread(path)
    if image is None:
        image = Image.open("placeholder.png")
        return None
    return image
'''


def test_a_name_each_arm_reads_its_own_way_holds_both_reads_under_their_conditions():
    assert _steps_with_conditions(READ_EITHER_WAY) == [
        [("ReadRGB", '(path.endswith(".png"))'), ("ReadBGR", '(not (path.endswith(".png")))')]]


def test_arms_that_go_on_from_one_read_keep_it_once():
    assert _steps_with_conditions(CONVERTED_ON_ONE_ARM_ONLY) == [
        [("ReadBGR", None), ("FlipChannels", "(rgb)"), ("cv2.resize", "(not (rgb))")]]


def test_an_arm_that_returns_leaves_its_names_behind():
    assert _steps_with_conditions(AN_ARM_THAT_RETURNS) == [[("ReadBGR", None)]]


EVERY_ARM_RETURNS = b'''
import cv2
from PIL import Image


def load(path, gray):
    if gray:
        return cv2.imread(path, cv2.IMREAD_GRAYSCALE)
    else:
        return cv2.imread(path)
    image = Image.open(path)
    return image
'''

AN_ARM_MAKES_IT_UNKNOWN = b'''
import json

import cv2


def load(path, cached):
    image = cv2.imread(path)
    if cached:
        image = json.loads(path)
    return image
'''


def test_what_follows_an_if_whose_every_arm_returns_is_not_followed():
    assert _steps_with_conditions(EVERY_ARM_RETURNS) == [[("ReadBGR", "(not (gray))")]]


def test_a_name_one_arm_makes_unknown_is_unknown_after_the_if():
    assert _steps_with_conditions(AN_ARM_MAKES_IT_UNKNOWN) == []
