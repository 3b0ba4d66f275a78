"""The minimum service standard (SPM): standards, targets, aggregates and the dashboard."""
