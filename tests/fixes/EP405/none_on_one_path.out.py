from torch.utils.data import DataLoader, DistributedSampler


def loaders(train_set, args):
    sampler = DistributedSampler(train_set) if args.distributed else None
    return DataLoader(train_set, batch_size=32, shuffle=(sampler is None), sampler=sampler)


def inline(train_set, args):  # no fix: the sampler's expression would be evaluated twice
    return DataLoader(train_set, batch_size=32, shuffle=True,
                      sampler=DistributedSampler(train_set) if args.distributed else None)
