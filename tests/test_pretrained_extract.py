"""extract/pretrained.py: which model constructions become PretrainedUse facts, with the weights as written."""

from evalparity.extract.source import extract_source
from evalparity.vocabulary.knowledge import default_knowledge

SOURCE = '''
import clip
import open_clip
import timm
import torchvision
from timm.models import vit_small_patch16_224
from torchvision import models
from torchvision.models import ResNet50_Weights

NAME = "convnext_tiny"
a = models.resnet50(weights=ResNet50_Weights.IMAGENET1K_V2)
b = torchvision.models.resnet18(weights="IMAGENET1K_V1")
c = models.resnet50(weights=ResNet50_Weights.DEFAULT)
d = models.vgg16(pretrained=True)
e = timm.create_model(NAME + ".fb_in1k", pretrained=True)
f = timm.create_model(args.arch, pretrained=True)
g = timm.create_model("hf-hub:timm/vit_base_patch16_224.augreg_in21k", True)
h = vit_small_patch16_224(pretrained=True)
i = timm.create_model("resnet50", pretrained=args.pretrained)
j, _, preprocess = open_clip.create_model_and_transforms("ViT-B-32", pretrained="openai")
k, preprocess = clip.load("ViT-B/32")
models.resnet50(weights=None)
models.resnet50(pretrained=False)
models.resnet50()
timm.create_model("resnet50")
timm.create_model("resnet50", pretrained=False)
open_clip.create_model("ViT-B-32")
torchvision.models.get_weight("ResNet50_Weights.DEFAULT")
'''


def test_pretrained_uses():
    facts = extract_source("train.py", SOURCE, default_knowledge())
    found = [(u.binding, u.library, u.model, u.weights) for u in facts.pretrained]
    assert found == [
        ("a", "torchvision", "torchvision.models.resnet50", "ResNet50_Weights.IMAGENET1K_V2"),
        ("b", "torchvision", "torchvision.models.resnet18", "IMAGENET1K_V1"),
        ("c", "torchvision", "torchvision.models.resnet50", "ResNet50_Weights.DEFAULT"),
        ("d", "torchvision", "torchvision.models.vgg16", "legacy"),
        ("e", "timm", "convnext_tiny.fb_in1k", ""),
        ("f", "timm", "", ""),  # a name computed at run time
        ("g", "timm", "vit_base_patch16_224.augreg_in21k", ""),
        ("h", "timm", "vit_small_patch16_224", ""),
        ("i", "timm", "resnet50", "?"),  # pretrained or not is decided at run time
        ("j", "open_clip", "ViT-B-32", "openai"),
        ("k", "clip", "ViT-B/32", "openai"),
    ]


CONFIG_CLASS = '''
import timm


class CFG:
    model_name = "tf_efficientnet_b3_ns"
    backbone = "convnext_small"
    arch: str = "resnet50"


class Other:
    name = "vit_base_patch16_224"


a = timm.create_model(CFG.model_name, pretrained=True)
b = timm.create_model(CFG.backbone, pretrained=True)
c = timm.create_model(Other.name, pretrained=True)
d = timm.create_model(CFG.arch, pretrained=True)


def main(args):
    CFG.backbone = args.backbone
    setattr(Other, "name", args.name)
'''


def test_a_model_name_of_a_configuration_class_is_read_when_nothing_writes_it():
    facts = extract_source("train.py", CONFIG_CLASS, default_knowledge())
    found = [(u.binding, u.model) for u in facts.pretrained]
    assert found == [("a", "tf_efficientnet_b3_ns"), ("b", ""), ("c", ""), ("d", "resnet50")]
