"""Conversation evidence: transcripts to turns, speaker roles, call metrics, the ways a rep's
opening used, and tone from recordings. Plain Python (NumPy); the optional model and audio
libraries are imported only where they are used, and their absence is a clear error."""
