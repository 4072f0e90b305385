"""Engagement metrics gathered on a schedule: our posts' numbers and others' use of our hashtags.

``collect.collect_metrics`` runs one cycle (the beat's ``collect_metrics`` task, or ``campaigns
metrics collect``) with ``options.options_from(settings)``; ``names`` is the one table of metric
names; ``schedule`` says what is due when. Nothing is imported here, so that reading a name or a
stored sample (``campaigns status``, the dashboard) does not load the platform clients.
"""
