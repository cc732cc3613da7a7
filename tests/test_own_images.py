"Your own images through the CLI: a tv:resnet18 teacher from a weights file, its generator fitted, exported, a student from the export; bad input."
import json
import pytest
import torch
from conftest import vkd_in_process as vkd
from vkd_nb.images import write_image_folder
from vkd_nb.models import create_model

@pytest.fixture
def folder(tmp_path):
    "3 classes x 8 training PNGs (+ 3 to validate) of 32x32."
    return write_image_folder(tmp_path/'imgs', num_classes=3, n_train=8, n_test=3, size=32)

def test_tv_teacher_generator_student(tmp_path, folder):
    data = ['--data', f'imagefolder:{folder}', '--root', tmp_path/'cache', '--device', 'cpu', '--quiet', '--seed', '1']
    torch.save(create_model('tv:resnet18', 3, (3, 32, 32)).net.state_dict(), tmp_path/'r18.pt')     # torchvision's own keys
    code, out, err = vkd('teacher', *data, '--arch', 'tv:resnet18', '--teacher-weights', tmp_path/'r18.pt', '--epochs', '1',
                         '--batch-size', '8', '--refine-steps', '20', '--out', tmp_path/'teacher', '--json')
    assert code == 0, err
    m = json.loads(out)
    assert m['status'] == 'completed' and m['config']['arch'] == 'tv:resnet18' and 0 <= m['test_acc'] <= 1
    # a generator for the pretrained teacher, without retraining it: the imported teacher keeps the file's weights
    code, out, err = vkd('fit-generator', '--teacher-weights', tmp_path/'r18.pt', '--arch', 'tv:resnet18', '--data', f'imagefolder:{folder}',
                         '--root', tmp_path/'cache', '--out', tmp_path/'fitted', '--steps', '30', '--device', 'cpu', '--quiet', '--json')
    assert code == 0, err
    ck = torch.load(tmp_path/'fitted'/'teacher.pt', weights_only=True)
    assert torch.equal(ck['state_dict']['net.fc.weight'], torch.load(tmp_path/'r18.pt')['fc.weight'])
    # knowledge as a small file, and a student (a torchvision model too, with a feature method) trained from it
    code, out, err = vkd('export-generator', tmp_path/'fitted', '--out', tmp_path/'knowledge.pt')
    assert code == 0, err
    small, full = (tmp_path/'knowledge.pt').stat().st_size, (tmp_path/'fitted'/'generator.pt').stat().st_size
    assert small < full / 3, (small, full)
    code, out, err = vkd('student', *data, '--arch', 'tv:mobilenet_v3_small', '--mode', 'vkd', '--generator', tmp_path/'knowledge.pt',
                         '--epochs', '1', '--batch-size', '8', '--out', tmp_path/'vkd', '--json')
    assert code == 0, err
    assert json.loads(out)['status'] == 'completed'
    code, out, err = vkd('student', *data, '--arch', 'cnn2d_8', '--mode', 'kd+sp+vkd', '--teacher', tmp_path/'teacher',
                         '--generator', tmp_path/'knowledge.pt', '--epochs', '1', '--batch-size', '8', '--out', tmp_path/'at', '--json')
    assert code == 0, err

def test_streaming_loader_trains(tmp_path, folder):
    "The streaming loader with worker processes plugs in where the device-resident one does (CRD reads indices too)."
    data = ['--data', f'imagefolder:{folder}?val=0.25', '--root', tmp_path, '--device', 'cpu', '--quiet', '--loader', 'stream', '--workers', '2']
    code, out, err = vkd('teacher', *data, '--arch', 'cnn2d_8', '--epochs', '1', '--batch-size', '8', '--refine-steps', '10',
                         '--out', tmp_path/'t', '--json')
    assert code == 0, err
    code, out, err = vkd('student', *data, '--arch', 'cnn2d_8', '--mode', 'crd+vkd', '--teacher', tmp_path/'t', '--epochs', '1',
                         '--batch-size', '8', '--crd-k', '4', '--out', tmp_path/'s', '--json')
    assert code == 0, err

def _bad(tmp_path, folder, case):
    "Arguments of `vkd teacher` that fail in the way `case` names."
    w = tmp_path/'w.pt'
    if case == 'empty class':
        (folder/'train'/'class3').mkdir(); (folder/'val'/'class3').mkdir()
    elif case == 'unreadable image': (folder/'train'/'class1'/'broken.png').write_bytes(b'\x89PNG but not really')
    elif case == 'other architecture': torch.save(create_model('tv:resnet34', 3, (3, 32, 32)).net.state_dict(), w)
    elif case == 'other class count': torch.save(create_model('tv:resnet18', 10, (3, 32, 32)).net.state_dict(), w)
    arch = 'tv:resnet81' if case == 'unknown tv name' else 'tv:resnet18'
    extra = ['--teacher-weights', w] if case.startswith('other') else []
    return ['teacher', '--data', f'imagefolder:{folder}', '--root', tmp_path, '--arch', arch, '--device', 'cpu', '--quiet',
            '--epochs', '1', '--out', tmp_path/'out', *extra]

@pytest.mark.parametrize('case, msg', [('empty class', 'class3 holds no images'),
                                       ('unreadable image', 'cannot read image'),
                                       ('other architecture', 'saved from another architecture'),
                                       ('other class count', "classifier has 10 classes, the model 3"),
                                       ('unknown tv name', "unknown torchvision model 'resnet81'; did you mean tv:resnet18")])
def test_bad_input(tmp_path, folder, case, msg):
    code, out, err = vkd(*_bad(tmp_path, folder, case))
    assert code == 2, (code, err)
    assert msg in err and 'Traceback' not in err, err

def test_tutorial_runs():
    "nbs/tutorials/own_images.ipynb runs end to end (the tutorials folder is skipped by nbdev_test)."
    from pathlib import Path
    from nbdev.test import test_nb
    ok, secs = test_nb(Path(__file__).resolve().parents[1]/'nbs'/'tutorials'/'own_images.ipynb', showerr=True)
    assert ok

def test_tv_teacher_and_student_under_torchrun(tmp_path, folder, run_env):
    "The same chain with 2 gloo processes: a tv:resnet18 teacher from a weights file co-trains its generator, then a vkd student on streamed data."
    import subprocess, sys
    from pathlib import Path
    torchrun = Path(sys.executable).parent/'torchrun'
    torch.save(create_model('tv:resnet18', 3, (3, 32, 32)).net.state_dict(), tmp_path/'r18.pt')
    data = ['--data', f'imagefolder:{folder}', '--root', tmp_path/'cache', '--device', 'cpu', '--quiet', '--seed', '1', '--batch-size', '8']
    def run(*args):
        r = subprocess.run([str(torchrun), '--standalone', '--nproc_per_node', '2', '-m', 'vkd_nb.cli', *map(str, args)],
                           env=run_env, capture_output=True, text=True, timeout=400)
        assert r.returncode == 0, r.stderr[-3000:]
        return json.loads(r.stdout)                      # one result: rank 0 alone prints
    m = run('teacher', *data, '--arch', 'tv:resnet18', '--teacher-weights', tmp_path/'r18.pt', '--epochs', '1', '--refine-steps', '20',
            '--out', tmp_path/'teacher', '--json')
    assert m['status'] == 'completed' and (tmp_path/'teacher'/'generator.pt').exists()
    m = run('student', *data, '--arch', 'cnn2d_8', '--mode', 'vkd', '--teacher', tmp_path/'teacher', '--epochs', '1', '--out', tmp_path/'s', '--json',
            '--loader', 'stream', '--workers', '0')              # streamed from the files, each rank reading its shard
    assert m['status'] == 'completed' and 0 <= m['test_acc'] <= 1
