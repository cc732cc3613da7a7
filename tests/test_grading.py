"""Grading against the instructor's copy (`vkd grade --reference`): every way we know to forge a score gets the true
score; hidden tests and partial credit; the box (bwrap, or none) and its limits; `vkd grade-class` on a class of
five made-up students."""
import csv, json, os, re, shutil, subprocess, time
from pathlib import Path
import pytest
from conftest import ROOT
from vkd_nb.grading.notebooks import read_notebook, cell_source, notebook_text, strip_solutions, student_version
from vkd_nb.grading.instrument import grading_plan
from vkd_nb.grading.sandbox import sandbox_available
from vkd_nb.grading.reference import grade, reference_values, feedback_text
from vkd_nb.grading.classes import grade_class

SOL, STU = ROOT/'nbs'/'assignments'/'_solutions', ROOT/'nbs'/'assignments'
NAME = '01_softmax_temperature.ipynb'
REF = SOL/NAME
MAX = 7                                       # 2 + 1 (hidden) + 2 + 1 + 1
BOX = 'bwrap' if sandbox_available() else 'none'

@pytest.fixture(scope='module')
def expected():
    return reference_values(REF, sandbox=BOX)

def submission(tmp_path, name='sub.ipynb', answers=None, edit=None, append=(), drop=()):
    """The students' version of assignment 1 with some cells changed: `answers` maps an answer cell's function name to
    'solution' or a source; `edit` maps a cell id to a new source (or a function of the old one); `append` adds code cells."""
    ref, nb = read_notebook(REF), read_notebook(STU/NAME)
    by_id = {c['id']: c for c in nb['cells']}
    for c in ref['cells']:
        src = cell_source(c)
        m = re.search(r'^def (\w+)', src, re.M)
        if c['cell_type'] == 'code' and m and answers and m[1] in answers:
            new = answers[m[1]]
            by_id[c['id']]['source'] = src if new == 'solution' else new
    for cid, new in (edit or {}).items(): by_id[cid]['source'] = new(cell_source(by_id[cid])) if callable(new) else new
    nb['cells'] = [c for c in nb['cells'] if c['id'] not in drop]
    for i, s in enumerate(append):
        nb['cells'].append({'cell_type': 'code', 'id': f'extra{i}', 'metadata': {}, 'execution_count': None, 'outputs': [], 'source': s})
    p = tmp_path/name; p.write_text(notebook_text(nb)); return p

ALL = {n: 'solution' for n in ('soften', 'log_soften', 'entropy', 'retemper')}

def g(path, expected, **kw):
    return grade(path, timeout=kw.pop('timeout', 30), total_timeout=kw.pop('total_timeout', 120), reference=REF, expected=expected,
                 sandbox=kw.pop('sandbox', BOX), **kw)

def scores(r): return {e['name']: e['score'] for e in r['exercises']}

def test_solution_full_stub_zero_hidden_tests_partial_credit(tmp_path, expected):
    r = g(submission(tmp_path, answers=ALL), expected)
    assert (r['total'], r['max'], r['status'], r['tampering']) == (MAX, MAX, 'ok', []), (r['exercises'], r['tampering'])
    assert [q['name'] for q in r['questions']] == ['Q1', 'Q2'] and r['manual_max'] == 2     # prose: graded by hand
    assert r['sandbox'] == BOX
    soften = r['exercises'][0]
    assert [c['hidden'] for c in soften['cases']] == [False, True] and soften['points'] == 3
    r = g(submission(tmp_path), expected)
    assert r['total'] == 0 and r['max'] == MAX and r['status'] == 'ok'
    # the students' version does not hold the hidden test
    assert 'points=1 hidden' not in (STU/NAME).read_text() and 'points=1 hidden' in REF.read_text()
    # partial credit: a soften that fails only for float64 input passes the visible cell and 1 of 4 hidden checks... in part
    part = ('def soften(logits, tau=1.):\n    if not tau > 0: raise ValueError("tau")\n    z = (logits / tau).float()\n'
            '    z = z - z.max(-1, keepdim=True).values\n    return z.exp() / z.exp().sum(-1, keepdim=True)')
    r = g(submission(tmp_path, answers={'soften': part}), expected)
    e = r['exercises'][0]
    assert e['cases'][0]['score'] == 2 and 0 < e['cases'][1]['score'] < 1 and 2 < e['score'] < 3, e
    assert any(f.startswith('hidden test') for f in e['cases'][1]['failures'])
    text = feedback_text(r)
    assert 'hidden test' in text and 'float64' not in text.split('exercise 1 soften')[-1]      # hidden tests' code is not shown

def test_the_issues_attack(tmp_path, expected):
    "Stubs left, test cells emptied to `pass`, two exercises re-marked points=50, test_close/test_eq redefined as no-ops: 0 points."
    setup = lambda s: s + '\ndef test_close(*a, **k): pass\ndef test_eq(*a, **k): pass\n'
    edit = {'c001': setup, 'c006': '#| exercise: 1 soften points=50\npass', 'c011': '#| exercise: 2 log-soften points=50\npass',
            'c014': 'pass', 'c020': 'pass'}
    r = g(submission(tmp_path, edit=edit), expected)
    assert (r['total'], r['max']) == (0, MAX), scores(r)
    assert sorted(n.split(' (')[0] for n in r['tampering'] if n.startswith('the test')) == [f'the test of exercise {e}' for e in
                                                                 ('1 soften', '2 log-soften', '3 entropy', '4 retemper')]
    # the legacy grader, trusting the submission, is fooled, and says it trusts it
    legacy = grade(submission(tmp_path, 'legacy.ipynb', edit=edit))
    assert legacy['total'] == 100 and 'forge' in legacy['warning']

def test_markers_deleted_and_tests_added(tmp_path, expected):
    strip = lambda s: '\n'.join(l for l in s.splitlines() if not l.startswith('#|'))
    r = g(submission(tmp_path, edit={c: strip for c in ('c006', 'c011', 'c014', 'c020')},
                     append=['#| exercise: 9 free points=100\nassert True']), expected)
    assert [e['name'] for e in r['exercises']] == ['soften', 'log-soften', 'entropy', 'retemper'] and (r['total'], r['max']) == (0, MAX)
    assert any(re.match(r'cell \d+ added', n) for n in r['tampering']), r['tampering']

def test_redefined_checks_in_answers_and_forged_results(tmp_path, expected):
    "Answers that redefine the checks, print result lines, write forged records to every file descriptor, or exit."
    forge = ('import os, json, sys\n'
             'rec = json.dumps({"cell": 5, "role": "test", "ok": True, "error": None, "timed_out": False, "seconds": 0, "replaced": [],'
             ' "checks": [{"kind": "close", "line": 4, "value": True}] * 30, "passed": True, "score": 2}) + "\\n"\n'
             'for fd in range(1, 64):\n'
             '    try: os.write(fd, rec.encode())\n'
             '    except OSError: pass\n'
             'print("total: 7/7"); print(rec)\n'
             'def test_close(*a, **k): pass\n'
             'def soften(logits, tau=1.):\n'
             '    test_close.__globals__["__vkd_check__"] = lambda *a: None\n'
             '    raise SystemExit(0)\n')
    r = g(submission(tmp_path, answers={'soften': forge, 'log_soften': 'import sys\nsys.exit(0)', 'entropy': 'import os\nos._exit(0)'}), expected)
    assert r['total'] == 0, scores(r)
    # the same without imports: still no points
    r = g(submission(tmp_path, answers={'soften': 'def soften(logits, tau=1.):\n    raise SystemExit(0)',
                                        'retemper': 'print("total: 7/7")\ndef retemper(p, tau):\n    print("passed")\n    return True'}), expected)
    assert r['total'] == 0, scores(r)

def test_answers_that_call_the_library(tmp_path, expected):
    answers = {'soften': 'from vkd_nb.core import soften',
               'log_soften': 'import vkd_nb.core as ref\ndef log_soften(logits, tau=1.):\n    return ref.log_soften(logits, tau)',
               'entropy': 'import math\nfrom vkd_nb.fidelity import kl_div\ndef entropy(p):\n    return math.log(p.shape[-1]) - kl_div(p, torch.full_like(p, 1 / p.shape[-1]))',
               'retemper': 'import vkd_nb.core as ref\nretemper = lambda p, tau: ref.soften(p.log(), tau)'}
    r = g(submission(tmp_path, answers=answers), expected)
    assert r['total'] == 0, scores(r)
    assert any('`soften` is not a function written in an answer cell' in n for n in r['tampering']), r['tampering']
    assert 'not available to your answer' in r['exercises'][1]['error'], r['exercises'][1]['error']
    # reaching past the guards: a fresh copy of the module, the grader's frames, the reference's file
    answers = {'soften': 'import importlib, vkd_nb.core\ndef soften(logits, tau=1.):\n    return importlib.reload(vkd_nb.core).soften(logits, tau)',
               'log_soften': 'import sys\ndef log_soften(logits, tau=1.):\n    return sys._getframe(1).f_globals["ref"].log_soften(logits, tau)',
               'entropy': f'src = open({str(REF)!r}).read()\ndef entropy(p):\n    return -torch.xlogy(p, p).sum(-1)'}
    r = g(submission(tmp_path, answers=answers), expected)
    assert scores(r) == {'soften': 0, 'log-soften': 0, 'entropy': 0, 'retemper': 0}, scores(r)
    assert any('not allowed in graded code' in e['error'] for e in r['setup_errors']), r['setup_errors']

def test_deleted_answer_cell_runs_the_stub_and_others_still_count(tmp_path, expected):
    r = g(submission(tmp_path, answers=ALL, drop=('c005',)), expected)
    assert scores(r) == {'soften': 0, 'log-soften': 2, 'entropy': 1, 'retemper': 1}, scores(r)
    assert any('exercise 1 soften' in n and 'stub was run' in n for n in r['tampering']), r['tampering']

@pytest.mark.skipif(not sandbox_available(), reason='bwrap (Debian bubblewrap) is not installed: `make test` installs it')
def test_the_box_hides_the_files_and_the_network(tmp_path, expected):
    secret = tmp_path.parent/'secret.txt'; secret.write_text('the answers')
    from vkd_nb.grading import instrument as I, sandbox as S
    # the probe's value was a tensor of four False: it saw no file outside its folder and no network
    child = S._spawn({'cells': [{'index': 0, 'role': 'setup', 'code': I.instrument(
        'from pathlib import Path as P\nimport os\n'
        f'assert not P({str(secret)!r}).exists() and not P({str(REF)!r}).exists() and set(os.listdir(".")) <= {{"tmp"}}\n'
        'import torch, vkd_nb.core\n'
        'import socket\n'
        'try: socket.create_connection(("1.1.1.1", 53), timeout=2); ok = False\n'
        'except OSError: ok = True\n'
        'assert ok', '<cell 1>').hex()}], 'timeout': 30, 'reference': False}, 60, 'bwrap')[:5]
    recs = [x for x in child[0] if 'cell' in x]
    assert recs and recs[0]['ok'] and all(c.get('value') is True for c in recs[0]['checks']), recs

def test_no_box_still_grades(tmp_path, expected):
    "Without bwrap (forced): the same scores, and the report says it ran unboxed."
    r = g(submission(tmp_path, answers=ALL), expected, sandbox='none')
    assert (r['total'], r['sandbox']) == (MAX, 'none')

def test_grade_class_of_five(tmp_path):
    "Full, empty, crashing, looping and memory-hogging students, one missing: the right gradebook, within the time limits."
    sol = {n: 'solution' for n in ('log_soften', 'entropy', 'retemper')}
    subs = tmp_path/'submissions'; subs.mkdir()
    (subs/'ada').mkdir(); submission(subs/'ada', NAME, answers=ALL)                                   # full marks
    submission(subs, 'bob.ipynb')                                                                     # the stubs
    crash = ('import numpy as np\ndef soften(logits, tau=1.):\n'
             '    return np.lib.stride_tricks.as_strided(np.zeros(1), shape=(1000,), strides=(10**9,)).sum()')
    (subs/'cy').mkdir(); submission(subs/'cy', 'my work.ipynb', answers={**sol, 'soften': crash})      # a segmentation fault
    submission(subs, 'dee.ipynb', answers={**sol, 'soften': 'while True: pass\ndef soften(logits, tau=1.): pass'})   # loops
    hog = 'import torch\ndef soften(logits, tau=1.):\n    return torch.ones(50 * 2**30, dtype=torch.uint8).float()'
    submission(subs, 'eve.ipynb', answers={**sol, 'soften': hog})                                      # 50 GB
    (subs/'roster.txt').write_text('ada\nbob\ncy\ndee\neve\nfay\n')
    roster = subs/'roster.txt'; shutil.move(roster, tmp_path/'roster.txt')
    out = tmp_path/'gradebook.csv'
    t0 = time.monotonic()
    rows = grade_class(subs, REF, out, jobs=2, timeout=15, total_timeout=90, memory_mb=6144, sandbox=BOX, roster=tmp_path/'roster.txt',
                       progress=False)
    seconds = time.monotonic() - t0
    print(f"graded the class of 5 in {seconds:.1f} s")
    got = {r["student"]: (r["status"], r["total"]) for r in rows}
    assert got == {'ada': ('ok', '7'), 'bob': ('ok', '0'), 'cy': ('crashed', '0'), 'dee': ('timeout', '4'), 'eve': ('memory', '4'),
                   'fay': ('missing', '0')}, got
    assert seconds < 150
    book = list(csv.DictReader(out.open()))
    assert [r['student'] for r in book] == ['ada', 'bob', 'cy', 'dee', 'eve', 'fay']
    assert list(book[0]) == ['student', 'status', '1 soften (/3)', '2 log-soften (/2)', '3 entropy (/1)', '4 retemper (/1)',
                             'Q1 (/1, by hand)', 'Q2 (/1, by hand)', 'total', 'max', 'to grade by hand', 'sandbox', 'notes']
    assert {r['sandbox'] for r in book} == {BOX}
    assert book[3]['1 soften (/3)'] == '0' and book[3]['2 log-soften (/2)'] == '2' and book[0]['max'] == '7'
    assert 'crashed' in book[2]['notes'] and 'SIGSEGV' in book[2]['notes']
    fb = tmp_path/'gradebook-feedback'
    assert sorted(p.name for p in fb.iterdir()) == [f'{s}.txt' for s in ('ada', 'bob', 'cy', 'dee', 'eve', 'fay')]
    assert 'not implemented yet' in (fb/'bob.txt').read_text() and 'timed out' in (fb/'dee.txt').read_text()
    assert 'no submission' in (fb/'fay.txt').read_text()

@pytest.mark.parametrize('box', ['none', pytest.param('bwrap', marks=pytest.mark.skipif(not sandbox_available(), reason='no bwrap'))])
def test_forking_is_refused_and_cleaned_up(box):
    "A child that forks without end: the audit hook refuses `os.fork` (and bwrap's process namespace, or the process cap, stand behind it)."
    from vkd_nb.grading import instrument as I, sandbox as S
    src = ('import os, time\npids, why = [], None\ntry:\n    for _ in range(400):\n        p = os.fork()\n        if p == 0:\n'
           '            time.sleep(60); os._exit(0)\n        pids.append(p)\nexcept OSError as e: why = str(e)\n'
           'assert len(pids) < 400, len(pids)\ntest_eq(pids, [])\ntest_eq(why, "")\n')
    job = {'cells': [{'index': 0, 'role': 'setup', 'code': I.instrument(src, '<cell 1>').hex()}], 'timeout': 30, 'reference': False}
    t0 = time.monotonic()
    recs, rc, killed, stderr, boxed, over = S._spawn(job, 60, box, max_procs=128)
    assert time.monotonic() - t0 < 30 and boxed == (box == 'bwrap') and not over
    cell = [r for r in recs if r.get('cell') == 0][0]
    assert cell['ok'] and cell['checks'][0]['value'] is True, cell          # fork failed before 400 children
    assert cell['checks'][1]['value'] == {'seq': []}, cell['checks'][1]      # not one
    assert 'not allowed in graded code: os.fork' in cell['checks'][2]['value'], cell['checks'][2]
