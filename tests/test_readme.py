"README's snippets run as written: each python block, pasted into a fresh Python, works."
import re, subprocess, sys
import pytest
from conftest import ROOT

BLOCKS = re.findall(r'```python\n(.*?)```', (ROOT/'README.md').read_text(encoding='utf-8'), flags=re.S)

def test_there_are_snippets():
    assert len(BLOCKS) >= 2

@pytest.mark.parametrize('i', range(len(BLOCKS)))
def test_snippet_runs(i, tmp_path, run_env):
    r = subprocess.run([sys.executable, '-c', BLOCKS[i]], cwd=tmp_path, env=run_env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"README snippet {i + 1} failed:\n{BLOCKS[i]}\n{r.stderr[-2000:]}"
