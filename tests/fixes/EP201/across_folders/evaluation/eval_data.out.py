"""Evaluation data, in a folder of its own: it normalizes with other values than training."""

from torchvision import transforms
from data.train_data import MEAN, STD

eval_transform = transforms.Compose([
    transforms.Resize(256),
    transforms.CenterCrop(224),
    transforms.ToTensor(),
    transforms.Normalize(mean=MEAN, std=STD),
])
