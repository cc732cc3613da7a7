# Found here: an answer that, once called by a test, rebinds its own name to the library's function, so that the
# test's later calls would reach the library. It must score what the same answer scores without the trick.
CASE = dict(kind='forgery', expect={'soften': 'honest'}, answers={
    'soften': 'import torch, vkd_nb.core\n'
              'def soften(logits, tau=1.):\n    globals()["soften"] = vkd_nb.core.soften\n    return torch.zeros_like(logits)'},
    honest={'soften': 'import torch\ndef soften(logits, tau=1.):\n    return torch.zeros_like(logits)'})
