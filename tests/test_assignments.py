"""The course assignments and their grader: graded against its solution (the instructor's copy), every solution
scores full marks, every stub (and every empty answer) scores 0 in each of its exercises, the students' versions are built from the solutions; `vkd grade` on notebooks that
crash or loop, and its output."""
import argparse, contextlib, io, json, os, re, shutil, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
import pytest
from conftest import ROOT
from vkd_nb.grading.notebooks import build_assignments, check_assignments, read_notebook, exercises_of, exercise_marker, cell_source, strip_solutions, notebook_text, BEGIN_SOLUTION, student_version
from vkd_nb.grading.reference import grade, reference_values
from vkd_nb.grading.cli import add_grade, add_assignments

SOL, STU = ROOT/'nbs'/'assignments'/'_solutions', ROOT/'nbs'/'assignments'
NAMES = ['01_softmax_temperature.ipynb', '02_kd_term.ipynb', '03_generator_gan.ipynb', '04_student_vkd.ipynb', '05_self_collab.ipynb']

def with_empty_answers(name, dest):
    "The students' version of `name` with every solution replaced by `pass` (the functions return None)."
    dest.write_text(notebook_text(student_version(read_notebook(SOL/name), ('pass',))))
    return dest

@pytest.fixture(scope='module')
def reports(tmp_path_factory):
    """Grade every solution, its students' version and its empty answers against the solution (the instructor's
    copy), two assignments at a time; the reference runs once per assignment."""
    tmp = tmp_path_factory.mktemp('empty')
    def one(n):
        exp = reference_values(SOL/n)
        run = lambda p: grade(p, timeout=120, total_timeout=300, reference=SOL/n, expected=exp)
        return {('solution', n): run(SOL/n), ('stub', n): run(STU/n), ('empty', n): run(with_empty_answers(n, tmp/n))}
    with ThreadPoolExecutor(2) as pool:
        out = {}
        for d in pool.map(one, list(reversed(NAMES))): out.update(d)      # the longest first: two workers finish together
        return out

def test_the_five_assignments_are_there():
    test_names = sorted(p.name for p in SOL.glob('*.ipynb'))
    assert test_names == NAMES, test_names
    for n in NAMES:
        assert (STU/n).is_file(), f"the students' version of {n} is missing: run `vkd assignments build`"
        assert len(exercises_of(read_notebook(SOL/n))) >= 3, n
    assert (STU/'.notest').is_file(), "the students' versions fail by design: nbs/assignments/.notest keeps them out of nbdev_test"
    assert (STU/'index.ipynb').is_file()

@pytest.mark.parametrize('name', NAMES)
def test_solution_scores_full_marks(reports, name):
    r = reports['solution', name]
    failed = [(e['number'], e['name'], e['error']) for e in r['exercises'] if not e['passed']]
    assert not failed and r['total'] == r['max'] > 0, failed
    assert r['error'] is None and r['setup_errors'] == [] and r['tampering'] == [] and r['status'] == 'ok', (r['error'], r['setup_errors'], r['tampering'])
    assert any(c['hidden'] for e in r['exercises'] for c in e['cases']), 'each assignment has a hidden test'
    assert r['seconds'] < 60, f"{name} took {r['seconds']:.0f} s to grade: keep assignments light"

@pytest.mark.parametrize('name', NAMES)
def test_stub_fails_every_exercise(reports, name):
    r = reports['stub', name]
    assert r['exercises'] and r['total'] == 0 and r['max'] == reports['solution', name]['max']
    for e in r['exercises']: assert not e['passed'] and 'NotImplementedError' in e['error'], e
    # an untouched students' version runs from top to bottom: only the exercises' tests fail
    assert r['error'] is None and r['tampering'] == [] and r['status'] == 'ok', (r['error'], r['tampering'])

@pytest.mark.parametrize('name', NAMES)
def test_empty_answers_fail_every_exercise(reports, name):
    "With every solution replaced by `pass` (the functions return None), no test passes."
    r = reports['empty', name]
    assert len(r['exercises']) == len(exercises_of(read_notebook(SOL/name)))
    scored = [(e['number'], e['name'], e['score']) for e in r['exercises'] if e['score']]
    assert not scored, f"these exercises score on an empty answer: {scored}"

def test_students_versions_are_built_from_the_solutions(tmp_path):
    built = build_assignments(SOL, tmp_path)
    assert [p.name for p in built] == NAMES
    for p in built:
        text = p.read_text(encoding='utf-8')
        assert text == (STU/p.name).read_text(encoding='utf-8'), f"{STU/p.name} is out of date: run `vkd assignments build`"
        assert '### BEGIN SOLUTION' not in text and '### END SOLUTION' not in text
        nb = json.loads(text)
        assert notebook_text(nb) == text                          # written as nbdev_clean writes: `make sync` leaves it alone
        assert all(c.get('outputs', []) == [] for c in nb['cells'])
        assert [e['name'] for e in exercises_of(nb)] == [e['name'] for e in exercises_of(read_notebook(SOL/p.name))]
    assert check_assignments(SOL, STU) == []

def _nb(tmp_path, name, *sources):
    "Write a notebook of code cells to tmp_path/name."
    cells = [{'cell_type': 'code', 'id': f'c{i}', 'metadata': {}, 'execution_count': None, 'outputs': [], 'source': s}
             for i, s in enumerate(sources)]
    p = tmp_path/name
    p.write_text(json.dumps({'cells': cells, 'metadata': {}, 'nbformat': 4, 'nbformat_minor': 5}))
    return p

def test_grade_a_crashing_notebook(tmp_path):
    p = _nb(tmp_path, 'crash.ipynb', '#| exercise: 1 before\nassert True',
            'import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)',
            '#| exercise: 2 after points=2\nassert True')
    t0 = time.monotonic(); r = grade(p, timeout=10, total_timeout=60)
    assert time.monotonic() - t0 < 30
    assert r['error'].startswith('the notebook crashed in cell 2 (`import os, signal`): the Python process was killed by signal SIGSEGV'), r['error']
    assert 'Fatal Python error' in r['error']                     # faulthandler's report, from the child's stderr
    assert [(e['passed'], e['score']) for e in r['exercises']] == [(True, 1), (False, 0)]
    assert r['exercises'][1]['error'].startswith('not run: the notebook crashed in cell 2')
    assert (r['total'], r['max']) == (1, 3)

def test_grade_a_notebook_that_raises(tmp_path):
    p = _nb(tmp_path, 'raises.ipynb', 'x = 1 / 0', '#| exercise: 1 uses-x\nassert x == 1', '#| exercise: 2 other\nassert 2 > 1')
    r = grade(p)
    assert r['setup_errors'] == [{'cell': 1, 'error': 'ZeroDivisionError (cell 1, line 1): division by zero'}]
    e1, e2 = r['exercises']
    assert not e1['passed'] and e1['error'] == ("NameError (cell 2, line 2): name 'x' is not defined "
                                                "[after cell 1 failed: ZeroDivisionError (cell 1, line 1): division by zero]")
    assert e2['passed'] and r['error'] is None

def test_grade_a_looping_notebook(tmp_path):
    "A loop costs its cell's time limit; a loop that blocks the timer is stopped by the notebook's time limit."
    p = _nb(tmp_path, 'loop.ipynb', '#| exercise: 1 loops\nwhile True: pass', '#| exercise: 2 fine\nassert True')
    t0 = time.monotonic(); r = grade(p, timeout=1, total_timeout=60)
    assert time.monotonic() - t0 < 20
    assert r['exercises'][0]['error'] == 'exercise 1 timed out after 1 s' and r['exercises'][1]['passed']
    assert r['error'] is None and r['total'] == 1
    p = _nb(tmp_path, 'hang.ipynb', '#| exercise: 1 fine\nassert True',
            'import signal\nsignal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGALRM])\nwhile True: pass',
            '#| exercise: 2 never\nassert True')
    t0 = time.monotonic(); r = grade(p, timeout=1, total_timeout=3)
    assert time.monotonic() - t0 < 20
    assert r['error'] == 'grading stopped: the notebook ran past the overall time limit of 3 s, in cell 2 (`import signal`)'
    assert [e['passed'] for e in r['exercises']] == [True, False] and r['total'] == 1

def _cli(*argv):
    "Run `vkd grade` / `vkd assignments` from their own parser; return the exit code and stdout."
    parser = argparse.ArgumentParser(prog='vkd'); sub = parser.add_subparsers(dest='command')
    add_grade(sub); add_assignments(sub)
    args = parser.parse_args([str(a) for a in argv])
    out = io.StringIO()
    with contextlib.redirect_stdout(out): code = args.func(args)
    return code, out.getvalue()

def test_cli_grade_text_and_json(tmp_path):
    good = _nb(tmp_path, 'good.ipynb', '#| exercise: 1 one points=2\nassert True', '#| exercise: 2 two\nassert False, "wrong"')
    other = _nb(tmp_path, 'other.ipynb', 'import sys', '#| exercise: 1 only\nassert True')
    code, out = _cli('grade', good, other)
    assert code == 0
    assert out.splitlines()[0] == str(good) and [l for l in out.splitlines() if l.startswith('total:')] == ['total: 2/3', 'total: 1/1']
    assert 'failed: AssertionError (cell 2, line 2): wrong' in out
    code, out = _cli('grade', good, '--json', '--timeout', '5', '--total-timeout', '30')
    r = json.loads(out)
    assert code == 0 and set(r) == {'notebook', 'exercises', 'total', 'max', 'error', 'setup_errors', 'seconds', 'timeout', 'total_timeout', 'warning',
                                    'sandbox'} and r['sandbox'] == 'none'
    assert 'forge' in r['warning']
    assert (r['total'], r['max'], r['error'], r['timeout'], r['total_timeout']) == (2, 3, None, 5, 30)
    assert r['exercises'] == [{'number': 1, 'name': 'one', 'points': 2, 'score': 2, 'passed': True, 'error': None, 'seconds': r['exercises'][0]['seconds']},
                              {'number': 2, 'name': 'two', 'points': 1, 'score': 0, 'passed': False,
                               'error': 'AssertionError (cell 2, line 2): wrong', 'seconds': r['exercises'][1]['seconds']}]
    code, out = _cli('grade', good, other, '--json')
    assert [x['notebook'] for x in json.loads(out)] == [str(good), str(other)]      # several notebooks: a list

def test_cli_grade_bad_input(tmp_path):
    "A missing or invalid notebook raises OSError / ValueError, which `vkd` turns into one line and exit code 2."
    (tmp_path/'bad.ipynb').write_text('not json')
    with pytest.raises(FileNotFoundError, match='notebook not found'): _cli('grade', tmp_path/'missing.ipynb')
    with pytest.raises(ValueError, match='is not a Jupyter notebook'): _cli('grade', tmp_path/'bad.ipynb')
    with pytest.raises(SystemExit): _cli('grade', tmp_path/'bad.ipynb', '--timeout', '0')
    from vkd_nb.cli import build_parser, main
    if 'grade' in build_parser().subparsers.choices:             # once `vkd` has the command
        err = io.StringIO()
        with contextlib.redirect_stderr(err): code = main(['grade', str(tmp_path/'missing.ipynb')])
        assert code == 2 and 'notebook not found' in err.getvalue() and 'Traceback' not in err.getvalue()

def test_cli_assignments_build_and_check(tmp_path):
    src = tmp_path/'solutions'; shutil.copytree(SOL, src)
    dest = tmp_path/'students'
    assert _cli('assignments', 'check', '--src', src, '--dest', dest)[0] == 1      # nothing built yet
    code, out = _cli('assignments', 'build', '--src', src, '--dest', dest)
    assert code == 0 and out.splitlines() == [f'wrote {dest/n}' for n in NAMES]
    assert _cli('assignments', 'check', '--src', src, '--dest', dest) == (0, f"the students' versions in {dest} match the solutions in {src}\n")
    nb = read_notebook(src/NAMES[0]); nb['cells'][0]['source'] = '# changed\n'; (src/NAMES[0]).write_text(json.dumps(nb))
    code, out = _cli('assignments', 'check', '--src', src, '--dest', dest)
    assert code == 1 and out.splitlines()[1].strip() == str(dest/NAMES[0])

@pytest.mark.parametrize('name', NAMES)
def test_points_add_up(reports, name):
    "The points in the assignment's header, in the teachers' guide's table and the grader's total (hidden tests and by hand) agree."
    r = reports['solution', name]
    auto, hand = r['max'], r['manual_max']
    hidden = sum(c['points'] for e in r['exercises'] for c in e['cases'] if c['hidden'])
    head = cell_source(read_notebook(SOL/name)['cells'][0])
    m = re.search(r'(\d+) exercises and (\d+) questions?,\s+(\d+) points: (\d+) graded automatically \((\d+) of them by a '
                  r'hidden test\) and (\d+) by hand', head)
    assert m, f"{name}: the header does not say its points as `N exercises and Q questions, T points: A graded automatically ...`"
    assert [int(x) for x in m.groups()] == [len(r['exercises']), len(r['questions']), auto + hand, auto, hidden, hand], (m.groups(), auto, hand)
    guide = ''.join(cell_source(c) for c in read_notebook(STU/'index.ipynb')['cells'])
    g = re.search(r'\| `' + name[:-6] + r'` \|[^\n]*\| (\d+) \((\d+): (\d+) automatic, (\d+) by hand\) \|', guide)
    assert g, f"{name[:-6]}: no row in the guide's table with `N (T: A automatic, H by hand)`"
    assert [int(x) for x in g.groups()] == [len(r['exercises']), auto + hand, auto, hand], g.groups()
    assert cell_source(read_notebook(STU/name)['cells'][0]) == head                   # the students read the same
