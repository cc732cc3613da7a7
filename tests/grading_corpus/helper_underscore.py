# The false negative: a `_helper` made the old policy run the stub (3/7).
CASE = dict(kind='correct', answers={
    'soften': 'import torch\ndef _shift(z):\n    return z - z.max(dim=-1, keepdim=True).values\n'
              'def soften(logits, tau=1.):\n    if not tau > 0: raise ValueError(f"tau must be a number > 0, got {tau}")\n'
              '    e = _shift(logits / tau).exp()\n    return e / e.sum(dim=-1, keepdim=True)',
    'log_soften': 'solution', 'entropy': 'solution', 'retemper': 'solution'})
