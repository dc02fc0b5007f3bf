"""The web UI: a Gradio face on the `rag` engine."""
