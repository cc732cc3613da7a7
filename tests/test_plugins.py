"""Methods from outside the library: a plugin file for the CLI, a package's entry point, a notebook's method in
run_demo's workers."""
import json, subprocess, sys, textwrap
from conftest import BIN, vkd_in_process

PLUGIN = '''
import torch.nn.functional as F
from vkd_nb.train import Method, register_method

def mse(b, hp):
    "Mean squared error between the student's and the teacher's logits."
    return F.mse_loss(b.logits_s, b.logits_t)

MSE = Method('mse', mse, weight=0.1, needs_teacher=True, hparams={'mse_clip': 10.}, doc='logit regression (MSE)')
'''

def _py(code: str, env: dict, cwd=None):
    return subprocess.run([str(BIN/'python'), '-c', textwrap.dedent(code)], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=300)

def test_cli_plugin_file(tmp_path, run_env):
    "`vkd student --plugin FILE`: its method is a mode, its hyper-parameter an option; a bad plugin, a one-line error."
    (tmp_path/'my_methods.py').write_text(PLUGIN + 'register_method(MSE)\n')
    small = ['--teacher', 'teaching', '--epochs', '1', '--n-train', '200', '--device', 'cpu', '--quiet', '--json']
    r = subprocess.run([str(BIN/'vkd'), 'student', '--plugin', 'my_methods.py', '--mode', 'mse+vkd', '--w-mse', '0.2',
                        '--mse-clip', '5', *small, '--out', 'run'],
                       cwd=tmp_path, env=run_env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    m = json.loads(r.stdout)
    assert m['status'] == 'completed' and m['config']['mode'] == 'mse+vkd', m['config']
    assert m['config']['hparams']['w_mse'] == 0.2 and m['config']['hparams']['mse_clip'] == 5, m['config']['hparams']
    code, out, err = vkd_in_process('student', '--mode', 'mse', *small, '--out', tmp_path/'other')   # no plugin here
    assert code == 2 and "'mse' is not a registered method" in err and '--plugin' in err, err
    code, out, err = vkd_in_process('student', '--plugin', tmp_path/'nowhere.py', '--mode', 'mse', *small,
                                    '--out', tmp_path/'other')
    assert code == 2 and "nowhere.py': no such file" in err and 'Traceback' not in err, err

def test_entry_point_package(tmp_path, run_env):
    "A package's `vkd_nb.methods` entry points: a Method object and a module; a broken one is skipped with a warning."
    pkg = tmp_path/'mypkg'; pkg.mkdir()
    (pkg/'__init__.py').write_text('')
    (pkg/'methods.py').write_text(PLUGIN)
    more = PLUGIN.replace("'mse'", "'mse2'").replace('mse_clip', 'mse2_clip')
    (pkg/'more.py').write_text(more + 'register_method(MSE)\n')
    info = tmp_path/'mypkg-0.1.dist-info'; info.mkdir()
    (info/'METADATA').write_text('Metadata-Version: 2.1\nName: mypkg\nVersion: 0.1\n')
    eps = '[vkd_nb.methods]\nmse = mypkg.methods:MSE\nmore = mypkg.more\nbroken = mypkg.nowhere\n'
    (info/'entry_points.txt').write_text(eps)
    r = _py('''
        import warnings
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            from vkd_nb.train import parse_mode, student_modes
            print([m.name for m in parse_mode('mse+vkd')], 'mse2+vkd' in student_modes())
        print([str(x.message) for x in w if 'entry point' in str(x.message)])''',
            dict(run_env, PYTHONPATH=str(tmp_path)))
    assert r.returncode == 0, r.stderr[-3000:]
    names, warned = r.stdout.splitlines()
    assert names == "['mse', 'vkd'] True", names
    assert "entry point 'broken' (mypkg.nowhere) was skipped: ModuleNotFoundError" in warned, warned

def test_notebook_method_in_demo_workers(tmp_path, run_env):
    "A method defined in `__main__` (as in a notebook: no file another process imports) trains in run_demo(jobs=2)."
    r = _py('''
        import torch
        from vkd_nb.train import Method, register_method
        from vkd_nb.runs import run_demo
        SHIFT = 1.
        def centre(v): return v - v.mean(1, keepdim=True)
        def centred_mse(b, hp): return (centre(b.logits_s) - centre(b.logits_t)).pow(2).mean() * SHIFT
        register_method(Method('centred', centred_mse, weight=.5, needs_teacher=True))
        r = run_demo('demo', seeds=(0, 1), modes=('centred+vkd',), jobs=2, epochs=1, n_train=200, device='cpu',
                     progress=False, log=lambda *a: None)
        print({m: len(v['accs']) for m, v in r['results'].items()})''', run_env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout.strip().splitlines()[-1] == "{'centred+vkd': 2}", r.stdout[-2000:]
