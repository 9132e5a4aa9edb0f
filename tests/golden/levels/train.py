"""Findings of every severity, with brackets and quotes in their messages (golden output for each format)."""
import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

CIFAR_MEAN, CIFAR_STD = (0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)
tfs = {
    "train": transforms.Compose([
        transforms.RandomCrop(32, padding=4),
        transforms.ToTensor(),
        transforms.Normalize(CIFAR_MEAN, CIFAR_STD),
    ]),
    "val": transforms.Compose([
        transforms.RandomHorizontalFlip(),
        transforms.ToTensor(),
        transforms.Lambda(lambda x: x / 255.0),
        transforms.Normalize(CIFAR_MEAN, CIFAR_STD),
    ]),
}
train_set = datasets.CIFAR10("data", train=True, transform=tfs["train"])
val_set = datasets.CIFAR10("data", train=False, transform=tfs["val"])
train_loader = DataLoader(train_set, batch_size=128, num_workers=2)
val_loader = DataLoader(val_set, batch_size=256, num_workers=2)
model = torch.nn.Linear(3 * 32 * 32, 10)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for epoch in range(10):
    model.train()
    for images, labels in train_loader:
        loss = torch.nn.functional.cross_entropy(model(images.flatten(1)), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        correct = sum((model(x.flatten(1)).argmax(1) == y).sum().item() for x, y in val_loader)
