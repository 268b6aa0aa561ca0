"""Coverage-guided fuzzing of arxport's readers, escapers and writers (see fuzz/README.md)."""
