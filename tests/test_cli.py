"The installed `vkd` console script: `vkd zoo` output, and readable errors with exit code 2."
import json, shutil, subprocess
import pytest
from conftest import BIN

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
                                       ((), 'choose a command')])
def test_errors_are_readable(run_env, args, msg):
    r = vkd(*args, env=run_env)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert msg in r.stderr and 'Traceback' not in r.stderr, r.stderr
    assert r.stdout == ''
