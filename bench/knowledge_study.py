"""What should virtual knowledge be? Source, softness and weight of the knowledge a student distills, measured.

    python bench/knowledge_study.py --out runs/knowledge --jobs 2        # the study (about an hour on 2 cores)
    python bench/knowledge_study.py --quick --out /tmp/ks                 # tiny settings: checks the pipeline, not the science

Resumable: every run keeps its own folder with `metrics.json`; a rerun skips what is done. The results go to
`OUT/results.json` (per run, per setting, with the knowledge's softness), `OUT/results.md` (the tables) and
`OUT/softness.png` (student accuracy against the knowledge's top-1 probability). `nbs/tutorials/what_vkd_learns.ipynb`
reads `results.json` and explains it.
"""
from __future__ import annotations
import argparse, copy, json, math, multiprocessing as mp, os, signal, sys, time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import torch

from vkd_nb.core import get_device, seed_everything

from vkd_nb.files import save_json, RunFolder
from vkd_nb.models import create_model
from vkd_nb.learner import Callback, CancelFitException
from vkd_nb.fidelity import TableKnowledge, knowledge_table, smoothed_table, softness, dark_rank
from vkd_nb.cotrain import GeneratorTrainer, train_teacher, fit_generator, save_teacher, load_teacher, load_generator, rebuild_data
from vkd_nb.train import train_student, class_mean_knowledge, mode_hparams, save_student
from vkd_nb.runs import run_teacher, run_student, run_self

# The study's regime is the kit's demo (`vkd_nb.runs.DEMO`): a cnn1d_32 teacher on all of MNIST-1D's 4000 training samples,
# mlp_512x2 students. Two training-set sizes for the students, with the same number of optimizer steps (~1600).
PLAN = dict(teacher_arch='cnn1d_32', teacher_epochs=15, refine_steps=8000, early=(1, 3, 5), holdout=0.2, arch='mlp_512x2',
            sizes=((1000, 100), (None, 25)),          # (n_train, epochs): None is the full training set
            seeds=(0, 1, 2, 3, 4), tau=4., taus=(1., 2., 8.), weights=(.5, 2.), num_samples=None,
            sweep_sizes=(1000,),                      # the tau and weight sweeps: at the small training set only
            train=dict(opt='adam', lr=1e-3, weight_decay=1e-4, schedule='cosine', batch_size=64))
QUICK = dict(PLAN, teacher_epochs=2, refine_steps=60, early=(1,), sizes=((200, 2), (400, 1)), seeds=(0,), taus=(2.,), weights=(2.,),
             sweep_sizes=(200, 400),
             num_samples=1000)

def size_name(n) -> str: return 'all' if n is None else str(n)

# ---------------------------------------------------------------- knowledge sources

class Snapshots(Callback):
    "Save copies of the teacher's weights after the epochs in `epochs`; stop after the last of them."
    order = 100
    def __init__(self, epochs, stop: bool = False): self.epochs, self.stop, self.states = set(epochs), stop, {}
    def after_epoch(self, learn):
        e = learn.epoch + 1
        if e in self.epochs: self.states[e] = copy.deepcopy(learn.nets['teacher'].state_dict())
        if self.stop and e >= max(self.epochs): raise CancelFitException()

def _data_opts(cfg, n_train=None) -> dict:
    d = {'name': 'mnist1d'}
    if cfg['num_samples']: d['num_samples'] = cfg['num_samples']
    if n_train: d['n_train'] = n_train
    return d

def make_sources(out: Path, cfg: dict, root, dev, log) -> None:
    "The teacher and its generator, the early-checkpoint generators and the holdout teacher's generator (skips what exists)."
    src, opts = out/'sources', _data_opts(cfg)
    if not (src/'teacher'/'generator.pt').exists() or not all((src/f'early{e}'/'generator.pt').exists() for e in cfg['early']):
        t0, bundle = time.perf_counter(), rebuild_data({'data': opts}, root)
        seed_everything(0)
        teacher = create_model(cfg['teacher_arch'], bundle.num_classes, bundle.in_shape)
        gen = GeneratorTrainer(bundle.num_classes, tau=cfg['tau'], seed=0, device=dev)
        snaps = Snapshots(cfg['early'])
        rec = train_teacher(teacher, bundle, cfg['teacher_epochs'], gen, refine_steps=cfg['refine_steps'], device=dev, seed=0,
                            progress=False, cbs=[snaps])
        save_teacher(src/'teacher'/'teacher.pt', teacher, cfg['teacher_arch'], opts, bundle.num_classes, bundle.in_shape)
        gen.save(src/'teacher'/'generator.pt', data=opts, arch=cfg['teacher_arch'], num_classes=bundle.num_classes)
        save_json({'test_acc': rec['test_acc'], 'history': rec['history']}, src/'teacher'/'metrics.json')
        log(f"teacher {cfg['teacher_arch']}: {100 * rec['test_acc']:.2f} % ({time.perf_counter() - t0:.0f} s)")
        for e, sd in snaps.states.items():
            early = create_model(cfg['teacher_arch'], bundle.num_classes, bundle.in_shape); early.load_state_dict(sd)
            g = fit_generator(early, bundle, steps=cfg['refine_steps'], device=dev, progress=False, tau=cfg['tau'], seed=0)
            save_teacher(src/f'early{e}'/'teacher.pt', early, cfg['teacher_arch'], opts, bundle.num_classes, bundle.in_shape)
            g.save(src/f'early{e}'/'generator.pt', data=opts, arch=cfg['teacher_arch'], num_classes=bundle.num_classes)
            log(f"generator fitted to the teacher after epoch {e} ({rec['history'][e - 1]['test_acc'] * 100:.1f} % test accuracy then)")
    if not (src/'holdout'/'metrics.json').exists():
        m = run_teacher(src/'holdout', data='mnist1d', arch=cfg['teacher_arch'], epochs=cfg['teacher_epochs'], tau=cfg['tau'],
                        refine_steps=cfg['refine_steps'], root=root, data_kw={k: v for k, v in opts.items() if k != 'name'},
                        holdout=cfg['holdout'], device=str(dev), seed=0, progress=False, overwrite=True)
        log(f"holdout teacher (trained on {100 * (1 - cfg['holdout']):g} %, generator refit on the rest): {100 * m['test_acc']:.2f} %")

# ---------------------------------------------------------------- settings: what each student distills from

def _gen(out, name) -> str: return str(out/'sources'/name/'generator.pt')

def source_specs(out: Path, cfg: dict, n) -> dict:
    "Knowledge sources -> (family, how a student distills from it): a generator file, the class-mean control, or a table."
    specs = {'class-mean': ('control', {'mode': 'class-mean', 'teacher': str(out/'sources'/'teacher')}),
             'vkd: teacher': ('generator', {'mode': 'vkd', 'generator_path': _gen(out, 'teacher')}),
             **{f'vkd: epoch {e}': ('early generator', {'mode': 'vkd', 'generator_path': _gen(out, f'early{e}')}) for e in cfg['early']},
             'vkd: holdout': ('generator', {'mode': 'vkd', 'generator_path': _gen(out, 'holdout')}),
             'vkd: self-VKD': ('self-VKD generator', {'mode': 'vkd', 'generator_path': str(out/'runs'/size_name(n)/'self-vkd'/'seed0'/'generator.pt')})}
    return specs

def references(out: Path, cfg: dict) -> dict:
    "The rows that are not a knowledge source: CE, KD and self-VKD itself."
    return {'ce': ('reference', 'student', {'mode': 'ce'}), 'kd': ('reference', 'student', {'mode': 'kd', 'teacher': str(out/'sources'/'teacher')}),
            'self-vkd': ('reference', 'self', {})}

def knowledge_of(spec: dict, cfg: dict, n, root, tau: float):
    "The knowledge source of a spec, as an object with `virtual_knowledge` (for its table)."
    if 'table' in spec: return TableKnowledge(torch.tensor(spec['table']))
    if spec['mode'] == 'class-mean':
        teacher, _ = load_teacher(spec['teacher'], 'cpu')
        return class_mean_knowledge(teacher, rebuild_data({'data': _data_opts(cfg, n)}, root), tau)
    return load_generator(spec['generator_path'], 'cpu')

def teacher_table(out: Path, cfg: dict, root, tau: float) -> torch.Tensor:
    "The reference for the dark-knowledge ordering: the teacher's class means on its whole training set at `tau`."
    teacher, _ = load_teacher(out/'sources'/'teacher', 'cpu')
    return class_mean_knowledge(teacher, rebuild_data({'data': _data_opts(cfg)}, root), tau).table(tau)

def matched_smoothing(out: Path, cfg: dict, n, root, names) -> dict:
    "Label smoothing with the top-1 probability of each source in `names` at the default tau, as table sources."
    specs, K = source_specs(out, cfg, n), 10
    res = {}
    for name in names:
        t = knowledge_table(knowledge_of(specs[name][1], cfg, n, root, cfg['tau']), K, cfg['tau'])
        res[f"smoothing ~ {name.split(': ')[-1]}"] = ('matched smoothing', {'mode': 'class-mean', 'table': smoothed_table(K, softness(t)['top1']).tolist()})
    return res

# ---------------------------------------------------------------- runs

def slug(name: str) -> str: return name.replace(': ', '-').replace(' ~ ', '~').replace(' ', '-').replace(',', '')

def setting(n, name, family, kind, spec, tau, weight=1., sweep=None) -> dict:
    suffix = '' if sweep is None else (f', tau {tau:g}' if sweep == 'tau' else f', weight x{weight:g}')
    return dict(size=n, name=name + suffix, source=name, family=family, kind=kind, spec=spec, tau=tau, weight=weight, sweep=sweep)

def _hparams(spec: dict, weight: float) -> dict:
    if spec['mode'] not in ('vkd', 'class-mean') or weight == 1.: return {}
    return {'w_vkd' if spec['mode'] == 'vkd' else 'w_class_mean': .9 * weight}

def run_table_student(out, table, data_kw, arch, epochs, tau, seed, root, device, progress, hparams, **train_kw) -> dict:
    "A student distilling from a fixed (K, K) table of soft labels through the class-mean term (like `run_student`)."
    out, dev, data_opts = Path(out), get_device(device), {'name': 'mnist1d', **data_kw}
    bundle = rebuild_data({'data': data_opts}, root)
    config = dict(data=data_opts, arch=arch, mode='class-mean (table)', table=table, epochs=epochs, tau=tau, hparams=hparams, seed=seed, train=train_kw)
    with RunFolder(out, False, True):
        seed_everything(seed)
        student = create_model(arch, bundle.num_classes, bundle.in_shape)
        rec = train_student(student, bundle, 'class-mean', None, TableKnowledge(torch.tensor(table)), epochs, tau, device=dev, seed=seed,
                            out=out, config=config, progress=progress, **mode_hparams('class-mean', **hparams), **train_kw)
        metrics = {'test_acc': rec['test_acc'], 'status': rec['status'], 'config': config}
        save_json(metrics, out/'metrics.json')
    return metrics

def task_of(out: Path, cfg: dict, s: dict, seed: int, root, dev) -> tuple:
    "(kind, folder, options) of one run of setting `s`."
    n, epochs = s['size'], dict(cfg['sizes'])[s['size']]
    folder = out/'runs'/size_name(n)/slug(s['name'])/f'seed{seed}'
    common = dict(arch=cfg['arch'], epochs=epochs, tau=s['tau'], root=str(root), data_kw={k: v for k, v in _data_opts(cfg, n).items() if k != 'name'},
                  device=str(dev), seed=seed, progress=False, **cfg['train'])
    spec = s['spec']
    if s['kind'] == 'self': return 'self', folder, common
    if 'table' in spec: return 'table', folder, dict(table=spec['table'], hparams=_hparams(spec, s['weight']), **common)
    kw = {k: v for k, v in spec.items()}
    return 'student', folder, dict(data='mnist1d', hparams=_hparams(spec, s['weight']), **kw, **common)

def run_task(kind: str, folder, kw: dict) -> dict:
    "One run (here or in a worker), skipped if its folder holds a finished run: its test accuracy and seconds."
    folder, t0 = Path(folder), time.perf_counter()
    done = folder/'metrics.json'
    if done.exists():
        m = json.loads(done.read_text())
        if m.get('status') == 'completed':   # done by an earlier invocation: its own time, as it recorded it
            return {'test_acc': m['test_acc'], 'status': 'completed', 'seconds': m.get('seconds', 0.), 'cached': True}
    if kind == 'table': m = run_table_student(folder, **kw)
    elif kind == 'self': m = run_self(folder, overwrite=True, data='mnist1d', **kw)
    else: m = run_student(folder, overwrite=True, **kw)
    return {'test_acc': m['test_acc'], 'status': m['status'], 'seconds': time.perf_counter() - t0, 'cached': False}

def _init_worker(threads: int): torch.set_num_threads(threads)

def run_all(tasks: dict, jobs: int, log) -> dict:
    "Run `tasks` (key -> (kind, folder, options)), `jobs` at a time, with a progress bar; key -> result."
    from tqdm.auto import tqdm
    res, bar = {}, tqdm(total=len(tasks), desc='runs', disable=None)
    def done(key, r):
        if r['status'] != 'completed': raise KeyboardInterrupt(f"run {key} ended {r['status']}")
        res[key] = r; bar.update()
        if not r['cached']: bar.set_postfix_str(f"{key[1]} seed {key[2]}: {100 * r['test_acc']:.1f} %")
    try:
        if jobs == 1:
            for key, t in tasks.items(): done(key, run_task(*t))
            return res
        ex = ProcessPoolExecutor(jobs, mp_context=mp.get_context('spawn'), initializer=_init_worker, initargs=(1,))
        try:
            futs = {ex.submit(run_task, *t): key for key, t in tasks.items()}
            for f in as_completed(futs): done(futs[f], f.result())
        except BaseException:                           # interrupted or a run failed: stop the workers too (finished runs are kept)
            for proc in list(getattr(ex, '_processes', {}).values()): proc.terminate()
            ex.shutdown(wait=False, cancel_futures=True); raise
        ex.shutdown()
        return res
    finally: bar.close()

# ---------------------------------------------------------------- the study

def default_settings(out: Path, cfg: dict, n, root) -> list:
    "Every source and reference at the default tau and weight (the self-VKD generator needs self-VKD's seed 0 run first)."
    tau, specs = cfg['tau'], source_specs(out, cfg, n)
    rows = [setting(n, name, fam, kind, spec, tau) for name, (fam, kind, spec) in references(out, cfg).items()]
    rows += [setting(n, name, fam, 'student', spec, tau) for name, (fam, spec) in specs.items()]
    return rows

def smoothing_settings(out: Path, cfg: dict, n, root) -> list:
    names = [k for k in source_specs(out, cfg, n) if k != 'class-mean']
    return [setting(n, name, fam, 'table', spec, cfg['tau']) for name, (fam, spec) in matched_smoothing(out, cfg, n, root, names).items()]

def means_settings(out: Path, cfg: dict, n, root) -> list:
    "The class means of each generator source as a fixed table: what the kit's argument says a VKD student receives in expectation."
    rows = []
    for name, (fam, spec) in source_specs(out, cfg, n).items():
        if spec['mode'] != 'vkd': continue
        t = knowledge_table(knowledge_of(spec, cfg, n, root, cfg['tau']), 10, cfg['tau'])
        rows.append(setting(n, f"means ~ {name.split(': ')[-1]}", 'class means', 'table', {'mode': 'class-mean', 'table': t.tolist()}, cfg['tau']))
    return rows

def sweep_settings(cfg: dict, base: list, accs: dict, n) -> list:
    "tau and weight one at a time, for the teacher's generator and for the best other source at this size."
    cands = [s for s in base if s['size'] == n and s['family'] not in ('reference',) and s['name'] != 'vkd: teacher']
    best = max(cands, key=lambda s: sum(accs[s['name']]) / len(accs[s['name']]))
    rows = []
    for s in [next(s for s in base if s['size'] == n and s['name'] == 'vkd: teacher'), best]:
        rows += [setting(n, s['source'], s['family'], s['kind'], s['spec'], t, sweep='tau') for t in cfg['taus']]
        rows += [setting(n, s['source'], s['family'], s['kind'], s['spec'], cfg['tau'], w, sweep='weight') for w in cfg['weights']]
    return rows

def measure(out: Path, cfg: dict, s: dict, root, ref_cache: dict) -> dict:
    "Softness of the knowledge a setting distills from, at its tau: top-1 probability, entropy, dark-knowledge rank correlation."
    if s['family'] == 'reference': return {}
    tau = s['tau']
    if tau not in ref_cache: ref_cache[tau] = teacher_table(out, cfg, root, tau)
    t = knowledge_table(knowledge_of(s['spec'], cfg, s['size'], root, tau), 10, tau)
    off = t.clone().fill_diagonal_(0).max(1).values          # each class's most likely wrong class
    return {**softness(t), 'dark_rank': dark_rank(t, ref_cache[tau]), 'margin': (t.diag() - off).mean().item(),
            'min_margin': (t.diag() - off).min().item(), 'top_wrong': off.mean().item()}

def _phase(out, cfg, settings, seeds, root, dev, jobs, log) -> dict:
    tasks = {(size_name(s['size']), s['name'], seed): task_of(out, cfg, s, seed, root, dev) for s in settings for seed in seeds}
    res = run_all(tasks, jobs, log)
    return {(s['size'], s['name']): [res[size_name(s['size']), s['name'], seed]['test_acc'] for seed in seeds] for s in settings}

def run_study(out, cfg: dict = PLAN, jobs: int = 2, root='data', device='cpu', log=print) -> dict:
    "All phases of the study; writes and returns `OUT/results.json`."
    out, dev, t0, seeds = Path(out), get_device(device), time.perf_counter(), list(cfg['seeds'])
    out.mkdir(parents=True, exist_ok=True)
    make_sources(out, cfg, root, dev, log)
    sizes = [n for n, _ in cfg['sizes']]
    base = [s for n in sizes for s in default_settings(out, cfg, n, root)]
    first = [s for s in base if s['name'] != 'vkd: self-VKD']
    log(f"phase 1: {len(first)} settings x {len(seeds)} seeds"); accs = _phase(out, cfg, first, seeds, root, dev, jobs, log)
    second = [s for s in base if s['name'] == 'vkd: self-VKD'] + [s for n in sizes for s in smoothing_settings(out, cfg, n, root)]
    log(f"phase 2: {len(second)} settings x {len(seeds)} seeds"); accs.update(_phase(out, cfg, second, seeds, root, dev, jobs, log))
    base += second[len(sizes):]
    sweeps = [s for n in cfg['sweep_sizes'] for s in sweep_settings(cfg, base, {k[1]: v for k, v in accs.items() if k[0] == n}, n)]
    log(f"phase 3: {len(sweeps)} settings x {len(seeds)} seeds"); accs.update(_phase(out, cfg, sweeps, seeds, root, dev, jobs, log))
    means = [s for n in sizes for s in means_settings(out, cfg, n, root)]
    log(f"phase 4: {len(means)} settings x {len(seeds)} seeds"); accs.update(_phase(out, cfg, means, seeds, root, dev, jobs, log))
    ref_cache, rows = {}, []
    for s in base + sweeps + means:
        rows.append({k: v for k, v in s.items() if k != 'spec'} | {'accs': accs[s['size'], s['name']], 'softness': measure(out, cfg, s, root, ref_cache)})
    teacher = json.loads((out/'sources'/'teacher'/'metrics.json').read_text())
    res = {'config': {k: v for k, v in cfg.items()}, 'seeds': seeds, 'teacher_acc': teacher['test_acc'],
           'early_acc': {e: teacher['history'][e - 1]['test_acc'] for e in cfg['early']},
           'holdout_acc': json.loads((out/'sources'/'holdout'/'metrics.json').read_text())['test_acc'],
           'rows': rows, 'seconds': time.perf_counter() - t0}     # this invocation's wall time (a resumed one skips finished runs)
    save_json(res, out/'results.json')
    return res

# ---------------------------------------------------------------- analysis

def mean_std(xs) -> tuple:
    m = sum(xs) / len(xs)
    return m, (sum((x - m)**2 for x in xs) / (len(xs) - 1))**0.5 if len(xs) > 1 else 0.

def paired(a, b) -> tuple:
    "Mean and std of the per-seed differences a - b (in points)."
    return mean_std([100 * (x - y) for x, y in zip(a, b)])

def _f(x, fmt='.3f') -> str: return '—' if x is None or (isinstance(x, float) and math.isnan(x)) else format(x, fmt)

def results_table(res: dict, size) -> str:
    "Markdown: one line per setting at training-set size `size`: the knowledge's softness, accuracy, paired differences."
    rows = [r for r in res['rows'] if r['size'] == size]
    by = {r['name']: r for r in rows}
    cm, kd = by['class-mean']['accs'], by['kd']['accs']
    out = ['| setting | top-1 | entropy | dark rank | test accuracy (%) | vs class-mean | vs KD |', '|---|---|---|---|---|---|---|']
    for r in rows:
        s, (m, sd) = r['softness'], mean_std([100 * a for a in r['accs']])
        d1 = '' if r['name'] == 'class-mean' else '{:+.2f} ± {:.2f}'.format(*paired(r['accs'], cm))
        d2 = '' if r['name'] == 'kd' else '{:+.2f} ± {:.2f}'.format(*paired(r['accs'], kd))
        out.append(f"| {r['name']} | {_f(s.get('top1'))} | {_f(s.get('entropy'), '.2f')} | {_f(s.get('dark_rank'), '.2f')} | "
                   f"{m:.2f} ± {sd:.2f} | {d1} | {d2} |")
    return '\n'.join(out)

def differences(res: dict, pairs, sizes=None) -> str:
    "Markdown: for each (a, b) in `pairs`, the paired difference a - b (points, mean ± std over seeds) at each training-set size."
    sizes = sizes or list(dict.fromkeys(r['size'] for r in res['rows']))
    by = {(r['size'], r['name']): r['accs'] for r in res['rows']}
    out = ['| difference | ' + ' | '.join(f"{'all' if n is None else n} samples" for n in sizes) + ' |', '|---' * (len(sizes) + 1) + '|']
    for a, b in pairs:
        cells = ['{:+.2f} ± {:.2f}'.format(*paired(by[n, a], by[n, b])) if (n, a) in by and (n, b) in by else '' for n in sizes]
        out.append(f"| {a} − {b} | " + ' | '.join(cells) + ' |')
    return '\n'.join(out)

MARKERS = {'control': ('s', 'k'), 'generator': ('o', 'C0'), 'early generator': ('v', 'C1'), 'self-VKD generator': ('D', 'C2'),
           'matched smoothing': ('x', 'C3'), 'class means': ('P', 'C5')}

def _place_labels(ax, notes: list, fontsize: float = 6.5):
    "Annotate points (x, y, text) so that no two labels overlap: each goes right of its point, moved down until it is clear."
    ax.figure.canvas.draw()
    placed, h = [], fontsize * 1.5                       # boxes in points: (x0, y0, x1, y1)
    to_pt = lambda x, y: ax.transData.transform((x, y)) * 72 / ax.figure.dpi
    for x, y, text in sorted(notes, key=lambda n: -n[1]):
        px, py = to_pt(x, y)
        w, dy = len(text) * fontsize * 0.6, 2.
        while any(px + 4 < b[2] and b[0] < px + 4 + w and py + dy < b[3] and b[1] < py + dy + h for b in placed) and dy > -60:
            dy -= h / 2
        placed.append((px + 4, py + dy, px + 4 + w, py + dy + h))
        ax.annotate(text, (x, y), fontsize=fontsize, xytext=(4, dy), textcoords='offset points',
                    arrowprops=dict(arrowstyle='-', lw=.3, color='0.5') if dy < -h else None)

def plot_softness(res: dict, path=None):
    "Student accuracy against the top-1 probability of its knowledge, one point per source and setting; CE and KD as lines."
    import matplotlib.pyplot as plt
    sizes = list(dict.fromkeys(r['size'] for r in res['rows']))
    fig, axs = plt.subplots(1, len(sizes), figsize=(6 * len(sizes), 4.6), squeeze=False)
    for ax, n in zip(axs[0], sizes):
        rows, notes = [r for r in res['rows'] if r['size'] == n], []
        for r in rows:
            m, sd = mean_std([100 * a for a in r['accs']])
            if r['family'] == 'reference':
                if r['name'] in ('ce', 'kd'):      # CE's label at the left, KD's at the right: they never collide
                    ax.axhline(m, ls='--' if r['name'] == 'ce' else ':', c='gray', lw=1)
                    x, ha = (0.005, 'left') if r['name'] == 'ce' else (0.995, 'right')
                    ax.text(x, m, r['name'].upper(), va='bottom', ha=ha, fontsize=8, c='gray', transform=ax.get_yaxis_transform())
                continue
            mk, c = MARKERS.get(r['family'], ('o', 'C4'))
            hollow = r['sweep'] is not None
            ax.errorbar(r['softness']['top1'], m, yerr=sd, fmt=mk, c=c, mfc='none' if hollow else c, ms=6, capsize=2, lw=1,
                        label=None if hollow else r['family'])
            if hollow or r['family'] in ('early generator',):
                label = (f"τ={r['tau']:g}" if r['sweep'] == 'tau' else f"w×{r['weight']:g}") if hollow else r['name'].split(': ')[-1]
                notes.append((r['softness']['top1'], m, label))
        for r in rows:                                  # each matched smoothing next to its source: the same softness, with and without class order
            if r['family'] == 'matched smoothing' and r['sweep'] is None:
                src = next((x for x in rows if x['name'] == 'vkd: ' + r['source'].split(' ~ ')[1]), None)
                if src is not None: ax.plot([src['softness']['top1'], r['softness']['top1']],
                                            [mean_std([100 * a for a in x['accs']])[0] for x in (src, r)], c='C3', lw=.6, alpha=.5)
        _place_labels(ax, notes)

        ax.set(xlabel='top-1 probability of the knowledge (class means, at its tau)', ylabel='student test accuracy (%)',
               title=f"students on {'all' if n is None else n} training samples (hollow: τ and weight sweeps)")
    keep = {}                                           # one legend for both panels, under them: it hides no point
    for ax in axs[0]:
        for h, l in zip(*ax.get_legend_handles_labels()): keep.setdefault(l, h)
    fig.legend(keep.values(), keep.keys(), fontsize=7, loc='lower center', ncol=len(keep), frameon=False)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    if path is not None: fig.savefig(path, dpi=80)
    return fig

def write_report(res: dict, out: Path) -> None:
    sizes = list(dict.fromkeys(r['size'] for r in res['rows']))
    md = [f"# What should virtual knowledge be? (teacher {100 * res['teacher_acc']:.2f} %, {len(res['seeds'])} seeds)\n"]
    for n in sizes: md += [f"\n## Students on {'all' if n is None else n} training samples\n", results_table(res, n)]
    (out/'results.md').write_text('\n'.join(md) + '\n')
    plot_softness(res, out/'softness.png')

def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--out', default='runs/knowledge', help='study folder (resumable)')
    p.add_argument('--jobs', type=int, default=2, help='runs at once (one CPU thread each)')
    p.add_argument('--quick', action='store_true', help='tiny settings that check the pipeline in under a minute (not the science)')
    p.add_argument('--root', default='data', help='dataset cache folder')
    args = p.parse_args(argv)
    if args.jobs < 1: p.error(f"--jobs must be at least 1, got {args.jobs}")
    torch.set_num_threads(1)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt('terminated')))   # `kill`: stop the workers as Ctrl-C does
    res = run_study(args.out, QUICK if args.quick else PLAN, args.jobs, args.root)
    write_report(res, Path(args.out))
    print((Path(args.out)/'results.md').read_text())
    print(f"figure: {Path(args.out)/'softness.png'}; {res['seconds']:.0f} s")
    return 0

if __name__ == '__main__': sys.exit(main())
