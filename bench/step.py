"""Student step time: CE vs KD vs VKD, and how the cost of KD and of VKD grows with the teacher's size.

Times the library's own student steps (`vkd_nb.train.student_step`: forward, loss, backward, SGD step) on random
32x32 CIFAR-shaped batches. CE, KD and VKD steps are interleaved and repeated. On CPU the clock is the process's
CPU time (run with OMP_NUM_THREADS=1: one thread), which other processes on a shared machine barely disturb; on
CUDA it is wall time with synchronization. VKD's extra cost is a forward pass of the generator (a
small MLP); KD's is a forward pass of the teacher, so only KD's ratio grows with the teacher.

Run:  OMP_NUM_THREADS=1 .venv/bin/python bench/step.py [--device cpu] [--batch 64] [--out runs/bench]
Writes OUT/step.json and OUT/step.png (KD/CE and VKD/CE against the teacher's size) and prints a table.
With `--methods all` (or a list): a column per distillation method of the registry instead — its step time alone
and + VKD over CE's, and what + VKD adds to it — written to OUT/methods.json. A logit method read from another
source is a method here too: `--methods dist,dist:generator,dkd:generator:ls` (from the generator it runs no
teacher forward; one read from the class means cannot be combined with VKD, so it is refused here).
"""
import argparse, json, statistics, time
from types import SimpleNamespace
from pathlib import Path
import torch
from vkd_nb.core import get_device, autocast
from vkd_nb.models import create_model, num_params
from vkd_nb.learner import make_optimizer
from vkd_nb.cotrain import GeneratorTrainer
from vkd_nb.train import student_step, parse_mode, mode_hparams, uses_teacher, uses_generator

def _sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize()

def build_step(student, mode, teacher, gen, xb, noise):
    "The library's student step of `mode`, with the modules its methods bring (built from one probe of both networks)."
    parts, hp = parse_mode(mode), mode_hparams(mode)
    modules, data = {}, SimpleNamespace(y_train=torch.arange(50_000) % 100)     # CRD's memory bank: CIFAR-100's 50 000 samples
    if any(m.modules is not None for m in parts):
        with torch.no_grad(): (fs, _), (ft, _) = student(xb[:2], return_features=True), teacher(xb[:2], return_features=True)
        modules = {k: v.to(xb.device) for m in parts if m.modules is not None for k, v in m.modules(fs, ft, hp, data).items()}
    step = student_step(student, parts, hp, 4., teacher if uses_teacher(mode) else None, gen if uses_generator(mode) else None,
                        modules, noise)
    return step, modules

def bench_precision(dev) -> str:
    """What 'auto' times here: bf16 on CUDA, fp32 on a CPU, the precisions the kit's tables were measured in (the
    Learner's own choice depends on the network: `bench/precision.py` compares fp32 and bf16 step by step)."""
    return 'bf16' if dev.type == 'cuda' else 'fp32'

def step_seconds(student, mode, teacher, gen, xb, yb, opt, steps, dev, noise, precision='auto'):
    """Seconds per training step of `student` in `mode` (its methods' modules trained too), over `steps` steps;
    precision 'auto': `bench_precision`."""
    if precision == 'auto': precision = bench_precision(dev)
    step, modules = build_step(student, mode, teacher, gen, xb, noise)
    idx = (torch.arange(len(yb), device=dev),) if any(m.needs_index for m in parse_mode(mode)) else ()
    extra = [p for m in modules.values() for p in m.parameters()]
    mod_opt = make_optimizer(extra, 'sgd', 0.01) if extra else None
    clock = time.perf_counter if dev.type == 'cuda' else time.process_time
    _sync(dev); t0 = clock()
    for _ in range(steps):
        with autocast(dev, precision): loss, _, _ = step(xb, yb, 0, *idx)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
        if mod_opt is not None: mod_opt.step(); mod_opt.zero_grad(set_to_none=True)
    _sync(dev)
    return (clock() - t0) / steps

def gflops(model, shape=(3, 32, 32)) -> float:
    "Forward GFLOPs of `model` for one sample (PyTorch's FLOP counter; a multiply-add counts 2)."
    from torch.utils.flop_counter import FlopCounterMode
    was = model.training; model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as fc: model(torch.randn(1, *shape, device=next(model.parameters()).device))
    model.train(was)
    return fc.get_total_flops() / 1e9

def extra_seconds(mode, teacher, gen, xb, yb, dev, noise, n=20):
    "Seconds per step of the work a mode adds to a CE step: VKD's generator forward and KD term, or KD's teacher forward and KD term."
    from vkd_nb.core import kd_term, kd_term_logits
    clock = time.perf_counter if dev.type == 'cuda' else time.process_time
    s = torch.randn(len(yb), gen.num_classes, device=dev, requires_grad=True)   # stands for the student's logits
    precision = bench_precision(dev)
    def once():
        with autocast(dev, precision):
            if mode == 'vkd': loss = kd_term(gen.virtual_knowledge(yb, 4., noise), s, 4.)
            else:
                with torch.no_grad(): t = teacher(xb)
                loss = kd_term_logits(t, s, 4.)
        loss.backward()
    once(); _sync(dev); t0 = clock()
    for _ in range(n): once()
    _sync(dev)
    return (clock() - t0) / n

def bench_pair(teacher_name, student_name, batch, steps, repeats, dev, K=100):
    "Median seconds per step of CE, KD and VKD for one teacher-student pair, interleaved."
    torch.manual_seed(0)
    teacher = create_model(teacher_name, K).to(dev).eval().requires_grad_(False)
    student = create_model(student_name, K).to(dev).train()
    if dev.type == 'cuda':
        teacher.to(memory_format=torch.channels_last); student.to(memory_format=torch.channels_last)
    gen = GeneratorTrainer(K, device=dev)
    opt = make_optimizer(student.parameters(), 'sgd', 0.01)
    xb = torch.randn(batch, 3, 32, 32, device=dev); yb = torch.randint(0, K, (batch,), device=dev)
    if dev.type == 'cuda': xb = xb.contiguous(memory_format=torch.channels_last)
    noise = torch.Generator().manual_seed(0)
    times = {m: [] for m in ('ce', 'kd', 'vkd')}
    for m in times: step_seconds(student, m, teacher, gen, xb, yb, opt, 1, dev, noise)     # warm-up
    for _ in range(repeats):
        for m in times: times[m].append(step_seconds(student, m, teacher, gen, xb, yb, opt, steps, dev, noise))
    # On a shared machine other processes only ever add time: the fastest repeat of each mode is the least disturbed
    # estimate of its cost, and ratios of minima are the headline; the median of the ratios within each repeat
    # (the modes ran back to back) is reported next to them.
    best = {m: min(v) for m, v in times.items()}
    extra = {'vkd': extra_seconds('vkd', teacher, gen, xb, yb, dev, noise, 200), 'kd': extra_seconds('kd', teacher, gen, xb, yb, dev, noise, 3)}
    paired = {m: statistics.median(a / c for a, c in zip(times[m], times['ce'])) for m in ('kd', 'vkd')}
    return {'teacher': teacher_name, 'student': student_name, 'teacher_params': num_params(teacher), 'teacher_gflops': gflops(teacher),
            'student_gflops': gflops(student),
            **{f'{m}_s': v for m, v in best.items()}, 'kd/ce': best['kd'] / best['ce'], 'vkd/ce': best['vkd'] / best['ce'],
            'kd/ce paired median': paired['kd'], 'vkd/ce paired median': paired['vkd'],
            'vkd_extra_s': extra['vkd'], 'kd_extra_s': extra['kd'],
            'vkd/ce from extra': 1 + extra['vkd'] / best['ce'], 'kd/ce from extra': 1 + extra['kd'] / best['ce'], 'raw': times}

def bench_methods(teacher_name, student_name, methods, batch, steps, repeats, dev, K=100) -> list:
    "Per method: step time alone and + VKD over CE's, for one teacher-student pair (modes interleaved; fastest repeat of each)."
    torch.manual_seed(0)
    teacher = create_model(teacher_name, K).to(dev).eval().requires_grad_(False)
    student = create_model(student_name, K).to(dev).train()
    if dev.type == 'cuda': teacher.to(memory_format=torch.channels_last); student.to(memory_format=torch.channels_last)
    gen, noise = GeneratorTrainer(K, device=dev), torch.Generator().manual_seed(0)
    opt = make_optimizer(student.parameters(), 'sgd', 0.01)
    xb, yb = torch.randn(batch, 3, 32, 32, device=dev), torch.randint(0, K, (batch,), device=dev)
    if dev.type == 'cuda': xb = xb.contiguous(memory_format=torch.channels_last)
    modes = ['ce', *[x for m in methods for x in (m, f'{m}+vkd')]]
    times = {m: [] for m in modes}
    for m in modes: step_seconds(student, m, teacher, gen, xb, yb, opt, 1, dev, noise)          # warm-up
    for _ in range(repeats):
        for m in modes: times[m].append(step_seconds(student, m, teacher, gen, xb, yb, opt, steps, dev, noise))
    best = {m: min(v) for m, v in times.items()}
    return [{'method': m, 'alone/ce': best[m] / best['ce'], 'vkd/ce': best[f'{m}+vkd'] / best['ce'],
             '(+vkd)/alone': best[f'{m}+vkd'] / best[m], 'alone_s': best[m], 'vkd_s': best[f'{m}+vkd'], 'ce_s': best['ce']} for m in methods]

def main_methods(a, dev, out):
    "`--methods`: one column per method, alone and + VKD, for the headline pair."
    from vkd_nb.train import METHODS, needs_teacher
    methods = a.methods.split(',') if a.methods != 'all' else [n for n, m in METHODS.items() if needs_teacher(n) and m.knowledge is None]
    cm = [m for m in methods if any(x.knowledge == 'class-mean' for x in parse_mode(m))]
    if cm: raise SystemExit(f"--methods {', '.join(cm)}: read from the class means, they cannot be timed + vkd (two sources "
                            "of virtual knowledge in one mode); leave them out")
    rows = bench_methods(a.pair_teacher, a.student, methods, a.batch, a.steps, a.repeats, dev)
    print(f"{a.pair_teacher} -> {a.student}, batch {a.batch}, {dev}: step time over CE's (fastest of {a.repeats} repeats of {a.steps} steps)")
    print(f"{'':<14}" + ''.join(f"{r['method']:>9}" for r in rows))
    for k in ('alone/ce', 'vkd/ce', '(+vkd)/alone'): print(f"{k:<14}" + ''.join(f"{r[k]:>9.3f}" for r in rows))
    json.dump({'device': str(dev), 'batch': a.batch, 'pair': [a.pair_teacher, a.student], 'rows': rows}, open(out/'methods.json', 'w'), indent=1)
    print(f"\nwrote {out/'methods.json'}")

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--student', default='resnet8x4')
    p.add_argument('--pair-teacher', default='resnet32x4', help='the teacher of the headline pair')
    p.add_argument('--teachers', default='resnet8x4,resnet20,resnet56,wrn_40_2,resnet110,resnet32x4,vgg13,ResNet50',
                   help='teachers of the sweep, comma-separated')
    p.add_argument('--batch', type=int, default=64); p.add_argument('--steps', type=int, default=3)
    p.add_argument('--repeats', type=int, default=7); p.add_argument('--sweep-repeats', type=int, default=5)
    p.add_argument('--device', default='cpu'); p.add_argument('--out', default='runs/bench')
    p.add_argument('--plot-only', action='store_true', help='redraw OUT/step.png from OUT/step.json')
    p.add_argument('--methods', default=None, metavar='M,M,...|all',
                   help="instead of the sweep: each distillation method alone and + VKD over CE, for the headline pair ('all': every registered method that uses the teacher; init stages not timed)")
    a = p.parse_args()
    if a.plot_only: return plot(a.out)
    dev, out = get_device(a.device), Path(a.out)
    if a.methods: out.mkdir(parents=True, exist_ok=True); return main_methods(a, dev, out)
    out.mkdir(parents=True, exist_ok=True)
    print(f"device={dev} threads={torch.get_num_threads()} batch={a.batch} steps={a.steps} torch={torch.__version__}")
    head = bench_pair(a.pair_teacher, a.student, a.batch, a.steps, a.repeats, dev)
    print(f"\n{a.pair_teacher} -> {a.student}: CE {1e3 * head['ce_s']:.0f} ms, KD {1e3 * head['kd_s']:.0f} ms, VKD {1e3 * head['vkd_s']:.0f} ms "
          f"per step (fastest of {a.repeats} repeats);  VKD/CE = {head['vkd/ce']:.3f}  KD/CE = {head['kd/ce']:.3f}  "
          f"(medians of paired ratios: VKD/CE {head['vkd/ce paired median']:.3f}, KD/CE {head['kd/ce paired median']:.3f})")
    print(f"the work each adds to a CE step, timed alone: VKD {1e3 * head['vkd_extra_s']:.2f} ms (generator forward + KD term), "
          f"KD {1e3 * head['kd_extra_s']:.0f} ms (teacher forward + KD term): VKD/CE = {head['vkd/ce from extra']:.4f}, "
          f"KD/CE = {head['kd/ce from extra']:.3f}\n")
    sweep = []
    print(f"{'teacher':<12}{'params (M)':>11}{'GFLOPs':>8}{'CE ms':>9}{'KD ms':>9}{'VKD ms':>9}{'KD/CE':>8}{'VKD/CE':>8}")
    for t in a.teachers.split(','):
        r = bench_pair(t, a.student, a.batch, a.steps, a.sweep_repeats, dev)
        sweep.append(r)
        print(f"{t:<12}{r['teacher_params'] / 1e6:>11.2f}{r['teacher_gflops']:>8.2f}{1e3 * r['ce_s']:>9.0f}{1e3 * r['kd_s']:>9.0f}{1e3 * r['vkd_s']:>9.0f}"
              f"{r['kd/ce']:>8.2f}{r['vkd/ce']:>8.3f}", flush=True)
    json.dump({'device': str(dev), 'threads': torch.get_num_threads(), 'batch': a.batch, 'student': a.student, 'pair': head, 'sweep': sweep},
              open(out/'step.json', 'w'), indent=1)
    plot(out)
    print(f"\nwrote {out/'step.json'} and {out/'step.png'}")

def plot(out):
    "Draw OUT/step.png from OUT/step.json: the measured ratios, and those from the extra work timed alone."
    import matplotlib; matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    r = json.load(open(Path(out)/'step.json'))
    sweep = sorted(r['sweep'], key=lambda t: t['teacher_gflops'])
    x = [t['teacher_gflops'] for t in sweep]
    fig, ax = plt.subplots(figsize=(7, 4.2))
    ax.plot(x, [t['kd/ce'] for t in sweep], 'o-', color='C0', label='KD / CE, whole steps')
    ax.plot(x, [t['kd/ce from extra'] for t in sweep], 'o--', color='C0', alpha=0.5, label='KD / CE, from the extra work timed alone')
    ax.plot(x, [t['vkd/ce'] for t in sweep], 's-', color='C1', label='VKD / CE, whole steps')
    ax.plot(x, [t['vkd/ce from extra'] for t in sweep], 's--', color='C1', alpha=0.5, label='VKD / CE, from the extra work timed alone')
    for t, xi in zip(sweep, x): ax.annotate(t['teacher'], (xi, t['kd/ce']), fontsize=7, xytext=(3, -10), textcoords='offset points')
    ax.axhline(1, color='0.6', lw=0.8); ax.set_xscale('log')
    ax.set_xlabel(f"teacher forward GFLOPs per 32x32 image, log scale (student {r.get('student', sweep[0]['student'])}: {sweep[0]['student_gflops']:.2f})")
    ax.set_ylabel('student step time / CE step time')
    ax.set_title(f"student step cost vs the teacher's size (batch {r['batch']}, {r['device']}, {r['threads']} thread)", fontsize=10)
    ax.legend(fontsize=7); fig.tight_layout(); fig.savefig(Path(out)/'step.png', dpi=100); plt.close(fig)

if __name__ == '__main__': main()
