# The false negative: an answer built with `functools.partial`.
CASE = dict(kind='correct', answers={
    'soften': 'solution', 'log_soften': 'solution', 'entropy': 'solution',
    'retemper': 'import functools, torch\ndef _retemper(p, tau, dim):\n    return torch.softmax(p.log() / tau, dim=dim)\n'
                'retemper = functools.partial(_retemper, dim=-1)'})
