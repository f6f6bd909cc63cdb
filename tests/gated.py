"""`python tests/gated.py ARGS…` is `alliance-sim ARGS…` with the fault points of $GATE (tests/gate.py).

Worker processes import this file as their main module, and so get the same gates.
"""

import signal

import gate  # noqa: F401 - installs the gates of $GATE

if __name__ == "__main__":
    # The tests press Ctrl-C: take SIGINT even when the suite itself was started in the background
    # by a non-interactive shell (`make test &`), which leaves it ignored in every child.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from alliance_sim.cli import main

    main()
