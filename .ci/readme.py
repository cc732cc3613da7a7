#!/usr/bin/env python3
"""Write README.md from nbs/index.ipynb without Quarto (which nbdev_readme needs and this machine lacks).

Markdown cells are copied; code cells become python blocks with their text output (a Markdown output, such as a
table made from a results file, is copied as Markdown; `#| echo: false` leaves the code out); cells marked `#| hide`
are left out, and nbdev directives are dropped. Relative links and images are rewritten to point from README's
folder (`images/x.png` in nbs/index.ipynb becomes `nbs/images/x.png`), so GitHub shows them. Usage: readme.py NOTEBOOK README
"""
import json, os, re, sys
from pathlib import Path

def relink(md, nb_dir, readme_dir):
    "Relative links and images of the notebook, made relative to README's folder (so GitHub shows them)."
    def fix(m):
        url = m.group(2)
        if re.match(r'[a-z]+:|#|/', url): return m.group(0)
        return m.group(1) + Path(os.path.relpath(nb_dir/url, readme_dir)).as_posix() + ')'
    return re.sub(r'(!?\[[^\]]*\]\()([^)\s]+)\)', fix, md)

def cell_md(cell, nb_dir=Path('.'), readme_dir=Path('.')):
    src = ''.join(cell['source'])
    lines = src.splitlines()
    if any(l.strip() in ('#| hide', '#|hide') for l in lines): return None
    if cell['cell_type'] == 'markdown': return relink(src.strip(), nb_dir, readme_dir)
    code = '\n'.join(l for l in lines if not l.startswith('#|')).strip()
    if not code: return None
    echo = not any(l.replace(' ', '') == '#|echo:false' for l in lines)
    out = [f"```python\n{code}\n```"] if echo else []
    for o in cell.get('outputs', []):
        md = o.get('data', {}).get('text/markdown')
        if md: out.append(relink(''.join(md).strip(), nb_dir, readme_dir)); continue
        text = o.get('text') or o.get('data', {}).get('text/plain')
        if text: out.append("```\n" + ''.join(text).rstrip() + "\n```")
    if not out: return None
    return '\n\n'.join(out)

def main(nb_path, readme_path):
    nb = json.loads(Path(nb_path).read_text(encoding='utf-8'))
    nb_dir, readme_dir = Path(nb_path).resolve().parent, Path(readme_path).resolve().parent
    parts = [p for p in (cell_md(c, nb_dir, readme_dir) for c in nb['cells']) if p]
    head = f"<!-- generated from {nb_path} by .ci/readme.py: edit the notebook, then run `make sync` -->\n\n"
    text = head + '\n\n'.join(parts) + '\n'
    p = Path(readme_path)
    if not p.exists() or p.read_text(encoding='utf-8') != text: p.write_text(text, encoding='utf-8')

if __name__ == '__main__': main(*sys.argv[1:3])
