"""fp32 against bf16 (autocast and channels-last memory): the step time of the zoo's networks, and how near each comes
to the machine's practical limit.

For each network: a CE training step (forward, loss, backward, SGD step) on a random batch in fp32 and in bf16,
interleaved and repeated; the fastest repeat of each is the estimate (on a shared machine other processes only ever
add time). Then KD (teacher forward included) and VKD steps of two teacher-student pairs. GFLOP/s are the FLOPs of
one step (PyTorch's FLOP counter, forward and backward; a multiply-add counts 2) over its time, against the best
GFLOP/s of a large matrix product and of convolutions shaped like the zoo's stages, in the same precision, measured in the same run: the
machine's practical limit. On the CPU the clock is the process's CPU time (run with OMP_NUM_THREADS=1: one thread);
on CUDA, wall time with synchronization.

Run:  OMP_NUM_THREADS=1 .venv/bin/python bench/precision.py [--device cpu] [--batch 64] [--repeats 3] [--out runs/bench]
Writes OUT/precision.json and prints the tables. `--nets` and `--pairs` narrow it (e.g. `--nets mlp_512x2 --pairs ''`).
"""
import argparse, json, time
from pathlib import Path
import torch
import torch.nn.functional as F
from vkd_nb.core import get_device, native_bf16, pick_precision
from vkd_nb.models import create_model
from vkd_nb.learner import make_optimizer
from vkd_nb.cotrain import GeneratorTrainer
from step import build_step, step_seconds, _sync

NETS = 'resnet8,resnet8x4,resnet32x4,wrn_16_2,wrn_40_2,vgg8,MobileNetV2,ShuffleV1,ShuffleV2,mlp_512x2,cnn1d_32'
PAIRS = 'resnet32x4:resnet8x4,cnn1d_32:mlp_512x2'
PRECS = ('fp32', 'bf16')

def shape_of(name: str) -> tuple:
    "MNIST-1D's (1, 40) for the 1-D networks, CIFAR's 3x32x32 for the others."
    return (1, 40) if name.startswith(('mlp_', 'cnn1d_')) else (3, 32, 32)

def clock_of(dev): return time.perf_counter if dev.type == 'cuda' else time.process_time

def limit_gflops(dev, prec: str, reps: int = 3) -> dict:
    """GFLOP/s in `prec` of a 2048^3 matrix product and of 3x3 convolutions shaped like the zoo's stages (batch 64:
    64 channels at 32x32, 128 at 16x16, 256 at 8x8), each the best of `reps`; the practical limit is the best of all."""
    dt = torch.bfloat16 if prec == 'bf16' else torch.float32
    a, b = (torch.randn(2048, 2048, device=dev, dtype=dt) for _ in range(2))
    work = {'matmul': (lambda: a @ b, 2 * 2048**3)}
    for c, hw in ((64, 32), (128, 16), (256, 8)):
        x, w = torch.randn(64, c, hw, hw, device=dev, dtype=dt), torch.randn(c, c, 3, 3, device=dev, dtype=dt)
        if prec == 'bf16': x, w = x.contiguous(memory_format=torch.channels_last), w.contiguous(memory_format=torch.channels_last)
        work[f'conv{c}'] = (lambda x=x, w=w: F.conv2d(x, w, padding=1), 2 * 64 * c * c * 9 * hw * hw)
    clock, out = clock_of(dev), {}
    for k, (f, flops) in work.items():
        f(); _sync(dev); best = float('inf')
        for _ in range(reps):
            t0 = clock(); f(); _sync(dev); best = min(best, clock() - t0)
        out[k] = flops / best / 1e9
    return out

def step_flops(student, mode, teacher, gen, xb, yb, noise) -> float:
    "FLOPs of one training step of `mode` (forward and backward, the teacher's forward for KD), counted in fp32."
    from torch.utils.flop_counter import FlopCounterMode
    step, _ = build_step(student, mode, teacher, gen, xb, noise)
    with FlopCounterMode(display=False) as fc:
        loss, _, _ = step(xb, yb, 0)
        loss.backward()
    student.zero_grad(set_to_none=True)
    return fc.get_total_flops()

def copies(name: str, K: int, dev, prec: str, teacher: bool = False):
    "The network `name`, seeded the same for both precisions; channels-last for images in bf16."
    torch.manual_seed(0)
    m = create_model(name, K, shape_of(name)).to(dev)
    if prec == 'bf16' and len(shape_of(name)) == 3: m.to(memory_format=torch.channels_last)
    return m.eval().requires_grad_(False) if teacher else m.train()

def batch(name: str, K: int, n: int, dev, prec: str) -> tuple:
    torch.manual_seed(1)
    xb, yb = torch.randn(n, *shape_of(name), device=dev), torch.randint(0, K, (n,), device=dev)
    if prec == 'bf16' and xb.ndim == 4: xb = xb.contiguous(memory_format=torch.channels_last)
    return xb, yb

def time_modes(student_name: str, teacher_name, modes, K, a, dev) -> dict:
    "Fastest seconds per step of each (mode, precision), interleaved; and each mode's FLOPs per step."
    nets, times, flops, noise = {}, {}, {}, torch.Generator().manual_seed(0)
    gen = GeneratorTrainer(K, device=dev)
    for prec in PRECS:
        s = copies(student_name, K, dev, prec)
        t = copies(teacher_name, K, dev, prec, teacher=True) if teacher_name else s
        nets[prec] = (s, t, make_optimizer(s.parameters(), 'sgd', 0.01), batch(student_name, K, a.batch, dev, prec))
    for m in modes:
        s, t, _, (xb, yb) = nets['fp32']
        flops[m] = step_flops(s, m, t, gen, xb, yb, noise)
    for m in modes:
        for prec, (s, t, opt, (xb, yb)) in nets.items():
            step_seconds(s, m, t, gen, xb, yb, opt, 1, dev, noise, prec)                          # warm-up
    for _ in range(a.repeats):
        for m in modes:
            for prec, (s, t, opt, (xb, yb)) in nets.items():
                sec = step_seconds(s, m, t, gen, xb, yb, opt, a.steps, dev, noise, prec)
                times[m, prec] = min(times.get((m, prec), float('inf')), sec)
    return {m: {'flops': flops[m], **{f'{p}_s': times[m, p] for p in PRECS}} for m in modes}

def row(name: str, mode: str, r: dict, limit: dict) -> dict:
    g = {p: r['flops'] / r[f'{p}_s'] / 1e9 for p in PRECS}
    return {'net': name, 'mode': mode, **r, 'speedup': r['fp32_s'] / r['bf16_s'],
            **{f'{p}_gflops': g[p] for p in PRECS}, **{f'{p}_of_limit': g[p] / max(limit[p].values()) for p in PRECS}}

def header():
    print(f"{'network':<24}{'mode':<5}{'fp32 ms':>9}{'bf16 ms':>9}{'speed-up':>9}{'fp32 GFLOP/s':>13}{'% limit':>8}"
          f"{'bf16 GFLOP/s':>13}{'% limit':>8}")

def show(rows: list):
    for r in rows:
        print(f"{r['net']:<24}{r['mode']:<5}{1e3 * r['fp32_s']:>9.1f}{1e3 * r['bf16_s']:>9.1f}{r['speedup']:>8.2f}x"
              f"{r['fp32_gflops']:>13.1f}{100 * r['fp32_of_limit']:>7.0f}%{r['bf16_gflops']:>13.1f}"
              f"{100 * r['bf16_of_limit']:>7.0f}%", flush=True)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--device', default='cpu'); p.add_argument('--batch', type=int, default=64)
    p.add_argument('--steps', type=int, default=2); p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--nets', default=NETS, help='networks for the CE rows, comma-separated')
    p.add_argument('--pairs', default=PAIRS, help='TEACHER:STUDENT pairs for the KD and VKD rows, comma-separated')
    p.add_argument('--out', default='runs/bench')
    a = p.parse_args()
    dev, out = get_device(a.device), Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"device={dev} threads={torch.get_num_threads()} batch={a.batch} torch={torch.__version__} "
          f"native bf16: {native_bf16(dev)}; precision 'auto' picks {pick_precision('auto', dev, images=True)} for "
          f"images, {pick_precision('auto', dev, images=False)} for MNIST-1D")
    limit = {prec: limit_gflops(dev, prec) for prec in PRECS}
    for prec, l in limit.items():
        print(f"practical limit, {prec}: {max(l.values()):.1f} GFLOP/s (" + ', '.join(f"{k} {v:.1f}" for k, v in l.items()) + ')')
    print(f"\nCE steps, batch {a.batch} (fastest of {a.repeats} repeats of {a.steps} steps):")
    rows = []
    header()
    for n in filter(None, a.nets.split(',')):
        K = 10 if len(shape_of(n)) == 2 else 100
        rows.append(row(n, 'ce', time_modes(n, None, ['ce'], K, a, dev)['ce'], limit)); show(rows[-1:])
    print("\nKD (teacher forward included) and VKD steps:")
    header()
    for pair in filter(None, a.pairs.split(',')):
        t, s = pair.split(':')
        K = 10 if len(shape_of(s)) == 2 else 100
        for m, r in time_modes(s, t, ['kd', 'vkd'], K, a, dev).items():
            rows.append(row(f'{t} -> {s}', m, r, limit)); show(rows[-1:])
    json.dump({'device': str(dev), 'threads': torch.get_num_threads(), 'batch': a.batch, 'native_bf16': native_bf16(dev),
               'limit': limit, 'rows': rows}, open(out/'precision.json', 'w'), indent=1)
    print(f"\nwrote {out/'precision.json'}")

if __name__ == '__main__': main()
