"""A small CNN on folders of images; the training statistics are computed from the training images."""

import numpy as np
import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

train_images = np.load("cache/train_images.npy")  # (N, H, W, 3) uint8
mean = train_images.mean(axis=(0, 1, 2)) / 255
std = train_images.std(axis=(0, 1, 2)) / 255

train_transform = transforms.Compose([
    transforms.RandomResizedCrop(96),
    transforms.RandomHorizontalFlip(),
    transforms.ToTensor(),
    transforms.Normalize(mean, std),
])

val_transform = transforms.Compose([
    transforms.Resize(110),
    transforms.CenterCrop(96),
    transforms.ToTensor(),
    transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
])

train_set = datasets.ImageFolder("data/train", transform=train_transform)
val_set = datasets.ImageFolder("data/val", transform=val_transform)
train_loader = DataLoader(train_set, batch_size=64, shuffle=True)
val_loader = DataLoader(val_set, batch_size=64)


def evaluate(model):
    model.eval()
    correct = 0
    with torch.no_grad():
        for images, labels in val_loader:
            correct += (model(images).argmax(1) == labels).sum().item()
    return correct / len(val_set)
