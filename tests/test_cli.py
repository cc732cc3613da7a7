"""The installed `vkd` console script: `vkd zoo` output, and readable errors with exit code 2 (in this process where a
subprocess adds nothing)."""
import json, shutil, subprocess, sys
import pytest
from conftest import BIN, vkd_in_process

VKD = str(BIN/'vkd') if (BIN/'vkd').exists() else shutil.which('vkd')

def vkd(*args, env=None):
    if VKD is None: pytest.fail("the `vkd` console script is not installed: run `pip install -e .`")
    return subprocess.run([VKD, *args], capture_output=True, text=True, env=env, timeout=120)

def test_zoo_json(run_env):
    r = vkd('zoo', '--json', env=run_env)
    assert r.returncode == 0, r.stderr
    rows = {row['name']: row for row in json.loads(r.stdout)}
    assert rows['resnet8x4'] == dict(name='resnet8x4', family='resnet', params=1_233_540,
                                     accepts='(3, H, W), H, W >= 32', in_shape=[3, 32, 32])
    for name, m in (('resnet32x4', 7.434), ('wrn_40_2', 2.255), ('vgg13', 9.462), ('MobileNetV2', 0.813),
                    ('ShuffleV1', 0.949), ('ShuffleV2', 1.356), ('ResNet50', 23.705)):
        assert abs(rows[name]['params'] / 1e6 - m) / m < 1e-3, name
    assert {r['family'] for r in rows.values()} == {'resnet', 'wrn', 'vgg', 'mobilenet', 'shufflenet', 'mlp', 'cnn1d', 'cnn2d'}

def test_zoo_filtered_table(run_env):
    r = vkd('zoo', '--in-shape', 'mnist1d', '--num-classes', '10', env=run_env)
    assert r.returncode == 0, r.stderr
    names = [l.split()[0] for l in r.stdout.splitlines()[1:] if l.strip() and not l[0].isdigit()]
    assert names and all(n.startswith(('mlp_', 'cnn1d_')) for n in names), names

@pytest.mark.parametrize('args, msg', [(('zoo', '--bogus'), 'unrecognized arguments: --bogus'),
                                       (('zoo', '--in-shape', '3,x'), 'in_shape must be'),
                                       (('zoo', '--num-classes', '1'), 'num_classes must be an integer >= 2'),
                                       (('nonsense',), "invalid choice: 'nonsense'"),
                                       (('student', '--mode', 'dist:foo'), "'dist:foo': a method's options are one"),
                                       (('student', '--mode', 'at:generator'), 'at does not read logits'),
                                       ((), 'choose a command')])
def test_errors_are_readable(args, msg):
    code, out, err = vkd_in_process(*args)
    assert code == 2, (code, err)
    assert msg in err and 'Traceback' not in err, err
    assert out == ''

def test_the_script_reports_errors(run_env):
    "The installed script itself: a usage error is one line on stderr and exit code 2."
    r = vkd('zoo', '--bogus', env=run_env)
    assert r.returncode == 2 and 'unrecognized arguments: --bogus' in r.stderr and 'Traceback' not in r.stderr, r.stderr

FAKE = ('--data', 'fake', '--n-train', '80', '--quiet', '--device', 'cpu', '--epochs', '1', '--arch', 'cnn2d_16')

def _split(folder) -> list:
    "What a run folder's teacher and generator say about the split: train, holdout, fit split, same holdout, class_std."
    from vkd_nb.cotrain import load_teacher, load_generator, rebuild_data
    t, meta = load_teacher(folder)
    b, g = rebuild_data(meta), load_generator(folder)
    return [len(b.y_train), len(b.y_holdout), b.fit_split, g.meta['holdout'] == meta['holdout'], g.config['class_std']]

def test_teacher_holdout_end_to_end(tmp_path):
    "`--holdout`: the teacher trains on the rest; fit-generator and fidelity rebuild the same split from the run folder."
    code, out, err = vkd_in_process('teacher', *FAKE, '--refine-steps', '10', '--holdout', '0.25', '--seed', '3',
                                    '--out', tmp_path, '--json')
    assert code == 0, err
    m = json.loads(out)
    assert m['config']['holdout'] == {'frac': 0.25, 'seed': 3} and m['status'] == 'completed'
    assert _split(tmp_path) == [60, 20, 'holdout', True, True]
    code, out, err = vkd_in_process('fit-generator', '--teacher', tmp_path, '--steps', '10', '--quiet',
                                    '--device', 'cpu', '--json', '--overwrite')
    assert code == 0, err
    assert _split(tmp_path)[3] is True                    # the refitted generator still records the holdout
    code, out, err = vkd_in_process('fidelity', tmp_path, '--json', '--device', 'cpu')
    assert code == 0 and set(json.loads(out)) == {'generator', 'class-mean'}, err

@pytest.mark.parametrize('value', ['1', '-0.1', 'a fifth'])
def test_bad_holdout_is_refused(value, tmp_path):
    code, out, err = vkd_in_process('teacher', *FAKE, '--holdout', value, '--out', tmp_path)
    assert code == 2 and 'holdout must be a fraction in [0, 1)' in err and 'Traceback' not in err, err
    assert not any(tmp_path.iterdir())                      # refused before anything was written

def test_tensorboard_gets_every_logged_scalar(tmp_path):
    "`--tensorboard DIR`: every scalar of the run's history, per epoch, and the last and best test accuracy."
    EventAccumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator").EventAccumulator
    args = [a if a != '1' else '2' for a in FAKE]                     # two epochs
    code, out, err = vkd_in_process('teacher', *args, '--no-generator', '--tensorboard', tmp_path/'tb',
                                    '--out', tmp_path/'run')
    assert code == 0, err
    history = json.loads((tmp_path/'run'/'metrics.json').read_text())['history']
    ea = EventAccumulator(str(tmp_path/'tb'))
    ea.Reload()
    assert set(ea.Tags()['scalars']) == set(history[0]) - {'epoch'} | {'final/test_acc', 'final/best_test_acc'}
    assert [e.step for e in ea.Scalars('test_acc')] == [1, 2]
    assert [round(e.value, 6) for e in ea.Scalars('loss')] == [round(h['loss'], 6) for h in history]
