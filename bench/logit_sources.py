"""Does a generator's sample spread matter for losses non-linear in their target? KD, DKD, DIST, KD + LS, DKD + LS and
CTKD, each reading its target from the teacher, the generator and the class means, in the teaching regime.

    python bench/logit_sources.py --seeds 0,1,2,3,4 --jobs 2 --out runs/logit_sources   # ~40 min on 2 cores
    python bench/logit_sources.py --arch cnn1d_16 --out runs/logit_sources_cnn       # the methods study's students
    python bench/logit_sources.py --seeds 0 --methods kd,dist --epochs 2 --out /tmp/ls  # checks the pipeline only

Every run is `vkd_nb.runs.run_student(preset='teaching')`: the shipped teaching teacher (cnn1d_32) and its generator,
mlp_512x2 students on 1000 MNIST-1D samples, 100 epochs, the kit's student defaults; only the mode and the seed
change (`--arch cnn1d_16`: the methods study's 1-D CNN students, `tutorials/vkd_study_mnist1d`). Each run keeps its
folder under OUT (a rerun skips finished runs). The results (last and best epoch's test accuracy per run, per-epoch
test accuracy) go to `nbs/tutorials/results/logit_sources.json` (`logit_sources_ARCH.json` with `--arch`), which
`nbs/tutorials/logit_sources.ipynb` reads.
"""
from __future__ import annotations
import argparse, json, os, platform, re, time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
import multiprocessing as mp

METHODS = {'KD': 'kd', 'DKD': 'dkd', 'DIST': 'dist', 'KD + LS': 'kd:ls', 'DKD + LS': 'dkd:ls', 'CTKD': 'ctkd'}
SOURCES = ('teacher', 'generator', 'class-mean')
RESULTS = Path(__file__).parent.parent/'nbs'/'tutorials'/'results'/'logit_sources.json'

def mode_of(spec: str, source: str) -> str:
    "The mode of a method spec read from `source`: 'dkd:ls' from the generator is 'dkd:generator:ls'."
    name, *opts = spec.split(':')
    return ':'.join([name] + ([] if source == 'teacher' else [source]) + opts)

def one(mode: str, seed: int, out: str, epochs: int|None, arch: str|None = None) -> dict:
    "One student run (skipped when its folder holds a completed one): last and best test accuracy, history."
    import torch; torch.set_num_threads(1)
    from vkd_nb.runs import run_student
    folder = Path(out)/mode.replace(':', '_')/f'seed{seed}'
    done = folder/'metrics.json'
    m = json.loads(done.read_text()) if done.exists() else None
    if m is None or m.get('status') != 'completed':
        m = run_student(folder, mode=mode, preset='teaching', arch=arch, epochs=epochs, seed=seed, device='cpu', progress=False,
                        overwrite=True)
    if m['status'] != 'completed': raise RuntimeError(f"{mode} seed {seed}: {m['status']}")
    r = lambda a: round(a, 6)                  # accuracies are counts over the test set: 6 decimals lose nothing
    return {'mode': mode, 'seed': seed, 'last': r(m['test_acc']), 'best': r(m['best_test_acc']),
            'best_epoch': m['best_epoch'], 'history': [r(h['test_acc']) for h in m['history']],
            'seconds': m.get('seconds', 0.), 'config': m['config']}

def dumps(obj) -> str:
    "JSON with one line per list of numbers (readable diffs, a quarter of the size)."
    return re.sub(r'\[\s+([-+.\deE,\s]*?)\s+\]', lambda m: '[' + ' '.join(m.group(1).split()) + ']',
                  json.dumps(obj, indent=1))

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--seeds', default='0,1,2,3,4'); p.add_argument('--methods', default=','.join(METHODS.values()))
    p.add_argument('--jobs', type=int, default=2); p.add_argument('--out', default='runs/logit_sources')
    p.add_argument('--epochs', type=int, default=None, help="default: the teaching regime's 100")
    p.add_argument('--arch', default=None, help="the students' network (default: the teaching regime's mlp_512x2)")
    p.add_argument('--results', default=None, help=f'default: {RESULTS} (with --arch: logit_sources_ARCH.json)')
    a = p.parse_args(argv)
    seeds, specs = [int(s) for s in a.seeds.split(',')], a.methods.split(',')
    modes = ['ce'] + [mode_of(s, src) for s in specs for src in SOURCES]
    jobs, t0, rows = [(m, s) for s in seeds for m in modes], time.perf_counter(), []
    with ProcessPoolExecutor(a.jobs, mp_context=mp.get_context('spawn')) as ex:
        futs = [ex.submit(one, m, s, a.out, a.epochs, a.arch) for m, s in jobs]
        for i, f in enumerate(as_completed(futs)):
            r = f.result(); rows.append(r)
            print(f"[{i + 1}/{len(jobs)}] {r['mode']:>20} seed {r['seed']}: last {100 * r['last']:.2f} %, "
                  f"best {100 * r['best']:.2f} % (epoch {r['best_epoch']})", flush=True)
    rows.sort(key=lambda r: (modes.index(r['mode']), r['seed']))
    cfg = {k: rows[0]['config'][k] for k in ('data', 'arch', 'epochs', 'tau', 'train')}
    out = {'config': {**cfg, 'teacher': 'the shipped teaching teacher (cnn1d_32) and its generator', 'seeds': seeds,
                      'methods': {name: spec for name, spec in METHODS.items() if spec in specs}, 'sources': SOURCES},
           'runs': {m: {k: [r[k] for r in rows if r['mode'] == m] for k in ('seed', 'last', 'best', 'best_epoch',
                                                                           'history')} for m in modes},
           'hparams': {m: next(r['config']['hparams'] for r in rows if r['mode'] == m) for m in modes},
           'made_by': {'command': 'python bench/logit_sources.py ' + ' '.join(argv or os.sys.argv[1:]), 'jobs': a.jobs,
                       'seconds': time.perf_counter() - t0, 'machine': platform.machine(), 'cpus': os.cpu_count()}}
    path = Path(a.results) if a.results else RESULTS.with_name(f'logit_sources_{a.arch}.json') if a.arch else RESULTS
    tmp = path.with_suffix('.tmp'); tmp.write_text(dumps(out)); os.replace(tmp, path)
    print(f"wrote {path}")

if __name__ == '__main__': main()
