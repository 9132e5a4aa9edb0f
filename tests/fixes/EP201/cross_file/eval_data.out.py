"""Evaluation data, written separately."""

import torch
from torchvision import transforms as T
from train_data import MEAN, STD

eval_transform = T.Compose([
    T.Resize(256),
    T.CenterCrop(224),
    T.ToTensor(),
    T.Normalize(mean=MEAN, std=STD),
])
