"""What tests share: fixtures (pytest plugins listed in ``tests/conftest.py``), builders, processes.

Test modules import from here, never from each other.
"""
