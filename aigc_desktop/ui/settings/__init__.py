"""Settings: what is remembered, the dialogs that change it, presets, API keys, the model manager and the first run."""
