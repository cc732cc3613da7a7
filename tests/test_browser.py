"""The dashboard in a real browser: JupyterLab on localhost, Debian's Chromium driven headless by Playwright.

Opens nbs/tutorials/dashboard.ipynb, runs it, sets a tiny configuration through the widgets, presses Train,
waits for the results table, saves a screenshot (artifacts/dashboard.png) and fails on any error in the page.
"""
import os, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import pytest
from conftest import ROOT, BIN

CHROMIUM = shutil.which('chromium') or '/usr/bin/chromium'
ARTIFACTS = ROOT/'artifacts'
needs = []
if not Path(CHROMIUM).exists(): needs.append("Debian's chromium (`make browser-deps` installs it)")
try: import playwright.sync_api  # noqa
except ImportError: needs.append('the playwright package (pip install -e ".[dev]")')
if needs and os.environ.get('CI'): raise RuntimeError('browser test needs ' + ' and '.join(needs))   # never skip in CI
pytestmark = pytest.mark.skipif(bool(needs), reason='needs ' + ' and '.join(needs))

def _free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

@pytest.fixture
def lab(tmp_path):
    "JupyterLab serving a copy of the dashboard notebook, on a free localhost port, no token."
    lab_dir, settings = tmp_path/'lab', tmp_path/'settings'/'@jupyterlab'/'apputils-extension'
    lab_dir.mkdir(); settings.mkdir(parents=True)
    shutil.copy(ROOT/'nbs'/'tutorials'/'dashboard.ipynb', lab_dir/'dashboard.ipynb')
    (settings/'notification.jupyterlab-settings').write_text('{"fetchNews": "false", "checkForUpdates": false}')
    port = _free_port()
    env = dict(os.environ, OMP_NUM_THREADS='1', JUPYTER_CONFIG_DIR=str(tmp_path/'cfg'), JUPYTER_RUNTIME_DIR=str(tmp_path/'rt'),
               JUPYTERLAB_SETTINGS_DIR=str(tmp_path/'settings'))
    proc = subprocess.Popen([str(BIN/'jupyter'), 'lab', '--no-browser', f'--port={port}', '--ip=127.0.0.1', '--allow-root',
                             f'--ServerApp.root_dir={lab_dir}', "--IdentityProvider.token=", "--ServerApp.password=",
                             '--ServerApp.disable_check_xsrf=True', '--LabApp.news_url=', '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'],
                            cwd=lab_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f'http://127.0.0.1:{port}'
    for _ in range(120):
        try: urllib.request.urlopen(f'{url}/api/status', timeout=1); break
        except OSError: time.sleep(0.5)
    else:
        proc.kill(); pytest.fail('JupyterLab did not start:\n' + proc.stdout.read().decode()[-3000:])
    yield url, tmp_path
    proc.terminate()
    try: proc.wait(10)
    except subprocess.TimeoutExpired: proc.kill()

def _field(page, label):
    "The input of the ipywidget whose description is `label`."
    return page.locator(f'.widget-inline-hbox:has(> label:text-is("{label}")) input').first

def test_dashboard_trains_in_browser(lab):
    from playwright.sync_api import sync_playwright
    url, folder = lab
    errors = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'])
        page = browser.new_page(viewport={'width': 1400, 'height': 1000})
        page.on('pageerror', lambda e: errors.append(f'page error: {e}'))
        page.on('console', lambda m: m.type == 'error' and errors.append(f'console error: {m.text}'))
        try: row, tracebacks = _drive(page, url)
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True); page.screenshot(path=str(ARTIFACTS/'dashboard-failure.png'), full_page=True)
            raise
        finally: browser.close()
    assert 'kd+vkd' in row and 'completed' in row, row
    assert tracebacks == 0, 'a cell printed a traceback'
    assert not errors, '\n'.join(errors)

def _drive(page, url):
    "Open the notebook, run it, train a tiny configuration; return the results row and the count of tracebacks."
    page.goto(f'{url}/lab/tree/dashboard.ipynb', wait_until='domcontentloaded')
    page.wait_for_selector('.jp-Notebook .jp-Cell', timeout=60_000)
    try:    # a cleaned notebook names no kernel: JupyterLab asks which one, as it would a person
        page.locator('.jp-Dialog button.jp-mod-accept').click(timeout=15_000)
    except Exception: pass
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=60_000, state='attached')
    # Run > Run All Cells
    page.locator('.lm-MenuBar-itemLabel', has_text='Run').first.click()
    page.locator('.lm-Menu-itemLabel', has_text='Run All Cells').first.click()
    page.wait_for_selector('.widget-tab', timeout=120_000)
    # a tiny configuration, set through the widgets as a person would
    page.locator('.widget-dropdown:has(> label:text-is("dataset")) select').select_option('digits')
    page.locator('.widget-dropdown:has(> label:text-is("teacher")) select').select_option('mlp_64x1')
    page.locator('.widget-dropdown:has(> label:text-is("student")) select').select_option('mlp_64x1')
    page.locator('.widget-dropdown:has(> label:text-is("mode")) select').select_option('kd+vkd')
    for label, value in (('teacher epochs', '2'), ('epochs', '2'), ('refit steps', '50'), ('train samples', '300')):
        f = _field(page, label); f.fill(value); f.press('Enter')
    page.locator('.jupyter-widgets.widget-toggle-button:has-text("cpu")').click()
    page.locator('button.jupyter-button:has-text("Train")').first.click()
    page.locator('.widget-tab .lm-TabBar-tab:has-text("Compare runs")').click()
    page.wait_for_selector('table.vkd-runs tbody tr', timeout=240_000)
    row = page.locator('table.vkd-runs tbody tr').first.inner_text()
    page.locator('.widget-tab .lm-TabBar-tab:has-text("Explore distributions")').click()
    page.wait_for_function("() => [...document.querySelectorAll('.widget-image')].some(i => i.naturalWidth > 200)", timeout=30_000)
    srcs = lambda: page.eval_on_selector_all('.widget-image', 'els => els.map(e => e.src)')
    before = srcs()
    page.locator('.widget-dropdown:has(> label:text-is("class")) select').select_option('7')
    page.wait_for_function('b => [...document.querySelectorAll(".widget-image")].some((e, i) => e.src !== b[i] && e.naturalWidth > 200)',
                           arg=before, timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS/'dashboard.png'), full_page=True)
    page.locator('.widget-tab .lm-TabBar-tab:has-text("Train")').first.click()
    page.wait_for_timeout(500)
    page.screenshot(path=str(ARTIFACTS/'dashboard-train.png'), full_page=True)
    tracebacks = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]:has-text("Traceback")').count()
    return row, tracebacks
