"""DeiT-style data setup: one builder produces the training and the evaluation transform."""

from torchvision import datasets, transforms

IMAGENET_DEFAULT_MEAN = (0.485, 0.456, 0.406)
IMAGENET_DEFAULT_STD = (0.229, 0.224, 0.225)


def build_transform(is_train, input_size=224):
    if is_train:
        return transforms.Compose([
            transforms.RandomResizedCrop(input_size),
            transforms.RandomHorizontalFlip(),
            transforms.ColorJitter(0.4, 0.4, 0.4),
            transforms.ToTensor(),
            transforms.Normalize(IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD),
        ])

    t = []
    if input_size > 32:
        # FixRes: resize a little larger, then crop the training size
        t.append(transforms.Resize(int(input_size / 0.875), interpolation=transforms.InterpolationMode.BICUBIC))
        t.append(transforms.CenterCrop(input_size))
    t.append(transforms.ToTensor())
    t.append(transforms.Normalize(IMAGENET_DEFAULT_MEAN, IMAGENET_DEFAULT_STD))
    return transforms.Compose(t)


def build_dataset(is_train, data_path):
    transform = build_transform(is_train)
    root = f"{data_path}/{'train' if is_train else 'val'}"
    return datasets.ImageFolder(root, transform=transform)
