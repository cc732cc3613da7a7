import contextlib, io, os, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent          # the venv that runs pytest (has the `vkd` console script)

@pytest.fixture
def run_env():
    "Environment for subprocesses: single-threaded torch, no stray CUDA."
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONHASHSEED='0')
    return env

def vkd_in_process(*argv):
    "Run `vkd argv` in this process; return exit code, stdout, stderr."
    from vkd_nb.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err): code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()
