# Assignment 1's solutions as a student would write them: plain `def` lines, no annotations (shared by some cases).
PLAIN = {
    'soften': 'import torch\ndef soften(logits, tau=1.0):\n    if not tau > 0: raise ValueError(f"tau must be a number > 0, got {tau}")\n'
              '    z = logits / tau\n    z = z - z.max(dim=-1, keepdim=True).values\n    e = z.exp()\n'
              '    return e / e.sum(dim=-1, keepdim=True)',
    'log_soften': 'def log_soften(logits, tau=1.0):\n    z = logits / tau\n    z = z - z.max(dim=-1, keepdim=True).values\n'
                  '    return z - z.exp().sum(dim=-1, keepdim=True).log()',
    'entropy': 'def entropy(p):\n    return -torch.xlogy(p, p).sum(-1)',
    'retemper': 'def retemper(p, tau):\n    return torch.softmax(p.log() / tau, dim=-1)'}
