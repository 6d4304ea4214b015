"""The shell: CLI, app factory, paths, i18n and shared widgets. Wires db/ to screens/."""
