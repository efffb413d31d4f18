"""Tier C - the PyTorch half of the course (Lecture 8 and the torch versions of L7 tools)."""
