"""One set of training defaults: the same settings through Python (`run_student`), the CLI (`vkd student`) and the
dashboard give the same student, weight for weight; and the teaching regime's first run shows the effect taught."""
import html, json, os, shlex, subprocess, sys
from pathlib import Path
import pytest, torch
from conftest import vkd_in_process, ROOT
from vkd_nb.runs import run_student, train_defaults, STUDENT_DEFAULTS, TEACHER_DEFAULTS, preset_options
from vkd_nb.train import load_student
from vkd_nb.learner import comparable_config

@pytest.fixture(scope='module')
def root(tmp_path_factory): return tmp_path_factory.mktemp('data')       # MNIST-1D is generated once, here

def same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))

def config(run: Path) -> dict:
    c = comparable_config(json.loads((run/'metrics.json').read_text())['config'])
    c['train'].pop('compile', None)                     # the CLI records --compile's default, Python only when given
    return c

@pytest.mark.parametrize('mode', ['vkd', 'kd'])
def test_api_and_cli_train_the_same_student(tmp_path, root, mode):
    "The teaching preset, 3 epochs: `run_student` and `vkd student` give the same weights and the same recorded settings."
    m = run_student(tmp_path/'api', mode=mode, preset='teaching', epochs=3, root=root, device='cpu', progress=False)
    code, out, err = vkd_in_process('student', '--preset', 'teaching', '--mode', mode, '--epochs', 3, '--root', root,
                                    '--device', 'cpu', '--quiet', '--out', tmp_path/'cli')
    assert code == 0, err
    assert 'Teaching regime' in out and 'measured over 5 seeds' in out        # the expected ranking, printed beside the result
    assert same_weights(load_student(tmp_path/'api')[0], load_student(tmp_path/'cli')[0])
    assert config(tmp_path/'api') == config(tmp_path/'cli')
    c = config(tmp_path/'api')
    assert c['train'] == train_defaults('student') and c['data'] == {'name': 'mnist1d', 'n_train': 1000} and c['teacher'] == 'teaching'
    raw = [json.loads((tmp_path/d/'metrics.json').read_text())['config'] for d in ('api', 'cli')]
    assert [r['preset'] for r in raw] == ['teaching', 'teaching']             # the folder says which preset it came from

def test_a_logit_method_from_the_generator(tmp_path, root):
    """`dist:generator:ls` (DIST on standardized logits, its target the generator's): Python and the CLI train the same
    student; the run records and prints its last and its best epoch's test accuracy."""
    m = run_student(tmp_path/'api', mode='dist:generator:ls', preset='teaching', epochs=3, root=root, device='cpu',
                    progress=False)
    code, out, err = vkd_in_process('student', '--preset', 'teaching', '--mode', 'dist:generator:ls', '--epochs', 3,
                                    '--root', root, '--device', 'cpu', '--quiet', '--out', tmp_path/'cli')
    assert code == 0, err
    assert same_weights(load_student(tmp_path/'api')[0], load_student(tmp_path/'cli')[0])
    accs = [h['test_acc'] for h in m['history']]
    assert (m['test_acc'], m['best_test_acc'], m['best_epoch']) == (accs[-1], max(accs), accs.index(max(accs)) + 1)
    assert f"(last epoch; best epoch {m['best_epoch']}: {m['best_test_acc']:.4f})" in out, out

def test_defaults_agree_without_a_preset(tmp_path, root):
    "No preset, no options: Python and the CLI fill the same defaults (`STUDENT_DEFAULTS`), and so the same weights."
    run_student(tmp_path/'api', mode='ce', epochs=1, root=root, data_kw={'n_train': 200}, device='cpu', progress=False)
    code, out, err = vkd_in_process('student', '--mode', 'ce', '--epochs', 1, '--n-train', 200, '--root', root, '--device', 'cpu',
                                    '--quiet', '--out', tmp_path/'cli')
    assert code == 0, err
    assert same_weights(load_student(tmp_path/'api')[0], load_student(tmp_path/'cli')[0])
    c = config(tmp_path/'api')
    assert c == config(tmp_path/'cli') and c['train'] == {k: STUDENT_DEFAULTS[k] for k in c['train']} and c['arch'] == 'mlp_512x2'

def run_commands(text: str) -> list:
    "Run each line of a dashboard's `command()` through `vkd`, quietly; return the last run folder."
    for line in text.splitlines():
        argv = shlex.split(line)[1:] + ['--quiet']
        code, out, err = vkd_in_process(*argv)
        assert code == 0, (line, err)
    return Path(argv[argv.index('--out') + 1])

def test_dashboard_trains_the_cli_student(tmp_path, root):
    """The dashboard's defaults are the teaching preset: its student is the one its own `command()` trains from a
    terminal (`vkd student --teacher teaching --n-train 1000 ...`), weight for weight."""
    from vkd_nb.widgets import Dashboard
    db = Dashboard(epochs=3, device='cpu', root=str(root))
    db.mode.value = 'class-mean'; db.seed.value = 2
    db.train(block=True)
    assert db.runs[-1]['status'] == 'completed', db.message.value
    assert db.command() in html.unescape(db.cli.value)                   # shown as the run began
    folder = run_commands(db.command(tmp_path))
    assert same_weights(db.nets[0], load_student(folder)[0])
    assert abs(db.runs[-1]['test_acc'] - json.loads((folder/'metrics.json').read_text())['test_acc']) == 0

@pytest.mark.parametrize('mode', ['kd', 'self-vkd', 'dml+vkd'])
def test_dashboard_command_trains_its_teacher_and_recipes(tmp_path, mode):
    """With a teacher of its own (digits, not the teaching teacher) the dashboard's `command()` is `vkd teacher` then
    `vkd student`; with a recipe, `vkd self` or `vkd collab`: each trains the dashboard's networks, weight for weight."""
    from vkd_nb.widgets import Dashboard
    db = Dashboard(data='digits', teacher='mlp_64x1', student='mlp_64x1', mode=mode, teacher_epochs=2, epochs=2,
                   refine_steps=20, n_train=300, device='cpu', root=str(tmp_path/'data'))
    db.train(block=True)
    assert db.runs[-1]['status'] == 'completed', db.message.value
    assert len(db.command().splitlines()) == (2 if mode == 'kd' else 1)
    folder = run_commands(db.command(tmp_path))
    saved = [folder/'student.pt'] if len(db.nets) == 1 else [folder/f'peer{m + 1}.pt' for m in range(len(db.nets))]
    assert all(same_weights(n, load_student(f)[0]) for n, f in zip(db.nets, saved))
    assert db.runs[-1]['test_acc'] == json.loads((folder/'metrics.json').read_text())['test_acc']

def test_dashboard_first_run_shows_the_effect(root):
    "The dashboard's default student, through its own code path, seed 0: CE ranks below VKD (the kit measured 5 seeds)."
    from vkd_nb.widgets import Dashboard
    db = Dashboard(device='cpu', root=str(root))
    accs = {}
    for mode in ('ce', 'vkd'):
        db.mode.value = mode; db.train(block=True)
        assert db.runs[-1]['status'] == 'completed', db.message.value
        accs[mode] = db.runs[-1]['test_acc']
    assert accs['ce'] < accs['vkd'], accs
    assert 'Teaching regime' in db.expect.value and "teaching teacher" not in db.message.value
    assert db.runs[-1]['teacher_acc'] > 0.95 and db.curves.layout.display is None

def test_teaching_presets_are_the_defaults():
    t, s = preset_options('teacher', 'teaching'), preset_options('student', 'teaching')
    assert {k: t[k] for k in TEACHER_DEFAULTS} == TEACHER_DEFAULTS and {k: s[k] for k in STUDENT_DEFAULTS} == STUDENT_DEFAULTS

@pytest.mark.skipif(os.environ.get('VKD_SLOW') != '1', reason='slow (about 2 minutes): `make test-slow` runs it')
def test_shipped_teaching_teacher_is_reproduced():
    "`make teaching-teacher` retrains the shipped teacher and generator bit for bit (CPU, one thread, seed 0)."
    r = subprocess.run([sys.executable, str(ROOT/'.ci'/'teaching.py'), '--check'], capture_output=True, text=True,
                       env=dict(os.environ, OMP_NUM_THREADS='1'), cwd=ROOT)
    assert r.returncode == 0 and 'reproduced bit for bit' in r.stdout, r.stdout + r.stderr[-2000:]

def test_self_vkd_takes_the_preset_from_python_as_from_the_cli(tmp_path, root):
    "`run_self(preset='teaching')` and `vkd self --preset teaching`: the same 1000 samples, settings and weights."
    from vkd_nb.runs import run_self
    run_self(tmp_path/'api', preset='teaching', epochs=2, root=root, device='cpu', progress=False)
    code, out, err = vkd_in_process('self', '--preset', 'teaching', '--epochs', 2, '--root', root, '--device', 'cpu',
                                    '--quiet', '--out', tmp_path/'cli')
    assert code == 0, err
    assert same_weights(load_student(tmp_path/'api')[0], load_student(tmp_path/'cli')[0])
    c = config(tmp_path/'api')
    assert c == config(tmp_path/'cli') and c['data'] == {'name': 'mnist1d', 'n_train': 1000}, c
    assert c['train'] == train_defaults('student') and c['epochs'] == 2 and c['warmup'] == 0
