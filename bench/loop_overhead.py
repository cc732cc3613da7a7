"""The learner's own overhead per step: the callback loop (`vkd_nb.learner.fit`) against the loop as it was (`bench/loop_before.py`).

A tiny MLP student (mlp_64x1) trained with cross-entropy on MNIST-1D: its step is so cheap that the loop's own work
(dispatching events to callbacks, keeping the history, timing) is as visible as it can be. Both loops train the same
network from the same seed to the same weights (checked); they run interleaved, old and new in turn, and each run's
CPU time (one thread) is divided by its number of steps. Printed: the median of the paired new/old ratios, and the
ratio of the fastest runs.

Run:  OMP_NUM_THREADS=1 .venv/bin/python bench/loop_overhead.py [--repeats 9] [--epochs 3] [--batch 64]
"""
import argparse, statistics, sys, time
from pathlib import Path
import torch
import torch.nn.functional as F
torch.set_num_threads(1)
sys.path.insert(0, str(Path(__file__).parent))
import loop_before
from vkd_nb.data import get_data
from vkd_nb.models import create_model
from vkd_nb.learner import fit

def ce_step(net):
    def step(xb, yb, epoch):
        logits = net(xb); return F.cross_entropy(logits, yb), {'ce': F.cross_entropy(logits, yb).detach()}, {'net': logits}
    return step

def one_run(loop, data, epochs: int, batch: int):
    "CPU seconds per step of one training run with `loop`, and the trained network."
    torch.manual_seed(0); net = create_model('mlp_64x1', data.num_classes, data.in_shape)
    kw = dict(batch_size=batch, device='cpu', progress=False, opt='adam', lr=1e-3, schedule='cosine', seed=0)
    t0 = time.process_time()
    rec = loop({'net': net}, ce_step(net), data, epochs, **kw)
    secs = time.process_time() - t0
    steps = epochs * -(-len(data.y_train) // batch)
    return secs / steps, net, rec

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--repeats', type=int, default=9); p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--batch', type=int, default=64); p.add_argument('--root', default='data')
    a = p.parse_args()
    data = get_data('mnist1d', root=a.root)
    _, n_old, r_old = one_run(loop_before.fit, data, 1, a.batch)                  # warm-up, and the same weights from both loops
    _, n_new, r_new = one_run(fit, data, 1, a.batch)
    same = all(torch.equal(x, y) for x, y in zip(n_old.state_dict().values(), n_new.state_dict().values()))
    print(f"same weights after one epoch: {same}; same history: {r_old['history'][0]['loss'] == r_new['history'][0]['loss']}")
    old, new = [], []
    for _ in range(a.repeats):
        old.append(one_run(loop_before.fit, data, a.epochs, a.batch)[0]); new.append(one_run(fit, data, a.epochs, a.batch)[0])
    paired = statistics.median(n / o for n, o in zip(new, old))
    print(f"mlp_64x1 on MNIST-1D ({len(data.y_train)} samples, batch {a.batch}, {a.epochs} epochs, {a.repeats} repeats, "
          f"{torch.get_num_threads()} thread): CPU ms per step, old loop {1e3 * min(old):.3f} (fastest) / {1e3 * statistics.median(old):.3f} (median), "
          f"learner {1e3 * min(new):.3f} / {1e3 * statistics.median(new):.3f}")
    print(f"learner / old loop: median of paired ratios {paired:.3f}, fastest runs {min(new) / min(old):.3f}")

if __name__ == '__main__': main()
