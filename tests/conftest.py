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

def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`make test` runs two processes): a test that uses a module-scoped fixture of its own file
    runs in the same process as the file's other such tests, so the fixture is built once (`--dist loadgroup`);
    every other test goes wherever a process is free."""
    for item in items:
        defs = getattr(getattr(item, '_fixtureinfo', None), 'name2fixturedefs', {})
        if any(d[-1].scope == 'module' and d[-1].func.__module__ == item.module.__name__ for d in defs.values() if d):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
