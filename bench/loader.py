"""Images per second: vkd_nb's DeviceLoader vs torchvision's DataLoader, same CIFAR-shaped data, same augmentation.

Both produce normalized float batches of 128 with a random crop (4-pixel padding) and a horizontal flip.
Run: .venv/bin/python bench/loader.py [--n 10000] [--epochs 2] [--device auto]
Prints images/s of each and the ratio, measured in this one run (absolute numbers on a shared machine mean little).
"""
import argparse, time
import torch
from torch.utils.data import DataLoader, Dataset
from torchvision.transforms import v2
from vkd_nb.core import get_device
from vkd_nb.data import DeviceLoader, channel_stats

class Augmented(Dataset):
    "Per-sample torchvision pipeline over uint8 tensors: the usual CIFAR recipe."
    def __init__(self, x, y, mean, std):
        self.x, self.y = x, y
        self.tf = v2.Compose([v2.RandomCrop(32, padding=4), v2.RandomHorizontalFlip(),
                              v2.ToDtype(torch.float32, scale=True), v2.Normalize(mean.tolist(), std.tolist())])
    def __len__(self): return len(self.x)
    def __getitem__(self, i): return self.tf(self.x[i]), self.y[i]

def rate(loader, epochs, device):
    n = 0; t0 = time.perf_counter()
    for _ in range(epochs):
        for xb, yb in loader:
            xb = xb.to(device, non_blocking=True); yb = yb.to(device, non_blocking=True); n += len(xb)
    if device.type == 'cuda': torch.cuda.synchronize()
    return n / (time.perf_counter() - t0)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=10000); p.add_argument('--epochs', type=int, default=2)
    p.add_argument('--bs', type=int, default=128); p.add_argument('--device', default='auto')
    p.add_argument('--workers', type=int, nargs='*', default=[0, 2])
    a = p.parse_args()
    dev = get_device(a.device)
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (a.n, 3, 32, 32), dtype=torch.uint8, generator=g); y = torch.randint(0, 100, (a.n,), generator=g)
    mean, std = channel_stats(x)
    ours = rate(DeviceLoader(x, y, a.bs, shuffle=True, augment=True, mean=mean, std=std, device=dev), a.epochs, dev)
    print(f"device={dev.type} n={a.n} batch={a.bs} epochs={a.epochs} threads={torch.get_num_threads()}")
    print(f"{'DeviceLoader (vkd_nb)':<36}{ours:>12,.0f} images/s")
    for w in a.workers:
        tv = rate(DataLoader(Augmented(x, y, mean, std), a.bs, shuffle=True, num_workers=w,
                             pin_memory=dev.type == 'cuda', persistent_workers=w > 0), a.epochs, dev)
        print(f"{f'torchvision DataLoader, {w} workers':<36}{tv:>12,.0f} images/s   ratio ours/theirs = {ours / tv:.1f}x")

if __name__ == '__main__': main()
