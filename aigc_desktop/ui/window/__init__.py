"""The window and its chrome: the frame, the editor widget, status bar, theme, icons, banner, find bar and the writing surface."""
