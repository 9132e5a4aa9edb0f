from torch.utils.data import DataLoader, DistributedSampler

train_sampler = DistributedSampler(train_set)
train_loader = DataLoader(train_set, 64, False, sampler=train_sampler, num_workers=4)
