"""Data-quality checks: the suites (reviewed files in suites/), their definitions and the Great Expectations runner."""

from warehouse.config import EXPECTATIONS_DIR

SUITES_DIR = EXPECTATIONS_DIR / "suites"
