"""The docs site in a real browser: `.ci/docs.py site` builds it from the outputs the notebooks hold (nothing is
executed), a local HTTP server serves it, and Debian's Chromium (driven headless by Playwright) opens the index and
every page. Fails on a missing image, a broken internal link, a request that fails or a console error; checks that
the math is typeset (MathJax is served from the site: no CDN). Saves screenshots of the index and of `09_plots`
under artifacts/. The public site holds the students' versions only: no solution page, no link to `_solutions`, no
hidden test and no model answer in any page's text as the browser shows it."""
import functools, http.server, os, re, subprocess, sys, threading
from pathlib import Path
from urllib.parse import urljoin, urlparse, unquote
import pytest
from conftest import ROOT
from test_browser import CHROMIUM, ARTIFACTS, pytestmark  # noqa: F401  (same browser, same skip/never-skip-in-CI rule)

sys.path.insert(0, str(ROOT/'.ci'))
import docs, slides  # noqa: E402  (.ci/docs.py, .ci/slides.py)

class _Server(http.server.ThreadingHTTPServer):
    request_queue_size = 128    # a page asks for its fonts at once: a backlog of 5 refuses some on a busy machine

@pytest.fixture(scope='module')
def site(tmp_path_factory):
    "The site built into a temporary folder and served on a free localhost port."
    out = tmp_path_factory.mktemp('docs')/'site'
    r = subprocess.run([sys.executable, str(ROOT/'.ci'/'docs.py'), 'site', '--out', str(out)], cwd=ROOT,
                       capture_output=True, text=True, env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(out))
    handler.log_message = lambda *a: None
    server = _Server(('127.0.0.1', 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield out, f'http://127.0.0.1:{server.server_address[1]}/'
    server.shutdown()

VENDORED = {'mathjax', 'reveal.js', 'requirejs', 'jquery'}      # served by the site, fetched from npm: not our pages

def _pages(out: Path) -> list:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob('*.html') if not VENDORED & set(p.parts))

def _failed(r) -> str:
    "Why a request failed; '' for one cancelled because the test moved on (a font loading as the next page opens)."
    return '' if r.failure == 'net::ERR_ABORTED' else f'request failed ({r.failure}): {r.url}'

def _browser(p):
    return p.chromium.launch(executable_path=CHROMIUM, args=['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                                                             '--no-first-run', '--disable-background-networking'])

def test_site_pages(site):
    from playwright.sync_api import sync_playwright
    out, base = site
    pages = _pages(out)
    names = {Path(p).stem for p in pages}
    assert 'index.html' in pages and {'09_plots', '03_generator', '07_cotrain', 'fidelity_study'} <= names, pages
    problems, math, texts = [], {}, {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                                                                    '--no-first-run', '--disable-background-networking'])
        page = browser.new_page(viewport={'width': 1300, 'height': 900})
        where = {'page': ''}
        page.on('console', lambda m: m.type == 'error' and problems.append(f"{where['page']}: console error: {m.text}"))
        page.on('pageerror', lambda e: problems.append(f"{where['page']}: page error: {e}"))
        page.on('requestfailed', lambda r: _failed(r) and problems.append(f"{where['page']}: {_failed(r)}"))
        page.on('response', lambda r: r.status >= 400 and problems.append(f"{where['page']}: HTTP {r.status} for {r.url}"))
        try:
            for rel in pages:
                where['page'] = rel
                page.goto(base + rel, wait_until='load')
                page.wait_for_function('() => !window.MathJax || !MathJax.startup || MathJax.startup.promise', timeout=30_000)
                page.evaluate('() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null')
                broken = page.eval_on_selector_all('img', 'els => els.filter(e => !e.complete || e.naturalWidth === 0).map(e => e.src.slice(0, 80))')
                problems += [f'{rel}: image not shown: {s}' for s in broken]
                math[rel] = page.locator('mjx-container').count()
                texts[rel] = ' '.join(page.inner_text('body').split())
                for href in page.eval_on_selector_all('a[href]', 'els => els.map(e => e.getAttribute("href"))'):
                    url = urlparse(urljoin(base + rel, href))
                    if not (base + url.path.lstrip('/')).startswith(base) or url.scheme not in ('http', 'https') or url.netloc != urlparse(base).netloc:
                        continue
                    target = out/unquote(url.path).lstrip('/')
                    if not target.is_file(): problems.append(f'{rel}: broken link {href}')
                    elif url.fragment and target.suffix == '.html':
                        ids = set(re.findall(r'\bid="([^"]+)"', target.read_text(encoding='utf-8')))
                        if not {url.fragment, unquote(url.fragment)} & ids: problems.append(f'{rel}: link to a missing anchor {href}')
                if rel in ('index.html', '09_plots.html'):
                    ARTIFACTS.mkdir(exist_ok=True)
                    if rel != 'index.html' and page.locator('main img').count():    # the first figure in view
                        page.locator('main img').first.evaluate('e => e.scrollIntoView({block: "center"})')
                    page.screenshot(path=str(ARTIFACTS/f"docs-{Path(rel).stem}.png"), full_page=rel == 'index.html')
        finally: browser.close()
    assert not problems, '\n'.join(problems[:40])
    secrets = docs.secrets()
    assert all(secrets.values()) and sum(map(len, secrets.values())) >= 20, secrets     # something to look for
    leaked = [f'{rel}: {nb}: {s[:70]!r}' for rel, t in texts.items() for nb, ss in secrets.items()
              for s in ss if s in t]
    assert not leaked, 'the public site shows solutions:\n' + '\n'.join(leaked[:20])
    assert math['index.html'] > 3 and math['00_core.html'] > 3, f'math not typeset: {math}'
    assert (ARTIFACTS/'docs-index.png').exists() and (ARTIFACTS/'docs-09_plots.png').exists()

def test_site_has_api_and_figures(site):
    "Each library page documents its exported symbols (show_doc), and a page with figures embeds them."
    out, _ = site
    core = (out/'00_core.html').read_text(encoding='utf-8')
    assert re.search(r'<h4[^>]*>\s*soften', core), 'no API entry for vkd_nb.core.soften'
    assert '<a href="08_train.html"><code>08_train</code></a>' in (out/'index.html').read_text(encoding='utf-8'), \
        "the notebook map does not link the notebooks' pages"
    assert 'tex-mml-chtml.js' in core and 'cdnjs' not in core and 'cdn.jsdelivr' not in core

def test_public_site_holds_no_solution(site):
    "No solution page, no link into `_solutions`, no solutions group in the sidebar, no hidden-test marker."
    out, _ = site
    pages = _pages(out)
    assert not [p for p in pages if '_solutions' in p or p.startswith('instructor/')], pages
    assert {'assignments/index.html', 'assignments/04_student_vkd.html', 'course/syllabus.html'} <= set(pages), pages
    for rel in pages:
        raw = (out/rel).read_text(encoding='utf-8')
        assert not re.search(r'href="[^"#]*_solutions/', raw), f'{rel} links to a solution notebook'
        assert 'solutions</h3>' not in raw.lower() and 'Instructor' not in re.sub(r'<main.*', '', raw, flags=re.S), rel
        if rel.startswith('assignments/') and rel != 'assignments/index.html':        # the guide explains the markers
            assert 'BEGIN SOLUTION' not in raw and 'HIDDEN TESTS' not in raw, rel
    assert docs.leaks(out) == []

def test_instructor_material_is_apart(tmp_path):
    "The instructor's build adds the solutions and notes in `instructor/`; the public build refuses a page that leaks."
    pub, ins = docs.site_notebooks(), docs.site_notebooks(instructor=True)
    extra = [p for p in ins if p not in pub]
    assert extra == docs.instructor_notebooks() and len(extra) >= 6, extra
    apart = lambda p: docs.page_of(p).startswith('instructor/')
    assert all(map(apart, extra)) and not any(map(apart, pub))
    nb, secret = next((nb, ss[0]) for nb, ss in docs.secrets().items() if ss)
    (tmp_path/'assignments').mkdir()
    page = f'<html><body><pre>{secret}</pre><a href="_solutions/{nb}">s</a></body></html>'
    (tmp_path/'assignments'/'x.html').write_text(page)
    bad = docs.leaks(tmp_path)
    assert any('text of' in b for b in bad) and any('links to a solution' in b for b in bad), bad

def test_slides_open(site):
    "Each lesson's slides (nbconvert's reveal.js, served by the site) start, show their slides and move on a key press."
    from playwright.sync_api import sync_playwright
    out, base = site
    decks = sorted(p for p in _pages(out) if p.startswith("slides/"))
    assert decks == [f'slides/lesson-{i}.slides.html' for i in range(1, len(slides.lessons()) + 1)], decks
    problems, counts = [], {}
    with sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page(viewport={'width': 1280, 'height': 800})
        page.on('console', lambda m: m.type == 'error' and problems.append(f'console error: {m.text}'))
        page.on('pageerror', lambda e: problems.append(f'page error: {e}'))
        page.on('requestfailed', lambda r: _failed(r) and problems.append(_failed(r)))
        page.on('response', lambda r: r.status >= 400 and problems.append(f'HTTP {r.status} for {r.url}'))
        try:
            for rel in decks:
                page.goto(base + rel, wait_until='load')
                page.wait_for_function('() => document.querySelector(".reveal.ready")', timeout=30_000)
                counts[rel] = page.locator('.reveal .slides > section').count()
                page.keyboard.press('ArrowRight')
                page.wait_for_function('() => location.hash === "#/1"', timeout=10_000)
                if rel.endswith('lesson-3.slides.html'):
                    page.keyboard.press('ArrowRight'); page.wait_for_timeout(500)
                    ARTIFACTS.mkdir(exist_ok=True); page.screenshot(path=str(ARTIFACTS/'slides-lesson-3.png'))
        finally: browser.close()
    assert not problems, '\n'.join(problems[:20])
    assert all(n >= 3 for n in counts.values()), counts           # a title slide, a notebook's title, its sections
