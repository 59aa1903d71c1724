"""Who can call what: the access matrix over the scan's facts."""
