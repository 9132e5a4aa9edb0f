from torchvision.datasets import ImageFolder
from torchvision.transforms import CenterCrop, Compose, RandomCrop, RandomResizedCrop, Resize, ToTensor

train_tf = Compose([RandomResizedCrop(224), ToTensor()])
val_tf = Compose([Resize(256), RandomCrop(224), ToTensor()])
test_tf = Compose([RandomResizedCrop(224), ToTensor()])
train_set = ImageFolder("data/train", train_tf)
val_set = ImageFolder("data/val", val_tf)
test_set = ImageFolder("data/test", test_tf)
