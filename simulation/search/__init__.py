"""The searches behind the model's collectives and the ``blocs`` command: exact enumerations,
relocation and flip descents, compiled kernels (numba), simulated annealing, branch and bound.

They find the partitions the theory asks for — the lowest-energy coalition split
(``mechanisms.coalitions``, Axelrod & Bennett 1993), the minimum-frustration blocs
(``mechanisms.blocs``, Davis 1967) — and hold no theory of their own.
"""
