# The forgery: `inspect.unwrap` on a guarded library function gives back the original.
CASE = dict(kind='forgery', expect={'soften': 0, 'log-soften': 0}, answers={
    'soften': 'import inspect, vkd_nb.core\nlib = inspect.unwrap(vkd_nb.core.soften)\n'
              'def soften(logits, tau=1.):\n    return lib(logits, tau)',
    'log_soften': 'import inspect, vkd_nb.core\n'
                  'def log_soften(logits, tau=1.):\n    return inspect.unwrap(vkd_nb.core.log_soften)(logits, tau)'})
