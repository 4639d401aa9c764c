"""The demo forums of the seed reports and their loader (`manage.py seed_demo`).

It sits on top of every app: it writes forums, agendas, papers and registration types through them,
and no app imports it."""
