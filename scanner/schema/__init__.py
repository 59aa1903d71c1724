"""The declared shapes: what a snapshot holds (snapshot.py) and the fact records rules read (facts.py)."""
