"""The studies' tables come from committed results files: each tutorial that reports a study is executed again from
its files and every table and printed number must be the one saved in the notebook; no hand-typed result tables."""
import json, os, re, subprocess, sys
from pathlib import Path
import pytest
from conftest import ROOT

TUT = ROOT/'nbs'/'tutorials'
STUDIES = ['vkd_study_mnist1d', 'what_vkd_learns', 'speed']

def texts(path: Path) -> list:
    "Per code cell, its printed text and its Markdown outputs (figures are not compared)."
    out = []
    for c in json.loads(path.read_text())['cells']:
        if c['cell_type'] != 'code': continue
        t = []
        for o in c.get('outputs', []):
            if o.get('output_type') == 'stream': t.append(''.join(o['text']))
            elif 'text/markdown' in o.get('data', {}): t.append(''.join(o['data']['text/markdown']))
        out.append(t)
    return out

@pytest.mark.parametrize('name', STUDIES)
def test_tables_regenerate_from_results_files(tmp_path, name):
    src, dest = TUT/f'{name}.ipynb', tmp_path/f'{name}.ipynb'
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONHASHSEED='0', TQDM_DISABLE='1', PYTHONWARNINGS='ignore',
               MPLBACKEND='module://matplotlib_inline.backend_inline')
    r = subprocess.run([sys.executable, str(ROOT/'.ci'/'docs.py'), 'run-one', str(src), str(dest)], env=env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    saved, fresh = texts(src), texts(dest)
    assert sum(map(len, saved)) >= 3, f"{name} shows no tables: run `make outputs`"
    for i, (a, b) in enumerate(zip(saved, fresh)):
        assert a == b, f"{name}, code cell {i}: the saved output differs from one made from the results files now"

@pytest.mark.parametrize('name', STUDIES)
def test_no_hand_typed_result_tables(name):
    "Numbers with a ± in a markdown table would be typed by hand: tables of results are printed from the files."
    for c in json.loads((TUT/f'{name}.ipynb').read_text())['cells']:
        if c['cell_type'] == 'markdown':
            rows = [l for l in ''.join(c['source']).splitlines() if l.startswith('|') and '±' in l]
            assert not rows, f"{name}: a hand-typed table of results: {rows[0]}"

def test_results_files_say_how_they_were_made():
    for f in ('vkd_study.json', 'vkd_study_methods.json', 'vkd_noise.json'):
        r = json.loads((TUT/'results'/f).read_text())
        assert r['config'], f
    assert json.loads((ROOT/'vkd_nb'/'teaching'/'students.json').read_text())['made_by']['command'].startswith('python bench/')
