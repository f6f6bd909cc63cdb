"""The alliance-sim application layer: the command line that joins ``simulation`` and ``viz``."""
