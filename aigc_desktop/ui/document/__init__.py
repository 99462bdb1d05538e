"""The document: reading and saving it, crash recovery, the writer's edit history, and which parts the model wrote."""
