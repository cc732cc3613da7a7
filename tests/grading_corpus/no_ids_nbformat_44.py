# The issue's false negative: an nbformat 4.4 notebook (no cell ids) whose answers' `def` lines are the student's own
# scored 0/7, with notes that said tests were deleted.
from _plain import PLAIN
CASE = dict(kind='correct', ids='drop', answers=PLAIN)
