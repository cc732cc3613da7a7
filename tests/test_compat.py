"Run folders written by vkd_nb 0.1 (before the learner and the method registry): they still load, or fail saying what to do."
import json, shutil
import torch
from conftest import ROOT, vkd_in_process
from vkd_nb.cotrain import load_teacher, load_generator
from vkd_nb.train import load_student

OLD = ROOT/'tests'/'data'/'run_v0_1'     # made by vkd_nb 0.1: run_teacher and run_student (kd) on 100 digits, one epoch

vkd = vkd_in_process                   # `vkd argv` in this process: exit code, stdout, stderr

def test_old_weights_load():
    t, meta = load_teacher(OLD/'teacher')
    g, (s, smeta) = load_generator(OLD/'teacher'), load_student(OLD/'student')
    assert (meta['arch'], meta['data']['name'], smeta['mode']) == ('mlp_64x1', 'digits', 'kd')
    x = torch.randn(3, 1, 8, 8)
    assert t(x).shape == s(x).shape == (3, 10)
    assert g.virtual_knowledge(torch.tensor([0, 1, 2]), 4.).shape == (3, 10)

def test_old_teacher_folder_trains_new_students(tmp_path):
    shutil.copytree(OLD/'teacher', tmp_path/'teacher')
    for mode in ('vkd', 'kd+vkd'):
        code, out, err = vkd('student', '--data', 'digits', '--n-train', 100, '--root', tmp_path/'data', '--arch', 'mlp_64x1', '--mode', mode,
                             '--teacher', tmp_path/'teacher', '--epochs', 1, '--quiet', '--device', 'cpu', '--out', tmp_path/mode)
        assert code == 0, err

def test_old_checkpoint_cannot_resume_and_says_what_to_do(tmp_path):
    shutil.copytree(OLD/'teacher', tmp_path/'teacher'); shutil.copytree(OLD/'student', tmp_path/'student')
    args = ('student', '--data', 'digits', '--n-train', 100, '--root', tmp_path/'data', '--arch', 'mlp_64x1', '--mode', 'kd',
            '--teacher', tmp_path/'teacher', '--epochs', 2, '--quiet', '--device', 'cpu', '--out', tmp_path/'student')
    before = (tmp_path/'student'/'student.pt').read_bytes()
    code, out, err = vkd(*args, '--resume')
    assert code == 2 and 'written by an earlier vkd_nb' in err and '--overwrite' in err and 'Traceback' not in err, err
    assert (tmp_path/'student'/'student.pt').read_bytes() == before     # nothing was replaced
    code, out, err = vkd(*args, '--overwrite')
    assert code == 0, err
    assert json.loads((tmp_path/'student'/'metrics.json').read_text())['epochs_done'] == 2
