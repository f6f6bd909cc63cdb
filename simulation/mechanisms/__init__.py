"""The model's mechanisms: one module per theory, pure functions over NumPy arrays."""
