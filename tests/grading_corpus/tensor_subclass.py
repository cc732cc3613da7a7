# Found here: an answer returns a tensor subclass whose every operation answers `True`. It must score what the same
# values score as a plain tensor.
CASE = dict(kind='forgery', expect={'soften': 'honest'}, answers={
    'soften': 'import torch\nclass Liar(torch.Tensor):\n'
              '    @classmethod\n    def __torch_function__(cls, func, types, args=(), kwargs=None):\n'
              '        return torch.tensor(True)\n'
              'def soften(logits, tau=1.):\n    return torch.zeros_like(logits).as_subclass(Liar)'},
    honest={'soften': 'import torch\ndef soften(logits, tau=1.):\n    return torch.zeros_like(logits)'})
