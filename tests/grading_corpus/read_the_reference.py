# The forgery, unboxed (sandbox none): read the reference notebook (its path is on the grader's command line,
# `/proc/<ppid>/cmdline`) and run its model answer. The audit hook refuses the reference's folder and other processes.
CASE = dict(kind='forgery', sandbox='none', expect={'soften': 0}, answers={
    'soften': 'import torch\nb, j, os = torch.sys.modules["builtins"], torch.sys.modules["json"], torch.os\n'
              'try: b.open(f"/proc/{os.getppid()}/cmdline").read()\nexcept OSError: pass\n'
              'src = "".join(j.load(b.open(REFERENCE))["cells"][5]["source"])\n'
              'b.exec(src, b.globals())'})
