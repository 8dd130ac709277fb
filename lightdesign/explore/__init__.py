"""Tools built on the figures: budgets, comparisons and Pareto fronts, the scaling search, lighter
substitutes and the Learn page's formulas."""
