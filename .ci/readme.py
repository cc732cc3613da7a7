#!/usr/bin/env python3
"""Write README.md from nbs/index.ipynb without Quarto (which nbdev_readme needs and this machine lacks).

Markdown cells are copied; code cells become python blocks with their text output; cells marked `#| hide`
are left out, and nbdev directives are dropped. Usage: readme.py NOTEBOOK README
"""
import json, sys
from pathlib import Path

def cell_md(cell):
    src = ''.join(cell['source'])
    lines = src.splitlines()
    if any(l.strip() in ('#| hide', '#|hide') for l in lines): return None
    if cell['cell_type'] == 'markdown': return src.strip()
    code = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
    if not code: return None
    out = [f"```python\n{code}\n```"]
    for o in cell.get('outputs', []):
        text = o.get('text') or o.get('data', {}).get('text/plain')
        if text: out.append("```\n" + ''.join(text).rstrip() + "\n```")
    return '\n\n'.join(out)

def main(nb_path, readme_path):
    nb = json.loads(Path(nb_path).read_text(encoding='utf-8'))
    parts = [p for p in map(cell_md, nb['cells']) if p]
    head = f"<!-- generated from {nb_path} by .ci/readme.py: edit the notebook, then run `make sync` -->\n\n"
    text = head + '\n\n'.join(parts) + '\n'
    p = Path(readme_path)
    if not p.exists() or p.read_text(encoding='utf-8') != text: p.write_text(text, encoding='utf-8')

if __name__ == '__main__': main(*sys.argv[1:3])
