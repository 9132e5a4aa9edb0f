from torch.utils.data import DataLoader

train_loader = DataLoader(train_set, batch_size=64, shuffle=True, drop_last=True)
val_loader = DataLoader(val_set, batch_size=64, shuffle=False, drop_last=True)
test_loader = DataLoader(drop_last=True, dataset=val_set, batch_size=64)
