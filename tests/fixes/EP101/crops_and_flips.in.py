from torchvision import datasets, transforms as T

train_transform = T.Compose([
    T.RandomResizedCrop(224),
    T.RandomHorizontalFlip(),
    T.ToTensor(),
])
val_transform = T.Compose([
    T.RandomResizedCrop(224, interpolation=T.InterpolationMode.BICUBIC),
    T.RandomHorizontalFlip(),  # oops
    T.ColorJitter(0.4, 0.4, 0.4),
    T.ToTensor(),
])
train_set = datasets.ImageFolder("data/train", train_transform)
val_set = datasets.ImageFolder("data/val", val_transform)
