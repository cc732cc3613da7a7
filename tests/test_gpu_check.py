"""bench/gpu_check.sh, the one command for a lent GPU: on the CPU its dry run lists every step and checks that each
step's script is there and parses; a missing one fails it; without CUDA the real run refuses with a message."""
import os, shutil, subprocess
import pytest, torch
from conftest import ROOT, BIN

STEPS = ['gpu-cells', 'step', 'precision', 'cotrain', 'every-mode', 'ddp-nccl', 'ddp-nccl-1']

def gpu_check(script, *args):
    env = dict(os.environ, PY=str(BIN/'python'))
    return subprocess.run(['bash', str(script), *args], capture_output=True, text=True, env=env, timeout=120)

def test_dry_run_lists_every_step_and_finds_its_scripts():
    r = gpu_check(ROOT/'bench'/'gpu_check.sh', '--dry-run')
    assert r.returncode == 0, r.stdout + r.stderr
    rows = [l.split()[:2] for l in r.stdout.splitlines()[1:]]
    assert rows == [[s, 'ok'] for s in STEPS], r.stdout
    assert '--device cuda' in r.stdout and '--flags gpu' in r.stdout and '(needs 2gpu)' in r.stdout and '(needs 1gpu)' in r.stdout

def test_dry_run_fails_when_a_script_is_missing(tmp_path):
    (tmp_path/'bench').mkdir()
    shutil.copy(ROOT/'bench'/'gpu_check.sh', tmp_path/'bench')
    shutil.copy(ROOT/'bench'/'step.py', tmp_path/'bench')
    r = gpu_check(tmp_path/'bench'/'gpu_check.sh', '--dry-run')
    assert r.returncode == 1, r.stdout
    assert 'missing bench/cotrain.py' in r.stdout and 'missing nbs/02_models.ipynb' in r.stdout, r.stdout
    assert [l.split()[:2] for l in r.stdout.splitlines()[1:] if l.startswith('step ')] == [['step', 'ok']]

@pytest.mark.skipif(torch.cuda.is_available(), reason='on a CUDA machine the real check runs: bench/gpu_check.sh')
def test_without_cuda_the_real_run_says_so():
    r = gpu_check(ROOT/'bench'/'gpu_check.sh')
    assert r.returncode == 2 and 'no CUDA device here' in r.stderr, r.stderr
    assert gpu_check(ROOT/'bench'/'gpu_check.sh', '--bogus').returncode == 2
