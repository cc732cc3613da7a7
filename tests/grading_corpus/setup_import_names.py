# The forgery (assignment 2: 9/9): a name the setup cell imports (`ref_kl_div`) is the library's own function,
# never guarded; and one a test cell imports (`ref`, assignment 1 style) used by a later answer.
CASE = dict(kind='forgery', assignment='02_kd_term.ipynb', expect={'kl-div': 0, 'kd-term': 0}, answers={
    'kl_div': 'def kl_div(p, q):\n    return ref_kl_div(p, q)',
    'kd_term': 'def kd_term(p, s, tau=4.):\n    return ref.kd_term(p, s, tau)'})
