"""The writer's style: learning one and choosing it."""
