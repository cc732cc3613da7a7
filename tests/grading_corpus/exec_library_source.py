# Found here: `exec` of the library's own source gives an unguarded copy; a thread runs code with no answer on its stack.
CASE = dict(kind='forgery', expect={'soften': 0, 'log-soften': 0}, answers={
    'soften': 'import vkd_nb.core\n'
              'def soften(logits, tau=1.):\n    d = {}\n    exec(open(vkd_nb.core.__file__).read(), d)\n'
              '    return d["soften"](logits, tau)',
    'log_soften': 'import threading, vkd_nb.core\n'
                  'def log_soften(logits, tau=1.):\n    out = []\n'
                  '    t = threading.Thread(target=lambda: out.append(vkd_nb.core.log_soften(logits, tau)))\n'
                  '    t.start()\n    t.join()\n    return out[0]'})
