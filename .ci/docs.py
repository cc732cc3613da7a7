#!/usr/bin/env python3
"""Execute the notebooks in place (saving their outputs) and build the static docs site in `_docs/`.

    docs.py execute [NOTEBOOK ...]   run the concept notebooks, index, tutorials and assignment solutions (or the
                                     ones named) from a fixed seed, two at a time, one thread each; cells flagged
                                     `slow` or `gpu` (settings.ini `tst_flags`) are skipped as `nbdev_test` does;
                                     outputs are saved small (PNG at a modest dpi, no stderr, no progress bars,
                                     long prints cut) and the notebooks cleaned with `nbdev_clean`
    docs.py site [--out DIR]         the public site: one HTML page per notebook from the outputs the notebooks
                                     hold (nothing is executed), nbconvert's HTML exporter with the notebook map
                                     as a sidebar, each module's API (`show_doc` of every exported symbol), MathJax
                                     served from the site (offline) and links between notebooks pointing at the
                                     pages; each lesson's slides in `slides/` (.ci/slides.py). Students' versions
                                     of the assignments only: no solution, model answer or hidden test (the build
                                     fails if one would be published). Where Quarto is installed, `_docs/` comes
                                     from `nbdev_docs` instead (it skips folders starting with `_`; no slides)
    docs.py site --instructor [--out DIR]
                                     the same site plus, in its folder `instructor/`, the solution notebooks (model
                                     answers, hidden tests, rubrics) and the instructor's notes (answers to the
                                     notebooks' questions); default `_docs-instructor/`
"""
from __future__ import annotations
import ast, html, json, os, re, shutil, subprocess, sys, tarfile, tempfile, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS, DOCS, DOCS_INSTRUCTOR = ROOT/'nbs', ROOT/'_docs', ROOT/'_docs-instructor'
SOLUTIONS, INSTRUCTOR_NOTES = NBS/'assignments'/'_solutions', NBS/'course'/'_instructor'
BIN = Path(sys.executable).parent
MAX_BYTES = 1_000_000          # no notebook over 1 MB
MAX_LINES = 30                 # longer printed output is cut (head and tail kept)
def _tst_flags() -> set:
    import configparser
    cfg = configparser.ConfigParser(); cfg.read(ROOT/'settings.ini')
    return set(cfg['DEFAULT'].get('tst_flags', 'slow gpu').split())
SKIP_FLAGS = _tst_flags()      # cells nbdev_test skips (settings.ini: slow gpu)
SETUP = """
import os, random, warnings
import numpy as np, torch, matplotlib as mpl
mpl.rcParams.update({'figure.dpi': 72, 'savefig.dpi': 72})
random.seed(0); np.random.seed(0); torch.manual_seed(0)
warnings.filterwarnings('ignore')
"""

def executed_notebooks() -> list[Path]:
    "What `execute` runs: concept notebooks, index, tutorials and the assignments' solutions."
    return (sorted(NBS.glob('[0-9][0-9]*.ipynb')) + [NBS/'index.ipynb'] + sorted((NBS/'tutorials').glob('*.ipynb'))
            + sorted((NBS/'assignments'/'_solutions').glob('*.ipynb')))

def instructor_notebooks() -> list[Path]:
    "What only the instructor's site shows: the assignments' solutions and the instructor's notes."
    return sorted(SOLUTIONS.glob('*.ipynb')) + sorted(INSTRUCTOR_NOTES.glob('*.ipynb'))

def site_notebooks(instructor: bool = False) -> list[Path]:
    "The site's pages: index, course, concept notebooks, tutorials, the assignments' guide and students' versions."
    ex = [p for p in executed_notebooks() if p.parent != NBS or p.name != 'index.ipynb']
    public = ([NBS/'index.ipynb'] + sorted((NBS/'course').glob('*.ipynb'))
              + [p for p in ex if 'assignments' not in p.parts] + sorted((NBS/'assignments').glob('*.ipynb')))
    return public + (instructor_notebooks() if instructor else [])

# ---------------------------------------------------------------- executing
def directives(src: str) -> set:
    "The nbdev flags at the top of a cell (`#| slow`, `#| eval: false`, ...)."
    out = set()
    for line in src.splitlines():
        if not line.startswith('#|'): break
        out |= set(line[2:].replace(':', ' ').split())
    return out

def skipped(cell: dict) -> bool:
    "Whether `execute` leaves a cell alone (as `nbdev_test` does): not code, flagged slow or gpu, `eval: false`, nbdev_export."
    if cell['cell_type'] != 'code': return True
    src = cell['source'] if isinstance(cell['source'], str) else ''.join(cell['source'])
    if 'nbdev_export' + '(' in src: return True
    d = directives(src)
    return bool(d & SKIP_FLAGS) or ('eval' in d and 'false' in d)

def skip_exec(nb: dict) -> bool:
    "nbdev's front matter `skip_exec: true` (a raw cell at the top): a notebook that cannot run here (a GPU tutorial)."
    raw = [c for c in nb['cells'][:2] if c['cell_type'] == 'raw']
    return any(re.search(r'^skip_exec:\s*true\s*$', ''.join(c['source']), re.M | re.I) for c in raw)

def _cut(lines: list) -> list:
    if len(lines) <= MAX_LINES: return lines
    return lines[:MAX_LINES - 8] + [f'… ({len(lines) - MAX_LINES + 2} lines cut)\n'] + lines[-6:]

def tidy(outputs: list) -> list:
    "Outputs as saved: no stderr, no widget views (they need a live kernel), long text cut."
    out = []
    for o in outputs:
        o = dict(o)
        if o.get('output_type') == 'stream':
            if o.get('name') != 'stdout': continue
            text = ''.join(o['text']).replace('\r', '\n')
            o['text'] = _cut([l for l in text.splitlines(True) if l.strip()] or [''])
        elif 'data' in o:
            data = dict(o['data'])
            if not data or any(k.startswith('application/vnd.jupyter.widget') for k in data): continue   # a widget, a notebook progress bar
            if 'text/plain' in data and isinstance(data['text/plain'], list): data['text/plain'] = _cut(data['text/plain'])
            o['data'] = data
        out.append(o)
    return out

def _updates_in_place():
    "A display updated through its handle (`handle.update`, a live plot) is saved once, as it ended (as in Jupyter)."
    from IPython.core.displaypub import CapturingDisplayPublisher
    def publish(self, data, metadata=None, source=None, *, transient=None, update=False):
        entry = {'data': data, 'metadata': metadata, 'transient': transient, 'update': False}
        did = (transient or {}).get('display_id')
        same = [i for i, o in enumerate(self.outputs) if did and (o.get('transient') or {}).get('display_id') == did]
        if update and same: self.outputs[same[0]] = entry
        else: self.outputs.append(entry)
    CapturingDisplayPublisher.publish = publish

def run_one(path: Path, dest: Path|None = None):
    "Execute one notebook in this process and write it back with its outputs (or to `dest`)."
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    os.environ.setdefault('IN_TEST', '1')
    _updates_in_place()
    nb = read_nb(path)
    if skip_exec(nb): print(f'{path.name}: skip_exec in its front matter, not executed'); return
    shell = CaptureShell(path, mpl_format='png')
    shell.run(SETUP)
    os.chdir(path.parent)
    for cell in nb.cells:
        if skipped(cell): continue
        cell.outputs = []                    # execnb leaves a cell's old outputs when it prints nothing now
        shell.cell(cell)
        if shell.exc:
            sys.stderr.write(shell.prettytb(fname=path) + '\n'); sys.exit(1)
        if getattr(cell, 'outputs', None): cell.outputs = tidy(cell.outputs)
    write_nb(nb, dest or path)

def execute(paths: list[Path], workers: int = 2) -> int:
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1', PYTHONHASHSEED='0', TQDM_DISABLE='1',
               MPLBACKEND='module://matplotlib_inline.backend_inline', PYTHONWARNINGS='ignore')
    def one(p):
        t0 = time.time()
        r = subprocess.run([sys.executable, __file__, 'run-one', str(p)], env=env, capture_output=True, text=True)
        subprocess.run([str(BIN/'nbdev_clean'), '--fname', str(p)], check=True, capture_output=True)
        return p, r, time.time() - t0
    bad, t0 = [], time.time()
    # the slowest first, so the two workers finish together
    order = sorted(paths, key=lambda p: -p.stat().st_size)
    with ThreadPoolExecutor(workers) as ex:
        for p, r, dt in ex.map(one, order):
            size = p.stat().st_size
            name = p.relative_to(ROOT) if p.is_relative_to(ROOT) else p
            print(f"{'ok  ' if r.returncode == 0 else 'FAIL'} {dt:6.1f}s {size / 1e3:7.0f} kB  {name}", flush=True)
            if r.returncode: bad.append(p); print(r.stderr[-3000:])
            elif size > MAX_BYTES: bad.append(p); print(f'     {p.name} is over {MAX_BYTES / 1e6:g} MB')
    import resource
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f'executed {len(paths)} notebooks in {time.time() - t0:.0f}s ({ru.ru_utime + ru.ru_stime:.0f} CPU-seconds; '
          f'largest {max(p.stat().st_size for p in paths) / 1e3:.0f} kB)')
    return 1 if bad else 0

if __name__ == '__main__' and len(sys.argv) > 1 and sys.argv[1] == 'run-one':
    run_one(Path(sys.argv[2]), Path(sys.argv[3]).resolve() if len(sys.argv) > 3 else None); sys.exit(0)

# ---------------------------------------------------------------- the site
def mathjax() -> Path:
    "MathJax 3 (es5 bundle and its fonts), from the npm registry once, cached in build/."
    cache = ROOT/'build'/'mathjax'
    if (cache/'tex-mml-chtml.js').exists(): return cache
    npm = shutil.which('npm')
    if not npm: sys.exit('the docs site needs MathJax: install npm (Debian: apt-get install npm) or put MathJax 3\'s es5 folder in build/mathjax')
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([npm, 'pack', 'mathjax@3', '--silent'], cwd=d, check=True, capture_output=True)
        with tarfile.open(next(Path(d).glob('mathjax-*.tgz'))) as tf: tf.extractall(d, filter='data')
        es5, tmp = Path(d)/'package'/'es5', cache.with_suffix('.tmp')
        shutil.rmtree(tmp, ignore_errors=True); tmp.mkdir(parents=True)
        shutil.copy(es5/'tex-mml-chtml.js', tmp)
        shutil.copytree(es5/'output'/'chtml'/'fonts', tmp/'output'/'chtml'/'fonts')
        shutil.copytree(es5/'input'/'tex'/'extensions', tmp/'input'/'tex'/'extensions')
        shutil.rmtree(cache, ignore_errors=True); tmp.rename(cache)
    return cache

def page_of(nb: Path) -> str:
    "The page's path in the site; the instructor's material goes in its own folder, `instructor/`."
    if nb.parent == SOLUTIONS: return f'instructor/solutions/{nb.stem}.html'
    if nb.parent == INSTRUCTOR_NOTES: return f'instructor/{nb.stem}.html'
    return nb.relative_to(NBS).with_suffix('.html').as_posix()

def _patched_class(fn: ast.FunctionDef):
    "The class a fastcore `@patch` function is added to (its first argument's annotation)."
    if not any((isinstance(d, ast.Name) and d.id == 'patch') or (isinstance(d, ast.Call) and getattr(d.func, 'id', '') == 'patch')
               for d in fn.decorator_list): return None
    a = fn.args.args[0].annotation if fn.args.args else None
    return a.id if isinstance(a, ast.Name) else None

def api_cells(src: str, module) -> list[str]:
    "`show_doc` markdown for each public symbol an `#| export` cell defines."
    from nbdev.showdoc import show_doc
    try: tree = ast.parse('\n'.join(l for l in src.splitlines() if not l.startswith('%')))
    except SyntaxError: return []
    out, public = [], set(getattr(module, '__all__', ()))
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or node.name.startswith('_'): continue
        cls = _patched_class(node) if not isinstance(node, ast.ClassDef) else None
        obj = getattr(getattr(module, cls, None), node.name, None) if cls else (getattr(module, node.name, None) if node.name in public else None)
        if obj is None: continue
        try: md = show_doc(obj, name=f'{cls}.{node.name}' if cls else None, title_level=4)._repr_markdown_()
        except Exception: continue
        md = re.sub(r'^\[source\]\(.*$', '', md, flags=re.M).replace('---\n', '', 1)
        out.append(md.strip())
    return out

def prepare(nb_path: Path):
    "The notebook as the page shows it: hidden cells and directives dropped, the API after each export cell."
    import importlib, nbformat
    nb = nbformat.read(nb_path, as_version=4)
    mod = None
    for c in nb.cells:
        m = re.search(r'^#\|\s*default_exp\s+(\S+)', c.source, re.M) if c.cell_type == 'code' else None
        if m: mod = importlib.import_module(f'vkd_nb.{m.group(1)}'); break
    cells = []
    for c in nb.cells:
        if c.cell_type == 'raw': continue                  # front matter
        if c.cell_type == 'code':
            d = directives(c.source)
            if d & {'hide', 'default_exp'} or ('include' in d and 'false' in d): continue
            export = 'export' in d or 'exports' in d
            c.source = '\n'.join(l for l in c.source.splitlines() if not l.startswith('#|')).strip('\n')
            if c.source or c.get('outputs'): cells.append(c)
            if export and mod is not None:
                cells += [nbformat.v4.new_markdown_cell(md) for md in api_cells(c.source, mod)]
        else: cells.append(c)
    nb.cells = cells
    return nb

CSS = """
body { margin: 0; }
#vkd-nav { position: fixed; top: 0; left: 0; bottom: 0; width: 15rem; overflow-y: auto; padding: 1rem .8rem;
  background: #f6f7f9; border-right: 1px solid #ddd; font: 14px/1.45 system-ui, sans-serif; box-sizing: border-box; }
#vkd-nav a { display: block; color: #234; text-decoration: none; padding: 1px 4px; border-radius: 3px; }
#vkd-nav a:hover { background: #e4e8ee; } #vkd-nav a.here { background: #dbe4f3; font-weight: 600; }
#vkd-nav h3 { font-size: 12px; text-transform: uppercase; color: #667; margin: .9rem 0 .2rem; }
main#vkd-main { margin-left: 15rem; max-width: 1100px; padding: 0 1.5rem; }
main#vkd-main .jp-Cell { padding: 2px 0; }
main#vkd-main img { max-width: 100%; height: auto; }
"""

def nav(pages: list[tuple[str, str, str]], here: str) -> str:
    "The sidebar: the notebook map, grouped."
    depth = here.count('/')
    up = '../' * depth
    groups, out = {}, []
    for group, page, title in pages: groups.setdefault(group, []).append((page, title))
    for g, items in groups.items():
        out.append(f'<h3>{html.escape(g)}</h3>')
        for page, title in items:
            cls = ' class="here"' if page == here else ''
            out.append(f'<a{cls} href="{up}{page}">{html.escape(title)}</a>')
    return '<nav id="vkd-nav">' + '\n'.join(out) + '</nav>'

def group_of(nb: Path) -> str:
    rel = nb.relative_to(NBS).as_posix()
    if rel == 'index.ipynb': return 'vkd_nb'
    if rel.startswith('tutorials/'): return 'Tutorials'
    if rel.startswith(('course/_instructor/', 'assignments/_solutions/')): return 'Instructor (not public)'
    if rel.startswith('course/'): return 'Course'
    if rel.startswith('assignments/'): return 'Assignments'
    return 'Notebooks'

def title_of(nb_path: Path) -> str:
    stem = nb_path.stem
    if nb_path.name == 'index.ipynb': return 'Home' if nb_path.parent == NBS else 'Guide for teachers'
    return stem

MATHJAX_BLOCK = re.compile(r'<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->', re.S)

def postprocess(body: str, page: str, pages: list, known: dict) -> str:
    up = '../' * page.count('/')
    mj = (f'<script>window.MathJax = {{tex: {{inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], processEscapes: true}}, '
          f'options: {{ignoreHtmlClass: "jp-CodeCell|jp-OutputArea"}}}};</script>\n'
          f'<script id="MathJax-script" src="{up}mathjax/tex-mml-chtml.js"></script>')
    body = MATHJAX_BLOCK.sub(lambda m: mj, body)
    body = re.sub(r'<script[^>]+src="https?://[^"]*"[^>]*>\s*</script>', '', body)   # nothing from the internet:
    body = re.sub(r'<script type="module">(?:(?!</script>).)*?mermaid(?:(?!</script>).)*</script>', '', body, flags=re.S)  # no mermaid CDN
    body = body.replace('</head>', f'<link rel="icon" href="data:,"><style>{CSS}</style></head>', 1)
    body = re.sub(r'(<body[^>]*>)', lambda m: m.group(1) + nav(pages, page), body, count=1)
    body = body.replace('<main>', '<main id="vkd-main">', 1) if '<main>' in body else \
           re.sub(r'(<body[^>]*>)', r'\1<main id="vkd-main">', body, count=1).replace('</body>', '</main></body>', 1)
    # links between notebooks: x.ipynb -> x.html
    body = re.sub(r'href="(?!https?:)([^"#]*?)\.ipynb(#[^"]*)?"', lambda m: f'href="{m.group(1)}.html{m.group(2) or ""}"', body)
    # a notebook named in prose (`08_train`) links to its page
    def link(m):
        tgt = known.get(m.group(1))
        return f'<a href="{up}{tgt}"><code>{m.group(1)}</code></a>' if tgt and tgt != page else m.group(0)
    parts = re.split(r'(<a\b.*?</a>|<pre.*?</pre>)', body, flags=re.S)       # never inside a link or a code block
    return ''.join(p if i % 2 else re.sub(r'<code>([\w/]+?)(?:\.ipynb)?</code>', link, p) for i, p in enumerate(parts))

def secrets() -> dict:
    "What the public site must not show, by solution notebook: its model answers and hidden tests (text to look for)."
    sys.path.insert(0, str(ROOT))
    from vkd_nb.grading.notebooks import read_notebook, cell_source, exercise_marker, BEGIN_SOLUTION, END_SOLUTION
    public = {l.strip() for p in site_notebooks() for c in read_notebook(p)['cells']
              for l in cell_source(c).splitlines()}
    out = {}
    for p in sorted(SOLUTIONS.glob('*.ipynb')):
        found = []
        for c in read_notebook(p)['cells']:
            src = cell_source(c)
            m = exercise_marker(src) if c['cell_type'] == 'code' else None
            if m and m['hidden']:
                found += [l.strip() for l in src.splitlines()[1:] if len(l.strip()) > 24 and l.strip() not in public]
            if c['cell_type'] == 'markdown' and BEGIN_SOLUTION in src:
                answer = src.split(BEGIN_SOLUTION, 1)[1].split(END_SOLUTION, 1)[0]
                found += [f for f in re.split(r'[$`*_()\[\]\n]', answer) if len(f.strip()) > 40][:3]
        out[p.name] = [' '.join(f.split()) for f in found]
    return out

def leaks(site: Path) -> list[str]:
    "Solution pages, links to `_solutions`, markers of hidden tests, or model-answer text in a built site."
    bad = [f'{p.relative_to(site)}: a page of the instructor\'s material' for p in site.rglob('*.html')
           if p.relative_to(site).parts[0] == 'instructor' or '_solutions' in p.parts]
    text = lambda p: ' '.join(html.unescape(re.sub(r'<[^>]+>', '', p.read_text(encoding='utf-8'))).split())
    texts = {p.relative_to(site).as_posix(): text(p) for p in site.rglob('*.html') if 'mathjax' not in p.parts}
    hidden = secrets()
    for page, t in texts.items():
        raw = (site/page).read_text(encoding='utf-8')
        if re.search(r'href="[^"#]*_solutions/', raw): bad.append(f'{page}: links to a solution notebook')
        marker = re.search(r'#\|\s*exercise:\s*\d+\s+\S+[^#]*\bhidden\b', t)
        if page.startswith('assignments/') and ('BEGIN HIDDEN TESTS' in t or marker):
            bad.append(f'{page}: a hidden test')
        bad += [f'{page}: text of {nb}: {f[:60]!r}' for nb, fs in hidden.items() for f in fs if f in t]
    return bad

def build_site(dest: Path|None = None, instructor: bool = False):
    "The site into `dest` (built aside, then moved in place); the public one is checked for leaked solutions."
    dest = Path(dest or (DOCS_INSTRUCTOR if instructor else DOCS)).resolve()
    if shutil.which('quarto') and dest == DOCS:
        return subprocess.run([str(BIN/'nbdev_docs')], cwd=ROOT).returncode
    from nbconvert import HTMLExporter
    t0 = time.time()
    nbs = site_notebooks(instructor)
    pages = [(group_of(p), page_of(p), title_of(p)) for p in nbs]
    known = {p.stem: page_of(p) for p in nbs if p.parent == NBS}
    known.update({p.relative_to(NBS).with_suffix('').as_posix(): page_of(p) for p in nbs if p.parent != NBS})
    tmp = dest.with_name(dest.name + '.tmp'); shutil.rmtree(tmp, ignore_errors=True); tmp.mkdir(parents=True)
    shutil.copytree(mathjax(), tmp/'mathjax')
    if (NBS/'images').exists(): shutil.copytree(NBS/'images', tmp/'images')
    ex = HTMLExporter(template_name='lab', exclude_input_prompt=True, exclude_output_prompt=True)
    for p in nbs:
        nb = prepare(p)
        body, _ = ex.from_notebook_node(nb, resources={'metadata': {'name': title_of(p) if p.name != 'index.ipynb' else 'vkd_nb'}})
        out = tmp/page_of(p); out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(postprocess(body, page_of(p), pages, known), encoding='utf-8')
    import slides                                        # each lesson's slides, in slides/ (.ci/slides.py)
    slides.build(tmp/'slides', site='../')
    if not instructor and (bad := leaks(tmp)):
        print('the public site would publish instructor material; not built:\n  ' + '\n  '.join(bad[:20]),
              file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True); return 1
    shutil.rmtree(dest, ignore_errors=True); tmp.rename(dest)
    kind = 'instructor' if instructor else 'public'
    print(f"built {len(nbs)} pages into {dest} in {time.time() - t0:.0f}s ({kind} site)")
    return 0

def main(argv):
    if not argv or argv[0] not in ('execute', 'site'): print(__doc__); return 2
    if argv[0] == 'site':
        args, instructor = argv[1:], '--instructor' in argv[1:]
        args = [a for a in args if a != '--instructor']
        if args[:1] == ['--out'] and len(args) == 2: return build_site(Path(args[1]), instructor)
        if args: print(__doc__); return 2
        return build_site(instructor=instructor)
    paths = [Path(a).resolve() for a in argv[1:]] or executed_notebooks()
    return execute(paths)

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
