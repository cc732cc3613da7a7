#!/usr/bin/env python3
"""Slides for each lesson of the syllabus, made from the notebooks with nbconvert's reveal.js exporter, offline.

    slides.py [--out DIR]   one `lesson-N.slides.html` per lesson of `nbs/course/lessons.json` into DIR (default
                            `_slides/`), with reveal.js, RequireJS, jQuery and MathJax served from DIR (fetched from
                            the npm registry once, cached in build/): nothing is loaded from the internet

What goes on the slides is chosen by `nbs/course/lessons.json` (the syllabus's reading list), not by cell metadata:
nbdev_clean strips cell metadata here (settings.ini, `allowed_cell_metadata_keys`) and the notebooks are committed
clean, so slide types are given to a copy of the cells when the slides are built. Per lesson: a title slide, then
for each notebook its title and the sections read (a section: a heading and the cells up to the next heading of its
level or above; `"read"` absent means the whole notebook). A heading starts a slide, each further markdown cell a
sub-slide (down arrow); worked examples stay with the text before them, with their saved outputs (figures
included); library code (`#| export`), hidden cells and test-only cells are left out. A section that is not in its
notebook stops the build, naming it.
"""
from __future__ import annotations
import json, re, shutil, subprocess, sys, tarfile, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS, OUT, CACHE = ROOT/'nbs', ROOT/'_slides', ROOT/'build'
LESSONS = NBS/'course'/'lessons.json'
sys.path.insert(0, str(Path(__file__).parent))
from docs import directives, mathjax, MATHJAX_BLOCK  # noqa: E402  (.ci/docs.py)

# npm package, files kept (relative to the package), cache folder
VENDOR = {'reveal.js@4': (['dist', 'plugin/notes'], 'reveal.js'), 'requirejs@2': (['require.js'], 'requirejs'),
          'jquery@3': (['dist/jquery.min.js'], 'jquery')}

def vendor(spec: str) -> Path:
    "An npm package's files, from the registry once (`npm pack`), cached in build/."
    keep, name = VENDOR[spec]
    cache = CACHE/name
    if cache.is_dir() and all((cache/k).exists() for k in keep): return cache
    npm = shutil.which('npm')
    if not npm: sys.exit(f"the slides need {spec}: install npm (Debian: apt-get install npm) or put it in {cache}")
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([npm, 'pack', spec, '--silent'], cwd=d, check=True, capture_output=True)
        with tarfile.open(next(Path(d).glob('*.tgz'))) as tf: tf.extractall(d, filter='data')
        tmp = cache.with_suffix('.tmp'); shutil.rmtree(tmp, ignore_errors=True); tmp.mkdir(parents=True)
        for k in keep:
            src, dst = Path(d)/'package'/k, tmp/k
            dst.parent.mkdir(parents=True, exist_ok=True)
            (shutil.copytree if src.is_dir() else shutil.copy)(src, dst)
        shutil.rmtree(cache, ignore_errors=True); tmp.rename(cache)
    return cache

def lessons() -> list[dict]: return json.loads(LESSONS.read_text(encoding='utf-8'))

def _heading(cell) -> tuple[int, str]|None:
    "(level, text) of a markdown cell that starts with a heading."
    m = re.match(r'(#{1,6})\s+(.*)', cell.source.lstrip()) if cell.cell_type == 'markdown' else None
    return (len(m.group(1)), m.group(2).splitlines()[0].strip()) if m else None

def sections(cells, names: list[str], nb_name: str) -> list:
    "The cells of the named sections, in notebook order; a name that is not a heading of the notebook is an error."
    heads = {h[1]: (i, h[0]) for i, c in enumerate(cells) if (h := _heading(c))}
    missing = [n for n in names if n not in heads]
    if missing:
        raise ValueError(f"{nb_name}: no section {missing} (its headings: {list(heads)}); fix nbs/course/lessons.json")
    keep = set()
    for n in names:
        i, level = heads[n]
        j = i + 1
        while j < len(cells) and not ((h := _heading(cells[j])) and h[0] <= level): j += 1
        keep |= set(range(i, j))
    return [cells[i] for i in sorted(keep)]

def shown(cell) -> bool:
    "Whether a cell belongs on a slide: no library code, hidden cell or test-only cell; short code."
    if cell.cell_type == 'markdown': return True
    if cell.cell_type != 'code': return False
    d = directives(cell.source)
    if d & {'export', 'exports', 'hide', 'default_exp'} or ('include' in d and 'false' in d): return False
    code = [l for l in cell.source.splitlines() if l.strip() and not l.startswith('#|')]
    if not code or len(code) > 25: return False
    tests = sum(bool(re.match(r'\s*(test_\w+\(|assert\b|for .*: (test_|assert))', l)) for l in code)
    figure = any('image/png' in o.get('data', {}) for o in cell.get('outputs', []))
    return figure or tests * 2 < len(code)     # a cell of tests (half its lines or more) without a figure: left out

def _slide(cell, kind: str, prefix: str = ''):
    cell.metadata = {'slideshow': {'slide_type': kind}}
    cell.id = re.sub(r'[^\w-]', '-', prefix + cell.get('id', ''))[-64:] or cell.get('id')
    if cell.cell_type == 'code':
        cell.source = '\n'.join(l for l in cell.source.splitlines() if not l.startswith('#|')).strip('\n')
    return cell

def lesson_notebook(n: int, lesson: dict):
    "The lesson's slides as a notebook: slide types in the cells' metadata, as nbconvert reads them."
    import nbformat
    reads = [r for r in lesson['reads'] if (NBS/f"{r['nb']}.ipynb").parent == NBS and r['nb'] != 'index']
    intro = (f"# Lesson {n}: {lesson['title']}\n\n{lesson['why']}\n\n**Read**: "
             + ', '.join(f"`{r['nb']}`" for r in lesson['reads']) + f"\n\n**Assignment**: {lesson['assignment']}")
    cells = [_slide(nbformat.v4.new_markdown_cell(intro), 'slide')]
    for r in reads:
        nb = nbformat.read(NBS/f"{r['nb']}.ipynb", as_version=4)
        title = next(c for c in nb.cells if (h := _heading(c)) and h[0] == 1)
        cells.append(_slide(nbformat.v4.new_markdown_cell(f"`{r['nb']}`\n\n{title.source}"), 'slide'))
        picked = sections(nb.cells, r['read'], r['nb']) if r.get('read') else [c for c in nb.cells if c is not title]
        for c in picked:
            if not shown(c): continue
            h = _heading(c)
            kind = 'slide' if h and h[0] == 2 else 'subslide' if c.cell_type == 'markdown' else '-'
            cells.append(_slide(c, kind, f"{r['nb']}-"))
    kernel = {'display_name': 'Python 3', 'language': 'python', 'name': 'python3'}
    return nbformat.v4.new_notebook(cells=cells, metadata={'kernelspec': kernel})

UPDATE = re.compile(r'var update = function\(event\)\{.*?\};\s*'
                    r'Reveal\.addEventListener\(\'slidechanged\', update\);', re.S)

def offline(body: str, mathjax_url: str, site: str|None = None) -> str:
    "The page with MathJax 3 from the site, no script or module from the internet, links to notebooks to their pages."
    mj = (f'<script>window.MathJax = {{tex: {{inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]], processEscapes: true}}, '
          f'options: {{ignoreHtmlClass: "jp-CodeCell|jp-OutputArea"}}}};</script>\n'
          f'<script id="MathJax-script" src="{mathjax_url}"></script>')
    body, n = MATHJAX_BLOCK.subn(lambda m: mj, body)
    body, k = UPDATE.subn('', body)   # MathJax 2's re-render on slide change: MathJax 3 typesets every slide once
    if n != 1 or k != 1: raise RuntimeError("nbconvert's reveal template changed: update .ci/slides.py (MathJax block)")
    body = re.sub(r'<script type="module">(?:(?!</script>).)*?mermaid(?:(?!</script>).)*</script>', '', body,
                  flags=re.S)
    body = body.replace('</head>', '<link rel="icon" href="data:,"></head>', 1)
    def link(m):                             # a notebook (path from nbs/): its page on the site, or plain text alone
        return f'href="{site}{m.group(1)}.html{m.group(2) or ""}"' if site is not None else ''
    body = re.sub(r'href="(?!https?:)([^"#]*?)\.ipynb(#[^"]*)?"', link, body)
    remote = (re.findall(r'<(?:script|img|link|iframe)\b[^>]*(?:src|href)="(https?://[^"]+)"', body)
              + re.findall(r"import .* from '(https?://[^']+)'", body))
    if remote: raise RuntimeError(f'a slide page would load from the internet: {remote[:3]}')
    return body

def build(out: Path = OUT,
          site: str|None = None,    # where the docs site is, seen from `out` (links to notebooks, MathJax); None: alone
         ) -> list[Path]:
    "Every lesson's slides into `out` (built aside, then moved in place); the pages written."
    from nbconvert import SlidesExporter
    out = Path(out).resolve(); t0 = time.time()
    tmp = out.with_name(out.name + '.tmp'); shutil.rmtree(tmp, ignore_errors=True); tmp.mkdir(parents=True)
    for spec in VENDOR: shutil.copytree(vendor(spec), tmp/VENDOR[spec][1])
    if site is None: shutil.copytree(mathjax(), tmp/'mathjax')
    mathjax_url = f"{site if site is not None else ''}mathjax/tex-mml-chtml.js"
    ex = SlidesExporter(reveal_url_prefix='reveal.js', reveal_scroll=True, reveal_theme='white',
                        exclude_input_prompt=True, exclude_output_prompt=True, require_js_url='requirejs/require.js',
                        jquery_url='jquery/dist/jquery.min.js')
    pages = []
    for n, lesson in enumerate(lessons(), 1):
        body, _ = ex.from_notebook_node(lesson_notebook(n, lesson), resources={'metadata': {'name': f'Lesson {n}'}})
        page = tmp/f'lesson-{n}.slides.html'
        page.write_text(offline(body, mathjax_url, site), encoding='utf-8'); pages.append(out/page.name)
    shutil.rmtree(out, ignore_errors=True); tmp.rename(out)
    print(f'built the slides of {len(pages)} lessons into {out} in {time.time() - t0:.0f}s')
    return pages

def main(argv):
    if argv and (argv[0] != '--out' or len(argv) != 2): print(__doc__); return 2
    build(Path(argv[1]) if argv else OUT)
    return 0

if __name__ == '__main__': sys.exit(main(sys.argv[1:]))
