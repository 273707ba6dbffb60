"""Report definitions every provider's truth shares (docs/CONTRACTS.md 4, 8, 9, 10): the campaign
report row, link activity and suppressions, and the Benchmark-style reports (periods, pairs,
dashboard, histograms, engagement, overall). The Benchmark simulator's reports use the same
functions, so the simulator and the marts' truth cannot drift apart."""
