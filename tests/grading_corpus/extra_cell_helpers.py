# The false negative: a helper and a constant in an extra cell gave NameError.
CASE = dict(kind='correct', answers={
    'soften': 'def soften(logits, tau=1.):\n    if not tau > MIN_TAU: raise ValueError(f"tau must be a number > 0, got {tau}")\n'
              '    e = shift(logits / tau).exp()\n    return e / e.sum(dim=-1, keepdim=True)',
    'log_soften': 'solution', 'entropy': 'solution', 'retemper': 'solution'},
    insert={'soften': 'MIN_TAU = 0\ndef shift(z):\n    return z - z.max(dim=-1, keepdim=True).values'})
