from torchvision import datasets

from pkg.data.train_data import train_transform
from pkg.evaluation.eval_data import eval_transform

train_set = datasets.ImageFolder("data/train", train_transform)
val_set = datasets.ImageFolder("data/val", eval_transform)
