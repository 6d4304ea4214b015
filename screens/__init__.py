"""One module per screen or dialog: what the person sees and presses. No SQL here."""
