"""The kit's density rules, kept by CI: no code cell over 40 lines in any notebook; no library line over 120
characters; no statements joined with `;`."""
import ast, io, json, tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Counted on 2026-12-03: 671 lines over 120 characters at 268aa89 and 171 statements joined with `;`; none since
# (issue 22), except nbdev's own `__all__`: nbdev 2 wraps the list at 120 characters and then writes `__all__ = ` in
# front, so its first line can reach 130. The library must be exactly what a bare `nbdev_export` writes (CI and the
# landing check export and compare), so that statement is not ours to wrap.

def _nbdev_all(text: str) -> set:
    "Line numbers of the `__all__ = [...]` statement nbdev writes."
    return {n for node in ast.parse(text).body if isinstance(node, ast.Assign)
            and any(getattr(t, 'id', None) == '__all__' for t in node.targets)
            for n in range(node.lineno, node.end_lineno + 1)}

def _long(path: Path) -> list:
    "Line numbers over 120 characters in a library module (nbdev's `__all__` aside)."
    text = path.read_text(encoding='utf-8')
    skip = _nbdev_all(text)
    return [i + 1 for i, l in enumerate(text.splitlines()) if len(l) > 120 and i + 1 not in skip]

def test_the_line_check_sees_long_lines_but_not_nbdevs_all(tmp_path):
    (tmp_path/'m.py').write_text("__all__ = ['" + 'a' * 130 + "',\n           'c']\nx = '" + 'b' * 130 + "'\n")
    assert _long(tmp_path/'m.py') == [3]

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
    over = {str(p.relative_to(ROOT)): _long(p)[:10] for p in sorted((ROOT/'vkd_nb').rglob('*.py'))
            if p.name != '_modidx.py' and _long(p)}
    assert not over, 'lines over 120 characters (module: first line numbers): ' + repr(over)

def test_no_semicolons():
    "No statements joined with `;` in the library."
    over = {}
    for p in sorted((ROOT/'vkd_nb').rglob('*.py')):      # subpackages (vkd_nb.grading) too
        toks = tokenize.generate_tokens(io.StringIO(p.read_text(encoding='utf-8')).readline)
        rows = [t.start[0] for t in toks if t.type == tokenize.OP and t.string == ';']
        if rows: over[str(p.relative_to(ROOT))] = rows[:10]
    assert not over, 'statements joined with ; (module: line numbers): ' + repr(over)
