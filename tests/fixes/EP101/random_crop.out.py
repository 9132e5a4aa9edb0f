import torchvision
import torchvision.transforms as transforms

transform_train = transforms.Compose([transforms.RandomCrop(32, padding=4), transforms.ToTensor()])
transform_test = transforms.Compose([transforms.ToTensor()])
imagenet_test = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor()])

trainset = torchvision.datasets.CIFAR10(root="./data", train=True, transform=transform_train)
testset = torchvision.datasets.CIFAR10(root="./data", train=False, transform=transform_test)
imagenet = torchvision.datasets.ImageFolder("imagenet/val", imagenet_test)
