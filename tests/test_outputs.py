"""The notebooks keep their outputs, small and clean: a notebook that draws a figure holds one, none holds a
traceback, stderr, an execution count or metadata noise, and none is over 1 MB (`make docs` writes the outputs).
Also: README's relative links and images point at files that exist, and the executor's own helpers."""
import json, re, sys
from pathlib import Path
import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT/'.ci'))
import docs  # noqa: E402  (.ci/docs.py)

NBS = ROOT/'nbs'
CHECKED = [p for p in docs.executed_notebooks() if p.name != 'index.ipynb' or p.parent != NBS]
CONCEPT = re.compile(r'(0\d|1[01])[a-z]?_')          # 00-11: the concept notebooks whose figures must be committed
DRAWS = re.compile(r'\bplt\.(show|subplots|figure|plot|bar|hist)\b|\bplot_\w+\(|\.imshow\(|\bLivePlot\b')
MAX_BYTES = docs.MAX_BYTES

def must_hold_figures(p: Path) -> bool:
    return p.parent != NBS or bool(CONCEPT.match(p.name))

def drawing_cells(nb) -> list:
    "Code cells executed by `make docs` (not slow, not gpu; not library code) that draw a figure."
    return [c for c in nb['cells'] if c['cell_type'] == 'code' and DRAWS.search(''.join(c['source']))
            and not docs.skipped(c) and not {'export', 'exports'} & docs.directives(''.join(c['source']))]

def images(nb) -> int:
    return sum('image/png' in o.get('data', {}) for c in nb['cells'] if c['cell_type'] == 'code' for o in c.get('outputs', []))

def rel(p): return p.relative_to(ROOT).as_posix()

@pytest.mark.parametrize('path', [p for p in CHECKED if must_hold_figures(p)], ids=rel)
def test_figures_are_saved(path):
    "A notebook that draws a figure in a cell `make docs` runs holds at least one image output."
    nb = json.loads(path.read_text(encoding='utf-8'))
    if drawing_cells(nb) and not docs.skip_exec(nb):
        assert images(nb), (f"{rel(path)} draws a figure but holds no image output: run `make docs` "
                             f"(or `.venv/bin/python .ci/docs.py execute {rel(path)}`) and commit the notebook")

@pytest.mark.parametrize('path', sorted(NBS.rglob('*.ipynb')), ids=rel)
def test_notebook_is_clean_and_small(path):
    size = path.stat().st_size
    assert size < MAX_BYTES, f'{rel(path)} is {size / 1e6:.2f} MB (over {MAX_BYTES / 1e6:g} MB): smaller figures or shorter prints'
    nb = json.loads(path.read_text(encoding='utf-8'))
    bad = []
    for i, c in enumerate(nb['cells']):
        if c.get('metadata'): bad.append(f'cell {i} has metadata {sorted(c["metadata"])}')
        if c['cell_type'] != 'code': continue
        if c.get('execution_count') is not None: bad.append(f'cell {i} has an execution count')
        for o in c.get('outputs', []):
            if o.get('execution_count') is not None: bad.append(f'cell {i} has an output with an execution count')
            if o['output_type'] == 'error': bad.append(f'cell {i} holds a traceback ({o.get("ename")})')
            if o['output_type'] == 'stream' and o.get('name') == 'stderr': bad.append(f'cell {i} holds stderr output')
            text = ''.join(o.get('text', '')) + ''.join(o.get('data', {}).get('text/plain', ''))
            if text.count('\n') > 60: bad.append(f'cell {i} holds {text.count(chr(10))} lines of text output')
            if '\r' in text or re.search(r'\d+%\|[█▏▎▍▌▋▊▉ ]*\|', text): bad.append(f'cell {i} holds progress-bar output')
            if '\x1b[' in text: bad.append(f'cell {i} holds terminal control codes')
    assert not bad, f'{rel(path)}: ' + '; '.join(bad) + ' (`make docs` / `nbdev_clean` writes clean outputs)'

def test_the_figure_check_can_fail(tmp_path):
    "A notebook that draws and holds no image is caught; one that holds an image, or only draws in slow cells, passes."
    cell = lambda src, outs=(): {'cell_type': 'code', 'execution_count': None, 'metadata': {}, 'source': src, 'outputs': list(outs)}
    png = {'output_type': 'display_data', 'metadata': {}, 'data': {'image/png': 'iVBOR', 'text/plain': '<Figure>'}}
    assert drawing_cells({'cells': [cell('import torch'), cell('fig, ax = plt.subplots()\nplt.show()')]})
    assert images({'cells': [cell('plt.show()')]}) == 0
    assert images({'cells': [cell('plt.show()', [png])]}) == 1
    assert not drawing_cells({'cells': [cell('#| slow\nplot_knowledge(lt, yt, gen);'), cell('#| export\ndef f(): plt.show()')]})
    raw = {'cell_type': 'raw', 'metadata': {}, 'source': ['---\n', 'skip_exec: true\n', '---']}
    assert docs.skip_exec({'cells': [raw, cell('plt.show()')]}) and not docs.skip_exec({'cells': [cell('plt.show()')]})
    assert must_hold_figures(NBS/'07_cotrain.ipynb') and not must_hold_figures(NBS/'13_cli.ipynb')
    assert must_hold_figures(NBS/'tutorials'/'speed.ipynb') and must_hold_figures(NBS/'assignments'/'_solutions'/'x.ipynb')

def test_tidy_keeps_outputs_short():
    long = {'output_type': 'stream', 'name': 'stdout', 'text': [f'line {i}\n' for i in range(200)]}
    err = {'output_type': 'stream', 'name': 'stderr', 'text': ['fitting: 10%|█  |\r']}
    widget = {'output_type': 'display_data', 'metadata': {}, 'data': {'application/vnd.jupyter.widget-view+json': {}}}
    out = docs.tidy([long, err, widget])
    assert len(out) == 1 and len(out[0]['text']) == docs.MAX_LINES - 1 and 'lines cut' in ''.join(out[0]['text'])
    assert docs.directives('#| slow\n#| eval: false\nx = 1') == {'slow', 'eval', 'false'}
    assert docs.skipped({'cell_type': 'code', 'source': '#| gpu\nx'})
    assert not docs.skipped({'cell_type': 'code', 'source': '# | slow is only a comment here\nx'})

def test_execute_saves_what_jupyter_shows(tmp_path):
    "A display updated in place (a live plot) is saved once, as it ended; a cell printing nothing keeps no old output."
    cell = lambda src, outs=(): {'cell_type': 'code', 'execution_count': None, 'id': f'c{len(src)}', 'metadata': {},
                                 'source': src, 'outputs': list(outs)}
    stale = {'output_type': 'stream', 'name': 'stdout', 'text': ['old\n']}
    live = "from IPython.display import display\nh = display('first', display_id=True)\nh.update('last')"
    kernel = {'display_name': 'python3', 'language': 'python', 'name': 'python3'}
    nb = {'cells': [cell(live), cell('x = 1', [stale])], 'metadata': {'kernelspec': kernel},
          'nbformat': 4, 'nbformat_minor': 5}
    path = tmp_path/'live.ipynb'; path.write_text(json.dumps(nb))
    assert docs.execute([path], workers=1) == 0
    saved = json.loads(path.read_text())['cells']
    assert [''.join(o['data']['text/plain']) for o in saved[0]['outputs']] == ["'last'"], saved[0]['outputs']
    assert saved[1]['outputs'] == []

def test_readme_links_and_images_exist():
    "README is built from nbs/index.ipynb: its relative links and images must work from the repository root."
    text = (ROOT/'README.md').read_text(encoding='utf-8')
    links = [u for u in re.findall(r'\]\(([^)\s]+)\)', text) if not re.match(r'[a-z]+:|#', u)]
    assert any(u.endswith('.png') for u in links), 'README shows no image'
    missing = [u for u in links if not (ROOT/u.split('#')[0]).exists()]
    assert not missing, f'README links to missing files: {missing}'
    img = ROOT/'nbs'/'images'/'signature.png'
    assert img.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n' and img.stat().st_size < 200_000
