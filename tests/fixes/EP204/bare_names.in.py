from torchvision.datasets import ImageFolder
from torchvision.transforms import Compose, PILToTensor, RandomHorizontalFlip, ToTensor

train_transform = Compose([
    RandomHorizontalFlip(),
    ToTensor(),
])
val_transform = Compose([
    PILToTensor(),
])
train_set = ImageFolder("data/train", train_transform)
val_set = ImageFolder("data/val", val_transform)
