# The probe: a process started with `start_new_session` outlived grading (and 400 of 400 forks succeeded as
# root without a cgroup). The audit hook refuses to start processes at all.
CASE = dict(kind='forgery', expect={'soften': 0}, note_has='not allowed in graded code: subprocess.Popen', answers={
    'soften': 'import torch\np = torch.sys.modules["subprocess"].Popen(["sleep", "600"], start_new_session=True)\n'
              'def soften(logits, tau=1.):\n    return None'})
