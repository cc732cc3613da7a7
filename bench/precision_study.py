"""fp32 against bf16 over seeds: does training in bf16 change what the kit measures?

For each seed, the same run twice, once per precision (`precision='fp32'` and `'bf16'`, forced, on the CPU): a
teacher co-trained with its generator (then refit, as `run_teacher` does), the generator's fidelity (KL of class
means on the test set, the kit's goal <= 0.02), and CE, KD and VKD students from that teacher and generator.

- teaching: the kit's teaching regime, a cnn1d_32 teacher on MNIST-1D (15 epochs, refit 8000 steps), mlp_512x2
  students on 1000 samples for 100 epochs (the teaching preset's options). `auto` trains it in fp32 on every CPU.
- images: CIFAR-shaped 3x32x32 images of 10 classes with a learnable signal (a smooth class pattern upsampled
  from 4x4, scaled by 0.2, under unit pixel noise; 2000 training and 1000 test images), a resnet14 teacher (12 epochs,
  refit 2000 steps) and resnet8 students (12 epochs), SGD as the crd-cifar100 preset (lr 0.05, batch 64, cosine).

Prints per regime the mean and standard deviation over seeds of each metric in fp32 and bf16 and of the paired
difference bf16 - fp32; writes every number to OUT.

    OMP_NUM_THREADS=1 .venv/bin/python bench/precision_study.py --regime teaching --seeds 0,1,2,3,4 --jobs 2
"""
import argparse, json, statistics, time
from concurrent.futures import ProcessPoolExecutor
import multiprocessing as mp

def image_data(n_train=2000, n_test=1000, K=10, seed=0):
    "CIFAR-shaped images with a learnable signal: a smooth 3x4x4 class pattern, upsampled, x 0.2, under unit noise."
    import torch, torch.nn.functional as F
    from vkd_nb.data import DataBundle
    g = torch.Generator().manual_seed(1234 + seed)
    protos = F.interpolate(torch.randn(K, 3, 4, 4, generator=g), size=32, mode='bilinear', align_corners=False)
    def make(n):
        y = torch.randint(0, K, (n,), generator=g)
        return 0.2 * protos[y] + torch.randn(n, 3, 32, 32, generator=g), y
    (xtr, ytr), (xte, yte) = make(n_train), make(n_test)
    return DataBundle('pattern32', xtr, ytr, xte, yte, [str(k) for k in range(K)], (3, 32, 32),
                      xtr.mean((0, 2, 3)), xtr.std((0, 2, 3)))

REGIMES = {
    'teaching': dict(teacher='cnn1d_32', student='mlp_512x2', t_epochs=15, s_epochs=100, refine=8000, n_student=1000,
                     t_train={}, s_train={}),
    'images': dict(teacher='resnet14', student='resnet8', t_epochs=12, s_epochs=12, refine=2000, n_student=None,
                   t_train=dict(opt='sgd', lr=0.05, batch_size=64, schedule='cosine', weight_decay=5e-4),
                   s_train=dict(opt='sgd', lr=0.05, batch_size=64, schedule='cosine', weight_decay=5e-4)),
}

def one(regime: str, seed: int, precision: str, root: str) -> dict:
    "Teacher + generator, fidelity, and CE / KD / VKD students of one seed in one precision."
    import torch; torch.set_num_threads(1)
    from vkd_nb.core import seed_everything
    from vkd_nb.data import get_data
    from vkd_nb.models import create_model
    from vkd_nb.cotrain import GeneratorTrainer, train_teacher, fidelity_reports
    from vkd_nb.train import train_student
    from vkd_nb.runs import train_defaults
    r, t0 = REGIMES[regime], time.perf_counter()
    full = get_data('mnist1d', root=root) if regime == 'teaching' else image_data()
    sub = get_data('mnist1d', root=root, n_train=r['n_student']) if r['n_student'] else full
    seed_everything(seed)
    teacher = create_model(r['teacher'], full.num_classes, full.in_shape)
    gen = GeneratorTrainer(full.num_classes, tau=4., seed=seed, device='cpu')
    kw = dict(device='cpu', seed=seed, progress=False, precision=precision)
    rec = train_teacher(teacher, full, r['t_epochs'], gen, refine_steps=r['refine'],
                        **kw, **{**train_defaults('teacher'), **r['t_train']})
    fid = fidelity_reports(teacher, full, gen, 4., 'cpu', seed)
    out = {'regime': regime, 'seed': seed, 'precision': rec['precision'], 'teacher_acc': rec['test_acc'],
           'kl_generator': fid['generator']['mean']['kl'], 'kl_class_mean': fid['class-mean']['mean']['kl']}
    for mode in ('ce', 'kd', 'vkd'):
        seed_everything(seed)
        s = create_model(r['student'], full.num_classes, full.in_shape)
        rs = train_student(s, sub, mode, teacher=teacher, knowledge=gen, epochs=r['s_epochs'], tau=4.,
                           **kw, **{**train_defaults('student'), **r['s_train']})
        out[f'{mode}_acc'] = rs['test_acc']
    out['seconds'] = time.perf_counter() - t0
    return out

METRICS = ('teacher_acc', 'kl_generator', 'kl_class_mean', 'ce_acc', 'kd_acc', 'vkd_acc', 'seconds')

def summary(rows: list, regime: str) -> list:
    "Per metric: fp32 and bf16 mean and std over seeds, and the paired difference bf16 - fp32."
    by = {(x['seed'], x['precision']): x for x in rows if x['regime'] == regime}
    seeds = sorted({s for s, _ in by if (s, 'fp32') in by and (s, 'bf16') in by})
    ms = lambda v: (statistics.mean(v), statistics.stdev(v) if len(v) > 1 else 0.)
    out = []
    for m in METRICS:
        a, b = [by[s, 'fp32'][m] for s in seeds], [by[s, 'bf16'][m] for s in seeds]
        d = [y - x for x, y in zip(a, b)]
        out.append({'metric': m, 'fp32': ms(a), 'bf16': ms(b), 'diff': ms(d), 'seeds': len(seeds),
                    'within_one_sd': abs(ms(d)[0]) <= ms(d)[1]})
    return out

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--regime', default='teaching,images'); p.add_argument('--seeds', default='0,1,2,3,4')
    p.add_argument('--jobs', type=int, default=2); p.add_argument('--root', default='data')
    p.add_argument('--out', default='bench/precision_study.json')
    a = p.parse_args(argv)
    regimes, seeds = a.regime.split(','), [int(s) for s in a.seeds.split(',')]
    jobs = [(g, s, prec) for g in regimes for s in seeds for prec in ('fp32', 'bf16')]
    t0 = time.perf_counter()
    with ProcessPoolExecutor(a.jobs, mp_context=mp.get_context('spawn')) as ex:
        rows = list(ex.map(one, *zip(*jobs), [a.root] * len(jobs)))
    res = {'rows': rows, 'summary': {g: summary(rows, g) for g in regimes}, 'seconds': time.perf_counter() - t0}
    with open(a.out, 'w') as f: json.dump(res, f, indent=1)
    for g in regimes:
        print(f"\n{g} ({len(seeds)} seeds): mean ± std over seeds; paired difference bf16 - fp32")
        print(f"{'metric':<15}{'fp32':>18}{'bf16':>18}{'bf16 - fp32':>20}  within 1 sd")
        for r in res['summary'][g]:
            f = lambda t: f"{t[0]:.4f} ± {t[1]:.4f}"
            print(f"{r['metric']:<15}{f(r['fp32']):>18}{f(r['bf16']):>18}{f(r['diff']):>20}  {r['within_one_sd']}")
    print(f"\nwrote {a.out} ({res['seconds']:.0f} s)")

if __name__ == '__main__': main()
