"""Evaluation data, written separately: it forgot the Normalize."""

from torchvision import transforms

eval_transform = transforms.Compose([
    transforms.Resize(256),
    transforms.CenterCrop(224),
    transforms.ToTensor(),
])
