"Distributed data-parallel training with 2 gloo processes on the CPU: one process's run, resume, bad launches."
import json, os, shutil, signal, subprocess, time
from pathlib import Path
import pytest
import torch
from conftest import BIN, vkd_in_process

def _train(out: str, batch_size: int = 64, **more):
    "A teacher with its generator, then a kd+vkd student, one epoch each (197 samples: the last batch of 5 splits 3 + 2)."
    from vkd_nb.data import get_data
    from vkd_nb.models import create_model
    from vkd_nb.cotrain import GeneratorTrainer, train_teacher
    from vkd_nb.train import train_student
    from vkd_nb.distributed import rank
    torch.set_num_threads(1)
    d = get_data('fake', in_shape=(1, 40), num_classes=4, n_train=197, n_test=40, seed=0)
    torch.manual_seed(0)
    teacher, student = create_model('mlp_64x1', 4, (1, 40)), create_model('mlp_64x1', 4, (1, 40))   # no BatchNorm
    gen = GeneratorTrainer(4, tau=4., width=32, d_width=32, seed=0, device='cpu')
    kw = dict(epochs=1, progress=False, device='cpu', batch_size=batch_size, seed=0, **more)
    rt = train_teacher(teacher, d, generator=gen, **kw)
    rs = train_student(student, d, 'kd+vkd', teacher=teacher, knowledge=gen, **kw)
    torch.save({'teacher': teacher.state_dict(), 'student': student.state_dict(), 'G': gen.G.state_dict(), 'D': gen.D.state_dict(),
                'G_ema': gen.G_ema.state_dict(), 'hist_t': rt['history'], 'hist_s': rs['history']}, Path(out)/f'rank{rank()}.pt')

def _batchnorm_worker(out: str):
    "A network with BatchNorm: each rank normalizes with its own statistics, rank 0's running statistics are kept everywhere."
    from vkd_nb.data import get_data
    from vkd_nb.models import create_model
    from vkd_nb.cotrain import train_teacher
    from vkd_nb.distributed import rank
    d = get_data('fake', in_shape=(1, 40), num_classes=4, n_train=128, n_test=40, seed=0)
    torch.manual_seed(0); net = create_model('cnn1d_8', 4, (1, 40))
    rec = train_teacher(net, d, epochs=1, progress=False, device='cpu', batch_size=64)
    torch.save({'net': net.state_dict(), 'test_acc': rec['test_acc']}, Path(out)/f'bn{rank()}.pt')

def _equivalence_worker(out: str):
    _train(out)
    _batchnorm_worker(out)
    try: _train(out, batch_size=33)                  # a global batch that 2 processes cannot split
    except ValueError as e: (Path(out)/'bad_batch.txt').write_text(str(e))
    try: _train(out, sync_bn=True)                   # SyncBatchNorm: CUDA only
    except ValueError as e: (Path(out)/'sync_bn.txt').write_text(str(e))

def _close(a: dict, b: dict, exact: bool = False):
    assert a.keys() == b.keys()
    for k in a:
        if exact: assert torch.equal(a[k], b[k]), k
        else: torch.testing.assert_close(a[k], b[k], rtol=1e-4, atol=1e-5, msg=k)

def test_two_processes_train_like_one(tmp_path):
    from vkd_nb.distributed import launch
    launch(_equivalence_worker, 2, str(tmp_path))
    r0, r1 = (torch.load(tmp_path/f'rank{r}.pt', weights_only=True) for r in range(2))
    for k in ('teacher', 'student', 'G', 'D', 'G_ema'): _close(r0[k], r1[k], exact=True)       # replicas identical across ranks
    (tmp_path/'one').mkdir(); _train(str(tmp_path/'one'))                                     # one process, batch 64
    one = torch.load(tmp_path/'one'/'rank0.pt', weights_only=True)
    for k in ('teacher', 'student', 'G', 'D', 'G_ema'): _close(r0[k], one[k])
    for h in ('hist_t', 'hist_s'):                    # the history is the global one: loss, train and test accuracy
        for a, b in zip(r0[h], one[h]):
            for k in ('loss', 'train_acc', 'test_acc', 'd_loss', 'g_loss', 'kd', 'vkd'):
                if k in b: assert a[k] == pytest.approx(b[k], rel=1e-4, abs=1e-5), (h, k)
    b0, b1 = (torch.load(tmp_path/f'bn{r}.pt', weights_only=True) for r in range(2))
    _close(b0['net'], b1['net'], exact=True)
    assert any('running_mean' in k for k in b0['net']) and b0['test_acc'] == b1['test_acc']
    msg = (tmp_path/'bad_batch.txt').read_text()
    assert 'batch_size 33 is the global batch' in msg and 'multiple of 2' in msg and '32 or 34' in msg
    assert 'sync_bn needs CUDA' in (tmp_path/'sync_bn.txt').read_text()

def _torchrun(*args, **kw):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONHASHSEED='0')
    return subprocess.Popen([str(BIN/'torchrun'), '--standalone', '--nproc_per_node', '2', '-m', 'vkd_nb.cli', *map(str, args)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, **kw)

def _children(pid: int) -> list:
    "The processes whose parent is `pid` (Linux's /proc): torchrun's workers."
    out = []
    for d in filter(str.isdigit, os.listdir('/proc')):
        try: stat = Path(f'/proc/{d}/stat').read_text()
        except OSError: continue
        if int(stat.rsplit(')', 1)[1].split()[1]) == pid: out.append(int(d))
    return out

def _kill(p):
    "SIGKILL torchrun's workers, then torchrun (its workers run in their own process groups)."
    for c in _children(p.pid): os.kill(c, signal.SIGKILL)
    p.kill(); p.communicate()

# fp32: 3x32x32 fake images train in bf16 under `auto` on a CPU that computes it, and bf16 rounds one process's
# sums differently from two processes' (the comparison of 1 and 2 processes below is close, not exact)
TEACHER = ['teacher', '--data', 'fake', '--n-train', '1024', '--arch', 'mlp_64x1', '--epochs', '6', '--batch-size', '64',
           '--refine-steps', '0', '--device', 'cpu', '--quiet', '--precision', 'fp32']

@pytest.mark.skipif(not Path('/proc/self/stat').exists(), reason='finds torchrun\'s workers in /proc')
def test_killed_run_resumes_on_two_and_on_one_process(tmp_path):
    from vkd_nb.learner import load_checkpoint
    p = _torchrun(*TEACHER, '--out', tmp_path/'ddp')
    ck = tmp_path/'ddp'/'checkpoint.pt'
    deadline = time.time() + 120
    while not ck.exists() and p.poll() is None and time.time() < deadline: time.sleep(0.02)
    _kill(p)
    done = load_checkpoint(ck)['epoch']
    assert 1 <= done < 6 and not (tmp_path/'ddp'/'teacher.pt').exists(), f"the run was not killed mid-training (epoch {done})"
    shutil.copytree(tmp_path/'ddp', tmp_path/'one')
    p = _torchrun(*TEACHER, '--out', tmp_path/'ddp', '--resume'); out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err[-3000:]
    assert out.count('test accuracy') == 1                          # rank 0 alone prints
    with pytest.warns(UserWarning, match='resuming on 1 process.* a run begun on 2.*not exactly'):   # close, and it says so
        code, _, err = vkd_in_process(*TEACHER, '--out', tmp_path/'one', '--resume')   # the same checkpoint on 1 process: re-sharded
    assert code == 0, err
    code, _, err = vkd_in_process(*TEACHER, '--out', tmp_path/'ref')                # never interrupted, 1 process
    assert code == 0, err
    ref = torch.load(tmp_path/'ref'/'teacher.pt', weights_only=True)['state_dict']
    for run in ('ddp', 'one'):
        _close(torch.load(tmp_path/run/'teacher.pt', weights_only=True)['state_dict'], ref)
        _close(torch.load(tmp_path/run/'generator.pt', weights_only=True)['G'], torch.load(tmp_path/'ref'/'generator.pt', weights_only=True)['G'])

def test_sync_bn_option_on_one_process(tmp_path):
    code, _, err = vkd_in_process(*TEACHER[:8], '1', *TEACHER[9:], '--sync-bn', '--out', tmp_path/'sync')   # nothing to synchronize
    assert code == 0, err
    assert json.loads((tmp_path/'sync'/'metrics.json').read_text())['config']['train']['sync_bn'] is True

END_SCRIPT = '''
import atexit, os, sys, torch
from pathlib import Path
from vkd_nb.distributed import init_distributed, all_gather_cat, end_process
assert init_distributed('cpu')
atexit.register(lambda: Path(sys.argv[1], f"handler{os.environ['RANK']}").write_text('ran'))
print(all_gather_cat(torch.tensor([int(os.environ['RANK'])])).tolist(), end='')    # no newline: still buffered
end_process(3)
'''

def test_end_process_after_a_group(tmp_path):
    "`end_process`: each rank exits with its code, with the exit handlers run and its buffered output written."
    from vkd_nb.distributed import _free_port
    env = dict(os.environ, WORLD_SIZE='2', MASTER_ADDR='127.0.0.1', MASTER_PORT=str(_free_port()), OMP_NUM_THREADS='1')
    ps = [subprocess.Popen([str(BIN/'python'), '-c', END_SCRIPT, str(tmp_path)],
                           env=dict(env, RANK=str(r), LOCAL_RANK=str(r)),
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for r in (0, 1)]
    for r, p in enumerate(ps):
        out, err = p.communicate(timeout=120)
        assert p.returncode == 3, (r, err[-2000:])
        assert out == '[0, 1]' and (tmp_path/f'handler{r}').read_text() == 'ran', (r, out, err[-2000:])

def _node(rank: int, port: int, out, nnodes: int = 2):
    "One 'node' of a multi-node torchrun on this machine: c10d rendezvous on 127.0.0.1, one process."
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONHASHSEED='0')
    return subprocess.Popen([str(BIN/'torchrun'), '--nnodes', str(nnodes), '--nproc-per-node', '1', '--node-rank', str(rank),
                             '--rdzv-backend', 'c10d', '--rdzv-endpoint', f'127.0.0.1:{port}', '--rdzv-id', 'vkd-two-nodes',
                             '-m', 'vkd_nb.cli', *map(str, TWO_EPOCHS), '--out', str(out)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)

TWO_EPOCHS = [*TEACHER[:8], '2', *TEACHER[9:]]

def test_two_nodes_train_like_one_node_with_two_processes(tmp_path):
    "Two torchrun launchers as two nodes (`--nnodes 2`, one process each) give the run of one node with two processes."
    from vkd_nb.distributed import _free_port
    port = _free_port()
    nodes = [_node(r, port, tmp_path/'nodes') for r in (0, 1)]
    outs = [p.communicate(timeout=300) for p in nodes]
    for p, (out, err) in zip(nodes, outs): assert p.returncode == 0, err[-3000:]
    assert sum(o.count('test accuracy') for o, _ in outs) == 1                   # the global rank 0 alone prints
    p = _torchrun(*TWO_EPOCHS, '--out', tmp_path/'one'); out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err[-3000:]
    load = lambda run, f, k: torch.load(tmp_path/run/f, weights_only=True)[k]
    _close(load('nodes', 'teacher.pt', 'state_dict'), load('one', 'teacher.pt', 'state_dict'), exact=True)
    _close(load('nodes', 'generator.pt', 'G'), load('one', 'generator.pt', 'G'), exact=True)
    m = [json.loads((tmp_path/run/'metrics.json').read_text()) for run in ('nodes', 'one')]
    assert m[0]['history'] == [{**h, 'seconds': m[0]['history'][i]['seconds']} for i, h in enumerate(m[1]['history'])]
