# The forgery: `torch.sys.modules['inspect']` and `['builtins']` reach what an import would.
CASE = dict(kind='forgery', expect={'soften': 0, 'log-soften': 0}, answers={
    'soften': 'import torch, vkd_nb.core\nlib = torch.sys.modules["inspect"].unwrap(vkd_nb.core.soften)\n'
              'def soften(logits, tau=1.):\n    return lib(logits, tau)',
    'log_soften': 'import torch, vkd_nb.core\nb = torch.sys.modules["builtins"]\n'
                  'def log_soften(logits, tau=1.):\n    return b.eval("vkd_nb.core.log_soften")(logits, tau)'})
