from torch.utils.data import DataLoader, DistributedSampler

train_sampler = DistributedSampler(train_set)
train_loader = DataLoader(train_set, batch_size=32, shuffle=True, sampler=train_sampler)
other_loader = DataLoader(
    train_set,
    batch_size=32,
    shuffle=True,  # shuffled
    sampler=DistributedSampler(train_set),
)
last_loader = DataLoader(train_set, sampler=train_sampler, shuffle=True)
first_loader = DataLoader(shuffle=True, dataset=train_set, sampler=train_sampler)
