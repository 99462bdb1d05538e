"""The suggestion: the worker that owns the model, the Continue flow, auto-suggest, partial accept, candidates and probabilities."""
