"""Images per second of data-parallel training: 1 process vs N gloo processes on the CPU (or NCCL on GPUs), same global batch.

A teacher co-trained with its generator (`vkd_nb.cotrain.train_teacher`) on fake data of a chosen shape; each run
trains the same epochs on the same data with the same global batch, so 1 and N processes do the same work.
Run: OMP_NUM_THREADS=1 .venv/bin/python bench/ddp.py [--arch cnn1d_32] [--shape 1,40] [--n 4096] [--epochs 3] [--nprocs 2] [--no-generator]
Prints images/s of each and the ratio, measured in this one run (on a shared machine absolute numbers mean little).
"""
import argparse, json, os, tempfile, time
from pathlib import Path
import torch

def worker(out: str, arch: str, shape: tuple, n: int, epochs: int, bs: int, threads: int, device: str, generator: bool):
    "Train once to warm up (1 epoch), then `epochs` timed epochs; rank 0 writes images/s to `out`."
    from vkd_nb.data import get_data
    from vkd_nb.models import create_model
    from vkd_nb.cotrain import GeneratorTrainer, train_teacher
    from vkd_nb.distributed import is_main, world_size
    import torch.distributed as dist
    torch.set_num_threads(threads)
    d = get_data('fake', in_shape=shape, num_classes=10, n_train=n, n_test=256, seed=0)
    def run(ep):
        torch.manual_seed(0)
        t = create_model(arch, 10, shape); g = GeneratorTrainer(10, seed=0, device=device) if generator else None
        if dist.is_initialized(): dist.barrier()
        t0 = time.perf_counter()
        rec = train_teacher(t, d, ep, g, progress=False, device=device, batch_size=bs, schedule='constant')
        return time.perf_counter() - t0, rec
    run(1)
    sec, rec = run(epochs)
    if is_main(): Path(out).write_text(json.dumps({'processes': world_size(), 'seconds': sec, 'images_per_s': epochs * n / sec,
                                                   'test_acc': rec['test_acc']}))

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--arch', default='cnn1d_32'); p.add_argument('--shape', default='1,40')
    p.add_argument('--n', type=int, default=4096); p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--bs', type=int, default=128, help='global batch'); p.add_argument('--nprocs', type=int, default=2)
    p.add_argument('--device', default='cpu', help="cpu (gloo) or cuda (NCCL, one GPU per process)")
    p.add_argument('--no-generator', action='store_true', help='the teacher alone (the generator steps are replicated on every rank)')
    a = p.parse_args()
    from vkd_nb.distributed import launch
    shape = tuple(int(s) for s in a.shape.split(','))
    threads = int(os.environ.get('OMP_NUM_THREADS', '1'))
    res = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k in (1, a.nprocs):
            f = Path(tmp)/f'{k}.json'
            launch(worker, k, str(f), a.arch, shape, a.n, a.epochs, a.bs, threads, a.device, not a.no_generator, device=a.device)
            res[k] = json.loads(f.read_text())
    print(f"{a.arch} teacher{'' if a.no_generator else ' + generator'} on fake data {shape}, {a.n} samples x {a.epochs} epochs, global batch {a.bs}, "
          f"{threads} thread(s) per process, device {a.device}:")
    for k, r in res.items(): print(f"  {k} process{'es' if k > 1 else ''}: {r['images_per_s']:8.0f} images/s  ({r['seconds']:.1f} s, test acc {r['test_acc']:.3f})")
    print(f"  ratio {a.nprocs} / 1 processes: {res[a.nprocs]['images_per_s'] / res[1]['images_per_s']:.2f}x")

if __name__ == '__main__': main()
