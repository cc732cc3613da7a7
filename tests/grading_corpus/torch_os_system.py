# The forgery: `torch.os.system` passed the old policy and ran a command inside bwrap.
CASE = dict(kind='forgery', expect={'soften': 0}, answers={
    'soften': 'import torch\nok = torch.os.system("echo forged > forged.txt")\n'
              'def soften(logits, tau=1.):\n    return torch.os.system("true")'},
    note_has='not allowed in graded code: os.system')
