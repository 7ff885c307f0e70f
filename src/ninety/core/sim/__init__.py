"""The simulator's parts; the public API is :mod:`ninety.core.simulate`."""
