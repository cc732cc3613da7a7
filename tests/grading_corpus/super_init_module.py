# The false negative: `super().__init__()` in an `nn.Module` (unavoidable in PyTorch).
CASE = dict(kind='correct', answers={
    'soften': 'solution', 'log_soften': 'solution', 'retemper': 'solution',
    'entropy': 'import torch\nclass Entropy(torch.nn.Module):\n    def __init__(self):\n        super().__init__()\n'
               '    def forward(self, p):\n        return -torch.xlogy(p, p).sum(-1)\n'
               'def entropy(p):\n    return Entropy()(p)'})
