"""The Qt user interface: main window, editor, dialogs and their small helpers."""
