"""The teaching regime, measured through the dashboard's own code path: CE, KD, VKD and the class-mean control over seeds.

    python bench/teaching_regime.py --seeds 0,1,2,3,4 --jobs 2          # writes vkd_nb/teaching/students.json (~10 min on 2 cores)
    python bench/teaching_regime.py --seeds 0 --modes ce,vkd --out /tmp/t.json

Each run is `Dashboard().train(block=True)` with the dashboard's defaults (the teaching preset: the shipped teaching
teacher, mlp_512x2 students on 1000 MNIST-1D samples, 100 epochs, `STUDENT_DEFAULTS`), only the mode and the seed
set. The file holds each run's test accuracy, its test accuracy per epoch and its wall time from pressing Train
(`seconds`); `vkd_nb.runs.teaching_expectation` and `08_train`'s figure read it.
"""
from __future__ import annotations
import argparse, json, os, platform, tempfile, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
import multiprocessing as mp

def one(mode: str, seed: int, root: str) -> dict:
    "One dashboard run in a fresh process-local dashboard: its row (test accuracy, history, seconds)."
    import torch; torch.set_num_threads(1)
    from vkd_nb.widgets import Dashboard
    db = Dashboard(device='cpu', root=root)
    db.mode.value, db.seed.value = mode, seed
    t0 = time.perf_counter(); db.train(block=True); secs = time.perf_counter() - t0
    row = db.runs[-1]
    if row['status'] != 'completed': raise RuntimeError(f"{mode} seed {seed}: {row['status']} {db.message.value}")
    return {'mode': mode, 'seed': seed, 'test_acc': row['test_acc'], 'history': row['history'], 'seconds': secs,
            'settings': {k: row[k] for k in ('data', 'teacher', 'student', 'tau', 'epochs', 'n_train', 'teacher_epochs', 'refine_steps')}}

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--seeds', default='0,1,2,3,4'); p.add_argument('--modes', default='ce,kd,vkd,class-mean')
    p.add_argument('--jobs', type=int, default=2); p.add_argument('--root', default='data')
    p.add_argument('--out', default=None, help='default: the package\'s vkd_nb/teaching/students.json')
    a = p.parse_args(argv)
    from vkd_nb.cotrain import teaching_run
    from vkd_nb.runs import preset_options, train_defaults
    seeds, modes = [int(s) for s in a.seeds.split(',')], a.modes.split(',')
    t0, jobs = time.perf_counter(), [(m, s) for s in seeds for m in modes]
    with ProcessPoolExecutor(a.jobs, mp_context=mp.get_context('spawn')) as ex:
        rows = list(ex.map(one, *zip(*jobs), [a.root] * len(jobs)))
    for r in rows: print(f"{r['mode']:>10} seed {r['seed']}: {100 * r['test_acc']:.2f} % ({r['seconds']:.0f} s)")
    s = preset_options('student', 'teaching')
    teacher = json.loads((teaching_run()/'metrics.json').read_text())
    out = {'config': {**rows[0]['settings'], 'arch': s['arch'], 'train': train_defaults('student'), 'teacher_acc': teacher['test_acc'],
                      'seeds': seeds, 'measured_with': 'vkd_nb.widgets.Dashboard, its own code path'},
           'modes': {m: {'accs': [r['test_acc'] for r in rows if r['mode'] == m], 'seconds': [r['seconds'] for r in rows if r['mode'] == m],
                         'histories': [r['history'] for r in rows if r['mode'] == m]} for m in modes},
           'made_by': {'command': 'python bench/teaching_regime.py ' + ' '.join(argv or os.sys.argv[1:]), 'jobs': a.jobs,
                       'seconds': time.perf_counter() - t0, 'machine': platform.machine(), 'cpus': os.cpu_count()}}
    path = Path(a.out) if a.out else teaching_run()/'students.json'
    tmp = path.with_suffix('.tmp'); tmp.write_text(json.dumps(out, indent=1)); os.replace(tmp, path)
    print(f"wrote {path}")

if __name__ == '__main__': main()
