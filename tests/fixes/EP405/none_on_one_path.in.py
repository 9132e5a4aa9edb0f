from torch.utils.data import DataLoader, DistributedSampler


def loaders(train_set, args):
    sampler = DistributedSampler(train_set) if args.distributed else None
    return DataLoader(train_set, batch_size=32, shuffle=True, sampler=sampler)
