"""The evaluation harness: gold questions in, honest metrics and reports out."""
