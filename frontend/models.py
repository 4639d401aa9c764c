"""The public side keeps no tables of its own: attendees' starred sessions ("my agenda") live in
sessions.models.StarredSession, where the calendar invites can read them too."""
