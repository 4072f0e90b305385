"""Data files read by ``campaigns`` (a package so that installs ship them)."""
