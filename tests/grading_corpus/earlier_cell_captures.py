# The forgery: an earlier answer cell captures an original before its guard existed.
CASE = dict(kind='forgery', expect={'log-soften': 0}, answers={
    'soften': 'solution',
    'log_soften': 'def log_soften(logits, tau=1.):\n    return captured(logits, tau)'},
    insert={'soften': 'import vkd_nb.core\ncaptured = vkd_nb.core.log_soften'})
