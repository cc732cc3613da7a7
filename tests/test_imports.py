"The library is a stack in notebook order: every module imports only modules of earlier notebooks, and no import forms a cycle."
import ast, re
from pathlib import Path
from conftest import ROOT

LIB = ROOT/'vkd_nb'

def notebook_number(path: Path) -> str:
    "The number of the notebook a module is exported from, read from nbdev's header ('File to edit: ../nbs/07_cotrain.ipynb'): '07', '05a'."
    m = re.search(r'File to edit: \.\./nbs/(\d+[a-z]?)_', path.read_text())
    assert m, f'{path.name} has no nbdev header naming its notebook'
    return m.group(1)

def library_imports(path: Path) -> set:
    "The vkd_nb modules `path` imports, anywhere in it (module level or inside functions)."
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ''
            if node.level == 1: out |= {mod.split('.')[0]} if mod else {a.name for a in node.names}
            elif mod.startswith('vkd_nb.'): out.add(mod.split('.')[1])
            elif mod == 'vkd_nb': out |= {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name.split('.')[1] for a in node.names if a.name.startswith('vkd_nb.')}
    return {m for m in out if (LIB/f'{m}.py').exists()}

def modules() -> dict:
    return {p.stem: p for p in sorted(LIB.glob('*.py')) if not p.stem.startswith('_')}

def test_imports_only_reach_earlier_notebooks():
    mods = modules()
    order = {m: notebook_number(p) for m, p in mods.items()}
    bad = [f"{m} ({order[m]}) imports {d} ({order[d]})" for m, p in mods.items() for d in sorted(library_imports(p))
           if d != m and order[d] >= order[m]]
    assert not bad, 'imports that reach a later (or the same) notebook: ' + '; '.join(bad)
    assert len(set(order.values())) == len(order), f'two modules share a notebook number: {order}'

def test_no_import_cycle():
    graph = {m: library_imports(p) - {m} for m, p in modules().items()}
    state = {}
    def visit(m, path):
        if state.get(m) == 'done': return
        assert state.get(m) != 'open', 'import cycle: ' + ' -> '.join(path + [m])
        state[m] = 'open'
        for d in sorted(graph[m]): visit(d, path + [m])
        state[m] = 'done'
    for m in graph: visit(m, [])

def test_the_checker_sees_lazy_and_relative_imports(tmp_path):
    "The walker must not miss an import hidden in a function body, nor a relative one."
    (tmp_path/'x.py').write_text("from .core import soften\ndef f():\n    from vkd_nb.runs import run_demo\n    import vkd_nb.cli\n")
    assert library_imports(tmp_path/'x.py') == {'core', 'runs', 'cli'}
