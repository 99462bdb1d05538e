"""An inference server: its address, its wire format, its errors, and runs on it."""
