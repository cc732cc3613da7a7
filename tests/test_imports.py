"The library is a stack in notebook order: every module imports only modules of earlier notebooks, and no import forms a cycle."
import ast, re
from pathlib import Path
from conftest import ROOT

LIB = ROOT/'vkd_nb'

def notebook_number(path: Path) -> str:
    "The number of the notebook a module is exported from, read from nbdev's header ('File to edit: ../nbs/07_cotrain.ipynb'): '07', '05a'."
    m = re.search(r'File to edit: (?:\.\./)+nbs/(\d+[a-z]?)_', path.read_text())
    assert m, f'{path.name} has no nbdev header naming its notebook'
    return m.group(1)

def module_name(path: Path) -> str:
    "vkd_nb/grading/runner.py -> 'grading.runner'."
    return '.'.join(path.relative_to(LIB).with_suffix('').parts)

def _known(name: str) -> str|None:
    "`name` or its longest parent that is a module of the library (a package's __init__ is not one)."
    parts = name.split('.')
    for k in range(len(parts), 0, -1):
        if (LIB.joinpath(*parts[:k]).with_suffix('.py')).is_file(): return '.'.join(parts[:k])
    return None

def library_imports(path: Path) -> set:
    "The vkd_nb modules `path` imports, anywhere in it (module level or inside functions), relative ones resolved."
    pkg = module_name(path).split('.')[:-1] if path.is_relative_to(LIB) else []
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            mod = node.module or ''
            if node.level:
                base = pkg[:len(pkg) - node.level + 1]
                full = [('.'.join(base + [mod] + [a.name]) if mod else '.'.join(base + [a.name])) for a in node.names]
            elif mod == 'vkd_nb' or mod.startswith('vkd_nb.'):
                full = [mod[len('vkd_nb.'):] + '.' + a.name if mod != 'vkd_nb' else a.name for a in node.names]
            else: continue
            out |= {k for k in map(_known, full) if k}
        elif isinstance(node, ast.Import):
            out |= {k for a in node.names if a.name.startswith('vkd_nb.') if (k := _known(a.name[len('vkd_nb.'):]))}
    return out

def modules() -> dict:
    return {module_name(p): p for p in sorted(LIB.rglob('*.py')) if not p.name.startswith('_')}

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

def test_the_checker_sees_imports_inside_the_grading_package():
    assert 'grading.notebooks' in library_imports(LIB/'grading'/'runner.py')
    assert 'grading.cli' in library_imports(LIB/'cli.py')

def test_the_grader_imports_nothing_of_distillation():
    "vkd_nb.grading is a package of its own: it reaches outside itself only for the tables and safe writes of `files`."
    reach = {d for m, p in modules().items() if m.startswith('grading.') for d in library_imports(p)
             if not d.startswith('grading.')}
    assert reach <= {'files'}, reach
