"""The knowledge base: the record schema, the taxonomy, safe YAML reading, problems, loading and the record cache."""
