"""`python -m alliance_sim`: the command line."""

from alliance_sim.cli import main

main()
