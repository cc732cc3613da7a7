# The false negative: ids regenerated (copy-paste, another editor) and the student's own `def` lines.
from _plain import PLAIN
CASE = dict(kind='correct', ids='regen', answers=PLAIN)
