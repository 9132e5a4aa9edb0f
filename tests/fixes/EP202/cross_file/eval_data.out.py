"""Evaluation data, written separately: it forgot the Normalize."""

from torchvision import transforms
from train_data import MEAN, STD

eval_transform = transforms.Compose([
    transforms.Resize(256),
    transforms.CenterCrop(224),
    transforms.ToTensor(),
    transforms.Normalize(MEAN, STD),
])
