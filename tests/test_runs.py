"Run folders lose nothing: a finished run is kept, one writer at a time, stale locks, a NaN before any checkpoint, hostile checkpoints."
import json, os
import pytest, torch
from conftest import vkd_in_process
from vkd_nb.files import RunFolder

vkd = vkd_in_process                   # `vkd argv` in this process: exit code, stdout, stderr

@pytest.fixture(scope='module')
def work(tmp_path_factory):
    "A folder for the runs of this module; the first run caches a small MNIST-1D in it for the others."
    return tmp_path_factory.mktemp('runs')

def small(work, *more):
    return ['--data', 'mnist1d', '--num-samples', 300, '--root', work/'data', '--quiet', '--device', 'cpu',
            '--arch', 'mlp_64x1', '--mode', 'ce', '--epochs', 1, *more]

class NotWeights:
    "An object that is not tensors: `weights_only=True` refuses to unpickle it, as it would a hostile file."
    def __init__(self): self.payload = 'anything'

def test_finished_run_is_kept_unless_overwrite(work):
    d = work/'done'
    code, out, err = vkd('student', *small(work), '--out', d)
    assert code == 0, err
    before = (d/'student.pt').read_bytes()
    code, out, err = vkd('student', *small(work), '--seed', 1, '--out', d)
    assert code == 2 and 'finished run' in err and 'student.pt' in err and '--overwrite' in err and 'Traceback' not in err, err
    assert (d/'student.pt').read_bytes() == before and not (d/'.lock').exists()
    code, out, err = vkd('student', *small(work), '--seed', 1, '--out', d, '--overwrite')
    assert code == 0 and 'Traceback' not in err, err
    assert json.loads((d/'metrics.json').read_text())['status'] == 'completed' and not (d/'.lock').exists()

def test_second_writer_is_turned_away(work):
    d = work/'busy'
    with RunFolder(d):
        code, out, err = vkd('student', *small(work), '--out', d)
        assert code == 2 and 'in use by another run' in err and f'pid {os.getpid()},' in err and 'Traceback' not in err, err
        assert not (d/'student.pt').exists()
    code, out, err = vkd('student', *small(work), '--out', d)
    assert code == 0, err

def test_stale_lock_is_taken_over(work):
    d = work/'stale'; d.mkdir()
    (d/'.lock').write_text(json.dumps({'pid': 999999, 'host': 'gone', 'started': '2024-01-01T00:00:00', 'argv': ['vkd', 'student']}) + '\n')
    code, out, err = vkd('student', *small(work), '--out', d)
    assert code == 0 and 'Traceback' not in err, err
    assert (d/'student.pt').exists() and not (d/'.lock').exists()

def test_nan_before_the_first_checkpoint(work):
    d = work/'nan'
    code, out, err = vkd('student', *small(work), '--opt', 'sgd', '--lr', 1e30, '--out', d)
    assert code == 2 and 'the loss is' in err and 'no checkpoint was written' in err, err
    assert 'the last checkpoint is kept' not in err and 'Traceback' not in err, err
    assert not (d/'checkpoint.pt').exists() and not (d/'.lock').exists()

def test_hostile_checkpoint_is_refused(work):
    d = work/'hostile'; d.mkdir()
    torch.save(NotWeights(), d/'checkpoint.pt')
    code, out, err = vkd('student', *small(work), '--out', d, '--resume')
    assert code == 2 and 'hostile' in err and 'Traceback' not in err, err
    assert err.count('weights_only=False') == 1 and 'Re-running' not in err and 'WeightsUnpickler' not in err, err
    assert not (d/'.lock').exists()

def test_overwrite_keeps_the_old_run_until_the_new_one_is_done(work):
    "An overwrite that stops on NaN at its first step leaves the old run whole; one that finishes replaces it."
    d = work/'keep'
    code, out, err = vkd('student', *small(work), '--out', d)
    assert code == 0, err
    before = {f: (d/f).read_bytes() for f in ('student.pt', 'metrics.json', 'checkpoint.pt')}
    code, out, err = vkd('student', *small(work), '--opt', 'sgd', '--lr', 1e30, '--out', d, '--overwrite')
    assert code == 2 and 'the loss is' in err, err
    assert {f: (d/f).read_bytes() for f in before} == before                            # the old run, whole
    assert not (work/'.keep.overwrite').exists() and not (d/'.lock').exists()
    assert oct((d/'student.pt').stat().st_mode & 0o777) == oct(0o666 & ~os.umask(os.umask(0o022)))   # the user's umask
    code, out, err = vkd('student', *small(work), '--seed', 1, '--out', d, '--overwrite')
    assert code == 0, err
    assert (d/'student.pt').read_bytes() != before['student.pt'] and json.loads((d/'metrics.json').read_text())['config']['seed'] == 1

def test_out_that_is_empty_or_the_teachers_own_folder_is_refused(work):
    t = work/'teacher'
    code, out, err = vkd('teacher', '--data', 'mnist1d', '--num-samples', 300, '--root', work/'data', '--quiet', '--device', 'cpu',
                         '--arch', 'mlp_64x1', '--epochs', 1, '--no-generator', '--out', t)
    assert code == 0, err
    before = (t/'metrics.json').read_bytes()
    args = [a for a in small(work) if a not in ('--mode', 'ce')]
    code, out, err = vkd('student', *args, '--mode', 'kd', '--teacher', t, '--out', t, '--overwrite')
    assert code == 2 and "the teacher's own folder" in err and 'Traceback' not in err, err
    assert (t/'metrics.json').read_bytes() == before
    code, out, err = vkd('student', *small(work), '--out', '')
    assert code == 2 and 'must be a path' in err and 'Traceback' not in err, err
