from torch.utils.data import DataLoader, DistributedSampler

train_sampler = DistributedSampler(train_set)
train_loader = DataLoader(train_set, batch_size=32, sampler=train_sampler)
other_loader = DataLoader(
    train_set,
    batch_size=32,
    sampler=DistributedSampler(train_set),
)
last_loader = DataLoader(train_set, sampler=train_sampler)
first_loader = DataLoader(dataset=train_set, sampler=train_sampler)
