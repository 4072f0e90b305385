"""Weekly engagement reports (issue 11): figures from metric samples, charts, HTML, exports, e-mail."""
