#!/usr/bin/env python3
"""Write the kit's teaching teacher into the package: vkd_nb/teaching/{teacher.pt, generator.pt, metrics.json}.

`vkd_nb.runs.run_teacher` with the default teacher settings (`TEACHER_DEFAULTS`: a cnn1d_32 on all 4000 MNIST-1D
training samples, 15 epochs, its generator co-trained and refit for 8000 GAN steps), seed 0, on the CPU with one
thread; then only what students need: the teacher, the exported EMA generator (`export_generator`) and the run's
metrics. The dashboard, `vkd student --teacher teaching`, `make demo` and assignment 4 read it, so a first run does
not wait for a teacher. One to two minutes on one core. Usage: teaching.py [--check] [OUT_DIR]

--check trains it again into a temporary folder and compares with the shipped files (weights bit for bit).
"""
import json, os, platform, shutil, sys, tempfile
from pathlib import Path
import torch
from vkd_nb.runs import run_teacher, TEACHER_DEFAULTS
from vkd_nb.cotrain import export_generator, load_teacher, load_generator, teaching_run

def build(out: Path) -> dict:
    "Train the teaching teacher and write its three files into `out` (each atomically); its metrics."
    torch.set_num_threads(1)
    d = {k: v for k, v in TEACHER_DEFAULTS.items() if k not in ('data', 'arch', 'epochs', 'tau')}
    with tempfile.TemporaryDirectory() as tmp:
        run = Path(tmp)/'run'
        m = run_teacher(run, data=TEACHER_DEFAULTS['data'], arch=TEACHER_DEFAULTS['arch'], epochs=TEACHER_DEFAULTS['epochs'],
                        tau=TEACHER_DEFAULTS['tau'], refine_steps=8000, device='cpu', seed=0, progress=True, **d)
        out.mkdir(parents=True, exist_ok=True)
        export_generator(run, Path(tmp)/'generator.pt')
        m['made_by'] = {'command': 'make teaching-teacher (.ci/teaching.py)', 'torch': torch.__version__,
                        'machine': platform.machine(), 'threads': 1}
        (Path(tmp)/'metrics.json').write_text(json.dumps(m, indent=1, default=str))
        for src in (run/'teacher.pt', Path(tmp)/'generator.pt', Path(tmp)/'metrics.json'):
            shutil.copyfile(src, out/(src.name + '.tmp')); os.replace(out/(src.name + '.tmp'), out/src.name)
    return m

def same(a: Path, b: Path) -> bool:
    "Whether two teaching folders hold the same teacher and generator weights, bit for bit."
    (ta, _), (tb, _) = load_teacher(a), load_teacher(b)
    ga, gb = load_generator(a), load_generator(b)
    pairs = [*zip(ta.state_dict().values(), tb.state_dict().values()), *zip(ga.G_ema.state_dict().values(), gb.G_ema.state_dict().values())]
    return all(torch.equal(x, y) for x, y in pairs)

if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if a != '--check']
    if '--check' in sys.argv:
        with tempfile.TemporaryDirectory() as tmp:
            build(Path(tmp))
            ok = same(Path(tmp), teaching_run())
        print('the shipped teaching teacher is reproduced bit for bit' if ok else 'the retrained teacher differs from the shipped one')
        sys.exit(0 if ok else 1)
    out = Path(args[0]) if args else Path('vkd_nb')/'teaching'
    m = build(out)
    print(f"teaching teacher: test accuracy {m['test_acc']:.4f}, fidelity {m['fidelity']}; wrote {out}/")
