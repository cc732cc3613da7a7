"The exported library installs and imports on its own: no nbdev at run time, torch not pinned."
import subprocess, sys, zipfile, textwrap
from pathlib import Path
from conftest import ROOT

def _wheel(tmp_path):
    subprocess.run([sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps', '--no-build-isolation', '-w', str(tmp_path), str(ROOT)],
                   check=True, cwd=tmp_path)
    return next(tmp_path.glob('vkd_nb-*.whl'))

def test_wheel_contents_and_metadata(tmp_path):
    whl = _wheel(tmp_path)
    with zipfile.ZipFile(whl) as z:
        names = z.namelist()
        meta = z.read(next(n for n in names if n.endswith('METADATA'))).decode()
        eps = z.read(next(n for n in names if n.endswith('entry_points.txt'))).decode()
    for mod in ('core', 'data'): assert f'vkd_nb/{mod}.py' in names
    for f in ('teacher.pt', 'generator.pt', 'metrics.json', 'students.json'):    # the shipped teaching teacher
        assert f'vkd_nb/teaching/{f}' in names, f
    reqs = [l.split(':', 1)[1].strip() for l in meta.splitlines() if l.startswith('Requires-Dist:') and 'extra ==' not in l]
    assert 'torch' in reqs, reqs                      # torch listed, never pinned
    for r in ('torchvision', 'matplotlib', 'tqdm', 'scikit-learn', 'mnist1d'): assert any(q.startswith(r) for q in reqs), r
    assert not any(q.startswith('nbdev') for q in reqs), 'nbdev must be a dev requirement only'
    assert 'vkd = vkd_nb.cli:entry' in eps          # exits safely after a torchrun group (end_process)

def test_wheel_carries_the_licence(tmp_path):
    "The Apache-2.0 text settings.ini names is at the root and in the wheel, and the metadata points at it."
    text = (ROOT/'LICENSE').read_text(encoding='utf-8')
    assert 'Apache License' in text and 'Version 2.0, January 2004' in text and 'END OF TERMS AND CONDITIONS' in text
    with zipfile.ZipFile(_wheel(tmp_path)) as z:
        names = z.namelist()
        meta = z.read(next(n for n in names if n.endswith('METADATA'))).decode()
        lic = [n for n in names if '.dist-info/' in n and n.rsplit('/', 1)[-1] == 'LICENSE']
        assert lic and z.read(lic[0]).decode() == text, names
    assert 'License-File: LICENSE' in meta and 'License :: OSI Approved :: Apache Software License' in meta

def test_library_imports_without_nbdev(tmp_path):
    whl = _wheel(tmp_path)
    site = tmp_path/'site'
    with zipfile.ZipFile(whl) as z: z.extractall(site)
    mods = sorted(p.stem for p in (site/'vkd_nb').glob('*.py') if not p.stem.startswith('_'))
    code = textwrap.dedent(f"""
        import sys, importlib
        class Block:
            def find_spec(self, name, path=None, target=None):
                if name.split('.')[0] in ('nbdev', 'execnb', 'ghapi'): raise ImportError('blocked: ' + name)
        sys.meta_path.insert(0, Block())
        import vkd_nb
        assert vkd_nb.__file__.startswith({str(site)!r}), vkd_nb.__file__
        for m in {mods!r}: importlib.import_module('vkd_nb.' + m)
        print('ok', len({mods!r}))
    """)
    out = subprocess.run([sys.executable, '-c', code], env={'PYTHONPATH': str(site), 'PATH': ''}, cwd=tmp_path,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith('ok')
