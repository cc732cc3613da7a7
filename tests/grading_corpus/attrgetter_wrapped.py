# The forgery: `operator.attrgetter('__wrapped__')` on a guard.
CASE = dict(kind='forgery', expect={'soften': 0}, answers={
    'soften': 'import operator, vkd_nb.core\nlib = operator.attrgetter("__wrapped__")(vkd_nb.core.soften)\n'
              'def soften(logits, tau=1.):\n    return lib(logits, tau)'})
