from torchvision import datasets, transforms

MEAN, STD = (0.1307,), (0.3081,)
NORM_MEAN = (0.1307,)

train_transform = transforms.Compose([
    transforms.RandomRotation(10),
    transforms.ToTensor(),
    transforms.Normalize(NORM_MEAN, (0.3081,)),
])
test_transform = transforms.Compose([
    transforms.ToTensor(),
])
train_set = datasets.MNIST("data", train=True, transform=train_transform)
test_set = datasets.MNIST("data", train=False, transform=test_transform)
