# The forgery (1/7): an earlier answer cell (soften's, exercise 1) captures a function a later exercise
# forbids (`kl_div`, exercise 3) before that exercise's guard existed; the later answer uses the capture.
from _plain import PLAIN
CASE = dict(kind='forgery', expect={'entropy': 0}, answers={
    'soften': PLAIN['soften'] + '\nimport vkd_nb.fidelity\ncaptured = vkd_nb.fidelity.kl_div',
    'entropy': 'import math, torch\ndef entropy(p):\n    return math.log(p.shape[-1]) - captured(p, torch.full_like(p, 1 / p.shape[-1]))'})
