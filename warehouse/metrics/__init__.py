"""Scorecard metrics: the one catalogue, the mart build's post-processing (funnel limits,
SPC, disclosure control) and the export every consumer shares."""
