"""`--precision`: what a run trains in is chosen once, printed and recorded; an explicit choice is part of the run's
settings (a resume in another precision is refused), `auto`'s choice is not (old runs resume)."""
import json
from conftest import vkd_in_process

FAKE = ('--data', 'fake', '--n-train', '80', '--quiet', '--device', 'cpu', '--epochs', '1', '--arch', 'cnn2d_16',
        '--refine-steps', '0')      # fake data: 3x32x32 images

def test_an_explicit_precision_is_printed_and_recorded(tmp_path):
    code, out, err = vkd_in_process('teacher', *FAKE, '--precision', 'bf16', '--out', tmp_path)
    assert code == 0, err
    assert 'test accuracy' in out and '(completed, bf16)' in out, out
    c = json.loads((tmp_path/'metrics.json').read_text())['config']
    assert (c['precision'], c['train']['precision']) == ('bf16', 'bf16')

def test_auto_is_recorded_as_what_it_chose(tmp_path):
    from vkd_nb.core import native_bf16
    code, out, err = vkd_in_process('teacher', *FAKE, '--out', tmp_path)
    assert code == 0, err
    c = json.loads((tmp_path/'metrics.json').read_text())['config']
    assert c['precision'] == ('bf16' if native_bf16('cpu') else 'fp32') and 'precision' not in c['train']

def test_a_resume_in_another_precision_is_refused(tmp_path):
    code, out, err = vkd_in_process('student', *FAKE[:-2], '--mode', 'ce', '--precision', 'bf16', '--out', tmp_path)
    assert code == 0, err
    code, out, err = vkd_in_process('student', *FAKE[:-2], '--mode', 'ce', '--precision', 'fp32', '--out', tmp_path,
                                    '--resume')
    assert code == 2 and "train.precision: 'bf16' there, 'fp32' now" in err and 'Traceback' not in err, err

def test_an_unknown_precision_is_refused(tmp_path):
    code, out, err = vkd_in_process('teacher', *FAKE, '--precision', 'fp16', '--out', tmp_path)
    assert code == 2 and "invalid choice: 'fp16'" in err and 'auto, fp32, bf16' in err.replace("'", ''), err
    assert not any(tmp_path.iterdir())
