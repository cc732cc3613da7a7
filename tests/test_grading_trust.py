"""What the grader trusts and what it refuses (issue 24): no grading unboxed unless asked by name, limits that make
sense, the reference never taken from beside a submission, a class always graded (symlinks refused, malformed
notebooks its own `invalid` rows, formula-safe CSV, an LMS gradebook), a bounded result pipe, and cells named by the
numbers the student sees."""
import contextlib, csv, io, json, os, resource, shutil, time
from pathlib import Path
import pytest
from conftest import ROOT
import vkd_nb.grading.sandbox as S, vkd_nb.grading.cli as C
from vkd_nb.grading.notebooks import read_notebook, notebook_text
from vkd_nb.grading.sandbox import sandbox_available
from vkd_nb.grading.reference import grade, reference_values, feedback_text
from vkd_nb.grading.classes import grade_class
from test_grading_corpus import build, REF, STU, NAME

BOX = 'bwrap' if sandbox_available() else 'none'
SOLVED = {'answers': {n: 'solution' for n in ('soften', 'log_soften', 'entropy', 'retemper')}}

@pytest.fixture(scope='module')
def expected(): return reference_values(REF, sandbox=BOX)                # assignment 1's

def vkd(*argv) -> tuple:
    "Run `vkd` in this process: (exit code, stdout, stderr)."
    from vkd_nb.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err): rc = main([str(a) for a in argv])
    return rc, out.getvalue(), err.getvalue()

def test_without_bwrap_the_grader_refuses_unless_told_by_name(tmp_path, monkeypatch, expected):
    sub = build(SOLVED, tmp_path/NAME)
    monkeypatch.setattr(S._shutil, 'which', lambda name: None)          # a host without bubblewrap
    assert not sandbox_available()
    with pytest.raises(RuntimeError, match='apt-get install bubblewrap'): grade(sub, reference=REF, expected=expected)
    rc, out, err = vkd('grade', sub, '--reference', REF)
    assert rc == 2 and '--unsafe-no-sandbox' in err and 'bubblewrap' in err, err
    rc, out, err = vkd('grade', sub, '--reference', REF, '--unsafe-no-sandbox', '--timeout', 30)
    assert rc == 0 and 'sandbox: none' in out and 'total: 7/7' in out, out
    rc, out, err = vkd('grade', sub, '--reference', REF, '--unsafe-no-sandbox', '--json')
    assert json.loads(out)['sandbox'] == 'none'
    (tmp_path/'class').mkdir()
    shutil.copy(sub, tmp_path/'class'/'ada.ipynb')
    rc, out, err = vkd('grade-class', tmp_path/'class', '--reference', REF, '--out', tmp_path/'book.csv')
    assert rc == 2 and 'bubblewrap' in err and not (tmp_path/'book.csv').exists()

def test_nonsense_limits_are_refused(tmp_path):
    sub = build(SOLVED, tmp_path/NAME)
    for mb in (0, -1, 10, 2047, 1.5, True):
        with pytest.raises(ValueError, match='memory must be a whole number of MiB, at least 3072'):
            grade(sub, reference=REF, memory_mb=mb)
    for t in (0, -1, float('inf'), float('nan'), 1e9):
        with pytest.raises(ValueError, match='timeout must be a number of seconds > 0'): grade(sub, timeout=t)
    for argv in (['--memory', '0'], ['--memory', '-5'], ['--memory', '10'], ['--timeout', 'inf'], ['--total-timeout', 'nan']):
        rc, out, err = vkd('grade', sub, '--reference', REF, *argv)
        assert rc == 2 and ('at least 3072' in err or 'seconds > 0' in err), (argv, err)

def test_a_solutions_folder_beside_the_submission_is_not_trusted(tmp_path, monkeypatch):
    "A blank notebook shipped with its own `_solutions/` (tests `assert True`): graded against the kit's reference, 0."
    monkeypatch.chdir(ROOT)
    sub = tmp_path/'bob'; (sub/'_solutions').mkdir(parents=True)
    nb = read_notebook(STU/NAME)
    shutil.copy(STU/NAME, sub/NAME)
    fake = read_notebook(REF)
    for c in fake['cells']:
        if c['cell_type'] == 'code' and '#| exercise' in ''.join(c['source']):
            c['source'] = ''.join(c['source']).split('\n', 1)[0] + '\nassert True'
    (sub/'_solutions'/NAME).write_text(notebook_text(fake))
    assert C.default_reference(sub/NAME) == Path('nbs/assignments/_solutions')/NAME
    rc, out, err = vkd('grade', sub/NAME, '--json', *(['--unsafe-no-sandbox'] if BOX == 'none' else []))
    r = json.loads(out)
    assert rc == 0 and r['total'] == 0 and Path(r['reference']).resolve() == REF.resolve(), r['reference']

def test_a_class_is_always_graded(tmp_path, expected):
    "Full marks; a symlink to the reference; a formula as a name; a list as a cell id; a number in a source; a link out."
    subs = tmp_path/'subs'; subs.mkdir()
    build(SOLVED, subs/'ada.ipynb')
    (subs/'bob.ipynb').symlink_to(REF)
    (subs/'=SUM(1,2)').mkdir()
    shutil.copy(STU/NAME, subs/'=SUM(1,2)'/NAME)
    bad = read_notebook(STU/NAME); bad['cells'][3]['id'] = ['a', 'list']
    (subs/'cy.ipynb').write_text(json.dumps(bad))
    bad = read_notebook(STU/NAME); bad['cells'][5]['source'] = ['x = ', 1]
    (subs/'dee.ipynb').write_text(json.dumps(bad))
    (subs/'eve').mkdir(); (subs/'eve'/NAME).symlink_to(REF)
    out = tmp_path/'book.csv'
    rows = grade_class(subs, REF, out, jobs=2, timeout=30, total_timeout=120, sandbox=BOX, progress=False)
    got = {r['student']: (r['status'], r['total']) for r in rows}
    assert got == {'ada': ('ok', '7'), 'bob': ('invalid', '0'), '=SUM(1,2)': ('ok', '0'), 'cy': ('invalid', '0'),
                   'dee': ('invalid', '0'), 'eve': ('invalid', '0')}, got
    notes = {r['student']: r['notes'] for r in rows}
    assert 'symbolic link' in notes['bob'] and 'symbolic link' in notes['eve']
    assert 'cy.ipynb' in notes['cy'] and 'cell 4' in notes['cy'] and 'dee.ipynb' in notes['dee'] and 'cell 6' in notes['dee']
    book = list(csv.reader(out.open()))
    assert ["'=SUM(1,2)"] == [r[0] for r in book if 'SUM' in r[0]]     # text, not a formula
    lms = list(csv.DictReader((tmp_path/'book-lms.csv').open()))
    assert list(lms[0]) == ['Student ID'] + [f'01_softmax_temperature {e}' for e in
                            ('1 soften (3)', '2 log-soften (2)', '3 entropy (1)', '4 retemper (1)', 'total (7)')]
    assert [r['01_softmax_temperature total (7)'] for r in lms if r['Student ID'] == 'ada'] == ['7']
    assert sorted(p.name for p in (tmp_path/'book-feedback').iterdir()) == sorted(f'{s}.txt' for s in got)

def test_the_result_pipe_is_bounded(tmp_path, expected):
    "An answer that writes 1 GiB into the grader's pipe: stopped at 256 MiB, status `output`, the grader's memory bounded."
    flood = ('import os, sys\nfd = int(sys.argv[1])\nblock = b"x" * (1 << 24)\n'
             'for _ in range(64): os.write(fd, block)\ndef soften(logits, tau=1.): return logits')
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.monotonic()
    r = grade(build({'answers': {'soften': flood}}, tmp_path/NAME), timeout=60, total_timeout=120, reference=REF,
              expected=expected, sandbox=BOX)
    grew = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024      # MiB
    assert r['status'] == 'output' and r['total'] == 0 and 'more than 256 MiB' in r['error'], (r['status'], r['error'])
    assert grew < 600 and time.monotonic() - t0 < 90, grew

def test_feedback_names_cells_as_the_student_sees_them(tmp_path, expected):
    "After the hidden test cell, the numbers are the students' notebook's (issue 21), hidden tests named by exercise."
    r = grade(build({}, tmp_path/NAME), timeout=30, total_timeout=120, reference=REF, expected=expected, sandbox=BOX)
    stu = read_notebook(STU/NAME)['cells']
    where = {e['name']: [c['cell'] for c in e['cases'] if not c['hidden']] for e in r['exercises']}
    for name, cells in where.items():
        for n in cells: assert '#| exercise: ' in ''.join(stu[n - 1]['source']) and name in ''.join(stu[n - 1]['source']), (name, n)
    text = feedback_text(r)
    assert f"cell {where['log-soften'][0]} line" in text and 'hidden test' in text, text
    # an answer that raises is named by its own cell number too
    assert 'answer cell' in r['exercises'][1]['error'] and f"answer cell {where['log-soften'][0] - 1}" in r['exercises'][1]['error']

def test_unboxed_a_submission_cannot_touch_a_classmates_notebook(tmp_path, expected):
    "The issue's probe, unboxed (sandbox none): a student overwrites a classmate's notebook; the hook refuses, ada keeps 7."
    subs = tmp_path/'subs'; subs.mkdir()
    ada = build(SOLVED, subs/'ada.ipynb')
    evil = f'import torch\ntorch.sys.modules["builtins"].open({str(ada)!r}, "w").write("{{}}")\ndef soften(logits, tau=1.): return None'
    build({'answers': {'soften': evil}}, subs/'abe.ipynb')            # graded first (jobs=1, in order)
    rows = grade_class(subs, REF, None, jobs=1, timeout=30, total_timeout=120, sandbox='none', progress=False)
    got = {r['student']: (r['total'], r['sandbox']) for r in rows}
    assert got == {'ada': ('7', 'none'), 'abe': ('0', 'none')}, got
    assert read_notebook(ada)['cells'], 'ada.ipynb was overwritten'
