"""Images per second: the device-resident loader vs the streaming loader, on the same CIFAR-shaped image folder.

Writes N random 32x32 PNGs (10 classes) into a temporary `ImageFolder`, then reads training epochs through
  - `get_imagefolder('imagefolder:...', loader='device')`: decoded once (timed apart), then `DeviceLoader` batches
    (random crop after 4-pixel padding, flip, normalization on the device);
  - `get_imagefolder('imagefolder:...', loader='stream')`: `StreamLoader` batches read from the PNG files every epoch by
    worker processes (torchvision transforms v2: random resized crop, flip; normalization on the device).
Run: OMP_NUM_THREADS=1 .venv/bin/python bench/stream_loader.py [--n 5000] [--epochs 2] [--workers 0 2] [--device auto]
Prints images/s of each and the ratio, measured in this one run (absolute numbers on a shared machine mean little).
"""
import argparse, tempfile, time
from pathlib import Path
import numpy as np
import torch
from PIL import Image
from vkd_nb.core import get_device
from vkd_nb.images import get_imagefolder

def write_folder(root: Path, n: int, classes: int = 10):
    rng = np.random.default_rng(0)
    for i in range(n):
        d = root/'train'/f'c{i % classes}'; d.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(d/f'{i}.png')
    for c in range(classes):
        d = root/'val'/f'c{c}'; d.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(d/'0.png')

def rate(loader, epochs: int, device) -> float:
    n, t0 = 0, time.perf_counter()
    for _ in range(epochs):
        for xb, yb in loader: n += len(xb)
    if device.type == 'cuda': torch.cuda.synchronize()
    return n / (time.perf_counter() - t0)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=5000); p.add_argument('--epochs', type=int, default=2)
    p.add_argument('--bs', type=int, default=128); p.add_argument('--device', default='auto')
    p.add_argument('--workers', type=int, nargs='*', default=[0, 2])
    a = p.parse_args()
    dev = get_device(a.device)
    with tempfile.TemporaryDirectory() as d:
        d = Path(d); write_folder(d/'imgs', a.n)
        spec = f"imagefolder:{d/'imgs'}"
        t0 = time.perf_counter(); db = get_imagefolder(spec, root=d, loader='device', workers=max(a.workers)); t_decode = time.perf_counter() - t0
        resident = rate(db.loaders(a.bs, dev, augment=True)[0], a.epochs, dev)
        print(f"device={dev.type} n={a.n} batch={a.bs} epochs={a.epochs} threads={torch.get_num_threads()}")
        print(f"{'device-resident (decoded once in':<40}{t_decode:>8.1f} s){resident:>12,.0f} images/s")
        for w in a.workers:
            sb = get_imagefolder(spec, root=d, loader='stream', workers=w)
            s = rate(sb.loaders(a.bs, dev, augment=True)[0], a.epochs, dev)
            print(f"{f'streaming, {w} workers':<49}{s:>12,.0f} images/s   ratio resident/streaming = {resident / s:.1f}x")

if __name__ == '__main__': main()
