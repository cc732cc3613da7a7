# The false negative: `scipy` was refused.
CASE = dict(kind='correct', needs='scipy', answers={
    'soften': 'solution', 'log_soften': 'solution', 'retemper': 'solution',
    'entropy': 'import torch\nfrom scipy.special import entr\n'
               'def entropy(p):\n    return torch.as_tensor(entr(p.double().numpy()).sum(-1), dtype=p.dtype)'})
