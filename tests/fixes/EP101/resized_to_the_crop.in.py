from torchvision import datasets, transforms as T

train_transform = T.Compose([
    T.Resize((224, 224)),
    T.RandomCrop(224, padding=16),
    T.ToTensor(),
])
val_transform = T.Compose([
    T.Resize((224, 224)),
    T.RandomCrop(224),
    T.ToTensor(),
])
train_set = datasets.ImageFolder("data/train", train_transform)
val_set = datasets.ImageFolder("data/val", val_transform)
