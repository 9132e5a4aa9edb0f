"""Evaluation data: it imports the training mean to show images, but normalizes with other values."""

from torchvision import transforms

from ..data.train_data import MEAN
from ..data.train_data import STD

eval_transform = transforms.Compose([
    transforms.Resize(256),
    transforms.CenterCrop(224),
    transforms.ToTensor(),
    transforms.Normalize(mean=MEAN, std=STD),
])


def shown(image):
    """Undo the normalization for display."""
    return image * 0.5 + 0.5
