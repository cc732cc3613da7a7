"""Behaviour record: per-epoch losses and final-weight checksums of a tiny fixed-seed CPU run of every training mode.

Run it before and after a change to the training core and compare: every number must be identical (the runs are
deterministic on one CPU thread), or the change must say which differ and why.

Run:  OMP_NUM_THREADS=1 .venv/bin/python bench/behaviour.py --out runs/behaviour.json [--compare OLD.json]
Records: behaviour_f6b759b.json, before issue 22's refactors; behaviour_now.json, today's (the same except the 16
modes where a method's default weight stopped changing with its company: feature method + vkd, kd + a feature method).
Both were recorded on the project's 2-core CPU machine; another processor may round differently.
Modes: teacher co-training; every student mode the registry lists (`student_modes()`: each method alone and + vkd)
and the combinations in EXTRA_MODES; the recipes: self-vkd and the collaborative ones (dml, dml+vkd, collab-vkd), all
through `train_mode`. MNIST-1D (400 samples), cnn1d_8 networks,
2 epochs each. `--images --precision bf16`: every mode on 3x32x32 fake images in bf16 with channels-last memory
(the GPU check runs it on CUDA).
"""
import argparse, hashlib, json, sys
from pathlib import Path
import torch
torch.set_num_threads(1)
from vkd_nb.core import seed_everything
from vkd_nb.data import get_data
from vkd_nb.models import create_model
from vkd_nb.cotrain import GeneratorTrainer, train_teacher
from vkd_nb.train import train_mode, student_modes, recipe_names

EXTRA_MODES = ('kd+at', 'kd+at+vkd', 'kd+dkd')    # methods in company: their weights must not change with it
KW = dict(device='cpu', progress=False, batch_size=64)

def checksum(*modules) -> str:
    "SHA-256 of every parameter and buffer, bit for bit."
    h = hashlib.sha256()
    for m in modules:
        for k, v in m.state_dict().items():
            h.update(k.encode())
            h.update(v.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:16]

def losses(rec) -> list:
    "Per-epoch record without the wall-clock entries."
    return [{k: v for k, v in r.items() if k != 'seconds'} for r in rec['history']]

def record(root='data', images: bool = False) -> dict:
    data = (get_data('fake', in_shape=(3, 32, 32), num_classes=10, n_train=256, n_test=64) if images else
            get_data('mnist1d', root=root, num_samples=400))
    arch, out = 'cnn2d_16' if images else 'cnn1d_8', {}
    seed_everything(0)
    teacher = create_model(arch, data.num_classes, data.in_shape)
    gen = GeneratorTrainer(data.num_classes, seed=0, device=KW['device'])
    rec = train_teacher(teacher, data, 2, gen, refine_steps=20, seed=0, **KW)
    out['teacher+generator'] = {'history': losses(rec), 'checksum': checksum(teacher, gen.G, gen.G_ema, gen.D)}
    for mode in (*student_modes(), *EXTRA_MODES):
        seed_everything(1)
        s = create_model(arch, data.num_classes, data.in_shape)
        rec = train_mode(s, data, mode, teacher, gen, epochs=2, tau=4., seed=1, **KW)
        out[mode] = {'history': losses(rec), 'checksum': checksum(s)}
    seed_everything(2)
    net = create_model(arch, data.num_classes, data.in_shape)
    g = GeneratorTrainer(data.num_classes, seed=2, device=KW['device'])
    rec = train_mode(net, data, 'self-vkd', generator=g, epochs=2, tau=4., warmup=1, seed=2, **KW)
    out['self-vkd'] = {'history': losses(rec), 'checksum': checksum(net, g.G_ema)}
    for mode in recipe_names('collab'):
        seed_everything(3)
        peers = [create_model(arch, data.num_classes, data.in_shape) for _ in range(2)]
        rec = train_mode(peers, data, mode, epochs=2, tau=4., warmup=1, seed=3, **KW)
        out[mode] = {'history': losses(rec), 'checksum': checksum(*peers)}
    return out

def compare(old: dict, new: dict) -> list:
    "Lines naming each mode whose losses or weights differ."
    diffs = []
    for mode in old:
        if mode not in new:
            diffs.append(f'{mode}: missing')
            continue
        a, b = old[mode], new[mode]
        if a['checksum'] != b['checksum']: diffs.append(f"{mode}: weights differ ({a['checksum']} -> {b['checksum']})")
        for ea, eb in zip(a['history'], b['history']):
            for k in sorted(set(ea) | set(eb)):
                if ea.get(k) != eb.get(k): diffs.append(f"{mode} epoch {ea['epoch']} {k}: {ea.get(k)!r} -> {eb.get(k)!r}")
    return diffs

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', default='runs/behaviour.json')
    ap.add_argument('--compare', default=None)
    ap.add_argument('--root', default='data')
    ap.add_argument('--device', default='cpu', help='cpu (the recorded numbers) or cuda: bf16 autocast, as every '
                    'run on CUDA (its numbers differ from the CPU records; channels_last applies to images, not MNIST-1D)')
    ap.add_argument('--precision', default='auto', choices=('auto', 'fp32', 'bf16'),
                    help="auto (the recorded numbers: fp32 on the CPU for MNIST-1D), fp32 or bf16")
    ap.add_argument('--images', action='store_true', help='3x32x32 fake images and cnn2d_16 networks instead of '
                    'MNIST-1D: channels-last memory in bf16 and on CUDA (no record to compare with)')
    a = ap.parse_args()
    KW.update(device=a.device, precision=a.precision)
    rec = record(a.root, a.images)
    Path(a.out).parent.mkdir(parents=True, exist_ok=True); Path(a.out).write_text(json.dumps(rec, indent=1))
    for mode, r in rec.items(): print(f"{mode:>18}  {r['checksum']}  final loss {r['history'][-1]['loss']:.6f}")
    if a.compare:
        diffs = compare(json.loads(Path(a.compare).read_text()), rec)
        print('\n'.join(diffs) if diffs else f'identical to {a.compare}: every loss of every epoch and every checksum')
        sys.exit(1 if diffs else 0)
