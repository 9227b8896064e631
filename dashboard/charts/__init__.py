"""Chart builders for the national and joint area scorecards (plotly, Okabe-Ito palette).

Each builder takes the numbers a figure card shows and returns a figure; the card carries
the title, period, source, table alternative and CSV. Series are told apart by marker and
dash style as well as colour, so nothing rests on colour alone.
"""
