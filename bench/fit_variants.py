"""Generator variants on one frozen teacher: fidelity on the test set and on the outputs it was fitted on.

A generator can only learn the outputs it is shown. This script fits `GeneratorTrainer`s with the options given
(one JSON object per variant) on a run's teacher outputs for its fit split (the holdout if the run has one,
else the training set), and reports each variant's fidelity twice: against the teacher on the test set (what
`vkd fidelity` reports) and against the outputs it was fitted on (how well the GAN itself did).

Run (after `vkd teacher ... --out runs/mnist1d_cnn1d32`):
    OMP_NUM_THREADS=1 .venv/bin/python bench/fit_variants.py --teacher runs/mnist1d_cnn1d32 '{}' '{"class_std": false, "minibatch_std": true}'
"""
import argparse, json
from vkd_nb.core import get_device
from vkd_nb.learner import predict_logits
from vkd_nb.cotrain import GeneratorTrainer, load_teacher, rebuild_data
from vkd_nb.fidelity import fidelity, fidelity_table

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('variants', nargs='*', default=['{}'], help='GeneratorTrainer options, one JSON object per variant')
    p.add_argument('--teacher', default='runs/mnist1d_cnn1d32'); p.add_argument('--steps', type=int, default=8000)
    p.add_argument('--tau', type=float, default=4.); p.add_argument('--root', default='data')
    a = p.parse_args()
    dev = get_device('cpu')
    teacher, meta = load_teacher(a.teacher, dev); data = rebuild_data(meta, a.root)
    (lt, yt), (lf, yf) = (predict_logits(teacher, data.eval_loader(s, dev)) for s in ('test', data.fit_split))
    for v in a.variants:
        gen = GeneratorTrainer(data.num_classes, tau=a.tau, **json.loads(v))
        gen.fit(lf, yf, a.steps, progress=False)
        print(f"\nvariant {v}, {a.steps} steps on the teacher's {data.fit_split} outputs")
        for name, (l, y) in (('test set', (lt, yt)), (f'{data.fit_split} outputs', (lf, yf))):
            print(f"against the teacher on its {name}:"); print(fidelity_table({'generator': fidelity(l, y, gen, a.tau)}))

if __name__ == '__main__': main()
