"The dashboard driven programmatically: set values, click, look at state, outputs and figures."
import time
import pytest, torch
from vkd_nb.widgets import Dashboard, all_modes

@pytest.fixture
def db(tmp_path):
    return Dashboard(data='digits', teacher='mlp_64x1', student='mlp_64x1', teacher_epochs=1, epochs=1, refine_steps=20,
                     n_train=200, device='cpu', root=tmp_path)

@pytest.mark.parametrize('mode', ['self-vkd', 'dml+vkd', 'class-mean'])
def test_modes_run_and_collect_rows(db, mode):
    db.mode.value = mode
    db.train_btn.click(); db.wait(120)
    r = db.runs[-1]
    assert (r['mode'], r['status']) == (mode, 'completed'), db.message.value
    assert 0 <= r['test_acc'] <= 1 and f'<td>{mode}</td>' in db.table.value
    assert db.curves.value[:4] == b'\x89PNG'                          # the live curves were drawn

def test_every_mode_is_offered(db):
    assert set(db.mode.options) == set(all_modes())
    assert {'ce', 'kd', 'vkd', 'kd+vkd', 'at+vkd', 'fitnet+vkd', 'class-mean', 'label-smoothing', 'self-vkd', 'dml', 'dml+vkd',
            'collab-vkd'} <= set(all_modes())

def test_architectures_follow_the_dataset(db):
    db.data.value = 'mnist1d'
    assert all(not n.startswith('cnn2d') for n in db.teacher.options) and 'cnn1d_16' in db.student.options
    db.data.value = 'cifar10'
    assert 'resnet8x4' in db.teacher.options and 'cnn1d_16' not in db.teacher.options

def test_bad_settings_refused_readably(db):
    db.tau.value = 4.; db.mode.value = 'kd'; db.hparams['w_kd'].value = 'x'
    db.train()
    assert not db.running and 'w_kd must be a number' in db.message.value and 'Traceback' not in db.message.value
    assert db.runs == []

def test_cuda_button(db):
    b = db.device.buttons['cuda']
    assert b.disabled == (not torch.cuda.is_available())
    if b.disabled: assert 'not available' in b.tooltip

def test_stop_keeps_the_run(db):
    db.mode.value = 'ce'; db.epochs.value = 1000
    db.train()
    t0 = time.time()                       # Stop after the first epoch: 1000 tiny epochs take only seconds
    while not db.status.value.startswith('ce: epoch') and db.running and time.time() - t0 < 60: time.sleep(0.01)
    db.stop(); db.wait(60)
    r = db.runs[-1]
    assert r['status'] == 'interrupted' and not db.running
    assert not db.train_btn.disabled and db.stop_btn.disabled
