"""Fine-tune a classifier; the transforms live in data/transforms.py."""

import torch
from torch.utils.data import DataLoader
from torchvision import datasets

from data.transforms import test_transform, train_transform

train_dataset = datasets.ImageFolder("imagenet/train", train_transform)
test_dataset = datasets.ImageFolder("imagenet/val", test_transform)

train_loader = DataLoader(train_dataset, batch_size=256, shuffle=True, num_workers=8)
test_loader = DataLoader(test_dataset, batch_size=256, num_workers=8)


def validate(model):
    model.eval()
    hits = 0
    with torch.no_grad():
        for images, targets in test_loader:
            hits += (model(images).argmax(1) == targets).sum().item()
    return hits / len(test_dataset)
