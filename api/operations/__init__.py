"""Operations: backup and restore, metrics for operators."""
