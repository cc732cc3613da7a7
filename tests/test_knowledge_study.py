"The knowledge study's pipeline (`bench/knowledge_study.py --quick`): every phase runs, the report and figure are written, a rerun resumes."
import json, subprocess, sys
from pathlib import Path
from conftest import ROOT

def test_quick_study_runs_and_resumes(tmp_path, run_env):
    cmd = [sys.executable, str(ROOT/'bench'/'knowledge_study.py'), '--quick', '--jobs', '1', '--out', str(tmp_path/'ks'), '--root', str(ROOT/'data')]
    r = subprocess.run(cmd, env=run_env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    res = json.loads((tmp_path/'ks'/'results.json').read_text())
    names = {(row['size'], row['name']) for row in res['rows']}
    for n in (200, 400):
        for name in ('ce', 'kd', 'self-vkd', 'class-mean', 'vkd: teacher', 'vkd: epoch 1', 'vkd: holdout', 'vkd: self-VKD',
                     'smoothing ~ teacher', 'means ~ teacher', 'means ~ self-VKD', 'vkd: teacher, tau 2', 'vkd: teacher, weight x2'):
            assert (n, name) in names, (n, name)
    for row in res['rows']:
        assert len(row['accs']) == len(res['seeds']) and all(0 <= a <= 1 for a in row['accs'])
        if row['name'].startswith('smoothing ~'):       # matched: the same top-1 probability as its source, no class order
            src = next(x for x in res['rows'] if x['size'] == row['size'] and x['name'] == 'vkd: ' + row['source'].split(' ~ ')[1])
            assert abs(row['softness']['top1'] - src['softness']['top1']) < 1e-4
            assert row['softness']['dark_rank'] != row['softness']['dark_rank']    # nan
    assert (tmp_path/'ks'/'softness.png').stat().st_size > 5000
    assert '| vkd: teacher |' in (tmp_path/'ks'/'results.md').read_text()
    r2 = subprocess.run(cmd, env=run_env, capture_output=True, text=True, timeout=300)   # everything cached: same numbers
    assert r2.returncode == 0, r2.stderr[-3000:]
    assert json.loads((tmp_path/'ks'/'results.json').read_text())['rows'] == res['rows']

def test_bad_jobs(run_env):
    r = subprocess.run([sys.executable, str(ROOT/'bench'/'knowledge_study.py'), '--jobs', '0'], env=run_env, capture_output=True, text=True)
    assert r.returncode == 2 and '--jobs must be at least 1' in r.stderr

def test_tutorial_reads_the_study():
    "nbs/tutorials/what_vkd_learns.ipynb runs on the committed results (the tutorials folder is skipped by nbdev_test)."
    from nbdev.test import test_nb
    ok, _ = test_nb(ROOT/'nbs'/'tutorials'/'what_vkd_learns.ipynb', showerr=True)
    assert ok
    res = json.loads((ROOT/'nbs'/'tutorials'/'what_vkd_learns.json').read_text())
    assert len(res['seeds']) == 5 and {r['size'] for r in res['rows']} == {1000, None} and len(res['rows']) == 54
