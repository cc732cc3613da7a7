"""The kit's density rules, kept by CI: no code cell over 40 lines in any notebook; no library line over 120
characters; no statements joined with `;`."""
import io, json, tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Counted on 2026-12-03: 671 lines over 120 characters at 268aa89 and 171 statements joined with `;`; none since
# (issue 22). The one line nbdev writes long is `__all__`'s first: it wraps the list at 120 characters without
# counting the `__all__ = ` in front, so that line is left out.

def _long(path: Path) -> list:
    "Line numbers over 120 characters in a library module, `__all__`'s first line aside."
    lines = path.read_text(encoding='utf-8').splitlines()
    return [i + 1 for i, l in enumerate(lines) if len(l) > 120 and not l.startswith('__all__ = ')]

def test_no_code_cell_over_40_lines():
    "Every code cell of every notebook (API, tutorials, course, assignments and their solutions) is 40 lines or fewer."
    big = []
    for p in sorted((ROOT/'nbs').rglob('*.ipynb')):
        if '.ipynb_checkpoints' in p.parts: continue
        for i, c in enumerate(json.loads(p.read_text(encoding='utf-8'))['cells']):
            n = len(''.join(c['source']).splitlines())
            if c['cell_type'] == 'code' and n > 40:
                big.append(f"{p.relative_to(ROOT)} cell {i + 1} ({c.get('id')}): {n} lines")
    assert not big, 'split these cells (at a definition, or move a helper out):\n' + '\n'.join(big)

def test_no_long_library_lines():
    "No line of the library is over 120 characters (read the module, not the notebook: nbdev adds its own lines)."
    over = {p.name: _long(p)[:10] for p in sorted((ROOT/'vkd_nb').glob('*.py')) if p.name != '_modidx.py' and _long(p)}
    assert not over, 'lines over 120 characters (module: first line numbers): ' + repr(over)

def test_no_semicolons():
    "No statements joined with `;` in the library."
    over = {}
    for p in sorted((ROOT/'vkd_nb').glob('*.py')):
        toks = tokenize.generate_tokens(io.StringIO(p.read_text(encoding='utf-8')).readline)
        rows = [t.start[0] for t in toks if t.type == tokenize.OP and t.string == ';']
        if rows: over[p.name] = rows[:10]
    assert not over, 'statements joined with ; (module: line numbers): ' + repr(over)
