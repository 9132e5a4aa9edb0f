from torchvision import datasets

from eval_data import eval_transform
from train_data import train_transform

train_set = datasets.ImageFolder("data/train", train_transform)
val_set = datasets.ImageFolder("data/val", eval_transform)
