"""A reference model of AWS policy evaluation and Hypothesis strategies to test the engine with."""
