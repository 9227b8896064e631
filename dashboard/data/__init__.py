"""The dashboard's data access: the serving snapshot (:mod:`.snapshot`), the one query seam
and per-snapshot cache (:mod:`.source`), and the frames each page area shows."""
