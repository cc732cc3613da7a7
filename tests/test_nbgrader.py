"""nbgrader interop: `vkd assignments export --nbgrader DIR` writes a source assignment that `nbgrader generate_assignment`
and `nbgrader autograde` accept, and nbgrader's scores agree with `vkd grade`'s: full for the solutions, zero for the stubs."""
import json, os, subprocess, sys
from pathlib import Path
import pytest
from conftest import ROOT
from vkd_nb.grading.notebooks import read_notebook, cell_source
from vkd_nb.grading.instrument import grading_plan
from vkd_nb.grading.reference import grade
from vkd_nb.grading.nbgrader import export_nbgrader, nbgrader_notebook

nbgrader = pytest.importorskip('nbgrader', reason='nbgrader is a dev requirement (settings.ini): `make install`')
SOL = ROOT/'nbs'/'assignments'/'_solutions'
A = '01_softmax_temperature'

def test_export_metadata():
    nb = nbgrader_notebook(read_notebook(SOL/f'{A}.ipynb'))
    meta = [c['metadata'].get('nbgrader') for c in nb['cells']]
    sol = [m for m in meta if m and m['solution'] and not m['grade']]
    tests = [m for m in meta if m and m['grade'] and not m['solution']]
    manual = [m for m in meta if m and m['grade'] and m['solution']]
    assert len(sol) == 4 and len(tests) == 5 and len(manual) == 2
    assert sum(m['points'] for m in tests) == 7 and all(m['locked'] and m['schema_version'] == 3 for m in tests)
    hidden = [cell_source(c) for c in nb['cells'] if '### BEGIN HIDDEN TESTS' in cell_source(c)]
    assert len(hidden) == 1 and hidden[0].rstrip().endswith('### END HIDDEN TESTS')
    assert len({m['grade_id'] for m in meta if m}) == len([m for m in meta if m])        # unique ids
    manual_md = [cell_source(c) for c in nb['cells'] if (c['metadata'].get('nbgrader') or {}).get('solution')
                 and c['cell_type'] == 'markdown']
    assert len(manual_md) == 2 and all('**Rubric (1 point, graded by hand).**' in r for r in manual_md)  # their rubrics

def _nbgrader(course, *args):
    env = dict(os.environ, PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ.get('PATH', ''), OMP_NUM_THREADS='1')
    r = subprocess.run([str(Path(sys.executable).parent/'nbgrader'), *args], cwd=course, env=env, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r

def test_nbgrader_generate_and_autograde_agree_with_vkd_grade(tmp_path):
    course = tmp_path/'course'
    written = export_nbgrader(course, SOL)
    assert [p.name for p in written] == sorted(p.name for p in SOL.glob('*.ipynb'))
    _nbgrader(course, 'generate_assignment', A, '--force')
    release = read_notebook(course/'release'/A/f'{A}.ipynb')
    assert '### BEGIN SOLUTION' not in json.dumps(release) and 'BEGIN HIDDEN TESTS' not in json.dumps(release)
    assert 'Rubric' not in json.dumps(release)                    # the rubric stays in the source, by the model answer
    source = {c['id']: c for c in read_notebook(course/'source'/A/f'{A}.ipynb')['cells']}
    full = json.loads(json.dumps(release))              # the release with every answer cell solved
    for c in full['cells']:
        if (c['metadata'].get('nbgrader') or {}).get('solution') and c['cell_type'] == 'code': c['source'] = source[c['id']]['source']
    for student, nb in (('full', full), ('stub', release)):
        d = course/'submitted'/student/A; d.mkdir(parents=True)
        (d/f'{A}.ipynb').write_text(json.dumps(nb))
    _nbgrader(course, 'autograde', A, '--create', '--force')
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course/'gradebook.db'}") as gb:
        nbg = {s: (gb.find_submission(A, s).code_score, gb.find_submission(A, s).max_code_score) for s in ('full', 'stub')}
    vkd = {s: grade(course/'submitted'/s/A/f'{A}.ipynb', reference=SOL/f'{A}.ipynb') for s in ('full', 'stub')}
    assert nbg == {'full': (7, 7), 'stub': (0, 7)}, nbg
    assert {s: (r['total'], r['max']) for s, r in vkd.items()} == nbg, {s: (r['total'], r['tampering']) for s, r in vkd.items()}
    assert all(r['tampering'] == [] for r in vkd.values()), [r['tampering'] for r in vkd.values()]
