"""The model file format the browser loads (src/artifact): encode and decode."""
