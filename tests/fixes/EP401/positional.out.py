from torch.utils.data import DataLoader
from torchvision.datasets import CIFAR10

test_set = CIFAR10("data", train=False)
test_loader = DataLoader(test_set, 100, False, None, None, 0, None, False, False)
