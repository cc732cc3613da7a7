"""The course around the assignments: every concept notebook ends with questions whose answers are in the instructor's
notes (the same questions, one answer each); every prose question of the assignments has a rubric whose points add
up to the question's and that students never see; the syllabus follows the lessons the slides are made from."""
import json, re, sys
from pathlib import Path
import pytest
from conftest import ROOT
from vkd_nb.grading.notebooks import read_notebook, cell_source, student_version, BEGIN_SOLUTION, END_SOLUTION
from vkd_nb.grading.instrument import grading_plan

sys.path.insert(0, str(ROOT/'.ci'))
import slides  # noqa: E402  (.ci/slides.py)

NBS = ROOT/'nbs'
CONCEPT = sorted(p for p in NBS.glob('[0-9][0-9]*.ipynb'))
SOL = sorted((NBS/'assignments'/'_solutions').glob('*.ipynb'))
ANSWERS = NBS/'course'/'_instructor'/'answers.ipynb'

def _norm(s): return ' '.join(s.split())

def _numbered(text: str) -> list:
    "The items of a markdown numbered list (`1. ...`, continuation lines indented), whitespace normalized."
    return [_norm(m) for m in re.findall(r'^\d+\. (.*?)(?=^\d+\. |^\s*\*Answer\.\*|\Z)', text, re.S | re.M)]

def _answers() -> dict:
    "Notebook name -> [(question, answer)] from the instructor's notes."
    out = {}
    for c in read_notebook(ANSWERS)['cells'][1:]:
        src = cell_source(c)
        name = re.match(r'## `([^`]+)`', src).group(1)
        qs, ans = _numbered(src), [_norm(a) for a in re.findall(r'\*Answer\.\*(.*?)(?=^\d+\. |\Z)', src, re.S | re.M)]
        out[name] = list(zip(qs, ans)) if len(qs) == len(ans) else None
    return out

@pytest.mark.parametrize('path', CONCEPT, ids=lambda p: p.stem)
def test_concept_notebook_ends_with_questions_answered_for_instructors(path):
    last = cell_source(read_notebook(path)['cells'][-1])
    assert last.startswith('## Questions\n'), f'{path.name}: its last cell is not a "## Questions" section'
    qs = _numbered(last)
    assert 2 <= len(qs) <= 5, qs
    answered = _answers().get(path.stem)
    assert answered is not None, f'{ANSWERS.name} has no section `{path.stem}` (or a question without its answer)'
    assert [q for q, _ in answered] == qs, f'{path.stem}: the questions in {ANSWERS.name} differ from the notebook\'s'
    assert all(len(a) > 80 for _, a in answered), answered
    assert '*Answer.*' not in last and BEGIN_SOLUTION not in last          # answers stay out of the public notebook

def _rubric(src: str) -> tuple:
    "(points in the rubric's title, [points of each item]) of the rubric inside the cell's last solution block."
    block = src.rsplit(END_SOLUTION, 1)[0].rsplit(BEGIN_SOLUTION, 1)[-1]
    m = re.search(r'\*\*Rubric \((\d+(?:\.\d+)?) points?, graded by hand\)\.\*\*\n\n((?:- .*\n(?:  .*\n)*)+)',
                  block + '\n')
    if not m: return None, []
    return float(m.group(1)), [float(x) for x in re.findall(r'^- (\d+(?:\.\d+)?): \S', m.group(2), re.M)]

@pytest.mark.parametrize('path', SOL, ids=lambda p: p.stem)
def test_every_prose_question_has_a_rubric_that_adds_up(path):
    nb = read_notebook(path)
    plan = grading_plan(nb)
    assert plan['questions'], f'{path.name} has no question graded by hand'
    for q in plan['questions']:
        total, items = _rubric(cell_source(nb['cells'][q['cell']]))
        assert total is not None, f"{path.name} {q['name']} (cell {q['cell'] + 1}): no rubric in its model answer"
        assert total == q['points'] == pytest.approx(sum(items)) and len(items) >= 2, (q, total, items)
    assert 'Rubric' not in json.dumps(student_version(nb)), 'a rubric would reach the students'

def test_syllabus_follows_the_lessons():
    "One section per lesson of nbs/course/lessons.json, naming its notebooks, assignment, times and slides."
    lessons = slides.lessons()
    cells = [cell_source(c) for c in read_notebook(NBS/'course'/'syllabus.ipynb')['cells']]
    secs = [c for c in cells if c.startswith('## Lesson ')]
    assert len(secs) == len(lessons) == 6, [s.splitlines()[0] for s in secs]
    for i, (sec, lesson) in enumerate(zip(secs, lessons), 1):
        assert sec.startswith(f"## Lesson {i}: {lesson['title']}\n"), sec[:80]
        for r in lesson['reads']: assert f"`{r['nb']}`" in sec, (i, r['nb'])
        assert lesson['assignment'].split(' ')[0] in sec and f'slides/lesson-{i}.slides.html' in sec
        assert '**Run time (measured)**' in _norm(sec) and '**Working time (estimated)**' in _norm(sec)
        if lesson['grade']: assert (NBS/'assignments'/f"{lesson['grade']}.ipynb").is_file()
    table = next(c for c in cells if c.startswith('## The course in hours'))
    rows = re.findall(r'^\| (\d) \|.*?\| (\d+) s \|', table, re.M)
    said = [re.search(r'\*\*Run time \(measured\)\*\*: (\d+) s', _norm(sec)).group(1) for sec in secs]
    assert [t for _, t in rows] == said, f"the table's run times {rows} differ from the lessons' {said}"
    text = '\n'.join(cells)
    for skipped in ('01a_images', '05a_distributed', '12_grading', '13_cli', '00a_files', 'teaching regime'):
        assert skipped in text, skipped

def test_slides_select_existing_sections():
    "Every lesson's slides build from sections that exist (the build names a missing one), and leave library code out."
    for n, lesson in enumerate(slides.lessons(), 1):
        nb = slides.lesson_notebook(n, lesson)
        kinds = [c.metadata['slideshow']['slide_type'] for c in nb.cells]
        assert kinds[0] == 'slide' and kinds.count('slide') >= 2, kinds
        assert not any(re.match(r'#\|\s*export', c.source) for c in nb.cells if c.cell_type == 'code')
    with pytest.raises(ValueError, match="no section"):
        slides.sections(read_notebook_nbformat(NBS/'00_core.ipynb').cells, ['No such section'], '00_core')

def read_notebook_nbformat(path):
    import nbformat
    return nbformat.read(path, as_version=4)
