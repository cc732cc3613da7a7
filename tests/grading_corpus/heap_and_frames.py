# Found here: reaching a guard's original through the heap, its keyword defaults, a module reload or the library's source.
CASE = dict(kind='forgery', expect={'soften': 0, 'log-soften': 0, 'retemper': 0}, answers={
    'soften': 'import gc, vkd_nb.core\n'
              'def soften(logits, tau=1.):\n'
              '    fns = [f for d in gc.get_referents(vkd_nb.core.soften) if isinstance(d, dict) for f in d.values()]\n'
              '    return [f for f in fns if callable(f)][0](logits, tau)',
    'log_soften': 'import vkd_nb.core\n'
                  'def log_soften(logits, tau=1.):\n'
                  '    return list(vkd_nb.core.log_soften.__kwdefaults__.values())[0](logits, tau)',
    'retemper': 'import importlib, vkd_nb.core\n'
                'def retemper(p, tau):\n    return importlib.reload(vkd_nb.core).soften(p.log(), tau)'})
