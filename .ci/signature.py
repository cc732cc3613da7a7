#!/usr/bin/env python3
"""Draw the kit's signature picture into nbs/images/signature.png (index.ipynb and README show it).

An MNIST-1D teacher (`cnn1d_32`, 80 % of the training set) co-trains its generator, which is then refitted on the
teacher's outputs for the held-out 20 %; the figure is `plot_knowledge`: for three classes, the teacher's mean
softened distribution on test samples (error bars: spread across samples) next to the generator's and the
class-mean control's. A couple of minutes on one CPU core; deterministic (seed 0). Usage: signature.py [OUT.png]
"""
import sys, tempfile
from pathlib import Path
import torch
from vkd_nb.core import seed_everything
from vkd_nb.data import get_data
from vkd_nb.models import create_model
from vkd_nb.learner import predict_logits
from vkd_nb.fidelity import ClassMeanKnowledge, fidelity
from vkd_nb.cotrain import GeneratorTrainer, train_teacher
from vkd_nb.plots import plot_knowledge

def main(out='nbs/images/signature.png'):
    out = Path(out); out.parent.mkdir(parents=True, exist_ok=True)
    seed_everything(0)
    with tempfile.TemporaryDirectory() as root:
        data = get_data('mnist1d', root=root, num_samples=10000).split_holdout(0.2)
    teacher, gen = create_model('cnn1d_32', 10, data.in_shape), GeneratorTrainer(10, tau=4., seed=0)
    rec = train_teacher(teacher, data, epochs=15, generator=gen, refine_steps=8000, device='cpu', progress=True)
    lt, yt = predict_logits(teacher, data.eval_loader('test', 'cpu'))
    lh, yh = predict_logits(teacher, data.eval_loader('holdout', 'cpu'))
    cm = ClassMeanKnowledge(lh, yh, 10, 4.)
    fig = plot_knowledge(lt, yt, {'generator': gen, 'class-mean': cm}, tau=4., classes=(1, 3, 8), figsize=(11, 3.2))
    fig.suptitle(f"MNIST-1D teacher (cnn1d_32, test acc. {rec['test_acc']:.3f}): softened distributions at τ = 4, "
                 "teacher vs virtual knowledge (error bars: spread across samples)", fontsize=10)
    tmp = out.with_suffix('.tmp.png'); fig.savefig(tmp, dpi=72, bbox_inches='tight'); tmp.replace(out)
    print(f"wrote {out} ({out.stat().st_size / 1e3:.0f} kB); generator KL of class means {fidelity(lt, yt, gen)['mean']['kl']:.4f}")

if __name__ == '__main__': main(*sys.argv[1:2])
