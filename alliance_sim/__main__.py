from alliance_sim.cli import main

main()
