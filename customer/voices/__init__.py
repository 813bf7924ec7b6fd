"""Voices put the engine's decision into words: `scripted` (default, offline) and, later, an LLM voice."""
