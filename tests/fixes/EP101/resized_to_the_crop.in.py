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
gray_val = T.Compose([T.Resize((64, 64)), T.Grayscale(), T.RandomCrop([64]), T.ToTensor()])
gray_val_set = datasets.ImageFolder("data/val", gray_val)
wide_val = T.Compose([T.Resize((64, 48)), T.RandomCrop((64, 48)), T.ToTensor()])
wide_val_set = datasets.ImageFolder("data/val", wide_val)
nested_val = T.Compose([T.Resize((64, 64)), T.Compose([T.RandomCrop(64)]), T.ToTensor()])
nested_val_set = datasets.ImageFolder("data/val", nested_val)
