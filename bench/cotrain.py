"""What co-training the generator adds to a teacher's training time, measured as ratios in one run.

Trains a teacher (default resnet32x4, 100 classes, 32x32 inputs, batch 64) for the same steps with and without
a co-trained generator, alternating the two a few times, and reports
  - the in-run split: seconds in generator steps / seconds in teacher steps (both timed inside the same loop);
  - the wall-time ratio of whole epochs with / without the generator.
Run: .venv/bin/python bench/cotrain.py [--arch resnet32x4] [--steps 8] [--repeats 2] [--device auto]
"""
import argparse, time, statistics
import torch
from vkd_nb.core import get_device
from vkd_nb.data import get_data
from vkd_nb.models import create_model
from vkd_nb.cotrain import GeneratorTrainer, train_teacher

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--arch', default='resnet32x4'); p.add_argument('--classes', type=int, default=100)
    p.add_argument('--steps', type=int, default=8, help='teacher steps per timed epoch')
    p.add_argument('--bs', type=int, default=64); p.add_argument('--repeats', type=int, default=2)
    p.add_argument('--device', default='auto')
    a = p.parse_args()
    dev = get_device(a.device)
    data = get_data('fake', in_shape=(3, 32, 32), num_classes=a.classes, n_train=a.steps * a.bs, n_test=a.bs)
    def epoch(with_gen):
        torch.manual_seed(0); t = create_model(a.arch, a.classes, (3, 32, 32))
        g = GeneratorTrainer(a.classes, device=dev) if with_gen else None
        t0 = time.perf_counter()
        rec = train_teacher(t, data, epochs=1, generator=g, opt='sgd', lr=0.05, schedule='constant', batch_size=a.bs,
                            augment=True, device=dev, progress=False)
        return time.perf_counter() - t0, rec
    epoch(True)                                                      # warm-up (allocator, kernels)
    walls = {False: [], True: []}; splits = []
    for _ in range(a.repeats):
        for w in (False, True):
            s, rec = epoch(w); walls[w].append(s)
            if w: splits.append(rec['seconds_generator_steps'] / rec['seconds_teacher_steps'])
    print(f"device={dev.type} arch={a.arch} classes={a.classes} batch={a.bs} steps/epoch={a.steps} repeats={a.repeats} "
          f"threads={torch.get_num_threads()}")
    print(f"in-run split, generator steps / teacher steps: {100 * statistics.median(splits):.2f} % (median of {len(splits)})")
    r = statistics.median(walls[True]) / statistics.median(walls[False])
    print(f"epoch wall time with / without generator:      {r:.3f}  ({100 * (r - 1):+.2f} %; noisy: includes evaluation and setup)")

if __name__ == '__main__': main()
