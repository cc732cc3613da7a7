# The false negative: ids regenerated and one `def` line without the stub's annotations (4/7).
from _plain import PLAIN
CASE = dict(kind='correct', ids='regen', answers={'soften': PLAIN['soften'], 'log_soften': 'solution', 'entropy': 'solution',
                                                   'retemper': 'solution'})
