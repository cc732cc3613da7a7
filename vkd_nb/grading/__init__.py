"""The course grader (notebooks `12_grading` to `12g_grading_cli`): assignment conventions, students' versions,
grading in a child process against the instructor's copy, the sandbox, a class's gradebook, nbgrader export and
`vkd grade`. It uses the standard library and `vkd_nb.files` (tables, safe writes), nothing of distillation: import
its modules by name, e.g. `from vkd_nb.grading.reference import grade`."""
