"""The training loop as it was before the learner (vkd_nb 0.1's `vkd_nb.train.fit`, one function with everything inline).

Kept, unchanged but for its imports, so that `bench/loop_overhead.py` can measure the learner's callback dispatch against it
in one run. Not part of the library.
"""
import json, time
from pathlib import Path
import torch
from tqdm.auto import tqdm
from vkd_nb.core import get_device, autocast, seed_everything
from vkd_nb.files import save_pt, load_pt
from vkd_nb.data import DataBundle
from vkd_nb.learner import make_optimizer, make_schedule, predict_logits, accuracy, run_file

def _sync(dev: torch.device):
    if dev.type == 'cuda': torch.cuda.synchronize()

def _get_state(obj):
    "The state of something to checkpoint: a torch RNG, a `GeneratorTrainer`, or anything with `state_dict`."
    return obj.get_state() if isinstance(obj, torch.Generator) else obj.state_dict()

def _set_state(obj, sd) -> None:
    if isinstance(obj, torch.Generator): obj.set_state(sd)
    else: obj.load_state_dict(sd)

def _plain(config):
    "`config` as it will read back from a checkpoint (tuples become lists, odd values strings), without the settings that may change on resume."
    def strip(v):
        if isinstance(v, dict): return {k: strip(x) for k, x in v.items() if k not in ('compile', 'progress', 'device')}
        return [strip(x) for x in v] if isinstance(v, list) else v
    return strip(json.loads(json.dumps(config, default=str)))

def _diff(a: dict, b: dict) -> str:
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return ', '.join(f"{k}: {a.get(k)!r} there, {b.get(k)!r} now" for k in keys[:4]) + (' ...' if len(keys) > 4 else '')

def load_checkpoint(path) -> dict:
    "Read a training checkpoint written by `fit` (a run folder or the file), with clear errors."
    path = run_file(path, 'checkpoint.pt')
    ck = load_pt(path)
    if not isinstance(ck, dict) or ck.get('kind') != 'checkpoint': raise ValueError(f"{path} is not a training checkpoint written by vkd_nb")
    return ck

def fit(nets: dict,                  # name -> network trained here (checkpointed; see `evaluate`)
        step,                        # step(xb, yb, epoch) -> (loss, {term: value}, {net name: logits})
        data: DataBundle,
        epochs: int = 10,
        after_step=None,             # after_step(logits, yb, epoch) -> {term: value}, after the optimizer step (timed apart)
        state: dict|None = None,     # more things to checkpoint: generator trainers, noise RNGs (name -> object)
        frozen: tuple = (),          # networks used but not trained (a teacher): moved to the device, eval mode
        evaluate: tuple|None = None, # nets whose train/test accuracy is reported (default: all)
        opt: str = 'adam', lr: float = 3e-3, weight_decay: float = 1e-4, momentum: float = 0.9,
        schedule: str = 'onecycle', milestones=(0.625, 0.75, 0.875), gamma: float = 0.1,
        batch_size: int = 128, augment: bool|None = None,
        device='auto', seed: int = 0,
        out=None,                    # folder for checkpoint.pt, written after every epoch
        resume: bool = False,        # continue from out/checkpoint.pt
        config: dict|None = None,    # settings of the run; a resumed run must have the same
        compile: bool = False,       # torch.compile every network
        channels_last: bool = True,  # on CUDA, for images
        progress: bool = True, callback=None, desc: str = 'training') -> dict:
    "Train `nets` on `data` with the loss of `step`; returns the run's record: history, status, test accuracy, seconds."
    if not isinstance(epochs, int) or epochs < 1: raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
    if resume and out is None: raise ValueError("resume needs `out`, the folder holding checkpoint.pt")
    dev, state = get_device(device), dict(state or {})
    evaluate = tuple(nets) if evaluate is None else tuple(evaluate)
    seed_everything(seed)
    for m in (*nets.values(), *frozen):
        m.to(dev)
        if dev.type == 'cuda' and channels_last and len(data.in_shape) == 3: m.to(memory_format=torch.channels_last)
    for m in frozen: m.eval().requires_grad_(False)
    if compile:
        for m in (*nets.values(), *frozen): m.compile()
    tr, te = data.loaders(batch_size, dev, augment=augment, seed=seed)
    params = [p for m in nets.values() for p in m.parameters() if p.requires_grad]
    optim = make_optimizer(params, opt, lr, weight_decay, momentum)
    sched = make_schedule(optim, schedule, epochs * len(tr), milestones, gamma)
    config = _plain(config or {})
    ck_path = Path(out)/'checkpoint.pt' if out is not None else None
    hist, start, secs = [], 0, {'steps': 0., 'after_steps': 0.}
    if resume:
        ck = load_checkpoint(ck_path)
        if ck.get('config') != config: raise ValueError(f"cannot resume from {ck_path}: it was written with other settings ({_diff(ck.get('config') or {}, config)})")
        if set(ck['nets']) != set(nets) or set(ck['state']) != set(state): raise ValueError(f"cannot resume from {ck_path}: it holds {sorted(ck['nets'])} and {sorted(ck['state'])}")
        for k, m in nets.items(): m.load_state_dict(ck['nets'][k])
        for k, o in state.items(): _set_state(o, ck['state'][k])
        optim.load_state_dict(ck['optimizer']); sched.load_state_dict(ck['scheduler']); tr.load_state_dict(ck['loader'])
        torch.set_rng_state(ck['rng'])
        if dev.type == 'cuda' and ck.get('cuda_rng') is not None: torch.cuda.set_rng_state_all(ck['cuda_rng'])
        hist, start, secs = ck['history'], ck['epoch'], ck['seconds']
    status, t_run = 'completed', time.perf_counter()
    bar = tqdm(range(start, epochs), desc=desc, disable=not progress, initial=start, total=epochs)
    try:
        for ep in bar:
            for m in nets.values(): m.train()
            t0, sums, correct, n = time.perf_counter(), {}, {k: 0 for k in evaluate}, 0
            for i, (xb, yb) in enumerate(tr):
                t1 = time.perf_counter()
                with autocast(dev): loss, terms, logits = step(xb, yb, ep)
                if not torch.isfinite(loss):
                    raise FloatingPointError(f"{desc}: the loss is {loss.item()} at epoch {ep + 1}, step {i + 1}: stopped "
                                             f"(lower the learning rate or check the data; the last checkpoint is kept)")
                optim.zero_grad(set_to_none=True); loss.backward(); optim.step(); sched.step()
                _sync(dev); t2 = time.perf_counter(); secs['steps'] += t2 - t1
                terms = {'loss': loss.detach(), **{k: v.detach() for k, v in terms.items()}}
                if after_step is not None:
                    terms.update(after_step(logits, yb, ep)); _sync(dev); secs['after_steps'] += time.perf_counter() - t2
                for k, v in terms.items(): sums[k] = sums.get(k, 0.) + v.float() * len(yb)
                for k in evaluate: correct[k] += (logits[k].argmax(1) == yb).sum()
                n += len(yb)
            rec = {'epoch': ep + 1, **{k: (v / n).item() for k, v in sums.items()}}
            tests = {k: accuracy(*predict_logits(nets[k], te)) for k in evaluate}
            if len(evaluate) == 1: rec.update(train_acc=(correct[evaluate[0]] / n).item(), test_acc=tests[evaluate[0]])
            else:
                for k in evaluate: rec[f'train_acc_{k}'], rec[f'test_acc_{k}'] = (correct[k] / n).item(), tests[k]
                rec['test_acc'] = sum(tests.values()) / len(tests)
            rec.update(lr=optim.param_groups[0]['lr'], seconds=time.perf_counter() - t0)
            hist.append(rec); bar.set_postfix(loss=f"{rec['loss']:.3f}", test_acc=f"{rec['test_acc']:.3f}")
            if ck_path is not None:
                save_pt({'kind': 'checkpoint', 'epoch': ep + 1, 'config': config,
                         'nets': {k: m.state_dict() for k, m in nets.items()}, 'state': {k: _get_state(o) for k, o in state.items()},
                         'optimizer': optim.state_dict(), 'scheduler': sched.state_dict(), 'loader': tr.state_dict(),
                         'rng': torch.get_rng_state(), 'cuda_rng': torch.cuda.get_rng_state_all() if dev.type == 'cuda' else None,
                         'history': hist, 'seconds': secs}, ck_path)
            if callback is not None: callback(rec, nets)
    except KeyboardInterrupt:
        status = 'interrupted'
    finally: bar.close()
    tests = {k: accuracy(*predict_logits(nets[k], te)) for k in evaluate}
    return {'history': hist, 'status': status, 'epochs_done': len(hist),
            'test_acc': sum(tests.values()) / len(tests), **({'test_accs': tests} if len(tests) > 1 else {}),
            'seconds': time.perf_counter() - t_run, 'seconds_steps': secs['steps'], 'seconds_after_steps': secs['after_steps']}
