"""Ninety's analytics core: plain Python + NumPy/SciPy, no Django import.

Functions over arrays and small frozen dataclasses. The Django apps load data, call these
functions and render the results; the CLI, the API and the pages share them.
"""
