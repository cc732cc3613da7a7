# The false negative: `global` in an answer.
CASE = dict(kind='correct', answers={
    'soften': 'solution', 'log_soften': 'solution', 'retemper': 'solution',
    'entropy': 'import torch\nCALLS = 0\ndef entropy(p):\n    global CALLS\n    CALLS += 1\n    return -torch.xlogy(p, p).sum(-1)'})
