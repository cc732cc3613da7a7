"Students, self-VKD, collaborative VKD and the demo from the command line: end to end, resume, divergence, bad input, presets."
import json, os, signal, subprocess, sys, time
from pathlib import Path
import pytest, torch
from conftest import BIN, vkd_in_process
from vkd_nb.cli import build_parser, _resolve
from vkd_nb.files import load_pt
from vkd_nb.data import write_fake_cifar
from vkd_nb.train import student_modes, parse_mode

vkd = vkd_in_process                   # `vkd argv` in this process: exit code, stdout, stderr

@pytest.fixture(scope='module')
def work(tmp_path_factory):
    "A small MNIST-1D and a teacher with its generator trained on it (shared by the tests of this module)."
    d = tmp_path_factory.mktemp('train')
    code, out, err = vkd('teacher', '--data', 'mnist1d', '--num-samples', 300, '--root', d/'data', '--arch', 'cnn1d_8', '--epochs', 2,
                         '--refine-steps', 20, '--out', d/'teacher', '--quiet', '--device', 'cpu')
    assert code == 0, err
    return d

def small(work, *more):
    return ['--data', 'mnist1d', '--num-samples', 300, '--root', work/'data', '--quiet', '--device', 'cpu', *more]

def weights(path, key='state_dict'): return load_pt(path)[key]

def test_student_modes_end_to_end(work):
    """Modes of each kind from the command line: a three-part combination, CRD with VKD (sample indices, a memory bank),
    an init stage (its epochs option), a replacement of CE. `08_train` trains every mode the registry offers once."""
    assert {'kd', 'crd+vkd', 'fsp', 'label-smoothing'} <= set(student_modes())
    for mode in ('kd', 'kd+at+vkd', 'crd+vkd', 'fsp', 'label-smoothing'):
        out = work/'students'/mode
        init = [x for m in parse_mode(mode) if m.prestage is not None for x in (f'--{m.name}-init-epochs', 1)]   # short init stages
        code, stdout, err = vkd('student', *small(work), '--arch', 'cnn1d_8', '--mode', mode, '--teacher', work/'teacher',
                                '--epochs', 1, '--batch-size', 60, '--out', out, '--json', *init)
        assert code == 0, (mode, err)
        m = json.loads(stdout)
        assert m['status'] == 'completed' and 0 <= m['test_acc'] <= 1 and m['config']['mode'] == mode
        assert {p.name for p in out.iterdir()} == {'student.pt', 'metrics.json', 'checkpoint.pt'}
        saved = json.loads((out/'metrics.json').read_text())
        assert len(saved['history']) == 1 and saved['test_acc'] == m['test_acc']
    assert json.loads((work/'students'/'kd'/'metrics.json').read_text())['config']['hparams'] == {'w_ce': 0.1, 'w_kd': 0.9}
    code, out, err = vkd('student', *small(work), '--arch', 'cnn1d_8', '--mode', 'at+vkd', '--teacher', work/'teacher', '--epochs', 1,
                         '--w-at', 50, '--out', work/'students'/'at50', '--json')
    assert code == 0, err
    assert json.loads(out)['config']['hparams'] == {'w_ce': 1.0, 'w_at': 50.0, 'w_vkd': 0.9}

def test_pure_vkd_never_loads_the_teacher(work):
    t = work/'teacher'/'teacher.pt'; t.rename(work/'away.pt')
    try:
        code, out, err = vkd('student', *small(work), '--mode', 'vkd', '--teacher', work/'teacher', '--epochs', 1, '--out', work/'vkd-only')
        assert code == 0, err
        code, out, err = vkd('student', *small(work), '--mode', 'kd', '--teacher', work/'teacher', '--epochs', 1, '--out', work/'kd-no')
        assert code == 2 and 'checkpoint not found' in err
    finally: (work/'away.pt').rename(t)

def test_self_and_collab(work):
    code, out, err = vkd('self', *small(work), '--arch', 'mlp_64x1', '--epochs', 2, '--warmup', 1, '--out', work/'self', '--json')
    assert code == 0, err
    m = json.loads(out)
    assert m['config']['mode'] == 'self-vkd' and m['config']['warmup'] == 1
    assert {p.name for p in (work/'self').iterdir()} >= {'student.pt', 'generator.pt', 'metrics.json'}
    code, out, err = vkd('collab', *small(work), '--arch', 'mlp_64x1', '--peers', 3, '--mode', 'dml+vkd', '--epochs', 2, '--warmup', 1,
                         '--out', work/'collab', '--json')
    assert code == 0, err
    m = json.loads(out)
    assert set(m['test_accs']) == {'peer1', 'peer2', 'peer3'} and m['config']['archs'] == ['mlp_64x1'] * 3
    assert {f'peer{i}.pt' for i in (1, 2, 3)} | {f'generator{i}.pt' for i in (1, 2, 3)} <= {p.name for p in (work/'collab').iterdir()}

def test_interrupted_run_resumes_to_the_same_weights(work, run_env):
    "Ctrl-C (SIGINT) the installed `vkd` after its first checkpoint, resume: the weights equal those of an uninterrupted run."
    # 40 short epochs (about 2 s): the Ctrl-C lands while it trains even when the machine is busy
    args = small(work, '--arch', 'mlp_256x2', '--mode', 'kd+vkd', '--teacher', work/'teacher', '--epochs', 40, '--batch-size', 16,
                 '--opt', 'sgd', '--lr', 0.02, '--schedule', 'multistep')
    args = [str(a) for a in args]
    def installed(*more):                       # the three runs in processes alike (one thread each: bit-exact)
        r = subprocess.run([str(BIN/'vkd'), 'student', *args, *map(str, more)], env=run_env, capture_output=True, text=True)
        return r.returncode, r.stderr
    code, err = installed('--out', work/'straight')
    assert code == 0, err
    cut = work/'cut'
    # the child takes Ctrl-C as a person's shell gives it, whatever an earlier test left this process ignoring
    p = subprocess.Popen([str(BIN/'vkd'), 'student', *args, '--out', str(cut)], env=run_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    t0 = time.time()
    while not (cut/'checkpoint.pt').exists() and p.poll() is None and time.time() - t0 < 60: time.sleep(0.02)
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, (p.returncode, err)
    assert 'run the same command with --resume' in err
    m = json.loads((cut/'metrics.json').read_text())
    assert m['status'] == 'interrupted' and 1 <= m['epochs_done'] < 40, m['epochs_done']
    code, err = installed('--out', cut, '--resume')
    assert code == 0, err
    a, b = weights(work/'straight'/'student.pt'), weights(cut/'student.pt')
    for k in a: assert torch.equal(a[k], b[k]), k
    assert [h['epoch'] for h in json.loads((cut/'metrics.json').read_text())['history']] == list(range(1, 41))
    # resuming with other settings is refused
    code, out, err = vkd('student', *args[:-2], '--schedule', 'cosine', '--out', cut, '--resume')
    assert code == 2 and 'other settings' in err

def test_nan_stops_with_epoch_and_step(work):
    code, out, err = vkd('student', *small(work), '--mode', 'ce', '--opt', 'sgd', '--lr', 1e30, '--epochs', 2, '--out', work/'nan')
    assert code == 2 and 'the loss is' in err and 'at epoch 1, step' in err and 'Traceback' not in err, err

def test_bad_input(work, tmp_path):
    cases = [(('student', *small(work), '--mode', 'distill', '--out', tmp_path/'a'), "'distill' is not a registered method"),
             (('student', *small(work), '--arch', 'resnet9', '--mode', 'ce', '--out', tmp_path/'a'), "unknown model 'resnet9'"),
             (('student', *small(work), '--arch', 'resnet8', '--mode', 'ce', '--out', tmp_path/'a'), 'resnet8 needs RGB images'),
             (('student', *small(work), '--mode', 'kd', '--out', tmp_path/'a'), 'mode kd needs a teacher'),
             (('student', *small(work), '--tau', 0, '--out', tmp_path/'a'), 'tau must be a number > 0'),
             (('student', *small(work), '--tau', -2, '--out', tmp_path/'a'), 'tau must be a number > 0'),
             (('student', *small(work), '--mode', 'ce', '--out', tmp_path/'none', '--resume'), 'checkpoint not found'),
             (('student', *small(work), '--mode', 'vkd', '--w-kd', 1, '--teacher', work/'teacher', '--out', tmp_path/'a'), 'mode vkd has no hyper-parameter w_kd'),
             (('collab', *small(work), '--peers', 1, '--out', tmp_path/'a'), 'at least 2 peers')]
    for argv, msg in cases:
        code, out, err = vkd(*argv)
        assert code == 2 and msg in err and 'Traceback' not in err, (argv, err)
    # a corrupt checkpoint, a corrupt teacher
    (tmp_path/'c').mkdir(); (tmp_path/'c'/'checkpoint.pt').write_bytes(b'garbage')
    code, out, err = vkd('student', *small(work), '--mode', 'ce', '--out', tmp_path/'c', '--resume')
    assert code == 2 and 'corrupt' in err
    (tmp_path/'t').mkdir(); (tmp_path/'t'/'teacher.pt').write_bytes(b'garbage')
    code, out, err = vkd('student', *small(work), '--mode', 'kd', '--teacher', tmp_path/'t', '--out', tmp_path/'a')
    assert code == 2 and 'corrupt' in err

def test_teacher_and_generator_of_another_dataset(work, tmp_path):
    code, out, err = vkd('teacher', '--data', 'digits', '--arch', 'mlp_64x1', '--epochs', 1, '--refine-steps', 5, '--out', tmp_path/'digits',
                         '--quiet', '--device', 'cpu', '--root', work/'data')
    assert code == 0, err
    code, out, err = vkd('student', *small(work), '--mode', 'vkd', '--teacher', tmp_path/'digits', '--out', tmp_path/'a')
    assert code == 2 and "the generator was fitted on {'name': 'digits'}" in err, err
    code, out, err = vkd('student', *small(work), '--mode', 'kd', '--teacher', tmp_path/'digits', '--out', tmp_path/'a')
    assert code == 2 and "the teacher was trained on {'name': 'digits'}" in err, err
    # different class counts: a teacher of fake data with 10 classes, a student on fake CIFAR-100
    write_fake_cifar(tmp_path, 'cifar100', n_train=20, n_test=10)
    code, out, err = vkd('teacher', '--data', 'fake', '--n-train', 32, '--arch', 'cnn2d_16', '--epochs', 1, '--refine-steps', 5,
                         '--out', tmp_path/'fake', '--quiet', '--device', 'cpu')
    assert code == 0, err
    code, out, err = vkd('student', '--data', 'cifar100', '--root', tmp_path, '--arch', 'cnn2d_16', '--mode', 'kd', '--teacher', tmp_path/'fake',
                         '--out', tmp_path/'a', '--device', 'cpu')
    assert code == 2 and 'the teacher has 10 classes but cifar100 has 100' in err, err

def test_crd_preset_on_a_fake_cifar_archive(tmp_path):
    write_fake_cifar(tmp_path, 'cifar100', n_train=1000, n_test=16, seed=1)   # random labels: every class has training samples
    common = ['--preset', 'crd-cifar100', '--root', tmp_path, '--epochs', 1, '--quiet', '--device', 'cpu']
    code, out, err = vkd('teacher', *common, '--arch', 'resnet8', '--refine-steps', 5, '--out', tmp_path/'t', '--json')
    assert code == 0, err
    m = json.loads(out)
    assert m['config']['data'] == {'name': 'cifar100'}
    assert {k: m['config']['train'][k] for k in ('opt', 'lr', 'weight_decay', 'batch_size', 'schedule', 'momentum')} == \
           dict(opt='sgd', lr=0.05, weight_decay=5e-4, batch_size=64, schedule='multistep', momentum=0.9)
    code, out, err = vkd('student', *common, '--arch', 'resnet8', '--mode', 'kd', '--teacher', tmp_path/'t', '--out', tmp_path/'s', '--json')
    assert code == 0, err
    m = json.loads(out)
    assert m['config']['hparams'] == {'w_ce': 0.1, 'w_kd': 0.9} and m['config']['tau'] == 4.0 and m['config']['train']['lr'] == 0.05
    assert [round(x * 240) for x in m['config']['train']['milestones']] == [150, 180, 210]
    assert m['config']['train']['nesterov'] is False          # RepDistiller's SGD: plain momentum, from the CLI too
    # without --arch and --epochs the preset gives the benchmark's pair and its 240 epochs; explicit options win
    args = build_parser().parse_args(['student', '--preset', 'crd-cifar100', '--out', 'x', '--lr', '0.01'])
    train = _resolve(args, 'student')
    assert (args.arch, args.epochs, args.data, train['lr'], train['batch_size']) == ('resnet8x4', 240, 'cifar100', 0.01, 64)
    args = build_parser().parse_args(['teacher', '--preset', 'crd-cifar100', '--out', 'x'])
    _resolve(args, 'teacher'); assert args.arch == 'resnet32x4'
    # MobileNetV2 and the ShuffleNets train at lr 0.01 in the benchmark, as teachers and as students
    for role in ('teacher', 'student'):
        args = build_parser().parse_args([role, '--preset', 'crd-cifar100', '--arch', 'ShuffleV2', '--out', 'x'])
        assert _resolve(args, role)['lr'] == 0.01

def test_demo_tiny(work):
    "The main job in miniature, two runs at a time in worker processes (as `make demo` runs it)."
    out = work/'demo'
    code, stdout, err = vkd('demo', '--out', out, '--jobs', 2, '--seeds', '0,1', '--modes', 'ce,vkd,self-vkd,dml+vkd', '--epochs', 1, '--teacher-epochs', 1,
                            '--refine-steps', 10, '--num-samples', 300, '--n-train', 100, '--arch', 'mlp_64x1', '--root', work/'data',
                            '--quiet', '--device', 'cpu')
    assert code == 0, err
    assert '| vkd |' in stdout and 'Traceback' not in err
    r = json.loads((out/'results.json').read_text())
    assert set(r['results']) == {'ce', 'vkd', 'self-vkd', 'dml+vkd'} and len(r['results']['vkd']['accs']) == 2
    assert (out/'knowledge.png').stat().st_size > 1000 and (out/'results.md').read_text().count('\n|') >= 5
    code, stdout, err = vkd('demo', '--out', out, '--modes', 'ce,distill')
    assert code == 2 and "unknown mode 'distill'" in err

def test_a_run_stopped_in_its_init_stage_resumes_to_the_same_weights(tmp_path, monkeypatch):
    "The init stage (FSP's) is checkpointed: stopped in its second epoch, resumed, the run ends as one never stopped."
    import vkd_nb.init_stages as stages
    from vkd_nb.data import get_data
    from vkd_nb.models import create_model
    from vkd_nb.train import train_student
    d = get_data('fake', in_shape=(1, 40), num_classes=4, n_train=64, n_test=16)
    def run(out=None, resume=False):
        torch.manual_seed(0)
        teacher, student = create_model('cnn1d_8', 4, (1, 40)), create_model('cnn1d_8', 4, (1, 40))
        rec = train_student(student, d, 'fsp', teacher, epochs=2, batch_size=16, device='cpu', progress=False,
                            fsp_init_epochs=3, out=out, resume=resume)
        return student, rec
    straight, _ = run()
    calls, fsp_loss = [0], stages.fsp_loss
    def stop_at_6(*a, **k):                        # 4 steps an epoch: the 6th is in the stage's second epoch
        calls[0] += 1
        if calls[0] == 6: raise KeyboardInterrupt
        return fsp_loss(*a, **k)
    monkeypatch.setattr(stages, 'fsp_loss', stop_at_6)
    _, rec = run(tmp_path)
    assert (rec['status'], rec['epochs_done'], rec['test_acc'], len(rec['init_stage'])) == ('interrupted', 0, None, 1)
    assert (tmp_path/'init_fsp.pt').exists() and not (tmp_path/'checkpoint.pt').exists()
    monkeypatch.setattr(stages, 'fsp_loss', fsp_loss)
    resumed, rec = run(tmp_path, resume=True)
    assert rec['status'] == 'completed' and [h['epoch'] for h in rec['history']] == [1, 2]
    assert not (tmp_path/'init_fsp.pt').exists()              # the main stage is done: its checkpoint is all a run needs
    for (k, a), b in zip(straight.state_dict().items(), resumed.state_dict().values()): assert torch.equal(a, b), k
