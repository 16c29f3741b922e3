"""Scoring service (Chấm điểm): results and self-scores, cross-scoring in review rounds, locked
score tables and rankings that anyone can recompute from the recorded inputs."""
