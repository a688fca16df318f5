"""Internal: the plugins shipped inside hookyard — the generic vendor and the http, file
and log sinks — registered like any plugin (``hookyard.plugins.BUILTIN_PLUGINS``).
"""
