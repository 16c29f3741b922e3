"""Pure rules of awards: rule sets, eligibility, the nomination workflow, ballots, working days. No I/O."""
