import torch


def evaluate(model, loader):
    model.eval()  # switch to eval mode
    with torch.no_grad():
        for images, labels in loader:
            model(images)
