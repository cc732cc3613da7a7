"""The grader's corpus (`tests/grading_corpus/`, one small file per case): every forgery we know of gets its true
score, every correct variant full marks, on assignment 1 graded against its solution. A case is a dict: `answers`
(an answer's function name: 'solution' or a source), `insert` (a cell put just before an answer's cell), `ids`
('drop': nbformat 4.4, 'regen': new ids), `sandbox` ('none': graded unboxed), `expect` (exercise: score)."""
import random, re, runpy, string
from pathlib import Path
import pytest
from conftest import ROOT
from vkd_nb.grading.notebooks import read_notebook, cell_source, notebook_text
from vkd_nb.grading.sandbox import sandbox_available
from vkd_nb.grading.reference import grade, reference_values

SOL, STU = ROOT/'nbs'/'assignments'/'_solutions', ROOT/'nbs'/'assignments'
NAME = '01_softmax_temperature.ipynb'
REF = SOL/NAME
FULL = {'soften': 3, 'log-soften': 2, 'entropy': 1, 'retemper': 1}
CASES = sorted(p for p in (Path(__file__).parent/'grading_corpus').glob('*.py') if not p.name.startswith('_'))
BOX = 'bwrap' if sandbox_available() else 'none'

def load(path) -> dict:
    import sys
    sys.path.insert(0, str(path.parent))                 # cases share `_plain.py`
    try: return runpy.run_path(str(path))['CASE']
    finally: sys.path.remove(str(path.parent))

def build(case: dict, dest: Path, ref=REF, stu=STU/NAME) -> Path:
    "The students' version of assignment 1 changed as `case` says, written to `dest`."
    sol, nb = read_notebook(ref), read_notebook(stu)
    fix = lambda s: s.replace('REFERENCE', repr(str(ref)))
    names = {}
    for c in sol['cells']:
        m = re.search(r'^def (\w+)', cell_source(c), re.M)
        if c['cell_type'] == 'code' and m and '### BEGIN SOLUTION' in cell_source(c): names[m[1]] = c
    by_id = {c['id']: c for c in nb['cells']}
    for fn, new in case.get('answers', {}).items():
        by_id[names[fn]['id']]['source'] = cell_source(names[fn]) if new == 'solution' else fix(new)
    for fn, src in case.get('insert', {}).items():
        k = nb['cells'].index(by_id[names[fn]['id']])
        nb['cells'].insert(k, {'cell_type': 'code', 'id': 'extra' + fn, 'metadata': {}, 'execution_count': None,
                               'outputs': [], 'source': fix(src)})
    if case.get('ids') == 'drop':
        for c in nb['cells']: c.pop('id', None)
        nb['nbformat_minor'] = 4
    if case.get('ids') == 'regen':
        rng = random.Random(0)
        for c in nb['cells']: c['id'] = ''.join(rng.choice(string.hexdigits.lower()) for _ in range(8))
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(notebook_text(nb))
    return dest

@pytest.fixture(scope='module')
def expected():
    "The reference's values of each assignment the corpus uses, computed once."
    cache = {}
    def get(name=NAME):
        if name not in cache: cache[name] = reference_values(SOL/name, sandbox=BOX)
        return cache[name]
    return get

@pytest.mark.parametrize('path', CASES, ids=[p.stem for p in CASES])
def test_corpus(path, tmp_path, expected):
    case = load(path)
    if case.get('needs'): pytest.importorskip(case['needs'])
    name = case.get('assignment', NAME)
    r = grade(build(case, tmp_path/name, SOL/name, STU/name), timeout=30, total_timeout=180, reference=SOL/name,
              expected=expected(name), sandbox=case.get('sandbox', BOX))
    got = {e['name']: e['score'] for e in r['exercises']}
    if case.get('honest'):                               # the score of the same answer without the trick
        h = grade(build({'answers': case['honest']}, tmp_path/'honest'/NAME), timeout=30, total_timeout=180, reference=REF,
                  expected=expected(), sandbox=case.get('sandbox', BOX))
        case['expect'] = {k: next(e['score'] for e in h['exercises'] if e['name'] == k) for k in case['expect']}
        assert 0 < sum(case['expect'].values()) < sum(FULL[k] for k in case['expect']), case['expect']
    if case['kind'] == 'correct':
        assert got == FULL and r['tampering'] == [] and r['setup_errors'] == [], (got, r['tampering'], r['setup_errors'])
    else:
        assert all(got[k] <= v for k, v in case['expect'].items()), (got, case['expect'], r['tampering'], r['setup_errors'])
        if not case.get('honest'): assert {k: got[k] for k in case['expect']} == case['expect'], got
    if case.get('note_has'):
        assert any(case['note_has'] in str(e['error']) for e in r['setup_errors'] + r['exercises']), r['setup_errors']
    assert not (tmp_path/'forged.txt').exists()
