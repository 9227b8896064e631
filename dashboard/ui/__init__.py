"""The dashboard's UI components: wording, status styles, charts, cards and figure cards.
Pages compose these with :mod:`dashboard.data`; nothing here reads the snapshot."""
