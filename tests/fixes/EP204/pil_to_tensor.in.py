from torchvision import datasets, transforms

train_transform = transforms.Compose([
    transforms.RandomHorizontalFlip(),
    transforms.ToTensor(),
])
val_transform = transforms.Compose([
    transforms.PILToTensor(),
])
train_set = datasets.ImageFolder("data/train", train_transform)
val_set = datasets.ImageFolder("data/val", val_transform)
