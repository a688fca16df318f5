"""Plugins shipped inside hookyard: the generic vendor and the http, file and log sinks."""
