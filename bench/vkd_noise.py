"""Where does VKD's benefit come from: the generator's class means, or its noise z?

In expectation over z, the gradient of KD_tau(p_tau(G(z, y)), s) equals the gradient of distilling the generator's
class-mean distribution E_z[p_tau(G(z, y))]: the student's gradient, tau (q - p), is affine in the target p (the
term itself is not: its entropy part is convex in p, but does not depend on the student). So a VKD student differs
from one distilling the generator's class means only by zero-mean noise in its gradient. This script trains students
of the teaching regime (mlp_512x2 on 1000 MNIST-1D samples, the shipped teaching teacher) three ways, same seeds:

  vkd           fresh z at every step (the real thing)
  g-mean        the generator's class means, no noise (G averaged over 4096 draws of z per class)
  class-mean    the teacher's class means on the student's training set (the control)

Run (it writes the results file that `nbs/tutorials/vkd_study_mnist1d.ipynb` reads):
    OMP_NUM_THREADS=1 .venv/bin/python bench/vkd_noise.py --seeds 0,1,2,3,4 --out nbs/tutorials/results/vkd_noise.json
"""
import argparse, json, statistics, time
from pathlib import Path
import torch
from vkd_nb.core import get_device, seed_everything
from vkd_nb.cotrain import load_generator, load_teacher, rebuild_data
from vkd_nb.models import create_model
from vkd_nb.train import train_student, class_mean_knowledge
from vkd_nb.runs import DEMO, TRAIN_OPTIONS
from vkd_nb.fidelity import kl_div

class GeneratorMean:
    "The generator's class-mean softened distributions (no noise), with the interface of a generator."
    def __init__(self, gen, tau: float, draws: int = 4096):
        K, g = gen.num_classes, torch.Generator().manual_seed(12345)
        y = torch.arange(K).repeat_interleave(draws)
        self.table = gen.virtual_knowledge(y, tau, g).reshape(K, draws, K).mean(1)
        self.num_classes, self.tau, self.meta = K, tau, gen.meta
    def virtual_knowledge(self, y, tau=None, generator=None): return self.table.to(y.device)[y]

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--teacher', default='teaching', help="a teacher's run folder (default: the shipped teaching teacher)")
    p.add_argument('--seeds', default='0,1,2,3,4')
    p.add_argument('--root', default='data'); p.add_argument('--out', default='runs/vkd_noise.json')
    a = p.parse_args()
    dev = get_device('cpu')
    gen = load_generator(a.teacher, dev); teacher, meta = load_teacher(a.teacher, dev)
    data = rebuild_data({'data': {**meta['data'], 'n_train': DEMO['n_train']}}, a.root)
    tau = DEMO['tau']
    gm, cm = GeneratorMean(gen, tau), class_mean_knowledge(teacher, data, tau)
    kl = kl_div(cm.table(tau), gm.table).mean().item()
    print(f"KL(teacher class means || generator class means), mean over classes: {kl:.4f}")
    train = {k: DEMO[k] for k in TRAIN_OPTIONS}
    res = {}
    for name, knowledge in (('vkd', gen), ('g-mean', gm), ('class-mean', cm)):
        accs = []
        for seed in map(int, a.seeds.split(',')):
            seed_everything(seed); student = create_model(DEMO['arch'], data.num_classes, data.in_shape)
            mode = 'class-mean' if name == 'class-mean' else 'vkd'
            r = train_student(student, data, mode, None, knowledge, DEMO['epochs'], tau, device=dev, seed=seed, progress=False, **train)
            accs.append(r['test_acc'])
        res[name] = accs
        print(f"{name:>11}: {100 * statistics.mean(accs):.2f} ± {100 * statistics.stdev(accs):.2f}  {[round(100 * x, 1) for x in accs]}", flush=True)
    out = {'config': {'teacher': a.teacher, 'seeds': a.seeds, 'regime': {k: DEMO[k] for k in ('arch', 'n_train', 'epochs', 'tau')},
                      'kl_class_means': kl, 'command': 'python bench/vkd_noise.py --seeds ' + a.seeds + ' --out ' + a.out},
           'accs': res}
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(a.out).with_suffix('.tmp'); tmp.write_text(json.dumps(out, indent=1)); tmp.replace(a.out)

if __name__ == '__main__': main()
