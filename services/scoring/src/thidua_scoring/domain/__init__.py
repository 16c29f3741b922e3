"""Pure rules of scoring: the rules that turn results into points, the engine, rounds and reviews. No I/O."""
